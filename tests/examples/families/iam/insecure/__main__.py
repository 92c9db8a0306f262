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


def web_identity_trust(issuer: str, conditions: dict) -> str:
    # Cognito is named by its service host; other issuers by their IAM OIDC provider's ARN.
    federated = (
        issuer if issuer.startswith("cognito-identity.") else f"arn:aws:iam::123456789012:oidc-provider/{issuer}"
    )
    statement = {
        "Effect": "Allow",
        "Principal": {"Federated": federated},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": conditions,
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


GITHUB = "token.actions.githubusercontent.com"
# Only the audience: every workflow of every repository on GitHub gets a token with it.
aws.iam.Role(
    "github-any-repository-role",
    assume_role_policy=web_identity_trust(GITHUB, {"StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com"}}),
)
# A subject pattern with no owner: any GitHub account's repositories match it.
aws.iam.Role(
    "github-any-owner-role",
    assume_role_policy=web_identity_trust(
        GITHUB,
        {"StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com"}, "StringLike": {f"{GITHUB}:sub": "repo:*/deploy:*"}},
    ),
)
# Cognito without the identity pool: identities of any pool in any account.
aws.iam.Role(
    "cognito-any-pool-role",
    assume_role_policy=web_identity_trust(
        "cognito-identity.amazonaws.com",
        {"ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"}},
    ),
)
