"""Databases, caches and other stores that are encrypted with the customer-managed key, private,
TLS-only, Multi-AZ where it applies, protected from deletion and backed up."""

import pulumi_aws as aws
from compliant_common import PROTECT, REGION, ROOT, doc


# --- databases ------------------------------------------------------------------------------------
def databases(key: aws.kms.Key, isolated: list[aws.ec2.Subnet], db_sg: aws.ec2.SecurityGroup) -> None:
    pg = aws.rds.ParameterGroup("pg", family="postgres16", parameters=[{"name": "rds.force_ssl", "value": "1"}])
    db_subnets = aws.rds.SubnetGroup("db-subnets", subnet_ids=[s.id for s in isolated])
    aws.rds.Instance(
        "db",
        engine="postgres",
        engine_version="16",
        instance_class="db.t3.small",
        allocated_storage=100,
        storage_type="gp3",
        storage_encrypted=True,
        kms_key_id=key.arn,
        username="app",
        manage_master_user_password=True,
        master_user_secret_kms_key_id=key.arn,
        performance_insights_enabled=True,
        performance_insights_kms_key_id=key.arn,
        parameter_group_name=pg.name,
        db_subnet_group_name=db_subnets.name,
        vpc_security_group_ids=[db_sg.id],
        multi_az=True,
        deletion_protection=True,
        final_snapshot_identifier="db-final",
        backup_retention_period=14,
        enabled_cloudwatch_logs_exports=["postgresql", "upgrade"],
        opts=PROTECT,
    )
    cluster_pg = aws.rds.ClusterParameterGroup(
        "aurora-pg", family="aurora-postgresql16", parameters=[{"name": "rds.force_ssl", "value": "1"}]
    )
    aurora = aws.rds.Cluster(
        "aurora",
        engine=aws.rds.EngineType.AURORA_POSTGRESQL,
        engine_version="16.4",
        master_username="app",
        manage_master_user_password=True,
        master_user_secret_kms_key_id=key.arn,
        storage_encrypted=True,
        kms_key_id=key.arn,
        db_cluster_parameter_group_name=cluster_pg.name,
        db_subnet_group_name=db_subnets.name,
        vpc_security_group_ids=[db_sg.id],
        deletion_protection=True,
        final_snapshot_identifier="aurora-final",
        backup_retention_period=14,
        enabled_cloudwatch_logs_exports=["postgresql"],
        opts=PROTECT,
    )
    for role, az in (("writer", "a"), ("reader", "b")):
        aws.rds.ClusterInstance(
            f"aurora-{role}",
            cluster_identifier=aurora.id,
            engine=aws.rds.EngineType.AURORA_POSTGRESQL,
            instance_class="db.r6g.large",
            availability_zone=f"{REGION}{az}",
            publicly_accessible=False,
            performance_insights_enabled=True,
            performance_insights_kms_key_id=key.arn,
        )


# --- caches ---------------------------------------------------------------------------------------
def caches(key: aws.kms.Key, isolated: list[aws.ec2.Subnet], cache_sg: aws.ec2.SecurityGroup) -> None:
    cache_subnets = aws.elasticache.SubnetGroup("cache-subnets", subnet_ids=[s.id for s in isolated])
    cache = aws.elasticache.ReplicationGroup(
        "cache",
        description="encrypted, authenticated Redis",
        engine="redis",
        node_type="cache.t4g.small",
        num_cache_clusters=2,
        automatic_failover_enabled=True,
        multi_az_enabled=True,
        at_rest_encryption_enabled=True,
        kms_key_id=key.arn,
        transit_encryption_enabled=True,
        transit_encryption_mode="required",
        user_group_ids=["app-users"],
        subnet_group_name=cache_subnets.name,
        security_group_ids=[cache_sg.id],
        snapshot_retention_limit=7,
        opts=PROTECT,
    )
    # A third node added to the replication group: it inherits the group's encryption, auth,
    # subnets and snapshots, and is judged through the group.
    aws.elasticache.Cluster("cache-extra-replica", cluster_id="cache-replica-3", replication_group_id=cache.id)
    aws.elasticache.ServerlessCache(
        "sessions",
        engine="valkey",
        kms_key_id=key.arn,
        subnet_ids=[s.id for s in isolated],
        security_group_ids=[cache_sg.id],
        user_group_id="app-users",
        snapshot_retention_limit=7,
        daily_snapshot_time="04:00",
        opts=PROTECT,
    )


# --- other stores ---------------------------------------------------------------------------------
def other_stores(key: aws.kms.Key) -> None:
    aws.dynamodb.Table(
        "table",
        hash_key="id",
        billing_mode="PAY_PER_REQUEST",
        attributes=[{"name": "id", "type": "S"}],
        server_side_encryption={"enabled": True, "kms_key_arn": key.arn},
        point_in_time_recovery={"enabled": True},
        deletion_protection_enabled=True,
        opts=PROTECT,
    )
    efs = aws.efs.FileSystem("shared", encrypted=True, kms_key_id=key.arn, opts=PROTECT)
    aws.efs.FileSystemPolicy(
        "shared-policy",
        file_system_id=efs.id,
        policy=efs.arn.apply(
            lambda arn: doc(
                {
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": {"AWS": "*"},
                    "Action": "*",
                    "Resource": arn,
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                },
                {
                    "Sid": "AccountMount",
                    "Effect": "Allow",
                    "Principal": {"AWS": ROOT},
                    "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
                    "Resource": arn,
                },
            )
        ),
    )
