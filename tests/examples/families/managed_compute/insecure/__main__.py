"""Managed compute on the internet: a SageMaker notebook with direct internet access (its
default), EMR block public access turned off, and another that lets clusters open every port."""

import pulumi_aws as aws

aws.sagemaker.NotebookInstance(
    "open-notebook",
    role_arn="arn:aws:iam::123456789012:role/sagemaker-notebook",
    instance_type="ml.t3.medium",
    kms_key_id="arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
)
aws.emr.BlockPublicAccessConfiguration("emr-public-access-off", block_public_security_group_rules=False)
aws.emr.BlockPublicAccessConfiguration(
    "emr-every-port",
    block_public_security_group_rules=True,
    permitted_public_security_group_rule_ranges=[{"min_range": 0, "max_range": 65535}],
)
