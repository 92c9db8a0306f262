"""The same copies shared with one named account or the organization (or kept private), and public
sharing blocked."""

import json

import pulumi_aws as aws

RUNBOOK = json.dumps(
    {
        "schemaVersion": "2.2",
        "description": "Restart the service",
        "mainSteps": [
            {"action": "aws:runShellScript", "name": "restart", "inputs": {"runCommand": ["systemctl restart app"]}}
        ],
    }
)
ORGANIZATION = "arn:aws:organizations::123456789012:organization/o-a1b2c3d4e5"

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
aws.rds.ClusterSnapshotCopy(
    "shared-cluster-snapshot-copy",
    source_db_cluster_snapshot_identifier="arn:aws:rds:us-east-1:123456789012:cluster-snapshot:ledger-1",
    target_db_cluster_snapshot_identifier="ledger-1-copy",
    shared_accounts=[BACKUP_ACCOUNT],
)
aws.imagebuilder.DistributionConfiguration(
    "org-ami-distribution",
    name="golden-image",
    distributions=[
        {
            "region": "us-east-1",
            "ami_distribution_configuration": {
                "name": "golden-{{ imagebuilder:buildDate }}",
                "launch_permission": {"organization_arns": [ORGANIZATION]},
            },
        }
    ],
)
aws.lambda_.LayerVersionPermission(
    "org-layer",
    layer_name="arn:aws:lambda:us-east-1:123456789012:layer:shared-deps",
    version_number=3,
    statement_id="organization",
    action="lambda:GetLayerVersion",
    principal="*",
    organization_id="o-a1b2c3d4e5",
)
aws.ssm.Document(
    "shared-runbook",
    name="restart-service",
    document_type="Command",
    content=RUNBOOK,
    permissions={"type": "Share", "account_ids": BACKUP_ACCOUNT},
)
