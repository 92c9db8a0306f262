"""BackendState: where Pulumi keeps this stack's state and secrets, and where AWS services deliver
logs (tier 0: everything else may depend on it, it depends on nothing).

* The state bucket (SSE-KMS with the state key, versioned, private, TLS-only, noncurrent versions
  expire, server access logs to the log archive) and the state key with its alias, usable as the
  `awskms://` secrets provider. Both are protected and retained in every environment: losing
  either loses every stack's ability to update.
* The log archive bucket, receiving the state bucket's access logs, the ALB's access logs
  (Networking) and CloudTrail (Monitoring). It lives here because both of those need it when they
  are created and sit above Storage in the component graph.
* With `storage.replicationRegion` (prod): both buckets replicate to that Region (the state
  replica under a state key created there), and the log archive's replica is the access-log
  target of every replica in that Region (Storage's too). The log archive is SSE-S3, yet
  CloudTrail writes its files SSE-KMS under the logs key: its rule opts in to SSE-KMS objects,
  re-encrypted under a logs key created in that Region, and Monitoring (which owns the trail)
  lets the replication role decrypt with the logs key, so bootstrapping this component alone
  still needs nothing from Security. When protected, both carry the
  `Backup=true` tag, so the AWS Backup plan (Storage) keeps recovery points of them and copies
  them to `backup.copyRegion`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from secure_platform.config import StackConfig
from secure_platform.core import iam, key_policies, log_delivery, replication
from secure_platform.core.aws_context import AwsContext
from secure_platform.core.log_delivery import LifecyclePlan, log_lifecycle
from secure_platform.core.naming import Naming
from secure_platform.core.options import child
from secure_platform.core.refs import BucketRef, KeyRef, RoleRef
from secure_platform.core.replication import RegionalProvider
from secure_platform.core.secure_bucket import (
    AccessLogTarget,
    KmsEncryption,
    S3ManagedEncryption,
    SecureBucket,
    SecureBucketArgs,
)
from secure_platform.storage import plan as storage_plan

STATE_PURPOSE = "state"
LOGS_PURPOSE = "logs"


@dataclass(frozen=True)
class BackendStateArgs:
    naming: Naming
    kms_deletion_window_days: int
    noncurrent_expiry_days: int
    """State versions and log-archive versions older than this are deleted."""
    log_expiry_days: int
    backed_up: bool = False
    """Tag both buckets `Backup=true` (protected stacks): the AWS Backup plan selects them."""
    replication: RegionalProvider | None = None
    """Replicate both buckets to this Region (`storage.replicationRegion`)."""

    def __post_init__(self) -> None:
        if self.replication is not None and self.replication.region == self.naming.region:
            raise ValueError(f"the replication Region must differ from the stack's Region {self.naming.region}")

    @classmethod
    def from_config(
        cls, cfg: StackConfig, *, providers: Mapping[str, pulumi.ProviderResource] | None = None
    ) -> BackendStateArgs:
        """`providers`: second-Region providers by Region (`replication.regional_providers`)."""
        return cls(
            naming=cfg.naming,
            kms_deletion_window_days=cfg.security.kms_deletion_window_days,
            noncurrent_expiry_days=cfg.storage.noncurrent_expiry_days,
            log_expiry_days=cfg.storage.log_expiry_days,
            backed_up=cfg.protect,
            replication=replication.regional(
                "storage.replicationRegion", cfg.storage.replication_region, providers or {}
            ),
        )


def login_url(bucket: str, region: str) -> str:
    """What `pulumi login` takes for an S3 backend (AWS SDK v2 with an explicit region)."""
    return f"s3://{bucket}?region={region}&awssdk=v2"


def secrets_provider(alias: str, region: str) -> str:
    """What `pulumi stack init --secrets-provider` takes for a KMS key alias."""
    return f"awskms://{alias}?region={region}"


class BackendState(pulumi.ComponentResource):
    state_bucket: BucketRef
    state_key: KeyRef
    log_archive: BucketRef
    regional_log_archive: BucketRef | None
    """The log archive's replica in the replication Region: access-log target of the replicas there."""
    log_archive_replication: RoleRef | None
    """The role S3 replicates the log archive with; writers of SSE-KMS objects into the archive
    grant it decrypt on their key (`replication.grant_source_key`)."""
    login_url: pulumi.Output[str]
    secrets_provider: str

    def __init__(self, name: str, args: BackendStateArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:index:BackendState", name, None, opts)
        naming = args.naming
        region = naming.region
        ctx = AwsContext.lookup(self, region)

        key_policy = pulumi.Output.all(ctx.account_id, ctx.partition).apply(
            lambda v: json.dumps(
                key_policies.state_key_policy(key_policies.KeyPolicyContext(str(v[0]), str(v[1]), naming))
            )
        )
        key = aws.kms.Key(
            "state",
            description=f"Pulumi state and secrets of {naming.prefix}",
            enable_key_rotation=True,
            deletion_window_in_days=args.kms_deletion_window_days,
            policy=key_policy,
            opts=child(self, stateful=True),
        )
        alias = naming.kms_alias(STATE_PURPOSE)
        aws.kms.Alias("state", name=alias, target_key_id=key.key_id, opts=child(self))
        self.state_key = KeyRef(arn=key.arn, key_id=key.key_id, alias=alias, region=region)

        state_bucket_name = ctx.account_id.apply(lambda a: naming.bucket(STATE_PURPOSE, a))
        archive_name = ctx.account_id.apply(lambda a: naming.bucket(LOGS_PURPOSE, a))
        # Server access logs may come from any bucket named for this stack (the state bucket now,
        # Storage's buckets later): names are known before the buckets exist.
        stack_buckets = pulumi.Output.all(ctx.account_id, ctx.partition).apply(
            lambda v: naming.bucket_arn_pattern(str(v[0]), str(v[1]))
        )

        def archive_statements(arn: pulumi.Output[str]) -> list[iam.Statement]:
            account = ctx.account_id
            trail_arn = pulumi.Output.all(account, ctx.partition).apply(
                lambda v: naming.trail_arn(str(v[0]), str(v[1]))
            )
            return [
                log_delivery.alb_access_logs(arn, account, region),
                log_delivery.s3_server_access_logs(arn, account, [stack_buckets]),
                *log_delivery.cloudtrail_delivery(arn, account, trail_arn),
            ]

        backup_tags: dict[str, str] = {storage_plan.BACKUP_TAG[0]: storage_plan.BACKUP_TAG[1]} if args.backed_up else {}
        archive = SecureBucket(
            "log-archive",
            SecureBucketArgs(
                bucket_name=archive_name,
                region=region,
                # SSE-S3, not our KMS key: ALB access logs (and S3 server access logs) can only be
                # delivered to buckets encrypted with S3-managed keys. CloudTrail still encrypts
                # its files with the logs key (set on the trail).
                encryption=S3ManagedEncryption("ALB access logs support only SSE-S3 destination buckets"),
                lifecycle=log_lifecycle(args.log_expiry_days, args.noncurrent_expiry_days),
                protect=True,
                policy_statements=archive_statements,
                extra_tags=backup_tags,
            ),
            opts=child(self),
        )
        self.log_archive = archive.ref

        state = SecureBucket(
            "state",
            SecureBucketArgs(
                bucket_name=state_bucket_name,
                region=region,
                encryption=KmsEncryption(self.state_key),
                # State objects are current until replaced; old versions are the undo history.
                lifecycle=LifecyclePlan(noncurrent_expiration_days=args.noncurrent_expiry_days),
                protect=True,
                access_logs=AccessLogTarget(self.log_archive, f"{log_delivery.S3_ACCESS_PREFIX}/{naming.prefix}-state"),
                extra_tags=backup_tags,
            ),
            opts=child(self),
        )
        self.state_bucket = state.ref
        self.regional_log_archive = self.log_archive_replication = None
        if args.replication is not None:
            self._replicate(args, ctx, archive, state)
        self.login_url = state.bucket_name.apply(lambda b: login_url(b, region))
        self.secrets_provider = secrets_provider(alias, region)
        self.register_outputs(
            {
                "stateBucket": state.bucket_name,
                "loginUrl": self.login_url,
                "secretsProvider": self.secrets_provider,
                "logArchiveBucket": archive.bucket_name,
            }
        )

    def _replicate(self, args: BackendStateArgs, ctx: AwsContext, archive: SecureBucket, state: SecureBucket) -> None:
        """Replicas of the log archive and the state bucket in the replication Region."""
        target = args.replication
        assert target is not None
        region = target.region
        regional = Naming(args.naming.project, args.naming.environment, region)
        for purpose in (STATE_PURPOSE, LOGS_PURPOSE):
            regional.bucket(purpose, "0" * 12)  # a too-long name fails here, not inside an apply
        in_region = pulumi.ResourceOptions(parent=self, providers={"aws": target.provider})
        key = aws.kms.Key(
            f"state-{region}",
            description=f"Pulumi state replica of {args.naming.prefix} in {region}",
            enable_key_rotation=True,
            deletion_window_in_days=args.kms_deletion_window_days,
            policy=pulumi.Output.all(ctx.account_id, ctx.partition).apply(
                lambda v: json.dumps(
                    key_policies.state_key_policy(key_policies.KeyPolicyContext(str(v[0]), str(v[1]), regional))
                )
            ),
            opts=pulumi.ResourceOptions.merge(
                child(self, stateful=True), pulumi.ResourceOptions(provider=target.provider)
            ),
        )
        aws.kms.Alias(
            f"state-{region}",
            name=regional.kms_alias(STATE_PURPOSE),
            target_key_id=key.key_id,
            opts=pulumi.ResourceOptions(parent=self, provider=target.provider),
        )
        replica_key = KeyRef(arn=key.arn, key_id=key.key_id, alias=regional.kms_alias(STATE_PURPOSE), region=region)
        logs_replica_key = self._logs_replica_key(args, ctx, target, regional)
        regional_buckets = pulumi.Output.all(ctx.account_id, ctx.partition).apply(
            lambda v: regional.bucket_arn_pattern(str(v[0]), str(v[1]))
        )
        archive_replica = SecureBucket(
            f"log-archive-{region}",
            SecureBucketArgs(
                bucket_name=ctx.account_id.apply(lambda a: regional.bucket(LOGS_PURPOSE, a)),
                region=region,
                encryption=S3ManagedEncryption("S3 server access logs support only SSE-S3 destination buckets"),
                lifecycle=log_lifecycle(args.log_expiry_days, args.noncurrent_expiry_days),
                protect=True,
                policy_statements=lambda arn: [
                    log_delivery.s3_server_access_logs(arn, ctx.account_id, [regional_buckets])
                ],
            ),
            opts=in_region,
        )
        self.regional_log_archive = archive_replica.ref
        state_replica = SecureBucket(
            f"state-{region}",
            SecureBucketArgs(
                bucket_name=ctx.account_id.apply(lambda a: regional.bucket(STATE_PURPOSE, a)),
                region=region,
                encryption=KmsEncryption(replica_key),
                lifecycle=LifecyclePlan(noncurrent_expiration_days=args.noncurrent_expiry_days),
                protect=True,
                access_logs=AccessLogTarget(
                    archive_replica.ref, f"{log_delivery.S3_ACCESS_PREFIX}/{regional.prefix}-{STATE_PURPOSE}"
                ),
            ),
            opts=in_region,
        )
        # The archive's default encryption is SSE-S3, but CloudTrail puts its log and digest files
        # SSE-KMS under the logs key (the trail's kms_key_id). S3 replicates SSE-KMS objects only
        # when the rule opts in (SourceSelectionCriteria.SseKmsEncryptedObjects) and names a key in
        # the destination Region (ReplicaKmsKeyID), and skips them silently otherwise (S3 User
        # Guide, "Replicating encrypted objects (SSE-S3, SSE-KMS, DSSE-KMS, SSE-C)",
        # https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-config-for-kms-objects.html).
        # SSE-S3 objects (ALB and S3 server access logs) replicate either way.
        archive_replication = replication.replicate(
            self,
            "log-archive",
            source=archive,
            source_key=None,
            replica=archive_replica,
            replica_key=logs_replica_key,
            naming=args.naming,
            replica_region=region,
            ctx=ctx,
            kms_writers=True,
        )
        self.log_archive_replication = archive_replication.role
        replication.replicate(
            self,
            STATE_PURPOSE,
            source=state,
            source_key=self.state_key,
            replica=state_replica,
            replica_key=replica_key,
            naming=args.naming,
            replica_region=region,
            ctx=ctx,
        )

    def _logs_replica_key(
        self, args: BackendStateArgs, ctx: AwsContext, target: RegionalProvider, regional: Naming
    ) -> KeyRef:
        """The key CloudTrail's files are re-encrypted under in the replication Region."""
        region = target.region
        key = aws.kms.Key(
            f"{LOGS_PURPOSE}-{region}",
            description=f"CloudTrail files replicated from the log archive of {args.naming.prefix} to {region}",
            enable_key_rotation=True,
            deletion_window_in_days=args.kms_deletion_window_days,
            policy=pulumi.Output.all(ctx.account_id, ctx.partition).apply(
                lambda v: json.dumps(
                    key_policies.replica_key_policy(
                        key_policies.KeyPolicyContext(str(v[0]), str(v[1]), regional), LOGS_PURPOSE
                    )
                )
            ),
            opts=pulumi.ResourceOptions.merge(
                child(self, stateful=True), pulumi.ResourceOptions(provider=target.provider)
            ),
        )
        alias = regional.kms_alias(LOGS_PURPOSE)
        aws.kms.Alias(
            f"{LOGS_PURPOSE}-{region}",
            name=alias,
            target_key_id=key.key_id,
            opts=pulumi.ResourceOptions(parent=self, provider=target.provider),
        )
        return KeyRef(arn=key.arn, key_id=key.key_id, alias=alias, region=region)
