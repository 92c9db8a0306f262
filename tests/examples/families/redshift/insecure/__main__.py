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
