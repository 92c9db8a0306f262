"""Identities with least privilege: roles trusted only by their service or service account, policies
that name their actions and scope their resources, and users who get permissions only through
groups (the exclusive resources pin "no direct policies")."""

import pulumi
import pulumi_aws as aws
from compliant_common import ACCOUNT, READ_ONLY, REGION, doc


# --- IAM ------------------------------------------------------------------------------------------
def identities(
    key: aws.kms.Key, data_bucket: aws.s3.Bucket | aws.s3.BucketV2, secret: aws.secretsmanager.Secret
) -> tuple[aws.iam.Role, aws.iam.Role]:
    """Returns the ECS task role and execution role."""
    task_role = aws.iam.Role(
        "task-role",
        assume_role_policy=doc(
            {
                "Effect": "Allow",
                "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
            }
        ),
    )
    aws.iam.RolePolicy(
        "task-policy",
        role=task_role.id,
        policy=pulumi.Output.all(data_bucket.arn, key.arn, secret.arn).apply(
            lambda a: doc(
                {
                    "Sid": "ReadData",
                    "Effect": "Allow",
                    "Action": ["s3:GetObject", "s3:PutObject"],
                    "Resource": f"{a[0]}/*",
                },
                {"Sid": "ListData", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": a[0]},
                {
                    "Sid": "UseKey",
                    "Effect": "Allow",
                    "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                    "Resource": a[1],
                },
                {"Sid": "ReadSecret", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": a[2]},
                {
                    "Sid": "Unscopable",
                    "Effect": "Allow",
                    "Action": ["cloudwatch:PutMetricData", "xray:PutTraceSegments"],
                    "Resource": "*",
                },
            )
        ),
    )
    execution_role = aws.iam.Role(
        "execution-role",
        assume_role_policy=doc(
            {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ),
    )
    aws.iam.RolePolicyAttachment(
        "execution-managed",
        role=execution_role.name,
        policy_arn="arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
    )
    oidc = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE0123"
    aws.iam.Role(
        "irsa-role",
        assume_role_policy=doc(
            {
                "Effect": "Allow",
                "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{oidc}"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        f"{oidc}:sub": "system:serviceaccount:app:backend",
                        f"{oidc}:aud": "sts.amazonaws.com",
                    }
                },
            }
        ),
    )
    readers = aws.iam.Group("readers")
    aws.iam.GroupPolicy(
        "readers-policy",
        group=readers.name,
        policy=data_bucket.arn.apply(
            lambda arn: doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{arn}/*"})
        ),
    )
    deploy_policy = aws.iam.Policy(
        "deploy-policy",
        policy=task_role.arn.apply(
            lambda arn: doc(
                {
                    "Sid": "PassTaskRole",
                    "Effect": "Allow",
                    "Action": "iam:PassRole",
                    "Resource": arn,
                    "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
                },
                {
                    "Sid": "Register",
                    "Effect": "Allow",
                    "Action": "ecs:RegisterTaskDefinition",
                    "Resource": f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/app:*",
                },
                {"Sid": "Describe", "Effect": "Allow", "Action": "ecs:DescribeTaskDefinition", "Resource": "*"},
            )
        ),
    )

    aws.iam.RolePolicyAttachmentsExclusive(
        "execution-attachments",
        role_name=execution_role.name,
        policy_arns=["arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"],
    )
    aws.secretsmanager.SecretPolicy(
        "api-token-policy",
        secret_arn=secret.arn,
        policy=task_role.arn.apply(
            lambda arn: doc(
                {
                    "Sid": "TaskReads",
                    "Effect": "Allow",
                    "Principal": {"AWS": arn},
                    "Action": "secretsmanager:GetSecretValue",
                    "Resource": "*",
                }
            )
        ),
    )
    # Users get permissions only through groups; the exclusive resources pin "no direct policies".
    aws.iam.GroupPolicyAttachment("readers-read-only", group=readers.name, policy_arn=READ_ONLY)
    aws.iam.GroupPolicyAttachmentsExclusive("readers-attachments", group_name=readers.name, policy_arns=[READ_ONLY])
    aws.iam.PolicyAttachment("readers-deploy", policy_arn=deploy_policy.arn, groups=[readers.name])
    deployer = aws.iam.User("deployer")
    aws.iam.UserGroupMembership("deployer-groups", user=deployer.name, groups=[readers.name])
    aws.iam.UserPolicyAttachmentsExclusive("deployer-no-attachments", user_name=deployer.name, policy_arns=[])
    aws.iam.UserPoliciesExclusive("deployer-no-inline", user_name=deployer.name, policy_names=[])
    sso_instance = "arn:aws:sso:::instance/ssoins-0123456789abcdef"
    sso_permission_set = "arn:aws:sso:::permissionSet/ssoins-0123456789abcdef/ps-0123456789abcdef"
    aws.ssoadmin.ManagedPolicyAttachment(
        "sso-read-only", managed_policy_arn=READ_ONLY, instance_arn=sso_instance, permission_set_arn=sso_permission_set
    )
    aws.ssoadmin.ManagedPolicyAttachmentsExclusive(
        "sso-attachments",
        managed_policy_arns=[READ_ONLY],
        instance_arn=sso_instance,
        permission_set_arn=sso_permission_set,
    )
    aws.ssoadmin.PermissionSetInlinePolicy(
        "sso-reports-inline",
        inline_policy=doc(
            {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::reports-bucket/*"},
        ),
        instance_arn=sso_instance,
        permission_set_arn=sso_permission_set,
    )
    return task_role, execution_role
