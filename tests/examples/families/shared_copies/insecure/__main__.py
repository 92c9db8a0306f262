"""Copies shared with everyone: database snapshots shared with 'all', a public AMI (directly and
through Image Builder), a Lambda layer version and an SSM document shared with every account, and
the account's blocks on public EBS snapshot and AMI sharing turned off."""

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
aws.rds.ClusterSnapshotCopy(
    "public-cluster-snapshot-copy",
    source_db_cluster_snapshot_identifier="arn:aws:rds:us-east-1:123456789012:cluster-snapshot:ledger-1",
    target_db_cluster_snapshot_identifier="ledger-1-copy",
    shared_accounts=["all"],
)
aws.imagebuilder.DistributionConfiguration(
    "public-ami-distribution",
    name="golden-image",
    distributions=[
        {
            "region": "us-east-1",
            "ami_distribution_configuration": {
                "name": "golden-{{ imagebuilder:buildDate }}",
                "launch_permission": {"user_groups": ["all"]},
            },
        }
    ],
)
aws.lambda_.LayerVersionPermission(
    "public-layer",
    layer_name="arn:aws:lambda:us-east-1:123456789012:layer:shared-deps",
    version_number=3,
    statement_id="everyone",
    action="lambda:GetLayerVersion",
    principal="*",
)
aws.ssm.Document(
    "public-runbook",
    name="restart-service",
    document_type="Command",
    content=RUNBOOK,
    permissions={"type": "Share", "account_ids": "All"},
)
