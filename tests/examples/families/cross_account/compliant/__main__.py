"""Access shared only between the platform's two accounts (workload and build), which the AWS
provider is pinned to: every policy, grant, mapping, peering, subscription, target and replication
rule names one of them (the aws-auth ConfigMap is deployed by a Kubernetes provider, so the
policy's trustedAccountIds decide there: with none, it names no account the policy can judge)."""

import json

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

WORKLOAD = "123456789012"
BUILD = "210987654321"
REGION = "us-east-1"
TAGS = {"Environment": "prod", "Project": "policy-examples", "Owner": "platform-team", "CostCenter": "CC-1001"}

pinned = aws.Provider("pinned", region=REGION, allowed_account_ids=[WORKLOAD, BUILD], default_tags={"tags": TAGS})
OPTS = pulumi.ResourceOptions(provider=pinned)
DEPLOYER = f"arn:aws:iam::{BUILD}:role/deployer"


def doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


aws.iam.Role(
    "build-deployer-role",
    assume_role_policy=doc({"Effect": "Allow", "Principal": {"AWS": DEPLOYER}, "Action": "sts:AssumeRole"}),
    opts=OPTS,
)
key = aws.kms.Key(
    "shared-key",
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
        {"Sid": "Build", "Effect": "Allow", "Principal": {"AWS": DEPLOYER}, "Action": ["kms:Decrypt"], "Resource": "*"},
    ),
    opts=pulumi.ResourceOptions(provider=pinned, protect=True),
)
aws.kms.KeyPolicy(
    "imported-key-policy",
    key_id="1234abcd-12ab-34cd-56ef-1234567890ab",
    policy=doc(
        {
            "Sid": "Owner",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{WORKLOAD}:root"},
            "Action": "kms:*",
            "Resource": "*",
        }
    ),
    opts=OPTS,
)
aws.kms.Grant("build-decrypt-grant", key_id=key.key_id, grantee_principal=DEPLOYER, operations=["Decrypt"], opts=OPTS)
aws.s3.BucketPolicy(
    "reports-policy",
    bucket="platform-reports",
    policy=doc(
        {
            "Sid": "BuildReads",
            "Effect": "Allow",
            "Principal": {"AWS": DEPLOYER},
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::platform-reports/*",
        }
    ),
    opts=OPTS,
)
aws.ecr.RepositoryPolicy(
    "build-push-policy",
    repository="app",
    policy=doc(
        {
            "Sid": "BuildPushes",
            "Effect": "Allow",
            "Principal": {"AWS": DEPLOYER},
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
    "reports-bucket-invoke",
    function="reports-indexer",
    action="lambda:InvokeFunction",
    principal="s3.amazonaws.com",
    source_account=WORKLOAD,
    source_arn="arn:aws:s3:::platform-reports",
    opts=OPTS,
)
aws.eks.AccessEntry("build-deployer-access", cluster_name="platform", principal_arn=DEPLOYER, opts=OPTS)
aws.ram.PrincipalAssociation(
    "share-with-build",
    principal=BUILD,
    resource_share_arn=f"arn:aws:ram:{REGION}:{WORKLOAD}:resource-share/11111111-2222-3333-4444-555555555555",
    opts=OPTS,
)
aws.ec2.VpcPeeringConnection(
    "build-peering",
    vpc_id="vpc-0123456789abcdef0",
    peer_vpc_id="vpc-0fedcba9876543210",
    peer_owner_id=BUILD,
    peer_region=REGION,
    opts=OPTS,
)
aws.cloudwatch.LogSubscriptionFilter(
    "central-logs",
    log_group="/aws/lambda/reports-indexer",
    filter_pattern="",
    destination_arn=f"arn:aws:logs:{REGION}:{BUILD}:destination:central",
    opts=OPTS,
)
aws.cloudwatch.EventTarget(
    "central-bus",
    rule="deploy-events",
    arn=f"arn:aws:events:{REGION}:{BUILD}:event-bus/central",
    role_arn=f"arn:aws:iam::{WORKLOAD}:role/events-forwarder",
    opts=OPTS,
)
aws.s3.BucketReplicationConfig(
    "reports-replication",
    bucket="platform-reports",
    role=f"arn:aws:iam::{WORKLOAD}:role/s3-replication",
    rules=[
        {
            "id": "to-build",
            "status": "Enabled",
            "filter": {},
            "delete_marker_replication": {"status": "Disabled"},
            "destination": {"bucket": "arn:aws:s3:::platform-reports-replica", "account": BUILD},
        }
    ],
    opts=OPTS,
)
aws.sqs.QueuePolicy(
    "build-send-policy",
    queue_url=f"https://sqs.{REGION}.amazonaws.com/{WORKLOAD}/deployments",
    policy=doc(
        {
            "Sid": "BuildSends",
            "Effect": "Allow",
            "Principal": {"AWS": DEPLOYER},
            "Action": "sqs:SendMessage",
            "Resource": f"arn:aws:sqs:{REGION}:{WORKLOAD}:deployments",
        }
    ),
    opts=OPTS,
)
aws.sns.TopicPolicy(
    "build-subscribe-policy",
    arn=f"arn:aws:sns:{REGION}:{WORKLOAD}:releases",
    policy=doc(
        {
            "Sid": "BuildSubscribes",
            "Effect": "Allow",
            "Principal": {"AWS": DEPLOYER},
            "Action": "sns:Subscribe",
            "Resource": f"arn:aws:sns:{REGION}:{WORKLOAD}:releases",
        }
    ),
    opts=OPTS,
)
aws.secretsmanager.SecretPolicy(
    "build-read-secret-policy",
    secret_arn=f"arn:aws:secretsmanager:{REGION}:{WORKLOAD}:secret:registry-token",
    block_public_policy=True,
    policy=doc(
        {
            "Sid": "BuildReads",
            "Effect": "Allow",
            "Principal": {"AWS": DEPLOYER},
            "Action": "secretsmanager:GetSecretValue",
            "Resource": "*",
        }
    ),
    opts=OPTS,
)
aws.cloudwatch.EventBusPolicy(
    "build-put-events-policy",
    event_bus_name="deployments",
    policy=doc(
        {
            "Sid": "BuildPuts",
            "Effect": "Allow",
            "Principal": {"AWS": DEPLOYER},
            "Action": "events:PutEvents",
            "Resource": f"arn:aws:events:{REGION}:{WORKLOAD}:event-bus/deployments",
        }
    ),
    opts=OPTS,
)
k8s.core.v1.ConfigMap(
    "aws-auth",
    metadata={"name": "aws-auth", "namespace": "kube-system"},
    data={"mapRoles": f"- rolearn: {DEPLOYER}\n  username: deployer\n  groups:\n    - platform-deployers\n"},
)
