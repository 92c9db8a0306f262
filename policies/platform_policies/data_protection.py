"""Data protection: stateful resources cannot be deleted by accident, databases keep a final
snapshot and enough backups, buckets keep versions, keys are not deleted on short notice."""

from __future__ import annotations

from typing import Any

from pulumi_policy import ResourceValidationArgs, Severity, StackValidationArgs

from .helpers import Deferred, as_list, get, given, is_set, number, of_type, peek, targets, truthy
from .registry import Controls, Report, config_value, resource_policy, stack_policy

BACKUP = Controls(soc2=("A1.2", "CC7.5"), iso27001=("A.8.13",), pci=("12.10.1",))
DELETION = Controls(soc2=("A1.2", "CC6.1"), iso27001=("A.8.13", "A.8.10"))

DEFAULT_STATEFUL_TYPES = [
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketV2:BucketV2",
    "aws:kms/key:Key",
    "aws:rds/instance:Instance",
    "aws:rds/cluster:Cluster",
    "aws:backup/vault:Vault",
    "aws:ecr/repository:Repository",
    "aws:dynamodb/table:Table",
    "aws:efs/fileSystem:FileSystem",
    "aws:elasticache/replicationGroup:ReplicationGroup",
    "aws:elasticache/cluster:Cluster",
    "aws:elasticache/serverlessCache:ServerlessCache",
    "aws:secretsmanager/secret:Secret",
    "aws:ebs/volume:Volume",
]
CACHE_CLUSTER = "aws:elasticache/cluster:Cluster"
SERVERLESS_CACHE = "aws:elasticache/serverlessCache:ServerlessCache"


def _holds_no_data(r: Any) -> bool:
    """Cache clusters that are replicas of a replication group (the group is judged) and
    node-based Memcached (memory only, nothing to lose beyond a cold cache)."""
    if r.resource_type != CACHE_CLUSTER:
        return False
    return is_set(r, "replicationGroupId") or str(peek(r.props, "engine") or "").lower() == "memcached"


def _protected(args: StackValidationArgs, report: Report) -> None:
    wanted = set(config_value(args, "statefulTypes", DEFAULT_STATEFUL_TYPES))
    for r in args.resources:
        if r.resource_type in wanted and not r.opts.protect and not _holds_no_data(r):
            report(
                f"Stateful {r.resource_type.split(':')[-1]} '{r.name}' is not protected: a refactor or `pulumi destroy` would delete its data. "
                "Pass opts=pulumi.ResourceOptions(protect=True) (and retain_on_delete=True where losing it is unrecoverable).",
                r.urn,
            )


protected = stack_policy(
    "stateful-resources-protected",
    category="data-protection",
    description="Stateful resources (buckets, KMS keys, databases, Redis/Valkey caches, backup vaults, ECR repositories, tables, file systems, EBS volumes, secrets) have `protect` set.",
    severity=Severity.HIGH,
    controls=DELETION,
    remediation="Set protect=True in the resource options of every stateful resource in protected environments.",
    validate=_protected,
    types=tuple(DEFAULT_STATEFUL_TYPES),
    config={
        "statefulTypes": {
            "type": "array",
            "items": {"type": "string"},
            "default": DEFAULT_STATEFUL_TYPES,
            "description": "Resource types that must be protected.",
        }
    },
)


def _deletion_protection(args: ResourceValidationArgs, report: Report) -> None:
    prop = "deletionProtectionEnabled" if args.resource_type == "aws:dynamodb/table:Table" else "deletionProtection"
    if not truthy(get(args.props, prop)):
        report(f"{args.resource_type.split(':')[-1]} '{args.name}' can be deleted through the API. Set {prop}=True.")


deletion_protection = resource_policy(
    "database-deletion-protection",
    category="data-protection",
    description="RDS instances, Aurora clusters and DynamoDB tables have deletion protection on.",
    severity=Severity.HIGH,
    controls=DELETION,
    remediation="Set deletion_protection=True (RDS) or deletion_protection_enabled=True (DynamoDB).",
    validate=_deletion_protection,
    types=("aws:rds/instance:Instance", "aws:rds/cluster:Cluster", "aws:dynamodb/table:Table"),
    covers=("AwsSolutions-RDS10", "CKV_AWS_139", "CKV_AWS_293"),
)


def _final_snapshot(args: ResourceValidationArgs, report: Report) -> None:
    p = args.props
    if args.resource_type == "aws:rds/instance:Instance" and get(p, "replicateSourceDb"):
        return  # replicas take no final snapshot
    if truthy(get(p, "skipFinalSnapshot")):
        report(
            f"Database '{args.name}' skips its final snapshot: deleting it loses the data. Set skip_final_snapshot=False and final_snapshot_identifier."
        )
    elif not get(p, "finalSnapshotIdentifier"):
        report(
            f"Database '{args.name}' takes a final snapshot but names none, so deletion fails at the worst moment. Set final_snapshot_identifier."
        )


final_snapshot = resource_policy(
    "rds-final-snapshot",
    category="data-protection",
    description="RDS instances and Aurora clusters take a named final snapshot when deleted.",
    severity=Severity.HIGH,
    controls=BACKUP,
    remediation="Set skip_final_snapshot=False and final_snapshot_identifier='<name>-final'.",
    validate=_final_snapshot,
    types=("aws:rds/instance:Instance", "aws:rds/cluster:Cluster"),
)


def _retention(args: ResourceValidationArgs, report: Report) -> None:
    minimum = int(config_value(args, "minimumDays", 7))
    p = args.props
    t = args.resource_type
    if t in ("aws:rds/instance:Instance", "aws:rds/cluster:Cluster"):
        if t == "aws:rds/instance:Instance" and get(p, "replicateSourceDb"):
            return
        days = number(get(p, "backupRetentionPeriod"))
        if days is None or days < minimum:
            have = "is not set (AWS keeps 1 day by default)" if days is None else f"is {int(days)} day(s)"
            report(
                f"Automated backup retention of '{args.name}' {have}; at least {minimum} days are required. Set backup_retention_period >= {minimum}."
            )
    elif t == "aws:backup/plan:Plan":
        for rule in as_list(get(p, "rules")):
            days = number(get(rule, "lifecycle", "deleteAfter"))
            if days is not None and days < minimum:
                report(
                    f"Backup plan '{args.name}' rule '{get(rule, 'ruleName', default='?')}' deletes recovery points after {int(days)} day(s); keep them at least {minimum} days."
                )
    elif t in ("aws:elasticache/replicationGroup:ReplicationGroup", CACHE_CLUSTER, SERVERLESS_CACHE):
        if t == CACHE_CLUSTER and given(p, "replicationGroupId"):
            return  # snapshots are the replication group's
        if str(get(p, "engine", default="redis")).lower() == "memcached":
            return  # Memcached keeps no snapshots
        cache_min = int(config_value(args, "minimumCacheSnapshotDays", 1))
        kept = int(number(get(p, "snapshotRetentionLimit")) or 0)
        if kept < cache_min:
            when = (
                " (and daily_snapshot_time, e.g. '04:00')"
                if t == SERVERLESS_CACHE
                else " (and snapshot_window, e.g. '04:00-05:00')"
            )
            report(
                f"ElastiCache '{args.name}' keeps {kept} daily snapshot(s); at least {cache_min} required. Set snapshot_retention_limit >= {cache_min}{when}."
            )


retention = resource_policy(
    "backup-retention-minimum",
    category="data-protection",
    description="Databases keep automated backups, backup plans keep recovery points (7 days by default) and Redis/Valkey caches (replication groups, clusters, serverless caches) keep snapshots for at least the configured minimum.",
    severity=Severity.HIGH,
    controls=BACKUP,
    remediation="backup_retention_period >= 7 on RDS; lifecycle.delete_after >= 7 on backup plan rules; snapshot_retention_limit >= 1 on ElastiCache.",
    validate=_retention,
    types=(
        "aws:rds/instance:Instance",
        "aws:rds/cluster:Cluster",
        "aws:backup/plan:Plan",
        "aws:elasticache/replicationGroup:ReplicationGroup",
        CACHE_CLUSTER,
        SERVERLESS_CACHE,
    ),
    covers=("AwsSolutions-RDS13", "CKV_AWS_133", "CKV_AWS_134", "awsguard:rds-instance-backup-enabled"),
    config={
        "minimumDays": {
            "type": "number",
            "default": 7,
            "minimum": 1,
            "description": "Minimum retention of database backups and backup-plan recovery points.",
        },
        "minimumCacheSnapshotDays": {
            "type": "number",
            "default": 1,
            "minimum": 0,
            "description": "Minimum ElastiCache snapshot retention.",
        },
    },
)

BUCKETS = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
VERSIONING = ("aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2")


def _versioning(args: StackValidationArgs, report: Report) -> None:
    buckets = list(of_type(args.resources, *BUCKETS))
    enabled: set[str] = set()
    suspended: set[str] = set()  # a second versioning resource of the bucket that suspends it
    for v in of_type(args.resources, *VERSIONING):
        status = get(v.props, "versioningConfiguration", "status")
        if status == "Enabled":
            enabled.update(b.urn for b in targets(v, "bucket", buckets))
        elif isinstance(status, str):
            suspended.update(b.urn for b in targets(v, "bucket", buckets))
    deferred = Deferred()

    def check(b: Any) -> None:
        inline = [get(b.props, "versioning"), *as_list(get(b.props, "versionings"))]
        if b.urn in enabled and b.urn in suspended:
            report(
                f"S3 bucket '{b.name}' has one versioning resource that enables versioning and another that suspends it; "
                "S3 keeps whichever is written last. Keep one aws.s3.BucketVersioning per bucket, with status 'Enabled'.",
                b.urn,
            )
            return
        if b.urn not in enabled and not any(truthy(get(v, "enabled")) for v in inline):
            report(
                f"S3 bucket '{b.name}' does not keep object versions: an overwrite or delete (or a corrupted state write) is final. "
                "Add aws.s3.BucketVersioning(bucket=<this bucket>, versioning_configuration={status: 'Enabled'}) and a lifecycle rule for noncurrent versions.",
                b.urn,
            )

    for b in buckets:
        deferred.run(check, b)
    deferred.finish()


versioning = stack_policy(
    "s3-versioning-enabled",
    category="data-protection",
    description="S3 buckets (state, backups, logs and data) keep object versions.",
    severity=Severity.HIGH,
    controls=BACKUP,
    remediation="aws.s3.BucketVersioning(bucket=bucket.id, versioning_configuration={'status': 'Enabled'}).",
    validate=_versioning,
    types=BUCKETS,
    links=VERSIONING,
    covers=("CKV_AWS_21",),
)


def _pitr(args: ResourceValidationArgs, report: Report) -> None:
    if not truthy(get(args.props, "pointInTimeRecovery", "enabled")):
        report(
            f"DynamoDB table '{args.name}' has no point-in-time recovery. Set point_in_time_recovery={{enabled: True}}."
        )


pitr = resource_policy(
    "dynamodb-point-in-time-recovery",
    category="data-protection",
    description="DynamoDB tables have point-in-time recovery enabled.",
    severity=Severity.MEDIUM,
    controls=BACKUP,
    remediation="point_in_time_recovery={enabled: True} on aws.dynamodb.Table.",
    validate=_pitr,
    types=("aws:dynamodb/table:Table",),
    covers=("AwsSolutions-DDB3", "CKV_AWS_28"),
)


def _key_deletion_window(args: ResourceValidationArgs, report: Report) -> None:
    minimum = int(config_value(args, "minimumDays", 30))
    days = number(get(args.props, "deletionWindowInDays"), 30.0) or 30.0
    if days < minimum:
        report(
            f"KMS key '{args.name}' can be destroyed {int(days)} days after a deletion request; require at least {minimum} to catch mistakes (data encrypted under it is lost for good). Set deletion_window_in_days >= {minimum}."
        )


key_deletion = resource_policy(
    "kms-key-deletion-window",
    category="data-protection",
    description="KMS keys keep a deletion waiting period of at least the configured minimum (30 days by default, AWS's maximum).",
    severity=Severity.MEDIUM,
    controls=DELETION,
    remediation="Set deletion_window_in_days=30 (or the configured minimum) on aws.kms.Key.",
    validate=_key_deletion_window,
    types=("aws:kms/key:Key",),
    config={
        "minimumDays": {
            "type": "number",
            "default": 30,
            "minimum": 7,
            "maximum": 30,
            "description": "Minimum deletion window (7-30 days).",
        }
    },
)


AURORA_CLUSTER = "aws:rds/cluster:Cluster"
CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"


def _aurora_problem(cluster: Any, instances: list[Any]) -> str | None:
    """Aurora keeps storage in three AZs but serves from its instances: with one instance (or all
    in one AZ) an AZ outage means downtime until a new instance is created. Multi-AZ DB clusters
    (`db_cluster_instance_class`, RDS for MySQL/PostgreSQL) always run a writer and two readers in
    three AZs."""
    p = cluster.props
    engine = str(get(p, "engine", default="")).lower()
    if get(p, "dbClusterInstanceClass") is not None and not engine.startswith("aurora"):
        return None
    names = ", ".join(f"'{i.name}'" for i in instances) or "none"
    if len(instances) < 2:
        return (
            f"Aurora cluster '{cluster.name}' has {len(instances)} instance(s) ({names}): an AZ outage or a failed writer "
            "means downtime until a new instance is created. Add an aws.rds.ClusterInstance reader in another Availability Zone "
            "(Aurora fails over to it in about a minute)."
        )
    zones = [get(i.props, "availabilityZone") for i in instances]
    if all(isinstance(z, str) and z for z in zones) and len(set(zones)) < 2:
        return (
            f"Aurora cluster '{cluster.name}' pins all its instances ({names}) to {zones[0]}. Place at least one reader in "
            "another Availability Zone (or leave availability_zone unset)."
        )
    return None


def _multi_az(args: StackValidationArgs, report: Report) -> None:
    resources = list(args.resources)
    clusters = list(of_type(resources, AURORA_CLUSTER))
    members: dict[str, list[Any]] = {c.urn: [] for c in clusters}
    for inst in of_type(resources, CLUSTER_INSTANCE):
        for c in targets(inst, "clusterIdentifier", clusters, match_props=("clusterIdentifier", "id")):
            members[c.urn].append(inst)
    deferred = Deferred()

    def check(r: Any) -> None:
        p = r.props
        t = r.resource_type
        if t == "aws:rds/instance:Instance":
            if get(p, "replicateSourceDb") or truthy(get(p, "multiAz")):
                return
            report(
                f"RDS instance '{r.name}' runs in one Availability Zone: an AZ outage or host failure takes it down until restored. Set multi_az=True (Multi-AZ standby).",
                r.urn,
            )
        elif t == AURORA_CLUSTER:
            if problem := _aurora_problem(r, members[r.urn]):
                report(problem, r.urn)
        elif t == CACHE_CLUSTER:
            if given(p, "replicationGroupId"):
                return  # a member: the replication group is judged
            if str(get(p, "engine", default="")).lower() == "memcached":
                nodes = int(number(get(p, "numCacheNodes"), 1.0) or 1)
                if nodes < 2 or str(get(p, "azMode", default="single-az")) != "cross-az":
                    report(
                        f"Memcached cluster '{r.name}' has {nodes} node(s) in {get(p, 'azMode', default='single-az')} mode: an AZ outage empties the whole cache. "
                        "Set num_cache_nodes >= 2 and az_mode='cross-az'.",
                        r.urn,
                    )
            else:
                report(
                    f"ElastiCache cluster '{r.name}' is a single Redis/Valkey node with no replica and no failover: an AZ outage or node failure loses the cache. "
                    "Use aws.elasticache.ReplicationGroup with num_cache_clusters >= 2, automatic_failover_enabled=True and multi_az_enabled=True.",
                    r.urn,
                )
        else:
            nodes = number(get(p, "numCacheClusters"), 1.0) or 1.0
            failover = truthy(get(p, "automaticFailoverEnabled")) and truthy(get(p, "multiAzEnabled"))
            if (
                str(get(p, "engine", default="redis")) != "memcached"
                and (nodes < 2 or not failover)
                and get(p, "numNodeGroups") is None
            ):
                report(
                    f"ElastiCache replication group '{r.name}' has {int(nodes)} node(s) and "
                    + ("automatic Multi-AZ failover" if failover else "no automatic Multi-AZ failover")
                    + ". Set num_cache_clusters >= 2, automatic_failover_enabled=True and multi_az_enabled=True.",
                    r.urn,
                )

    for r in of_type(resources, *MULTI_AZ_TYPES):
        deferred.run(check, r)
    deferred.finish()


MULTI_AZ_TYPES = (
    "aws:rds/instance:Instance",
    AURORA_CLUSTER,
    "aws:elasticache/replicationGroup:ReplicationGroup",
    CACHE_CLUSTER,
)

multi_az = stack_policy(
    "data-stores-multi-az",
    category="resilience",
    description="RDS instances run Multi-AZ, Aurora clusters have instances in two or more AZs, Redis/Valkey caches are replication groups with a replica and automatic Multi-AZ failover, Memcached clusters spread nodes across AZs (serverless caches are Multi-AZ by design).",
    severity=Severity.MEDIUM,
    controls=Controls(soc2=("A1.2",), iso27001=("A.8.14",)),
    remediation="multi_az=True on aws.rds.Instance; a second aws.rds.ClusterInstance in another AZ for Aurora; num_cache_clusters >= 2, automatic_failover_enabled=True, multi_az_enabled=True on aws.elasticache.ReplicationGroup; az_mode='cross-az' for Memcached.",
    validate=_multi_az,
    types=MULTI_AZ_TYPES,
    links=(CLUSTER_INSTANCE,),
    covers=(
        "AwsSolutions-RDS3",
        "CKV_AWS_157",
        "AwsSolutions-AEC4",
        "CKV2_AWS_50",
        "awsguard:rds-instance-multi-az-enabled",
    ),
)

POLICIES = [multi_az, protected, deletion_protection, final_snapshot, retention, versioning, pitr, key_deletion]
