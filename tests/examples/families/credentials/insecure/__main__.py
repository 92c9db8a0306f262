"""Credentials that outlive their use, secrets written where anyone in the account reads them, and
detection switched off: an IAM user with an access key, console password, service-specific
credential and signing certificate; keys and passwords in user data (plain and base64) and in
String parameters; GuardDuty (and a protection plan), AWS Config, Macie and Security Hub controls
turned off; an account password policy weaker than the benchmark."""

import base64

import pulumi_aws as aws

AMI = "ami-0123456789abcdef0"
# A documented example key pair (AWS's own placeholders), never a real credential.
BOOT = """#!/bin/bash
export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
DB_PASSWORD='correct-horse-battery-staple'
"""

user = aws.iam.User("ci-bot")
aws.iam.AccessKey("ci-access-key", user=user.name)
aws.iam.UserLoginProfile("ci-console-password", user=user.name)
aws.iam.ServiceSpecificCredential("ci-git-password", user_name=user.name, service_name="codecommit.amazonaws.com")
aws.iam.SigningCertificate(
    "ci-signing-certificate",
    user_name=user.name,
    certificate_body="-----BEGIN CERTIFICATE-----\nMIIBexample\n-----END CERTIFICATE-----\n",
)

aws.ec2.Instance("secret-boot-instance", ami=AMI, instance_type="t3.micro", user_data=BOOT)
aws.ec2.SpotInstanceRequest(
    "secret-boot-spot",
    ami=AMI,
    instance_type="t3.micro",
    spot_price="0.01",
    user_data_base64=base64.b64encode(BOOT.encode()).decode(),
)
aws.ec2.LaunchTemplate(
    "secret-boot-template", image_id=AMI, instance_type="t3.micro", user_data=base64.b64encode(BOOT.encode()).decode()
)
aws.ec2.LaunchConfiguration("secret-boot-configuration", image_id=AMI, instance_type="t3.micro", user_data=BOOT)
aws.ssm.Parameter("db-password", name="/shop/db-password", type="String", value="correct-horse-battery-staple")
aws.ssm.Parameter(
    "deploy-key", name="/shop/deploy", type="String", value="-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n"
)

aws.guardduty.Detector("detector-off", enable=False)
recorder = aws.cfg.Recorder(
    "config-recorder", role_arn="arn:aws:iam::123456789012:role/aws-config", recording_group={"all_supported": True}
)
aws.cfg.RecorderStatus("config-recorder-off", name=recorder.name, is_enabled=False)
aws.macie2.Account("macie-paused", status="PAUSED")
aws.guardduty.DetectorFeature(
    "s3-protection-off", detector_id="12abc34d567e8fa901bc2d34e56789f0", name="S3_DATA_EVENTS", status="DISABLED"
)
aws.securityhub.StandardsControl(
    "trail-check-off",
    standards_control_arn="arn:aws:securityhub:us-east-1:123456789012:control/aws-foundational-security-best-practices/v/1.0.0/CloudTrail.1",
    control_status="DISABLED",
    disabled_reason="Too noisy",
)
aws.securityhub.StandardsControlAssociation(
    "public-bucket-check-off",
    security_control_id="S3.8",
    standards_arn="arn:aws:securityhub:us-east-1::standards/aws-foundational-security-best-practices/v/1.0.0",
    association_status="DISABLED",
    updated_reason="Too noisy",
)
aws.iam.AccountPasswordPolicy("weak-password-policy", minimum_password_length=8, password_reuse_prevention=1)
