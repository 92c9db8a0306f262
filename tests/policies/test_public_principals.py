"""Documents that look restricted but admit anyone: an Allow with `NotPrincipal` grants everyone
but the principals it names, and a `*` principal is pinned only by a condition that IAM evaluates
to false for a stranger (not a negated operator, an `IfExists`, a `ForAllValues:`, a world-wide
address range or an any-account wildcard). The public-exposure policies treat all of them as
`Principal: "*"`, in bucket, resource and trust policies alike, and read the permissions that
stand for one statement (an event bus permission, an endpoint service's allowed principals) the
same way."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from offline_preview import evaluate, load_policy_pack, run_program
from offline_preview.policy_runner import LoadedPack

REPO = Path(__file__).resolve().parents[2]
ALL_BUT_ROOT = {"AWS": "arn:aws:iam::123456789012:root"}


@pytest.fixture(scope="module")
def pack() -> LoadedPack:
    return load_policy_pack(REPO / "policies")


def fired(pack: LoadedPack, tmp_path: Path, program: Any, policy: str) -> set[str]:
    cap = run_program(tmp_path, "test", config={"aws:region": "us-east-1"}, program=program)
    report = evaluate(pack, cap, {"all": "mandatory"}, cap.config)
    index = cap.by_urn()
    return {index[v.urn].name for v in report.violations if v.policy == policy and v.urn in index}


def _statement(**fields: Any) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", **fields}]})


def test_bucket_policy_allowing_all_but_one_principal_is_public(pack: LoadedPack, tmp_path: Path) -> None:
    def program() -> None:
        bucket = aws.s3.Bucket("data", bucket="data-bucket")
        doc = _statement(NotPrincipal=ALL_BUT_ROOT, Action="s3:GetObject", Resource="arn:aws:s3:::data-bucket/*")
        aws.s3.BucketPolicy("all-but-root", bucket=bucket.id, policy=doc)
        named = _statement(Principal=ALL_BUT_ROOT, Action="s3:GetObject", Resource="arn:aws:s3:::data-bucket/*")
        aws.s3.BucketPolicy("named", bucket=bucket.id, policy=named)

    assert fired(pack, tmp_path, program, "s3-bucket-not-public") == {"all-but-root"}


def test_queue_policy_and_trust_policy_with_not_principal_are_public(pack: LoadedPack, tmp_path: Path) -> None:
    def program() -> None:
        queue = aws.sqs.Queue("jobs")
        aws.sqs.QueuePolicy(
            "all-but-root", queue_url=queue.url, policy=_statement(NotPrincipal=ALL_BUT_ROOT, Action="sqs:SendMessage")
        )
        aws.iam.Role(
            "anyone-but-root", assume_role_policy=_statement(NotPrincipal=ALL_BUT_ROOT, Action="sts:AssumeRole")
        )

    assert fired(pack, tmp_path, program, "resource-policy-not-public") == {"all-but-root"}
    assert fired(pack, tmp_path, program, "iam-trust-policy-restricted") == {"anyone-but-root"}


def _public(condition: dict[str, Any], **fields: Any) -> str:
    return _statement(Principal="*", Condition=condition, **fields)


def test_conditions_that_admit_strangers_do_not_pin_a_public_principal(pack: LoadedPack, tmp_path: Path) -> None:
    objects = "arn:aws:s3:::data-bucket/*"

    def program() -> None:
        bucket = aws.s3.Bucket("data", bucket="data-bucket")
        for name, condition in {
            "all-but-one-account": {"StringNotEquals": {"aws:SourceAccount": "111122223333"}},
            "endpoint-if-exists": {"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1a2b3c4d"}},
            "org-for-all-values": {"ForAllValues:StringEquals": {"aws:PrincipalOrgID": "o-abc123"}},
            "any-account-role": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/reader"}},
            "pinned-org": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}},
        }.items():
            aws.s3.BucketPolicy(
                name, bucket=bucket.id, policy=_public(condition, Action="s3:GetObject", Resource=objects)
            )
        topic = aws.sns.Topic("alerts")
        aws.sns.TopicPolicy(
            "world-range",
            arn=topic.arn,
            policy=_public({"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}, Action="sns:Publish"),
        )
        aws.sns.TopicPolicy(
            "office-range",
            arn=topic.arn,
            policy=_public({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, Action="sns:Publish"),
        )
        aws.iam.Role(
            "any-external-id",
            assume_role_policy=_public({"StringLike": {"sts:ExternalId": "*"}}, Action="sts:AssumeRole"),
        )
        aws.iam.Role(
            "external-id-only",
            assume_role_policy=_public({"StringEquals": {"sts:ExternalId": "a1b2c3"}}, Action="sts:AssumeRole"),
        )

    assert fired(pack, tmp_path, program, "s3-bucket-not-public") == {
        "all-but-one-account",
        "endpoint-if-exists",
        "org-for-all-values",
        "any-account-role",
    }
    assert fired(pack, tmp_path, program, "resource-policy-not-public") == {"world-range"}
    assert fired(pack, tmp_path, program, "iam-trust-policy-restricted") == {"any-external-id", "external-id-only"}


def test_lambda_permissions_are_scoped_only_by_fixed_values(pack: LoadedPack, tmp_path: Path) -> None:
    """As AWS Config's lambda-function-public-access-prohibited reads them: a wildcard principal is
    pinned only by a source account, organisation or source ARN without wildcards over the owner,
    and S3 must be held to a source account (bucket names pass to whoever creates them next)."""

    def program() -> None:
        role = aws.iam.Role(
            "fn-role",
            assume_role_policy=_statement(Principal={"Service": "lambda.amazonaws.com"}, Action="sts:AssumeRole"),
        )
        fn = aws.lambda_.Function(
            "fn", role=role.arn, runtime="python3.12", handler="index.handler", code=pulumi.AssetArchive({})
        )
        account, bucket = "123456789012", "arn:aws:s3:::uploads"
        api = f"arn:aws:execute-api:us-east-1:{account}:a1b2c3/*/GET/orders"
        for name, principal, source_arn, source_account in (
            ("any-bucket-arn", "*", "arn:aws:s3:::*", None),
            ("star-with-bucket-arn", "*", bucket, None),
            ("any-account", "*", None, "*"),
            ("wildcard-principal", "arn:aws:iam::*:root", None, None),
            ("s3-without-account", "s3.amazonaws.com", bucket, None),
            ("pinned-account", "*", None, account),
            ("s3-with-account", "s3.amazonaws.com", bucket, account),
            ("api", "apigateway.amazonaws.com", api, None),
        ):
            aws.lambda_.Permission(
                name,
                action="lambda:InvokeFunction",
                function=fn.name,
                principal=principal,
                source_arn=source_arn,
                source_account=source_account,
            )

    assert fired(pack, tmp_path, program, "lambda-not-public") == {
        "any-bucket-arn",
        "star-with-bucket-arn",
        "any-account",
        "wildcard-principal",
        "s3-without-account",
    }


def test_event_and_endpoint_service_permissions_for_everyone(pack: LoadedPack, tmp_path: Path) -> None:
    """A permission naming '*' is a public statement: an event bus permission is pinned only by an
    organization condition with a fixed value, and one '*' among an endpoint service's allowed
    principals opens it to every account."""

    def program() -> None:
        for name, condition in {
            "any-account": None,
            "any-organization": {"key": "aws:PrincipalOrgID", "type": "StringEquals", "value": "o-*"},
            "pinned-organization": {"key": "aws:PrincipalOrgID", "type": "StringEquals", "value": "o-abc123"},
        }.items():
            aws.cloudwatch.EventPermission(name, principal="*", statement_id=name, condition=condition)
        aws.cloudwatch.EventPermission("named-account", principal="111122223333", statement_id="named")
        nlb = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/api/0123456789abcdef"
        partner = "arn:aws:iam::111122223333:root"
        for name, principals in {"star-among-partners": [partner, "*"], "partners": [partner]}.items():
            aws.ec2.VpcEndpointService(
                name, acceptance_required=True, network_load_balancer_arns=[nlb], allowed_principals=principals
            )

    assert fired(pack, tmp_path, program, "resource-policy-not-public") == {
        "any-account",
        "any-organization",
        "star-among-partners",
    }
