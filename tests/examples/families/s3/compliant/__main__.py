"""A bucket with AWS's defaults only: SSE-S3 on every new object and Block Public Access on
(both since 2023), no settings resources at all. Encrypted and private; a customer-managed key,
access logs and versioning are a stack's further choices (advice here)."""

import pulumi_aws as aws

aws.s3.Bucket("defaults-bucket", bucket="defaults-bucket-example")
