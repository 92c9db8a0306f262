"""What Storage builds, decided in plain functions (pure): bucket lifecycles, the database's
parameter group and log exports, the AWS Backup plan rules, the replication role's statements.

The component only turns these into resources, so each rule here has a fast test of its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pulumi
import pulumi_aws as aws

from secure_platform.core import iam
from secure_platform.core.log_delivery import LifecyclePlan, Transition

Engine = Literal["postgres", "mysql"]

# --- buckets ------------------------------------------------------------------------------------

IA_AFTER_DAYS = 30
"""S3's minimum age for STANDARD_IA."""
GLACIER_AFTER_DAYS = 90


def _before(transitions: Sequence[Transition], expiry: int | None) -> tuple[Transition, ...]:
    """S3 rejects a transition on or after the expiration day; keep those that come first."""
    return tuple(t for t in transitions if expiry is None or t.days < expiry)


def backups_lifecycle(expiry_days: int, noncurrent_days: int) -> LifecyclePlan:
    """Backups are written once and read rarely: Standard-IA after 30 days, Glacier Flexible
    Retrieval after 90, gone after `expiry_days`; overwritten versions follow the same path."""
    if expiry_days < 1 or noncurrent_days < 1:
        raise ValueError("expiry days must be at least 1")
    tiers = (Transition(IA_AFTER_DAYS, "STANDARD_IA"), Transition(GLACIER_AFTER_DAYS, "GLACIER"))
    return LifecyclePlan(
        transitions=_before(tiers, expiry_days),
        expiration_days=expiry_days,
        noncurrent_transitions=_before(tiers, noncurrent_days),
        noncurrent_expiration_days=noncurrent_days,
    )


def assets_lifecycle(noncurrent_days: int) -> LifecyclePlan:
    """Static assets are served: current objects stay in S3 Standard and never expire (Glacier
    objects cannot be read without a restore). Replaced versions go to Standard-IA after 30 days
    and expire after `noncurrent_days`."""
    if noncurrent_days < 1:
        raise ValueError("noncurrent expiry days must be at least 1")
    return LifecyclePlan(
        noncurrent_transitions=_before((Transition(IA_AFTER_DAYS, "STANDARD_IA"),), noncurrent_days),
        noncurrent_expiration_days=noncurrent_days,
    )


# --- RDS ---------------------------------------------------------------------------------------


def engine_major(engine: Engine, version: str) -> str:
    """`15`, `15.4` -> `15` (PostgreSQL); `8.0`, `8.0.35` -> `8.0` (MySQL)."""
    parts = version.split(".")
    return parts[0] if engine == "postgres" else ".".join(parts[:2])


def parameter_group_family(engine: Engine, version: str) -> str:
    """`postgres15`, `mysql8.0`."""
    return f"{engine}{engine_major(engine, version)}"


@dataclass(frozen=True)
class DbParameter:
    name: str
    value: str
    apply_method: Literal["immediate", "pending-reboot"] = "immediate"

    def args(self) -> aws.rds.ParameterGroupParameterArgsDict:
        return {"name": self.name, "value": self.value, "apply_method": self.apply_method}


SLOW_QUERY_MS = 1000


def db_parameters(engine: Engine) -> list[DbParameter]:
    """TLS required for every client; slow statements logged (and exported to CloudWatch)."""
    if engine == "postgres":
        return [
            DbParameter("rds.force_ssl", "1"),
            DbParameter("log_min_duration_statement", str(SLOW_QUERY_MS)),
        ]
    return [
        DbParameter("require_secure_transport", "ON"),
        DbParameter("slow_query_log", "1"),
        DbParameter("long_query_time", str(SLOW_QUERY_MS / 1000)),
        # RDS exports only file-based logs to CloudWatch.
        DbParameter("log_output", "FILE"),
    ]


def log_exports(engine: Engine) -> list[str]:
    """Log types exported to CloudWatch Logs (`/aws/rds/instance/<id>/<type>`)."""
    return ["postgresql", "upgrade"] if engine == "postgres" else ["error", "slowquery"]


MASTER_USERNAME = "platform_admin"
"""Not `admin`/`postgres`/`rdsadmin` (reserved by one engine or the other)."""


def final_snapshot_identifier(identifier: str) -> str:
    return f"{identifier}-final"


# --- ElastiCache ---------------------------------------------------------------------------------

CACHE_PORT = 6379
CACHE_SNAPSHOT_WINDOW = "04:00-05:00"
"""UTC; after the database's default backup window, before the cache maintenance window."""
CACHE_MAINTENANCE_WINDOW = "sun:05:30-sun:06:30"
AUTH_TOKEN_LENGTH = 64
"""ElastiCache AUTH tokens: 16-128 printable characters; letters and digits only here (no
character ElastiCache forbids, none that needs quoting in a Redis URL)."""


def cache_failover(num_cache_clusters: int) -> bool:
    """Automatic failover and Multi-AZ need a replica; with one node there is nothing to fail over to."""
    return num_cache_clusters >= 2


# --- AWS Backup ----------------------------------------------------------------------------------

CONTINUOUS_SCHEDULE = "cron(0 1 ? * * *)"
"""When the continuous rule's job runs (it keeps one rolling recovery point up to date)."""
DAILY_SCHEDULE = "cron(0 5 ? * MON-SAT *)"
WEEKLY_SCHEDULE = "cron(0 5 ? * SUN *)"
"""Daily and weekly snapshots never overlap: AWS Backup would run only one of overlapping rules."""
CONTINUOUS_MAX_DAYS = 35
"""AWS Backup keeps continuous (point-in-time) recovery points at most 35 days."""
START_WINDOW_MINUTES = 60
COMPLETION_WINDOW_MINUTES = 24 * 60
BACKUP_TAG = ("Backup", "true")
"""Storage tags what must be backed up; the plan selects by this tag (and the stack's tags)."""


def backup_rules(
    vault_name: pulumi.Input[str],
    retention_days: int,
    *,
    continuous: bool,
    copy_vault_arn: pulumi.Input[str] | None = None,
) -> list[aws.backup.PlanRuleArgsDict]:
    """`aws.backup.Plan` rules: a snapshot every day (the Sunday one is the weekly full backup)
    kept `retention_days` and copied to the second Region when `copy_vault_arn` is given, and with
    `continuous` a point-in-time rule for RDS and S3 (restore to any second of the window: RPO
    far below 1 h). The continuous recovery point stays in the Region; the snapshots are the copies.

    RDS: AWS Backup's continuous rule takes over the instance's automated backups, including their
    retention period and window (Storage ignores those two settings when continuous is on).
    """
    if retention_days < 1:
        raise ValueError("retention_days must be at least 1")
    copy: list[aws.backup.PlanRuleCopyActionArgsDict] = (
        [{"destination_vault_arn": copy_vault_arn, "lifecycle": {"delete_after": retention_days}}]
        if copy_vault_arn is not None
        else []
    )

    def rule(
        name: str, schedule: str, *, pitr: bool = False, days: int = retention_days
    ) -> aws.backup.PlanRuleArgsDict:
        out: aws.backup.PlanRuleArgsDict = {
            "rule_name": name,
            "target_vault_name": vault_name,
            "schedule": schedule,
            "schedule_expression_timezone": "UTC",
            "start_window": START_WINDOW_MINUTES,
            "completion_window": COMPLETION_WINDOW_MINUTES,
            "enable_continuous_backup": pitr,
            "lifecycle": {"delete_after": days},
            "recovery_point_tags": {"BackupRule": name},
        }
        if not pitr and copy:
            out["copy_actions"] = copy
        return out

    rules = [rule("daily", DAILY_SCHEDULE), rule("weekly", WEEKLY_SCHEDULE)]
    if continuous:
        rules.insert(
            0, rule("continuous", CONTINUOUS_SCHEDULE, pitr=True, days=min(retention_days, CONTINUOUS_MAX_DAYS))
        )
    return rules


def backup_selection_conditions(tags: Mapping[str, str]) -> list[aws.backup.SelectionConditionArgsDict]:
    """`aws.backup.Selection` conditions, all of which must hold (AND): `Backup=true` plus the
    stack's Project and Environment tags, so two stacks in one account never back up each
    other's resources (`selection_tags` would OR them)."""
    wanted = {BACKUP_TAG[0]: BACKUP_TAG[1], **tags}
    return [{"string_equals": [{"key": f"aws:ResourceTag/{k}", "value": v} for k, v in sorted(wanted.items())]}]


# AWS-managed policies of the backup role (AWS Backup's documented default role).
BACKUP_MANAGED_POLICIES: tuple[str, ...] = (
    "service-role/AWSBackupServiceRolePolicyForBackup",
    "service-role/AWSBackupServiceRolePolicyForRestores",
    "AWSBackupServiceRolePolicyForS3Backup",
    "AWSBackupServiceRolePolicyForS3Restore",
)


def vault_lock_retention(retention_days: int) -> tuple[int, int]:
    """(min, max) retention the vault lock enforces: nothing can be kept shorter than a week (or
    the plan's retention if shorter) nor longer than a year, whatever a plan says later."""
    return min(7, retention_days), max(365, retention_days)


def protect_recovery_points(vault_arn: pulumi.Input[str]) -> iam.Statement:
    """Vault access policy: nobody deletes recovery points or shortens their lifecycle by hand
    (AWS Backup still expires them on schedule, which is not an API call by a principal)."""
    return {
        "Sid": "DenyRecoveryPointDeletion",
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Action": ["backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle"],
        "Resource": vault_arn,
    }


# --- S3 replication ---------------------------------------------------------------------------


def replication_statements(
    source_arn: pulumi.Input[str],
    destination_arn: pulumi.Input[str],
    source_key_arn: pulumi.Input[str],
    source_region: str,
    destination_key_arn: pulumi.Input[str],
    destination_region: str,
) -> list[iam.Statement]:
    """What S3 replication needs, and nothing more (S3 User Guide, "Setting up permissions" for
    live replication, SSE-KMS objects): read the source's configuration and object versions,
    replicate into the destination, decrypt with the source key and encrypt with the destination
    key, each only through S3 in its Region and only for these buckets (with S3 Bucket Keys the
    encryption context is the bucket ARN, without them the object ARN)."""

    def context(bucket: pulumi.Input[str]) -> dict[str, Any]:
        return {"StringLike": {"kms:EncryptionContext:aws:s3:arn": [bucket, iam.join(bucket, "/*")]}}

    return [
        iam.allow(["s3:GetReplicationConfiguration", "s3:ListBucket"], source_arn, sid="SourceBucket"),
        iam.allow(
            ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"],
            iam.s3_objects(source_arn),
            sid="SourceObjectVersions",
        ),
        iam.allow(
            ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
            iam.s3_objects(destination_arn),
            sid="ReplicateIntoDestination",
        ),
        iam.allow(
            ["kms:Decrypt"],
            source_key_arn,
            conditions={
                "StringEquals": {"kms:ViaService": f"s3.{source_region}.amazonaws.com"},
                **context(source_arn),
            },
            sid="DecryptSource",
        ),
        iam.allow(
            ["kms:Encrypt", "kms:GenerateDataKey"],
            destination_key_arn,
            conditions={
                "StringEquals": {"kms:ViaService": f"s3.{destination_region}.amazonaws.com"},
                **context(destination_arn),
            },
            sid="EncryptReplicas",
        ),
    ]


def replication_rule(
    destination_arn: pulumi.Input[str], destination_key_arn: pulumi.Input[str]
) -> aws.s3.BucketReplicationConfigRuleArgsDict:
    """One rule for the whole bucket: every object (SSE-KMS included) and delete markers, stored
    as Standard-IA in the destination (a copy for disaster recovery, read only then)."""
    return {
        "id": "disaster-recovery",
        "status": "Enabled",
        "priority": 1,
        "filter": {},
        "delete_marker_replication": {"status": "Enabled"},
        "source_selection_criteria": {"sse_kms_encrypted_objects": {"status": "Enabled"}},
        "destination": {
            "bucket": destination_arn,
            "storage_class": "STANDARD_IA",
            "encryption_configuration": {"replica_kms_key_id": destination_key_arn},
            # Replication metrics (bytes and operations pending, latency) without paying for RTC.
            "metrics": {"status": "Enabled"},
        },
    }
