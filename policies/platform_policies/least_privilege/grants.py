"""What the Allow statements of IAM policy documents grant: wildcard actions, Resource '*' on
actions that can be scoped, NotAction/NotResource, unscoped iam:PassRole and known
privilege-escalation combinations; and that every document parses and names actions AWS defines.
"""

from __future__ import annotations

import re

from pulumi_policy import ResourceValidationArgs, Severity

from ..helpers import get
from ..iam_documents import (
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
    statement_grants,
)
from ..registry import Controls, Report, config_value, resource_policy
from .documents import ALL_DOCUMENT_TYPES, IAM_CONTROLS, IDENTITY, IDENTITY_TYPES, _prefix, documents, parsed

KEY_POLICY_TYPES = ("aws:kms/key:Key", "aws:kms/keyPolicy:KeyPolicy")


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


# --- document validity ------------------------------------------------------------------------


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
