"""Access and data flows to AWS accounts outside the trusted set.

A program can hand another account what no public-exposure test sees, because no statement names
'*': a role trust policy, a key, bucket, repository, queue, topic, secret or event bus policy
naming the account, a KMS grant, a Lambda permission, an EKS access entry or `aws-auth` mapping, a
RAM share, a VPC peering connection, a log subscription or an EventBridge target delivering to the
account, an S3 replication rule writing to its bucket. Each
is an ordinary, legitimate construct when the account is one of ours and an exfiltration path or
a backdoor when it is not (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html:
the resource-based policy alone decides what the trusted account may do).

The pack cannot know which account a stack deploys to, so "ours" is declared: the policy's
`trustedAccountIds` option, plus the `allowedAccountIds` of the AWS provider that deploys the
resource (a provider pinned to accounts may only deploy there, so they are the stack's own). When
neither names an account the policy cannot tell ours from theirs and stays silent; the platform's
stack configs list its accounts. The AWS-owned accounts that deliver Elastic Load Balancing access
logs in Regions opened before August 2022 are always accepted (AWS documents them as the
principal of the log bucket policy).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pulumi_policy import PolicyProviderResource, ResourceValidationArgs, Severity

from ..helpers import as_list, get, parse_json
from ..iam_documents import DocumentError, parse_document
from ..registry import Controls, Report, config_value, resource_policy

ACCOUNT_ID = re.compile(r"^\d{12}$")

ELB_LOG_DELIVERY_ACCOUNTS = frozenset(
    {
        # "Enable access logs for your Application Load Balancer", step 2 (bucket permissions):
        # https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html
        "127311923021", "033677994240", "027434742980", "797873946194", "098369216593", "754344448648",
        "718504428378", "582318560864", "600734575887", "383597477331", "114774131450", "783225319266",
        "589379963580", "985666609251", "054676820928", "156460612806", "652711504416", "009996457667",
        "635631232127", "897822967062", "076674570225", "507241528517", "048591011584", "190560391635",
        "638102146993", "037604701340",
    }
)  # fmt: skip
"""AWS-owned accounts that write load balancer access logs; they act for the owner of the bucket."""

ROLE = "aws:iam/role:Role"
KEY = "aws:kms/key:Key"
KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy"
GRANT = "aws:kms/grant:Grant"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
REPOSITORY_POLICY = "aws:ecr/repositoryPolicy:RepositoryPolicy"
LAMBDA_PERMISSION = "aws:lambda/permission:Permission"
ACCESS_ENTRY = "aws:eks/accessEntry:AccessEntry"
RAM_PRINCIPAL = "aws:ram/principalAssociation:PrincipalAssociation"
PEERING = "aws:ec2/vpcPeeringConnection:VpcPeeringConnection"
LOG_SUBSCRIPTION = "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter"
EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget"
REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
AWS_AUTH = "kubernetes:core/v1:ConfigMap"

DOCUMENTS: dict[str, str] = {
    ROLE: "assumeRolePolicy",
    KEY: "policy",
    KEY_POLICY: "policy",
    BUCKET_POLICY: "policy",
    REPOSITORY_POLICY: "policy",
    "aws:sqs/queuePolicy:QueuePolicy": "policy",
    "aws:sns/topicPolicy:TopicPolicy": "policy",
    "aws:secretsmanager/secretPolicy:SecretPolicy": "policy",
    "aws:cloudwatch/eventBusPolicy:EventBusPolicy": "policy",
}
"""Types whose policy document names principals (type -> property)."""

TYPES = (
    *DOCUMENTS,
    GRANT,
    LAMBDA_PERMISSION,
    ACCESS_ENTRY,
    RAM_PRINCIPAL,
    PEERING,
    LOG_SUBSCRIPTION,
    EVENT_TARGET,
    REPLICATION,
    AWS_AUTH,
)

AWS_AUTH_ARN = re.compile(r"\b(?:rolearn|userarn)\s*:\s*[\"']?(arn:[^\s\"']+)")
"""The IAM principals the EKS `aws-auth` ConfigMap maps to Kubernetes users and groups (its mapRoles
and mapUsers are YAML lists of `rolearn`/`userarn` entries; mapAccounts lists account ids):
https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html."""


def account_of(value: Any) -> str | None:
    """The account a principal or resource reference names: a bare 12-digit id, or the account
    field of an ARN (`arn:<partition>:<service>:<region>:<account>:...`); None for anything else
    (service principals, AWS-managed policy ARNs, organization ids, '*')."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if ACCOUNT_ID.match(text):
        return text
    parts = text.split(":")
    if len(parts) >= 6 and parts[0] == "arn" and ACCOUNT_ID.match(parts[4]):
        return parts[4]
    return None


def provider_accounts(provider: PolicyProviderResource | None) -> set[str]:
    """`allowedAccountIds` of the AWS provider (explicit providers carry it JSON-encoded)."""
    if provider is None or not provider.resource_type.startswith("pulumi:providers:aws"):
        return set()
    raw = get(provider.props, "allowedAccountIds")
    if raw is None:
        return set()
    try:
        value = parse_json(raw) if isinstance(raw, str) and raw.strip().startswith("[") else raw
    except ValueError:
        return set()
    return {str(v).strip() for v in as_list(value)}


def _document_grants(raw: Any) -> Iterator[tuple[str, str]]:
    """(statement label, account) for each AWS principal of an Allow statement."""
    try:
        doc = parse_document(raw)
    except DocumentError:
        return  # iam-policy-document-valid reports it
    for stmt in doc.allows:
        for kind, ident in stmt.principal_ids():
            account = account_of(ident) if kind == "AWS" else None
            if account:
                yield stmt.label, account


def grants(args: ResourceValidationArgs) -> Iterator[tuple[str, str]]:
    """(what, account) for every account the resource grants access to or sends data to."""
    rtype, props = args.resource_type, args.props
    if rtype in DOCUMENTS:
        raw = get(props, DOCUMENTS[rtype])
        if raw is not None:
            for label, account in _document_grants(raw):
                yield f"policy {label}", account
        return
    fields: dict[str, tuple[tuple[str, str], ...]] = {
        GRANT: (("granteePrincipal", "grantee"), ("retiringPrincipal", "retiring principal")),
        LAMBDA_PERMISSION: (("principal", "principal"), ("sourceAccount", "source account")),
        ACCESS_ENTRY: (("principalArn", "principal"),),
        RAM_PRINCIPAL: (("principal", "principal"),),
        PEERING: (("peerOwnerId", "peer VPC owner"),),
        LOG_SUBSCRIPTION: (("destinationArn", "destination"),),
        EVENT_TARGET: (("arn", "target"),),
    }
    if rtype == AWS_AUTH:
        if get(props, "metadata", "name") != "aws-auth" or get(props, "metadata", "namespace") != "kube-system":
            return
        data = get(props, "data", default={})
        for key in ("mapRoles", "mapUsers"):
            for arn in AWS_AUTH_ARN.findall(str(get(data, key, default=""))):
                account = account_of(arn)
                if account:
                    yield f"{key} entry {arn}", account
        for account in re.findall(r"\b\d{12}\b", str(get(data, "mapAccounts", default=""))):
            yield "mapAccounts", account
        return
    if rtype == REPLICATION:
        for i, rule in enumerate(as_list(get(props, "rules"))):
            account = account_of(get(rule, "destination", "account"))
            if account:
                yield f"rule #{i + 1} destination", account
        return
    for prop, what in fields.get(rtype, ()):
        account = account_of(get(props, prop))
        if account:
            yield what, account


def _untrusted_accounts(args: ResourceValidationArgs, report: Report) -> None:
    trusted = {str(a).strip() for a in config_value(args, "trustedAccountIds", [])}
    trusted |= provider_accounts(args.provider)
    if not trusted:
        return
    kind = args.resource_type.split(":")[-1]
    for what, account in grants(args):
        if account not in trusted and account not in ELB_LOG_DELIVERY_ACCOUNTS:
            report(
                f"{kind} '{args.name}' {what} reaches AWS account {account}, which is not a trusted account "
                f"({', '.join(sorted(trusted))}). Keep access and data within the platform's accounts, or add the "
                "account to trustedAccountIds after review."
            )


untrusted_accounts = resource_policy(
    "no-untrusted-account-access",
    category="least-privilege",
    description="Trust and resource policies, KMS grants, Lambda permissions, EKS access entries and aws-auth mappings, RAM shares, VPC peering, log subscriptions, EventBridge targets and S3 replication name no AWS account outside the trusted set (trustedAccountIds and the provider's allowedAccountIds).",
    severity=Severity.HIGH,
    controls=Controls(soc2=("CC6.1", "CC6.6"), iso27001=("A.5.15", "A.8.3"), pci=("7.2.1",)),
    remediation="Name only the platform's accounts (list them in trustedAccountIds or the provider's allowed_account_ids); share with another account only after a review that adds it to trustedAccountIds.",
    validate=_untrusted_accounts,
    types=TYPES,
    config={
        "trustedAccountIds": {
            "type": "array",
            "items": {"type": "string"},
            "default": [],
            "description": "The AWS accounts a stack may grant access to or send data to, besides the allowedAccountIds of its AWS provider. Empty, with no provider pin: the policy cannot tell and reports nothing.",
        }
    },
)
