"""The ECS cluster's logs and the grants of its roles, per environment: Container Insights and ECS
Exec logged into encrypted groups, and least privilege: named actions, scoped resources, each role
exactly what its tasks use."""

from __future__ import annotations

import json

import pytest

from offline_preview import Capture, CapturedResource
from secure_platform.compute.ecs import task_plan as tp
from secure_platform.core import iam
from tests.components.ecs_program import (
    CLUSTER,
    COMPUTE,
    REPOSITORY,
    STACK_FILES,
    STACKS,
    STANDINS,
    actions_on,
    allows,
    capture_of,
    containers,
    load_naming,
    one,
    one_component,
    policies_on,
    role_named,
)
from tests.components.helpers import LOG_GROUP, ROLE_POLICY, as_list, of_type, ref, refs, statements

# --- cluster --------------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_container_insights_enhanced_into_an_encrypted_group_we_create_first(stack):
    capture = capture_of(stack)
    cluster = one(capture, CLUSTER)
    assert cluster.inputs["settings"] == [{"name": "containerInsights", "value": "enhanced"}]
    (group,) = [g for g in of_type(capture, LOG_GROUP, COMPUTE) if g.name == "container-insights"]
    naming = load_naming(capture)
    assert group.inputs["name"] == f"/aws/ecs/containerinsights/{naming.ecs_cluster}/performance"
    assert ref(capture, group, "kmsKeyId").name == "logs"
    assert group.inputs["retentionInDays"] == STACK_FILES[stack]["platform:monitoring"]["logRetentionDays"]
    assert group.urn in cluster.dependencies


@pytest.mark.parametrize("stack", STACKS)
def test_ecs_exec_is_logged_to_the_encrypted_session_group_the_task_role_may_write(stack):
    capture = capture_of(stack)
    cluster = one(capture, CLUSTER)
    exec_config = cluster.inputs["configuration"]["executeCommandConfiguration"]
    assert exec_config["logging"] == "OVERRIDE"
    assert exec_config["logConfiguration"]["cloudWatchEncryptionEnabled"] is True
    deps = {r.name: r for r in refs(capture, cluster, "configuration")}
    session_group = deps["ssm-sessions"]
    assert exec_config["logConfiguration"]["cloudWatchLogGroupName"] == session_group.outputs["name"]
    assert ref(capture, session_group, "kmsKeyId").name == deps["logs"].name == "logs"
    assert exec_config["kmsKeyId"] == deps["logs"].outputs["arn"]
    # The session target's permissions (granted by Security, which owns the session group).
    task_role = role_named(capture, "ecs-task")
    channels = actions_on(capture, task_role, "ssmmessages:")
    assert set(channels) == set(iam.SSM_MESSAGES) and all(r == {"*"} for r in channels.values())
    writes = actions_on(capture, task_role, "logs:PutLogEvents")["logs:PutLogEvents"]
    assert session_group.outputs["arn"] in writes
    logs_key_policy = json.loads(deps["logs"].inputs["policy"])
    named = [s for s in logs_key_policy["Statement"] if s.get("Sid") == "UseByNamedRoles"]
    assert named and task_role.outputs["arn"] in as_list(named[0]["Principal"]["AWS"])


# --- least privilege ------------------------------------------------------------------------------


def compute_policies(capture: Capture) -> list[CapturedResource]:
    return of_type(capture, ROLE_POLICY, COMPUTE)


@pytest.mark.parametrize("stack", STACKS)
def test_compute_grants_name_actions_and_scope_resources(stack):
    capture = capture_of(stack)
    policies = compute_policies(capture)
    assert policies
    for policy in policies:
        for stmt in statements(policy.inputs["policy"]):
            assert stmt["Effect"] == "Allow"
            actions = as_list(stmt["Action"])
            assert not [a for a in actions if "*" in a], policy.urn
            if "*" in as_list(stmt["Resource"]):
                assert set(actions) <= iam.UNSCOPABLE_ACTIONS, (policy.urn, actions)


@pytest.mark.parametrize("stack", STACKS)
def test_execution_role_pulls_writes_and_reads_exactly_what_the_task_uses(stack):
    capture = capture_of(stack)
    role = role_named(capture, "ecs-task-execution")
    repos = {r.name: r.outputs["arn"] for r in of_type(capture, REPOSITORY, STANDINS)}
    pulls = actions_on(capture, role, "ecr:")
    assert pulls.pop("ecr:GetAuthorizationToken") == {"*"}
    assert set(pulls) == set(iam.ECR_PULL)
    for resources in pulls.values():
        assert resources == {repos[n] for n in tp.CONTAINER_NAMES}  # not api-gateway
    app_group = next(g for g in of_type(capture, LOG_GROUP, STANDINS) if g.name == "application").outputs["arn"]
    assert actions_on(capture, role, "logs:PutLogEvents") == {
        "logs:PutLogEvents": {app_group, f"{app_group}:log-stream:*"}
    }
    # Nothing is injected from Secrets Manager: the backend reads its rotating secrets itself.
    assert not actions_on(capture, role, "secretsmanager:")
    assert not tp.secret_arns(list(containers(capture).values()))
    assert not [s for s in allows(capture, role) if "kms:Decrypt" in as_list(s["Action"])]
    assert {p.parent for p in policies_on(capture, role)} == {one_component(capture).urn}


@pytest.mark.parametrize("stack", STACKS)
def test_task_role_gets_traces_metrics_the_assets_bucket_and_its_secrets_only(stack):
    capture = capture_of(stack)
    role = role_named(capture, "ecs-task")
    secret_policies = {"task-read-db-secret", "task-read-cache-secret"}
    granted_here = [
        p
        for p in policies_on(capture, role)
        if p.parent == one_component(capture).urn and p.name not in secret_policies
    ]
    actions = {a for p in granted_here for s in statements(p.inputs["policy"]) for a in as_list(s["Action"])}
    assert actions == {
        "xray:PutTraceSegments",
        *iam.LOGS_WRITE,
        "s3:ListBucket",
        *iam.S3_READ_OBJECTS,
        *iam.S3_WRITE_OBJECTS,
        "kms:Decrypt",
        *iam.KMS_ENCRYPT,
    }
    assert not {a for a in actions if a.startswith(("secretsmanager:", "ecr:", "iam:", "sts:"))}
    bucket = load_naming(capture).bucket("assets", "123456789012")
    for p in granted_here:
        for s in statements(p.inputs["policy"]):
            if any(a.startswith("s3:") for a in as_list(s["Action"])):
                assert all(r.startswith(f"arn:aws:s3:::{bucket}") for r in as_list(s["Resource"]))
