"""Storage's decisions as plain functions: lifecycles, the database's TLS parameters and log
exports, AWS Backup rules and selection, S3 replication permissions."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secure_platform.storage import plan as storage_plan
from secure_platform.storage.plan import (
    assets_lifecycle,
    backup_selection_conditions,
    backups_lifecycle,
    db_parameters,
    log_exports,
    parameter_group_family,
    replication_statements,
)


def backup_rules(*args: Any, **kwargs: Any) -> list[Any]:
    """The plan's rules as plain dicts (the SDK's TypedDicts type every value as an Input)."""
    return list(storage_plan.backup_rules(*args, **kwargs))


def plain(value: Any) -> Any:
    return value


WEEK = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]


def cron_days(expression: str) -> set[str]:
    """Days of week of an AWS cron expression `cron(min hour dom month dow year)`."""
    dow = expression.removeprefix("cron(").removesuffix(")").split()[4]
    if dow in ("*", "?"):
        return set(WEEK)
    days: set[str] = set()
    for part in dow.split(","):
        start, _, end = part.partition("-")
        days.update(WEEK[WEEK.index(start) : WEEK.index(end or start) + 1])
    return days


# --- lifecycles --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expiry", "tiers"),
    [(30, []), (90, [(30, "STANDARD_IA")]), (365, [(30, "STANDARD_IA"), (90, "GLACIER")])],
)
def test_backups_tier_down_before_they_expire(expiry, tiers):
    (rule,) = plain(backups_lifecycle(expiry, 60).rules())
    assert [(t["days"], t["storage_class"]) for t in rule.get("transitions", [])] == tiers
    assert rule["expiration"] == {"days": expiry}
    assert rule["noncurrent_version_expiration"] == {"noncurrent_days": 60}
    assert rule["abort_incomplete_multipart_upload"] == {"days_after_initiation": 7}


@settings(deadline=None)
@given(expiry=st.integers(1, 3650), noncurrent=st.integers(1, 3650))
def test_no_transition_is_on_or_after_its_expiry(expiry, noncurrent):
    (rule,) = plain(backups_lifecycle(expiry, noncurrent).rules())
    assert all(t["days"] < expiry for t in rule.get("transitions", []))
    assert all(t["noncurrent_days"] < noncurrent for t in rule.get("noncurrent_version_transitions", []))


def test_served_assets_never_expire_nor_go_to_glacier():
    (rule,) = plain(assets_lifecycle(90).rules())
    assert "expiration" not in rule and "transitions" not in rule
    assert rule["noncurrent_version_transitions"] == [{"noncurrent_days": 30, "storage_class": "STANDARD_IA"}]
    assert rule["noncurrent_version_expiration"] == {"noncurrent_days": 90}
    (short,) = plain(assets_lifecycle(30).rules())
    assert "noncurrent_version_transitions" not in short


def test_lifecycle_days_must_be_positive():
    with pytest.raises(ValueError):
        backups_lifecycle(0, 30)
    with pytest.raises(ValueError):
        assets_lifecycle(0)


# --- RDS ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("engine", "version", "family"),
    [
        ("postgres", "15", "postgres15"),
        ("postgres", "16.4", "postgres16"),
        ("mysql", "8.0", "mysql8.0"),
        ("mysql", "8.0.39", "mysql8.0"),
        ("mysql", "8.4", "mysql8.4"),
    ],
)
def test_parameter_group_family(engine, version, family):
    assert parameter_group_family(engine, version) == family


def test_both_engines_refuse_clients_without_tls():
    postgres = {p.name: p.value for p in db_parameters("postgres")}
    mysql = {p.name: p.value for p in db_parameters("mysql")}
    assert postgres["rds.force_ssl"] == "1"
    assert mysql["require_secure_transport"] == "ON"
    # Slow queries are logged, and MySQL writes them to files RDS can export.
    assert "log_min_duration_statement" in postgres
    assert mysql["slow_query_log"] == "1" and mysql["log_output"] == "FILE"


def test_engine_logs_are_exported():
    assert "postgresql" in log_exports("postgres")
    assert set(log_exports("mysql")) == {"error", "slowquery"}


def test_master_username_is_not_reserved_by_either_engine():
    assert storage_plan.MASTER_USERNAME not in ("admin", "postgres", "rdsadmin", "root")


# --- AWS Backup ------------------------------------------------------------------------------------------


def by_name(rules):
    return {r["rule_name"]: r for r in rules}


def test_daily_and_weekly_snapshots_with_the_retention_and_continuous_backup():
    rules = by_name(backup_rules("vault", 30, continuous=True))
    assert set(rules) == {"continuous", "daily", "weekly"}
    assert rules["continuous"]["enable_continuous_backup"] is True
    assert not rules["daily"]["enable_continuous_backup"] and not rules["weekly"]["enable_continuous_backup"]
    for rule in rules.values():
        assert rule["lifecycle"] == {"delete_after": 30}
        assert rule["target_vault_name"] == "vault"
    assert "continuous" not in by_name(backup_rules("vault", 30, continuous=False))


def test_snapshots_run_every_day_exactly_once():
    rules = by_name(backup_rules("vault", 30, continuous=False))
    daily, weekly = cron_days(rules["daily"]["schedule"]), cron_days(rules["weekly"]["schedule"])
    assert daily.isdisjoint(weekly)  # overlapping rules would make AWS Backup skip one
    assert daily | weekly == {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}


def test_point_in_time_recovery_is_kept_at_most_35_days():
    (pitr,) = [r for r in backup_rules("vault", 90, continuous=True) if r["enable_continuous_backup"]]
    assert pitr["lifecycle"] == {"delete_after": 35}


def test_snapshots_are_copied_to_the_second_region_only_when_asked():
    copy = "arn:aws:backup:us-west-2:123456789012:backup-vault:v"
    rules = by_name(backup_rules("vault", 30, continuous=True, copy_vault_arn=copy))
    for name in ("daily", "weekly"):
        assert rules[name]["copy_actions"] == [{"destination_vault_arn": copy, "lifecycle": {"delete_after": 30}}]
    assert "copy_actions" not in rules["continuous"]
    assert all("copy_actions" not in r for r in backup_rules("vault", 30, continuous=True))


def test_selection_needs_the_backup_tag_and_this_stacks_tags():
    (condition,) = plain(backup_selection_conditions({"Project": "platform", "Environment": "prod"}))
    assert condition == {
        "string_equals": [
            {"key": "aws:ResourceTag/Backup", "value": "true"},
            {"key": "aws:ResourceTag/Environment", "value": "prod"},
            {"key": "aws:ResourceTag/Project", "value": "platform"},
        ]
    }


def test_vault_lock_bounds_contain_the_plan_retention():
    for retention in (1, 7, 30, 400):
        low, high = storage_plan.vault_lock_retention(retention)
        assert low <= retention <= high
        assert low <= 7 and high >= 365


def test_recovery_points_cannot_be_deleted_by_hand():
    stmt = storage_plan.protect_recovery_points("arn:vault")
    assert stmt["Effect"] == "Deny" and stmt["Resource"] == "arn:vault"
    assert "backup:DeleteRecoveryPoint" in stmt["Action"]


# --- replication ------------------------------------------------------------------------------------------

SRC = "arn:aws:s3:::platform-prod-backups-123456789012-us-east-1"
DST = "arn:aws:s3:::platform-prod-backups-123456789012-us-west-2"
SRC_KEY = "arn:aws:kms:us-east-1:123456789012:key/1"
DST_KEY = "arn:aws:kms:us-west-2:123456789012:key/2"


def test_replication_role_reads_the_source_writes_the_destination_and_nothing_else():
    stmts = {s["Sid"]: s for s in replication_statements(SRC, DST, SRC_KEY, "us-east-1", DST_KEY, "us-west-2")}
    assert stmts["SourceBucket"]["Resource"] == SRC
    assert stmts["SourceObjectVersions"]["Resource"] == f"{SRC}/*"
    assert stmts["ReplicateIntoDestination"]["Resource"] == f"{DST}/*"
    writes = [a for s in stmts.values() for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])]
    assert not [a for a in writes if a.startswith(("s3:Put", "s3:Delete"))]
    decrypt, encrypt = stmts["DecryptSource"], stmts["EncryptReplicas"]
    assert decrypt["Resource"] == SRC_KEY and decrypt["Action"] == "kms:Decrypt"
    assert decrypt["Condition"]["StringEquals"] == {"kms:ViaService": "s3.us-east-1.amazonaws.com"}
    assert decrypt["Condition"]["StringLike"]["kms:EncryptionContext:aws:s3:arn"] == [SRC, f"{SRC}/*"]
    assert encrypt["Resource"] == DST_KEY
    assert encrypt["Condition"]["StringEquals"] == {"kms:ViaService": "s3.us-west-2.amazonaws.com"}


def test_replication_rule_covers_kms_objects_and_deletes_into_the_replica_key():
    rule = plain(storage_plan.replication_rule(DST, DST_KEY))
    assert rule["filter"] == {} and rule["status"] == "Enabled"
    assert rule["source_selection_criteria"] == {"sse_kms_encrypted_objects": {"status": "Enabled"}}
    assert rule["delete_marker_replication"] == {"status": "Enabled"}
    assert rule["destination"]["encryption_configuration"] == {"replica_kms_key_id": DST_KEY}


def test_cache_failover_needs_a_replica():
    assert not storage_plan.cache_failover(1)
    assert storage_plan.cache_failover(2)


def test_physical_names_other_components_rely_on():
    from secure_platform.core.naming import Naming

    n = Naming("platform", "prod", "us-east-1")
    assert n.cache_member_clusters(3) == (
        "platform-prod-redis-001",
        "platform-prod-redis-002",
        "platform-prod-redis-003",
    )
    assert n.rds_log_group("postgresql") == "/aws/rds/instance/platform-prod-db/postgresql"
    # The logs key admits CloudWatch Logs for these groups (key_policies.log_group_patterns).
    assert n.rds_log_group("x").startswith(n.aws_log_groups()[-1].rstrip("*"))


def test_the_rotation_period_changes_once_per_period_and_only_then():
    import datetime
    import itertools

    start = datetime.date(2026, 12, 7)
    days = storage_plan.AUTH_TOKEN_ROTATION_DAYS
    labels = [storage_plan.rotation_period(start + datetime.timedelta(days=d), days) for d in range(2 * days)]
    assert len(set(labels)) in (2, 3)  # two boundaries at most in 60 days, each crossed once
    changes = sum(1 for a, b in itertools.pairwise(labels) if a != b)
    assert changes == len(set(labels)) - 1
    with pytest.raises(ValueError):
        storage_plan.rotation_period(start, 0)
