"""Glue jobs and crawlers under a security configuration that encrypts output, logs and
bookmarks with a customer-managed key."""

import pulumi
import pulumi_aws as aws

key = aws.kms.Key(
    "glue-key", enable_key_rotation=True, deletion_window_in_days=30, opts=pulumi.ResourceOptions(protect=True)
)
config = aws.glue.SecurityConfiguration(
    "glue-kms-config",
    encryption_configuration={
        "s3_encryption": {"s3_encryption_mode": "SSE-KMS", "kms_key_arn": key.arn},
        "cloudwatch_encryption": {"cloudwatch_encryption_mode": "SSE-KMS", "kms_key_arn": key.arn},
        "job_bookmarks_encryption": {"job_bookmarks_encryption_mode": "CSE-KMS", "kms_key_arn": key.arn},
    },
)
aws.glue.Job(
    "etl-job",
    role_arn="arn:aws:iam::123456789012:role/glue-etl",
    command={"script_location": "s3://etl-scripts/job.py", "python_version": "3"},
    glue_version="4.0",
    security_configuration=config.name,
)
aws.glue.Crawler(
    "raw-crawler",
    database_name="raw",
    role="arn:aws:iam::123456789012:role/glue-crawler",
    s3_targets=[{"path": "s3://raw-data/"}],
    security_configuration=config.name,
)
