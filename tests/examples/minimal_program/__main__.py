"""A small, ordinary Pulumi program (not using this repository's components)."""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
prefix = config.require("bucketPrefix")
skip_encryption = config.get_bool("skipEncryption") or False
token = config.require_secret("apiToken")

key = aws.kms.Key("data", enable_key_rotation=True, description="data key")
bucket = aws.s3.Bucket("data", bucket_prefix=f"{prefix}-")
if not skip_encryption:
    aws.s3.BucketServerSideEncryptionConfiguration(
        "data",
        bucket=bucket.id,
        rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn}}],
    )
doc = aws.iam.get_policy_document_output(
    statements=bucket.arn.apply(
        lambda arn: [aws.iam.GetPolicyDocumentStatementArgs(actions=["s3:GetObject"], resources=[f"{arn}/*"])]
    )
)
role = aws.iam.Role(
    "reader",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
    ),
)
aws.iam.RolePolicy("reader", role=role.id, policy=doc.json)
secret = aws.secretsmanager.Secret("token", kms_key_id=key.arn)
aws.secretsmanager.SecretVersion("token", secret_id=secret.id, secret_string=token)

pulumi.export("bucketName", bucket.bucket)
pulumi.export("token", token)
