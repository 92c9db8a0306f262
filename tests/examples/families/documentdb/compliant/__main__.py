"""DocumentDB and Neptune clusters with storage encrypted by a customer-managed key."""

import pulumi
import pulumi_aws as aws

key = aws.kms.Key(
    "graph-key", enable_key_rotation=True, deletion_window_in_days=30, opts=pulumi.ResourceOptions(protect=True)
)
aws.docdb.Cluster(
    "docs",
    master_username="admin",
    manage_master_user_password=True,
    storage_encrypted=True,
    kms_key_id=key.arn,
    deletion_protection=True,
    final_snapshot_identifier="docs-final",
)
graph = aws.neptune.Cluster(
    "graph",
    storage_encrypted=True,
    kms_key_arn=key.arn,
    deletion_protection=True,
    final_snapshot_identifier="graph-final",
)
aws.neptune.ClusterInstance(
    "graph-node", cluster_identifier=graph.id, instance_class="db.r6g.large", publicly_accessible=False
)
