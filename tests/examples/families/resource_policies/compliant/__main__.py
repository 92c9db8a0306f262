"""The same resource policies, each held to the account's own organisation or account; the bus
permission held to the organisation and the endpoint service to one partner account."""

import json

import pulumi_aws as aws

ACCOUNT = "123456789012"
REGION = "us-east-1"
ORGANISATION = "o-a1b2c3d4e5"


def arn(service: str, resource: str) -> str:
    return f"arn:aws:{service}:{REGION}:{ACCOUNT}:{resource}"


def organisation(action: str, resource: str) -> str:
    statement = {
        "Sid": "Organisation",
        "Effect": "Allow",
        "Principal": "*",
        "Action": action,
        "Resource": resource,
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORGANISATION}},
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def account(action: str, resource: str) -> str:
    statement = {
        "Sid": "Account",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": action,
        "Resource": resource,
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


# --- data and event services -------------------------------------------------------------------
TABLE = arn("dynamodb", "table/orders")
STREAM = arn("kinesis", "stream/clicks")
aws.dynamodb.ResourcePolicy("org-table-policy", resource_arn=TABLE, policy=organisation("dynamodb:GetItem", TABLE))
aws.kinesis.ResourcePolicy("account-stream-policy", resource_arn=STREAM, policy=account("kinesis:GetRecords", STREAM))
aws.cloudwatch.EventBusPolicy(
    "org-bus-policy",
    event_bus_name="default",
    policy=organisation("events:PutEvents", arn("events", "event-bus/default")),
)
aws.glue.ResourcePolicy("account-catalog-policy", policy=account("glue:GetTable", arn("glue", "catalog")))
MSK = arn("kafka", "cluster/events/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d-1")
aws.msk.ClusterPolicy("org-kafka-policy", cluster_arn=MSK, policy=organisation("kafka:CreateVpcConnection", MSK))
REDSHIFT = arn("redshift", "datashare:0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d/sales")
aws.redshift.ResourcePolicy(
    "org-datashare-policy", resource_arn=REDSHIFT, policy=organisation("redshift:AuthorizeDataShare", REDSHIFT)
)
SNAPSHOT = arn("redshift-serverless", "snapshot/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d")
aws.redshiftserverless.ResourcePolicy(
    "org-serverless-snapshot-policy",
    resource_arn=SNAPSHOT,
    policy=organisation("redshift-serverless:RestoreFromSnapshot", SNAPSHOT),
)
PIPELINE = arn("osis", "pipeline/ingest")
aws.opensearchingest.ResourcePolicy(
    "org-ingest-policy", resource_arn=PIPELINE, policy=organisation("osis:Ingest", PIPELINE)
)
aws.cloudsearch.DomainServiceAccessPolicy(
    "org-search-policy",
    domain_name="catalog",
    access_policy=organisation("cloudsearch:search", arn("cloudsearch", "domain/catalog")),
)
MODELS = arn("sagemaker", "model-package-group/churn")
aws.sagemaker.ModelPackageGroupPolicy(
    "org-model-group-policy",
    model_package_group_name="churn",
    resource_policy=organisation("sagemaker:DescribeModelPackage", MODELS),
)
aws.schemas.RegistryPolicy(
    "org-schema-registry-policy",
    registry_name="events",
    policy=organisation("schemas:DescribeSchema", arn("schemas", "registry/events")),
)

# --- storage and archives ----------------------------------------------------------------------
aws.glacier.Vault(
    "org-vault",
    name="archive",
    access_policy=organisation("glacier:RetrieveVaultNotifications", arn("glacier", "vaults/archive")),
)
aws.glacier.VaultLock(
    "org-vault-lock",
    vault_name="archive",
    complete_lock=False,
    policy=organisation("glacier:InitiateJob", arn("glacier", "vaults/archive")),
)
ACCESS_POINT = arn("s3", "accesspoint/shared")
aws.s3.AccountPublicAccessBlock(
    "account-block",
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
)
aws.s3.AccessPoint(
    "org-access-point",
    bucket="data-bucket",
    name="shared",
    policy=organisation("s3:GetObject", f"{ACCESS_POINT}/object/*"),
    public_access_block_configuration={
        "block_public_acls": True,
        "block_public_policy": True,
        "ignore_public_acls": True,
        "restrict_public_buckets": True,
    },
)
aws.s3control.MultiRegionAccessPoint(
    "org-mrap",
    details={
        "name": "global",
        "regions": [{"bucket": "data-bucket"}],
        "public_access_block": {
            "block_public_acls": True,
            "block_public_policy": True,
            "ignore_public_acls": True,
            "restrict_public_buckets": True,
        },
    },
)
aws.s3control.AccessPointPolicy(
    "org-access-point-policy",
    access_point_arn=ACCESS_POINT,
    policy=organisation("s3:GetObject", f"{ACCESS_POINT}/object/*"),
)
MRAP = f"arn:aws:s3::{ACCOUNT}:accesspoint/global.mrap"
aws.s3control.MultiRegionAccessPointPolicy(
    "org-mrap-policy", details={"name": "global", "policy": organisation("s3:GetObject", f"{MRAP}/object/*")}
)
OLAP = arn("s3-object-lambda", "accesspoint/redacted")
aws.s3control.ObjectLambdaAccessPointPolicy(
    "org-object-lambda-policy", name="redacted", policy=organisation("s3-object-lambda:GetObject", OLAP)
)
OUTPOSTS_BUCKET = arn("s3-outposts", "outpost/op-01ac5d28a6a232904/bucket/edge")
aws.s3control.BucketPolicy(
    "org-outposts-bucket-policy",
    bucket=OUTPOSTS_BUCKET,
    policy=organisation("s3-outposts:GetObject", f"{OUTPOSTS_BUCKET}/*"),
)
aws.s3control.AccessGrantsInstanceResourcePolicy(
    "org-access-grants-policy", policy=organisation("s3:GetDataAccess", arn("s3", "access-grants/default"))
)
VECTORS = arn("s3vectors", "bucket/embeddings")
aws.s3.VectorsVectorBucketPolicy(
    "org-vector-bucket-policy", vector_bucket_arn=VECTORS, policy=organisation("s3vectors:QueryVectors", VECTORS)
)
aws.s3.FilesFileSystemPolicy(
    "org-files-policy",
    file_system_id="fs-0123456789abcdef0",
    policy=organisation("s3files:ClientMount", arn("s3files", "file-system/fs-0123456789abcdef0")),
)
TABLE_BUCKET = arn("s3tables", "bucket/analytics")
aws.s3tables.TableBucketPolicy(
    "org-table-bucket-policy",
    table_bucket_arn=TABLE_BUCKET,
    resource_policy=organisation("s3tables:GetTableData", f"{TABLE_BUCKET}/table/*"),
)
aws.s3tables.TablePolicy(
    "org-s3-table-policy",
    table_bucket_arn=TABLE_BUCKET,
    namespace="sales",
    name="orders",
    resource_policy=organisation("s3tables:GetTableData", f"{TABLE_BUCKET}/table/orders"),
)
aws.fsx.S3AccessPointAttachment(
    "org-fsx-access-point",
    name="zfs-shared",
    type="OPENZFS",
    openzfs_configuration={
        "volume_id": "fsvol-0123456789abcdef0",
        "file_system_identity": {"type": "POSIX", "posix_user": {"uid": 1001, "gid": 1001}},
    },
    s3_access_point={"policy": organisation("s3:GetObject", arn("s3", "accesspoint/zfs-shared/object/*"))},
)
aws.mediastore.ContainerPolicy(
    "org-media-policy",
    container_name="videos",
    policy=organisation("mediastore:GetObject", arn("mediastore", "container/videos/*")),
)

# --- keys, code and artifacts ------------------------------------------------------------------
PRIMARY_KEY = arn("kms", "key/mrk-1234abcd12ab34cd56ef1234567890ab")
aws.kms.ReplicaKey("account-replica-key", primary_key_arn=PRIMARY_KEY, policy=account("kms:Decrypt", "*"))
aws.kms.ExternalKey("account-external-key", policy=account("kms:Decrypt", "*"))
aws.kms.ReplicaExternalKey(
    "account-replica-external-key", primary_key_arn=PRIMARY_KEY, policy=account("kms:Decrypt", "*")
)
CA = arn("acm-pca", "certificate-authority/12345678-1234-1234-1234-123456789012")
aws.acmpca.Policy("org-ca-policy", resource_arn=CA, policy=organisation("acm-pca:IssueCertificate", CA))
aws.ecr.RepositoryCreationTemplate(
    "org-repository-template",
    prefix="team",
    applied_fors=["CREATE_ON_PUSH"],
    repository_policy=organisation("ecr:BatchGetImage", "*"),
)
aws.ecrpublic.RepositoryPolicy(
    "org-gallery-push-policy",
    repository_name="tools",
    policy=organisation("ecr-public:PutImage", f"arn:aws:ecr-public::{ACCOUNT}:repository/tools"),
)
aws.codeartifact.DomainPermissions(
    "org-artifact-domain-policy",
    domain="packages",
    policy_document=organisation("codeartifact:GetAuthorizationToken", arn("codeartifact", "domain/packages")),
)
aws.codeartifact.RepositoryPermissionsPolicy(
    "org-artifact-repository-policy",
    domain="packages",
    repository="internal",
    policy_document=organisation(
        "codeartifact:ReadFromRepository", arn("codeartifact", "repository/packages/internal")
    ),
)
PROJECT = arn("codebuild", "project/build")
aws.codebuild.ResourcePolicy(
    "org-build-policy", resource_arn=PROJECT, policy=organisation("codebuild:BatchGetBuilds", PROJECT)
)
FUNCTION = arn("lambda", "function:resize")
aws.lambda_.ResourcePolicy(
    "org-function-policy", resource_arn=FUNCTION, policy=organisation("lambda:InvokeFunction", FUNCTION)
)
RUNTIME = arn("bedrock-agentcore", "runtime/helper-0123456789")
aws.bedrock.AgentcoreResourcePolicy(
    "org-agent-runtime-policy",
    resource_arn=RUNTIME,
    policy=organisation("bedrock-agentcore:InvokeAgentRuntime", RUNTIME),
)

# --- logs, telemetry, messaging and networking ---------------------------------------------------
aws.cloudwatch.LogDestinationPolicy(
    "org-log-destination-policy",
    destination_name="central",
    access_policy=organisation("logs:PutSubscriptionFilter", arn("logs", "destination:central")),
)
aws.cloudwatch.LogDeliveryDestinationPolicy(
    "org-delivery-destination-policy",
    delivery_destination_name="central",
    delivery_destination_policy=organisation("logs:CreateDelivery", arn("logs", "delivery-destination:central")),
)
aws.xray.ResourcePolicy(
    "org-traces-policy", policy_name="anyone", policy_document=organisation("xray:PutTraceSegments", "*")
)
WORKSPACE = arn("aps", "workspace/ws-0123456789")
aws.amp.ResourcePolicy(
    "org-metrics-policy", workspace_id="ws-0123456789", policy_document=organisation("aps:RemoteWrite", WORKSPACE)
)
SINK = arn("oam", "sink/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d")
aws.oam.SinkPolicy("org-sink-policy", sink_identifier=SINK, policy=organisation("oam:CreateLink", SINK))
aws.ses.IdentityPolicy(
    "org-sending-policy",
    identity="example.com",
    name="anyone",
    policy=organisation("ses:SendEmail", arn("ses", "identity/example.com")),
)
aws.sesv2.EmailIdentityPolicy(
    "org-email-identity-policy",
    email_identity="example.com",
    policy_name="anyone",
    policy=organisation("ses:SendEmail", arn("ses", "identity/example.com")),
)
PHONE_POOL = arn("sms-voice", "pool/pool-0123456789abcdef0")
aws.pinpoint.Smsvoicev2ResourcePolicy(
    "org-sms-pool-policy", resource_arn=PHONE_POOL, policy=organisation("sms-voice:SendTextMessage", PHONE_POOL)
)
RULE_GROUP = arn("network-firewall", "stateful-rulegroup/blocklist")
aws.networkfirewall.ResourcePolicy(
    "org-rule-group-policy", resource_arn=RULE_GROUP, policy=organisation("network-firewall:ListRuleGroups", RULE_GROUP)
)
SERVICE_NETWORK = arn("vpc-lattice", "servicenetwork/sn-0123456789abcdef0")
aws.vpclattice.ResourcePolicy(
    "org-service-network-policy",
    resource_arn=SERVICE_NETWORK,
    policy=organisation("vpc-lattice:CreateServiceNetworkVpcAssociation", SERVICE_NETWORK),
)
aws.organizations.ResourcePolicy(
    "org-organization-policy",
    content=organisation(
        "organizations:DescribeOrganization", f"arn:aws:organizations::{ACCOUNT}:organization/o-a1b2c3d4e5"
    ),
)

# --- permissions that stand for a statement ------------------------------------------------------
aws.cloudwatch.EventPermission(
    "org-bus-permission",
    principal="*",
    statement_id="Organisation",
    condition={"key": "aws:PrincipalOrgID", "type": "StringEquals", "value": ORGANISATION},
)
NLB = arn("elasticloadbalancing", "loadbalancer/net/partner-api/0123456789abcdef")
PARTNER = "arn:aws:iam::111122223333:root"
aws.ec2.VpcEndpointService(
    "partner-endpoint-service", acceptance_required=True, network_load_balancer_arns=[NLB], allowed_principals=[PARTNER]
)
aws.ec2.VpcEndpointServiceAllowedPrinciple(
    "partner-endpoint-principal", vpc_endpoint_service_id="vpce-svc-0123456789abcdef0", principal_arn=PARTNER
)
