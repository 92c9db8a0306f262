"""The whole stack program per environment, through `offline_preview.preview` (what
`make preview` runs): inventory per environment, golden inventories, exports without secrets, the
component graph of the design (docs/DESIGN.md), and zero mandatory policy findings."""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from offline_preview import PreviewResult
from offline_preview.analyzer_wire import wire_value
from offline_preview.capture import Capture, CapturedResource
from offline_preview.graph import component_graph, find_cycle, top_level_components
from offline_preview.report import to_json
from tests.stack_runs import stack_preview

REPO = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "golden"
STACKS = ("dev", "staging", "prod")

NAT = "aws:ec2/natGateway:NatGateway"
RDS = "aws:rds/instance:Instance"
KEY = "aws:kms/key:Key"
REPOSITORY = "aws:ecr/repository:Repository"
VAULT = "aws:backup/vault:Vault"
ECS_CLUSTER = "aws:ecs/cluster:Cluster"
EKS_CLUSTER = "eks:index:Cluster"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"

# The design's "Module Dependencies": row of each component (DESIGN.md explains the order in a row).
TIER = {
    "BackendState": 0,
    "Security": 1,
    "Networking": 1,
    "Monitoring": 1,
    "Storage": 2,
    "Ecr": 2,
    "Compute": 2,
}


def result(stack: str) -> PreviewResult:
    """What `make preview STACK=...` runs: preview semantics."""
    return stack_preview(stack, "preview")


def result_up(stack: str) -> PreviewResult:
    """`--mode up`: concrete values for what AWS computes on create (ARNs, endpoints)."""
    return stack_preview(stack, "up")


def cap(stack: str) -> Capture:
    return result(stack).capture


def components(capture: Capture) -> dict[str, str]:
    """component name -> class name (type token suffix)."""
    return {c.name: c.type.rsplit(":", 1)[-1] for c in top_level_components(capture)}


# --- inventory per environment -------------------------------------------------------------------


@pytest.mark.parametrize(("stack", "nats"), [("dev", 1), ("staging", 3), ("prod", 3)])
def test_nat_gateways_follow_the_environment(stack, nats):
    assert len(cap(stack).of_type(NAT)) == nats


@pytest.mark.parametrize(
    ("stack", "multi_az", "storage"), [("dev", False, 20), ("staging", False, 50), ("prod", True, 100)]
)
def test_database_size_and_availability_follow_the_environment(stack, multi_az, storage):
    (db,) = cap(stack).of_type(RDS)
    assert bool(db.inputs.get("multiAz")) is multi_az
    assert db.inputs["allocatedStorage"] == storage
    protected = stack != "dev"
    assert db.protect is protected and bool(db.inputs.get("deletionProtection")) is protected
    assert bool(db.inputs.get("skipFinalSnapshot")) is not protected


@pytest.mark.parametrize("stack", STACKS)
def test_stateful_resources_are_protected_where_the_environment_says(stack):
    capture = cap(stack)
    protected = stack != "dev"
    for type_ in (KEY, REPOSITORY, VAULT):
        for r in capture.of_type(type_):
            owner = capture.component_of(r.urn)
            if owner is not None and owner.type.endswith(":BackendState"):
                assert r.protect, r.urn  # the state backend is protected in every environment
            else:
                assert r.protect is protected, r.urn


@pytest.mark.parametrize(("stack", "platform"), [("dev", "ecs"), ("staging", "eks"), ("prod", "eks")])
def test_compute_platform_follows_the_environment(stack, platform):
    capture = cap(stack)
    assert bool(capture.of_type(ECS_CLUSTER)) is (platform == "ecs")
    assert bool(capture.of_type(EKS_CLUSTER)) is (platform == "eks")
    if platform == "eks":
        capacity = sorted(g.inputs.get("capacityType", "ON_DEMAND") for g in capture.of_type(NODE_GROUP))
        assert capacity == ["ON_DEMAND", "SPOT"]
    assert capture.outputs["computePlatform"] == platform


def test_prod_alone_has_interface_endpoints_and_cross_region_copies():
    for stack in STACKS:
        interface = [e for e in cap(stack).of_type(ENDPOINT) if e.inputs["vpcEndpointType"] == "Interface"]
        assert bool(interface) is (stack == "prod"), stack
        assert bool(cap(stack).of_type(REPLICATION)) is (stack == "prod"), stack


# --- golden inventories --------------------------------------------------------------------------


DATED_INPUTS = {"random:index/randomPassword:RandomPassword": "keepers"}
"""Inputs derived from today's date by design: a rotated secret's `keepers` name the current
rotation period (secure_platform/storage/plan.py `rotation_period`), so they change every period."""


def inputs_digest(resource: CapturedResource) -> str:
    """A short digest of a registration's inputs in the engine's wire form (unknowns as its
    sentinel, secrets wrapped), so a preview's digest is the same from run to run and machine to
    machine. Left out: the date-derived inputs above, and a dynamic resource's `__provider` (its
    provider serialized by dill, whose bytes follow the Python version)."""
    inputs = {
        k: v
        for k, v in resource.inputs.items()
        if k != DATED_INPUTS.get(resource.type) and not k.startswith("__provider")
    }
    wired = wire_value(inputs, frozenset(resource.secret_paths))
    canonical = json.dumps(wired, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def inventory(capture: Capture) -> dict[str, object]:
    """What a reviewer should see change: counts by type, every registration by component, and
    every URN (part of users' state: a refactor must keep them) with a digest of its inputs."""
    owners = {r.urn: (capture.component_of(r.urn) or r) for r in capture.resources}
    return {
        "countsByType": dict(sorted(Counter(r.type for r in capture.resources).items())),
        "resources": sorted(
            f"{owners[r.urn].name if owners[r.urn] is not r else '(stack)'} | {r.type} | {r.name}"
            for r in capture.resources
        ),
        "inputsByUrn": {r.urn: inputs_digest(r) for r in sorted(capture.resources, key=lambda r: r.urn)},
    }


@pytest.mark.parametrize("stack", STACKS)
def test_inventory_matches_the_golden_file(stack):
    """A change to the set of resources, a URN or any resource's inputs shows up in review.
    Accept it with `UPDATE_GOLDEN=1 venv/bin/python -m pytest tests/stack -k golden`."""
    path = GOLDEN / f"{stack}.json"
    current = inventory(cap(stack))
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(json.dumps(current, indent=1) + "\n", encoding="utf-8")
    golden = json.loads(path.read_text(encoding="utf-8"))
    now: dict[str, str] = current["inputsByUrn"]  # type: ignore[assignment]
    was: dict[str, str] = golden["inputsByUrn"]
    changes = {
        "added": sorted(set(now) - set(was)),
        "removed": sorted(set(was) - set(now)),
        "inputs changed": sorted(u for u in set(now) & set(was) if now[u] != was[u]),
    }
    assert changes == {"added": [], "removed": [], "inputs changed": []}, (
        "inventory changed; review, then run with UPDATE_GOLDEN=1"
    )
    assert current == golden


# --- exports -------------------------------------------------------------------------------------

EXPORTS = (
    "vpcId",
    "publicSubnetIds",
    "privateSubnetIds",
    "databaseSubnetIds",
    "albDnsName",
    "ecrRepositoryUrls",
    "databaseEndpoint",
    "databaseMasterSecretArn",
    "clusterName",
    "dashboardUrl",
    "backendUrl",
    "stateBackendUrl",
    "secretsProvider",
)


def _at(value: object, path: str) -> object:
    for part in path.replace("]", "").replace("[", ".").split("."):
        if isinstance(value, list):
            value = value[int(part)]
        elif isinstance(value, dict):
            value = value.get(part)
        else:
            return None
    return value


def secret_values(capture: Capture) -> set[str]:
    """Every secret input value registered (unwrapped), to look for in the exports."""
    found = {_at(r.inputs, path) for r in capture.resources for path in r.secret_paths}
    return {v for v in found if isinstance(v, str) and len(v) >= 8}


@pytest.mark.parametrize("stack", STACKS)
def test_every_export_operators_need_is_present_and_holds_no_secret(stack):
    capture = result_up(stack).capture
    for key in EXPORTS:
        assert capture.outputs.get(key), key
    assert capture.outputs["databaseMasterSecretArn"].startswith("arn:aws:secretsmanager:")
    assert capture.outputs["backendUrl"].startswith("https://") and capture.outputs["backendUrl"].endswith("/api")
    assert capture.secret_outputs == []
    text = json.dumps(capture.outputs)
    secrets = secret_values(capture)
    assert secrets, "the stack registers secrets (cache auth token, kubeconfig): the scan must have something to find"
    assert not [s for s in secrets if s in text]


@pytest.mark.parametrize(
    ("stack", "images"), [("dev", {"frontend", "backend", "sidecar"}), ("prod", {"frontend", "api-gateway", "backend"})]
)
def test_the_stack_exports_every_image_compute_will_pull(stack, images):
    """What the images step pushes and preflight checks before compute starts: our repositories'
    URLs with the configured tag, exactly the images the platform's workloads run (in up mode:
    repository URLs are computed by ECR, unknown in a preview)."""
    capture = result_up(stack).capture
    uris = capture.outputs["imageUris"]
    assert set(uris) == images
    raw: Any = capture.config["platform:compute"]
    compute_config: dict[str, Any] = raw if isinstance(raw, dict) else json.loads(raw)
    tag = str(compute_config["imageTag"])
    repos = capture.outputs["ecrRepositoryUrls"]
    for name, uri in uris.items():
        assert uri == f"{repos[name]}:{tag}"
    pulled = json.dumps(
        [
            r.inputs
            for r in capture.resources
            if r.type in ("aws:ecs/taskDefinition:TaskDefinition", "kubernetes:apps/v1:Deployment")
        ]
    )
    for uri in uris.values():
        assert uri in pulled, uri


# --- the component graph -------------------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_component_graph_is_the_seeds_graph(stack):
    capture = cap(stack)
    kinds = components(capture)
    assert sorted(kinds.values()) == sorted(TIER)
    graph = {kinds[c]: {kinds[d] for d in deps} for c, deps in component_graph(capture).items()}
    assert find_cycle(graph) is None
    for consumer, providers in graph.items():
        for provider in providers:
            assert TIER[provider] <= TIER[consumer], f"{consumer} takes outputs of {provider}: an upward edge"
    assert graph["BackendState"] == set()
    for consumer in ("Networking", "Monitoring"):
        assert "BackendState" in graph[consumer], consumer
    for consumer in ("Storage", "Ecr", "Compute"):
        assert any(TIER[p] == 1 for p in graph[consumer]), consumer
    assert graph["Compute"] >= {"Networking", "Security", "Monitoring", "Storage", "Ecr"}


# --- policies ------------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_the_stack_passes_the_policy_pack_with_zero_mandatory_findings(stack):
    report = result(stack).policy
    assert report is not None and report.policies_run >= 45
    assert [(v.policy, v.urn) for v in report.mandatory] == []
    report_up = result_up(stack).policy
    assert report_up is not None and [(v.policy, v.urn) for v in report_up.mandatory] == []
    assert report_up.diagnostics == []


@pytest.mark.parametrize("stack", STACKS)
def test_preview_and_up_register_the_same_resources(stack):
    """Preview semantics change values, never the inventory: the same URNs, types, parents and
    dependencies in both modes, and the report says which mode ran."""
    preview_cap, up_cap = cap(stack), result_up(stack).capture
    assert (preview_cap.mode, up_cap.mode) == ("preview", "up")

    def shape(c: Capture) -> list[tuple[str, str, str | None, list[str]]]:
        return [(r.urn, r.type, r.parent, sorted(r.dependencies)) for r in c.resources]

    assert shape(preview_cap) == shape(up_cap)


# --- the JSON report -----------------------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_every_urn_the_json_report_refers_to_is_one_of_its_resources(stack):
    """Parents, dependencies, property dependencies and providers point at listed resources: the
    root stack is listed, and dependencies on a remote component's unregistered child (pulumi-eks's
    `eksCluster` output) point at the component."""
    doc = to_json(result(stack))
    listed = {r["urn"] for r in doc["resources"]}
    assert len(listed) == len(doc["resources"])
    [root] = [r for r in doc["resources"] if r["type"] == "pulumi:pulumi:Stack"]
    assert root["urn"] == f"urn:pulumi:{stack}::platform::pulumi:pulumi:Stack::platform-{stack}"
    dangling = [
        (r["urn"], ref)
        for r in doc["resources"]
        for ref in [r["parent"], r["provider"], *r["dependencies"]]
        if ref is not None and ref not in listed
    ]
    dangling += [
        (r.urn, ref)
        for r in cap(stack).resources
        for refs in r.property_dependencies.values()
        for ref in refs
        if ref not in listed
    ]
    assert dangling == []
    assert all(r["parent"] for r in doc["resources"] if r["type"] != "pulumi:pulumi:Stack")


def test_a_dependency_on_the_eks_cluster_child_points_at_the_remote_component():
    capture = cap("staging")
    [cluster] = capture.of_type(EKS_CLUSTER)
    dependents = [r for r in capture.resources if cluster.urn in r.dependencies]
    assert dependents, "staging's EKS add-ons and node groups use the cluster's eksCluster output"
    assert not [
        d for r in capture.resources for d in r.dependencies if d.startswith(cluster.urn.rsplit("::", 1)[0] + "$")
    ]
