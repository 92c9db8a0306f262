"""Least privilege inside IAM policy documents, trust policies and attachments.

Every document a program can write is judged: identity policies (role/user/group inline
policies, managed policies, a role's `inlinePolicies`) and resource policies (bucket, key,
repository, topic, queue, secret, backup vault, file system, log resource policies). Each
offending statement is reported on its own line (Sid or position), with the fix.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from pulumi_policy import ResourceValidationArgs, Severity
from pulumi_policy.proxy import UnknownValueError

from .helpers import as_list, get, given, known_or, matches_any, truthy
from .iam_documents import (
    WRITE_LEVELS,
    DocumentError,
    PolicyDocument,
    Statement,
    catalogue_source,
    describe_levels,
    expand,
    is_wildcard,
    known_service,
    parse_document,
    public_principal,
    restricts_principal,
    statement_grants,
)
from .registry import Controls, Report, config_value, resource_policy

IAM_CONTROLS = Controls(soc2=("CC6.1", "CC6.3"), iso27001=("A.5.15", "A.8.2"), pci=("7.2.1", "7.2.2"))

IDENTITY = "identity"
RESOURCE = "resource"

# type -> [(property, kind)]; `inlinePolicies` of a role is handled separately (a list).
DOCUMENT_PROPS: dict[str, list[tuple[str, str]]] = {
    "aws:iam/rolePolicy:RolePolicy": [("policy", IDENTITY)],
    "aws:iam/userPolicy:UserPolicy": [("policy", IDENTITY)],
    "aws:iam/groupPolicy:GroupPolicy": [("policy", IDENTITY)],
    "aws:iam/policy:Policy": [("policy", IDENTITY)],
    "aws:s3/bucketPolicy:BucketPolicy": [("policy", RESOURCE)],
    "aws:s3/bucket:Bucket": [("policy", RESOURCE)],
    "aws:s3/bucketV2:BucketV2": [("policy", RESOURCE)],
    "aws:kms/key:Key": [("policy", RESOURCE)],
    "aws:kms/keyPolicy:KeyPolicy": [("policy", RESOURCE)],
    "aws:ecr/repositoryPolicy:RepositoryPolicy": [("policy", RESOURCE)],
    "aws:ecr/registryPolicy:RegistryPolicy": [("policy", RESOURCE)],
    "aws:sns/topicPolicy:TopicPolicy": [("policy", RESOURCE)],
    "aws:sns/topic:Topic": [("policy", RESOURCE)],
    "aws:sqs/queuePolicy:QueuePolicy": [("policy", RESOURCE)],
    "aws:sqs/queue:Queue": [("policy", RESOURCE)],
    "aws:secretsmanager/secretPolicy:SecretPolicy": [("policy", RESOURCE)],
    "aws:secretsmanager/secret:Secret": [("policy", RESOURCE)],
    "aws:backup/vaultPolicy:VaultPolicy": [("policy", RESOURCE)],
    "aws:efs/fileSystemPolicy:FileSystemPolicy": [("policy", RESOURCE)],
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": [("policyDocument", RESOURCE)],
}
IDENTITY_TYPES = (
    *tuple(t for t, props in DOCUMENT_PROPS.items() if any(k == IDENTITY for _, k in props)),
    "aws:iam/role:Role",
)
ALL_DOCUMENT_TYPES = (*DOCUMENT_PROPS, "aws:iam/role:Role")
KEY_POLICY_TYPES = ("aws:kms/key:Key", "aws:kms/keyPolicy:KeyPolicy")


def documents(args: ResourceValidationArgs, kinds: tuple[str, ...] = (IDENTITY, RESOURCE)) -> Iterator[tuple[str, Any]]:
    """(where, raw document) for each policy document of the resource of the wanted kinds."""
    for prop, kind in DOCUMENT_PROPS.get(args.resource_type, []):
        if kind in kinds:
            value = get(args.props, prop)
            if value is not None:
                yield prop, value
    if args.resource_type == "aws:iam/role:Role" and IDENTITY in kinds:
        for i, inline in enumerate(as_list(get(args.props, "inlinePolicies"))):
            value = get(inline, "policy")
            if value is not None:
                yield f"inlinePolicies[{i}] ({get(inline, 'name', default='unnamed')})", value


def parsed(
    args: ResourceValidationArgs, kinds: tuple[str, ...] = (IDENTITY, RESOURCE)
) -> Iterator[tuple[str, PolicyDocument]]:
    """Parsed documents; unparsable ones are skipped here (iam-policy-document-valid reports them)."""
    for where, raw in documents(args, kinds):
        try:
            yield where, parse_document(raw)
        except DocumentError:
            continue


def _prefix(args: ResourceValidationArgs, where: str) -> str:
    kind = args.resource_type.split(":")[-1]
    return f"{kind} '{args.name}' ({where})"


# --- wildcard actions -----------------------------------------------------------------------


def _is_account_root_admin(stmt: Statement) -> bool:
    """The AWS default key policy statement: the account root gets kms:* so IAM policies decide."""
    ids = stmt.principal_ids()
    return (
        bool(ids)
        and all(
            kind == "AWS" and (re.fullmatch(r"arn:aws[\w-]*:iam::\d{12}:root", i) or re.fullmatch(r"\d{12}", i))
            for kind, i in ids
        )
        and all(a.lower() == "kms:*" for a in stmt.actions)
    )


def _wildcard_problem(pattern: str) -> str | None:
    if pattern.strip() == "*":
        return "'*' (every action of every service)"
    service, _, name = pattern.partition(":")
    if name == "*":
        return f"'{pattern}' (every {service} action)"
    if is_wildcard(pattern):
        granted = expand(pattern)
        writes = [a for a in granted if a.level in WRITE_LEVELS]
        if writes:
            sample = ", ".join(a.full for a in writes[:3]) + (", ..." if len(writes) > 3 else "")
            return f"'{pattern}' ({len(granted)} actions incl. {len(writes)} {describe_levels(writes)}: {sample})"
    return None


def _wildcard_actions(args: ResourceValidationArgs, report: Report) -> None:
    allow_root = bool(config_value(args, "allowKeyPolicyAccountRoot", True))
    for where, doc in parsed(args):
        for stmt in doc.allows:
            if allow_root and args.resource_type in KEY_POLICY_TYPES and _is_account_root_admin(stmt):
                continue
            problems = [p for p in (_wildcard_problem(a) for a in stmt.actions) if p]
            if problems:
                report(
                    f"{_prefix(args, where)} {stmt.label} allows {'; '.join(problems)}. "
                    "List the specific actions the workload calls (read-only wildcards such as 's3:Get*' or 'ec2:Describe*' are tolerated)."
                )


wildcard_actions = resource_policy(
    "iam-no-wildcard-actions",
    category="least-privilege",
    description="Policy documents never allow '*' or 'service:*', nor wildcards that expand to write or permissions-management actions.",
    severity=Severity.HIGH,
    controls=Controls(soc2=("CC6.1", "CC6.3"), iso27001=("A.5.15", "A.8.2"), pci=("7.2.1", "7.2.2"), cis=("1.16",)),
    remediation="Replace wildcard actions with the explicit list of actions the principal needs; keep wildcards only for read-only families (Get*, List*, Describe*).",
    validate=_wildcard_actions,
    types=ALL_DOCUMENT_TYPES,
    covers=(
        "AwsSolutions-IAM5",
        "CKV_AWS_62",
        "CKV_AWS_63",
        "CKV_AWS_355",
        "CKV2_AWS_40",
        "CKV_AWS_72",
        "CKV_AWS_289",
        "CKV_AWS_290",
    ),
    config={
        "allowKeyPolicyAccountRoot": {
            "type": "boolean",
            "default": True,
            "description": "Allow the AWS default key-policy statement (account root gets kms:*, delegating to IAM).",
        }
    },
)


# --- Resource: "*" ----------------------------------------------------------------------------

_SCOPING_CONDITION = re.compile(r"(^|:)resourcetag/|^aws:resourceaccount$|^aws:resourceorgid$|^aws:resourceorgpaths$")


def _resource_wildcard(args: ResourceValidationArgs, report: Report) -> None:
    for where, doc in parsed(args, (IDENTITY,)):
        for stmt in doc.allows:
            if "*" not in stmt.resources:
                continue
            if any(_SCOPING_CONDITION.search(k) for k in stmt.condition_keys()):
                continue  # scoped by tag or account condition (ABAC)
            scopable: list[str] = []
            for pattern in stmt.actions:
                granted = expand(pattern)
                if any(a.scoped and a.level != "L" for a in granted):
                    scopable.append(pattern)
            if scopable:
                report(
                    f"{_prefix(args, where)} {stmt.label} grants {', '.join(repr(a) for a in scopable)} on Resource '*', "
                    "but these actions support resource-level permissions. Scope Resource to the ARNs used; keep '*' only for "
                    f"actions AWS cannot scope (e.g. ecr:GetAuthorizationToken). Action data: {catalogue_source()}."
                )


resource_wildcard = resource_policy(
    "iam-no-wildcard-resources",
    category="least-privilege",
    description="Identity policies use Resource '*' only for actions that cannot be scoped to resources (per the AWS Service Authorization Reference).",
    severity=Severity.HIGH,
    controls=IAM_CONTROLS,
    remediation="Put each scopable action in a statement whose Resource lists the ARNs it needs; leave unscopable ones (ecr:GetAuthorizationToken, sts:GetCallerIdentity, cloudwatch:PutMetricData, xray:PutTraceSegments, ec2:Describe*...) on '*'.",
    validate=_resource_wildcard,
    types=IDENTITY_TYPES,
    covers=("AwsSolutions-IAM5", "CKV_AWS_290", "CKV_AWS_288"),
)


def _not_action(args: ResourceValidationArgs, report: Report) -> None:
    for where, doc in parsed(args):
        for stmt in doc.allows:
            used = [k for k, v in (("NotAction", stmt.not_actions), ("NotResource", stmt.not_resources)) if v]
            if used:
                report(
                    f"{_prefix(args, where)} {stmt.label} is an Allow with {' and '.join(used)}, which grants everything not listed "
                    "(including actions and resources AWS adds later). Rewrite it as an Allow of explicit Action and Resource lists."
                )


not_action = resource_policy(
    "iam-no-allow-notaction-notresource",
    category="least-privilege",
    description="No Allow statement uses NotAction or NotResource (they grant everything not listed).",
    severity=Severity.HIGH,
    controls=IAM_CONTROLS,
    remediation="Replace Allow+NotAction/NotResource with explicit Action/Resource lists; NotAction is fine in Deny statements.",
    validate=_not_action,
    types=ALL_DOCUMENT_TYPES,
)


def _passrole(args: ResourceValidationArgs, report: Report) -> None:
    for where, doc in parsed(args, (IDENTITY,)):
        for stmt in doc.allows:
            if not statement_grants(stmt, "iam:PassRole"):
                continue
            wide = [r for r in stmt.resources if r == "*" or re.search(r":role/\*$|^arn:aws[\w-]*:iam::\*:", r)] or (
                ["NotResource"] if stmt.not_resources else []
            )
            if wide:
                report(
                    f"{_prefix(args, where)} {stmt.label} allows iam:PassRole on {', '.join(repr(r) for r in wide)}: the principal can hand "
                    "any role (including admin roles) to a service it controls. Scope Resource to the specific role ARNs and add "
                    "a condition {'StringEquals': {'iam:PassedToService': '<service>.amazonaws.com'}}."
                )


passrole = resource_policy(
    "iam-passrole-scoped",
    category="least-privilege",
    description="iam:PassRole is granted only on specific role ARNs, never on '*' or every role.",
    severity=Severity.CRITICAL,
    controls=IAM_CONTROLS,
    remediation="Scope iam:PassRole to the role ARNs the service needs and condition it on iam:PassedToService.",
    validate=_passrole,
    types=IDENTITY_TYPES,
    covers=("CKV_AWS_286",),
)


# --- privilege escalation ---------------------------------------------------------------------

# Known escalation paths (Rhino Security Labs, "AWS IAM Privilege Escalation - Methods and
# Mitigation", and later public research). PassRole paths count only when PassRole is not
# scoped to specific roles (a scoped PassRole can hand over only that role).
ESCALATIONS: list[tuple[str, tuple[str, ...]]] = [
    ("create a new default version of a managed policy", ("iam:CreatePolicyVersion",)),
    ("switch a managed policy to an older, broader version", ("iam:SetDefaultPolicyVersion",)),
    ("mint access keys for other users", ("iam:CreateAccessKey",)),
    ("set another user's console password", ("iam:CreateLoginProfile",)),
    ("reset another user's console password", ("iam:UpdateLoginProfile",)),
    ("attach any managed policy to a user", ("iam:AttachUserPolicy",)),
    ("attach any managed policy to a group", ("iam:AttachGroupPolicy",)),
    ("attach any managed policy to a role", ("iam:AttachRolePolicy",)),
    ("write an inline policy on a user", ("iam:PutUserPolicy",)),
    ("write an inline policy on a group", ("iam:PutGroupPolicy",)),
    ("write an inline policy on a role", ("iam:PutRolePolicy",)),
    ("add a user to a privileged group", ("iam:AddUserToGroup",)),
    ("rewrite a role's trust policy and assume it", ("iam:UpdateAssumeRolePolicy", "sts:AssumeRole")),
    ("launch an EC2 instance with any role", ("iam:PassRole", "ec2:RunInstances")),
    (
        "create and invoke a Lambda function with any role",
        ("iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"),
    ),
    (
        "create a Lambda function with any role triggered by an event source",
        ("iam:PassRole", "lambda:CreateFunction", "lambda:CreateEventSourceMapping"),
    ),
    ("run an ECS task with any role", ("iam:PassRole", "ecs:RegisterTaskDefinition", "ecs:RunTask")),
    ("create a CloudFormation stack with any role", ("iam:PassRole", "cloudformation:CreateStack")),
    ("run a CodeBuild project with any role", ("iam:PassRole", "codebuild:CreateProject", "codebuild:StartBuild")),
    ("create a Glue dev endpoint with any role", ("iam:PassRole", "glue:CreateDevEndpoint")),
    (
        "create a Data Pipeline with any role",
        ("iam:PassRole", "datapipeline:CreatePipeline", "datapipeline:PutPipelineDefinition"),
    ),
]


def _granting(doc: PolicyDocument, action: str) -> list[Statement]:
    return [s for s in doc.allows if statement_grants(s, action)]


def _unscoped(stmts: list[Statement]) -> bool:
    return any(s.not_resources or any("*" in r for r in s.resources) for s in stmts)


def _escalation(args: ResourceValidationArgs, report: Report) -> None:
    for where, doc in parsed(args, (IDENTITY,)):
        paths: list[str] = []
        labels: set[str] = set()
        for what, combo in ESCALATIONS:
            grants = {a: _granting(doc, a) for a in combo}
            if not all(grants.values()):
                continue
            if "iam:PassRole" in combo and not _unscoped(grants["iam:PassRole"]):
                continue
            paths.append(f"{what} ({' + '.join(combo)})")
            labels.update(s.label for stmts in grants.values() for s in stmts)
        if paths:
            shown = "; ".join(paths[:4]) + (f"; and {len(paths) - 4} more" if len(paths) > 4 else "")
            report(
                f"{_prefix(args, where)} opens {len(paths)} privilege-escalation path(s) through {', '.join(sorted(labels))}: "
                f"the principal can {shown}. Remove these actions, or scope them to resources the principal cannot use to gain access."
            )


escalation = resource_policy(
    "iam-no-privilege-escalation",
    category="least-privilege",
    description="Identity policies grant no known privilege-escalation combination (policy versioning, policy attachment, credential minting, PassRole + compute).",
    severity=Severity.CRITICAL,
    controls=Controls(soc2=("CC6.1", "CC6.3"), iso27001=("A.8.2",), pci=("7.2.1", "7.2.2")),
    remediation="Remove IAM write actions from workload roles; grant iam:PassRole only for specific roles; use a deployment pipeline role with permissions boundaries for IAM changes.",
    validate=_escalation,
    types=IDENTITY_TYPES,
    covers=("CKV_AWS_286", "CKV_AWS_287"),
)


# --- managed policies -------------------------------------------------------------------------

DEFAULT_DENIED_MANAGED = [
    # Administrator and power-user job functions: every action, or every action outside IAM.
    "AdministratorAccess",
    "AdministratorAccess-Amplify",
    "AdministratorAccess-AWSElasticBeanstalk",
    "PowerUserAccess",
    "job-function/SystemAdministrator",
    "job-function/NetworkAdministrator",
    "job-function/DatabaseAdministrator",
    # Identity and the account itself: whoever holds these can grant themselves anything.
    "IAMFullAccess",
    "AWSOrganizationsFullAccess",
    "AWSSSOMasterAccountAdministrator",
    "AWSSSODirectoryAdministrator",
    "AWSIdentityCenterFullAccess",
    # Full access to sensitive services: all data (S3, DynamoDB, RDS, secrets), code that runs
    # with other roles (Lambda, ECS, EC2, CloudFormation, CodeBuild: each includes iam:PassRole or
    # runs with a role), commands on every instance (SSM), or the audit trail (CloudTrail, logs).
    "AmazonS3FullAccess",
    "AmazonDynamoDBFullAccess",
    "AmazonRDSFullAccess",
    "SecretsManagerReadWrite",
    "AWSLambda_FullAccess",
    "AWSLambdaFullAccess",
    "AmazonECS_FullAccess",
    "AmazonEC2FullAccess",
    "AWSCloudFormationFullAccess",
    "AWSCodeBuildAdminAccess",
    "AmazonSSMFullAccess",
    "AWSCloudTrail_FullAccess",
    "CloudWatchLogsFullAccess",
    "AWSKeyManagementServicePowerUser",
    "AmazonVPCFullAccess",
]
"""AWS-managed policies with administrator-equivalent power (names as in the IAM console, with their
path for job functions), from the AWS Managed Policy Reference Guide
(https://docs.aws.amazon.com/aws-managed-policy/latest/reference/policy-list.html) and the job
function policies (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_job-functions.html)."""
_AWS_MANAGED = re.compile(r"^arn:aws[\w-]*:iam::aws:policy/((?:.+/)?([^/]+))$")


def _attached_arns(props: Any) -> list[str]:
    """Managed policy ARNs the resource attaches. An ARN unknown during preview is computed from an
    `aws.iam.Policy` of the program (AWS-managed ARNs are literals), so it is never one of these."""
    arns: list[str] = []
    for key in ("policyArn", "managedPolicyArn"):
        value = known_or(props, key, None)
        if isinstance(value, str):
            arns.append(value)
    for key in ("managedPolicyArns", "policyArns"):
        items = known_or(props, key, None)
        for i in range(len(items) if isinstance(items, Sequence) and not isinstance(items, str) else 0):
            value = _item(items, i)
            if isinstance(value, str):
                arns.append(value)
    return arns


def _item(items: Any, i: int) -> Any:
    try:
        return items[i]
    except UnknownValueError:
        return None


def _managed(args: ResourceValidationArgs, report: Report) -> None:
    denied = [str(d) for d in config_value(args, "deniedPolicies", DEFAULT_DENIED_MANAGED)]
    for arn in _attached_arns(args.props):
        m = _AWS_MANAGED.match(arn)
        if m and (matches_any(m.group(1), denied) or matches_any(m.group(2), denied)):
            report(
                f"'{args.name}' attaches the AWS-managed policy {m.group(2)} ({arn}), which grants administrator-equivalent "
                "power (every action, IAM or the account, or full access to a sensitive service). Attach a customer-managed "
                "policy with only the needed actions on the needed resources instead."
            )


managed = resource_policy(
    "iam-no-admin-managed-policies",
    category="least-privilege",
    description="No role, user or group gets an AWS-managed policy with administrator-equivalent power (AdministratorAccess, PowerUserAccess, IAMFullAccess, job-function administrators, full access to S3, DynamoDB, RDS, secrets, Lambda, ECS, EC2, CloudFormation, SSM, CloudTrail, KMS power user).",
    severity=Severity.CRITICAL,
    controls=Controls(soc2=("CC6.1", "CC6.3"), iso27001=("A.8.2",), pci=("7.2.1", "7.2.2"), cis=("1.16",)),
    remediation="Replace the attachment with a customer-managed policy or inline policy listing the needed actions on specific resources.",
    validate=_managed,
    types=(
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "aws:iam/userPolicyAttachment:UserPolicyAttachment",
        "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
        "aws:iam/policyAttachment:PolicyAttachment",
        "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
        "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive",
        "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive",
        "aws:iam/role:Role",
        "aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment",
    ),
    covers=("AwsSolutions-IAM4", "CKV_AWS_274", "CKV2_AWS_56"),
    config={
        "deniedPolicies": {
            "type": "array",
            "items": {"type": "string"},
            "default": DEFAULT_DENIED_MANAGED,
            "description": "AWS-managed policies that must never be attached: names, or path/name for job functions; shell patterns allowed.",
        }
    },
)


# --- trust policies ---------------------------------------------------------------------------

ASSUME_ACTIONS = ("sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML")
_EKS_OIDC = re.compile(r"oidc-provider/(oidc\.eks\.[^/]+\.amazonaws\.com(?:\.cn)?/id/[^/\s]+)$")


def _trust_document(args: ResourceValidationArgs) -> PolicyDocument | None:
    raw = get(args.props, "assumeRolePolicy")
    if raw is None:
        return None
    try:
        return parse_document(raw)
    except DocumentError:
        return None


def _grants_assume(stmt: Statement) -> bool:
    return any(statement_grants(stmt, a) for a in ASSUME_ACTIONS) or any(
        statement_grants(stmt, a) for a in ("sts:TagSession", "sts:SetSourceIdentity")
    )


def _trust(args: ResourceValidationArgs, report: Report) -> None:
    doc = _trust_document(args)
    if doc is None:
        return
    for stmt in doc.allows:
        if not _grants_assume(stmt):
            continue
        if public_principal(stmt) and not restricts_principal(stmt):
            report(
                f"Role '{args.name}' trust policy {stmt.label} lets any AWS principal ('*') assume it without a condition "
                "on who the caller is. Name the trusted principals, or add aws:PrincipalOrgID / aws:PrincipalAccount / sts:ExternalId conditions."
            )
            continue
        federated = [i for k, i in stmt.principal_ids() if k == "Federated"]
        if federated and not stmt.conditions:
            report(
                f"Role '{args.name}' trust policy {stmt.label} trusts identity provider(s) {', '.join(federated)} with no conditions: "
                "every identity the provider issues can assume the role. Add StringEquals conditions on the provider's :sub and :aud claims."
            )


trust = resource_policy(
    "iam-trust-policy-restricted",
    category="least-privilege",
    description="Role trust policies never let '*' assume the role without a condition pinning the caller, and federated trust always has claim conditions.",
    severity=Severity.CRITICAL,
    controls=IAM_CONTROLS,
    remediation="Name specific principals in the trust policy; for '*' or federated principals add conditions (aws:PrincipalOrgID, sts:ExternalId, <provider>:sub/:aud).",
    validate=_trust,
    types=("aws:iam/role:Role",),
    covers=("CKV_AWS_60", "CKV_AWS_61", "CKV_AWS_393"),
)


def _irsa(args: ResourceValidationArgs, report: Report) -> None:
    doc = _trust_document(args)
    if doc is None:
        return
    for stmt in doc.allows:
        if not statement_grants(stmt, "sts:AssumeRoleWithWebIdentity"):
            continue
        for kind, ident in stmt.principal_ids():
            m = _EKS_OIDC.search(ident) if kind == "Federated" else None
            if not m:
                continue
            issuer = m.group(1)
            keys = stmt.condition_keys()
            sub = keys.get(f"{issuer}:sub".lower(), [])
            aud = keys.get(f"{issuer}:aud".lower(), [])
            exact = [vals for op, vals in sub if op in ("StringEquals", "ForAnyValue:StringEquals")]
            problems: list[str] = []
            if not exact:
                like = [v for op, vals in sub for v in vals]
                problems.append(
                    f"no StringEquals condition on '{issuer}:sub'"
                    + (f" (only wildcard matches {like})" if like else "")
                    + ", so any service account in the cluster can assume it"
                )
            else:
                bad = [
                    v
                    for vals in exact
                    for v in vals
                    if "*" in v or not re.fullmatch(r"system:serviceaccount:[a-z0-9.-]+:[a-z0-9.-]+", v)
                ]
                if bad:
                    problems.append(
                        f"'{issuer}:sub' values {bad} are not single service accounts (system:serviceaccount:<namespace>:<name>)"
                    )
            if not any("sts.amazonaws.com" in vals for op, vals in aud if op == "StringEquals"):
                problems.append(f"no StringEquals '{issuer}:aud' = 'sts.amazonaws.com' condition")
            if problems:
                report(
                    f"IRSA role '{args.name}' trust policy {stmt.label}: " + "; ".join(problems) + ". "
                    f"Use Condition {{'StringEquals': {{'{issuer}:sub': 'system:serviceaccount:<namespace>:<service-account>', '{issuer}:aud': 'sts.amazonaws.com'}}}}."
                )


irsa = resource_policy(
    "iam-irsa-trust-scoped-to-service-account",
    category="least-privilege",
    description="IRSA roles (EKS OIDC web-identity trust) are assumable only by one named service account, with the sts.amazonaws.com audience.",
    severity=Severity.HIGH,
    controls=IAM_CONTROLS,
    remediation="In the trust policy use StringEquals on <issuer>:sub = system:serviceaccount:<ns>:<sa> and <issuer>:aud = sts.amazonaws.com.",
    validate=_irsa,
    types=("aws:iam/role:Role",),
)


def _users(args: ResourceValidationArgs, report: Report) -> None:
    """UserPolicy and UserPolicyAttachment always grant to a user; the exclusive resources and
    PolicyAttachment only when they list something for users (an empty exclusive list is how a
    program states that a user has no direct policies)."""
    t = args.resource_type
    counted = {
        "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive": ("policyArns", "attached policies"),
        "aws:iam/userPoliciesExclusive:UserPoliciesExclusive": ("policyNames", "inline policies"),
        "aws:iam/policyAttachment:PolicyAttachment": ("users", "users the policy is attached to"),
    }
    if t in counted:
        prop, what = counted[t]
        listed = get(args.props, prop)  # its length is known in a preview even when the names are not
        count = len(listed) if isinstance(listed, Sequence) and not isinstance(listed, str) else int(bool(listed))
        granted = [f"{count} {what}"] if count else []
    else:
        granted = ["a policy"]
    if granted:
        report(
            f"'{args.name}' gives permissions directly to an IAM user ({'; '.join(granted)}). Grant permissions to groups "
            "(or better, roles assumed through IAM Identity Center) and add users to groups."
        )


users = resource_policy(
    "iam-users-no-direct-policies",
    category="least-privilege",
    description="IAM users receive permissions only through groups (no inline or attached user policies, no policy attachments naming users).",
    severity=Severity.MEDIUM,
    controls=Controls(soc2=("CC6.3",), iso27001=("A.5.18",), pci=("7.2.1",), cis=("1.15",)),
    remediation="Move the policy to an aws.iam.Group (GroupPolicy / GroupPolicyAttachment) and add the user with aws.iam.UserGroupMembership.",
    validate=_users,
    types=(
        "aws:iam/userPolicy:UserPolicy",
        "aws:iam/userPolicyAttachment:UserPolicyAttachment",
        "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive",
        "aws:iam/userPoliciesExclusive:UserPoliciesExclusive",
        "aws:iam/policyAttachment:PolicyAttachment",
    ),
    covers=("CKV_AWS_40",),
)


def _valid(args: ResourceValidationArgs, report: Report) -> None:
    found = list(documents(args))
    if args.resource_type == "aws:iam/role:Role" and get(args.props, "assumeRolePolicy") is not None:
        found.append(("assumeRolePolicy", get(args.props, "assumeRolePolicy")))
    for where, raw in found:
        try:
            doc = parse_document(raw)
        except DocumentError as exc:
            report(f"{_prefix(args, where)} is not a valid IAM policy document: {exc}.")
            continue
        for stmt in doc.statements:
            unknown: list[str] = []
            for pattern in (*stmt.actions, *stmt.not_actions):
                if pattern.strip() == "*":
                    continue
                service, _, name = pattern.partition(":")
                if not name:
                    unknown.append(f"{pattern!r} (expected service:Action)")
                elif not known_service(service):
                    unknown.append(f"{pattern!r} (unknown service prefix '{service}')")
                elif not expand(pattern):
                    unknown.append(f"{pattern!r} (matches no {service} action)")
            if unknown:
                report(
                    f"{_prefix(args, where)} {stmt.label} names actions AWS does not define: {', '.join(unknown)}. "
                    f"Fix the spelling (action data: {catalogue_source()})."
                )


valid = resource_policy(
    "iam-policy-document-valid",
    category="least-privilege",
    description="Policy documents parse, and every action they name exists (a typo silently grants nothing, or the wrong thing).",
    severity=Severity.MEDIUM,
    controls=Controls(soc2=("CC8.1",), iso27001=("A.8.9",), pci=("2.2.1",)),
    remediation="Correct the JSON or the action names (service prefix and action as in the AWS Service Authorization Reference).",
    validate=_valid,
    types=ALL_DOCUMENT_TYPES,
)


def _elasticache_auth(args: ResourceValidationArgs, report: Report) -> None:
    p = args.props
    t = args.resource_type
    if t == "aws:elasticache/cluster:Cluster":
        if given(p, "replicationGroupId") or str(get(p, "engine", default="")).lower() == "memcached":
            return  # members are judged on their group; node-based Memcached has no authentication
        report(
            f"ElastiCache cluster '{args.name}' is a standalone Redis/Valkey cluster, which cannot require authentication "
            "(no AUTH token or RBAC user groups). Use aws.elasticache.ReplicationGroup with user_group_ids."
        )
        return
    engine = str(get(p, "engine", default="redis")).lower()
    if engine == "memcached":
        return
    if t == "aws:elasticache/serverlessCache:ServerlessCache":
        if not get(p, "userGroupId"):
            report(
                f"ElastiCache serverless cache '{args.name}' lets any client that reaches it connect as the default user. "
                "Set user_group_id to an RBAC user group whose default user is disabled."
            )
        return
    if not (get(p, "authToken") or get(p, "authTokenWoVersion") is not None or as_list(get(p, "userGroupIds"))):
        report(
            f"ElastiCache replication group '{args.name}' lets any client that reaches it run commands. Set user_group_ids "
            "(RBAC users; preferred) or auth_token (from a secret, never plain config) with transit encryption on."
        )
    elif get(p, "authToken") and not truthy(get(p, "transitEncryptionEnabled")):
        report(
            f"ElastiCache replication group '{args.name}' has an AUTH token but no transit encryption: the token crosses the network in clear text."
        )


elasticache_auth = resource_policy(
    "elasticache-auth-required",
    category="least-privilege",
    description="Redis/Valkey caches require authentication: replication groups RBAC user groups or an AUTH token over TLS, serverless caches an RBAC user group; standalone Redis/Valkey clusters, which cannot, are refused.",
    severity=Severity.HIGH,
    controls=Controls(soc2=("CC6.1",), iso27001=("A.8.5",), pci=("8.3.1",)),
    remediation="Set user_group_ids (ElastiCache RBAC) or auth_token together with transit_encryption_enabled=True.",
    validate=_elasticache_auth,
    types=(
        "aws:elasticache/replicationGroup:ReplicationGroup",
        "aws:elasticache/serverlessCache:ServerlessCache",
        "aws:elasticache/cluster:Cluster",
    ),
    covers=("AwsSolutions-AEC6", "CKV_AWS_31"),
)

POLICIES = [
    wildcard_actions,
    resource_wildcard,
    not_action,
    passrole,
    escalation,
    managed,
    trust,
    irsa,
    users,
    valid,
    elasticache_auth,
]
