"""Identities with every least-privilege mistake: a role anyone may assume, wildcard and administrator
policies, a web identity trusted for any service account, a policy that is not JSON, and users,
groups and an SSO permission set holding administrator access directly."""

import pulumi_aws as aws
from insecure_common import ACCOUNT, ADMIN, doc, wide_identity


# --- IAM: roles -----------------------------------------------------------------------------------
def roles() -> None:
    wide_role = aws.iam.Role(
        "wide-role",
        assume_role_policy=doc({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}),
        inline_policies=[{"name": "wide-inline", "policy": wide_identity()}],
        managed_policy_arns=[ADMIN],
    )
    aws.iam.RolePolicy("wide-policy", role=wide_role.id, policy=wide_identity())
    aws.iam.RolePolicyAttachment("admin-attach", role=wide_role.name, policy_arn=ADMIN)
    aws.iam.RolePolicyAttachmentsExclusive("role-attachments-exclusive", role_name=wide_role.name, policy_arns=[ADMIN])
    aws.iam.Role(
        "irsa-role",
        assume_role_policy=doc(
            {
                "Effect": "Allow",
                "Principal": {
                    "Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE0123"
                },
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringLike": {"oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE0123:sub": "system:serviceaccount:*"}
                },
            }
        ),
    )
    aws.iam.Policy("broken-policy", policy="{not json")
    aws.iam.Policy("wide-managed-policy", policy=wide_identity())


# --- IAM: users and groups ------------------------------------------------------------------------
def users_and_groups() -> None:
    user = aws.iam.User("deploy-user")
    aws.iam.UserPolicy("user-policy", name="deploy-inline", user=user.name, policy=wide_identity())
    aws.iam.UserPolicyAttachment("user-admin-attach", user=user.name, policy_arn=ADMIN)
    aws.iam.UserPolicyAttachmentsExclusive("user-attachments-exclusive", user_name=user.name, policy_arns=[ADMIN])
    aws.iam.UserPoliciesExclusive("user-policies-exclusive", user_name=user.name, policy_names=["deploy-inline"])
    aws.iam.PolicyAttachment("admin-policy-attachment", policy_arn=ADMIN, users=[user.name])
    group = aws.iam.Group("admins")
    aws.iam.GroupPolicy("group-policy", group=group.name, policy=wide_identity())
    aws.iam.GroupPolicyAttachment("group-admin-attach", group=group.name, policy_arn=ADMIN)
    aws.iam.GroupPolicyAttachmentsExclusive(
        "group-attachments-exclusive",
        group_name=group.name,
        policy_arns=["arn:aws:iam::aws:policy/PowerUserAccess"],
    )
    sso_instance = "arn:aws:sso:::instance/ssoins-0123456789abcdef"
    sso_permission_set = "arn:aws:sso:::permissionSet/ssoins-0123456789abcdef/ps-0123456789abcdef"
    aws.ssoadmin.ManagedPolicyAttachment(
        "sso-admin-attach", managed_policy_arn=ADMIN, instance_arn=sso_instance, permission_set_arn=sso_permission_set
    )
    aws.ssoadmin.ManagedPolicyAttachmentsExclusive(
        "sso-attachments-exclusive",
        managed_policy_arns=[ADMIN],
        instance_arn=sso_instance,
        permission_set_arn=sso_permission_set,
    )
    aws.ssoadmin.PermissionSetInlinePolicy(
        "sso-wide-inline",
        inline_policy=wide_identity(),
        instance_arn=sso_instance,
        permission_set_arn=sso_permission_set,
    )
