"""Data services and EC2 exposure: encryption at rest at all (any key), Redshift, Glue, OpenSearch,
Step Functions, and instances that get a public IP without asking for one.

`encryption-at-rest-enabled` asks only that data is encrypted, whoever holds the key; the
`*-encrypted-with-cmk` policies ask for a customer-managed key on top (a stack's choice). Services
that encrypt everything by default are not judged by it: S3 (SSE-S3 on every new object since
January 2023, https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-encryption-faq.html),
DynamoDB, CloudWatch Logs, Secrets Manager, ECR, Backup vaults; SQS queues are encrypted with SSE-SQS
unless `sqs_managed_sse_enabled=False`
(https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-server-side-encryption.html).
Defaults of the others come from the pulumi-aws 7 schema (Redshift `encrypted` defaults to true,
OpenSearch's `encrypt_at_rest` to false, a Kinesis stream's `encryption_type` to NONE).
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import ResourceValidationArgs, Severity, StackValidationArgs

from .exposure.resource_policies import public_statements
from .helpers import (
    SPOT_FLEET,
    Deferred,
    as_list,
    get,
    given,
    in_regions,
    is_set,
    launch_specifications,
    of_type,
    peek,
    provider_region,
    targets,
    truthy,
)
from .registry import Controls, Report, resource_policy, stack_policy

CRYPTO = Controls(soc2=("CC6.1", "C1.1"), iso27001=("A.8.24",), pci=("3.5.1",))
TRANSIT = Controls(soc2=("CC6.7",), iso27001=("A.8.24", "A.8.20"), pci=("4.2.1",))
NETWORK = Controls(soc2=("CC6.6",), iso27001=("A.8.20", "A.8.22"), pci=("1.3.1", "1.4.1"))
LOGGING = Controls(soc2=("CC7.2",), iso27001=("A.8.15", "A.8.16"), pci=("10.2.1",))

EBS_DEFAULT = "aws:ebs/encryptionByDefault:EncryptionByDefault"
REDSHIFT = "aws:redshift/cluster:Cluster"
REDSHIFT_WORKGROUP = "aws:redshiftserverless/workgroup:Workgroup"
REDSHIFT_LOGGING = "aws:redshift/logging:Logging"
OPENSEARCH = ("aws:opensearch/domain:Domain", "aws:elasticsearch/domain:Domain")
INSTANCES = ("aws:ec2/instance:Instance", "aws:ec2/spotInstanceRequest:SpotInstanceRequest")
SUBNET = "aws:ec2/subnet:Subnet"


# --- encrypted at all ---------------------------------------------------------------------------


def _volumes_unencrypted(r: Any) -> list[str]:
    p = r.props
    if r.resource_type == "aws:ebs/volume:Volume":
        return [] if truthy(get(p, "encrypted")) or given(p, "snapshotId") else ["the volume"]
    if r.resource_type == "aws:ec2/launchTemplate:LaunchTemplate":
        return [
            f"block device {get(m, 'deviceName', default=i + 1)}"
            for i, m in enumerate(as_list(get(p, "blockDeviceMappings")))
            if get(m, "ebs") is not None
            and not truthy(get(m, "ebs", "encrypted"))
            and not given(m, "ebs", "snapshotId")
        ]
    if r.resource_type == SPOT_FLEET:
        return [
            f"{label}: {where}"
            for label, spec in launch_specifications(p)
            # The SDK takes the root device as a list (`root_block_devices`) of at most one.
            for where in _devices_unencrypted(
                next(iter(as_list(get(spec, "rootBlockDevices"))), None), as_list(get(spec, "ebsBlockDevices"))
            )
        ]
    return _devices_unencrypted(get(p, "rootBlockDevice"), as_list(get(p, "ebsBlockDevices")))


def _devices_unencrypted(root: Any, devices: list[Any]) -> list[str]:
    """The unencrypted root and extra EBS devices of an instance's settings (an instance, spot
    instance request or spot fleet launch specification); a device restored from a snapshot takes
    the snapshot's encryption."""
    out = [] if truthy(get(root, "encrypted")) else ["the root volume"]
    out += [
        f"EBS volume {get(b, 'deviceName', default=i + 1)}"
        for i, b in enumerate(devices)
        if not truthy(get(b, "encrypted")) and not given(b, "snapshotId")
    ]
    return out


def _unencrypted(r: Any) -> str | None:
    """Why the resource stores data unencrypted, or None."""
    p = r.props
    t = r.resource_type
    if t in (
        "aws:rds/instance:Instance",
        "aws:rds/cluster:Cluster",
        "aws:docdb/cluster:Cluster",
        "aws:neptune/cluster:Cluster",
    ):
        inherited = any(
            given(p, k)
            for k in (
                "replicateSourceDb",
                "snapshotIdentifier",
                "replicationSourceIdentifier",
                "globalClusterIdentifier",
            )
        )
        if (
            not inherited
            and str(get(p, "engineMode", default="")) != "serverless"
            and not truthy(get(p, "storageEncrypted"))
        ):
            return "storage_encrypted is not set"
    elif t == "aws:efs/fileSystem:FileSystem" and not truthy(get(p, "encrypted")):
        return "encrypted is not set"
    elif t == REDSHIFT and str(get(p, "encrypted", default="true")).lower() == "false":
        return "encrypted is 'false'"
    elif t in OPENSEARCH and not truthy(get(p, "encryptAtRest", "enabled")):
        return "encrypt_at_rest.enabled is not set"
    elif t == "aws:kinesis/stream:Stream" and str(get(p, "encryptionType", default="NONE")).upper() != "KMS":
        return "encryption_type is not 'KMS'"
    elif t == "aws:sns/topic:Topic" and not given(p, "kmsMasterKeyId"):
        return "kms_master_key_id is not set (SNS does not encrypt topics by default)"
    elif t == "aws:sqs/queue:Queue" and not given(p, "kmsMasterKeyId") and get(p, "sqsManagedSseEnabled") is False:
        return "sqs_managed_sse_enabled=False and no kms_master_key_id"
    elif t == "aws:elasticache/replicationGroup:ReplicationGroup" and not truthy(get(p, "atRestEncryptionEnabled")):
        return "at_rest_encryption_enabled is not set"
    return None


def _encrypted(args: StackValidationArgs, report: Report) -> None:
    # Encryption by default is per account and Region: it covers the volumes of its own Region.
    default_regions = {
        provider_region(e) for e in of_type(args.resources, EBS_DEFAULT) if truthy(peek(e.props, "enabled"))
    }
    deferred = Deferred()

    def check(r: Any) -> None:
        if r.resource_type in EBS_TYPES:
            if in_regions(r, default_regions):
                return
            bad = _volumes_unencrypted(r)
            why = f"{', '.join(bad)} not encrypted" if bad else None
        else:
            why = _unencrypted(r)
        if why:
            report(
                f"{r.resource_type.split(':')[-1]} '{r.name}' stores data unencrypted ({why}). Turn encryption at rest on "
                "(encrypted=True / storage_encrypted=True / encrypt_at_rest / encryption_type='KMS' / a KMS key); it cannot be "
                "added to most existing resources later, so do it at creation.",
                r.urn,
            )

    for r in of_type(args.resources, *ENCRYPTION_TYPES):
        deferred.run(check, r)
    deferred.finish()


EBS_TYPES = ("aws:ebs/volume:Volume", *INSTANCES, SPOT_FLEET, "aws:ec2/launchTemplate:LaunchTemplate")
ENCRYPTION_TYPES = (
    *EBS_TYPES,
    "aws:rds/instance:Instance",
    "aws:rds/cluster:Cluster",
    "aws:docdb/cluster:Cluster",
    "aws:neptune/cluster:Cluster",
    "aws:efs/fileSystem:FileSystem",
    REDSHIFT,
    *OPENSEARCH,
    "aws:kinesis/stream:Stream",
    "aws:sns/topic:Topic",
    "aws:sqs/queue:Queue",
    "aws:elasticache/replicationGroup:ReplicationGroup",
)

encrypted = stack_policy(
    "encryption-at-rest-enabled",
    category="encryption-at-rest",
    description="Data stores that AWS does not encrypt by default are encrypted at rest with any key (EBS, RDS/Aurora, DocumentDB, Neptune, EFS, Redshift, OpenSearch, Kinesis, SNS, SQS with SSE-SQS off, ElastiCache Redis); services that always encrypt (S3 since 2023, DynamoDB, CloudWatch Logs) are not judged.",
    severity=Severity.HIGH,
    controls=CRYPTO.with_fsbp(
        "EC2.3",
        "EC2.7",
        "RDS.3",
        "RDS.27",
        "DocumentDB.1",
        "Neptune.1",
        "EFS.1",
        "Redshift.10",
        "Opensearch.1",
        "Kinesis.1",
        "SNS.1",
        "SQS.1",
        "ElastiCache.4",
    ),
    remediation="Enable encryption at creation: encrypted=True (EBS, EFS), storage_encrypted=True (RDS, DocumentDB, Neptune), encrypt_at_rest.enabled (OpenSearch), encryption_type='KMS' (Kinesis), kms_master_key_id (SNS), at_rest_encryption_enabled (ElastiCache); or turn on EBS encryption by default for the account.",
    validate=_encrypted,
    types=ENCRYPTION_TYPES,
    links=(EBS_DEFAULT,),
    covers=(
        "CKV_AWS_3",
        "CKV_AWS_16",
        "CKV_AWS_42",
        "CKV_AWS_64",
        "CKV_AWS_5",
        "CKV_AWS_43",
        "CKV_AWS_26",
        "CKV_AWS_29",
    ),
)


# --- Redshift -----------------------------------------------------------------------------------


def _redshift_public(args: ResourceValidationArgs, report: Report) -> None:
    if truthy(get(args.props, "publiclyAccessible")):
        report(
            f"Redshift {'workgroup' if args.resource_type == REDSHIFT_WORKGROUP else 'cluster'} '{args.name}' is publicly accessible. Set publicly_accessible=False and reach it from inside the VPC."
        )


redshift_public = resource_policy(
    "redshift-not-public",
    category="exposure",
    description="Redshift clusters and Redshift Serverless workgroups are not publicly accessible.",
    severity=Severity.CRITICAL,
    controls=NETWORK.with_fsbp("Redshift.1"),
    remediation="Set publicly_accessible=False; place the cluster in private subnets (cluster_subnet_group_name).",
    validate=_redshift_public,
    types=(REDSHIFT, REDSHIFT_WORKGROUP),
    covers=("CKV_AWS_87", "AwsSolutions-RS2"),
)


def _redshift_logging(args: StackValidationArgs, report: Report) -> None:
    clusters = list(of_type(args.resources, REDSHIFT))
    logged: set[str] = set()
    for log in of_type(args.resources, REDSHIFT_LOGGING):
        logged.update(c.urn for c in targets(log, "clusterIdentifier", clusters, match_props=("clusterIdentifier",)))
    deferred = Deferred()

    def check(c: Any) -> None:
        if c.urn not in logged and not truthy(get(c.props, "logging", "enable")):
            report(
                f"Redshift cluster '{c.name}' keeps no audit log. Add an aws.redshift.Logging (log_destination_type "
                "'cloudwatch' or an S3 bucket) for the cluster.",
                c.urn,
            )

    for c in clusters:
        deferred.run(check, c)
    deferred.finish()


redshift_logging = stack_policy(
    "redshift-audit-logging",
    category="logging",
    description="Redshift clusters write audit logs (aws.redshift.Logging, or the deprecated inline `logging`).",
    severity=Severity.MEDIUM,
    controls=LOGGING.with_fsbp("Redshift.4"),
    remediation="Create aws.redshift.Logging(cluster_identifier=<cluster>.cluster_identifier, log_destination_type='cloudwatch', log_exports=['connectionlog', 'userlog', 'useractivitylog']).",
    validate=_redshift_logging,
    types=(REDSHIFT,),
    links=(REDSHIFT_LOGGING,),
    covers=("CKV_AWS_71", "AwsSolutions-RS5"),
)


def _redshift_routing(args: ResourceValidationArgs, report: Report) -> None:
    if not truthy(get(args.props, "enhancedVpcRouting")):
        report(
            f"Redshift cluster '{args.name}' sends COPY/UNLOAD traffic outside the VPC's routing. Set enhanced_vpc_routing=True "
            "so it goes through VPC endpoints, security groups and flow logs."
        )


redshift_routing = resource_policy(
    "redshift-enhanced-vpc-routing",
    category="exposure",
    description="Redshift clusters use enhanced VPC routing (COPY/UNLOAD traffic stays in the VPC).",
    severity=Severity.MEDIUM,
    controls=NETWORK.with_fsbp("Redshift.7"),
    remediation="Set enhanced_vpc_routing=True (and an S3 gateway endpoint in the VPC).",
    validate=_redshift_routing,
    types=(REDSHIFT,),
    covers=("CKV_AWS_321",),
)


# --- Glue ---------------------------------------------------------------------------------------

_GLUE_MODES = (
    ("s3Encryption", "s3EncryptionMode", "S3 output"),
    ("cloudwatchEncryption", "cloudwatchEncryptionMode", "CloudWatch logs"),
    ("jobBookmarksEncryption", "jobBookmarksEncryptionMode", "job bookmarks"),
)


def _glue(args: ResourceValidationArgs, report: Report) -> None:
    p = args.props
    if args.resource_type == "aws:glue/securityConfiguration:SecurityConfiguration":
        config = get(p, "encryptionConfiguration")
        off = []
        for block, mode, what in _GLUE_MODES:
            value = None
            for item in as_list(get(config, block)):
                value = get(item, mode)
            if value in (None, "DISABLED"):
                off.append(what)
        if off:
            report(
                f"Glue security configuration '{args.name}' leaves {', '.join(off)} unencrypted. Use SSE-KMS / CSE-KMS with a KMS key for each."
            )
        return
    if not given(p, "securityConfiguration"):
        kind = "job" if args.resource_type == "aws:glue/job:Job" else "crawler"
        report(
            f"Glue {kind} '{args.name}' has no security configuration: its S3 output, logs and bookmarks are not encrypted with your KMS key. "
            "Create an aws.glue.SecurityConfiguration (SSE-KMS, CloudWatch and bookmark encryption) and set security_configuration."
        )


glue = resource_policy(
    "glue-security-configuration",
    category="encryption-at-rest",
    description="Glue jobs and crawlers run with a security configuration that encrypts S3 output, CloudWatch logs and job bookmarks with KMS.",
    severity=Severity.MEDIUM,
    controls=CRYPTO,
    remediation="Create aws.glue.SecurityConfiguration with s3_encryption SSE-KMS, cloudwatch_encryption and job_bookmarks_encryption CSE-KMS, and reference it from every job and crawler.",
    validate=_glue,
    types=("aws:glue/job:Job", "aws:glue/crawler:Crawler", "aws:glue/securityConfiguration:SecurityConfiguration"),
    covers=("CKV_AWS_99", "AwsSolutions-GL1", "AwsSolutions-GL3"),
)


# --- OpenSearch ---------------------------------------------------------------------------------


def _opensearch_transit(args: ResourceValidationArgs, report: Report) -> None:
    p = args.props
    missing = []
    if not truthy(get(p, "nodeToNodeEncryption", "enabled")):
        missing.append("node-to-node encryption is off")
    options = get(p, "domainEndpointOptions")
    if not truthy(get(options, "enforceHttps")):
        missing.append("HTTPS is not enforced (domain_endpoint_options.enforce_https)")
    elif str(get(options, "tlsSecurityPolicy", default="Policy-Min-TLS-1-0-2019-07")).endswith("TLS-1-0-2019-07"):
        missing.append("TLS 1.0 is accepted (tls_security_policy)")
    if missing:
        report(
            f"OpenSearch domain '{args.name}': {'; '.join(missing)}. Set node_to_node_encryption.enabled=True, "
            "domain_endpoint_options.enforce_https=True and tls_security_policy='Policy-Min-TLS-1-2-2019-07'."
        )


opensearch_transit = resource_policy(
    "opensearch-encrypted-in-transit",
    category="encryption-in-transit",
    description="OpenSearch domains encrypt node-to-node traffic and accept only HTTPS with TLS 1.2+.",
    severity=Severity.HIGH,
    controls=TRANSIT.with_fsbp("Opensearch.3", "Opensearch.8"),
    remediation="node_to_node_encryption.enabled=True; domain_endpoint_options.enforce_https=True with tls_security_policy 'Policy-Min-TLS-1-2-2019-07'.",
    validate=_opensearch_transit,
    types=OPENSEARCH,
    covers=("CKV_AWS_6", "CKV_AWS_83", "CKV_AWS_228", "AwsSolutions-OS3"),
)


def _domain_is_shielded(props: Any) -> bool:
    """A domain in a VPC or with fine-grained access control, where AWS advises an open access
    policy and lets the VPC or the domain's own users decide."""
    return bool(as_list(get(props, "vpcOptions", "subnetIds"))) or truthy(
        get(props, "advancedSecurityOptions", "enabled")
    )


def _opensearch_public(args: ResourceValidationArgs, report: Report) -> None:
    p = args.props
    if _domain_is_shielded(p):
        return
    open_to = public_statements(get(p, "accessPolicies"))
    if open_to:
        report(
            f"OpenSearch domain '{args.name}' has a public endpoint, no fine-grained access control, and an access policy "
            f"({', '.join(open_to)}) that lets anyone in. Put the domain in a VPC (vpc_options) or enable fine-grained access "
            "control (advanced_security_options), and name the principals in the access policy."
        )


opensearch_public = resource_policy(
    "opensearch-not-public",
    category="exposure",
    description="OpenSearch domains are in a VPC or use fine-grained access control; a public endpoint never has an access policy open to everyone.",
    severity=Severity.CRITICAL,
    controls=NETWORK.with_fsbp("Opensearch.2", "Opensearch.7"),
    remediation="Set vpc_options (private subnets), or advanced_security_options.enabled=True with named principals in access_policies.",
    validate=_opensearch_public,
    types=OPENSEARCH,
    covers=("CKV_AWS_137", "CKV_AWS_248", "AwsSolutions-OS1", "AwsSolutions-OS2"),
)


DOMAIN_POLICIES = ("aws:opensearch/domainPolicy:DomainPolicy", "aws:elasticsearch/domainPolicy:DomainPolicy")


def _opensearch_domain_policy_public(args: StackValidationArgs, report: Report) -> None:
    domains = list(of_type(args.resources, *OPENSEARCH))
    deferred = Deferred()

    def check(r: Any) -> None:
        found = targets(r, "domainName", domains, match_props=("domainName",))
        if not found or any(_domain_is_shielded(d.props) for d in found):
            return  # a domain outside the stack is not judged: its endpoint is not known here
        open_to = public_statements(get(r.props, "accessPolicies"))
        if open_to:
            report(
                f"Domain policy '{r.name}' ({', '.join(open_to)}) lets anyone into '{found[0].name}', whose endpoint is public "
                "without fine-grained access control. Put the domain in a VPC or enable fine-grained access control, and "
                "name the principals in the policy.",
                r.urn,
            )

    for r in of_type(args.resources, *DOMAIN_POLICIES):
        deferred.run(check, r)
    deferred.finish()


opensearch_domain_policy_public = stack_policy(
    "opensearch-domain-policy-not-public",
    category="exposure",
    description="A standalone OpenSearch/Elasticsearch domain policy never lets anyone into a domain of the stack with a public endpoint and no fine-grained access control.",
    severity=Severity.CRITICAL,
    controls=NETWORK.with_fsbp("Opensearch.2"),
    remediation="Set vpc_options (private subnets) or advanced_security_options on the domain, or name the principals in the DomainPolicy.",
    validate=_opensearch_domain_policy_public,
    types=DOMAIN_POLICIES,
    links=OPENSEARCH,
)


# --- Step Functions -----------------------------------------------------------------------------


def _sfn_logging(args: ResourceValidationArgs, report: Report) -> None:
    level = str(get(args.props, "loggingConfiguration", "level", default="OFF")).upper()
    if level == "OFF":
        report(
            f"Step Functions state machine '{args.name}' logs no executions. Set logging_configuration with level 'ERROR' or 'ALL' "
            "and a CloudWatch log group (log_destination='<log group ARN>:*')."
        )


sfn_logging = resource_policy(
    "stepfunctions-logging-enabled",
    category="logging",
    description="Step Functions state machines log executions to CloudWatch Logs.",
    severity=Severity.MEDIUM,
    controls=LOGGING.with_fsbp("StepFunctions.1"),
    remediation="logging_configuration={'level': 'ERROR', 'include_execution_data': False, 'log_destination': f'{log_group.arn}:*'}.",
    validate=_sfn_logging,
    types=("aws:sfn/stateMachine:StateMachine",),
    covers=("CKV_AWS_284", "AwsSolutions-SF1"),
)


# --- EC2: public IPs nobody asked for -----------------------------------------------------------


def _implicit_public_ip(args: StackValidationArgs, report: Report) -> None:
    subnets = list(of_type(args.resources, SUBNET))
    deferred = Deferred()

    def check(r: Any) -> None:
        if get(r.props, "associatePublicIpAddress") is not None:
            return  # an explicit choice, judged by compute-no-public-ip
        if not is_set(r, "subnetId"):
            if not given(r.props, "networkInterfaces"):
                report(
                    f"Instance '{r.name}' names no subnet, so it launches in a default subnet of the default VPC, where "
                    "every instance gets a public IP. Give it subnet_id of a private subnet, or associate_public_ip_address=False.",
                    r.urn,
                )
            return
        public = [
            s
            for s in targets(r, "subnetId", subnets, match_props=("id",))
            if truthy(get(s.props, "mapPublicIpOnLaunch"))
        ]
        if public:
            report(
                f"Instance '{r.name}' gets a public IP implicitly: its subnet '{public[0].name}' has map_public_ip_on_launch=True. "
                "Launch it in a private subnet (behind a load balancer or with SSM), or set associate_public_ip_address=False.",
                r.urn,
            )

    for r in of_type(args.resources, *INSTANCES):
        deferred.run(check, r)
    deferred.finish()


implicit_public_ip = stack_policy(
    "compute-no-implicit-public-ip",
    category="exposure",
    description="Instances do not get a public IP implicitly: not in a subnet with map_public_ip_on_launch, nor in the default VPC's default subnets (no subnet_id).",
    severity=Severity.HIGH,
    controls=NETWORK.with_fsbp("EC2.9", "EC2.15"),
    remediation="Launch instances in private subnets (map_public_ip_on_launch=False) or set associate_public_ip_address=False explicitly.",
    validate=_implicit_public_ip,
    types=INSTANCES,
    links=(SUBNET,),
    covers=("CKV_AWS_130",),
)

POLICIES = [
    encrypted,
    redshift_public,
    redshift_logging,
    redshift_routing,
    glue,
    opensearch_transit,
    opensearch_public,
    opensearch_domain_policy_public,
    sfn_logging,
    implicit_public_ip,
]
