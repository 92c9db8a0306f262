"""KMS key policies per purpose (pure).

The model, per key:

* the account root may *administer* the key (no Encrypt/Decrypt, no CreateGrant), so IAM admins
  can never lock it out and nobody gets use by default;
* IAM principals of the account may *use* it only through the AWS services of its purpose
  (`kms:ViaService`, as AWS-managed keys do), and only when their own IAM policy allows it too,
  which is what the components' `grant_*` methods write;
* a few roles created with the key use it directly and are named;
* AWS services that act as themselves (CloudWatch Logs, CloudTrail, CloudWatch alarms, the EC2
  Auto Scaling service-linked role) get their own statements, each pinned to our account, our
  resources or our stack's names.

A statement's `Resource: "*"` inside a key policy means "this key": it is the only value KMS accepts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi

from secure_platform.core import iam
from secure_platform.core.naming import Naming

KEY_PURPOSES: tuple[str, ...] = ("data", "logs", "secrets")

# Services through which account principals may use each key (kms:ViaService).
VIA_SERVICES: dict[str, tuple[str, ...]] = {
    # RDS and Performance Insights, ElastiCache, EBS (ec2), S3 buckets, AWS Backup vaults, ECR repositories.
    "data": ("backup", "ec2", "ecr", "elasticache", "rds", "s3"),
    # SNS alarm topics, S3 (reading CloudTrail files in the log archive), CloudTrail (trail set-up).
    "logs": ("cloudtrail", "s3", "sns"),
    # Secrets Manager (incl. RDS-managed master passwords), SSM SecureString, EKS envelope encryption.
    "secrets": ("eks", "elasticache", "rds", "secretsmanager", "ssm"),
}

# What the CloudWatch Logs service principal needs for encrypted log groups: AWS documents it as
# `kms:Encrypt*`, `kms:Decrypt*`, `kms:ReEncrypt*`, `kms:GenerateDataKey*`, `kms:Describe*`; these
# are the symmetric-key actions those families contain.
LOGS_SERVICE_ACTIONS: tuple[str, ...] = ("kms:Decrypt", *iam.KMS_ENCRYPT)
"""What CloudWatch Logs does with the logs key, limited by `kms:EncryptionContext:aws:logs:arn`.
No kms:DescribeKey: it carries no encryption context (Service Authorization Reference), so under
that condition it would never be allowed anyway."""


@dataclass(frozen=True)
class KeyPolicyContext:
    """Where the key lives: account, partition and the stack's names."""

    account_id: str
    partition: str
    naming: Naming

    @property
    def region(self) -> str:
        return self.naming.region

    @property
    def root(self) -> str:
        return f"arn:{self.partition}:iam::{self.account_id}:root"

    @property
    def autoscaling_service_linked_role(self) -> str:
        return (
            f"arn:{self.partition}:iam::{self.account_id}:role/aws-service-role/"
            "autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
        )


# --- statements -------------------------------------------------------------------------------


def administration(ctx: KeyPolicyContext) -> iam.Statement:
    return {
        "Sid": "KeyAdministration",
        "Effect": "Allow",
        "Principal": {"AWS": ctx.root},
        "Action": list(iam.KMS_ADMIN),
        "Resource": "*",
    }


def use_through_services(ctx: KeyPolicyContext, services: Sequence[str]) -> iam.Statement:
    return {
        "Sid": "UseThroughAwsServices",
        "Effect": "Allow",
        "Principal": {"AWS": ctx.root},
        "Action": list(iam.KMS_SERVICE_USE),
        "Resource": "*",
        "Condition": {
            "StringEquals": {
                "kms:CallerAccount": ctx.account_id,
                "kms:ViaService": iam.service_endpoints(sorted(services), ctx.region),
            }
        },
    }


def use_by_account(ctx: KeyPolicyContext) -> iam.Statement:
    """Direct use by IAM principals of the account that their IAM policy allows (state secrets)."""
    return {
        "Sid": "UseByAccountPrincipals",
        "Effect": "Allow",
        "Principal": {"AWS": ctx.root},
        "Action": list(iam.KMS_USE),
        "Resource": "*",
        "Condition": {"StringEquals": {"kms:CallerAccount": ctx.account_id}},
    }


def use_by_roles(role_arns: Sequence[pulumi.Input[str]], actions: Sequence[str], sid: str) -> iam.Statement:
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"AWS": list(role_arns)},
        "Action": list(actions),
        "Resource": "*",
    }


def log_group_patterns(naming: Naming) -> list[str]:
    """Every log group name of the stack the logs key may encrypt."""
    return [f"{naming.log_group_root}/*", naming.waf_log_group, *naming.aws_log_groups()]


def cloudwatch_logs(ctx: KeyPolicyContext) -> iam.Statement:
    arns = [
        f"arn:{ctx.partition}:logs:{ctx.region}:{ctx.account_id}:log-group:{name}"
        for name in log_group_patterns(ctx.naming)
    ]
    return {
        "Sid": "CloudWatchLogsForStackLogGroups",
        "Effect": "Allow",
        "Principal": {"Service": f"logs.{ctx.region}.amazonaws.com"},
        "Action": list(LOGS_SERVICE_ACTIONS),
        "Resource": "*",
        "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": arns}},
    }


def cloudtrail(ctx: KeyPolicyContext) -> list[iam.Statement]:
    trail_arn = ctx.naming.trail_arn(ctx.account_id, ctx.partition)
    return [
        {
            "Sid": "CloudTrailEncryptLogs",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "kms:GenerateDataKey",
            "Resource": "*",
            "Condition": {
                "StringEquals": {"aws:SourceArn": trail_arn},
                "StringLike": {
                    "kms:EncryptionContext:aws:cloudtrail:arn": (
                        f"arn:{ctx.partition}:cloudtrail:*:{ctx.account_id}:trail/*"
                    )
                },
            },
        },
        {
            "Sid": "CloudTrailDescribeKey",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "kms:DescribeKey",
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceArn": trail_arn}},
        },
    ]


def cloudwatch_alarms(ctx: KeyPolicyContext) -> iam.Statement:
    """Alarms publish to SNS topics encrypted with this key (AWS-managed aws/sns cannot allow it)."""
    return {
        "Sid": "CloudWatchAlarmsToEncryptedTopics",
        "Effect": "Allow",
        "Principal": {"Service": "cloudwatch.amazonaws.com"},
        "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:SourceAccount": ctx.account_id}},
    }


def budgets(ctx: KeyPolicyContext) -> iam.Statement:
    """AWS Budgets publishes forecast alerts to the (encrypted) alarm topics."""
    return {
        "Sid": "BudgetsToEncryptedTopics",
        "Effect": "Allow",
        "Principal": {"Service": "budgets.amazonaws.com"},
        "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:SourceAccount": ctx.account_id}},
    }


def session_clients(ctx: KeyPolicyContext) -> iam.Statement:
    """Session Manager / ECS Exec clients encrypt session data with a data key; decrypting it is
    left to the named instance and task roles."""
    return {
        "Sid": "SessionClientsGenerateDataKey",
        "Effect": "Allow",
        "Principal": {"AWS": ctx.root},
        "Action": "kms:GenerateDataKey",
        "Resource": "*",
        "Condition": {"StringEquals": {"kms:CallerAccount": ctx.account_id}},
    }


def autoscaling_ebs(ctx: KeyPolicyContext) -> list[iam.Statement]:
    """EC2 Auto Scaling launches EKS managed-node-group instances with EBS volumes encrypted by this
    key; it acts as its service-linked role, which must exist (KMS rejects unknown principals)."""
    slr = ctx.autoscaling_service_linked_role
    return [
        {
            "Sid": "AutoScalingUseForEncryptedVolumes",
            "Effect": "Allow",
            "Principal": {"AWS": slr},
            "Action": list(iam.KMS_USE),
            "Resource": "*",
        },
        {
            "Sid": "AutoScalingAttachPersistentResources",
            "Effect": "Allow",
            "Principal": {"AWS": slr},
            "Action": "kms:CreateGrant",
            "Resource": "*",
            "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
        },
    ]


# --- whole policies ---------------------------------------------------------------------------


def purpose_key_policy(
    purpose: str,
    ctx: KeyPolicyContext,
    *,
    direct_users: Sequence[pulumi.Input[str]] = (),
    direct_actions: Sequence[str] = iam.KMS_DECRYPT,
    autoscaling_volumes: bool = False,
) -> iam.Document:
    """The key policy of the `data`, `logs` or `secrets` key.

    `direct_users` are roles that call KMS themselves (not through a service), e.g. the instance
    and task roles decrypting Session Manager / ECS Exec data with the logs key.
    """
    if purpose not in KEY_PURPOSES:
        raise ValueError(f"unknown key purpose {purpose!r}; expected one of {', '.join(KEY_PURPOSES)}")
    statements: list[dict[str, Any]] = [administration(ctx), use_through_services(ctx, VIA_SERVICES[purpose])]
    if direct_users:
        statements.append(use_by_roles(direct_users, direct_actions, "UseByNamedRoles"))
    if purpose == "logs":
        statements += [
            cloudwatch_logs(ctx),
            *cloudtrail(ctx),
            cloudwatch_alarms(ctx),
            budgets(ctx),
            session_clients(ctx),
        ]
    if purpose == "data" and autoscaling_volumes:
        statements += autoscaling_ebs(ctx)
    return iam.document(statements, policy_id=f"{ctx.naming.prefix}-{purpose}")


def state_key_policy(ctx: KeyPolicyContext) -> iam.Document:
    """The Pulumi state/secrets key: operators and CI encrypt and decrypt with it directly
    (`awskms://` secrets provider), each only if their IAM policy allows it."""
    return iam.document([administration(ctx), use_by_account(ctx)], policy_id=f"{ctx.naming.prefix}-state")


def replica_key_policy(ctx: KeyPolicyContext, purpose: str) -> iam.Document:
    """A key in the replication Region for replicas of SSE-KMS objects written under a `purpose`
    key (the log archive's CloudTrail files): S3 replication encrypts with it and readers decrypt
    with it, both only through S3 in that Region and as their IAM policy allows."""
    return iam.document(
        [administration(ctx), use_through_services(ctx, ("s3",))], policy_id=f"{ctx.naming.prefix}-{purpose}-replicas"
    )
