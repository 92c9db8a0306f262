"""The same managed compute kept inside the VPC: a notebook in a private subnet without direct
internet access, and EMR block public access on with the default port 22 exception."""

import pulumi_aws as aws

aws.sagemaker.NotebookInstance(
    "private-notebook",
    role_arn="arn:aws:iam::123456789012:role/sagemaker-notebook",
    instance_type="ml.t3.medium",
    kms_key_id="arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    subnet_id="subnet-0123456789abcdef0",
    security_groups=["sg-0123456789abcdef0"],
    direct_internet_access="Disabled",
    root_access="Disabled",
)
aws.emr.BlockPublicAccessConfiguration(
    "emr-public-access-on",
    block_public_security_group_rules=True,
    permitted_public_security_group_rule_ranges=[{"min_range": 22, "max_range": 22}],
)
