"""The components the multi-language provider hosts (see `__init__.py`).

No `from __future__ import annotations` here: the SDK's analyzer reads `__init__`'s `args`
annotation and the class's output annotations as real types (`inspect.get_annotations`), see
pulumi/provider/experimental/analyzer.py in the installed SDK.
"""

import inspect
import types
import typing
from collections.abc import Mapping
from typing import Any, NotRequired, TypedDict, get_args, get_origin

import pulumi
import pulumi_aws as aws
from pydantic import BaseModel

from secure_platform.config import SECTIONS, StackConfig, parse_config
from secure_platform.core.log_delivery import LifecyclePlan
from secure_platform.core.refs import BucketRef, KeyRef
from secure_platform.core.secure_bucket import AccessLogTarget, KmsEncryption, SecureBucketArgs
from secure_platform.core.secure_bucket import SecureBucket as LibrarySecureBucket
from secure_platform.platform import build_platform, stack_outputs

from .config_types import SecurePlatformArgs

TYPE_PREFIX = "secure-platform:index:"


def _convert(annotation: Any, value: Any) -> Any:
    """A value of the provider's mapped inputs (Python field names) as a stack file spells it."""
    if get_origin(annotation) in (typing.Union, types.UnionType):
        annotation = next(a for a in get_args(annotation) if a is not type(None))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel) and isinstance(value, Mapping):
        return _camelize(annotation, value)
    if get_origin(annotation) is list and isinstance(value, list):
        (item,) = get_args(annotation)
        return [_convert(item, v) for v in value]
    return value  # scalars, and maps whose keys are data (tags)


def _camelize(model: type[BaseModel], section: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in section.items():
        field = model.model_fields.get(key)
        # A key the model does not know is passed on as is: the config model reports it by name.
        out[field.alias or key if field else key] = _convert(field.annotation, value) if field else value
    return out


def raw_config(args: Mapping[str, Any]) -> dict[str, Any]:
    """The component's arguments as the raw stack config `parse_config` validates
    (`aws:region`, `platform:<section>` with camelCase keys)."""
    raw: dict[str, Any] = {"aws:region": args.get("region"), "platform:environment": args.get("environment")}
    if args.get("protect") is not None:
        raw["platform:protect"] = bool(args["protect"])
    for section, (model, _) in SECTIONS.items():
        if args.get(section) is not None:
            raw[f"platform:{section}"] = _camelize(model, args[section])
    return {k: v for k, v in raw.items() if v is not None}


class SecurePlatform(pulumi.ComponentResource):
    """The whole secure, cost-aware AWS platform of one environment (state backend, KMS keys and IAM
    roles, WAF, VPC and load balancer, monitoring, RDS and cache, ECR, ECS Fargate or EKS), exactly
    as the library's stack program builds it. The arguments are validated by the same config model
    as a Pulumi.<stack>.yaml: every problem is reported by key before any resource is created."""

    environment: pulumi.Output[str]
    """Environment name (dev, staging or prod)."""
    region: pulumi.Output[str]
    """AWS Region of the platform."""
    state_backend_url: pulumi.Output[str]
    """`pulumi login` URL of the S3 state backend this platform creates."""
    secrets_provider: pulumi.Output[str]
    """`awskms://` secrets provider URL for stacks stored in that backend."""
    log_archive_bucket: pulumi.Output[str]
    """Bucket receiving access logs, flow logs and audit logs."""
    vpc_id: pulumi.Output[str]
    """The VPC."""
    public_subnet_ids: pulumi.Output[list[str]]
    """Public subnets (load balancer, NAT gateways), one per AZ."""
    private_subnet_ids: pulumi.Output[list[str]]
    """Private subnets (containers, nodes), one per AZ."""
    database_subnet_ids: pulumi.Output[list[str]]
    """Isolated subnets of the database and cache, one per AZ."""
    alb_dns_name: pulumi.Output[str]
    """DNS name of the application load balancer."""
    session_document: pulumi.Output[str]
    """Session Manager preferences document (logged, encrypted shell sessions)."""
    dashboard_url: pulumi.Output[str]
    """CloudWatch dashboard of the environment."""
    alarm_topic_arns: pulumi.Output[dict[str, str]]
    """SNS alarm topics by tier (critical, warning, info)."""
    database_endpoint: pulumi.Output[str]
    """RDS endpoint address."""
    database_port: pulumi.Output[int]
    """RDS port."""
    database_master_secret_arn: pulumi.Output[str]
    """Secrets Manager secret holding the RDS master credentials (the ARN, never the value)."""
    assets_bucket: pulumi.Output[str]
    """Application assets bucket."""
    backup_vault: pulumi.Output[str]
    """AWS Backup vault of the environment."""
    ecr_repository_urls: pulumi.Output[dict[str, str]]
    """ECR repository URL by service name."""
    compute_platform: pulumi.Output[str]
    """ecs or eks."""
    cluster_name: pulumi.Output[str]
    """ECS or EKS cluster name."""
    backend_url: pulumi.Output[str]
    """HTTPS URL of the backend service."""
    frontend_url: pulumi.Output[str]
    """HTTPS URL of the frontend."""

    def __init__(self, name: str, args: SecurePlatformArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(f"{TYPE_PREFIX}SecurePlatform", name, None, opts)
        # ConfigError (a RunError) lists every problem by key; nothing has been registered yet.
        cfg: StackConfig = parse_config(
            raw_config(typing.cast(Mapping[str, Any], args)), project=pulumi.get_project(), stack=pulumi.get_stack()
        )
        platform = build_platform(cfg, pulumi.ResourceOptions(parent=self))
        outputs = stack_outputs(platform)
        self.environment = pulumi.Output.from_input(cfg.environment)
        self.region = pulumi.Output.from_input(cfg.region)
        self.state_backend_url = pulumi.Output.from_input(outputs["stateBackendUrl"])  # type: ignore[arg-type]
        self.secrets_provider = pulumi.Output.from_input(outputs["secretsProvider"])  # type: ignore[arg-type]
        self.log_archive_bucket = pulumi.Output.from_input(outputs["logArchiveBucket"])  # type: ignore[arg-type]
        self.vpc_id = pulumi.Output.from_input(outputs["vpcId"])  # type: ignore[arg-type]
        self.public_subnet_ids = pulumi.Output.from_input(outputs["publicSubnetIds"])  # type: ignore[arg-type]
        self.private_subnet_ids = pulumi.Output.from_input(outputs["privateSubnetIds"])  # type: ignore[arg-type]
        self.database_subnet_ids = pulumi.Output.from_input(outputs["databaseSubnetIds"])  # type: ignore[arg-type]
        self.alb_dns_name = pulumi.Output.from_input(outputs["albDnsName"])  # type: ignore[arg-type]
        self.session_document = pulumi.Output.from_input(outputs["sessionDocument"])  # type: ignore[arg-type]
        self.dashboard_url = pulumi.Output.from_input(outputs["dashboardUrl"])  # type: ignore[arg-type]
        self.alarm_topic_arns = pulumi.Output.from_input(outputs["alarmTopicArns"])  # type: ignore[arg-type]
        self.database_endpoint = pulumi.Output.from_input(outputs["databaseEndpoint"])  # type: ignore[arg-type]
        self.database_port = pulumi.Output.from_input(outputs["databasePort"])  # type: ignore[arg-type]
        self.database_master_secret_arn = pulumi.Output.from_input(outputs["databaseMasterSecretArn"])  # type: ignore[arg-type]
        self.assets_bucket = pulumi.Output.from_input(outputs["assetsBucket"])  # type: ignore[arg-type]
        self.backup_vault = pulumi.Output.from_input(outputs["backupVault"])  # type: ignore[arg-type]
        self.ecr_repository_urls = pulumi.Output.from_input(outputs["ecrRepositoryUrls"])  # type: ignore[arg-type]
        self.compute_platform = pulumi.Output.from_input(outputs["computePlatform"])  # type: ignore[arg-type]
        self.cluster_name = pulumi.Output.from_input(outputs["clusterName"])  # type: ignore[arg-type]
        self.backend_url = pulumi.Output.from_input(outputs["backendUrl"])  # type: ignore[arg-type]
        self.frontend_url = pulumi.Output.from_input(outputs["frontendUrl"])  # type: ignore[arg-type]
        self.register_outputs({key: value for key, value in outputs.items() if value is not None})


class BucketArgs(TypedDict):
    """A private, KMS-encrypted, versioned, TLS-only S3 bucket."""

    bucket_name: pulumi.Input[str]
    """Physical bucket name (globally unique, 3-63 lower-case characters)."""
    region: str
    """AWS Region of the bucket: the Region of the provider the component is given."""
    kms_key_arn: pulumi.Input[str]
    """ARN of the customer-managed KMS key for SSE-KMS (with an S3 Bucket Key); SSE-C uploads are refused."""
    protect: NotRequired[bool]
    """Protect the bucket and keep it on delete (no force-destroy). Default: false."""
    expiration_days: NotRequired[int]
    """Current objects expire after this many days. Default: never."""
    noncurrent_expiration_days: NotRequired[int]
    """Noncurrent object versions expire after this many days. Default: 90."""
    access_log_bucket: NotRequired[pulumi.Input[str]]
    """Name of the bucket receiving S3 server access logs (it must allow the S3 logging service). Default: no access logs."""
    access_log_prefix: NotRequired[str]
    """Key prefix of this bucket's access logs in the log bucket. Default: s3-access/<bucket name>."""
    tags: NotRequired[dict[str, str]]
    """Tags of the bucket (the provider's default tags apply as well)."""


class SecureBucket(pulumi.ComponentResource):
    """A private, KMS-encrypted, versioned S3 bucket with a TLS-only policy, lifecycle rules and
    optional server access logging: the library's bucket building block."""

    bucket_name: pulumi.Output[str]
    """The bucket's name (available once its policy is in place)."""
    arn: pulumi.Output[str]
    """The bucket's ARN."""

    def __init__(self, name: str, args: BucketArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(f"{TYPE_PREFIX}SecureBucket", name, None, opts)
        region = args["region"]
        key_arn = pulumi.Output.from_input(args["kms_key_arn"])
        key = KeyRef(arn=key_arn, key_id=key_arn.apply(lambda arn: arn.rsplit("/", 1)[-1]), alias="", region=region)
        access_logs = None
        log_bucket = args.get("access_log_bucket")
        if log_bucket is not None:
            partition = aws.get_partition_output(opts=pulumi.InvokeOptions(parent=self)).partition
            log_name = pulumi.Output.from_input(log_bucket)
            log_ref = BucketRef(
                name=log_name, arn=pulumi.Output.concat("arn:", partition, ":s3:::", log_name), region=region
            )
            prefix = args.get("access_log_prefix") or f"s3-access/{name}"
            access_logs = AccessLogTarget(log_ref, prefix)
        bucket = LibrarySecureBucket(
            name,
            SecureBucketArgs(
                bucket_name=args["bucket_name"],
                region=region,
                encryption=KmsEncryption(key),
                lifecycle=LifecyclePlan(
                    expiration_days=args.get("expiration_days"),
                    noncurrent_expiration_days=args.get("noncurrent_expiration_days", 90),
                ),
                protect=bool(args.get("protect", False)),
                access_logs=access_logs,
                extra_tags=dict(args.get("tags") or {}),
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.bucket_name = bucket.ref.name
        self.arn = bucket.arn
        self.register_outputs({"bucketName": self.bucket_name, "arn": self.arn})


# The analyzer copies `__doc__.strip()` into the schema: without the source indentation.
for _component in (SecurePlatform, SecureBucket):
    _component.__doc__ = inspect.cleandoc(_component.__doc__ or "")
