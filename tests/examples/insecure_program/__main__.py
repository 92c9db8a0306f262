"""Every resource here breaks at least one policy of the pack (see tests/policies/expectations.py).

Not a real deployment: a catalogue of mistakes, one resource (or two) per covered type.
"""

import json

import pulumi
import pulumi_aws as aws
import pulumi_eks as eks
import pulumi_kubernetes as k8s

ACCOUNT = "123456789012"


def doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


# --- KMS ------------------------------------------------------------------------------------
weak_key = aws.kms.Key(
    "weak-key",
    enable_key_rotation=False,
    deletion_window_in_days=7,
    policy=doc({"Sid": "Everyone", "Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}),
)

# --- S3 -------------------------------------------------------------------------------------
open_bucket = aws.s3.Bucket("open-bucket")
aws.s3.BucketAcl("open-bucket-acl", bucket=open_bucket.id, acl="public-read")
aws.s3.BucketPolicy(
    "open-bucket-policy",
    bucket=open_bucket.id,
    policy=open_bucket.arn.apply(
        lambda arn: doc(
            {"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"{arn}/*"}
        )
    ),
)
no_bucket_key = aws.s3.Bucket("no-bucket-key-bucket")
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

# --- network ----------------------------------------------------------------------------------
vpc = aws.ec2.Vpc("bare-vpc", cidr_block="10.9.0.0/16")
aws.ec2.DefaultSecurityGroup(
    "open-default-sg",
    vpc_id=vpc.id,
    ingress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "self": True}],
)
public_a = aws.ec2.Subnet("public-db-subnet-a", vpc_id=vpc.id, cidr_block="10.9.1.0/24", map_public_ip_on_launch=True)
public_b = aws.ec2.Subnet("public-db-subnet-b", vpc_id=vpc.id, cidr_block="10.9.2.0/24", map_public_ip_on_launch=True)
db_subnets = aws.rds.SubnetGroup("public-subnet-group", subnet_ids=[public_a.id, public_b.id])
admin_sg = aws.ec2.SecurityGroup(
    "admin-sg",
    vpc_id=vpc.id,
    description="SSH from anywhere",
    ingress=[{"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"]}],
)
aws.vpc.SecurityGroupIngressRule(
    "all-open-rule", security_group_id=admin_sg.id, ip_protocol="-1", cidr_ipv4="0.0.0.0/0"
)
alb_sg = aws.ec2.SecurityGroup("alb-sg", vpc_id=vpc.id, description="ALB on a high port")
aws.vpc.SecurityGroupIngressRule(
    "alb-8080-rule", security_group_id=alb_sg.id, ip_protocol="tcp", from_port=8080, to_port=8080, cidr_ipv4="0.0.0.0/0"
)

# --- load balancing -----------------------------------------------------------------------------
alb = aws.lb.LoadBalancer(
    "open-alb", load_balancer_type="application", subnets=[public_a.id, public_b.id], security_groups=[alb_sg.id]
)
target_group = aws.lb.TargetGroup("app-tg", port=80, protocol="HTTP", vpc_id=vpc.id, target_type="ip")
aws.lb.Listener(
    "https-weak",
    load_balancer_arn=alb.arn,
    port=443,
    protocol="HTTPS",
    ssl_policy="ELBSecurityPolicy-2016-08",
    certificate_arn=f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/00000000-0000-0000-0000-000000000000",
    default_actions=[{"type": "forward", "target_group_arn": target_group.arn}],
)
aws.lb.Listener(
    "http-forward",
    load_balancer_arn=alb.arn,
    port=80,
    protocol="HTTP",
    default_actions=[{"type": "forward", "target_group_arn": target_group.arn}],
)

# --- databases and caches -------------------------------------------------------------------------
aws.rds.ParameterGroup("weak-pg", family="postgres14", parameters=[{"name": "log_connections", "value": "1"}])
aws.rds.Instance(
    "open-db",
    engine="postgres",
    engine_version="14",
    instance_class="db.r5.24xlarge",
    allocated_storage=20,
    storage_type="gp2",
    username="app",
    manage_master_user_password=True,
    publicly_accessible=True,
    performance_insights_enabled=True,
    skip_final_snapshot=True,
    backup_retention_period=1,
)
aws.rds.Instance(
    "db-in-public-subnets",
    engine="postgres",
    engine_version="16",
    instance_class="db.t3.micro",
    allocated_storage=20,
    storage_type="gp3",
    storage_encrypted=True,
    kms_key_id=weak_key.arn,
    username="app",
    manage_master_user_password=True,
    master_user_secret_kms_key_id=weak_key.arn,
    db_subnet_group_name=db_subnets.name,
    deletion_protection=True,
    final_snapshot_identifier="db-final",
    backup_retention_period=7,
    enabled_cloudwatch_logs_exports=["postgresql", "upgrade"],
)
aws.elasticache.ReplicationGroup(
    "open-cache",
    description="no encryption, no auth",
    engine="redis",
    node_type="cache.r5.24xlarge",
    num_cache_clusters=1,
)
aws.dynamodb.Table(
    "plain-table", hash_key="id", billing_mode="PAY_PER_REQUEST", attributes=[{"name": "id", "type": "S"}]
)
aws.efs.FileSystem("plain-efs", encrypted=False)

# --- compute ----------------------------------------------------------------------------------
aws.ebs.Volume("plain-volume", availability_zone="us-east-1a", size=10, type="gp2")
aws.ec2.Instance(
    "imdsv1-instance",
    ami="ami-0123456789abcdef0",
    instance_type="x1e.32xlarge",
    associate_public_ip_address=True,
    root_block_device={"volume_type": "gp2", "encrypted": False},
)
aws.ec2.LaunchTemplate(
    "weak-template",
    instance_type="t3.micro",
    metadata_options={"http_tokens": "optional"},
    network_interfaces=[{"associate_public_ip_address": "true"}],
)

# --- EKS ----------------------------------------------------------------------------------------
aws.eks.Cluster(
    "open-eks",
    role_arn=f"arn:aws:iam::{ACCOUNT}:role/eks-cluster",
    vpc_config={"subnet_ids": [public_a.id, public_b.id]},
)
eks.Cluster("open-eks-component", vpc_id=vpc.id, subnet_ids=[public_a.id, public_b.id])

# --- logs, messaging, secrets ---------------------------------------------------------------------------
aws.cloudwatch.LogGroup("plain-logs")
topic = aws.sns.Topic("plain-topic")
aws.sns.TopicPolicy(
    "public-topic-policy",
    arn=topic.arn,
    policy=topic.arn.apply(
        lambda arn: doc({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sns:Publish", "Resource": arn})
    ),
)
aws.sqs.Queue("plain-queue", sqs_managed_sse_enabled=True)
aws.secretsmanager.Secret("plain-secret")
aws.ssm.Parameter("plain-param", type="SecureString", value="not-a-real-secret")
aws.cloudtrail.Trail("weak-trail", s3_bucket_name=open_bucket.id)
aws.backup.Vault("plain-vault")
aws.backup.Plan(
    "short-plan",
    rules=[
        {
            "rule_name": "daily",
            "target_vault_name": "plain-vault",
            "schedule": "cron(0 5 * * ? *)",
            "lifecycle": {"delete_after": 1},
        }
    ],
)

# --- ECR --------------------------------------------------------------------------------------------
repo = aws.ecr.Repository("mutable-repo")
aws.ecr.RepositoryPolicy(
    "public-repo-policy",
    repository=repo.name,
    policy=doc({"Sid": "Anyone", "Effect": "Allow", "Principal": "*", "Action": "ecr:*"}),
)

# --- IAM --------------------------------------------------------------------------------------------
wide_role = aws.iam.Role(
    "wide-role", assume_role_policy=doc({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"})
)
aws.iam.RolePolicy(
    "wide-policy",
    role=wide_role.id,
    policy=doc(
        {"Sid": "Everything", "Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Allow", "Action": ["s3:Put*", "s3:GetObject"], "Resource": "*"},
        {"Sid": "AllButIam", "Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
        {"Sid": "PassAny", "Effect": "Allow", "Action": ["iam:PassRole", "ec2:RunInstances"], "Resource": "*"},
        {"Sid": "Typo", "Effect": "Allow", "Action": "s3:GetObjectt", "Resource": "arn:aws:s3:::bucket/*"},
    ),
)
aws.iam.RolePolicyAttachment(
    "admin-attach", role=wide_role.name, policy_arn="arn:aws:iam::aws:policy/AdministratorAccess"
)
aws.iam.Role(
    "irsa-role",
    assume_role_policy=doc(
        {
            "Effect": "Allow",
            "Principal": {
                "Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE0123"
            },
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringLike": {"oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE0123:sub": "system:serviceaccount:*"}
            },
        }
    ),
)
user = aws.iam.User("deploy-user")
aws.iam.UserPolicy(
    "user-policy", user=user.name, policy=doc({"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"})
)
aws.iam.Policy("broken-policy", policy="{not json")

# --- ECS ------------------------------------------------------------------------------------------------
ecs_cluster = aws.ecs.Cluster("no-insights-cluster")
task = aws.ecs.TaskDefinition(
    "root-task",
    family="root-task",
    network_mode="host",
    container_definitions=json.dumps(
        [
            {
                "name": "app",
                "image": "nginx:1.27",
                "privileged": True,
                "essential": True,
                "environment": [{"name": "DB_PASSWORD", "value": "hunter2"}],
            }
        ]
    ),
)
aws.ecs.Service(
    "public-service",
    cluster=ecs_cluster.arn,
    task_definition=task.arn,
    desired_count=1,
    launch_type="FARGATE",
    network_configuration={"subnets": [public_a.id], "assign_public_ip": True},
)

# --- Kubernetes -----------------------------------------------------------------------------------------
k8s.apps.v1.Deployment(
    "root-deployment",
    spec={
        "selector": {"match_labels": {"app": "web"}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {
                "host_network": True,
                "containers": [{"name": "web", "image": "nginx", "security_context": {"privileged": True}}],
            },
        },
    },
)

# --- a compliant resource on a provider without default tags: only the tag policy fires ---------------
untagged = aws.Provider("untagged", region="us-east-1")
aws.cloudwatch.LogGroup(
    "untagged-log-group",
    kms_key_id=weak_key.arn,
    retention_in_days=400,
    opts=pulumi.ResourceOptions(provider=untagged),
)
