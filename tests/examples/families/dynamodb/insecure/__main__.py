"""DynamoDB mistakes: no point-in-time recovery, no customer-managed key (advice), no deletion
protection."""

import pulumi_aws as aws

aws.dynamodb.Table(
    "plain-orders-table",
    attributes=[{"name": "pk", "type": "S"}],
    hash_key="pk",
    billing_mode="PAY_PER_REQUEST",
)
