"""Queue and topic encrypted with a customer-managed key; the only public-principal statement is
conditioned on the source topic."""

import json

import pulumi
import pulumi_aws as aws

key = aws.kms.Key(
    "messaging-key", enable_key_rotation=True, deletion_window_in_days=30, opts=pulumi.ResourceOptions(protect=True)
)
topic = aws.sns.Topic("orders-topic", name="orders-topic", kms_master_key_id=key.arn)
queue = aws.sqs.Queue("orders-queue", name="orders-queue", kms_master_key_id=key.arn)
aws.sqs.QueuePolicy(
    "topic-sends-policy",
    queue_url=queue.url,
    policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "sns.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": "arn:aws:sqs:us-east-1:123456789012:orders-queue",
                    "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:orders-topic"}},
                }
            ],
        }
    ),
)
aws.sns.TopicSubscription("orders-subscription", topic=topic.arn, protocol="sqs", endpoint=queue.arn)
