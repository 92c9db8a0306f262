"""A Kinesis data stream encrypted with a customer-managed key."""

import pulumi
import pulumi_aws as aws

key = aws.kms.Key(
    "stream-key", enable_key_rotation=True, deletion_window_in_days=30, opts=pulumi.ResourceOptions(protect=True)
)
aws.kinesis.Stream("events-stream", shard_count=1, encryption_type="KMS", kms_key_id=key.arn)
