"""Who holds or can take permissions: AWS-managed policies with administrator-equivalent power
attached to roles, users and groups; role trust policies (open, federated and IRSA trust); IAM
users with policies of their own; and clients of Redis/Valkey caches (authentication).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from pulumi_policy import ResourceValidationArgs, Severity
from pulumi_policy.proxy import UnknownValueError

from ..helpers import as_list, get, given, known_or, matches_any, truthy
from ..iam_documents import (
    DocumentError,
    PolicyDocument,
    Statement,
    parse_document,
    public_principal,
    restricts_principal,
    statement_grants,
)
from ..registry import Controls, Report, config_value, resource_policy
from .documents import IAM_CONTROLS

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
    description="No role, user, group or Identity Center permission set gets an AWS-managed policy with administrator-equivalent power (AdministratorAccess, PowerUserAccess, IAMFullAccess, job-function administrators, full access to S3, DynamoDB, RDS, secrets, Lambda, ECS, EC2, CloudFormation, SSM, CloudTrail, KMS power user).",
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
        "aws:ssoadmin/managedPolicyAttachmentsExclusive:ManagedPolicyAttachmentsExclusive",
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
            continue
        if statement_grants(stmt, "sts:AssumeRoleWithWebIdentity"):
            for issuer in (_web_identity_issuer(i) for i in federated):
                problem = _unpinned_web_identity(stmt, issuer) if issuer else None
                if problem:
                    report(f"Role '{args.name}' trust policy {stmt.label} {problem}")


def _web_identity_issuer(federated: str) -> str | None:
    """The issuer of a web-identity principal (an OIDC provider's ARN, or a well-known issuer
    such as cognito-identity.amazonaws.com), whose claims the condition keys are named after;
    None for SAML providers and for EKS clusters (iam-irsa-trust-scoped-to-service-account)."""
    if ":saml-provider/" in federated or _EKS_OIDC.search(federated):
        return None
    return federated.split(":oidc-provider/", 1)[1] if ":oidc-provider/" in federated else federated


_GITHUB_ACTIONS = re.compile(r"^token\.actions\.githubusercontent\.com(/[^/]+)?$")
_PINNED_GITHUB_SUBJECT = re.compile(r"^repo:[^*?/]+/")


def _unpinned_web_identity(stmt: Statement, issuer: str) -> str | None:
    """Why a web-identity trust lets identities of other owners in, or None. The audience says
    which client asked for the token, not who the caller is: the subject does. GitHub's issuer
    signs a token for every workflow of every repository on GitHub, so its subject must name the
    owner (`repo:<owner>/...`); AWS and GitHub document both claims
    (https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services).
    Cognito identity pools pin the pool with the `aud` claim instead
    (https://docs.aws.amazon.com/cognito/latest/developerguide/role-trust-and-permissions.html)."""
    keys = stmt.condition_keys()
    if issuer == "cognito-identity.amazonaws.com":
        aud = [v for op, vals in keys.get(f"{issuer}:aud", []) if op.endswith("StringEquals") for v in vals]
        if aud:
            return None
        return (
            "trusts the Cognito identity service without a StringEquals condition on cognito-identity.amazonaws.com:aud: "
            "identities of any identity pool in any account can assume the role. Pin the identity pool id."
        )
    values = [v for _, vals in keys.get(f"{issuer.lower()}:sub", []) for v in vals]
    if not values:
        return (
            f"trusts {issuer} with no condition on its '{issuer}:sub' claim: every identity the issuer signs a token for "
            f"(for GitHub, every workflow of every repository) can assume the role. Add StringLike '{issuer}:sub' = "
            "'repo:<owner>/<repository>:ref:refs/heads/main' (or :environment:<name>)."
        )
    github = bool(_GITHUB_ACTIONS.match(issuer))
    open_values = [
        v
        for v in values
        if v.startswith(("*", "?")) or (github and v.startswith("repo:") and not _PINNED_GITHUB_SUBJECT.match(v))
    ]
    if open_values:
        return (
            f"matches '{issuer}:sub' against {open_values}, which any owner's identities satisfy. Name the owner and "
            "repository: 'repo:<owner>/<repository>:...'."
        )
    return None


trust = resource_policy(
    "iam-trust-policy-restricted",
    category="least-privilege",
    description="Role trust policies never let '*' assume the role without a condition pinning the caller; federated trust always has claim conditions, and web-identity trust pins the subject (for GitHub Actions, the repository owner) or the Cognito identity pool.",
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


# --- users ------------------------------------------------------------------------------------


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


# --- cache authentication ---------------------------------------------------------------------


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
