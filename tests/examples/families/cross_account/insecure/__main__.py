"""The same grants and flows to an account outside the two the provider is pinned to: a role
trust; key, bucket, repository, queue, topic, secret and event bus policies; a KMS grant, a Lambda
permission, an EKS access entry and an aws-auth mapping, a RAM share, a VPC peering, a log
subscription, an EventBridge target and an S3 replication rule."""

import json

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

WORKLOAD = "123456789012"
BUILD = "210987654321"
OUTSIDER = "999988887777"
REGION = "us-east-1"
TAGS = {"Environment": "prod", "Project": "policy-examples", "Owner": "platform-team", "CostCenter": "CC-1001"}

pinned = aws.Provider("pinned", region=REGION, allowed_account_ids=[WORKLOAD, BUILD], default_tags={"tags": TAGS})
OPTS = pulumi.ResourceOptions(provider=pinned)
DEPLOYER = f"arn:aws:iam::{BUILD}:role/deployer"
STRANGER = f"arn:aws:iam::{OUTSIDER}:role/deployer"


def doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


aws.iam.Role(
    "stranger-trust-role",
    assume_role_policy=doc({"Effect": "Allow", "Principal": {"AWS": STRANGER}, "Action": "sts:AssumeRole"}),
    opts=OPTS,
)
key = aws.kms.Key(
    "stranger-key",
    enable_key_rotation=True,
    deletion_window_in_days=30,
    policy=doc(
        {
            "Sid": "Owner",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{WORKLOAD}:root"},
            "Action": "kms:*",
            "Resource": "*",
        },
        {"Sid": "Build", "Effect": "Allow", "Principal": {"AWS": STRANGER}, "Action": ["kms:Decrypt"], "Resource": "*"},
    ),
    opts=OPTS,
)
aws.kms.KeyPolicy(
    "stranger-key-policy",
    key_id="1234abcd-12ab-34cd-56ef-1234567890ab",
    policy=doc(
        {
            "Sid": "Owner",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{OUTSIDER}:root"},
            "Action": "kms:*",
            "Resource": "*",
        }
    ),
    opts=OPTS,
)
aws.kms.Grant("stranger-grant", key_id=key.key_id, grantee_principal=STRANGER, operations=["Decrypt"], opts=OPTS)
aws.s3.BucketPolicy(
    "stranger-bucket-policy",
    bucket="platform-reports",
    policy=doc(
        {
            "Sid": "BuildReads",
            "Effect": "Allow",
            "Principal": {"AWS": STRANGER},
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::platform-reports/*",
        }
    ),
    opts=OPTS,
)
aws.ecr.RepositoryPolicy(
    "stranger-push-policy",
    repository="app",
    policy=doc(
        {
            "Sid": "BuildPushes",
            "Effect": "Allow",
            "Principal": {"AWS": STRANGER},
            "Action": [
                "ecr:BatchGetImage",
                "ecr:PutImage",
                "ecr:InitiateLayerUpload",
                "ecr:UploadLayerPart",
                "ecr:CompleteLayerUpload",
            ],
        }
    ),
    opts=OPTS,
)
aws.lambda_.Permission(
    "stranger-invoke",
    function="reports-indexer",
    action="lambda:InvokeFunction",
    principal="s3.amazonaws.com",
    source_account=OUTSIDER,
    source_arn="arn:aws:s3:::platform-reports",
    opts=OPTS,
)
aws.eks.AccessEntry("stranger-access-entry", cluster_name="platform", principal_arn=STRANGER, opts=OPTS)
aws.ram.PrincipalAssociation(
    "share-with-stranger",
    principal=OUTSIDER,
    resource_share_arn=f"arn:aws:ram:{REGION}:{WORKLOAD}:resource-share/11111111-2222-3333-4444-555555555555",
    opts=OPTS,
)
aws.ec2.VpcPeeringConnection(
    "stranger-peering",
    vpc_id="vpc-0123456789abcdef0",
    peer_vpc_id="vpc-0fedcba9876543210",
    peer_owner_id=OUTSIDER,
    peer_region=REGION,
    opts=OPTS,
)
aws.cloudwatch.LogSubscriptionFilter(
    "stranger-logs",
    log_group="/aws/lambda/reports-indexer",
    filter_pattern="",
    destination_arn=f"arn:aws:logs:{REGION}:{OUTSIDER}:destination:central",
    opts=OPTS,
)
aws.cloudwatch.EventTarget(
    "stranger-bus",
    rule="deploy-events",
    arn=f"arn:aws:events:{REGION}:{OUTSIDER}:event-bus/central",
    role_arn=f"arn:aws:iam::{WORKLOAD}:role/events-forwarder",
    opts=OPTS,
)
aws.s3.BucketReplicationConfig(
    "stranger-replication",
    bucket="platform-reports",
    role=f"arn:aws:iam::{WORKLOAD}:role/s3-replication",
    rules=[
        {
            "id": "to-build",
            "status": "Enabled",
            "filter": {},
            "delete_marker_replication": {"status": "Disabled"},
            "destination": {"bucket": "arn:aws:s3:::platform-reports-replica", "account": OUTSIDER},
        }
    ],
    opts=OPTS,
)
aws.sqs.QueuePolicy(
    "stranger-send-policy",
    queue_url=f"https://sqs.{REGION}.amazonaws.com/{WORKLOAD}/deployments",
    policy=doc(
        {
            "Sid": "BuildSends",
            "Effect": "Allow",
            "Principal": {"AWS": STRANGER},
            "Action": "sqs:SendMessage",
            "Resource": f"arn:aws:sqs:{REGION}:{WORKLOAD}:deployments",
        }
    ),
    opts=OPTS,
)
aws.sns.TopicPolicy(
    "stranger-subscribe-policy",
    arn=f"arn:aws:sns:{REGION}:{WORKLOAD}:releases",
    policy=doc(
        {
            "Sid": "BuildSubscribes",
            "Effect": "Allow",
            "Principal": {"AWS": STRANGER},
            "Action": "sns:Subscribe",
            "Resource": f"arn:aws:sns:{REGION}:{WORKLOAD}:releases",
        }
    ),
    opts=OPTS,
)
aws.secretsmanager.SecretPolicy(
    "stranger-secret-policy",
    secret_arn=f"arn:aws:secretsmanager:{REGION}:{WORKLOAD}:secret:registry-token",
    block_public_policy=True,
    policy=doc(
        {
            "Sid": "BuildReads",
            "Effect": "Allow",
            "Principal": {"AWS": STRANGER},
            "Action": "secretsmanager:GetSecretValue",
            "Resource": "*",
        }
    ),
    opts=OPTS,
)
aws.cloudwatch.EventBusPolicy(
    "stranger-bus-policy",
    event_bus_name="deployments",
    policy=doc(
        {
            "Sid": "BuildPuts",
            "Effect": "Allow",
            "Principal": {"AWS": STRANGER},
            "Action": "events:PutEvents",
            "Resource": f"arn:aws:events:{REGION}:{WORKLOAD}:event-bus/deployments",
        }
    ),
    opts=OPTS,
)
k8s.core.v1.ConfigMap(
    "stranger-aws-auth",
    metadata={"name": "aws-auth", "namespace": "kube-system"},
    data={"mapRoles": f"- rolearn: {STRANGER}\n  username: deployer\n  groups:\n    - platform-deployers\n"},
)
