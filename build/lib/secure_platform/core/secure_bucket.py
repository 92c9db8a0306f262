"""A private, encrypted, versioned S3 bucket with its policy, lifecycle and access logging.

In pulumi-aws 7 each of these is its own resource referencing the bucket; this component keeps
them together so no bucket of the platform can be created without one of them. BackendState uses
it for the state bucket and the log archive; Storage reuses it for the assets and backups buckets.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from secure_platform.core import iam
from secure_platform.core.log_delivery import LifecyclePlan
from secure_platform.core.options import child
from secure_platform.core.refs import BucketRef, KeyRef


@dataclass(frozen=True, eq=False)
class KmsEncryption:
    """SSE-KMS with our key and an S3 Bucket Key (fewer KMS calls, lower cost)."""

    key: KeyRef


@dataclass(frozen=True)
class S3ManagedEncryption:
    """SSE-S3, only where an AWS log-delivery service cannot write to SSE-KMS buckets; say which."""

    reason: str

    def __post_init__(self) -> None:
        if not self.reason.strip():
            raise ValueError("SSE-S3 needs a reason (which AWS service requires it)")


@dataclass(frozen=True, eq=False)
class AccessLogTarget:
    bucket: BucketRef
    prefix: str


PolicyStatements = Callable[[pulumi.Output[str]], Sequence[iam.Statement]]
"""Extra bucket-policy statements, given the bucket's ARN."""


@dataclass(frozen=True, eq=False)
class SecureBucketArgs:
    bucket_name: pulumi.Input[str]
    """Physical name (see `Naming.bucket`)."""
    region: str
    encryption: KmsEncryption | S3ManagedEncryption
    lifecycle: LifecyclePlan
    protect: bool
    """`protect` + `retain_on_delete` on the bucket (and no `force_destroy`)."""
    access_logs: AccessLogTarget | None = None
    policy_statements: PolicyStatements | None = None
    extra_tags: dict[str, str] = field(default_factory=dict)


class SecureBucket(pulumi.ComponentResource):
    """Bucket + ownership (BucketOwnerEnforced) + public access block + encryption + versioning +
    lifecycle + TLS-only policy (+ server access logging)."""

    ref: BucketRef
    bucket_name: pulumi.Output[str]
    arn: pulumi.Output[str]

    def __init__(self, name: str, args: SecureBucketArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:index:SecureBucket", name, None, opts)
        bucket = aws.s3.Bucket(
            name,
            bucket=args.bucket_name,
            force_destroy=not args.protect,
            tags=args.extra_tags or None,
            opts=child(self, stateful=args.protect),
        )
        # ACLs off: the bucket owner owns every object, whoever wrote it (log services included).
        ownership = aws.s3.BucketOwnershipControls(
            name,
            bucket=bucket.id,
            rule={"object_ownership": "BucketOwnerEnforced"},
            opts=child(self),
        )
        public_access = aws.s3.BucketPublicAccessBlock(
            name,
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child(self),
        )
        if isinstance(args.encryption, KmsEncryption):
            by_default: aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgsDict = {
                "sse_algorithm": "aws:kms",
                "kms_master_key_id": args.encryption.key.arn,
            }
            bucket_key = True
        else:
            by_default = {"sse_algorithm": "AES256"}
            bucket_key = False
        aws.s3.BucketServerSideEncryptionConfiguration(
            name,
            bucket=bucket.id,
            rules=[
                {
                    "apply_server_side_encryption_by_default": by_default,
                    "bucket_key_enabled": bucket_key,
                    # Customer-provided keys (SSE-C) bypass our keys and their audit trail.
                    "blocked_encryption_types": ["SSE-C"],
                }
            ],
            opts=child(self),
        )
        versioning = aws.s3.BucketVersioning(
            name,
            bucket=bucket.id,
            versioning_configuration={"status": "Enabled"},
            opts=child(self),
        )
        aws.s3.BucketLifecycleConfiguration(
            name,
            bucket=bucket.id,
            rules=args.lifecycle.rules(),  # type: ignore[arg-type]  # plain dicts of the documented shape
            opts=child(self, depends_on=[versioning]),
        )
        if args.access_logs is not None:
            aws.s3.BucketLogging(
                name,
                bucket=bucket.id,
                target_bucket=args.access_logs.bucket.name,
                target_prefix=f"{args.access_logs.prefix.rstrip('/')}/",
                target_object_key_format={"partitioned_prefix": {"partition_date_source": "EventTime"}},
                opts=child(self),
            )
        statements = [iam.deny_insecure_transport(bucket.arn), iam.deny_outdated_tls(bucket.arn)]
        if args.policy_statements is not None:
            statements += list(args.policy_statements(bucket.arn))
        # After the public access block and ownership controls: S3 rejects concurrent bucket-level
        # changes ("A conflicting conditional operation is currently in progress").
        policy = aws.s3.BucketPolicy(
            name,
            bucket=bucket.id,
            policy=iam.policy_json(statements),
            opts=child(self, depends_on=[public_access, ownership]),
        )

        self.bucket_name = bucket.bucket
        self.arn = bucket.arn
        kms_key = args.encryption.key if isinstance(args.encryption, KmsEncryption) else None
        ready_name = pulumi.Output.all(bucket.bucket, policy.id).apply(lambda values: str(values[0]))
        self.ref = BucketRef(name=ready_name, arn=bucket.arn, region=args.region, kms_key=kms_key)
        self.register_outputs({"bucket": bucket.bucket, "arn": bucket.arn})
