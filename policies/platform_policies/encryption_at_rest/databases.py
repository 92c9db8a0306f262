"""Databases and caches: RDS and Aurora storage, Performance Insights and ElastiCache data
encrypted with customer-managed keys.
"""

from __future__ import annotations

from pulumi_policy import ResourceValidationArgs, Severity

from ..helpers import get, given, key_ref, truthy
from ..registry import Controls, Report, resource_policy
from .shared import CRYPTO, _cmk


def _rds(args: ResourceValidationArgs, report: Report) -> None:
    p = args.props
    kind = "Aurora cluster" if args.resource_type == "aws:rds/cluster:Cluster" else "RDS instance"
    if (
        args.resource_type == "aws:rds/instance:Instance"
        and get(p, "replicateSourceDb")
        and get(p, "storageEncrypted") is None
    ):
        return  # a replica inherits the source's encryption (checked on the source)
    if not truthy(get(p, "storageEncrypted")):
        report(
            f"{kind} '{args.name}' has storage encryption off. Set storage_encrypted=True and kms_key_id=<customer-managed key ARN> (encryption cannot be turned on later without a snapshot restore)."
        )
    elif not _cmk(key_ref(p, "kmsKeyId")):
        report(
            f"{kind} '{args.name}' is encrypted with the AWS-managed aws/rds key. Set kms_key_id=<customer-managed key ARN>."
        )


rds_encrypted = resource_policy(
    "rds-storage-encrypted-with-cmk",
    category="encryption-at-rest",
    description="RDS instances and Aurora clusters encrypt storage with a customer-managed KMS key.",
    severity=Severity.HIGH,
    controls=Controls(soc2=("CC6.1", "C1.1"), iso27001=("A.8.24",), pci=("3.5.1",), cis=("2.3.1",)),
    remediation="Set storage_encrypted=True and kms_key_id=<customer-managed key ARN> on aws.rds.Instance / aws.rds.Cluster.",
    validate=_rds,
    types=("aws:rds/instance:Instance", "aws:rds/cluster:Cluster"),
    covers=("AwsSolutions-RDS2", "CKV_AWS_16", "CKV_AWS_96", "CKV_AWS_327", "awsguard:rds-storage-encrypted"),
)


def _performance_insights(args: ResourceValidationArgs, report: Report) -> None:
    p = args.props
    if truthy(get(p, "performanceInsightsEnabled")) and not _cmk(key_ref(p, "performanceInsightsKmsKeyId")):
        report(
            f"'{args.name}' has Performance Insights on without a customer-managed key (query text is sensitive). "
            "Set performance_insights_kms_key_id=<customer-managed key ARN>."
        )


rds_pi = resource_policy(
    "rds-performance-insights-encrypted-with-cmk",
    category="encryption-at-rest",
    description="Performance Insights data (which contains SQL text) is encrypted with a customer-managed key.",
    severity=Severity.MEDIUM,
    controls=CRYPTO,
    remediation="Set performance_insights_kms_key_id=<customer-managed key ARN> wherever performance_insights_enabled=True.",
    validate=_performance_insights,
    types=("aws:rds/instance:Instance", "aws:rds/cluster:Cluster", "aws:rds/clusterInstance:ClusterInstance"),
    covers=("CKV_AWS_354",),
)


def _elasticache(args: ResourceValidationArgs, report: Report) -> None:
    p = args.props
    if args.resource_type == "aws:elasticache/replicationGroup:ReplicationGroup":
        if not truthy(get(p, "atRestEncryptionEnabled")):
            report(
                f"ElastiCache replication group '{args.name}' has at-rest encryption off. Set at_rest_encryption_enabled=True and kms_key_id=<customer-managed key ARN>."
            )
        elif not _cmk(key_ref(p, "kmsKeyId")):
            report(
                f"ElastiCache replication group '{args.name}' is encrypted with the default key. Set kms_key_id=<customer-managed key ARN>."
            )
    elif args.resource_type == "aws:elasticache/serverlessCache:ServerlessCache":
        if not _cmk(key_ref(p, "kmsKeyId")):
            report(
                f"ElastiCache serverless cache '{args.name}' uses the AWS-owned key. Set kms_key_id=<customer-managed key ARN>."
            )
    elif args.resource_type == "aws:elasticache/cluster:Cluster" and not given(p, "replicationGroupId"):
        if str(get(p, "engine", default="")).lower() == "memcached":
            fix = "Use an aws.elasticache.ServerlessCache (engine 'memcached') with kms_key_id=<customer-managed key ARN>: node-based Memcached cannot encrypt the data it swaps to disk."
        else:
            fix = "Use aws.elasticache.ReplicationGroup (Redis/Valkey) with at_rest_encryption_enabled=True and kms_key_id=<customer-managed key ARN>."
        report(f"ElastiCache cluster '{args.name}' is a standalone cluster, which cannot be encrypted at rest. {fix}")


elasticache_encrypted = resource_policy(
    "elasticache-encrypted-at-rest-with-cmk",
    category="encryption-at-rest",
    description="ElastiCache data (replication groups, serverless caches) is encrypted at rest with a customer-managed key; standalone node-based clusters, which cannot be, are refused (members of a replication group are judged on the group).",
    severity=Severity.HIGH,
    controls=CRYPTO,
    remediation="Use aws.elasticache.ReplicationGroup with at_rest_encryption_enabled=True and kms_key_id=<customer-managed key ARN>.",
    validate=_elasticache,
    types=(
        "aws:elasticache/replicationGroup:ReplicationGroup",
        "aws:elasticache/serverlessCache:ServerlessCache",
        "aws:elasticache/cluster:Cluster",
    ),
    covers=("AwsSolutions-AEC3", "CKV_AWS_29", "CKV_AWS_191"),
)

POLICIES = [rds_encrypted, rds_pi, elasticache_encrypted]
