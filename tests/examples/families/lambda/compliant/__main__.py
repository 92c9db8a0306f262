"""A well-built function: supported runtime, secrets by reference, IAM-authenticated URL, a
permission for one API, a dead-letter queue and active tracing."""

import json

import pulumi
import pulumi_aws as aws

ACCOUNT = "123456789012"
key = aws.kms.Key(
    "fn-key", enable_key_rotation=True, deletion_window_in_days=30, opts=pulumi.ResourceOptions(protect=True)
)
dlq = aws.sqs.Queue("fn-dlq", kms_master_key_id=key.arn)
role = aws.iam.Role(
    "fn-role",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
    ),
)
fn = aws.lambda_.Function(
    "orders-fn",
    runtime="python3.13",
    handler="index.handler",
    role=role.arn,
    code=pulumi.AssetArchive({"index.py": pulumi.StringAsset("def handler(event, context):\n    return 1\n")}),
    environment={
        "variables": {
            "DB_PASSWORD_SECRET_ARN": f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:db-AbCdEf",
            "TABLE_NAME": "orders",
        }
    },
    dead_letter_config={"target_arn": dlq.arn},
    tracing_config={"mode": "Active"},
    kms_key_arn=key.arn,
)
aws.lambda_.FunctionUrl("iam-fn-url", function_name=fn.name, authorization_type="AWS_IAM")
aws.lambda_.Permission(
    "api-fn-permission",
    action="lambda:InvokeFunction",
    function=fn.name,
    principal="apigateway.amazonaws.com",
    source_arn=f"arn:aws:execute-api:us-east-1:{ACCOUNT}:a1b2c3d4e5/*/GET/orders",
)
