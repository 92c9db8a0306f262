"""SQS/SNS mistakes: a queue with SSE-SQS turned off, an unencrypted topic, resource policies that
let anyone (Principal '*') in without a condition."""

import json

import pulumi_aws as aws

queue = aws.sqs.Queue("plaintext-queue", name="plaintext-queue", sqs_managed_sse_enabled=False)
aws.sqs.QueuePolicy(
    "anyone-sends-policy",
    queue_url=queue.url,
    policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "sqs:SendMessage",
                    "Resource": "arn:aws:sqs:us-east-1:123456789012:plaintext-queue",
                }
            ],
        }
    ),
)
topic = aws.sns.Topic("plaintext-topic", name="plaintext-topic")
aws.sns.TopicPolicy(
    "anyone-publishes-policy",
    arn=topic.arn,
    policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "*"},
                    "Action": "sns:Publish",
                    "Resource": "arn:aws:sns:us-east-1:123456789012:plaintext-topic",
                }
            ],
        }
    ),
)
