"""Copies shared with everyone: database snapshots shared with 'all', a public AMI, and the
account's blocks on public EBS snapshot and AMI sharing turned off."""

import pulumi_aws as aws

aws.rds.Snapshot(
    "public-db-snapshot", db_instance_identifier="orders", db_snapshot_identifier="orders-1", shared_accounts=["all"]
)
aws.rds.ClusterSnapshot(
    "public-cluster-snapshot",
    db_cluster_identifier="ledger",
    db_cluster_snapshot_identifier="ledger-1",
    shared_accounts=["111122223333", "all"],
)
aws.ec2.AmiLaunchPermission("public-ami", image_id="ami-0123456789abcdef0", group="all")
aws.ebs.SnapshotBlockPublicAccess("unblocked-snapshots", state="unblocked")
aws.ec2.ImageBlockPublicAccess("unblocked-images", state="unblocked")
aws.rds.SnapshotCopy(
    "public-snapshot-copy",
    source_db_snapshot_identifier="arn:aws:rds:us-east-1:123456789012:snapshot:orders-1",
    target_db_snapshot_identifier="orders-1-copy",
    shared_accounts=["all"],
)
