"""`grant_*` on typed handles: an inline policy on the role, owned by the granting component, with
statements scoped to that one resource (and the key use its encryption implies, via that service)."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pytest

from offline_preview import run_program
from secure_platform.core import iam
from secure_platform.core.refs import (
    BucketRef,
    KeyRef,
    LogGroupRef,
    RepositoryRef,
    RoleRef,
    SecretRef,
    TopicRef,
    grant,
    grant_pull,
)
from tests.components.helpers import REPO, ROLE_POLICY, statements

KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"


class Owner(pulumi.ComponentResource):
    """Stands in for the component that owns the resources (Storage, ECR, Monitoring...)."""

    def __init__(self) -> None:
        super().__init__("test:index:Owner", "owner")
        key = KeyRef(
            arn=pulumi.Output.from_input(KEY_ARN),
            key_id=pulumi.Output.from_input("k"),
            alias="alias/x",
            region="us-east-1",
        )
        role = aws.iam.Role("app", assume_role_policy=iam.policy_json([iam.service_trust("ecs-tasks.amazonaws.com")]))
        ref = RoleRef(name=role.name, arn=role.arn)
        bucket = BucketRef(
            name=pulumi.Output.from_input("assets"),
            arn=pulumi.Output.from_input("arn:aws:s3:::assets"),
            region="us-east-1",
            kms_key=key,
        )
        bucket.grant_read(self, "read-reports", ref, prefix="reports/")
        bucket.grant_write(self, "write-uploads", ref, prefix="uploads/")
        SecretRef(
            arn=pulumi.Output.from_input("arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"), kms_key=key
        ).grant_read(self, "read-db-secret", ref)
        LogGroupRef(
            name=pulumi.Output.from_input("/platform/dev/app"),
            arn=pulumi.Output.from_input("arn:aws:logs:us-east-1:123456789012:log-group:/platform/dev/app"),
        ).grant_write(self, "write-app-logs", ref)
        repos = [
            RepositoryRef(
                arn=pulumi.Output.from_input(f"arn:aws:ecr:us-east-1:123456789012:repository/platform/dev/{n}"),
                name=pulumi.Output.from_input(f"platform/dev/{n}"),
                url=pulumi.Output.from_input(f"123456789012.dkr.ecr.us-east-1.amazonaws.com/platform/dev/{n}"),
                kms_key=key,
            )
            for n in ("frontend", "backend")
        ]
        grant_pull(self, "pull-images", ref, repos)
        TopicRef(
            arn=pulumi.Output.from_input("arn:aws:sns:us-east-1:123456789012:platform-dev-critical"),
            name=pulumi.Output.from_input("platform-dev-critical"),
            kms_key=key,
        ).grant_publish(self, "publish-critical", ref)
        key.grant_decrypt(self, "decrypt-direct", ref)
        self.register_outputs({})


def owner_program() -> None:
    Owner()


@pytest.fixture(scope="module")
def policies():
    capture = run_program(REPO, "dev", program=owner_program, mode="up")
    owner = next(r for r in capture.resources if r.type == "test:index:Owner")
    found = {p.name: p for p in capture.of_type(ROLE_POLICY)}
    return owner, found


def by_sid(policy):
    return {s["Sid"]: s for s in statements(policy.inputs["policy"])}


def test_grants_are_role_policies_owned_by_the_granting_component(policies):
    owner, found = policies
    assert set(found) == {
        "read-reports",
        "write-uploads",
        "read-db-secret",
        "write-app-logs",
        "pull-images",
        "publish-critical",
        "decrypt-direct",
    }
    for policy in found.values():
        assert policy.parent == owner.urn
        assert policy.inputs["role"].startswith("app-")


def test_bucket_read_is_scoped_to_the_prefix_and_its_key_use_to_s3(policies):
    stmts = by_sid(policies[1]["read-reports"])
    assert stmts["ReadObjects"]["Resource"] == "arn:aws:s3:::assets/reports/*"
    assert stmts["ListBucket"]["Condition"] == {"StringLike": {"s3:prefix": "reports/*"}}
    assert stmts["BucketKey"] == {
        "Sid": "BucketKey",
        "Effect": "Allow",
        "Action": "kms:Decrypt",
        "Resource": KEY_ARN,
        "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}},
    }


def test_bucket_write_can_encrypt_but_not_read_or_delete(policies):
    stmts = by_sid(policies[1]["write-uploads"])
    assert set(stmts["WriteObjects"]["Action"]) == {"s3:PutObject", "s3:AbortMultipartUpload"}
    assert stmts["WriteObjects"]["Resource"] == "arn:aws:s3:::assets/uploads/*"
    assert "kms:GenerateDataKey" in stmts["BucketKey"]["Action"]


def test_secret_read_names_the_secret_and_decrypts_only_through_secrets_manager(policies):
    stmts = by_sid(policies[1]["read-db-secret"])
    assert stmts["ReadSecrets"]["Resource"] == "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"
    assert stmts["SecretKey"]["Condition"] == {
        "StringEquals": {"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}
    }


def test_pull_lists_every_repository_and_only_the_token_is_unscoped(policies):
    stmts = by_sid(policies[1]["pull-images"])
    assert len(stmts["PullImages"]["Resource"]) == 2
    assert stmts["RegistryToken"]["Resource"] == "*"
    assert set(stmts) == {"PullImages", "RegistryToken"}  # ECR decrypts through its own grant on the key


def test_log_write_and_topic_publish_are_scoped(policies):
    logs = by_sid(policies[1]["write-app-logs"])["WriteLogGroup"]
    assert logs["Resource"][0].endswith(":log-group:/platform/dev/app")
    publish = by_sid(policies[1]["publish-critical"])
    assert publish["Publish"]["Resource"] == "arn:aws:sns:us-east-1:123456789012:platform-dev-critical"
    assert publish["TopicKey"]["Condition"]["StringEquals"]["kms:ViaService"] == "sns.us-east-1.amazonaws.com"


def test_direct_key_grant_has_no_service_condition(policies):
    stmt = by_sid(policies[1]["decrypt-direct"])["UseKey"]
    assert stmt == {"Sid": "UseKey", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY_ARN}


def test_grant_refuses_broad_statements():
    with pytest.raises(iam.PolicyError):
        grant(
            None,  # type: ignore[arg-type]  # refused before anything is created
            "bad",
            None,  # type: ignore[arg-type]
            [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
        )
