"""The IAM builders: least privilege is enforced where statements are made."""

from __future__ import annotations

import pytest

from secure_platform.core import iam

ROLE_ARN = "arn:aws:iam::123456789012:role/app"
BUCKET_ARN = "arn:aws:s3:::platform-dev-assets"
GROUP_ARN = "arn:aws:logs:us-east-1:123456789012:log-group:/platform/dev/app"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.mark.parametrize("action", ["*", "s3:*", "kms:*", "kms:GenerateDataKey*", "s3:Put*"])
def test_wildcard_actions_are_refused(action):
    with pytest.raises(iam.PolicyError, match="wildcard"):
        iam.allow([action], BUCKET_ARN)


def test_resource_star_is_refused_for_actions_that_can_be_scoped():
    with pytest.raises(iam.PolicyError, match="can be scoped"):
        iam.allow(["s3:GetObject"], "*")
    with pytest.raises(iam.PolicyError, match=r"s3:GetObject"):
        iam.allow(["ecr:GetAuthorizationToken", "s3:GetObject"], "*")


def test_resource_star_is_accepted_only_for_unscopable_actions():
    stmt = iam.allow(["ecr:GetAuthorizationToken"], "*")
    assert stmt["Resource"] == "*"
    assert "ecr:GetAuthorizationToken" in iam.UNSCOPABLE_ACTIONS


def test_an_allow_needs_a_resource():
    with pytest.raises(iam.PolicyError):
        iam.allow(["s3:GetObject"], [])


def test_ecr_pull_scopes_image_actions_to_the_repositories_and_only_the_token_to_star():
    repos = ["arn:aws:ecr:us-east-1:123456789012:repository/platform/dev/backend"]
    pull, token = iam.ecr_pull(repos)
    assert pull["Resource"] == repos[0]
    assert set(pull["Action"]) == {"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"}
    assert token == {"Sid": "RegistryToken", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"}


def test_xray_write_only_sends_segments_and_only_that_is_unscoped():
    stmt = iam.xray_write()
    assert stmt == {"Sid": "SendTraces", "Effect": "Allow", "Action": "xray:PutTraceSegments", "Resource": "*"}
    assert set(iam.XRAY_WRITE) <= iam.UNSCOPABLE_ACTIONS


def test_logs_write_covers_exactly_one_group_and_its_streams():
    stmt = iam.logs_write(GROUP_ARN)
    assert stmt["Resource"] == [GROUP_ARN, f"{GROUP_ARN}:log-stream:*"]
    assert set(stmt["Action"]) == {"logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"}
    assert "logs:CreateLogGroup" not in stmt["Action"]


def test_s3_read_lists_only_the_prefix_and_reads_only_its_objects():
    listing, read = iam.s3_read(BUCKET_ARN, "reports/")
    assert listing["Resource"] == BUCKET_ARN
    assert listing["Condition"] == {"StringLike": {"s3:prefix": "reports/*"}}
    assert read["Resource"] == f"{BUCKET_ARN}/reports/*"
    assert not {"s3:PutObject", "s3:DeleteObject"} & set(read["Action"])


def test_s3_write_cannot_delete_but_read_write_can():
    (write,) = iam.s3_write(BUCKET_ARN)
    assert "s3:DeleteObject" not in write["Action"]
    assert any("s3:DeleteObject" in s["Action"] for s in iam.s3_read_write(BUCKET_ARN))


def test_kms_use_through_a_service_names_the_regional_endpoint():
    stmt = iam.kms_use(KEY_ARN, via_services=["secretsmanager"], region="eu-west-1")
    assert stmt["Resource"] == KEY_ARN
    assert stmt["Condition"] == {"StringEquals": {"kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com"}}
    with pytest.raises(iam.PolicyError, match="region"):
        iam.kms_use(KEY_ARN, via_services=["s3"])


def test_service_trust_pins_the_source_account_and_arn():
    stmt = iam.service_trust(
        "vpc-flow-logs.amazonaws.com",
        source_account="123456789012",
        source_arn_like="arn:aws:ec2:us-east-1:123456789012:vpc-flow-log/*",
    )
    assert stmt["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert stmt["Action"] == "sts:AssumeRole"
    assert stmt["Condition"]["StringEquals"] == {"aws:SourceAccount": "123456789012"}
    assert stmt["Condition"]["ArnLike"] == {"aws:SourceArn": "arn:aws:ec2:us-east-1:123456789012:vpc-flow-log/*"}


def test_irsa_trust_is_scoped_to_one_service_account_and_sts_audience():
    provider = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"
    stmt = iam.irsa_trust(provider, "https://oidc.eks.us-east-1.amazonaws.com/id/ABC", "kube-system", "aws-node")
    assert stmt["Principal"] == {"Federated": provider}
    assert stmt["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert stmt["Condition"] == {
        "StringEquals": {
            "oidc.eks.us-east-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:kube-system:aws-node",
            "oidc.eks.us-east-1.amazonaws.com/id/ABC:aud": "sts.amazonaws.com",
        }
    }


@pytest.mark.parametrize(("ns", "sa"), [("", "x"), ("ns", ""), ("*", "x"), ("ns", "app-*"), ("ns", "a:b")])
def test_irsa_trust_refuses_patterns_and_blanks(ns, sa):
    with pytest.raises(iam.PolicyError):
        iam.irsa_trust("arn:aws:iam::1:oidc-provider/x", "x", ns, sa)


def test_tls_only_statements_deny_plain_http_and_old_tls_on_bucket_and_objects():
    insecure = iam.deny_insecure_transport(BUCKET_ARN)
    assert insecure["Effect"] == "Deny" and insecure["Principal"] == "*"
    assert insecure["Resource"] == [BUCKET_ARN, f"{BUCKET_ARN}/*"]
    assert insecure["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    old = iam.deny_outdated_tls(BUCKET_ARN)
    assert old["Condition"] == {"NumericLessThan": {"s3:TlsVersion": "1.2"}}


def test_documents_refuse_duplicate_statement_ids():
    stmt = iam.allow(["s3:GetObject"], f"{BUCKET_ARN}/*", sid="Read")
    with pytest.raises(iam.PolicyError, match="duplicate"):
        iam.document([stmt, stmt])


def test_admin_key_actions_give_no_use():
    assert not {a for a in iam.KMS_ADMIN if a.startswith(("kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"))}
    assert "kms:CreateGrant" not in iam.KMS_ADMIN
    assert "kms:PutKeyPolicy" in iam.KMS_ADMIN  # no lock-out


def test_join_stays_plain_for_strings():
    assert iam.join(BUCKET_ARN, "/", "a*") == f"{BUCKET_ARN}/a*"


def test_cloudtrail_delivery_writes_only_cloudtrails_streams_of_one_group():
    stmt = iam.cloudtrail_to_log_group(GROUP_ARN, "123456789012")
    assert stmt["Resource"] == f"{GROUP_ARN}:log-stream:123456789012_CloudTrail_*"
    assert stmt["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]


def test_topic_policy_statements_pin_the_publishing_service_and_require_tls():
    topic = "arn:aws:sns:us-east-1:123456789012:platform-dev-critical"
    allow = iam.service_publish(topic, "cloudwatch.amazonaws.com", "123456789012", "arn:aws:cloudwatch:*", sid="A")
    assert allow["Principal"] == {"Service": "cloudwatch.amazonaws.com"} and allow["Action"] == "sns:Publish"
    assert allow["Condition"]["StringEquals"] == {"aws:SourceAccount": "123456789012"}
    deny = iam.deny_insecure_publish(topic)
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
