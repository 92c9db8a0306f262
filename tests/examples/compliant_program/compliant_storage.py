"""Keys and buckets configured the way the encryption and S3 rules ask: customer-managed keys that
rotate, and buckets (of both the Bucket and the deprecated BucketV2 families) that are encrypted,
versioned, private, TLS-only and logged, with log buckets that each receive one kind of log."""

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws
from compliant_common import ACCOUNT, PROTECT, REGION, ROOT, doc


def deny_insecure_transport(arn: str) -> dict:
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [arn, f"{arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def key_policy(*service_statements: dict) -> str:
    root = {"Sid": "AccountAdmin", "Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:*", "Resource": "*"}
    return doc(root, *service_statements)


# --- KMS ------------------------------------------------------------------------------------------
def keys() -> tuple[aws.kms.Key, aws.kms.Key]:
    """The data key (data, logs and secrets) and the account's default EBS key."""
    key = aws.kms.Key(
        "data-key",
        description="data, logs and secrets",
        enable_key_rotation=True,
        deletion_window_in_days=30,
        policy=key_policy(
            {
                "Sid": "CloudWatchLogs",
                "Effect": "Allow",
                "Principal": {"Service": f"logs.{REGION}.amazonaws.com"},
                "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
                "Resource": "*",
                "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:{REGION}:{ACCOUNT}:*"}},
            },
        ),
        opts=PROTECT,
    )
    # The account's default EBS key; its policy is managed as a separate resource.
    ebs_key = aws.kms.Key("ebs-key", description="EBS default key", enable_key_rotation=True, opts=PROTECT)
    aws.kms.KeyPolicy(
        "ebs-key-policy",
        key_id=ebs_key.id,
        policy=key_policy(
            {
                "Sid": "AutoScalingVolumes",
                "Effect": "Allow",
                "Principal": {
                    "AWS": f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
                },
                "Action": [
                    "kms:Encrypt",
                    "kms:Decrypt",
                    "kms:ReEncryptFrom",
                    "kms:ReEncryptTo",
                    "kms:GenerateDataKeyWithoutPlaintext",
                    "kms:DescribeKey",
                ],
                "Resource": "*",
            },
            {
                "Sid": "AutoScalingGrants",
                "Effect": "Allow",
                "Principal": {
                    "AWS": f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
                },
                "Action": "kms:CreateGrant",
                "Resource": "*",
                "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
            },
        ),
    )
    return key, ebs_key


# --- S3 -------------------------------------------------------------------------------------------
def secure_bucket(
    key: aws.kms.Key,
    name: str,
    *,
    sse: str = "kms",
    statements: tuple = (),
    log_to: pulumi.Input[str] | None = None,
    legacy: bool = False,
    tags: dict[str, str] | None = None,
) -> aws.s3.Bucket | aws.s3.BucketV2:
    """A bucket with every setting the pack asks for, encrypted with `key`. `sse="s3"` for buckets that receive load
    balancer or S3 server access logs (AWS delivers those only to SSE-S3 buckets); `legacy` builds
    the same bucket from the deprecated BucketV2 family of resources."""
    bucket = aws.s3.BucketV2(name, tags=tags, opts=PROTECT) if legacy else aws.s3.Bucket(name, tags=tags, opts=PROTECT)
    # The same plain dicts serve the Bucket* and Bucket*V2 argument types.
    rule: Any = (
        {
            "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn},
            "bucket_key_enabled": True,
        }
        if sse == "kms"
        else {"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}
    )
    lifecycle: Any = [
        {
            "id": "noncurrent",
            "status": "Enabled",
            "filter": {},
            "noncurrent_version_expiration": {"noncurrent_days": 90},
            "abort_incomplete_multipart_upload": {"days_after_initiation": 7},
        }
    ]
    if legacy:
        aws.s3.BucketServerSideEncryptionConfigurationV2(f"{name}-sse", bucket=bucket.id, rules=[rule])
        aws.s3.BucketVersioningV2(
            f"{name}-versioning", bucket=bucket.id, versioning_configuration={"status": "Enabled"}
        )
        aws.s3.BucketLifecycleConfigurationV2(f"{name}-lifecycle", bucket=bucket.id, rules=lifecycle)
        aws.s3.BucketAclV2(f"{name}-acl", bucket=bucket.id, acl="private")
    else:
        aws.s3.BucketServerSideEncryptionConfiguration(f"{name}-sse", bucket=bucket.id, rules=[rule])
        aws.s3.BucketVersioning(f"{name}-versioning", bucket=bucket.id, versioning_configuration={"status": "Enabled"})
        aws.s3.BucketLifecycleConfiguration(f"{name}-lifecycle", bucket=bucket.id, rules=lifecycle)
    aws.s3.BucketPublicAccessBlock(
        f"{name}-pab",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
    )
    aws.s3.BucketPolicy(
        f"{name}-policy",
        bucket=bucket.id,
        policy=bucket.arn.apply(lambda arn: doc(deny_insecure_transport(arn), *[s(arn) for s in statements])),
    )
    if log_to is not None:
        logging = aws.s3.BucketLoggingV2 if legacy else aws.s3.BucketLogging
        logging(f"{name}-logging", bucket=bucket.id, target_bucket=log_to, target_prefix=f"s3/{name}/")
    return bucket


def elb_log_delivery(prefix: str):
    return lambda arn: {
        "Sid": "ElbLogDelivery",
        "Effect": "Allow",
        "Principal": {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": f"{arn}/{prefix}/*",
    }


def s3_log_delivery(arn: str) -> dict:
    return {
        "Sid": "S3ServerAccessLogs",
        "Effect": "Allow",
        "Principal": {"Service": "logging.s3.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": f"{arn}/s3/*",
        "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
    }


@dataclass(frozen=True)
class Buckets:
    """The buckets other parts of the program send logs to or grant access to."""

    alb_logs: aws.s3.Bucket | aws.s3.BucketV2
    api_alb_logs: aws.s3.Bucket | aws.s3.BucketV2
    elb_logs: aws.s3.Bucket | aws.s3.BucketV2
    trail_logs: aws.s3.Bucket | aws.s3.BucketV2
    flow_log_bucket: aws.s3.Bucket | aws.s3.BucketV2
    data_bucket: aws.s3.Bucket | aws.s3.BucketV2


def buckets(key: aws.kms.Key) -> Buckets:
    # Each log bucket receives one kind of log, so each is exempt from needing access logs (and, for
    # load balancer and S3 access logs, may be SSE-S3) because of exactly one link.
    access_logs = secure_bucket(key, "access-logs", sse="s3", statements=(s3_log_delivery,))
    legacy_access_logs = secure_bucket(key, "legacy-access-logs", sse="s3", statements=(s3_log_delivery,))
    alb_logs = secure_bucket(key, "alb-logs", sse="s3", statements=(elb_log_delivery("alb"),))
    api_alb_logs = secure_bucket(key, "api-alb-logs", sse="s3", statements=(elb_log_delivery("api"),))
    elb_logs = secure_bucket(key, "elb-logs", sse="s3", statements=(elb_log_delivery("elb"),))
    trail_logs = secure_bucket(
        key,
        "trail-logs",
        statements=(
            lambda arn: {
                "Sid": "CloudTrailWrite",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": f"{arn}/AWSLogs/{ACCOUNT}/*",
                "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
            },
        ),
    )
    flow_log_bucket = secure_bucket(
        key,
        "flow-log-bucket",
        statements=(
            lambda arn: {
                "Sid": "FlowLogDelivery",
                "Effect": "Allow",
                "Principal": {"Service": "delivery.logs.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": f"{arn}/AWSLogs/{ACCOUNT}/*",
                "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
            },
        ),
    )
    data_bucket = secure_bucket(key, "data-bucket", log_to=access_logs.id, tags={"Backup": "true"})
    # Backed-up data keeps a copy in another Region (the replica bucket lives in the DR stack).
    aws.s3.BucketReplicationConfig(
        "data-bucket-replication",
        bucket=data_bucket.id,
        role=f"arn:aws:iam::{ACCOUNT}:role/data-bucket-replication",
        rules=[
            {
                "id": "disaster-recovery",
                "status": "Enabled",
                "filter": {},
                "delete_marker_replication": {"status": "Enabled"},
                "source_selection_criteria": {"sse_kms_encrypted_objects": {"status": "Enabled"}},
                "destination": {
                    "bucket": "arn:aws:s3:::policy-examples-data-replica-us-west-2",
                    "encryption_configuration": {
                        "replica_kms_key_id": f"arn:aws:kms:us-west-2:{ACCOUNT}:key/11111111-2222-3333-4444-555555555555"
                    },
                },
            }
        ],
    )
    aws.s3.BucketAcl("data-bucket-acl", bucket=data_bucket.id, acl="private")
    secure_bucket(key, "legacy-data-bucket", log_to=legacy_access_logs.id, legacy=True)
    return Buckets(alb_logs, api_alb_logs, elb_logs, trail_logs, flow_log_bucket, data_bucket)
