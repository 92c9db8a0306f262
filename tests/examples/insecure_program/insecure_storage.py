"""Keys and buckets with the mistakes the encryption, S3 and resource-policy rules catch: a key that
never rotates and that anyone may use, and buckets of both families (Bucket and the deprecated
BucketV2) that are public, unversioned, not encrypted with a bucket key or replicated within
their own Region."""

import pulumi_aws as aws
from insecure_common import public_resource


# --- KMS ------------------------------------------------------------------------------------------
def kms() -> aws.kms.Key:
    weak_key = aws.kms.Key(
        "weak-key",
        enable_key_rotation=False,
        deletion_window_in_days=7,
        policy=public_resource("kms"),
    )
    aws.kms.KeyPolicy("public-key-policy", key_id=weak_key.id, policy=public_resource("kms"))
    return weak_key


# --- S3 (aws.s3.Bucket and its settings resources) ------------------------------------------------
def buckets(weak_key: aws.kms.Key) -> aws.s3.Bucket:
    """Both bucket families; returns the open bucket, where the trail, a flow log and access logs go."""
    # Documents name resources by literal ARNs (built from known names), so a preview, where ARNs the
    # provider computes are unknown, judges them exactly as an update does.
    open_bucket = aws.s3.Bucket("open-bucket", bucket="insecure-open-bucket", tags={"Backup": "true"})
    aws.s3.BucketAcl("open-bucket-acl", bucket=open_bucket.id, acl="public-read")
    aws.s3.BucketPolicy(
        "open-bucket-policy",
        bucket=open_bucket.id,
        policy=public_resource("s3", "arn:aws:s3:::insecure-open-bucket/*"),
    )
    aws.s3.BucketVersioning(
        "suspended-versioning", bucket=open_bucket.id, versioning_configuration={"status": "Suspended"}
    )
    aws.s3.BucketLifecycleConfiguration(
        "disabled-lifecycle",
        bucket=open_bucket.id,
        rules=[{"id": "expire", "status": "Disabled", "filter": {}, "expiration": {"days": 30}}],
    )
    no_bucket_key = aws.s3.Bucket("no-bucket-key-bucket", tags={"Backup": "true"})
    # Replicates, but into a bucket of the same Region: no copy survives a Regional outage.
    aws.s3.BucketReplicationConfig(
        "same-region-replication",
        bucket=no_bucket_key.id,
        role="arn:aws:iam::123456789012:role/replication",
        rules=[{"id": "all", "status": "Enabled", "filter": {}, "destination": {"bucket": open_bucket.arn}}],
    )
    aws.s3.BucketServerSideEncryptionConfiguration(
        "no-bucket-key-sse",
        bucket=no_bucket_key.id,
        rules=[
            {"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": weak_key.arn}}
        ],
    )
    aws.s3.BucketPublicAccessBlock(
        "partial-pab",
        bucket=no_bucket_key.id,
        block_public_acls=False,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
    )
    inline_bucket = aws.s3.Bucket(
        "inline-policy-bucket",
        bucket="insecure-inline-policy-bucket",
        acl="public-read",
        policy=public_resource("s3", "arn:aws:s3:::insecure-inline-policy-bucket/*"),
    )
    # Server access logs into the (already caught) trail bucket: the link makes the source pass
    # s3-access-logging-enabled; it is caught for everything else.
    aws.s3.BucketLogging(
        "inline-bucket-logging", bucket=inline_bucket.id, target_bucket=open_bucket.id, target_prefix="s3/inline/"
    )

    # --- S3 (the deprecated BucketV2 family, still accepted by pulumi-aws 7) ----------------------
    legacy_bucket = aws.s3.BucketV2(
        "legacy-bucket",
        bucket="insecure-legacy-bucket",
        tags={"Backup": "true"},
        policy=public_resource("s3", "arn:aws:s3:::insecure-legacy-bucket/*"),
    )
    aws.s3.BucketAclV2("legacy-bucket-acl", bucket=legacy_bucket.id, acl="public-read-write")
    legacy_no_key = aws.s3.BucketV2("legacy-no-bucket-key-bucket")
    aws.s3.BucketServerSideEncryptionConfigurationV2(
        "legacy-no-bucket-key-sse",
        bucket=legacy_no_key.id,
        rules=[
            {"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": weak_key.arn}}
        ],
    )
    aws.s3.BucketVersioningV2(
        "legacy-suspended-versioning", bucket=legacy_no_key.id, versioning_configuration={"status": "Suspended"}
    )
    aws.s3.BucketLifecycleConfigurationV2(
        "legacy-disabled-lifecycle",
        bucket=legacy_no_key.id,
        rules=[{"id": "expire", "status": "Disabled", "filter": {}, "expiration": {"days": 30}}],
    )
    aws.s3.BucketLoggingV2(
        "legacy-bucket-logging", bucket=legacy_bucket.id, target_bucket=open_bucket.id, target_prefix="s3/legacy/"
    )
    return open_bucket
