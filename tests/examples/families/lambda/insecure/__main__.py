"""Lambda mistakes: a public function URL and permission, secrets in plain environment variables,
a deprecated runtime, no dead-letter queue and no tracing."""

import json

import pulumi
import pulumi_aws as aws

role = aws.iam.Role(
    "legacy-fn-role",
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
    "legacy-fn",
    runtime="python3.8",
    handler="index.handler",
    role=role.arn,
    code=pulumi.AssetArchive({"index.py": pulumi.StringAsset("def handler(event, context):\n    return 1\n")}),
    environment={"variables": {"DB_PASSWORD": "hunter2", "STRIPE_API_KEY": "sk_live_0000", "TABLE_NAME": "orders"}},
)
aws.lambda_.FunctionUrl("open-fn-url", function_name=fn.name, authorization_type="NONE")
aws.lambda_.Permission("open-fn-permission", action="lambda:InvokeFunction", function=fn.name, principal="*")
