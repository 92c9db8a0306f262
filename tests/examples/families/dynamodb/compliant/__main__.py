"""A protected DynamoDB table with point-in-time recovery, a customer-managed key and deletion
protection."""

import pulumi
import pulumi_aws as aws

key = aws.kms.Key(
    "table-key", enable_key_rotation=True, deletion_window_in_days=30, opts=pulumi.ResourceOptions(protect=True)
)
aws.dynamodb.Table(
    "orders-table",
    attributes=[{"name": "pk", "type": "S"}],
    hash_key="pk",
    billing_mode="PAY_PER_REQUEST",
    point_in_time_recovery={"enabled": True},
    server_side_encryption={"enabled": True, "kms_key_arn": key.arn},
    deletion_protection_enabled=True,
    opts=pulumi.ResourceOptions(protect=True),
)
