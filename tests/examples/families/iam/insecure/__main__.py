"""IAM mistakes: AWS-managed policies with administrator-equivalent power, and `*:*` inline."""

import json

import pulumi_aws as aws

role = aws.iam.Role(
    "ops-role",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
    ),
)
for name, arn in {
    "power-user-attachment": "arn:aws:iam::aws:policy/PowerUserAccess",
    "iam-full-attachment": "arn:aws:iam::aws:policy/IAMFullAccess",
    "s3-full-attachment": "arn:aws:iam::aws:policy/AmazonS3FullAccess",
    "sysadmin-attachment": "arn:aws:iam::aws:policy/job-function/SystemAdministrator",
}.items():
    aws.iam.RolePolicyAttachment(name, role=role.name, policy_arn=arn)
aws.iam.RolePolicy(
    "star-star-inline",
    role=role.id,
    policy=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*:*", "Resource": "*"}]}),
)
