"""The stack program so far, per environment: encryption everywhere, the component graph, and the
offline preview command operators run."""

from __future__ import annotations

import pytest

from offline_preview.cli import main as preview_main
from tests.components.helpers import (
    BACKEND,
    BUCKET,
    ECR,
    KEY,
    LOG_GROUP,
    MONITORING,
    NETWORKING,
    SECURITY,
    SSE,
    STORAGE,
    of_type,
    ref,
    referencing,
    refs,
    stack_capture,
)
from tests.stack_runs import stack_preview

STACKS = ("dev", "staging", "prod")
CORE = (BACKEND, SECURITY, NETWORKING)
COMPONENTS = (*CORE, MONITORING, STORAGE, ECR)
TIER = {"BackendState": 0, "Security": 1, "Networking": 1, "Monitoring": 1, "Storage": 2, "Ecr": 2}


@pytest.mark.parametrize("stack", STACKS)
def test_every_log_group_is_encrypted_with_one_of_our_keys(stack):
    capture = stack_capture(stack)
    groups = capture.of_type(LOG_GROUP)
    assert len(groups) >= 3
    for group in groups:
        key = ref(capture, group, "kmsKeyId")
        assert key.type == KEY and key.custom, group.urn
        assert group.inputs["retentionInDays"] == {"dev": 30, "staging": 90, "prod": 365}[stack]


@pytest.mark.parametrize("stack", STACKS)
def test_every_bucket_is_encrypted_with_our_keys_except_log_destinations(stack):
    capture = stack_capture(stack)
    # Buckets receiving S3 server access logs (the log archive, and in prod the replica Region's
    # log bucket): S3 and ALB deliver logs only to SSE-S3 buckets.
    log_destinations = {
        target.urn
        for logging in capture.of_type("aws:s3/bucketLogging:BucketLogging")
        for target in refs(capture, logging, "targetBucket")
        if target.type == BUCKET
    }
    assert any(capture.by_urn()[u].name == "log-archive" for u in log_destinations)
    for bucket in capture.of_type(BUCKET):
        (sse,) = list(referencing(capture, bucket, SSE, "bucket"))
        (rule,) = sse.inputs["rules"]
        algorithm = rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"]
        if bucket.urn in log_destinations:
            assert algorithm == "AES256", bucket.urn
            assert bucket.name.startswith(("log-archive", "logs-")), bucket.urn
        else:
            assert algorithm == "aws:kms", bucket.urn
            assert ref(capture, sse, "rules").type == KEY


def component_edges(capture) -> set[tuple[str, str]]:
    """(from, to) between the components, derived from resource dependencies."""
    index = capture.by_urn()

    def owner(urn: str) -> str | None:
        found = capture.component_of(urn, set(COMPONENTS))
        return found.type if found else None

    edges = set()
    for resource in capture.resources:
        source = owner(resource.urn)
        if source is None:
            continue
        deps = set(resource.dependencies) | {u for us in resource.property_dependencies.values() for u in us}
        for dep in deps:
            target = owner(dep) if dep in index else None
            if target is not None and target != source:
                edges.add((source.rsplit(":", 1)[-1], target.rsplit(":", 1)[-1]))
    return edges


@pytest.mark.parametrize("stack", STACKS)
def test_component_graph_follows_data_dependencies_only(stack):
    edges = component_edges(stack_capture(stack))
    assert edges == {
        ("Networking", "Security"),
        ("Networking", "BackendState"),
        ("Monitoring", "Security"),
        ("Monitoring", "Networking"),
        ("Monitoring", "BackendState"),
        ("Storage", "Security"),
        ("Storage", "Networking"),
        ("Storage", "BackendState"),
        ("Ecr", "Security"),
    }
    # Never upwards; every tier-2 component depends on tier 1.
    assert all(TIER[source] >= TIER[target] for source, target in edges)
    for component in ("Storage", "Ecr"):
        assert any(s == component and TIER[t] == 1 for s, t in edges), component


@pytest.mark.parametrize("stack", STACKS)
def test_components_are_parented_to_the_stack_and_use_the_explicit_providers(stack):
    capture = stack_capture(stack)
    providers = {p.name: p for p in capture.of_type("pulumi:providers:aws")}
    # prod adds one provider for its second Region (replication and backup copies share it).
    assert set(providers) == ({"aws", "aws-us-west-2"} if stack == "prod" else {"aws"})
    for name, provider in providers.items():
        assert provider.inputs["defaultTags"] == providers["aws"].inputs["defaultTags"], name
    for component in COMPONENTS:
        (resource,) = capture.of_type(component)
        assert resource.parent == capture.stack_urn
        for child in capture.descendants(resource.urn):
            if child.custom and child.type.startswith("aws:"):
                region = "us-east-1"
                if child.name.endswith("-us-west-2") or capture.by_urn()[child.parent or ""].name.endswith(
                    "-us-west-2"
                ):
                    region = "us-west-2"
                assert child.provider == providers["aws" if region == "us-east-1" else f"aws-{region}"].urn, child.urn


@pytest.mark.parametrize("stack", STACKS)
def test_exports_what_operators_need_and_no_secret(stack):
    capture = stack_capture(stack)
    for key in (
        "stateBackendUrl",
        "secretsProvider",
        "vpcId",
        "publicSubnetIds",
        "privateSubnetIds",
        "databaseSubnetIds",
        "albDnsName",
        "dashboardUrl",
        "alarmTopicArns",
        "databaseEndpoint",
        "databasePort",
        "databaseMasterSecretArn",
        "cacheEndpoint",
        "assetsBucket",
        "backupVault",
        "ecrRepositoryUrls",
    ):
        assert capture.outputs.get(key), key
    assert len(capture.outputs["privateSubnetIds"]) == 3
    assert set(capture.outputs["alarmTopicArns"]) == {"critical", "warning", "info"}
    assert capture.secret_outputs == []


def test_offline_preview_command_runs_cleanly(capsys):
    """`python -m offline_preview dev` exits 0 (1: a mandatory finding, 2: an error), and the
    previews of all three stacks, computed once for the session, have neither."""
    assert preview_main(["dev", "--quiet"]) == 0
    assert "error" not in capsys.readouterr().err
    for stack in STACKS:
        result = stack_preview(stack, "preview")
        assert result.error is None and result.policy is not None and result.policy.mandatory == [], stack


def test_security_and_backend_do_not_depend_on_networking():
    capture = stack_capture("prod")
    for component in (SECURITY, BACKEND):
        (resource,) = of_type(capture, component)
        for child in capture.descendants(resource.urn):
            for dep in child.dependencies:
                owner = capture.component_of(dep, {NETWORKING})
                assert owner is None, (child.urn, dep)
