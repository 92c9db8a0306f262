"""The replication family's twin: the same backed-up buckets, every setting the pack asks for, and
replication rules that opt in to SSE-KMS objects (`sse_kms_encrypted_objects`) and name a key in
the destination Region (`replica_kms_key_id`)."""

import json
from typing import Any

import pulumi
import pulumi_aws as aws

ACCOUNT = "123456789012"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
REPLICA_KEY = f"arn:aws:kms:us-west-2:{ACCOUNT}:key/5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b"
PROTECT = pulumi.ResourceOptions(protect=True)


def statement(sid: str, service: str, resource: str) -> dict[str, Any]:
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "s3:PutObject",
        "Resource": resource,
        "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
    }


def bucket(
    name: str, *, sse: str = "kms", legacy: bool = False, log_to: Any = None, grants: tuple = (), backup: bool = True
) -> aws.s3.Bucket | aws.s3.BucketV2:
    """A bucket with the pack's settings; `sse="s3"` for the access-log target (S3 delivers server
    access logs only to SSE-S3 buckets)."""
    tags = {"Backup": "true"} if backup else None
    created = (aws.s3.BucketV2 if legacy else aws.s3.Bucket)(name, bucket=f"{name}-example", tags=tags, opts=PROTECT)
    rule: Any = (
        {
            "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": KEY},
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
        aws.s3.BucketServerSideEncryptionConfigurationV2(f"{name}-sse", bucket=created.id, rules=[rule])
        aws.s3.BucketVersioningV2(
            f"{name}-versioning", bucket=created.id, versioning_configuration={"status": "Enabled"}
        )
        aws.s3.BucketLifecycleConfigurationV2(f"{name}-lifecycle", bucket=created.id, rules=lifecycle)
    else:
        aws.s3.BucketServerSideEncryptionConfiguration(f"{name}-sse", bucket=created.id, rules=[rule])
        aws.s3.BucketVersioning(f"{name}-versioning", bucket=created.id, versioning_configuration={"status": "Enabled"})
        aws.s3.BucketLifecycleConfiguration(f"{name}-lifecycle", bucket=created.id, rules=lifecycle)
    aws.s3.BucketPublicAccessBlock(
        f"{name}-pab",
        bucket=created.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
    )
    arn = f"arn:aws:s3:::{name}-example"
    deny_http = {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [arn, f"{arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    policy = {"Version": "2012-10-17", "Statement": [deny_http, *(g(arn) for g in grants)]}
    aws.s3.BucketPolicy(f"{name}-policy", bucket=created.id, policy=json.dumps(policy))
    if log_to is not None:
        logging = aws.s3.BucketLoggingV2 if legacy else aws.s3.BucketLogging
        logging(f"{name}-logging", bucket=created.id, target_bucket=log_to.id, target_prefix=f"s3/{name}/")
    if backup:
        aws.s3.BucketReplicationConfig(
            f"{name}-replication",
            bucket=created.id,
            role=f"arn:aws:iam::{ACCOUNT}:role/{name}-replication",
            rules=[
                {
                    "id": "disaster-recovery",
                    "status": "Enabled",
                    "filter": {},
                    "delete_marker_replication": {"status": "Enabled"},
                    "source_selection_criteria": {"sse_kms_encrypted_objects": {"status": "Enabled"}},
                    "destination": {
                        "bucket": f"arn:aws:s3:::{name}-example-us-west-2",
                        "encryption_configuration": {"replica_kms_key_id": REPLICA_KEY},
                    },
                }
            ],
        )
    return created


access_logs = bucket(
    "access-logs",
    sse="s3",
    backup=False,
    grants=(lambda arn: statement("S3ServerAccessLogs", "logging.s3.amazonaws.com", f"{arn}/s3/*"),),
)
bucket("kms-default-bucket", log_to=access_logs)
bucket("legacy-kms-bucket", legacy=True, log_to=access_logs)
archive = bucket(
    "trail-archive",
    log_to=access_logs,
    grants=(lambda arn: statement("CloudTrailWrite", "cloudtrail.amazonaws.com", f"{arn}/AWSLogs/{ACCOUNT}/*"),),
)
aws.cloudtrail.Trail(
    "kms-trail",
    s3_bucket_name=archive.id,
    kms_key_id=KEY,
    is_multi_region_trail=True,
    include_global_service_events=True,
    enable_log_file_validation=True,
)
