"""Encryption at rest with customer-managed KMS keys.

AWS encrypts most services by default with AWS-owned or AWS-managed keys; those keys cannot be
scoped by a key policy, audited per use, or revoked. Every store here must name a customer-managed
key (a key ARN/id/alias that is not `alias/aws/...`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs, Severity, StackValidationArgs

from .helpers import (
    Deferred,
    as_list,
    get,
    given,
    is_customer_managed_key,
    key_ref,
    linked,
    of_type,
    peek,
    targets,
    truthy,
)
from .registry import Controls, Report, config_value, resource_policy, stack_policy

CRYPTO = Controls(soc2=("CC6.1", "C1.1"), iso27001=("A.8.24",), pci=("3.5.1",))

BUCKETS = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
SSE_CONFIGS = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
)
KMS_ALGORITHMS = ("aws:kms", "aws:kms:dsse")


def _cmk(value: Any) -> bool:
    return is_customer_managed_key(value)


# --- S3 ----------------------------------------------------------------------------------------


def _sse_rules(container: Mapping[str, Any]) -> list[Any]:
    """Rules of a BucketServerSideEncryptionConfiguration (`rules`) or of a bucket's deprecated
    inline `serverSideEncryptionConfiguration` (`rule` / `rules`)."""
    rules = as_list(get(container, "rules")) or as_list(get(container, "rule"))
    return [r for r in rules if isinstance(r, Mapping)]


def _bucket_encryption(bucket: Any, configs: list[Any]) -> list[Any]:
    """Rules from the bucket's configuration resources and its deprecated inline settings
    (`serverSideEncryptionConfiguration` on aws.s3.Bucket, a list `...Configurations` on BucketV2)."""
    rules: list[Any] = []
    for cfg in configs:
        rules += _sse_rules(cfg.props)
    inline = [
        get(bucket.props, "serverSideEncryptionConfiguration"),
        *as_list(get(bucket.props, "serverSideEncryptionConfigurations")),
    ]
    for container in inline:
        if isinstance(container, Mapping):
            rules += _sse_rules(container)
    return rules


def _defaults(rule: Any) -> list[Any]:
    """A rule's default encryption: an object, or a list on BucketV2's inline rules."""
    return [
        d
        for d in [
            get(rule, "applyServerSideEncryptionByDefault"),
            *as_list(get(rule, "applyServerSideEncryptionByDefaults")),
        ]
        if isinstance(d, Mapping)
    ]


def _algorithm(rule: Any) -> Any:
    return next((get(d, "sseAlgorithm") for d in _defaults(rule)), None)


def _kms_rule(rule: Any) -> bool:
    return any(get(d, "sseAlgorithm") in KMS_ALGORITHMS and _cmk(key_ref(d, "kmsMasterKeyId")) for d in _defaults(rule))


def _bucket_rules(args: StackValidationArgs) -> list[tuple[Any, list[Any]]]:
    buckets = list(of_type(args.resources, *BUCKETS))
    configs = list(of_type(args.resources, *SSE_CONFIGS))
    per_bucket: dict[str, list[Any]] = {b.urn: [] for b in buckets}
    for cfg in configs:
        for b in targets(cfg, "bucket", buckets):
            per_bucket[b.urn].append(cfg)
    return [(b, per_bucket[b.urn]) for b in buckets]


LOAD_BALANCERS = (
    "aws:lb/loadBalancer:LoadBalancer",
    "aws:alb/loadBalancer:LoadBalancer",
    "aws:elb/loadBalancer:LoadBalancer",
)
LOGGING_CONFIGS = ("aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2")


def sse_s3_destinations(resources: list[Any], buckets: list[Any]) -> set[str]:
    """Buckets that receive load balancer access logs or S3 server access logs. AWS delivers those
    only to buckets whose default encryption is SSE-S3 (Elastic Load Balancing and Amazon S3
    server access logging docs), so SSE-S3 is the strongest setting they can have."""
    urns = {b.urn for b in buckets}
    out: set[str] = set()
    for cfg in of_type(resources, *LOGGING_CONFIGS):
        out.update(b.urn for b in targets(cfg, "targetBucket", buckets))
    for b in buckets:
        for logging in [peek(b.props, "logging"), *as_list(peek(b.props, "loggings"))]:
            target = peek(logging, "targetBucket")
            out.update(x.urn for x in buckets if isinstance(target, str) and peek(x.props, "bucket") == target)
    for lb in of_type(resources, *LOAD_BALANCERS):
        out.update(d.urn for d in linked(lb, "accessLogs") if d.urn in urns)
        name = peek(peek(lb.props, "accessLogs"), "bucket")
        if isinstance(name, str):
            out.update(b.urn for b in buckets if peek(b.props, "bucket") == name)
    return out


def _sse_s3_rule(rule: Any) -> bool:
    return _algorithm(rule) == "AES256"


def _s3_kms(args: StackValidationArgs, report: Report) -> None:
    pairs = _bucket_rules(args)
    log_destinations = sse_s3_destinations(list(args.resources), [b for b, _ in pairs])
    deferred = Deferred()

    def check(bucket: Any, configs: list[Any]) -> None:
        rules = _bucket_encryption(bucket, configs)
        if any(_kms_rule(r) for r in rules):
            return
        if bucket.urn in log_destinations:
            if not any(_sse_s3_rule(r) for r in rules):
                report(
                    f"S3 bucket '{bucket.name}' receives load balancer or S3 server access logs (which AWS delivers only to SSE-S3 "
                    "buckets) but has no default encryption. Add an aws.s3.BucketServerSideEncryptionConfiguration with sse_algorithm='AES256'.",
                    bucket.urn,
                )
            return
        found = (
            "has no server-side encryption configuration"
            if not rules
            else "is not encrypted with a customer-managed KMS key (SSE-S3 or the aws/s3 key)"
        )
        report(
            f"S3 bucket '{bucket.name}' {found}. Add an aws.s3.BucketServerSideEncryptionConfiguration with "
            f"bucket=<this bucket>, sse_algorithm='aws:kms' and kms_master_key_id=<customer-managed key ARN>.",
            bucket.urn,
        )

    for bucket, configs in pairs:
        deferred.run(check, bucket, configs)
    deferred.finish()


def _s3_bucket_key(args: StackValidationArgs, report: Report) -> None:
    deferred = Deferred()

    def check(bucket: Any, configs: list[Any]) -> None:
        kms_rules = [r for r in _bucket_encryption(bucket, configs) if _kms_rule(r)]
        sse_kms = [r for r in kms_rules if _algorithm(r) == "aws:kms"]
        if sse_kms and not any(truthy(get(r, "bucketKeyEnabled")) for r in sse_kms):
            report(
                f"S3 bucket '{bucket.name}' uses SSE-KMS without an S3 Bucket Key: every object request calls KMS "
                "(cost and throttling). Set bucket_key_enabled=True on its encryption rule.",
                bucket.urn,
            )

    for bucket, configs in _bucket_rules(args):
        deferred.run(check, bucket, configs)
    deferred.finish()


s3_kms = stack_policy(
    "s3-bucket-encrypted-with-cmk",
    category="encryption-at-rest",
    description="Every S3 bucket has default encryption SSE-KMS (or DSSE-KMS) with a customer-managed key; buckets receiving load balancer or S3 server access logs, which AWS delivers only to SSE-S3 buckets, at least SSE-S3.",
    severity=Severity.HIGH,
    controls=Controls(soc2=("CC6.1", "C1.1"), iso27001=("A.8.24",), pci=("3.5.1",), cis=("2.1.1",)),
    remediation="Create aws.s3.BucketServerSideEncryptionConfiguration(bucket=bucket.id, rules=[{apply_server_side_encryption_by_default: {sse_algorithm: 'aws:kms', kms_master_key_id: key.arn}, bucket_key_enabled: True}]).",
    validate=_s3_kms,
    types=BUCKETS,
    links=(*SSE_CONFIGS, *LOGGING_CONFIGS, *LOAD_BALANCERS),
    covers=("CKV_AWS_19", "CKV_AWS_145"),
)

s3_bucket_key = stack_policy(
    "s3-bucket-key-enabled",
    category="encryption-at-rest",
    description="SSE-KMS buckets use an S3 Bucket Key (fewer KMS calls: lower cost, no KMS throttling).",
    severity=Severity.LOW,
    controls=Controls(soc2=("CC6.1",), iso27001=("A.8.24",)),
    remediation="Set bucket_key_enabled=True on the bucket's SSE-KMS rule.",
    validate=_s3_bucket_key,
    types=BUCKETS,
    links=SSE_CONFIGS,
)


# --- resource-level CMK checks ----------------------------------------------------------------


def _rds(args: ResourceValidationArgs, report: Report) -> None:
    p = args.props
    kind = "Aurora cluster" if args.resource_type == "aws:rds/cluster:Cluster" else "RDS instance"
    if (
        args.resource_type == "aws:rds/instance:Instance"
        and get(p, "replicateSourceDb")
        and get(p, "storageEncrypted") is None
    ):
        return  # a replica inherits the source's encryption (checked on the source)
    if not truthy(get(p, "storageEncrypted")):
        report(
            f"{kind} '{args.name}' has storage encryption off. Set storage_encrypted=True and kms_key_id=<customer-managed key ARN> (encryption cannot be turned on later without a snapshot restore)."
        )
    elif not _cmk(key_ref(p, "kmsKeyId")):
        report(
            f"{kind} '{args.name}' is encrypted with the AWS-managed aws/rds key. Set kms_key_id=<customer-managed key ARN>."
        )


rds_encrypted = resource_policy(
    "rds-storage-encrypted-with-cmk",
    category="encryption-at-rest",
    description="RDS instances and Aurora clusters encrypt storage with a customer-managed KMS key.",
    severity=Severity.HIGH,
    controls=Controls(soc2=("CC6.1", "C1.1"), iso27001=("A.8.24",), pci=("3.5.1",), cis=("2.3.1",)),
    remediation="Set storage_encrypted=True and kms_key_id=<customer-managed key ARN> on aws.rds.Instance / aws.rds.Cluster.",
    validate=_rds,
    types=("aws:rds/instance:Instance", "aws:rds/cluster:Cluster"),
    covers=("AwsSolutions-RDS2", "CKV_AWS_16", "CKV_AWS_96", "CKV_AWS_327", "awsguard:rds-storage-encrypted"),
)


def _performance_insights(args: ResourceValidationArgs, report: Report) -> None:
    p = args.props
    if truthy(get(p, "performanceInsightsEnabled")) and not _cmk(key_ref(p, "performanceInsightsKmsKeyId")):
        report(
            f"'{args.name}' has Performance Insights on without a customer-managed key (query text is sensitive). "
            "Set performance_insights_kms_key_id=<customer-managed key ARN>."
        )


rds_pi = resource_policy(
    "rds-performance-insights-encrypted-with-cmk",
    category="encryption-at-rest",
    description="Performance Insights data (which contains SQL text) is encrypted with a customer-managed key.",
    severity=Severity.MEDIUM,
    controls=CRYPTO,
    remediation="Set performance_insights_kms_key_id=<customer-managed key ARN> wherever performance_insights_enabled=True.",
    validate=_performance_insights,
    types=("aws:rds/instance:Instance", "aws:rds/cluster:Cluster", "aws:rds/clusterInstance:ClusterInstance"),
    covers=("CKV_AWS_354",),
)


def _elasticache(args: ResourceValidationArgs, report: Report) -> None:
    p = args.props
    if args.resource_type == "aws:elasticache/replicationGroup:ReplicationGroup":
        if not truthy(get(p, "atRestEncryptionEnabled")):
            report(
                f"ElastiCache replication group '{args.name}' has at-rest encryption off. Set at_rest_encryption_enabled=True and kms_key_id=<customer-managed key ARN>."
            )
        elif not _cmk(key_ref(p, "kmsKeyId")):
            report(
                f"ElastiCache replication group '{args.name}' is encrypted with the default key. Set kms_key_id=<customer-managed key ARN>."
            )
    elif args.resource_type == "aws:elasticache/serverlessCache:ServerlessCache":
        if not _cmk(key_ref(p, "kmsKeyId")):
            report(
                f"ElastiCache serverless cache '{args.name}' uses the AWS-owned key. Set kms_key_id=<customer-managed key ARN>."
            )
    elif args.resource_type == "aws:elasticache/cluster:Cluster" and not given(p, "replicationGroupId"):
        if str(get(p, "engine", default="")).lower() == "memcached":
            fix = "Use an aws.elasticache.ServerlessCache (engine 'memcached') with kms_key_id=<customer-managed key ARN>: node-based Memcached cannot encrypt the data it swaps to disk."
        else:
            fix = "Use aws.elasticache.ReplicationGroup (Redis/Valkey) with at_rest_encryption_enabled=True and kms_key_id=<customer-managed key ARN>."
        report(f"ElastiCache cluster '{args.name}' is a standalone cluster, which cannot be encrypted at rest. {fix}")


elasticache_encrypted = resource_policy(
    "elasticache-encrypted-at-rest-with-cmk",
    category="encryption-at-rest",
    description="ElastiCache data (replication groups, serverless caches) is encrypted at rest with a customer-managed key; standalone node-based clusters, which cannot be, are refused (members of a replication group are judged on the group).",
    severity=Severity.HIGH,
    controls=CRYPTO,
    remediation="Use aws.elasticache.ReplicationGroup with at_rest_encryption_enabled=True and kms_key_id=<customer-managed key ARN>.",
    validate=_elasticache,
    types=(
        "aws:elasticache/replicationGroup:ReplicationGroup",
        "aws:elasticache/serverlessCache:ServerlessCache",
        "aws:elasticache/cluster:Cluster",
    ),
    covers=("AwsSolutions-AEC3", "CKV_AWS_29", "CKV_AWS_191"),
)


# --- EBS: volumes, instances, launch templates, EKS node groups -------------------------------


def _ebs_problem(block: Any, where: str, account_default: bool) -> str | None:
    """With EBS encryption by default (customer-managed default key) every new volume is
    encrypted with that key, unless a block names an AWS-managed key explicitly."""
    key = key_ref(block, "kmsKeyId")
    if account_default:
        return f"{where} names the AWS-managed key {key}" if key and not _cmk(key) else None
    if not truthy(get(block, "encrypted")):
        return f"{where} is not encrypted"
    if not _cmk(key):
        return f"{where} is encrypted with the AWS-managed aws/ebs key"
    return None


ENCRYPTION_BY_DEFAULT = "aws:ebs/encryptionByDefault:EncryptionByDefault"
DEFAULT_KMS_KEY = "aws:ebs/defaultKmsKey:DefaultKmsKey"
INSTANCES = ("aws:ec2/instance:Instance", "aws:ec2/spotInstanceRequest:SpotInstanceRequest")
LAUNCH_CONFIGURATION = "aws:ec2/launchConfiguration:LaunchConfiguration"
SELF_MANAGED_NODE_GROUPS = ("eks:index:NodeGroup", "eks:index:NodeGroupV2")


def _account_default(args: StackValidationArgs) -> bool:
    """EBS encryption by default with a customer-managed default key: set outside the stack
    (config) or by this program (aws.ebs.EncryptionByDefault + aws.ebs.DefaultKmsKey)."""
    if bool(config_value(args, "accountEncryptionByDefault", False)):
        return True
    enabled = any(truthy(get(r.props, "enabled", default=True)) for r in of_type(args.resources, ENCRYPTION_BY_DEFAULT))
    default_key = any(_cmk(key_ref(r.props, "keyArn")) for r in of_type(args.resources, DEFAULT_KMS_KEY))
    return enabled and default_key


def _ebs(args: StackValidationArgs, report: Report) -> None:
    account_default = _account_default(args)
    fix = "Set encrypted=True and kms_key_id=<customer-managed key ARN>"
    deferred = Deferred()

    def check(r: Any) -> None:
        p = r.props
        problems: list[str] = []
        t = r.resource_type
        if t == "aws:ebs/volume:Volume":
            if problem := _ebs_problem(p, "the volume", account_default):
                problems.append(problem)
        elif t == ENCRYPTION_BY_DEFAULT:
            if not truthy(get(p, "enabled", default=True)):
                problems.append(
                    "it turns EBS encryption by default off for the account and region, so every volume created without explicit settings is unencrypted"
                )
        elif t == DEFAULT_KMS_KEY:
            if not _cmk(key_ref(p, "keyArn")):
                problems.append(
                    f"it makes the AWS-managed key {get(p, 'keyArn')} the account's default EBS key (set key_arn=<customer-managed key ARN>)"
                )
        elif t == LAUNCH_CONFIGURATION:
            root = get(p, "rootBlockDevice")
            if root is None:
                if not account_default:
                    problems.append("the root volume has no encryption settings (it comes unencrypted from the AMI)")
            elif problem := _ebs_problem(root, "the root volume", account_default):
                problems.append(problem)
            for i, dev in enumerate(as_list(get(p, "ebsBlockDevices"))):
                if problem := _ebs_problem(
                    dev, f"EBS device #{i + 1} ({get(dev, 'deviceName', default='?')})", account_default
                ):
                    problems.append(problem)
            if problems:
                problems.append(
                    "a launch configuration cannot name a KMS key: use an aws.ec2.LaunchTemplate, or EBS encryption by default with a customer-managed default key"
                )
        elif t in INSTANCES:
            root = get(p, "rootBlockDevice")
            if root is None:
                if not get(p, "launchTemplate") and not account_default:
                    problems.append("the root volume has no encryption settings (it comes unencrypted from the AMI)")
            elif problem := _ebs_problem(root, "the root volume", account_default):
                problems.append(problem)
            for i, dev in enumerate(as_list(get(p, "ebsBlockDevices"))):
                if problem := _ebs_problem(
                    dev, f"EBS device #{i + 1} ({get(dev, 'deviceName', default='?')})", account_default
                ):
                    problems.append(problem)
        elif t == "aws:ec2/launchTemplate:LaunchTemplate":
            mappings = [m for m in as_list(get(p, "blockDeviceMappings")) if get(m, "ebs") is not None]
            if not mappings and not account_default:
                problems.append("it has no EBS block device mappings, so volumes come unencrypted from the AMI")
            for m in mappings:
                if problem := _ebs_problem(
                    get(m, "ebs"), f"block device {get(m, 'deviceName', default='?')}", account_default
                ):
                    problems.append(problem)
        elif t == "eks:index:Cluster":
            skipped = (
                truthy(get(p, "skipDefaultNodeGroup"))
                or get(p, "fargate") is not None
                or get(p, "autoMode") is not None
            )
            if not skipped and not account_default:
                problems.append(
                    "the default node group's root volumes are encrypted with the account's default EBS key (aws/ebs): "
                    "the component cannot name a KMS key"
                    if truthy(get(p, "nodeRootVolumeEncrypted"))
                    else "the default node group's root volumes are unencrypted (node_root_volume_encrypted is off)"
                )
        elif t in SELF_MANAGED_NODE_GROUPS and not account_default:
            if not truthy(get(p, "nodeRootVolumeEncrypted")):
                ignored = (
                    " (encrypt_root_block_device is accepted but ignored by pulumi-eks, pulumi/pulumi-eks#926)"
                    if truthy(get(p, "encryptRootBlockDevice"))
                    else ""
                )
                problems.append(f"its nodes' root volumes are unencrypted (node_root_volume_encrypted is off){ignored}")
            else:
                problems.append(
                    "its nodes' root volumes are encrypted with the account's default EBS key (aws/ebs): the component cannot name a KMS key"
                )
        elif (
            t in ("eks:index:ManagedNodeGroup", "aws:eks/nodeGroup:NodeGroup")
            and get(p, "launchTemplate") is None
            and not account_default
        ):
            problems.append(
                "its nodes use EKS's default launch template, whose volumes are unencrypted unless EBS encryption by default is on"
            )
        if problems:
            how = (
                "Set node_root_volume_encrypted=True and enable aws.ebs.EncryptionByDefault with a customer-managed "
                "aws.ebs.DefaultKmsKey (or set accountEncryptionByDefault when the landing zone enforces both)"
                if t in SELF_MANAGED_NODE_GROUPS
                else f"{fix} on every EBS block device (or enable aws.ebs.EncryptionByDefault with an aws.ebs.DefaultKmsKey)"
            )
            report(f"{r.resource_type.split(':')[-1]} '{r.name}': " + "; ".join(problems) + f". {how}.", r.urn)

    for r in of_type(args.resources, *EBS_TYPES):
        deferred.run(check, r)
    deferred.finish()


EBS_TYPES = (
    "aws:ebs/volume:Volume",
    *INSTANCES,
    "aws:ec2/launchTemplate:LaunchTemplate",
    LAUNCH_CONFIGURATION,
    "eks:index:Cluster",
    "eks:index:ManagedNodeGroup",
    "aws:eks/nodeGroup:NodeGroup",
    *SELF_MANAGED_NODE_GROUPS,
    ENCRYPTION_BY_DEFAULT,
    DEFAULT_KMS_KEY,
)


ebs_encrypted = stack_policy(
    "ebs-encrypted-with-cmk",
    category="encryption-at-rest",
    description="EBS volumes (standalone, instance, spot request, launch template/configuration and EKS node volumes) are encrypted with a customer-managed key; EBS encryption by default is never turned off or pointed at an AWS-managed key.",
    severity=Severity.HIGH,
    controls=Controls(soc2=("CC6.1", "C1.1"), iso27001=("A.8.24",), pci=("3.5.1",), cis=("2.2.1",)),
    remediation="Set encrypted=True and kms_key_id on every EBS block device (volume, instance root/EBS devices, launch template mappings), or turn on aws.ebs.EncryptionByDefault with a customer-managed aws.ebs.DefaultKmsKey (the only way for pulumi-eks self-managed node groups, which cannot name a key).",
    validate=_ebs,
    types=EBS_TYPES,
    covers=(
        "AwsSolutions-EC26",
        "CKV_AWS_3",
        "CKV_AWS_8",
        "CKV_AWS_106",
        "CKV_AWS_189",
        "CKV2_AWS_2",
        "awsguard:encrypted-volumes",
    ),
    config={
        "accountEncryptionByDefault": {
            "type": "boolean",
            "default": False,
            "description": "EBS encryption by default with a customer-managed key is enforced outside this stack (e.g. by the landing zone).",
        }
    },
)


def _eks_secrets(args: ResourceValidationArgs, report: Report) -> None:
    p = args.props
    fix = "Set encryption_config={resources: ['secrets'], provider: {key_arn: <customer-managed key ARN>}}"
    if args.resource_type == "eks:index:Cluster":
        if not _cmk(key_ref(p, "encryptionConfigKeyArn")):
            report(
                f"EKS cluster '{args.name}' does not envelope-encrypt Kubernetes secrets with a customer-managed key. Set encryption_config_key_arn=<customer-managed key ARN>."
            )
        return
    configs = as_list(get(p, "encryptionConfig"))
    if not any("secrets" in as_list(get(c, "resources")) and _cmk(key_ref(c, "provider", "keyArn")) for c in configs):
        report(
            f"EKS cluster '{args.name}' does not envelope-encrypt Kubernetes secrets with a customer-managed key. {fix}."
        )


eks_secrets = resource_policy(
    "eks-secrets-encrypted-with-cmk",
    category="encryption-at-rest",
    description="EKS clusters envelope-encrypt Kubernetes secrets with a customer-managed KMS key.",
    severity=Severity.HIGH,
    controls=CRYPTO,
    remediation="aws.eks.Cluster: encryption_config={resources: ['secrets'], provider: {key_arn: key.arn}}; eks.Cluster: encryption_config_key_arn=key.arn.",
    validate=_eks_secrets,
    types=("aws:eks/cluster:Cluster", "eks:index:Cluster"),
    covers=("CKV_AWS_58",),
)


def _simple_cmk(prop: str, kind: str, fix: str) -> Any:
    def check(args: ResourceValidationArgs, report: Report) -> None:
        if not _cmk(key_ref(args.props, prop)):
            value = get(args.props, prop)
            how = "with an AWS-managed key" if isinstance(value, str) and value else "without a customer-managed key"
            report(f"{kind} '{args.name}' is encrypted {how}. {fix}")

    return check


log_groups = resource_policy(
    "cloudwatch-log-group-encrypted-with-cmk",
    category="encryption-at-rest",
    description="CloudWatch log groups are encrypted with a customer-managed KMS key.",
    severity=Severity.MEDIUM,
    controls=CRYPTO,
    remediation="Set kms_key_id=<customer-managed key ARN> on aws.cloudwatch.LogGroup; the key policy must allow logs.<region>.amazonaws.com with an kms:EncryptionContext:aws:logs:arn condition.",
    validate=_simple_cmk("kmsKeyId", "CloudWatch log group", "Set kms_key_id=<customer-managed key ARN>."),
    types=("aws:cloudwatch/logGroup:LogGroup",),
    covers=("CKV_AWS_158",),
)

sns_topics = resource_policy(
    "sns-topic-encrypted-with-cmk",
    category="encryption-at-rest",
    description="SNS topics are encrypted with a customer-managed KMS key (not alias/aws/sns).",
    severity=Severity.MEDIUM,
    controls=CRYPTO,
    remediation="Set kms_master_key_id=<customer-managed key ARN> on aws.sns.Topic; allow the publishing services (e.g. cloudwatch.amazonaws.com) kms:GenerateDataKey* and kms:Decrypt in the key policy.",
    validate=_simple_cmk("kmsMasterKeyId", "SNS topic", "Set kms_master_key_id=<customer-managed key ARN>."),
    types=("aws:sns/topic:Topic",),
    covers=("CKV_AWS_26",),
)

sqs_queues = resource_policy(
    "sqs-queue-encrypted-with-cmk",
    category="encryption-at-rest",
    description="SQS queues are encrypted with a customer-managed KMS key (SQS-managed SSE and alias/aws/sqs are not enough).",
    severity=Severity.MEDIUM,
    controls=CRYPTO,
    remediation="Set kms_master_key_id=<customer-managed key ARN> on aws.sqs.Queue.",
    validate=_simple_cmk(
        "kmsMasterKeyId",
        "SQS queue",
        "Set kms_master_key_id=<customer-managed key ARN> (sqs_managed_sse_enabled uses an AWS-owned key).",
    ),
    types=("aws:sqs/queue:Queue",),
    covers=("AwsSolutions-SQS2", "CKV_AWS_27", "CKV2_AWS_73"),
)


def _dynamodb(args: ResourceValidationArgs, report: Report) -> None:
    sse = get(args.props, "serverSideEncryption") or {}
    if not truthy(get(sse, "enabled")) or not _cmk(key_ref(sse, "kmsKeyArn")):
        report(
            f"DynamoDB table '{args.name}' is encrypted with an AWS-owned or AWS-managed key. Set server_side_encryption={{enabled: True, kms_key_arn: <customer-managed key ARN>}}."
        )


dynamodb_tables = resource_policy(
    "dynamodb-table-encrypted-with-cmk",
    category="encryption-at-rest",
    description="DynamoDB tables are encrypted with a customer-managed KMS key.",
    severity=Severity.MEDIUM,
    controls=CRYPTO,
    remediation="Set server_side_encryption={enabled: True, kms_key_arn: key.arn} on aws.dynamodb.Table.",
    validate=_dynamodb,
    types=("aws:dynamodb/table:Table",),
    covers=("CKV_AWS_119", "awsguard:dynamodb-table-encryption-enabled"),
)


def _ecr(args: ResourceValidationArgs, report: Report) -> None:
    configs = as_list(get(args.props, "encryptionConfigurations"))
    if not any(get(c, "encryptionType") in ("KMS", "KMS_DSSE") and _cmk(key_ref(c, "kmsKey")) for c in configs):
        report(
            f"ECR repository '{args.name}' is encrypted with AES256 or the AWS-managed aws/ecr key. Set encryption_configurations=[{{encryption_type: 'KMS', kms_key: <customer-managed key ARN>}}] (replaces the repository)."
        )


ecr_repos = resource_policy(
    "ecr-repository-encrypted-with-cmk",
    category="encryption-at-rest",
    description="ECR repositories encrypt images with a customer-managed KMS key.",
    severity=Severity.MEDIUM,
    controls=CRYPTO,
    remediation="Set encryption_configurations=[{encryption_type: 'KMS', kms_key: key.arn}] on aws.ecr.Repository.",
    validate=_ecr,
    types=("aws:ecr/repository:Repository",),
    covers=("CKV_AWS_136",),
)


def _secrets(args: ResourceValidationArgs, report: Report) -> None:
    p = args.props
    t = args.resource_type
    if t == "aws:secretsmanager/secret:Secret":
        if not _cmk(key_ref(p, "kmsKeyId")):
            report(
                f"Secrets Manager secret '{args.name}' uses the AWS-managed aws/secretsmanager key. Set kms_key_id=<customer-managed key ARN>."
            )
    elif t == "aws:ssm/parameter:Parameter":
        if get(p, "type") == "SecureString" and not _cmk(key_ref(p, "keyId")):
            report(
                f"SSM SecureString parameter '{args.name}' uses the AWS-managed aws/ssm key. Set key_id=<customer-managed key ARN>."
            )
    elif truthy(get(p, "manageMasterUserPassword")) and not _cmk(key_ref(p, "masterUserSecretKmsKeyId")):
        report(
            f"The RDS-managed master user secret of '{args.name}' uses the AWS-managed key. Set master_user_secret_kms_key_id=<customer-managed key ARN>."
        )


secrets = resource_policy(
    "secrets-encrypted-with-cmk",
    category="encryption-at-rest",
    description="Secrets (Secrets Manager secrets, RDS-managed master user secrets, SSM SecureString parameters) are encrypted with a customer-managed key.",
    severity=Severity.HIGH,
    controls=Controls(soc2=("CC6.1", "C1.1"), iso27001=("A.8.24", "A.5.17"), pci=("3.5.1", "8.3.2")),
    remediation="Set kms_key_id (secretsmanager.Secret), master_user_secret_kms_key_id (rds.Instance/Cluster with manage_master_user_password) or key_id (ssm.Parameter SecureString) to a customer-managed key.",
    validate=_secrets,
    types=(
        "aws:secretsmanager/secret:Secret",
        "aws:ssm/parameter:Parameter",
        "aws:rds/instance:Instance",
        "aws:rds/cluster:Cluster",
    ),
    covers=("CKV_AWS_149", "CKV2_AWS_34"),
)


def _efs(args: ResourceValidationArgs, report: Report) -> None:
    if not truthy(get(args.props, "encrypted")):
        report(
            f"EFS file system '{args.name}' is not encrypted. Set encrypted=True and kms_key_id=<customer-managed key ARN> (cannot be changed after creation)."
        )
    elif not _cmk(key_ref(args.props, "kmsKeyId")):
        report(
            f"EFS file system '{args.name}' is encrypted with the AWS-managed aws/elasticfilesystem key. Set kms_key_id=<customer-managed key ARN>."
        )


efs = resource_policy(
    "efs-encrypted-with-cmk",
    category="encryption-at-rest",
    description="EFS file systems are encrypted with a customer-managed KMS key.",
    severity=Severity.HIGH,
    controls=Controls(soc2=("CC6.1", "C1.1"), iso27001=("A.8.24",), pci=("3.5.1",), cis=("2.4.1",)),
    remediation="Set encrypted=True and kms_key_id=key.arn on aws.efs.FileSystem.",
    validate=_efs,
    types=("aws:efs/fileSystem:FileSystem",),
    covers=("AwsSolutions-EFS1", "CKV_AWS_42", "CKV_AWS_184", "awsguard:efs-encrypted"),
)

cloudtrail = resource_policy(
    "cloudtrail-encrypted-with-cmk",
    category="encryption-at-rest",
    description="CloudTrail log files are encrypted with a customer-managed KMS key (SSE-KMS).",
    severity=Severity.HIGH,
    controls=Controls(soc2=("CC6.1", "CC7.2"), iso27001=("A.8.24", "A.8.15"), pci=("3.5.1", "10.3.2"), cis=("3.5",)),
    remediation="Set kms_key_id=<customer-managed key ARN> on aws.cloudtrail.Trail; the key policy must allow cloudtrail.amazonaws.com kms:GenerateDataKey* with the aws:SourceArn of the trail.",
    validate=_simple_cmk("kmsKeyId", "CloudTrail trail", "Set kms_key_id=<customer-managed key ARN>."),
    types=("aws:cloudtrail/trail:Trail",),
    covers=("CKV_AWS_35",),
)

backup_vaults = resource_policy(
    "backup-vault-encrypted-with-cmk",
    category="encryption-at-rest",
    description="AWS Backup vaults encrypt recovery points with a customer-managed KMS key.",
    severity=Severity.MEDIUM,
    controls=Controls(soc2=("CC6.1", "A1.2"), iso27001=("A.8.24", "A.8.13"), pci=("3.5.1",)),
    remediation="Set kms_key_arn=<customer-managed key ARN> on aws.backup.Vault.",
    validate=_simple_cmk("kmsKeyArn", "Backup vault", "Set kms_key_arn=<customer-managed key ARN>."),
    types=("aws:backup/vault:Vault",),
    covers=("CKV_AWS_166",),
)


def _rotation(args: ResourceValidationArgs, report: Report) -> None:
    p = args.props
    spec = get(p, "customerMasterKeySpec", default="SYMMETRIC_DEFAULT")
    if spec != "SYMMETRIC_DEFAULT" or get(p, "keyUsage", default="ENCRYPT_DECRYPT") != "ENCRYPT_DECRYPT":
        return  # asymmetric and HMAC keys cannot rotate automatically
    if get(p, "customKeyStoreId") or get(p, "xksKeyId"):
        return  # keys in custom key stores are rotated by their owner
    if not truthy(get(p, "enableKeyRotation")):
        report(
            f"KMS key '{args.name}' has automatic rotation off. Set enable_key_rotation=True (and optionally rotation_period_in_days)."
        )


kms_rotation = resource_policy(
    "kms-key-rotation-enabled",
    category="encryption-at-rest",
    description="Symmetric customer-managed KMS keys rotate their key material automatically.",
    severity=Severity.MEDIUM,
    controls=Controls(soc2=("CC6.1",), iso27001=("A.8.24",), pci=("3.7.4",), cis=("3.6",)),
    remediation="Set enable_key_rotation=True on aws.kms.Key.",
    validate=_rotation,
    types=("aws:kms/key:Key",),
    covers=("AwsSolutions-KMS5", "CKV_AWS_7", "awsguard:cmk-backing-key-rotation-enabled"),
)

POLICIES = [
    s3_kms,
    s3_bucket_key,
    rds_encrypted,
    rds_pi,
    elasticache_encrypted,
    ebs_encrypted,
    eks_secrets,
    log_groups,
    sns_topics,
    sqs_queues,
    dynamodb_tables,
    ecr_repos,
    secrets,
    efs,
    cloudtrail,
    backup_vaults,
    kms_rotation,
]
