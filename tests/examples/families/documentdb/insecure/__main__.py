"""DocumentDB and Neptune clusters whose storage is not encrypted (both default to unencrypted)."""

import pulumi_aws as aws

aws.docdb.Cluster("plain-docdb", master_username="admin", manage_master_user_password=True, skip_final_snapshot=True)
graph = aws.neptune.Cluster("plain-graph", skip_final_snapshot=True)
aws.neptune.ClusterInstance(
    "public-graph-node", cluster_identifier=graph.id, instance_class="db.r6g.large", publicly_accessible=True
)
