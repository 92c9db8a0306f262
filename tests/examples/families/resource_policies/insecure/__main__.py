"""Standalone resource policies that let anyone in: a DynamoDB table, a Kinesis stream, the default
event bus and the Glue Data Catalog, each opened to Principal '*'."""

import json

import pulumi_aws as aws

ACCOUNT = "123456789012"


def anyone(action: str, resource: str) -> str:
    statement = {"Sid": "Anyone", "Effect": "Allow", "Principal": "*", "Action": action, "Resource": resource}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


TABLE = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders"
STREAM = f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/clicks"
aws.dynamodb.ResourcePolicy("public-table-policy", resource_arn=TABLE, policy=anyone("dynamodb:GetItem", TABLE))
aws.kinesis.ResourcePolicy("public-stream-policy", resource_arn=STREAM, policy=anyone("kinesis:GetRecords", STREAM))
aws.cloudwatch.EventBusPolicy(
    "public-bus-policy",
    event_bus_name="default",
    policy=anyone("events:PutEvents", f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/default"),
)
aws.glue.ResourcePolicy(
    "public-catalog-policy", policy=anyone("glue:GetTable", f"arn:aws:glue:us-east-1:{ACCOUNT}:catalog")
)
