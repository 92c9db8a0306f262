"""The policy documents a resource carries: which property holds which kind of document (identity
or resource policy), the documents of a resource raw and parsed, and the controls the
least-privilege policies share. Public resource policies (exposure) read the same table.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import ResourceValidationArgs

from ..helpers import as_list, get
from ..iam_documents import DocumentError, PolicyDocument, parse_document
from ..registry import Controls

IAM_CONTROLS = Controls(soc2=("CC6.1", "CC6.3"), iso27001=("A.5.15", "A.8.2"), pci=("7.2.1", "7.2.2"))

IDENTITY = "identity"
RESOURCE = "resource"

DOCUMENT_PROPS: dict[str, list[tuple[str, str]]] = {
    "aws:iam/rolePolicy:RolePolicy": [("policy", IDENTITY)],
    "aws:iam/userPolicy:UserPolicy": [("policy", IDENTITY)],
    "aws:iam/groupPolicy:GroupPolicy": [("policy", IDENTITY)],
    "aws:iam/policy:Policy": [("policy", IDENTITY)],
    # The inline policy of an IAM Identity Center permission set becomes the inline policy of the
    # role Identity Center provisions in every account the set is assigned to: an identity policy
    # of every user and group assigned there (PutInlinePolicyToPermissionSet,
    # https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_PutInlinePolicyToPermissionSet.html).
    "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy": [("inlinePolicy", IDENTITY)],
    "aws:s3/bucketPolicy:BucketPolicy": [("policy", RESOURCE)],
    "aws:s3/bucket:Bucket": [("policy", RESOURCE)],
    "aws:s3/bucketV2:BucketV2": [("policy", RESOURCE)],
    "aws:kms/key:Key": [("policy", RESOURCE)],
    "aws:kms/keyPolicy:KeyPolicy": [("policy", RESOURCE)],
    "aws:ecr/repositoryPolicy:RepositoryPolicy": [("policy", RESOURCE)],
    "aws:ecr/registryPolicy:RegistryPolicy": [("policy", RESOURCE)],
    "aws:sns/topicPolicy:TopicPolicy": [("policy", RESOURCE)],
    "aws:sns/topic:Topic": [("policy", RESOURCE)],
    "aws:sqs/queuePolicy:QueuePolicy": [("policy", RESOURCE)],
    "aws:sqs/queue:Queue": [("policy", RESOURCE)],
    "aws:secretsmanager/secretPolicy:SecretPolicy": [("policy", RESOURCE)],
    "aws:secretsmanager/secret:Secret": [("policy", RESOURCE)],
    "aws:backup/vaultPolicy:VaultPolicy": [("policy", RESOURCE)],
    "aws:efs/fileSystemPolicy:FileSystemPolicy": [("policy", RESOURCE)],
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": [("policyDocument", RESOURCE)],
}
"""Type -> [(property, kind)] of the documents the least-privilege policies read; a role's
`inlinePolicies` is handled separately (a list).

The identity kind covers every input of the pulumi-aws SDK that holds a document granting
permissions to a principal. Left out, after reading every SDK input named for a policy:
- Session policies (EKS `PodIdentityAssociation.policy`, Transfer Family `User.policy` and
  `Access.policy`, Roles Anywhere `Profile.sessionPolicy` and `managedPolicyArns`, EMR Studio
  `StudioSessionMapping.sessionPolicyArn`): they only narrow what the role grants, so a wildcard
  there grants nothing (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session).
- Permissions boundaries (`iam.Role/User.permissionsBoundary`, Identity Center's
  `PermissionsBoundaryAttachment`): a ceiling, never a grant.
- Identity Center's `CustomerManagedPolicyAttachment(sExclusive)`: it names a policy by name and
  path that must exist in each assigned account; its document is the `aws.iam.Policy` that
  creates it (judged here when the program holds it) or lives in another account and cannot be
  read. Its AWS-managed attachments are judged by `iam-no-admin-managed-policies`.
- IoT policies (attached to device certificates, granting `iot:` actions to devices) and
  chatbot guardrail ARNs (a ceiling on a channel's role)."""

IDENTITY_TYPES = (
    *tuple(t for t, props in DOCUMENT_PROPS.items() if any(k == IDENTITY for _, k in props)),
    "aws:iam/role:Role",
)
ALL_DOCUMENT_TYPES = (*DOCUMENT_PROPS, "aws:iam/role:Role")


def documents(args: ResourceValidationArgs, kinds: tuple[str, ...] = (IDENTITY, RESOURCE)) -> Iterator[tuple[str, Any]]:
    """(where, raw document) for each policy document of the resource of the wanted kinds."""
    for prop, kind in DOCUMENT_PROPS.get(args.resource_type, []):
        if kind in kinds:
            value = get(args.props, prop)
            if value is not None:
                yield prop, value
    if args.resource_type == "aws:iam/role:Role" and IDENTITY in kinds:
        for i, inline in enumerate(as_list(get(args.props, "inlinePolicies"))):
            value = get(inline, "policy")
            if value is not None:
                yield f"inlinePolicies[{i}] ({get(inline, 'name', default='unnamed')})", value


def parsed(
    args: ResourceValidationArgs, kinds: tuple[str, ...] = (IDENTITY, RESOURCE)
) -> Iterator[tuple[str, PolicyDocument]]:
    """Parsed documents; unparsable ones are skipped here (iam-policy-document-valid reports them)."""
    for where, raw in documents(args, kinds):
        try:
            yield where, parse_document(raw)
        except DocumentError:
            continue


def _prefix(args: ResourceValidationArgs, where: str) -> str:
    kind = args.resource_type.split(":")[-1]
    return f"{kind} '{args.name}' ({where})"
