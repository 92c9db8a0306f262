"""The twin of credentials-insecure: no IAM user credentials (workloads assume roles), user data
that reads its secret at boot with the instance role, the secret kept as a SecureString under a
customer-managed key, and GuardDuty (with its protection plans), AWS Config, Macie and Security
Hub controls on, and a password policy at the benchmark."""

import base64

import pulumi
import pulumi_aws as aws

AMI = "ami-0123456789abcdef0"
BOOT = """#!/bin/bash
DB_PASSWORD=$(aws ssm get-parameter --with-decryption --name /shop/db-password --query Parameter.Value --output text)
LOG_LEVEL=info
"""

key = aws.kms.Key(
    "parameter-key", enable_key_rotation=True, deletion_window_in_days=30, opts=pulumi.ResourceOptions(protect=True)
)
aws.ec2.LaunchTemplate(
    "boot-reads-secret-template",
    image_id=AMI,
    instance_type="t3.micro",
    metadata_options={"http_tokens": "required", "http_endpoint": "enabled"},
    block_device_mappings=[
        {
            "device_name": "/dev/xvda",
            "ebs": {"volume_size": 20, "volume_type": "gp3", "encrypted": "true", "kms_key_id": key.arn},
        }
    ],
    user_data=base64.b64encode(BOOT.encode()).decode(),
)
aws.ssm.Parameter(
    "db-password", name="/shop/db-password", type="SecureString", value="placeholder-rotated-elsewhere", key_id=key.arn
)
aws.ssm.Parameter("log-level", name="/shop/log-level", type="String", value="info")

aws.guardduty.Detector("detector", enable=True)
recorder = aws.cfg.Recorder(
    "config-recorder", role_arn="arn:aws:iam::123456789012:role/aws-config", recording_group={"all_supported": True}
)
aws.cfg.RecorderStatus("config-recorder-on", name=recorder.name, is_enabled=True)
aws.macie2.Account("macie", status="ENABLED")
aws.guardduty.DetectorFeature(
    "s3-protection", detector_id="12abc34d567e8fa901bc2d34e56789f0", name="S3_DATA_EVENTS", status="ENABLED"
)
aws.securityhub.StandardsControl(
    "trail-check",
    standards_control_arn="arn:aws:securityhub:us-east-1:123456789012:control/aws-foundational-security-best-practices/v/1.0.0/CloudTrail.1",
    control_status="ENABLED",
)
aws.securityhub.StandardsControlAssociation(
    "public-bucket-check",
    security_control_id="S3.8",
    standards_arn="arn:aws:securityhub:us-east-1::standards/aws-foundational-security-best-practices/v/1.0.0",
    association_status="ENABLED",
)
aws.iam.AccountPasswordPolicy(
    "password-policy",
    minimum_password_length=14,
    password_reuse_prevention=24,
    require_lowercase_characters=True,
    require_uppercase_characters=True,
    require_numbers=True,
    require_symbols=True,
)
