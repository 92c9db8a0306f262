"""Every IAM policy document the three stacks produce, linted with parliament (duo-labs' IAM
linter: unknown actions, condition keys per action, resource formats per action, from the AWS
Service Authorization Reference data it ships).

A finding fails the test unless `JUSTIFIED` names it with the reason it is right for AWS (each
reason checked against AWS documentation, cited there). The documents are every input of a
registered resource that parses as a policy (a JSON object with `Statement`): role trust and
inline policies, bucket, key, repository, topic, vault and log resource policies alike.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from parliament import analyze_policy_string

from offline_preview.capture import Capture, CapturedResource
from tests.components.helpers import stack_capture

STACKS = ("dev", "staging", "prod")


@dataclass(frozen=True)
class Justified:
    issue: str
    applies: Callable[[CapturedResource, str, object], bool]
    reason: str


def _type(*suffixes: str) -> Callable[[CapturedResource, str, object], bool]:
    return lambda r, prop, detail: r.type.rsplit(":", 1)[-1] in suffixes


JUSTIFIED: tuple[Justified, ...] = (
    Justified(
        "MALFORMED",
        lambda r, prop, detail: prop == "assumeRolePolicy" and "neither Resource nor NotResource" in str(detail),
        "A role trust policy has no Resource: the role is the resource (IAM User Guide, "
        '"IAM JSON policy elements: Resource": trust policies do not specify it).',
    ),
    Justified(
        "MALFORMED",
        lambda r, prop, detail: (
            r.type == "aws:ecr/repositoryPolicy:RepositoryPolicy" and "neither Resource nor NotResource" in str(detail)
        ),
        "An ECR repository policy applies to its repository and has no Resource element (ECR User "
        'Guide, "Repository policy examples").',
    ),
    Justified(
        "UNKNOWN_FEDERATION_SOURCE",
        lambda r, prop, detail: prop == "assumeRolePolicy" and ":oidc-provider/oidc.eks." in str(detail),
        "IRSA: the cluster's own IAM OIDC provider (EKS User Guide, \"Assign IAM roles to Kubernetes "
        'service accounts"); parliament knows only a fixed list of federation sources.',
    ),
    Justified(
        "RESOURCE_STAR",
        _type("Key"),
        'In a KMS key policy, "Resource": "*" means this key and nothing else (KMS Developer Guide, '
        '"Key policies in AWS KMS").',
    ),
    Justified(
        "UNKNOWN_CONDITION_FOR_ACTION",
        lambda r, prop, detail: r.type == "aws:s3/bucketPolicy:BucketPolicy" and "s3:TlsVersion" in str(detail),
        "The TLS deny covers s3:*; the Service Authorization Reference lists s3:TlsVersion for every "
        "S3 data and bucket API but not for these two (batch replication, access-point PAB), which "
        "the deny then leaves to the aws:SecureTransport deny beside it.",
    ),
    Justified(
        "MISMATCHED_TYPE",
        lambda r, prop, detail: (
            r.type == "aws:s3/bucketPolicy:BucketPolicy"
            and "s3:TlsVersion requires a value of type Numeric" in str(detail)
        ),
        'A numeric operator with a numeric string ("1.2") is IAM\'s documented form (IAM User Guide, '
        '"Numeric condition operators": {"NumericLessThanEquals": {"s3:max-keys": "10"}}); parliament '
        "wants a JSON number but crashes on one (it matches condition values as strings).",
    ),
    Justified(
        "MISMATCHED_TYPE",
        lambda r, prop, detail: r.type == "aws:kms/key:Key" and "ArnLike requires a value of type Arn" in str(detail),
        "kms:EncryptionContext:aws:logs:arn compared with ArnLike is AWS's documented key policy for "
        'CloudWatch Logs (CloudWatch Logs User Guide, "Encrypt log data in CloudWatch Logs using AWS '
        'KMS"); parliament types every encryption-context key as a string.',
    ),
)


def documents(capture: Capture) -> Iterator[tuple[CapturedResource, str, str]]:
    """(resource, input name, policy JSON) for every policy document among the inputs."""
    for r in capture.resources:
        for prop, value in r.inputs.items():
            if not isinstance(value, str) or '"Statement"' not in value:
                continue
            try:
                doc = json.loads(value)
            except ValueError:
                continue
            if isinstance(doc, dict) and "Statement" in doc:
                yield r, prop, value


@functools.cache
def findings(stack: str) -> tuple[list[str], list[str], int]:
    """(unjustified findings, justified ones, documents linted)."""
    bad: list[str] = []
    ok: list[str] = []
    count = 0
    for r, prop, text in documents(stack_capture(stack)):
        count += 1
        for f in analyze_policy_string(text, ignore_private_auditors=True).findings:
            line = f"{r.urn} {prop}: {f.issue} {f.detail}"
            if any(j.issue == f.issue and j.applies(r, prop, f.detail) for j in JUSTIFIED):
                ok.append(line)
            else:
                bad.append(line)
    return bad, ok, count


@pytest.mark.parametrize("stack", STACKS)
def test_every_iam_document_of_the_stack_passes_parliament(stack):
    bad, _, count = findings(stack)
    assert count >= 30, f"only {count} policy documents found in {stack}: the collection is broken"
    assert bad == []


def test_the_linter_reports_what_it_should():
    """parliament is active on these documents: the defects it must see are seen."""
    wrong = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "logs:DescribeLogGroups",
                "Resource": "arn:aws:logs:us-east-1:123456789012:log-group:*",
            },
            {"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "*"},
        ],
    }
    issues = {f.issue for f in analyze_policy_string(json.dumps(wrong), ignore_private_auditors=True).findings}
    assert {"RESOURCE_MISMATCH", "UNKNOWN_ACTION"} <= issues


def test_every_justification_is_still_needed():
    """A justification no stack uses any more is removed, not kept as a blanket pass."""
    used = set()
    for stack in STACKS:
        for r, prop, text in documents(stack_capture(stack)):
            for f in analyze_policy_string(text, ignore_private_auditors=True).findings:
                for i, j in enumerate(JUSTIFIED):
                    if j.issue == f.issue and j.applies(r, prop, f.detail):
                        used.add(i)
    assert used == set(range(len(JUSTIFIED)))
