"""Redshift mistakes: unencrypted, publicly accessible, no audit log, no enhanced VPC routing."""

import pulumi_aws as aws

aws.redshift.Cluster(
    "open-warehouse",
    cluster_identifier="open-warehouse",
    node_type="ra3.xlplus",
    number_of_nodes=2,
    database_name="analytics",
    master_username="admin",
    manage_master_password=True,
    encrypted="false",
    publicly_accessible=True,
)
logged = aws.redshift.Cluster(
    "public-logged-warehouse",
    cluster_identifier="public-logged-warehouse",
    node_type="ra3.xlplus",
    number_of_nodes=2,
    database_name="analytics",
    master_username="admin",
    manage_master_password=True,
    enhanced_vpc_routing=True,
    publicly_accessible=True,
)
aws.redshift.Logging(
    "public-logged-audit", cluster_identifier=logged.cluster_identifier, log_destination_type="cloudwatch"
)

aws.redshiftserverless.Workgroup(
    "public-workgroup", namespace_name="analytics", workgroup_name="public-workgroup", publicly_accessible=True
)
