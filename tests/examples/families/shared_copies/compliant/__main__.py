"""The same copies shared with one named account (or kept private), and public sharing blocked."""

import pulumi_aws as aws

BACKUP_ACCOUNT = "111122223333"

aws.rds.Snapshot(
    "shared-db-snapshot",
    db_instance_identifier="orders",
    db_snapshot_identifier="orders-1",
    shared_accounts=[BACKUP_ACCOUNT],
)
aws.rds.ClusterSnapshot(
    "private-cluster-snapshot", db_cluster_identifier="ledger", db_cluster_snapshot_identifier="ledger-1"
)
aws.ec2.AmiLaunchPermission("shared-ami", image_id="ami-0123456789abcdef0", account_id=BACKUP_ACCOUNT)
aws.ebs.SnapshotBlockPublicAccess("blocked-snapshots", state="block-all-sharing")
aws.ec2.ImageBlockPublicAccess("blocked-images", state="block-new-sharing")
aws.rds.SnapshotCopy(
    "private-snapshot-copy",
    source_db_snapshot_identifier="arn:aws:rds:us-east-1:123456789012:snapshot:orders-1",
    target_db_snapshot_identifier="orders-1-copy",
    kms_key_id="arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
)
