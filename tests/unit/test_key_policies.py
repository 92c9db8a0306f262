"""Key policies: administration without use, use only through the purpose's services, and AWS
services pinned to our account and our stack's resources."""

from __future__ import annotations

import pytest

from secure_platform.core import key_policies
from secure_platform.core.key_policies import KeyPolicyContext, purpose_key_policy, state_key_policy
from secure_platform.core.naming import Naming

ACCOUNT = "123456789012"
CTX = KeyPolicyContext(ACCOUNT, "aws", Naming("platform", "prod", "eu-west-1"))
CRYPTO = {
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:CreateGrant",
}


def by_sid(doc):
    return {s["Sid"]: s for s in doc["Statement"]}


def _as_list(value):
    return value if isinstance(value, list) else [value]


@pytest.mark.parametrize("purpose", key_policies.KEY_PURPOSES)
def test_root_administers_but_cannot_use_directly(purpose):
    stmts = by_sid(purpose_key_policy(purpose, CTX))
    admin = stmts["KeyAdministration"]
    assert admin["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    assert not set(_as_list(admin["Action"])) & CRYPTO
    unconditional_root_use = [
        s
        for s in stmts.values()
        if s["Principal"] == {"AWS": CTX.root}
        and set(_as_list(s["Action"])) & {"kms:Decrypt", "kms:Encrypt"}
        and "kms:ViaService" not in s.get("Condition", {}).get("StringEquals", {})
    ]
    assert unconditional_root_use == []


@pytest.mark.parametrize("purpose", key_policies.KEY_PURPOSES)
def test_account_use_goes_through_the_purpose_services_only(purpose):
    via = by_sid(purpose_key_policy(purpose, CTX))["UseThroughAwsServices"]
    cond = via["Condition"]["StringEquals"]
    assert cond["kms:CallerAccount"] == ACCOUNT
    assert set(cond["kms:ViaService"]) == {f"{s}.eu-west-1.amazonaws.com" for s in key_policies.VIA_SERVICES[purpose]}


def test_secrets_key_is_usable_through_secrets_manager_and_rds():
    via = by_sid(purpose_key_policy("secrets", CTX))["UseThroughAwsServices"]
    services = via["Condition"]["StringEquals"]["kms:ViaService"]
    assert "secretsmanager.eu-west-1.amazonaws.com" in services
    assert "rds.eu-west-1.amazonaws.com" in services


@pytest.mark.parametrize("purpose", key_policies.KEY_PURPOSES)
def test_key_policies_have_no_wildcard_action_and_only_this_key_as_resource(purpose):
    doc = purpose_key_policy(purpose, CTX, autoscaling_volumes=True, direct_users=["arn:aws:iam::1:role/x"])
    for stmt in doc["Statement"]:
        assert not [a for a in _as_list(stmt["Action"]) if "*" in a], stmt["Sid"]
        assert stmt["Resource"] == "*"  # in a key policy: this key


def test_cloudwatch_logs_may_encrypt_only_this_stacks_log_groups():
    stmt = by_sid(purpose_key_policy("logs", CTX))["CloudWatchLogsForStackLogGroups"]
    assert stmt["Principal"] == {"Service": "logs.eu-west-1.amazonaws.com"}
    arns = stmt["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"]
    prefix = f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:"
    assert f"{prefix}/platform/prod/*" in arns
    assert f"{prefix}aws-waf-logs-platform-prod" in arns
    assert all(a.startswith(prefix) for a in arns)
    assert not any(a.endswith(":log-group:*") for a in arns)


def test_cloudtrail_may_encrypt_only_for_our_trail():
    stmts = by_sid(purpose_key_policy("logs", CTX))
    trail = f"arn:aws:cloudtrail:eu-west-1:{ACCOUNT}:trail/platform-prod-trail"
    for sid in ("CloudTrailEncryptLogs", "CloudTrailDescribeKey"):
        assert stmts[sid]["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
        assert stmts[sid]["Condition"]["StringEquals"]["aws:SourceArn"] == trail


def test_alarms_may_publish_to_encrypted_topics_of_our_account():
    stmt = by_sid(purpose_key_policy("logs", CTX))["CloudWatchAlarmsToEncryptedTopics"]
    assert stmt["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert set(stmt["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey"}
    assert stmt["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}


def test_budgets_may_publish_to_encrypted_topics_of_our_account_only_with_the_logs_key():
    stmt = by_sid(purpose_key_policy("logs", CTX))["BudgetsToEncryptedTopics"]
    assert stmt["Principal"] == {"Service": "budgets.amazonaws.com"}
    assert set(stmt["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey"}
    assert stmt["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
    for purpose in ("data", "secrets"):
        assert "BudgetsToEncryptedTopics" not in by_sid(purpose_key_policy(purpose, CTX))


def test_autoscaling_service_linked_role_only_when_node_volumes_use_the_data_key():
    without = by_sid(purpose_key_policy("data", CTX))
    assert not any(sid.startswith("AutoScaling") for sid in without)
    stmts = by_sid(purpose_key_policy("data", CTX, autoscaling_volumes=True))
    slr = f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
    assert stmts["AutoScalingUseForEncryptedVolumes"]["Principal"] == {"AWS": slr}
    grant = stmts["AutoScalingAttachPersistentResources"]
    assert grant["Action"] == "kms:CreateGrant"
    assert grant["Condition"] == {"Bool": {"kms:GrantIsForAWSResource": "true"}}


def test_named_roles_get_only_the_actions_asked_for():
    role = "arn:aws:iam::123456789012:role/eks-node"
    stmt = by_sid(purpose_key_policy("logs", CTX, direct_users=[role]))["UseByNamedRoles"]
    assert stmt["Principal"] == {"AWS": [role]}
    assert stmt["Action"] == ["kms:Decrypt"]


def test_state_key_is_for_direct_use_by_account_principals_only():
    stmts = by_sid(state_key_policy(CTX))
    assert set(stmts) == {"KeyAdministration", "UseByAccountPrincipals"}
    assert stmts["UseByAccountPrincipals"]["Condition"] == {"StringEquals": {"kms:CallerAccount": ACCOUNT}}


def test_unknown_purpose_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown key purpose 'backup'"):
        purpose_key_policy("backup", CTX)


def test_a_replica_key_is_administered_by_root_and_used_only_through_s3_of_its_region():
    stmts = by_sid(key_policies.replica_key_policy(CTX, "logs"))
    assert set(stmts) == {"KeyAdministration", "UseThroughAwsServices"}
    assert not set(_as_list(stmts["KeyAdministration"]["Action"])) & CRYPTO
    cond = stmts["UseThroughAwsServices"]["Condition"]["StringEquals"]
    assert cond == {"kms:CallerAccount": ACCOUNT, "kms:ViaService": ["s3.eu-west-1.amazonaws.com"]}
