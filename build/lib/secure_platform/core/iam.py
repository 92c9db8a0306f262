"""IAM statement and document builders (pure: plain dicts in, plain dicts out).

Every policy the components write is assembled here, so least privilege is decided and tested in
one place: actions are named (never `*` or `service:*`), resources are ARNs, and `Resource: "*"`
is accepted in identity policies only for actions AWS cannot scope (`UNSCOPABLE_ACTIONS`).
Values may be `pulumi.Output`s (ARNs of resources not created yet); `policy_json` resolves them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pulumi

Statement = dict[str, Any]
Document = dict[str, Any]
StrInput = pulumi.Input[str]

VERSION = "2012-10-17"

# Actions whose Service Authorization Reference entry has no resource type: `Resource: "*"` is the
# only value IAM accepts for them. Anything else must name ARNs.
UNSCOPABLE_ACTIONS: frozenset[str] = frozenset(
    {
        "ecr:GetAuthorizationToken",
        "ssmmessages:CreateControlChannel",
        "ssmmessages:CreateDataChannel",
        "ssmmessages:OpenControlChannel",
        "ssmmessages:OpenDataChannel",
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        "xray:GetSamplingRules",
        "xray:GetSamplingTargets",
        "xray:GetSamplingStatisticSummaries",
        "cloudwatch:PutMetricData",
        "sts:GetCallerIdentity",
        "ec2:DescribeInstances",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSubnets",
        "ec2:DescribeVpcs",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeAvailabilityZones",
        "autoscaling:DescribeAutoScalingGroups",
        "autoscaling:DescribeAutoScalingInstances",
        "autoscaling:DescribeLaunchConfigurations",
        "autoscaling:DescribeScalingActivities",
        "autoscaling:DescribeTags",
        "ec2:DescribeImages",
        "ec2:DescribeInstanceTypes",
        "ec2:DescribeLaunchTemplateVersions",
        "ec2:GetInstanceTypesFromInstanceRequirements",
        "elasticloadbalancing:DescribeListeners",
        "elasticloadbalancing:DescribeLoadBalancers",
        "elasticloadbalancing:DescribeRules",
        "elasticloadbalancing:DescribeTags",
        "elasticloadbalancing:DescribeTargetGroupAttributes",
        "elasticloadbalancing:DescribeTargetGroups",
        "elasticloadbalancing:DescribeTargetHealth",
    }
)

# --- KMS action sets ---------------------------------------------------------------------------

KMS_DECRYPT: tuple[str, ...] = ("kms:Decrypt",)
# Named actions, not `kms:GenerateDataKey*` / `kms:ReEncrypt*`: those also cover asymmetric data
# key pairs, which nothing here uses.
KMS_GENERATE: tuple[str, ...] = ("kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext")
KMS_REENCRYPT: tuple[str, ...] = ("kms:ReEncryptFrom", "kms:ReEncryptTo")
KMS_ENCRYPT: tuple[str, ...] = ("kms:Encrypt", *KMS_GENERATE, *KMS_REENCRYPT)
KMS_ENCRYPT_DECRYPT: tuple[str, ...] = ("kms:Decrypt", *KMS_ENCRYPT)
KMS_USE: tuple[str, ...] = (*KMS_ENCRYPT_DECRYPT, "kms:DescribeKey")
"""What an AWS service acting for a caller needs (the set AWS-managed keys grant through kms:ViaService)."""
KMS_SERVICE_USE: tuple[str, ...] = (*KMS_USE, "kms:CreateGrant")
# Administration without use: no Encrypt/Decrypt and no CreateGrant (a grant could hand out use).
KMS_ADMIN: tuple[str, ...] = (
    "kms:CancelKeyDeletion",
    "kms:CreateAlias",
    "kms:DeleteAlias",
    "kms:DescribeKey",
    "kms:DisableKey",
    "kms:DisableKeyRotation",
    "kms:EnableKey",
    "kms:EnableKeyRotation",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListGrants",
    "kms:ListKeyPolicies",
    "kms:ListKeyRotations",
    "kms:ListResourceTags",
    "kms:PutKeyPolicy",
    "kms:RevokeGrant",
    "kms:RotateKeyOnDemand",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:UpdateAlias",
    "kms:UpdateKeyDescription",
)

# --- S3, logs, ECR, Secrets Manager action sets ------------------------------------------------

S3_READ_OBJECTS: tuple[str, ...] = ("s3:GetObject", "s3:GetObjectVersion")
S3_WRITE_OBJECTS: tuple[str, ...] = ("s3:PutObject", "s3:AbortMultipartUpload")
S3_DELETE_OBJECTS: tuple[str, ...] = ("s3:DeleteObject",)
S3_LIST_BUCKET: tuple[str, ...] = ("s3:ListBucket",)
LOGS_WRITE: tuple[str, ...] = ("logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents")
ECR_PULL: tuple[str, ...] = ("ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")
SECRETS_READ: tuple[str, ...] = ("secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue")
XRAY_WRITE: tuple[str, ...] = ("xray:PutTraceSegments",)
"""What an OpenTelemetry collector's awsxray exporter calls (telemetry records are off)."""
SSM_MESSAGES: tuple[str, ...] = (
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
)


class PolicyError(ValueError):
    """A statement that would break least privilege (or IAM's grammar)."""


# --- helpers ---------------------------------------------------------------------------------


def join(*parts: StrInput) -> StrInput:
    """Concatenate strings, staying a plain `str` when every part is one (keeps tests simple)."""
    if all(isinstance(p, str) for p in parts):
        return "".join(str(p) for p in parts)
    return pulumi.Output.concat(*parts)


def _one_or_many(values: Sequence[Any]) -> Any:
    return values[0] if len(values) == 1 else list(values)


def _is_wildcard_action(action: str) -> bool:
    """Any `*`: whole services (`s3:*`) and families (`kms:GenerateDataKey*`) grant more than named."""
    return "*" in action


def check_actions(actions: Iterable[str]) -> list[str]:
    out = list(actions)
    if not out:
        raise PolicyError("a statement needs at least one action")
    bad = [a for a in out if _is_wildcard_action(a)]
    if bad:
        raise PolicyError(f"wildcard action(s) {bad} are not allowed; name the actions")
    return out


def check_identity_statement(stmt: Mapping[str, Any]) -> None:
    """Raise `PolicyError` if an identity-policy Allow is broader than it may be (Denies only take away)."""
    if stmt.get("Effect") != "Allow":
        return
    actions = stmt.get("Action", [])
    actions = [actions] if isinstance(actions, str) else list(actions)
    check_actions(actions)
    resources = stmt.get("Resource", [])
    resources = [resources] if not isinstance(resources, list) else resources
    if not resources:
        raise PolicyError("an Allow statement needs a Resource")
    if "*" in resources:
        scoped = [a for a in actions if a not in UNSCOPABLE_ACTIONS]
        if scoped:
            raise PolicyError(f"Resource '*' with action(s) {scoped} that can be scoped to ARNs")


def _statement(
    effect: str,
    actions: Iterable[str],
    resources: Sequence[StrInput] | StrInput | None,
    *,
    principal: Any = None,
    conditions: Mapping[str, Mapping[str, Any]] | None = None,
    sid: str | None = None,
) -> Statement:
    stmt: Statement = {}
    if sid:
        stmt["Sid"] = sid
    stmt["Effect"] = effect
    if principal is not None:
        stmt["Principal"] = principal
    stmt["Action"] = _one_or_many(sorted(set(check_actions(actions))))
    if resources is not None:
        items = [resources] if not isinstance(resources, (list, tuple)) else list(resources)
        if not items:
            raise PolicyError("a statement needs at least one resource")
        stmt["Resource"] = _one_or_many(items)
    if conditions:
        stmt["Condition"] = {op: dict(kv) for op, kv in conditions.items()}
    return stmt


# --- identity statements ----------------------------------------------------------------------


def allow(
    actions: Iterable[str],
    resources: Sequence[StrInput] | StrInput,
    *,
    conditions: Mapping[str, Mapping[str, Any]] | None = None,
    sid: str | None = None,
) -> Statement:
    """An identity-policy Allow, checked for wildcard actions and unscoped resources."""
    stmt = _statement("Allow", actions, resources, conditions=conditions, sid=sid)
    check_identity_statement(stmt)
    return stmt


def kms_use(
    key_arn: StrInput,
    actions: Iterable[str] = KMS_DECRYPT,
    *,
    via_services: Sequence[str] = (),
    region: str | None = None,
    sid: str | None = None,
) -> Statement:
    """Use of one key; `via_services` (e.g. `secretsmanager`) limits it to calls made through them."""
    conditions: dict[str, dict[str, Any]] = {}
    if via_services:
        if region is None:
            raise PolicyError("kms_use with via_services needs the region")
        conditions["StringEquals"] = {"kms:ViaService": _one_or_many(service_endpoints(via_services, region))}
    return allow(actions, key_arn, conditions=conditions or None, sid=sid)


def logs_write(log_group_arn: StrInput, *, sid: str | None = None) -> Statement:
    """Write events to exactly one log group (its streams), e.g. flow logs or awslogs."""
    return allow(LOGS_WRITE, [log_group_arn, join(log_group_arn, ":log-stream:*")], sid=sid)


def cloudtrail_to_log_group(log_group_arn: StrInput, account_id: StrInput) -> Statement:
    """What CloudTrail needs to stream a trail into one log group: create and write its own
    streams (`<account>_CloudTrail_<region>...`), nothing else of the group."""
    return allow(
        ["logs:CreateLogStream", "logs:PutLogEvents"],
        join(log_group_arn, ":log-stream:", account_id, "_CloudTrail_*"),
        sid="CloudTrailDelivery",
    )


def ecr_pull(repository_arns: Sequence[StrInput]) -> list[Statement]:
    """Pull from the named repositories; the registry token cannot be scoped to a repository."""
    return [
        allow(ECR_PULL, list(repository_arns), sid="PullImages"),
        allow(["ecr:GetAuthorizationToken"], "*", sid="RegistryToken"),
    ]


def secrets_read(secret_arns: Sequence[StrInput], *, sid: str | None = "ReadSecrets") -> Statement:
    return allow(SECRETS_READ, list(secret_arns), sid=sid)


def s3_objects(bucket_arn: StrInput, prefix: str = "") -> StrInput:
    """The ARN of the objects under `prefix` (all objects when empty)."""
    return join(bucket_arn, "/", f"{prefix}*")


def s3_read(bucket_arn: StrInput, prefix: str = "") -> list[Statement]:
    list_conditions = {"StringLike": {"s3:prefix": f"{prefix}*"}} if prefix else None
    return [
        allow(S3_LIST_BUCKET, bucket_arn, conditions=list_conditions, sid="ListBucket"),
        allow(S3_READ_OBJECTS, s3_objects(bucket_arn, prefix), sid="ReadObjects"),
    ]


def s3_write(bucket_arn: StrInput, prefix: str = "") -> list[Statement]:
    return [allow(S3_WRITE_OBJECTS, s3_objects(bucket_arn, prefix), sid="WriteObjects")]


def s3_read_write(bucket_arn: StrInput, prefix: str = "") -> list[Statement]:
    return [
        *s3_read(bucket_arn, prefix),
        allow((*S3_WRITE_OBJECTS, *S3_DELETE_OBJECTS), s3_objects(bucket_arn, prefix), sid="WriteObjects"),
    ]


def sns_publish(topic_arn: StrInput) -> Statement:
    return allow(["sns:Publish"], topic_arn, sid="Publish")


def xray_write() -> Statement:
    """Send trace segments to X-Ray (no X-Ray action used here has a resource type)."""
    return allow(XRAY_WRITE, "*", sid="SendTraces")


def ssm_messages() -> Statement:
    """The Session Manager data channels ECS Exec and SSM agents open (unscopable by AWS design)."""
    return allow(SSM_MESSAGES, "*", sid="SessionChannels")


# --- trust policies ---------------------------------------------------------------------------


def service_trust(
    service: str,
    *,
    source_account: StrInput | None = None,
    source_arn_like: StrInput | None = None,
) -> Statement:
    """`sts:AssumeRole` for an AWS service, pinned to our account (and resources) against confused deputies."""
    conditions: dict[str, dict[str, Any]] = {}
    if source_account is not None:
        conditions["StringEquals"] = {"aws:SourceAccount": source_account}
    if source_arn_like is not None:
        conditions["ArnLike"] = {"aws:SourceArn": source_arn_like}
    return _statement("Allow", ["sts:AssumeRole"], None, principal={"Service": service}, conditions=conditions or None)


def service_account_subject(namespace: str, service_account: str) -> str:
    """`system:serviceaccount:<ns>:<sa>`, refusing blanks and patterns (one account, not a family)."""
    if not namespace or not service_account:
        raise PolicyError("IRSA trust needs a namespace and a service account name")
    if any(c in namespace + service_account for c in "*?:"):
        raise PolicyError(
            f"IRSA trust must name one service account, not {namespace!r}/{service_account!r} (no patterns)"
        )
    return f"system:serviceaccount:{namespace}:{service_account}"


def irsa_trust(provider_arn: str, issuer: str, namespace: str, service_account: str) -> Statement:
    """IRSA: only `system:serviceaccount:<ns>:<sa>` of this cluster's OIDC issuer, for STS."""
    subject = service_account_subject(namespace, service_account)
    host = issuer.removeprefix("https://")
    return _statement(
        "Allow",
        ["sts:AssumeRoleWithWebIdentity"],
        None,
        principal={"Federated": provider_arn},
        conditions={
            "StringEquals": {
                f"{host}:sub": subject,
                f"{host}:aud": "sts.amazonaws.com",
            }
        },
    )


# --- resource-policy statements ---------------------------------------------------------------


def deny_insecure_transport(bucket_arn: StrInput) -> Statement:
    """Refuse every request to the bucket and its objects that does not use TLS."""
    # A Deny on every S3 action is the one place a service-wide action is right: it only takes away.
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, join(bucket_arn, "/*")],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def service_publish(
    topic_arn: StrInput, service: str, account_id: StrInput, source_arn_like: StrInput, *, sid: str
) -> Statement:
    """Topic policy: an AWS service may publish, only for our account's resources (SourceArn)."""
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "sns:Publish",
        "Resource": topic_arn,
        "Condition": {"StringEquals": {"aws:SourceAccount": account_id}, "ArnLike": {"aws:SourceArn": source_arn_like}},
    }


def deny_insecure_publish(topic_arn: StrInput) -> Statement:
    """Topic policy: refuse publishing over plain HTTP."""
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "sns:Publish",
        "Resource": topic_arn,
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def deny_outdated_tls(bucket_arn: StrInput, minimum: str = "1.2") -> Statement:
    """Refuse TLS versions older than `minimum` (AWS's S3 security best practice)."""
    return {
        "Sid": "DenyOutdatedTls",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, join(bucket_arn, "/*")],
        "Condition": {"NumericLessThan": {"s3:TlsVersion": minimum}},
    }


# --- documents --------------------------------------------------------------------------------


def document(statements: Iterable[Statement], *, policy_id: str | None = None) -> Document:
    doc: Document = {"Version": VERSION}
    if policy_id:
        doc["Id"] = policy_id
    stmts = list(statements)
    sids = [s["Sid"] for s in stmts if s.get("Sid")]
    duplicates = sorted({s for s in sids if sids.count(s) > 1})
    if duplicates:
        raise PolicyError(f"duplicate statement id(s) {duplicates}")
    doc["Statement"] = stmts
    return doc


def policy_json(doc_or_statements: Document | Iterable[Statement]) -> pulumi.Output[str]:
    """The policy as JSON text, with every `Output` inside it resolved."""
    doc = doc_or_statements if isinstance(doc_or_statements, dict) else document(doc_or_statements)
    return pulumi.Output.json_dumps(doc)


def service_endpoints(services: Iterable[str], region: str) -> list[str]:
    """`kms:ViaService` values: `<service>.<region>.amazonaws.com`."""
    return [f"{s}.{region}.amazonaws.com" for s in services]


def managed_policy_arn(name: str, partition: str = "aws") -> str:
    """ARN of an AWS-managed policy (`service-role/...` names keep their path)."""
    return f"arn:{partition}:iam::aws:policy/{name}"
