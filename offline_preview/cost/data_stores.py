"""Pricers for data stores: RDS, ElastiCache, S3, AWS Backup, ECR."""

from __future__ import annotations

from ..capture import CapturedResource
from .context import NOT_PRICED, Context, Priced, Pricer, num, rate, usd
from .databases import extended_support


def _rds_instance(r: CapturedResource, c: Context) -> Priced:
    engine = str(r.inputs.get("engine") or "")
    table_engine = {"postgres": "postgres", "mysql": "mysql", "mariadb": "mysql"}.get(engine)
    klass = str(r.inputs.get("instanceClass") or "")
    hour = c.prices.rds_hour(table_engine, klass) if table_engine else None
    if hour is None:
        return Priced(
            0.0, f"{NOT_PRICED}: {engine or 'engine?'} {klass or 'class?'} not in the RDS table", priced=False
        )
    multi = bool(r.inputs.get("multiAz"))
    factor = 2 if multi else 1
    monthly = hour * factor * c.hours
    basis = f"{klass} {engine} {rate(hour)}/h" + (" x 2 (Multi-AZ)" if multi else "") + f" x {c.hours:g} h"
    storage = num(r.inputs.get("allocatedStorage"), 0.0) or 0.0
    stype = str(r.inputs.get("storageType") or "gp2")
    key = {"gp2": "rds.gp.gbMonth", "gp3": "rds.gp.gbMonth", "io1": "rds.io.gbMonth", "io2": "rds.io.gbMonth"}.get(
        stype, "rds.magnetic.gbMonth"
    )
    gb = c.p(key)
    monthly += storage * gb * factor
    basis += f" + {storage:g} GB {stype} x {rate(gb)}" + (" x 2" if multi else "") + "/GB-month"
    retention = num(r.inputs.get("performanceInsightsRetentionPeriod"), 7.0) or 7.0
    if r.inputs.get("performanceInsightsEnabled") and retention > 7:
        vcpus = c.prices.vcpus(klass.removeprefix("db.")) or 2
        months = max(1, round(retention / 31))
        first, extra = c.p("rds.performanceInsights.firstMonthVcpu"), c.p("rds.performanceInsights.extraMonthVcpu")
        pi = (first + extra * (months - 1)) * vcpus * factor
        monthly += pi
        basis += f" + Performance Insights {months} months x {vcpus * factor} vCPU ({usd(pi)}, upper bound)"
    elif r.inputs.get("performanceInsightsEnabled"):
        basis += "; Performance Insights 7 days: free"
    if str(r.inputs.get("databaseInsightsMode") or "").lower() == "advanced":
        basis += "; Database Insights advanced mode not priced"
        c.warnings.append(f"{r.name}: CloudWatch Database Insights advanced mode is not in the price table")
    vcpus = c.prices.vcpus(klass.removeprefix("db."))
    support = extended_support(r, c, engine, vcpus, factor) if vcpus else None
    if support is not None:
        monthly += support[0]
        basis += support[1]
    if r.inputs.get("manageMasterUserPassword"):
        secret = c.p("secretsManager.secretMonth")
        monthly += secret
        basis += f" + RDS-managed master secret {rate(secret)}/month"
    basis += "; automated backups free up to the storage size"
    return Priced(monthly, basis)


def _cache_nodes(r: CapturedResource, c: Context, nodes: float) -> Priced:
    node = str(r.inputs.get("nodeType") or "")
    hour = c.prices.cache_hour(node)
    if hour is None:
        return Priced(0.0, f"{NOT_PRICED}: node type {node or '?'} not in the ElastiCache table", priced=False)
    basis = f"{nodes:g} x {node} {rate(hour)}/h"
    if str(r.inputs.get("engine") or "").lower() == "valkey":
        off = c.p("elasticache.valkeyDiscount")
        hour *= 1 - off
        basis += f" - {off:.0%} (Valkey)"
    return Priced(nodes * hour * c.hours, basis + f" x {c.hours:g} h")


def _replication_group(r: CapturedResource, c: Context) -> Priced:
    groups = num(r.inputs.get("numNodeGroups"))
    if groups:
        replicas = num(r.inputs.get("replicasPerNodeGroup"), 0.0) or 0.0
        nodes = groups * (replicas + 1)
    else:
        nodes = num(r.inputs.get("numCacheClusters"), 1.0) or 1.0
    return _cache_nodes(r, c, nodes)


def _cache_cluster(r: CapturedResource, c: Context) -> Priced:
    if r.inputs.get("replicationGroupId"):
        return Priced(0.0, "free here: member of a replication group priced on the group")
    return _cache_nodes(r, c, num(r.inputs.get("numCacheNodes"), 1.0) or 1.0)


def _serverless_cache(r: CapturedResource, c: Context) -> Priced:
    """ElastiCache Serverless bills stored data per GB-hour with a minimum (1 GB for Redis OSS,
    100 MB for Valkey) and ECPUs by use: the minimum is the monthly floor."""
    valkey = str(r.inputs.get("engine") or "").lower() == "valkey"
    prefix = "elasticache.serverlessValkey" if valkey else "elasticache.serverless"
    minimum_gb = 0.1 if valkey else 1.0
    per = c.p(f"{prefix}.gbHour")
    return Priced(
        minimum_gb * per * c.hours,
        f"{'Valkey' if valkey else 'Redis OSS'} Serverless minimum {minimum_gb:g} GB x {rate(per)}/GB-h x {c.hours:g} h",
        usage=(
            f"{rate(per)} per GB-hour stored above the minimum",
            f"{rate(c.p(f'{prefix}.ecpuMillion'))} per million ECPUs",
        ),
    )


def _bucket(r: CapturedResource, c: Context) -> Priced:
    gb, per = c.a("s3StorageGbPerBucket"), c.p("s3.standard.gbMonth")
    return Priced(
        gb * per, f"{gb:g} GB stored x {rate(per)}/GB-month (S3 Standard; lifecycle tiers lower it)", assumed=gb * per
    )


def _bucket_replication(r: CapturedResource, c: Context) -> Priced:
    """Replication to a bucket of the same Region costs only requests; to another Region, the
    transfer. The destination's Region is its bucket's (the capture links the rule to it)."""
    source_region = c.region_of(r)
    destinations = [d for d in c.deps_of(r, "rules") if d.type in ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")]
    if destinations and all(c.region_of(d) == source_region for d in destinations):
        return Priced(0.0, "free here: same-Region replication (requests not included)")
    gb, per = c.a("s3ReplicationGbPerMonth"), c.p("s3.replicationTransferGb")
    return Priced(
        gb * per,
        f"{gb:g} GB/month replicated to another Region x {rate(per)}/GB (requests not included)",
        assumed=gb * per,
    )


def _backup_vault(r: CapturedResource, c: Context) -> Priced:
    gb, per = c.a("backupStorageGbPerVault"), c.p("backup.warmGbMonth")
    return Priced(gb * per, f"{gb:g} GB of recovery points x {rate(per)}/GB-month (warm storage)", assumed=gb * per)


def _backup_plan(r: CapturedResource, c: Context) -> Priced:
    copies = any((rule or {}).get("copyActions") for rule in r.inputs.get("rules") or [] if isinstance(rule, dict))
    if not copies:
        return Priced(0.0, "free: the plan itself (storage is priced on the vault)")
    gb, per = c.a("backupCopyGbPerMonth"), c.p("backup.crossRegionGb")
    return Priced(gb * per, f"cross-region copy {gb:g} GB/month x {rate(per)}/GB", assumed=gb * per)


def _ecr_repository(r: CapturedResource, c: Context) -> Priced:
    gb, per = c.a("ecrStorageGbPerRepository"), c.p("ecr.storageGbMonth")
    return Priced(gb * per, f"{gb:g} GB of images x {rate(per)}/GB-month", assumed=gb * per)


def _ecr_scanning(r: CapturedResource, c: Context) -> Priced:
    if str(r.inputs.get("scanType") or "BASIC").upper() != "ENHANCED":
        return Priced(0.0, "free: basic scanning")
    repos = len(c.capture.of_type("aws:ecr/repository:Repository"))
    images, per = c.a("ecrImagesPushedPerRepository"), c.p("inspector.ecrImageScan")
    return Priced(
        repos * images * per,
        f"enhanced scanning (Inspector): {repos} repositories x {images:g} images/month x {rate(per)}; rescans not included",
        assumed=repos * images * per,
    )


PRICERS: dict[str, Pricer] = {
    "aws:rds/instance:Instance": _rds_instance,
    "aws:elasticache/replicationGroup:ReplicationGroup": _replication_group,
    "aws:elasticache/cluster:Cluster": _cache_cluster,
    "aws:elasticache/serverlessCache:ServerlessCache": _serverless_cache,
    "aws:s3/bucket:Bucket": _bucket,
    "aws:s3/bucketV2:BucketV2": _bucket,
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig": _bucket_replication,
    "aws:backup/vault:Vault": _backup_vault,
    "aws:backup/plan:Plan": _backup_plan,
    "aws:ecr/repository:Repository": _ecr_repository,
    "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration": _ecr_scanning,
}
