"""Databases, caches and other stores that are public, not encrypted with a customer-managed key,
unprotected, single-AZ, oversized or kept without backups."""

import pulumi_aws as aws
from insecure_common import public_resource


# --- databases ------------------------------------------------------------------------------------
def databases(weak_key: aws.kms.Key, db_subnets: aws.rds.SubnetGroup) -> None:
    aws.rds.ParameterGroup("weak-pg", family="postgres14", parameters=[{"name": "log_connections", "value": "1"}])
    aws.rds.ClusterParameterGroup(
        "weak-cluster-pg", family="aurora-postgresql16", parameters=[{"name": "log_connections", "value": "1"}]
    )
    aws.rds.Instance(
        "open-db",
        engine="postgres",
        engine_version="14",
        instance_class="db.r5.24xlarge",
        allocated_storage=20,
        storage_type="gp2",
        username="app",
        manage_master_user_password=True,
        publicly_accessible=True,
        performance_insights_enabled=True,
        skip_final_snapshot=True,
        backup_retention_period=1,
    )
    aws.rds.Instance(
        "db-in-public-subnets",
        engine="postgres",
        engine_version="16",
        instance_class="db.t3.micro",
        allocated_storage=20,
        storage_type="gp3",
        storage_encrypted=True,
        kms_key_id=weak_key.arn,
        username="app",
        manage_master_user_password=True,
        master_user_secret_kms_key_id=weak_key.arn,
        db_subnet_group_name=db_subnets.name,
        deletion_protection=True,
        final_snapshot_identifier="db-final",
        backup_retention_period=7,
        enabled_cloudwatch_logs_exports=["postgresql", "upgrade"],
    )
    # Aurora: one writer, nothing else (single-AZ), every setting left at its insecure default.
    aurora = aws.rds.Cluster(
        "open-aurora",
        engine=aws.rds.EngineType.AURORA_POSTGRESQL,
        engine_version="16.4",
        master_username="app",
        manage_master_user_password=True,
        performance_insights_enabled=True,
        skip_final_snapshot=True,
        backup_retention_period=1,
    )
    aws.rds.ClusterInstance(
        "open-aurora-writer",
        cluster_identifier=aurora.id,
        engine=aws.rds.EngineType.AURORA_POSTGRESQL,
        instance_class="db.r5.24xlarge",
        publicly_accessible=True,
        performance_insights_enabled=True,
    )
    # A Multi-AZ DB cluster (RDS for PostgreSQL, three AZs by construction) that is public and oversized.
    aws.rds.Cluster(
        "open-multi-az-cluster",
        engine="postgres",
        engine_version="16.4",
        db_cluster_instance_class="db.r5.24xlarge",
        storage_type="io1",
        allocated_storage=100,
        iops=3000,
        master_username="app",
        manage_master_user_password=True,
        master_user_secret_kms_key_id=weak_key.arn,
        storage_encrypted=True,
        kms_key_id=weak_key.arn,
        publicly_accessible=True,
        db_cluster_parameter_group_name="default.postgres16",
        db_subnet_group_name=db_subnets.name,
        enabled_cloudwatch_logs_exports=["postgresql"],
        deletion_protection=True,
        final_snapshot_identifier="multi-az-final",
        backup_retention_period=7,
    )


# --- caches ---------------------------------------------------------------------------------------
def caches(cache_subnets: aws.elasticache.SubnetGroup) -> None:
    aws.elasticache.ReplicationGroup(
        "open-cache",
        description="no encryption, no auth",
        engine="redis",
        node_type="cache.r5.24xlarge",
        num_cache_clusters=1,
    )
    aws.elasticache.Cluster(
        "standalone-redis",
        engine="redis",
        node_type="cache.r5.24xlarge",
        num_cache_nodes=1,
    )
    aws.elasticache.Cluster(
        "single-memcached",
        engine="memcached",
        node_type="cache.t3.micro",
        num_cache_nodes=1,
        subnet_group_name=cache_subnets.name,
    )
    aws.elasticache.ServerlessCache("open-serverless", engine="valkey")


# --- other stores ---------------------------------------------------------------------------------
def other_stores() -> None:
    aws.dynamodb.Table(
        "plain-table", hash_key="id", billing_mode="PAY_PER_REQUEST", attributes=[{"name": "id", "type": "S"}]
    )
    efs = aws.efs.FileSystem("plain-efs", encrypted=False)
    aws.efs.FileSystemPolicy("public-efs-policy", file_system_id=efs.id, policy=public_resource("elasticfilesystem"))
