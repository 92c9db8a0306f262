"""Resource policies that allow the world: a statement with Principal '*' and no condition pinning
the caller, on KMS keys, ECR repositories, SNS topics, SQS queues, secrets, backup vaults, EFS and
log resource policies. Buckets are judged by the same test in `s3_exposure`.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import ResourceValidationArgs, Severity

from ..helpers import get
from ..iam_documents import DocumentError, parse_document, public_principal, restricts_principal
from ..least_privilege.documents import DOCUMENT_PROPS, RESOURCE
from ..registry import Controls, Report, resource_policy

PUBLIC_DATA = Controls(soc2=("CC6.1", "CC6.6"), iso27001=("A.8.3", "A.5.15"), pci=("1.4.4", "7.2.1"))


def public_statements(raw: Any) -> list[str]:
    """Labels of the statements of a resource policy (JSON text or object) that let anyone in;
    none when the document is absent or not a policy."""
    try:
        doc = parse_document(raw)
    except DocumentError:
        return []
    return [s.label for s in doc.allows if public_principal(s) and not restricts_principal(s)]


NON_S3_POLICY_TYPES = tuple(
    t for t, props in DOCUMENT_PROPS.items() if any(k == RESOURCE for _, k in props) and not t.startswith("aws:s3/")
)

SHARED_RESOURCE_POLICIES: dict[str, str] = {
    "aws:dynamodb/resourcePolicy:ResourcePolicy": "policy",
    "aws:kinesis/resourcePolicy:ResourcePolicy": "policy",
    "aws:cloudwatch/eventBusPolicy:EventBusPolicy": "policy",
    "aws:glue/resourcePolicy:ResourcePolicy": "policy",
}
"""Standalone resource policies of data and event services (type -> the document's property): a
`*` principal there lets any account read a table or stream, put events on a bus or read the Data
Catalog. They are judged here for exposure only; their actions are the service's own and are not
read by the IAM action checks. OpenSearch's standalone `DomainPolicy` is not: an open access
policy is AWS's advice for a domain in a VPC or with fine-grained access control, which only the
domain shows (`opensearch-not-public` judges the policy written on the domain)."""


def _resource_public(args: ResourceValidationArgs, report: Report) -> None:
    props = [prop for prop, kind in DOCUMENT_PROPS.get(args.resource_type, []) if kind == RESOURCE]
    if args.resource_type in SHARED_RESOURCE_POLICIES:
        props.append(SHARED_RESOURCE_POLICIES[args.resource_type])
    for prop in props:
        for label in public_statements(get(args.props, prop)):
            report(
                f"{args.resource_type.split(':')[-1]} '{args.name}' resource policy {label} allows everyone (Principal '*') without a "
                "condition pinning the caller. Name the principals, or add aws:PrincipalOrgID / aws:SourceAccount / aws:SourceArn conditions."
            )


resource_public = resource_policy(
    "resource-policy-not-public",
    category="exposure",
    description="Resource policies of KMS keys, ECR repositories, SNS topics, SQS queues, secrets, backup vaults, EFS, logs, DynamoDB, Kinesis, event buses and the Glue Data Catalog do not allow the world.",
    severity=Severity.CRITICAL,
    controls=PUBLIC_DATA,
    remediation="Replace Principal '*' with specific accounts, roles or service principals, or add a condition on aws:PrincipalOrgID, aws:SourceAccount or aws:SourceArn.",
    validate=_resource_public,
    types=(*NON_S3_POLICY_TYPES, *SHARED_RESOURCE_POLICIES),
    covers=("AwsSolutions-ECR1", "CKV_AWS_32", "CKV_AWS_33", "CKV_AWS_168", "CKV_AWS_169", "CKV_AWS_387"),
)


POLICIES = [resource_public]
