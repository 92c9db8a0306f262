"""The same resource policies, each held to the account's own organisation or account."""

import json

import pulumi_aws as aws

ACCOUNT = "123456789012"


def organisation(action: str, resource: str) -> str:
    statement = {
        "Sid": "Organisation",
        "Effect": "Allow",
        "Principal": "*",
        "Action": action,
        "Resource": resource,
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}},
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def account(action: str, resource: str) -> str:
    statement = {
        "Sid": "Account",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": action,
        "Resource": resource,
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


TABLE = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders"
STREAM = f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/clicks"
aws.dynamodb.ResourcePolicy("org-table-policy", resource_arn=TABLE, policy=organisation("dynamodb:GetItem", TABLE))
aws.kinesis.ResourcePolicy("account-stream-policy", resource_arn=STREAM, policy=account("kinesis:GetRecords", STREAM))
aws.cloudwatch.EventBusPolicy(
    "org-bus-policy",
    event_bus_name="default",
    policy=organisation("events:PutEvents", f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/default"),
)
aws.glue.ResourcePolicy(
    "account-catalog-policy", policy=account("glue:GetTable", f"arn:aws:glue:us-east-1:{ACCOUNT}:catalog")
)
