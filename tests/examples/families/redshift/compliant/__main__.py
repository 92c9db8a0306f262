"""A private, KMS-encrypted Redshift cluster with audit logging and enhanced VPC routing."""

import pulumi
import pulumi_aws as aws

key = aws.kms.Key(
    "warehouse-key", enable_key_rotation=True, deletion_window_in_days=30, opts=pulumi.ResourceOptions(protect=True)
)
cluster = aws.redshift.Cluster(
    "warehouse",
    cluster_identifier="warehouse",
    node_type="ra3.xlplus",
    number_of_nodes=2,
    database_name="analytics",
    master_username="admin",
    manage_master_password=True,
    master_password_secret_kms_key_id=key.arn,
    encrypted="true",
    kms_key_id=key.arn,
    publicly_accessible=False,
    enhanced_vpc_routing=True,
    cluster_subnet_group_name="warehouse-private",
    opts=pulumi.ResourceOptions(protect=True),
)
aws.redshift.Logging(
    "warehouse-audit",
    cluster_identifier=cluster.cluster_identifier,
    log_destination_type="cloudwatch",
    log_exports=["connectionlog", "userlog", "useractivitylog"],
)

aws.redshiftserverless.Workgroup(
    "private-workgroup", namespace_name="analytics", workgroup_name="private-workgroup", publicly_accessible=False
)
