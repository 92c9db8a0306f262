"""The EKS platform as a whole: every mandatory policy of the stack config passes (and the
Kubernetes policies do judge these workloads), everything is parented to compute with the
explicit providers, every resource is priced, and bad inputs fail before anything is built."""

from __future__ import annotations

import copy
import dataclasses
import json

import pytest

from offline_preview import UserError, evaluate, load_policy_pack
from offline_preview.cost import estimate_cost
from offline_preview.deploy_time import slow_waits
from tests.components.eks_program import (
    CLUSTER,
    DEPLOYMENT,
    NODE_GROUP,
    RELEASE,
    REPO,
    TEST_COMPUTE,
    eks_capture,
    eks_config,
    one,
    pod_spec,
    run_eks,
    stack_config,
)

# --- the whole ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pack():
    return load_policy_pack(REPO / "policies")


@pytest.mark.parametrize(
    ("stack", "variant"), [("prod", ""), ("staging", ""), ("prod", "in-cluster-cache"), ("prod", "read-only")]
)
def test_passes_every_mandatory_policy_of_the_stack_config(pack, stack, variant):
    capture = eks_capture(stack, variant)
    config = json.loads((REPO / f"policies/config/{stack}.json").read_text(encoding="utf-8"))
    report = evaluate(pack, capture, config, capture.config)
    assert report.policies_run >= 45
    assert [(v.policy, v.urn, v.message) for v in report.mandatory] == []


def test_the_kubernetes_policies_do_judge_these_workloads(pack):
    """A tampered copy of the capture fails, so the clean result above is not vacuous."""
    clean = eks_capture("prod")
    original = one(clean, DEPLOYMENT, "backend")
    backend = dataclasses.replace(original, inputs=copy.deepcopy(original.inputs))
    capture = dataclasses.replace(clean, resources=[backend if r is original else r for r in clean.resources])
    pod = pod_spec(backend)
    pod["securityContext"]["runAsNonRoot"] = False
    pod["containers"][0]["securityContext"]["runAsNonRoot"] = False
    pod["containers"][0]["securityContext"]["allowPrivilegeEscalation"] = True
    config = json.loads((REPO / "policies/config/prod.json").read_text(encoding="utf-8"))
    report = evaluate(pack, capture, config, capture.config)
    flagged = {(v.policy, v.urn) for v in report.mandatory}
    assert flagged == {("k8s-pods-run-as-non-root", backend.urn), ("k8s-no-privileged-containers", backend.urn)}


def test_everything_is_parented_to_compute_with_the_explicit_providers():
    capture = eks_capture("prod")
    compute = one(capture, TEST_COMPUTE)
    (aws_provider,) = [p for p in capture.of_type("pulumi:providers:aws") if p.name == "aws"]  # not a second Region's
    (k8s_provider,) = capture.of_type("pulumi:providers:kubernetes")
    mine = capture.descendants(compute.urn)
    assert k8s_provider in mine
    for r in mine:
        if not r.custom or r.type.startswith("pulumi:providers:") or r.type.startswith("pulumi-python:dynamic"):
            continue
        expected = k8s_provider.urn if r.type.startswith("kubernetes:") else aws_provider.urn
        if r.type.startswith("random:"):
            continue
        assert r.provider == expected, r.urn


def test_every_resource_is_priced_and_no_slow_resource_waits_without_a_data_dependency():
    capture = eks_capture("prod")
    estimate = estimate_cost(capture)
    assert {t: n for t, n in estimate.not_priced.items() if t.startswith(("aws:", "eks:"))} == {}
    lines = {(line.type, line.name): line for line in estimate.lines}
    assert lines[(CLUSTER, "eks")].monthly_usd == pytest.approx(0.10 * 730)  # control plane, no default node group
    assert "SpotInstanceSelection" in lines[(NODE_GROUP, "eks-spot")].basis
    assert lines[(RELEASE, "kube-prometheus-stack")].monthly_usd > 0  # its volumes
    assert slow_waits(capture) == []


def test_bad_eks_inputs_fail_with_the_key_and_what_is_allowed():
    with pytest.raises(
        UserError,
        match=r'platform:compute\.eks\.spotNodes\.architectures: \["x86_64", "arm64"\] lists several CPU architectures',
    ):
        run_eks(
            "prod",
            eks_config(
                "prod",
                spotNodes={
                    **stack_config("prod")["platform:compute"]["eks"]["spotNodes"],
                    "architectures": ["x86_64", "arm64"],
                },
            ),
        )


def test_missing_inputs_are_listed_together_before_anything_is_built():
    config = eks_config("prod")
    config["platform:ecr"] = {**stack_config("prod")["platform:ecr"], "repositories": ["frontend", "backend"]}
    with pytest.raises(
        UserError, match=r"platform:ecr\.repositories: .* has no repository for \['api-gateway'\]"
    ) as err:
        run_eks("prod", config)
    capture = err.value.capture
    assert capture is not None and capture.resources == []  # a config rule: refused before any registration


def test_spot_subnets_follow_the_selected_zones_and_an_empty_intersection_is_an_error():
    from secure_platform.compute.eks.component import EksError, _subnets_in_zones

    zones, subnets = ["us-east-1a", "us-east-1b", "us-east-1c"], ["subnet-a", "subnet-b", "subnet-c"]
    assert _subnets_in_zones(zones, subnets, ["us-east-1c", "us-east-1a"]) == ["subnet-a", "subnet-c"]
    with pytest.raises(EksError, match="none of which has a private subnet"):
        _subnets_in_zones(zones, subnets, ["us-east-1f"])
