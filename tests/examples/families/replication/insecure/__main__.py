"""Backed-up buckets (Backup=true, Environment=prod) that replicate to another Region but skip their
SSE-KMS objects: the rules have no `source_selection_criteria.sse_kms_encrypted_objects` and no
`replica_kms_key_id`, so S3 leaves every SSE-KMS object behind. The objects are SSE-KMS through the
bucket's default encryption (both settings-resource families), or because a trail encrypts its
files with a KMS key in a bucket whose default is SSE-S3."""

import pulumi_aws as aws

ACCOUNT = "123456789012"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
BACKUP = {"Backup": "true"}


def replicate(name: str, bucket: aws.s3.Bucket | aws.s3.BucketV2, replica: str) -> None:
    aws.s3.BucketReplicationConfig(
        name,
        bucket=bucket.id,
        role=f"arn:aws:iam::{ACCOUNT}:role/{name}",
        rules=[
            {
                "id": "disaster-recovery",
                "status": "Enabled",
                "filter": {},
                "delete_marker_replication": {"status": "Enabled"},
                "destination": {"bucket": f"arn:aws:s3:::{replica}"},
            }
        ],
    )


kms_default = aws.s3.Bucket("kms-default-bucket", bucket="kms-default-example", tags=BACKUP)
aws.s3.BucketServerSideEncryptionConfiguration(
    "kms-default-sse",
    bucket=kms_default.id,
    rules=[
        {
            "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": KEY},
            "bucket_key_enabled": True,
        }
    ],
)
replicate("kms-default-replication", kms_default, "kms-default-example-us-west-2")

legacy = aws.s3.BucketV2("legacy-kms-bucket", bucket="legacy-kms-example", tags=BACKUP)
aws.s3.BucketServerSideEncryptionConfigurationV2(
    "legacy-kms-sse",
    bucket=legacy.id,
    rules=[
        {
            "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": KEY},
            "bucket_key_enabled": True,
        }
    ],
)
replicate("legacy-kms-replication", legacy, "legacy-kms-example-us-west-2")

# SSE-S3 by default (as a bucket receiving load balancer access logs must be), yet the trail puts
# its log and digest files there SSE-KMS.
archive = aws.s3.Bucket("trail-archive", bucket="trail-archive-example", tags=BACKUP)
replicate("trail-archive-replication", archive, "trail-archive-example-us-west-2")
aws.cloudtrail.Trail(
    "kms-trail",
    s3_bucket_name=archive.id,
    kms_key_id=KEY,
    is_multi_region_trail=True,
    include_global_service_events=True,
    enable_log_file_validation=True,
)
