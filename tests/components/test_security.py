"""Security under the SDK mocks: keys, roles and their trust, least privilege, WAF, sessions."""

from __future__ import annotations

import functools
import json

import pulumi
import pulumi_aws as aws
import pytest
import yaml

from offline_preview import run_program
from secure_platform.core import iam
from secure_platform.core.refs import OidcProviderRef
from secure_platform.security.component import EKS_NODE_MANAGED_POLICIES, irsa_role
from tests.components.helpers import (
    KEY,
    LOG_GROUP,
    REPO,
    ROLE,
    ROLE_POLICY,
    SECURITY,
    as_list,
    of_type,
    ref,
    referencing,
    run_core,
    stack_capture,
    statements,
)

STACKS = ("dev", "staging", "prod")
DEV_CONFIG = yaml.safe_load((REPO / "Pulumi.dev.yaml").read_text())["config"]


@functools.cache
def eks_capture():
    return run_core("dev", {"platform:compute": {**DEV_CONFIG["platform:compute"], "platform": "eks"}})


def is_wildcard(action: str) -> bool:
    """`*`, `s3:*` and action families such as `kms:GenerateDataKey*` all grant more than they name."""
    return "*" in action


def identity_statements(capture):
    for policy in capture.of_type(ROLE_POLICY):
        for stmt in statements(policy.inputs["policy"]):
            yield policy, stmt


@pytest.mark.parametrize("stack", [*STACKS, "eks"])
def test_no_allow_has_a_wildcard_action_and_star_resources_only_for_unscopable_actions(stack):
    capture = eks_capture() if stack == "eks" else stack_capture(stack)
    checked = 0
    for policy, stmt in identity_statements(capture):
        assert stmt["Effect"] == "Allow", policy.urn
        actions = as_list(stmt["Action"])
        assert not [a for a in actions if is_wildcard(a)], policy.urn
        if "*" in as_list(stmt["Resource"]):
            assert set(actions) <= iam.UNSCOPABLE_ACTIONS, (policy.urn, actions)
        checked += 1
    for role in capture.of_type(ROLE):
        for stmt in statements(role.inputs["assumeRolePolicy"]):
            assert as_list(stmt["Action"]) in (["sts:AssumeRole"], ["sts:AssumeRoleWithWebIdentity"])
            assert stmt["Principal"] != "*" and "AWS" not in stmt["Principal"], role.urn
    for key in capture.of_type(KEY):
        for stmt in statements(key.inputs["policy"]):
            assert not [a for a in as_list(stmt["Action"]) if is_wildcard(a)], (key.name, stmt["Sid"])
    assert checked > 0


def test_service_roles_trust_only_their_service_from_our_account():
    capture = stack_capture("dev")
    roles = {r.name: r for r in of_type(capture, ROLE, SECURITY)}
    assert set(roles) == {"flow-logs", "ecs-task-execution", "ecs-task", "rds-monitoring"}
    services = {
        "flow-logs": "vpc-flow-logs.amazonaws.com",
        "ecs-task-execution": "ecs-tasks.amazonaws.com",
        "ecs-task": "ecs-tasks.amazonaws.com",
        "rds-monitoring": "monitoring.rds.amazonaws.com",
    }
    for name, role in roles.items():
        (stmt,) = statements(role.inputs["assumeRolePolicy"])
        assert stmt["Principal"] == {"Service": services[name]}
        assert stmt["Condition"]["StringEquals"] == {"aws:SourceAccount": "123456789012"}
    (flow,) = statements(roles["flow-logs"].inputs["assumeRolePolicy"])
    assert flow["Condition"]["ArnLike"] == {"aws:SourceArn": "arn:aws:ec2:us-east-1:123456789012:vpc-flow-log/*"}
    (monitoring,) = statements(roles["rds-monitoring"].inputs["assumeRolePolicy"])
    assert monitoring["Condition"]["ArnLike"] == {
        "aws:SourceArn": "arn:aws:rds:us-east-1:123456789012:db:platform-dev-db"
    }


def test_ecs_roles_start_without_permissions_their_owners_grant_them():
    capture = stack_capture("dev")
    roles = {r.name: r for r in of_type(capture, ROLE, SECURITY)}
    own = {p.urn for p in of_type(capture, ROLE_POLICY, SECURITY)}

    def own_policies(role: str) -> list:
        # Compute grants what its tasks use (its own children); Security's own policies are checked here.
        return [p for p in referencing(capture, roles[role], ROLE_POLICY, "role") if p.urn in own]

    assert not own_policies("ecs-task-execution")
    assert not list(
        referencing(capture, roles["ecs-task-execution"], "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "role")
    )
    # The task role is an ECS Exec target: channels, its session log, nothing else.
    (session,) = own_policies("ecs-task")
    sids = {s["Sid"] for s in statements(session.inputs["policy"])}
    assert sids == {"SessionChannels", "WriteSessionLog", "CheckSessionLogEncryption"}


def test_eks_node_role_has_worker_ecr_pull_and_ssm_but_not_the_cni_policy():
    capture = eks_capture()
    roles = {r.name: r for r in of_type(capture, ROLE, SECURITY)}
    assert "eks-node" in roles and "ecs-task" not in roles
    (stmt,) = statements(roles["eks-node"].inputs["assumeRolePolicy"])
    assert stmt["Principal"] == {"Service": "ec2.amazonaws.com"}
    attached = {
        a.inputs["policyArn"].rsplit("/", 1)[-1]
        for a in referencing(capture, roles["eks-node"], "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "role")
    }
    assert attached == set(EKS_NODE_MANAGED_POLICIES)
    assert "AmazonEKS_CNI_Policy" not in attached


def test_data_key_lets_auto_scaling_encrypt_node_volumes_only_on_eks():
    def sids(capture):
        (key,) = [k for k in of_type(capture, KEY, SECURITY) if k.name == "data"]
        return {s["Sid"] for s in statements(key.inputs["policy"])}

    assert "AutoScalingUseForEncryptedVolumes" in sids(eks_capture())
    assert "AutoScalingUseForEncryptedVolumes" not in sids(stack_capture("dev"))


def test_logs_key_names_the_session_targets_for_decrypt():
    capture = eks_capture()
    (key,) = [k for k in of_type(capture, KEY, SECURITY) if k.name == "logs"]
    (named,) = [s for s in statements(key.inputs["policy"]) if s["Sid"] == "UseByNamedRoles"]
    node = next(r for r in of_type(capture, ROLE, SECURITY) if r.name == "eks-node")
    assert named["Principal"] == {"AWS": [node.outputs["arn"]]}
    assert named["Action"] == ["kms:Decrypt"]


def test_rds_monitoring_role_only_with_enhanced_monitoring():
    db = DEV_CONFIG["platform:database"]
    capture = run_core("dev", {"platform:database": {**db, "monitoringIntervalSeconds": 0}})
    assert "rds-monitoring" not in {r.name for r in of_type(capture, ROLE, SECURITY)}
    with_monitoring = stack_capture("dev")
    (role,) = [r for r in of_type(with_monitoring, ROLE, SECURITY) if r.name == "rds-monitoring"]
    (attachment,) = list(
        referencing(with_monitoring, role, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "role")
    )
    assert attachment.inputs["policyArn"] == "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"


@pytest.mark.parametrize("stack", STACKS)
def test_keys_rotate_use_the_configured_window_and_are_protected_when_the_stack_is(stack):
    capture = stack_capture(stack)
    window = {"dev": 7, "staging": 30, "prod": 30}[stack]
    keys = {k.name: k for k in of_type(capture, KEY, SECURITY)}
    assert set(keys) == {"data", "logs", "secrets"}
    for key in keys.values():
        assert key.inputs["enableKeyRotation"] is True
        assert key.inputs["deletionWindowInDays"] == window
        assert key.protect is (stack != "dev") and key.retain_on_delete is (stack != "dev")
    aliases = {
        ref(capture, a, "targetKeyId").name: a.inputs["name"] for a in of_type(capture, "aws:kms/alias:Alias", SECURITY)
    }
    assert aliases == {p: f"alias/platform-{stack}-{p}" for p in ("data", "logs", "secrets")}


def test_waf_acl_blocks_by_rate_and_managed_groups_and_logs_blocks_to_an_encrypted_group():
    capture = run_core("dev", {"platform:security": {"wafRateLimit": 500, "kmsDeletionWindowDays": 7}})
    (acl,) = of_type(capture, "aws:wafv2/webAcl:WebAcl", SECURITY)
    assert acl.inputs["scope"] == "REGIONAL" and acl.inputs["defaultAction"] == {"allow": {}}
    rules = {r["name"]: r for r in acl.inputs["rules"]}
    assert rules["rate-limit-per-ip"]["statement"]["rateBasedStatement"]["limit"] == 500
    managed = {
        r["statement"]["managedRuleGroupStatement"]["name"]
        for r in acl.inputs["rules"]
        if "managedRuleGroupStatement" in r["statement"]
    }
    assert managed == {
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesKnownBadInputsRuleSet",
        "AWSManagedRulesAmazonIpReputationList",
    }
    (logging,) = of_type(capture, "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration", SECURITY)
    assert ref(capture, logging, "resourceArn").urn == acl.urn
    (group,) = refs(capture, logging, "logDestinationConfigs")
    assert group.inputs["name"].startswith("aws-waf-logs-")
    assert ref(capture, group, "kmsKeyId").name == "logs"
    redacted = {f["singleHeader"]["name"] for f in logging.inputs["redactedFields"]}
    assert {"authorization", "cookie"} <= redacted


def refs(capture, resource, prop):
    index = capture.by_urn()
    return [index[u] for u in resource.property_dependencies.get(prop, [])]


def test_sessions_are_encrypted_and_logged_instead_of_a_bastion():
    capture = stack_capture("dev")
    (doc,) = of_type(capture, "aws:ssm/document:Document", SECURITY)
    assert doc.inputs["documentType"] == "Session" and doc.inputs["name"] != "SSM-SessionManagerRunShell"
    inputs = json.loads(doc.inputs["content"])["inputs"]
    (logs_key,) = [k for k in of_type(capture, KEY, SECURITY) if k.name == "logs"]
    assert inputs["kmsKeyId"] == logs_key.outputs["arn"]
    assert inputs["cloudWatchEncryptionEnabled"] is True and inputs["cloudWatchStreamingEnabled"] is True
    assert inputs["runAsEnabled"] is False
    (group,) = [
        g for g in of_type(capture, LOG_GROUP, SECURITY) if g.inputs["name"] == inputs["cloudWatchLogGroupName"]
    ]
    assert ref(capture, group, "kmsKeyId").urn == logs_key.urn
    assert not capture.of_type("aws:ec2/instance:Instance")  # no bastion host
    assert not [
        r
        for r in capture.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
        if r.inputs["fromPort"] == 22
    ]


def test_irsa_helper_creates_a_role_under_the_callers_scope_trusting_one_service_account():
    class Cluster(pulumi.ComponentResource):
        def __init__(self) -> None:
            super().__init__("test:index:Cluster", "cluster")
            provider = aws.iam.OpenIdConnectProvider(
                "oidc",
                url="https://oidc.eks.us-east-1.amazonaws.com/id/ABC",
                client_id_lists=["sts.amazonaws.com"],
                opts=pulumi.ResourceOptions(parent=self),
            )
            irsa_role(
                "vpc-cni",
                oidc=OidcProviderRef(arn=provider.arn, issuer=provider.url),
                namespace="kube-system",
                service_account="aws-node",
                opts=pulumi.ResourceOptions(parent=self),
            )

    def program() -> None:
        Cluster()

    capture = run_program(REPO, "dev", program=program, mode="up")
    (role,) = capture.of_type(ROLE)
    assert role.parent == next(r.urn for r in capture.resources if r.type == "test:index:Cluster")
    (stmt,) = statements(role.inputs["assumeRolePolicy"])
    assert stmt["Principal"] == {
        "Federated": "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"
    }
    assert stmt["Condition"]["StringEquals"] == {
        "oidc.eks.us-east-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:kube-system:aws-node",
        "oidc.eks.us-east-1.amazonaws.com/id/ABC:aud": "sts.amazonaws.com",
    }
