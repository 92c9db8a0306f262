"""Glue mistakes: a job and a crawler without a security configuration, and a security
configuration that leaves everything unencrypted."""

import pulumi_aws as aws

aws.glue.SecurityConfiguration(
    "glue-plain-config",
    encryption_configuration={
        "s3_encryption": {"s3_encryption_mode": "DISABLED"},
        "cloudwatch_encryption": {"cloudwatch_encryption_mode": "DISABLED"},
        "job_bookmarks_encryption": {"job_bookmarks_encryption_mode": "DISABLED"},
    },
)
aws.glue.Job(
    "plain-etl-job",
    role_arn="arn:aws:iam::123456789012:role/glue-etl",
    command={"script_location": "s3://etl-scripts/job.py", "python_version": "3"},
    glue_version="4.0",
)
aws.glue.Crawler(
    "plain-crawler",
    database_name="raw",
    role="arn:aws:iam::123456789012:role/glue-crawler",
    s3_targets=[{"path": "s3://raw-data/"}],
)
