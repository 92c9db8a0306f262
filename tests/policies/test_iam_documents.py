"""IAM document parsing and the least-privilege analysis on documents alone (fast, no program)."""

from __future__ import annotations

import json

import pytest

from platform_policies.iam_documents import (
    DocumentError,
    catalogue_source,
    expand,
    parse_document,
    public_principal,
    restricts_principal,
    statement_grants,
)


def test_statement_may_be_an_object_and_values_strings_or_lists() -> None:
    one = parse_document({"Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": ["a", "b"]}})
    assert one.statements[0].actions == ("s3:GetObject",) and one.statements[0].resources == ("a", "b")
    many = parse_document(
        json.dumps({"Statement": [{"Sid": "X", "Effect": "Deny", "NotAction": ["iam:*"], "NotResource": "r"}]})
    )
    [s] = many.statements
    assert (s.sid, s.label, s.not_actions, s.not_resources) == ("X", 'statement Sid "X"', ("iam:*",), ("r",))


def test_principal_forms() -> None:
    star = parse_document({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"}]}).statements[
        0
    ]
    aws_star = parse_document(
        {"Statement": [{"Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": "x:Y"}]}
    ).statements[0]
    service = parse_document(
        {"Statement": [{"Effect": "Allow", "Principal": {"Service": "logs.amazonaws.com"}, "Action": "x:Y"}]}
    ).statements[0]
    assert public_principal(star) and public_principal(aws_star) and not public_principal(service)
    assert service.principal_ids() == [("Service", "logs.amazonaws.com")]


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ("{nope", "not valid JSON"),
        ("[]", "JSON object"),
        ({"Version": "2012-10-17"}, "no Statement"),
        ({"Statement": [{"Effect": "Permit", "Action": "s3:GetObject"}]}, 'Effect must be "Allow" or "Deny"'),
        ({"Statement": [{"Effect": "Allow", "Action": 3}]}, "Action must be a string or a list"),
        (
            {"Statement": [{"Sid": "S", "Effect": "Allow", "Action": "a:b", "Condition": []}]},
            'statement Sid "S": Condition',
        ),
    ],
)
def test_invalid_documents_say_why(doc: object, message: str) -> None:
    with pytest.raises(DocumentError, match=message):
        parse_document(doc)


def test_actions_expand_with_access_levels_and_scoping_from_the_reference() -> None:
    assert catalogue_source().startswith("AWS Service Authorization Reference")
    [token] = expand("ecr:GetAuthorizationToken")
    assert (token.level, token.scoped) == ("R", False)  # cannot be scoped: Resource must be *
    [get_object] = expand("S3:getobject")  # IAM matching is case-insensitive
    assert get_object.scoped and get_object.full == "s3:GetObject"
    describes = expand("ec2:Describe*")
    assert len(describes) > 100 and {a.level for a in describes} == {"L"}
    assert {a.level for a in expand("s3:Put*")} >= {"W", "P"}
    assert expand("s3:NoSuchAction") == () and expand("nosuchservice:*") == ()
    for unscopable in (
        "sts:GetCallerIdentity",
        "cloudwatch:PutMetricData",
        "xray:PutTraceSegments",
        "logs:DescribeLogGroups",
        "kms:ListAliases",
    ):
        assert [a.scoped for a in expand(unscopable)] == [False], unscopable


def test_not_action_grants_everything_else() -> None:
    [s] = parse_document({"Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]}).statements
    assert statement_grants(s, "ec2:RunInstances") and not statement_grants(s, "iam:PassRole")


@pytest.mark.parametrize(
    ("condition", "restricts"),
    [
        ({"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}, True),
        ({"ArnLike": {"aws:SourceArn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:*"}}, True),
        ({"Bool": {"aws:SecureTransport": "true"}}, False),  # how, not who
        ({"StringLike": {"aws:PrincipalOrgID": "*"}}, False),  # a wildcard pins nothing
        ({"Null": {"aws:SourceArn": "false"}}, False),
        ({"StringNotEquals": {"aws:SourceAccount": "111122223333"}}, False),  # everyone but one account
        ({"ArnNotLike": {"aws:SourceArn": "arn:aws:s3:::trusted-bucket"}}, False),
        ({"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, False),
        ({"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1a2b3c4d"}}, False),  # absent off the endpoint
        ({"ForAllValues:StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}, False),  # true when absent
        ({"ForAnyValue:StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}, True),
        ({"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}, False),
        ({"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "0.0.0.0/1"]}}, False),  # one world value
        ({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, True),
        ({"StringLike": {"aws:SourceAccount": "1*"}}, False),
        ({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/admin"}}, False),  # any account's role
        ({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/*"}}, True),
        ({"ArnLike": {"aws:SourceArn": "arn:aws:s3:::logs-*"}}, False),  # anyone's bucket of that name
        ({"ArnEquals": {"aws:SourceArn": "arn:aws:s3:::my-access-logs"}}, True),
        ({"StringLike": {"aws:SourceVpce": "vpce-*"}}, False),
        ({"StringLike": {"aws:PrincipalOrgPaths": "o-*/r-ab12/*"}}, False),
        ({"StringLike": {"aws:PrincipalOrgPaths": "o-a1b2c3d4e5/r-ab12/*"}}, True),
        ({"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}, False),  # any account via S3
        ({"StringEquals": {"sts:ExternalId": "a1b2c3"}}, False),  # not a secret, not an identity
        ({"ArnEquals": {"aws:SourceArn": "arn:aws:s3:::*"}}, False),  # ArnEquals matches wildcards
        ({"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::*:root"}}, False),
        ({"StringEquals": {"aws:PrincipalAccount": "${aws:PrincipalAccount}"}}, False),  # always true
        ({"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:123456789012:*"}}, True),
    ],
)
def test_which_conditions_pin_a_public_principal(condition: dict, restricts: bool) -> None:
    [s] = parse_document(
        {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sns:Publish", "Condition": condition}]}
    ).statements
    assert restricts_principal(s) is restricts
