"""Resource policies that allow the world: a statement with Principal '*' and no condition pinning
the caller, in the resource-based policy of any pulumi-aws type that carries one (KMS keys, ECR
repositories, SNS topics, SQS queues, secrets, S3 access points, Glacier vaults, ...), and the
permissions that stand for such a statement: an event bus permission or an endpoint service's
allowed principals naming '*'. Buckets are judged by the same test in `s3_exposure`.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import ResourceValidationArgs, Severity

from ..helpers import as_list, get
from ..iam_documents import DocumentError, is_wildcard, parse_document, public_principal, restricts_principal
from ..least_privilege.documents import DOCUMENT_PROPS, RESOURCE
from ..registry import Controls, Report, resource_policy

PUBLIC_DATA = Controls(soc2=("CC6.1", "CC6.6"), iso27001=("A.8.3", "A.5.15"), pci=("1.4.4", "7.2.1"))


def public_statements(raw: Any) -> list[str]:
    """Labels of the statements of a resource policy (JSON text or object) that let anyone in;
    none when the document is absent or not a policy."""
    try:
        doc = parse_document(raw)
    except DocumentError:
        return []
    return [s.label for s in doc.allows if public_principal(s) and not restricts_principal(s)]


NON_S3_POLICY_TYPES = tuple(
    t for t, props in DOCUMENT_PROPS.items() if any(k == RESOURCE for _, k in props) and not t.startswith("aws:s3/")
)

EXPOSURE_POLICY_DOCUMENTS: dict[str, str] = {
    "aws:acmpca/policy:Policy": "policy",
    "aws:amp/resourcePolicy:ResourcePolicy": "policyDocument",
    "aws:bedrock/agentcoreResourcePolicy:AgentcoreResourcePolicy": "policy",
    "aws:cloudsearch/domainServiceAccessPolicy:DomainServiceAccessPolicy": "accessPolicy",
    "aws:cloudwatch/eventBusPolicy:EventBusPolicy": "policy",
    "aws:cloudwatch/logDeliveryDestinationPolicy:LogDeliveryDestinationPolicy": "deliveryDestinationPolicy",
    "aws:cloudwatch/logDestinationPolicy:LogDestinationPolicy": "accessPolicy",
    "aws:codeartifact/domainPermissions:DomainPermissions": "policyDocument",
    "aws:codeartifact/repositoryPermissionsPolicy:RepositoryPermissionsPolicy": "policyDocument",
    "aws:codebuild/resourcePolicy:ResourcePolicy": "policy",
    "aws:dynamodb/resourcePolicy:ResourcePolicy": "policy",
    "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate": "repositoryPolicy",
    "aws:ecrpublic/repositoryPolicy:RepositoryPolicy": "policy",
    "aws:fsx/s3AccessPointAttachment:S3AccessPointAttachment": "s3AccessPoint.policy",
    "aws:glacier/vault:Vault": "accessPolicy",
    "aws:glacier/vaultLock:VaultLock": "policy",
    "aws:glue/resourcePolicy:ResourcePolicy": "policy",
    "aws:kinesis/resourcePolicy:ResourcePolicy": "policy",
    "aws:kms/externalKey:ExternalKey": "policy",
    "aws:kms/replicaExternalKey:ReplicaExternalKey": "policy",
    "aws:kms/replicaKey:ReplicaKey": "policy",
    "aws:lambda/resourcePolicy:ResourcePolicy": "policy",
    "aws:mediastore/containerPolicy:ContainerPolicy": "policy",
    "aws:msk/clusterPolicy:ClusterPolicy": "policy",
    "aws:networkfirewall/resourcePolicy:ResourcePolicy": "policy",
    "aws:oam/sinkPolicy:SinkPolicy": "policy",
    "aws:opensearchingest/resourcePolicy:ResourcePolicy": "policy",
    "aws:organizations/resourcePolicy:ResourcePolicy": "content",
    "aws:pinpoint/smsvoicev2ResourcePolicy:Smsvoicev2ResourcePolicy": "policy",
    "aws:redshift/resourcePolicy:ResourcePolicy": "policy",
    "aws:redshiftserverless/resourcePolicy:ResourcePolicy": "policy",
    "aws:s3/accessPoint:AccessPoint": "policy",
    "aws:s3/filesFileSystemPolicy:FilesFileSystemPolicy": "policy",
    "aws:s3/vectorsVectorBucketPolicy:VectorsVectorBucketPolicy": "policy",
    "aws:s3control/accessGrantsInstanceResourcePolicy:AccessGrantsInstanceResourcePolicy": "policy",
    "aws:s3control/accessPointPolicy:AccessPointPolicy": "policy",
    "aws:s3control/bucketPolicy:BucketPolicy": "policy",
    "aws:s3control/multiRegionAccessPointPolicy:MultiRegionAccessPointPolicy": "details.policy",
    "aws:s3control/objectLambdaAccessPointPolicy:ObjectLambdaAccessPointPolicy": "policy",
    "aws:s3tables/tableBucketPolicy:TableBucketPolicy": "resourcePolicy",
    "aws:s3tables/tablePolicy:TablePolicy": "resourcePolicy",
    "aws:sagemaker/modelPackageGroupPolicy:ModelPackageGroupPolicy": "resourcePolicy",
    "aws:schemas/registryPolicy:RegistryPolicy": "policy",
    "aws:ses/identityPolicy:IdentityPolicy": "policy",
    "aws:sesv2/emailIdentityPolicy:EmailIdentityPolicy": "policy",
    "aws:vpclattice/resourcePolicy:ResourcePolicy": "policy",
    "aws:xray/resourcePolicy:ResourcePolicy": "policyDocument",
}
"""Resource-based policies judged for exposure only (type -> the document's property, as the
engine names it; a dot steps into an object): a `*` principal there lets any AWS account, or an
anonymous caller, use the resource (decrypt with a replica key, read a vault's archives, push to
a repository, send mail as an identity, write to a sink). The IAM action checks read only the
documents of `DOCUMENT_PROPS`; these are the services' own and are not.

Left out, after reading every input of the pulumi-aws SDK that holds a policy document:
- OpenSearch's and Elasticsearch's standalone `DomainPolicy`: an open access policy is AWS's
  advice for a domain in a VPC or with fine-grained access control, which only the domain shows
  (`opensearch-not-public` judges the policy written on the domain).
- API Gateway's `RestApi.policy`, `RestApiPolicy` and `DomainName.policy`: `Principal: "*"` is the
  documented form of an API resource policy (a private API pairs an Allow for '*' with a Deny
  unless aws:SourceVpce); who may call an API is decided by its endpoint type and authorizers,
  which `api-gateway-routes-authorized` judges.
- VPC endpoint policies (`VpcEndpoint.policy`, `VpcEndpointPolicy`), VPC Lattice's `AuthPolicy`
  and the ODB network's service access documents: reached only from inside the VPC (or the VPCs
  associated with the service network); '*' there is AWS's default full-access policy, not the
  world.
- Aurora DSQL's `ClusterPolicy`: it grants only within the cluster's own account (cross-account
  access is not supported), so '*' cannot reach another account.
- Identity and session policies: IAM's and IAM Identity Center permission sets' (judged in
  `least_privilege`), EKS pod identity session policies, Transfer Family user and access policies,
  Roles Anywhere session policies, IoT policies (attached to certificates) and RAM permission
  templates (statements without principals).
- Documents that are not IAM policies: Organizations policies (SCPs, tag and backup policies),
  CloudFormation stack policies (whose principal is always '*'), ECR lifecycle policies, CloudWatch
  Logs account, data protection and index policies, SNS data protection policies, SQS redrive
  policies, SES receipt filters, Network Manager core network policies, Route 53 traffic policies,
  OpenSearch Serverless access, security and lifecycle policies and Verified Access (Cedar)
  policies."""

EVENT_PERMISSION = "aws:cloudwatch/eventPermission:EventPermission"
ENDPOINT_SERVICE = "aws:ec2/vpcEndpointService:VpcEndpointService"
ENDPOINT_SERVICE_PRINCIPAL = "aws:ec2/vpcEndpointServiceAllowedPrinciple:VpcEndpointServiceAllowedPrinciple"
PUBLIC_PERMISSIONS = (EVENT_PERMISSION, ENDPOINT_SERVICE, ENDPOINT_SERVICE_PRINCIPAL)
"""Permissions that are one statement of a resource policy: an event bus permission for '*'
(without an aws:PrincipalOrgID condition) and an endpoint service's allowed principal '*'."""


def _documents(args: ResourceValidationArgs) -> list[Any]:
    props = [prop for prop, kind in DOCUMENT_PROPS.get(args.resource_type, []) if kind == RESOURCE]
    if args.resource_type in EXPOSURE_POLICY_DOCUMENTS:
        props.append(EXPOSURE_POLICY_DOCUMENTS[args.resource_type])
    return [get(args.props, *prop.split(".")) for prop in props]


def _event_permission_public(props: Any) -> bool:
    """PutPermission with Principal '*' lets every AWS account put events on the bus unless its
    condition names the organization (aws:PrincipalOrgID is the only key it takes):
    https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutPermission.html"""
    if get(props, "principal") != "*":
        return False
    condition = get(props, "condition")
    value = get(condition, "value")
    pinned = str(get(condition, "key") or "").lower() == "aws:principalorgid" and isinstance(value, str)
    return not (pinned and value != "" and not is_wildcard(value))


def _endpoint_service_public(args: ResourceValidationArgs) -> bool:
    """'*' among an endpoint service's allowed principals makes the service public: any account
    that knows its name can request an endpoint, approved at once unless acceptance is required
    (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-ec2-vpcendpointservicepermissions.html).
    """
    if args.resource_type == ENDPOINT_SERVICE:
        return any(str(p).strip() == "*" for p in as_list(get(args.props, "allowedPrincipals")))
    return str(get(args.props, "principalArn") or "").strip() == "*"


def _resource_public(args: ResourceValidationArgs, report: Report) -> None:
    kind = args.resource_type.split(":")[-1]
    if args.resource_type == EVENT_PERMISSION:
        if _event_permission_public(args.props):
            report(
                f"EventPermission '{args.name}' lets every AWS account (principal '*') put events on the bus. Name the "
                "account, or add condition={'key': 'aws:PrincipalOrgID', 'type': 'StringEquals', 'value': <organization id>}."
            )
        return
    if args.resource_type in (ENDPOINT_SERVICE, ENDPOINT_SERVICE_PRINCIPAL):
        if _endpoint_service_public(args):
            report(
                f"{kind} '{args.name}' allows every AWS principal ('*') to connect an endpoint to the service. "
                "List the consumer accounts or roles by ARN, and keep acceptance_required=True."
            )
        return
    for raw in _documents(args):
        for label in public_statements(raw):
            report(
                f"{kind} '{args.name}' resource policy {label} allows everyone (Principal '*') without a "
                "condition pinning the caller. Name the principals, or add aws:PrincipalOrgID / aws:SourceAccount / aws:SourceArn conditions."
            )


resource_public = resource_policy(
    "resource-policy-not-public",
    category="exposure",
    description="No resource-based policy (KMS keys, ECR repositories, SNS topics, SQS queues, secrets, S3 access points, Glacier vaults and every other type that carries one) allows the world, and no event bus permission or endpoint service admits '*'.",
    severity=Severity.CRITICAL,
    controls=PUBLIC_DATA,
    remediation="Replace Principal '*' with specific accounts, roles or service principals, or add a condition on aws:PrincipalOrgID, aws:SourceAccount or aws:SourceArn; list endpoint service consumers by ARN.",
    validate=_resource_public,
    types=(*NON_S3_POLICY_TYPES, *EXPOSURE_POLICY_DOCUMENTS, *PUBLIC_PERMISSIONS),
    covers=("AwsSolutions-ECR1", "CKV_AWS_32", "CKV_AWS_33", "CKV_AWS_168", "CKV_AWS_169", "CKV_AWS_387"),
)


POLICIES = [resource_public]
