"""Storage under the SDK mocks: buckets, replication, RDS, ElastiCache, AWS Backup, and that no
secret value travels in clear text."""

from __future__ import annotations

import functools
import json
import runpy
from typing import Any

import pulumi_aws as aws
import pytest

from offline_preview import Capture, run_program
from secure_platform.config import parse_config
from secure_platform.core import iam
from secure_platform.storage.plan import BACKUP_MANAGED_POLICIES
from tests.components.helpers import (
    BACKEND,
    BUCKET,
    KEY,
    LOG_GROUP,
    NETWORKING,
    RDS,
    REPLICATION_GROUP,
    REPO,
    ROLE,
    ROLE_POLICY,
    SECRET,
    SECURITY,
    STORAGE,
    VAULT,
    of_type,
    provider_region,
    ref,
    referencing,
    refs,
    stack_capture,
    stack_file_config,
    statements,
    variant_capture,
)

STACKS = ("dev", "staging", "prod")
ACCOUNT = "123456789012"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"


@functools.cache
def naming(stack: str):
    return parse_config(stack_file_config(stack), stack=stack).naming


def security_key(capture: Capture, purpose: str):
    (key,) = [k for k in of_type(capture, KEY, SECURITY) if k.name == purpose]
    return key


def attached(capture, bucket, type_):
    found = list(referencing(capture, bucket, type_, "bucket"))
    assert len(found) == 1, (bucket.urn, type_, [f.urn for f in found])
    return found[0]


# --- buckets ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_every_bucket_has_encryption_versioning_and_public_access_block_that_reference_it(stack):
    capture = stack_capture(stack)
    buckets = capture.of_type(BUCKET)
    # state, log archive, assets, backups (+ in prod a replica of each in us-west-2)
    assert len(buckets) == (8 if stack == "prod" else 4)
    for bucket in buckets:
        (rule,) = attached(capture, bucket, SSE).inputs["rules"]
        assert rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"] in ("aws:kms", "AES256")
        assert rule["blockedEncryptionTypes"] == ["SSE-C"]
        assert attached(capture, bucket, VERSIONING).inputs["versioningConfiguration"] == {"status": "Enabled"}
        pab = attached(capture, bucket, PAB)
        assert all(
            pab.inputs[f] is True
            for f in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
        )


@pytest.mark.parametrize("stack", STACKS)
def test_assets_and_backups_use_the_data_key_log_to_the_archive_and_are_protected_when_the_stack_is(stack):
    capture = stack_capture(stack)
    buckets = {b.name: b for b in of_type(capture, BUCKET, STORAGE)}
    data = security_key(capture, "data")
    for purpose in ("assets", "backups"):
        bucket = buckets[purpose]
        assert bucket.inputs["bucket"] == naming(stack).bucket(purpose, ACCOUNT)
        assert ref(capture, attached(capture, bucket, SSE), "rules").urn == data.urn
        logging = attached(capture, bucket, "aws:s3/bucketLogging:BucketLogging")
        assert logging.inputs["targetBucket"] == naming(stack).bucket("logs", ACCOUNT)
        assert logging.inputs["targetPrefix"] == f"s3-access/platform-{stack}-{purpose}/"
        assert bucket.protect is (stack != "dev") and bucket.retain_on_delete is (stack != "dev")
        assert bucket.inputs["forceDestroy"] is (stack == "dev")


def test_lifecycles_never_expire_served_assets_and_tier_backups_per_environment():
    def rule(capture, purpose):
        (bucket,) = [b for b in of_type(capture, BUCKET, STORAGE) if b.name == purpose]
        (r,) = attached(capture, bucket, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs[
            "rules"
        ]
        return r

    prod = stack_capture("prod")
    assert "expiration" not in rule(prod, "assets") and "transitions" not in rule(prod, "assets")
    backups = rule(prod, "backups")
    assert [(t["days"], t["storageClass"]) for t in backups["transitions"]] == [(30, "STANDARD_IA"), (90, "GLACIER")]
    assert backups["expiration"] == {"days": 365}
    assert rule(stack_capture("dev"), "backups")["expiration"] == {"days": 30}
    # Backups follow their own key, not the log archive's.
    varied = variant_capture("dev", "storage", backupsExpiryDays=45)
    assert rule(varied, "backups")["expiration"] == {"days": 45}
    (logs,) = [b for b in varied.of_type(BUCKET) if b.name == "log-archive"]
    (log_rule,) = attached(varied, logs, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs[
        "rules"
    ]
    assert log_rule["expiration"] == {"days": 30}


@pytest.mark.parametrize("purpose", ["backups", "assets"])
def test_storage_buckets_replicate_to_the_second_region_only_in_prod(purpose):
    assert stack_capture("dev").of_type("aws:s3/bucketReplicationConfig:BucketReplicationConfig") == []
    capture = stack_capture("prod")
    (config,) = [
        c
        for c in of_type(capture, "aws:s3/bucketReplicationConfig:BucketReplicationConfig", STORAGE)
        if c.name == purpose
    ]
    buckets = {b.name: b for b in of_type(capture, BUCKET, STORAGE)}
    source, replica = buckets[purpose], buckets[f"{purpose}-us-west-2"]
    logs = next(b for b in of_type(capture, BUCKET, BACKEND) if b.name == "log-archive-us-west-2")
    assert ref(capture, config, "bucket").urn == source.urn
    assert provider_region(capture, replica) == provider_region(capture, logs) == "us-west-2"
    assert provider_region(capture, source) == "us-east-1"
    (rule,) = config.inputs["rules"]
    assert rule["destination"]["bucket"] == replica.outputs["arn"]
    # The replica is encrypted with a key of its own Region, which Storage creates there.
    (regional_key,) = [k for k in of_type(capture, KEY, STORAGE) if k.name == "data-us-west-2"]
    assert provider_region(capture, regional_key) == "us-west-2"
    assert regional_key.inputs["enableKeyRotation"] is True and regional_key.inputs["deletionWindowInDays"] == 30
    assert regional_key.protect is True
    sids = {s["Sid"] for s in statements(regional_key.inputs["policy"])}
    assert sids == {"KeyAdministration", "UseThroughAwsServices"}
    (use,) = [s for s in statements(regional_key.inputs["policy"]) if s["Sid"] == "UseThroughAwsServices"]
    assert "s3.us-west-2.amazonaws.com" in use["Condition"]["StringEquals"]["kms:ViaService"]
    assert rule["destination"]["encryptionConfiguration"]["replicaKmsKeyId"] == regional_key.outputs["arn"]
    assert ref(capture, attached(capture, replica, SSE), "rules").urn == regional_key.urn
    assert rule["sourceSelectionCriteria"] == {"sseKmsEncryptedObjects": {"status": "Enabled"}}
    # Versioning on both sides before the rule is saved.
    for bucket in (source, replica):
        assert attached(capture, bucket, VERSIONING).urn in _closure_deps(capture, config)
    # S3 server access logs stay in their Region: the replica logs to the log archive's replica there.
    logging = attached(capture, replica, "aws:s3/bucketLogging:BucketLogging")
    assert logs.urn in {r.urn for r in refs(capture, logging, "targetBucket")}


def _closure_deps(capture: Capture, resource) -> set[str]:
    """URNs `resource` waits for, with components expanded to their children."""
    out: set[str] = set()
    for urn in resource.dependencies:
        out.add(urn)
        out.update(r.urn for r in capture.descendants(urn))
    return out


def test_replication_role_is_least_privilege_and_trusted_only_for_the_source_bucket():
    capture = stack_capture("prod")
    (role,) = [r for r in of_type(capture, ROLE, STORAGE) if r.name == "backups-replication"]
    (trust,) = statements(role.inputs["assumeRolePolicy"])
    source = next(b for b in of_type(capture, BUCKET, STORAGE) if b.name == "backups")
    assert trust["Principal"] == {"Service": "s3.amazonaws.com"}
    assert trust["Condition"] == {
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
        "ArnLike": {"aws:SourceArn": source.outputs["arn"]},
    }
    (policy,) = list(referencing(capture, role, ROLE_POLICY, "role"))
    for stmt in statements(policy.inputs["policy"]):
        iam.check_identity_statement(stmt)
        assert "*" not in str(stmt["Resource"]).replace("/*", ""), stmt


# --- RDS ---------------------------------------------------------------------------------------------


def test_prod_database_is_multi_az_deletion_protected_with_final_snapshot_and_protect():
    capture = stack_capture("prod")
    (db,) = capture.of_type(RDS)
    assert db.inputs["multiAz"] is True
    assert db.inputs["deletionProtection"] is True
    assert db.inputs["skipFinalSnapshot"] is False
    assert db.inputs["finalSnapshotIdentifier"] == "platform-prod-db-final"
    assert db.protect is True and db.retain_on_delete is True
    assert db.inputs["deleteAutomatedBackups"] is False


def test_dev_database_is_disposable():
    (db,) = stack_capture("dev").of_type(RDS)
    assert db.inputs["multiAz"] is False and db.inputs["deletionProtection"] is False
    assert db.inputs["skipFinalSnapshot"] is True and db.protect is False


@pytest.mark.parametrize("stack", STACKS)
def test_database_is_private_encrypted_tls_only_and_has_no_password_anywhere(stack):
    capture = stack_capture(stack)
    (db,) = capture.of_type(RDS)
    inputs = db.inputs
    assert inputs["identifier"] == naming(stack).db_identifier  # what Monitoring's alarms watch
    assert inputs["storageEncrypted"] is True and inputs["storageType"] == "gp3"
    assert ref(capture, db, "kmsKeyId").urn == security_key(capture, "data").urn
    assert inputs["manageMasterUserPassword"] is True
    assert ref(capture, db, "masterUserSecretKmsKeyId").urn == security_key(capture, "secrets").urn
    assert "password" not in inputs and "passwordWo" not in inputs
    assert inputs["iamDatabaseAuthenticationEnabled"] is True
    assert inputs["publiclyAccessible"] is False
    assert ref(capture, db, "dbSubnetGroupName").type == "aws:rds/subnetGroup:SubnetGroup"
    (sg,) = refs(capture, db, "vpcSecurityGroupIds")
    assert sg.name == "database" and capture.component_of(sg.urn, {NETWORKING}) is not None
    group = ref(capture, db, "parameterGroupName")
    assert group.inputs["family"] == "postgres15"
    assert {"name": "rds.force_ssl", "value": "1", "applyMethod": "immediate"} in group.inputs["parameters"]
    assert ref(capture, db, "performanceInsightsKmsKeyId").urn == security_key(capture, "data").urn
    monitoring_role = ref(capture, db, "monitoringRoleArn")
    assert monitoring_role.name == "rds-monitoring" and capture.component_of(monitoring_role.urn, {SECURITY})
    assert inputs["autoMinorVersionUpgrade"] is True
    assert inputs["tags"]["Backup"] == "true"


@pytest.mark.parametrize("stack", STACKS)
def test_database_logs_go_to_encrypted_groups_created_before_it(stack):
    capture = stack_capture(stack)
    (db,) = capture.of_type(RDS)
    groups = {g.inputs["name"]: g for g in of_type(capture, LOG_GROUP, STORAGE)}
    exports = db.inputs["enabledCloudwatchLogsExports"]
    assert set(exports) == {"postgresql", "upgrade"}
    for log_type in exports:
        group = groups[naming(stack).rds_log_group(log_type)]
        assert group.urn in db.dependencies
        assert ref(capture, group, "kmsKeyId").urn == security_key(capture, "logs").urn


def test_aws_backup_owns_automated_backup_retention_when_continuous_backup_is_on():
    (db,) = stack_capture("prod").of_type(RDS)
    assert set(db.ignore_changes) == {"backupRetentionPeriod", "backupWindow"}
    (db,) = variant_capture("dev", "backup", continuous=False).of_type(RDS)
    assert db.ignore_changes == []


def test_mysql_forces_tls_and_exports_error_and_slow_query_logs():
    # No Performance Insights: RDS for MySQL has none on db.t3.micro (the config refuses it).
    capture = variant_capture("dev", "database", engine="mysql", engineVersion="8.0", performanceInsights=False)
    (db,) = capture.of_type(RDS)
    group = ref(capture, db, "parameterGroupName")
    assert group.inputs["family"] == "mysql8.0"
    params = {p["name"]: p["value"] for p in group.inputs["parameters"]}
    assert params["require_secure_transport"] == "ON"
    assert set(db.inputs["enabledCloudwatchLogsExports"]) == {"error", "slowquery"}
    names = {g.inputs["name"] for g in of_type(capture, LOG_GROUP, STORAGE)}
    assert names == {naming("dev").rds_log_group(t) for t in ("error", "slowquery")}


# --- ElastiCache ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("stack", "nodes", "failover", "snapshots"), [("dev", 1, False, 1), ("prod", 2, True, 7)])
def test_cache_is_encrypted_authenticated_and_fails_over_with_two_nodes(stack, nodes, failover, snapshots):
    capture = stack_capture(stack)
    (group,) = capture.of_type(REPLICATION_GROUP)
    inputs = group.inputs
    assert inputs["replicationGroupId"] == naming(stack).cache_replication_group_id
    assert inputs["atRestEncryptionEnabled"] is True
    assert ref(capture, group, "kmsKeyId").urn == security_key(capture, "data").urn
    assert inputs["transitEncryptionEnabled"] is True and inputs["transitEncryptionMode"] == "required"
    assert inputs["numCacheClusters"] == nodes
    assert inputs["automaticFailoverEnabled"] is failover and inputs["multiAzEnabled"] is failover
    assert inputs["snapshotRetentionLimit"] == snapshots
    assert ref(capture, group, "subnetGroupName").type == "aws:elasticache/subnetGroup:SubnetGroup"
    (sg,) = refs(capture, group, "securityGroupIds")
    assert sg.name == "cache"
    assert group.protect is (stack == "prod")


@pytest.mark.parametrize("stack", STACKS)
def test_auth_token_is_generated_kept_in_secrets_manager_and_only_ever_a_secret(stack):
    capture = stack_capture(stack)
    (group,) = capture.of_type(REPLICATION_GROUP)
    (password,) = capture.of_type("random:index/randomPassword:RandomPassword")
    assert password.inputs["length"] >= 32 and password.inputs["special"] is False
    assert ref(capture, group, "authToken").urn == password.urn
    assert "authToken" in group.secret_paths
    (secret,) = of_type(capture, SECRET, STORAGE)
    assert secret.inputs["name"] == naming(stack).cache_auth_secret
    assert ref(capture, secret, "kmsKeyId").urn == security_key(capture, "secrets").urn
    (version,) = capture.of_type("aws:secretsmanager/secretVersion:SecretVersion")
    assert ref(capture, version, "secretString").urn == password.urn
    assert "secretString" in version.secret_paths


def test_no_cache_resources_without_elasticache():
    capture = variant_capture("dev", "cache", provider="none")
    assert capture.of_type(REPLICATION_GROUP) == [] and of_type(capture, SECRET, STORAGE) == []
    assert capture.outputs.get("cacheEndpoint") is None


# --- secrets never in clear text --------------------------------------------------------------------------


def _leaves(value: Any, path: str = "") -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        return [leaf for k, v in value.items() for leaf in _leaves(v, f"{path}.{k}" if path else k)]
    if isinstance(value, list):
        return [leaf for i, v in enumerate(value) for leaf in _leaves(v, f"{path}[{i}]")]
    return [(path, value)]


def _under(path: str, secret_paths: list[str]) -> bool:
    return any(path == p or path.startswith((f"{p}.", f"{p}[")) for p in secret_paths)


@pytest.mark.parametrize("stack", STACKS)
def test_no_secret_value_appears_in_any_input_or_output_in_clear_text(stack):
    capture = stack_capture(stack)
    secrets = [p.outputs["result"] for p in capture.of_type("random:index/randomPassword:RandomPassword")]
    assert secrets, "the cache AUTH token is generated in this stack"
    found = 0
    for resource in capture.resources:
        for path, value in _leaves(resource.inputs):
            if isinstance(value, str) and any(s in value for s in secrets):
                found += 1
                assert _under(path, resource.secret_paths), f"{resource.urn} {path} holds a secret in clear text"
    assert found >= 2  # the replication group's token and the secret version's value, both as secrets
    exported = json.dumps(capture.outputs)
    assert not any(s in exported for s in secrets)
    assert capture.secret_outputs == []
    assert capture.outputs["databaseMasterSecretArn"].startswith(
        f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:rds!db-"
    )


# --- AWS Backup ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_backup_vault_uses_the_data_key_and_is_locked_and_protected_as_configured(stack):
    capture = stack_capture(stack)
    vaults = {v.name: v for v in of_type(capture, VAULT, STORAGE)}
    vault = vaults["vault"]
    assert vault.inputs["name"] == naming(stack).backup_vault
    assert ref(capture, vault, "kmsKeyArn").urn == security_key(capture, "data").urn
    assert vault.protect is (stack != "dev") and vault.inputs["forceDestroy"] is (stack == "dev")
    locks = capture.of_type("aws:backup/vaultLockConfiguration:VaultLockConfiguration")
    assert bool(locks) is (stack == "prod")  # backup.vaultLock
    for lock in locks:
        assert "changeableForDays" not in lock.inputs  # governance mode
        assert lock.inputs["minRetentionDays"] <= 30 <= lock.inputs["maxRetentionDays"]
    policies = capture.of_type("aws:backup/vaultPolicy:VaultPolicy")
    assert bool(policies) is (stack != "dev")


def test_prod_copies_recovery_points_to_a_vault_and_key_in_the_second_region():
    capture = stack_capture("prod")
    copy = next(v for v in of_type(capture, VAULT, STORAGE) if v.name == "vault-us-west-2")
    assert provider_region(capture, copy) == "us-west-2"
    key = ref(capture, copy, "kmsKeyArn")
    assert key.name == "data-us-west-2" and provider_region(capture, key) == "us-west-2"
    (plan,) = capture.of_type("aws:backup/plan:Plan")
    copies = {r["ruleName"]: r.get("copyActions") for r in plan.inputs["rules"]}
    assert copies["daily"][0]["destinationVaultArn"] == copy.outputs["arn"]
    assert copies["weekly"][0]["destinationVaultArn"] == copy.outputs["arn"]
    # state, data, logs, secrets + in us-west-2 one data key (replicas and copies), the state
    # replica's key and the key of the trail's replicated files
    assert len(capture.of_type(KEY)) == 7
    assert not stack_capture("dev").of_type("aws:backup/plan:Plan")[0].inputs["rules"][1].get("copyActions")


@pytest.mark.parametrize("stack", STACKS)
def test_backup_plan_has_pitr_daily_and_weekly_rules_and_selects_this_stacks_tagged_resources(stack):
    capture = stack_capture(stack)
    (plan,) = capture.of_type("aws:backup/plan:Plan")
    rules = {r["ruleName"]: r for r in plan.inputs["rules"]}
    assert set(rules) == {"continuous", "daily", "weekly"}
    assert rules["continuous"]["enableContinuousBackup"] is True
    assert {r["lifecycle"]["deleteAfter"] for r in rules.values()} == {30}
    (selection,) = capture.of_type("aws:backup/selection:Selection")
    assert selection.inputs["resources"] == ["*"]
    (condition,) = selection.inputs["conditions"]
    wanted = {(c["key"], c["value"]) for c in condition["stringEquals"]}
    assert wanted == {
        ("aws:ResourceTag/Backup", "true"),
        ("aws:ResourceTag/Project", "platform"),
        ("aws:ResourceTag/Environment", stack),
    }
    # What is tagged for backup: the database and the assets bucket, and when protected the Pulumi
    # state bucket and the log archive (BackendState).
    tagged = {r.name for r in capture.resources if (r.inputs.get("tags") or {}).get("Backup") == "true"}
    assert tagged == {"database", "assets"} | ({"state", "log-archive"} if stack != "dev" else set())
    role = ref(capture, selection, "iamRoleArn")
    (trust,) = statements(role.inputs["assumeRolePolicy"])
    assert trust["Principal"] == {"Service": "backup.amazonaws.com"}
    attached = {
        a.inputs["policyArn"].split(":policy/", 1)[1]
        for a in referencing(capture, role, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "role")
    }
    assert attached == set(BACKUP_MANAGED_POLICIES)


# --- handles for Compute ----------------------------------------------------------------------------------


def grants_program() -> None:
    """The stack program, then what Compute will do with Storage's handles."""
    platform = runpy.run_path(str(REPO / "__main__.py"))["platform"]
    storage, security = platform.storage, platform.security
    role = security.roles.ecs_task_execution
    storage.database.master_secret.grant_read(storage, "exec-reads-db-secret", role)
    storage.cache.auth_secret.grant_read(storage, "exec-reads-cache-token", role)
    storage.assets_bucket.grant_read(storage, "task-reads-assets", security.roles.ecs_task)


def test_handles_carry_what_a_grant_needs():
    capture = run_program(REPO, "dev", program=grants_program, mode="up")
    policies = {p.name: p for p in capture.of_type(ROLE_POLICY)}
    (db,) = capture.of_type(RDS)
    db_secret = db.outputs["masterUserSecrets"][0]["secretArn"]
    read_db = {s["Sid"]: s for s in statements(policies["exec-reads-db-secret"].inputs["policy"])}
    assert read_db["ReadSecrets"]["Resource"] == db_secret
    secrets_key = security_key(capture, "secrets")
    assert read_db["SecretKey"]["Resource"] == secrets_key.outputs["arn"]
    assert (
        read_db["SecretKey"]["Condition"]["StringEquals"]["kms:ViaService"] == "secretsmanager.us-east-1.amazonaws.com"
    )
    (cache_secret,) = of_type(capture, SECRET, STORAGE)
    read_token = {s["Sid"]: s for s in statements(policies["exec-reads-cache-token"].inputs["policy"])}
    assert read_token["ReadSecrets"]["Resource"] == cache_secret.outputs["arn"]
    # The token's ARN resolves only once its value is stored.
    version = capture.of_type("aws:secretsmanager/secretVersion:SecretVersion")[0]
    assert version.urn in _closure_deps(capture, policies["exec-reads-cache-token"])
    read_assets = {s["Sid"]: s for s in statements(policies["task-reads-assets"].inputs["policy"])}
    assert read_assets["BucketKey"]["Resource"] == security_key(capture, "data").outputs["arn"]
    for policy in (policies["exec-reads-db-secret"], policies["exec-reads-cache-token"], policies["task-reads-assets"]):
        assert capture.component_of(policy.urn, {STORAGE}) is not None
    assert isinstance(aws.rds.Instance, type)
