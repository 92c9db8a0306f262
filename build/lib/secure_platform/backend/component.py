"""BackendState: where Pulumi keeps this stack's state and secrets, and where AWS services deliver
logs (tier 0: everything else may depend on it, it depends on nothing).

* The state bucket (SSE-KMS with the state key, versioned, private, TLS-only, noncurrent versions
  expire, server access logs to the log archive) and the state key with its alias, usable as the
  `awskms://` secrets provider. Both are protected and retained in every environment: losing
  either loses every stack's ability to update.
* The log archive bucket, receiving the state bucket's access logs, the ALB's access logs
  (Networking) and CloudTrail (Monitoring). It lives here because both of those need it when they
  are created and sit above Storage in the component graph.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from secure_platform.config import StackConfig
from secure_platform.core import iam, key_policies, log_delivery
from secure_platform.core.aws_context import AwsContext
from secure_platform.core.log_delivery import LifecyclePlan, log_lifecycle
from secure_platform.core.naming import Naming
from secure_platform.core.options import child
from secure_platform.core.refs import BucketRef, KeyRef
from secure_platform.core.secure_bucket import (
    AccessLogTarget,
    KmsEncryption,
    S3ManagedEncryption,
    SecureBucket,
    SecureBucketArgs,
)

STATE_PURPOSE = "state"
LOGS_PURPOSE = "logs"


@dataclass(frozen=True)
class BackendStateArgs:
    naming: Naming
    kms_deletion_window_days: int
    noncurrent_expiry_days: int
    """State versions and log-archive versions older than this are deleted."""
    log_expiry_days: int

    @classmethod
    def from_config(cls, cfg: StackConfig) -> BackendStateArgs:
        return cls(
            naming=cfg.naming,
            kms_deletion_window_days=cfg.security.kms_deletion_window_days,
            noncurrent_expiry_days=cfg.storage.noncurrent_expiry_days,
            log_expiry_days=cfg.storage.log_expiry_days,
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
    login_url: pulumi.Output[str]
    secrets_provider: str

    def __init__(self, name: str, args: BackendStateArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:index:BackendState", name, None, opts)
        naming = args.naming
        region = naming.region
        # Fail now, with the name, rather than inside an apply once the account is known.
        for purpose in (STATE_PURPOSE, LOGS_PURPOSE):
            naming.bucket(purpose, "0" * 12)
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
            ),
            opts=child(self),
        )
        self.state_bucket = state.ref
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
