"""A Kinesis data stream without server-side encryption."""

import pulumi_aws as aws

aws.kinesis.Stream("plain-stream", shard_count=1)
