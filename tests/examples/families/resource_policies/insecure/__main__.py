"""Resource policies that let anyone in: one resource of every type whose resource-based policy
`resource-policy-not-public` reads beside IAM's own (tables, streams, event buses, the Data
Catalog, vaults, replica keys, access points, repositories, ...), each opened to Principal '*';
and an event bus permission and an endpoint service granted to '*'."""

import json

import pulumi_aws as aws

ACCOUNT = "123456789012"
REGION = "us-east-1"


def arn(service: str, resource: str) -> str:
    return f"arn:aws:{service}:{REGION}:{ACCOUNT}:{resource}"


def anyone(action: str, resource: str) -> str:
    statement = {"Sid": "Anyone", "Effect": "Allow", "Principal": "*", "Action": action, "Resource": resource}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


# --- data and event services -------------------------------------------------------------------
TABLE = arn("dynamodb", "table/orders")
STREAM = arn("kinesis", "stream/clicks")
aws.dynamodb.ResourcePolicy("public-table-policy", resource_arn=TABLE, policy=anyone("dynamodb:GetItem", TABLE))
aws.kinesis.ResourcePolicy("public-stream-policy", resource_arn=STREAM, policy=anyone("kinesis:GetRecords", STREAM))
aws.cloudwatch.EventBusPolicy(
    "public-bus-policy", event_bus_name="default", policy=anyone("events:PutEvents", arn("events", "event-bus/default"))
)
aws.glue.ResourcePolicy("public-catalog-policy", policy=anyone("glue:GetTable", arn("glue", "catalog")))
MSK = arn("kafka", "cluster/events/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d-1")
aws.msk.ClusterPolicy("public-kafka-policy", cluster_arn=MSK, policy=anyone("kafka:CreateVpcConnection", MSK))
REDSHIFT = arn("redshift", "datashare:0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d/sales")
aws.redshift.ResourcePolicy(
    "public-datashare-policy", resource_arn=REDSHIFT, policy=anyone("redshift:AuthorizeDataShare", REDSHIFT)
)
SNAPSHOT = arn("redshift-serverless", "snapshot/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d")
aws.redshiftserverless.ResourcePolicy(
    "public-serverless-snapshot-policy",
    resource_arn=SNAPSHOT,
    policy=anyone("redshift-serverless:RestoreFromSnapshot", SNAPSHOT),
)
PIPELINE = arn("osis", "pipeline/ingest")
aws.opensearchingest.ResourcePolicy(
    "public-ingest-policy", resource_arn=PIPELINE, policy=anyone("osis:Ingest", PIPELINE)
)
aws.cloudsearch.DomainServiceAccessPolicy(
    "public-search-policy",
    domain_name="catalog",
    access_policy=anyone("cloudsearch:search", arn("cloudsearch", "domain/catalog")),
)
MODELS = arn("sagemaker", "model-package-group/churn")
aws.sagemaker.ModelPackageGroupPolicy(
    "public-model-group-policy",
    model_package_group_name="churn",
    resource_policy=anyone("sagemaker:DescribeModelPackage", MODELS),
)
aws.schemas.RegistryPolicy(
    "public-schema-registry-policy",
    registry_name="events",
    policy=anyone("schemas:DescribeSchema", arn("schemas", "registry/events")),
)

# --- storage and archives ----------------------------------------------------------------------
aws.glacier.Vault(
    "public-vault",
    name="archive",
    access_policy=anyone("glacier:RetrieveVaultNotifications", arn("glacier", "vaults/archive")),
)
aws.glacier.VaultLock(
    "public-vault-lock",
    vault_name="archive",
    complete_lock=False,
    policy=anyone("glacier:InitiateJob", arn("glacier", "vaults/archive")),
)
ACCESS_POINT = arn("s3", "accesspoint/shared")
aws.s3.AccessPoint(
    "public-access-point",
    bucket="data-bucket",
    name="shared",
    policy=anyone("s3:GetObject", f"{ACCESS_POINT}/object/*"),
)
aws.s3control.AccessPointPolicy(
    "public-access-point-policy",
    access_point_arn=ACCESS_POINT,
    policy=anyone("s3:GetObject", f"{ACCESS_POINT}/object/*"),
)
MRAP = f"arn:aws:s3::{ACCOUNT}:accesspoint/global.mrap"
aws.s3control.MultiRegionAccessPointPolicy(
    "public-mrap-policy", details={"name": "global", "policy": anyone("s3:GetObject", f"{MRAP}/object/*")}
)
OLAP = arn("s3-object-lambda", "accesspoint/redacted")
aws.s3control.ObjectLambdaAccessPointPolicy(
    "public-object-lambda-policy", name="redacted", policy=anyone("s3-object-lambda:GetObject", OLAP)
)
OUTPOSTS_BUCKET = arn("s3-outposts", "outpost/op-01ac5d28a6a232904/bucket/edge")
aws.s3control.BucketPolicy(
    "public-outposts-bucket-policy",
    bucket=OUTPOSTS_BUCKET,
    policy=anyone("s3-outposts:GetObject", f"{OUTPOSTS_BUCKET}/*"),
)
aws.s3control.AccessGrantsInstanceResourcePolicy(
    "public-access-grants-policy", policy=anyone("s3:GetDataAccess", arn("s3", "access-grants/default"))
)
VECTORS = arn("s3vectors", "bucket/embeddings")
aws.s3.VectorsVectorBucketPolicy(
    "public-vector-bucket-policy", vector_bucket_arn=VECTORS, policy=anyone("s3vectors:QueryVectors", VECTORS)
)
aws.s3.FilesFileSystemPolicy(
    "public-files-policy",
    file_system_id="fs-0123456789abcdef0",
    policy=anyone("s3files:ClientMount", arn("s3files", "file-system/fs-0123456789abcdef0")),
)
TABLE_BUCKET = arn("s3tables", "bucket/analytics")
aws.s3tables.TableBucketPolicy(
    "public-table-bucket-policy",
    table_bucket_arn=TABLE_BUCKET,
    resource_policy=anyone("s3tables:GetTableData", f"{TABLE_BUCKET}/table/*"),
)
aws.s3tables.TablePolicy(
    "public-s3-table-policy",
    table_bucket_arn=TABLE_BUCKET,
    namespace="sales",
    name="orders",
    resource_policy=anyone("s3tables:GetTableData", f"{TABLE_BUCKET}/table/orders"),
)
aws.fsx.S3AccessPointAttachment(
    "public-fsx-access-point",
    name="zfs-shared",
    type="OPENZFS",
    openzfs_configuration={
        "volume_id": "fsvol-0123456789abcdef0",
        "file_system_identity": {"type": "POSIX", "posix_user": {"uid": 1001, "gid": 1001}},
    },
    s3_access_point={"policy": anyone("s3:GetObject", arn("s3", "accesspoint/zfs-shared/object/*"))},
)
aws.mediastore.ContainerPolicy(
    "public-media-policy",
    container_name="videos",
    policy=anyone("mediastore:GetObject", arn("mediastore", "container/videos/*")),
)

# --- keys, code and artifacts ------------------------------------------------------------------
PRIMARY_KEY = arn("kms", "key/mrk-1234abcd12ab34cd56ef1234567890ab")
aws.kms.ReplicaKey("public-replica-key", primary_key_arn=PRIMARY_KEY, policy=anyone("kms:Decrypt", "*"))
aws.kms.ExternalKey("public-external-key", policy=anyone("kms:Decrypt", "*"))
aws.kms.ReplicaExternalKey(
    "public-replica-external-key", primary_key_arn=PRIMARY_KEY, policy=anyone("kms:Decrypt", "*")
)
CA = arn("acm-pca", "certificate-authority/12345678-1234-1234-1234-123456789012")
aws.acmpca.Policy("public-ca-policy", resource_arn=CA, policy=anyone("acm-pca:IssueCertificate", CA))
aws.ecr.RepositoryCreationTemplate(
    "public-repository-template",
    prefix="team",
    applied_fors=["CREATE_ON_PUSH"],
    repository_policy=anyone("ecr:BatchGetImage", "*"),
)
aws.ecrpublic.RepositoryPolicy(
    "public-gallery-push-policy",
    repository_name="tools",
    policy=anyone("ecr-public:PutImage", f"arn:aws:ecr-public::{ACCOUNT}:repository/tools"),
)
aws.codeartifact.DomainPermissions(
    "public-artifact-domain-policy",
    domain="packages",
    policy_document=anyone("codeartifact:GetAuthorizationToken", arn("codeartifact", "domain/packages")),
)
aws.codeartifact.RepositoryPermissionsPolicy(
    "public-artifact-repository-policy",
    domain="packages",
    repository="internal",
    policy_document=anyone("codeartifact:ReadFromRepository", arn("codeartifact", "repository/packages/internal")),
)
PROJECT = arn("codebuild", "project/build")
aws.codebuild.ResourcePolicy(
    "public-build-policy", resource_arn=PROJECT, policy=anyone("codebuild:BatchGetBuilds", PROJECT)
)
FUNCTION = arn("lambda", "function:resize")
aws.lambda_.ResourcePolicy(
    "public-function-policy", resource_arn=FUNCTION, policy=anyone("lambda:InvokeFunction", FUNCTION)
)
RUNTIME = arn("bedrock-agentcore", "runtime/helper-0123456789")
aws.bedrock.AgentcoreResourcePolicy(
    "public-agent-runtime-policy", resource_arn=RUNTIME, policy=anyone("bedrock-agentcore:InvokeAgentRuntime", RUNTIME)
)

# --- logs, telemetry, messaging and networking ---------------------------------------------------
aws.cloudwatch.LogDestinationPolicy(
    "public-log-destination-policy",
    destination_name="central",
    access_policy=anyone("logs:PutSubscriptionFilter", arn("logs", "destination:central")),
)
aws.cloudwatch.LogDeliveryDestinationPolicy(
    "public-delivery-destination-policy",
    delivery_destination_name="central",
    delivery_destination_policy=anyone("logs:CreateDelivery", arn("logs", "delivery-destination:central")),
)
aws.xray.ResourcePolicy(
    "public-traces-policy", policy_name="anyone", policy_document=anyone("xray:PutTraceSegments", "*")
)
WORKSPACE = arn("aps", "workspace/ws-0123456789")
aws.amp.ResourcePolicy(
    "public-metrics-policy", workspace_id="ws-0123456789", policy_document=anyone("aps:RemoteWrite", WORKSPACE)
)
SINK = arn("oam", "sink/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d")
aws.oam.SinkPolicy("public-sink-policy", sink_identifier=SINK, policy=anyone("oam:CreateLink", SINK))
aws.ses.IdentityPolicy(
    "public-sending-policy",
    identity="example.com",
    name="anyone",
    policy=anyone("ses:SendEmail", arn("ses", "identity/example.com")),
)
aws.sesv2.EmailIdentityPolicy(
    "public-email-identity-policy",
    email_identity="example.com",
    policy_name="anyone",
    policy=anyone("ses:SendEmail", arn("ses", "identity/example.com")),
)
PHONE_POOL = arn("sms-voice", "pool/pool-0123456789abcdef0")
aws.pinpoint.Smsvoicev2ResourcePolicy(
    "public-sms-pool-policy", resource_arn=PHONE_POOL, policy=anyone("sms-voice:SendTextMessage", PHONE_POOL)
)
RULE_GROUP = arn("network-firewall", "stateful-rulegroup/blocklist")
aws.networkfirewall.ResourcePolicy(
    "public-rule-group-policy", resource_arn=RULE_GROUP, policy=anyone("network-firewall:ListRuleGroups", RULE_GROUP)
)
SERVICE_NETWORK = arn("vpc-lattice", "servicenetwork/sn-0123456789abcdef0")
aws.vpclattice.ResourcePolicy(
    "public-service-network-policy",
    resource_arn=SERVICE_NETWORK,
    policy=anyone("vpc-lattice:CreateServiceNetworkVpcAssociation", SERVICE_NETWORK),
)
aws.organizations.ResourcePolicy(
    "public-organization-policy",
    content=anyone("organizations:DescribeOrganization", f"arn:aws:organizations::{ACCOUNT}:organization/o-a1b2c3d4e5"),
)

# --- permissions that stand for a '*' statement --------------------------------------------------
aws.cloudwatch.EventPermission("public-bus-permission", principal="*", statement_id="AnyAccount")
NLB = arn("elasticloadbalancing", "loadbalancer/net/partner-api/0123456789abcdef")
aws.ec2.VpcEndpointService(
    "public-endpoint-service", acceptance_required=False, network_load_balancer_arns=[NLB], allowed_principals=["*"]
)
aws.ec2.VpcEndpointServiceAllowedPrinciple(
    "public-endpoint-principal", vpc_endpoint_service_id="vpce-svc-0123456789abcdef0", principal_arn="*"
)
