"""The secure twin of insecure_program: the same kinds of resources, each configured the way the
policy pack asks (customer-managed keys, TLS, least privilege, private networking, logs,
protection, tags). `python -m offline_preview test --program <this dir> --policy-pack policies`
reports no findings."""

import json

import pulumi
import pulumi_aws as aws
import pulumi_eks as eks
import pulumi_kubernetes as k8s

ACCOUNT = "123456789012"
REGION = "us-east-1"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
PROTECT = pulumi.ResourceOptions(protect=True)


def doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def deny_insecure_transport(arn: str) -> dict:
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [arn, f"{arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


# --- KMS ---------------------------------------------------------------------------------------
key = aws.kms.Key(
    "data-key",
    description="data, logs and secrets",
    enable_key_rotation=True,
    deletion_window_in_days=30,
    policy=doc(
        {"Sid": "AccountAdmin", "Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:*", "Resource": "*"},
        {
            "Sid": "CloudWatchLogs",
            "Effect": "Allow",
            "Principal": {"Service": f"logs.{REGION}.amazonaws.com"},
            "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
            "Resource": "*",
            "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:{REGION}:{ACCOUNT}:*"}},
        },
    ),
    opts=PROTECT,
)


# --- S3: a log archive and a data bucket ----------------------------------------------------------
def secure_bucket(name: str, policy_statements: list, log_to: aws.s3.Bucket | None) -> aws.s3.Bucket:
    bucket = aws.s3.Bucket(name, opts=PROTECT)
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{name}-sse",
        bucket=bucket.id,
        rules=[
            {
                "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn},
                "bucket_key_enabled": True,
            }
        ],
    )
    aws.s3.BucketPublicAccessBlock(
        f"{name}-pab",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
    )
    aws.s3.BucketVersioning(f"{name}-versioning", bucket=bucket.id, versioning_configuration={"status": "Enabled"})
    aws.s3.BucketLifecycleConfiguration(
        f"{name}-lifecycle",
        bucket=bucket.id,
        rules=[
            {
                "id": "noncurrent",
                "status": "Enabled",
                "filter": {},
                "noncurrent_version_expiration": {"noncurrent_days": 90},
                "abort_incomplete_multipart_upload": {"days_after_initiation": 7},
            }
        ],
    )
    aws.s3.BucketPolicy(
        f"{name}-policy",
        bucket=bucket.id,
        policy=bucket.arn.apply(lambda arn: doc(deny_insecure_transport(arn), *[s(arn) for s in policy_statements])),
    )
    if log_to is not None:
        aws.s3.BucketLogging(f"{name}-logging", bucket=bucket.id, target_bucket=log_to.id, target_prefix=f"s3/{name}/")
    return bucket


log_bucket = secure_bucket(
    "log-bucket",
    [
        lambda arn: {
            "Sid": "ElbLogDelivery",
            "Effect": "Allow",
            "Principal": {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": f"{arn}/alb/*",
        },
        lambda arn: {
            "Sid": "CloudTrailWrite",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": f"{arn}/AWSLogs/{ACCOUNT}/*",
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
        },
    ],
    None,
)
data_bucket = secure_bucket("data-bucket", [], log_bucket)

# --- network ----------------------------------------------------------------------------------------
vpc = aws.ec2.Vpc("vpc", cidr_block="10.9.0.0/16", enable_dns_support=True, enable_dns_hostnames=True)
aws.ec2.DefaultSecurityGroup("default-sg", vpc_id=vpc.id)
flow_logs = aws.cloudwatch.LogGroup("flow-logs", kms_key_id=key.arn, retention_in_days=365)
flow_role = aws.iam.Role(
    "flow-log-role",
    assume_role_policy=doc(
        {
            "Effect": "Allow",
            "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
        }
    ),
)
aws.iam.RolePolicy(
    "flow-log-write",
    role=flow_role.id,
    policy=flow_logs.arn.apply(
        lambda arn: doc(
            {
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                "Resource": [arn, f"{arn}:*"],
            }
        )
    ),
)
aws.ec2.FlowLog(
    "vpc-flow-log", vpc_id=vpc.id, traffic_type="ALL", log_destination=flow_logs.arn, iam_role_arn=flow_role.arn
)
igw = aws.ec2.InternetGateway("igw", vpc_id=vpc.id)
public_rt = aws.ec2.RouteTable("public-rt", vpc_id=vpc.id)
aws.ec2.Route("public-default", route_table_id=public_rt.id, destination_cidr_block="0.0.0.0/0", gateway_id=igw.id)
public = [
    aws.ec2.Subnet(f"public-{az}", vpc_id=vpc.id, cidr_block=cidr, availability_zone=f"{REGION}{az}")
    for az, cidr in (("a", "10.9.48.0/24"), ("b", "10.9.49.0/24"))
]
for i, subnet in enumerate(public):
    aws.ec2.RouteTableAssociation(f"public-rta-{i}", subnet_id=subnet.id, route_table_id=public_rt.id)
isolated = [
    aws.ec2.Subnet(f"db-{az}", vpc_id=vpc.id, cidr_block=cidr, availability_zone=f"{REGION}{az}")
    for az, cidr in (("a", "10.9.52.0/24"), ("b", "10.9.53.0/24"))
]
alb_sg = aws.ec2.SecurityGroup("alb-sg", vpc_id=vpc.id, description="ALB: HTTPS and redirecting HTTP from the internet")
for port in (80, 443):
    aws.vpc.SecurityGroupIngressRule(
        f"alb-in-{port}",
        security_group_id=alb_sg.id,
        ip_protocol="tcp",
        from_port=port,
        to_port=port,
        cidr_ipv4="0.0.0.0/0",
    )
app_sg = aws.ec2.SecurityGroup("app-sg", vpc_id=vpc.id, description="App tasks: from the ALB only")
aws.vpc.SecurityGroupIngressRule(
    "app-from-alb",
    security_group_id=app_sg.id,
    ip_protocol="tcp",
    from_port=3001,
    to_port=3001,
    referenced_security_group_id=alb_sg.id,
)
db_sg = aws.ec2.SecurityGroup("db-sg", vpc_id=vpc.id, description="Database: from app tasks only")
aws.vpc.SecurityGroupIngressRule(
    "db-from-app",
    security_group_id=db_sg.id,
    ip_protocol="tcp",
    from_port=5432,
    to_port=5432,
    referenced_security_group_id=app_sg.id,
)

# --- load balancing -----------------------------------------------------------------------------------
alb = aws.lb.LoadBalancer(
    "alb",
    load_balancer_type="application",
    internal=False,
    subnets=[s.id for s in public],
    security_groups=[alb_sg.id],
    drop_invalid_header_fields=True,
    desync_mitigation_mode="defensive",
    access_logs={"bucket": log_bucket.id, "prefix": "alb", "enabled": True},
)
acl = aws.wafv2.WebAcl(
    "waf",
    scope="REGIONAL",
    default_action={"allow": {}},
    visibility_config={"cloudwatch_metrics_enabled": True, "metric_name": "waf", "sampled_requests_enabled": True},
    rules=[
        {
            "name": "common",
            "priority": 1,
            "override_action": {"none": {}},
            "statement": {
                "managed_rule_group_statement": {"name": "AWSManagedRulesCommonRuleSet", "vendor_name": "AWS"}
            },
            "visibility_config": {
                "cloudwatch_metrics_enabled": True,
                "metric_name": "common",
                "sampled_requests_enabled": True,
            },
        }
    ],
)
aws.wafv2.WebAclAssociation("waf-alb", resource_arn=alb.arn, web_acl_arn=acl.arn)
target_group = aws.lb.TargetGroup("app-tg", port=3001, protocol="HTTP", vpc_id=vpc.id, target_type="ip")
aws.lb.Listener(
    "https",
    load_balancer_arn=alb.arn,
    port=443,
    protocol="HTTPS",
    ssl_policy="ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    certificate_arn=f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/00000000-0000-0000-0000-000000000000",
    default_actions=[{"type": "forward", "target_group_arn": target_group.arn}],
)
aws.lb.Listener(
    "http-redirect",
    load_balancer_arn=alb.arn,
    port=80,
    protocol="HTTP",
    default_actions=[{"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443", "status_code": "HTTP_301"}}],
)

# --- databases and caches ----------------------------------------------------------------------------------
pg = aws.rds.ParameterGroup("pg", family="postgres16", parameters=[{"name": "rds.force_ssl", "value": "1"}])
db_subnets = aws.rds.SubnetGroup("db-subnets", subnet_ids=[s.id for s in isolated])
aws.rds.Instance(
    "db",
    engine="postgres",
    engine_version="16",
    instance_class="db.t3.small",
    allocated_storage=100,
    storage_type="gp3",
    storage_encrypted=True,
    kms_key_id=key.arn,
    username="app",
    manage_master_user_password=True,
    master_user_secret_kms_key_id=key.arn,
    performance_insights_enabled=True,
    performance_insights_kms_key_id=key.arn,
    parameter_group_name=pg.name,
    db_subnet_group_name=db_subnets.name,
    vpc_security_group_ids=[db_sg.id],
    multi_az=True,
    deletion_protection=True,
    final_snapshot_identifier="db-final",
    backup_retention_period=14,
    enabled_cloudwatch_logs_exports=["postgresql", "upgrade"],
    opts=PROTECT,
)
cache_subnets = aws.elasticache.SubnetGroup("cache-subnets", subnet_ids=[s.id for s in isolated])
aws.elasticache.ReplicationGroup(
    "cache",
    description="encrypted, authenticated Redis",
    engine="redis",
    node_type="cache.t4g.small",
    num_cache_clusters=2,
    automatic_failover_enabled=True,
    multi_az_enabled=True,
    at_rest_encryption_enabled=True,
    kms_key_id=key.arn,
    transit_encryption_enabled=True,
    transit_encryption_mode="required",
    user_group_ids=["app-users"],
    subnet_group_name=cache_subnets.name,
    snapshot_retention_limit=7,
    opts=PROTECT,
)
aws.dynamodb.Table(
    "table",
    hash_key="id",
    billing_mode="PAY_PER_REQUEST",
    attributes=[{"name": "id", "type": "S"}],
    server_side_encryption={"enabled": True, "kms_key_arn": key.arn},
    point_in_time_recovery={"enabled": True},
    deletion_protection_enabled=True,
    opts=PROTECT,
)
aws.efs.FileSystem("shared", encrypted=True, kms_key_id=key.arn, opts=PROTECT)

# --- compute --------------------------------------------------------------------------------------------------
aws.ebs.Volume("data-volume", availability_zone=f"{REGION}a", size=10, type="gp3", encrypted=True, kms_key_id=key.arn)
aws.ec2.Instance(
    "ssm-host",
    ami="ami-0123456789abcdef0",
    instance_type="t3.micro",
    subnet_id=isolated[0].id,
    vpc_security_group_ids=[app_sg.id],
    metadata_options={"http_tokens": "required", "http_endpoint": "enabled", "http_put_response_hop_limit": 1},
    root_block_device={"volume_type": "gp3", "encrypted": True, "kms_key_id": key.arn},
)
aws.ec2.LaunchTemplate(
    "nodes-lt",
    instance_type="t3.medium",
    metadata_options={"http_tokens": "required", "http_endpoint": "enabled", "http_put_response_hop_limit": 2},
    block_device_mappings=[
        {
            "device_name": "/dev/xvda",
            "ebs": {"volume_size": 50, "volume_type": "gp3", "encrypted": "true", "kms_key_id": key.arn},
        }
    ],
)

# --- EKS ----------------------------------------------------------------------------------------------------------
aws.eks.Cluster(
    "eks",
    role_arn=f"arn:aws:iam::{ACCOUNT}:role/eks-cluster",
    vpc_config={
        "subnet_ids": [s.id for s in isolated],
        "endpoint_public_access": False,
        "endpoint_private_access": True,
    },
    encryption_config={"resources": ["secrets"], "provider": {"key_arn": key.arn}},
    enabled_cluster_log_types=["api", "audit", "authenticator", "controllerManager", "scheduler"],
)
eks.Cluster(
    "eks-component",
    vpc_id=vpc.id,
    private_subnet_ids=[s.id for s in isolated],
    skip_default_node_group=True,
    endpoint_public_access=False,
    endpoint_private_access=True,
    encryption_config_key_arn=key.arn,
    enabled_cluster_log_types=["api", "audit", "authenticator", "controllerManager", "scheduler"],
    node_associate_public_ip_address=False,
)

# --- logs, messaging, secrets -------------------------------------------------------------------------------------
aws.cloudwatch.LogGroup("app-logs", kms_key_id=key.arn, retention_in_days=365)
topic = aws.sns.Topic("alerts", kms_master_key_id=key.arn)
aws.sns.TopicPolicy(
    "alerts-policy",
    arn=topic.arn,
    policy=topic.arn.apply(
        lambda arn: doc(
            {
                "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": "sns:Publish",
                "Resource": arn,
                "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
            }
        )
    ),
)
aws.sqs.Queue("jobs", kms_master_key_id=key.arn)
secret = aws.secretsmanager.Secret("api-token", kms_key_id=key.arn, opts=PROTECT)
aws.ssm.Parameter("feature-flags", type="SecureString", value="{}", key_id=key.arn)
aws.cloudtrail.Trail(
    "trail",
    s3_bucket_name=log_bucket.id,
    kms_key_id=key.arn,
    is_multi_region_trail=True,
    include_global_service_events=True,
    enable_log_file_validation=True,
)
aws.backup.Vault("vault", kms_key_arn=key.arn, opts=PROTECT)
aws.backup.Plan(
    "plan",
    rules=[
        {
            "rule_name": "daily",
            "target_vault_name": "vault",
            "schedule": "cron(0 5 * * ? *)",
            "lifecycle": {"delete_after": 35},
        }
    ],
)

# --- ECR --------------------------------------------------------------------------------------------------------------
repo = aws.ecr.Repository(
    "app",
    image_tag_mutability="IMMUTABLE",
    image_scanning_configuration={"scan_on_push": True},
    encryption_configurations=[{"encryption_type": "KMS", "kms_key": key.arn}],
    opts=PROTECT,
)
aws.ecr.LifecyclePolicy(
    "app-lifecycle",
    repository=repo.name,
    policy=json.dumps(
        {
            "rules": [
                {
                    "rulePriority": 1,
                    "description": "expire untagged",
                    "selection": {
                        "tagStatus": "untagged",
                        "countType": "sinceImagePushed",
                        "countUnit": "days",
                        "countNumber": 7,
                    },
                    "action": {"type": "expire"},
                }
            ]
        }
    ),
)
aws.ecr.RepositoryPolicy(
    "app-pull",
    repository=repo.name,
    policy=doc(
        {
            "Sid": "AccountPull",
            "Effect": "Allow",
            "Principal": {"AWS": ROOT},
            "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
        }
    ),
)

# --- IAM ----------------------------------------------------------------------------------------------------------------
task_role = aws.iam.Role(
    "task-role",
    assume_role_policy=doc(
        {
            "Effect": "Allow",
            "Principal": {"Service": "ecs-tasks.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
        }
    ),
)
aws.iam.RolePolicy(
    "task-policy",
    role=task_role.id,
    policy=pulumi.Output.all(data_bucket.arn, key.arn, secret.arn).apply(
        lambda a: doc(
            {"Sid": "ReadData", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": f"{a[0]}/*"},
            {"Sid": "ListData", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": a[0]},
            {"Sid": "UseKey", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": a[1]},
            {"Sid": "ReadSecret", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": a[2]},
            {
                "Sid": "Unscopable",
                "Effect": "Allow",
                "Action": ["cloudwatch:PutMetricData", "xray:PutTraceSegments"],
                "Resource": "*",
            },
        )
    ),
)
execution_role = aws.iam.Role(
    "execution-role",
    assume_role_policy=doc(
        {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ),
)
aws.iam.RolePolicyAttachment(
    "execution-managed",
    role=execution_role.name,
    policy_arn="arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
)
oidc = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE0123"
aws.iam.Role(
    "irsa-role",
    assume_role_policy=doc(
        {
            "Effect": "Allow",
            "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{oidc}"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringEquals": {f"{oidc}:sub": "system:serviceaccount:app:backend", f"{oidc}:aud": "sts.amazonaws.com"}
            },
        }
    ),
)
readers = aws.iam.Group("readers")
aws.iam.GroupPolicy(
    "readers-policy",
    group=readers.name,
    policy=data_bucket.arn.apply(
        lambda arn: doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{arn}/*"})
    ),
)
aws.iam.Policy(
    "deploy-policy",
    policy=task_role.arn.apply(
        lambda arn: doc(
            {
                "Sid": "PassTaskRole",
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": arn,
                "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
            },
            {
                "Sid": "Register",
                "Effect": "Allow",
                "Action": "ecs:RegisterTaskDefinition",
                "Resource": f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/app:*",
            },
            {"Sid": "Describe", "Effect": "Allow", "Action": "ecs:DescribeTaskDefinition", "Resource": "*"},
        )
    ),
)

# --- ECS ------------------------------------------------------------------------------------------------------------------
ecs_cluster = aws.ecs.Cluster("cluster", settings=[{"name": "containerInsights", "value": "enhanced"}])
app_logs = aws.cloudwatch.LogGroup("task-logs", kms_key_id=key.arn, retention_in_days=365)
task = aws.ecs.TaskDefinition(
    "app-task",
    family="app",
    network_mode="awsvpc",
    requires_compatibilities=["FARGATE"],
    cpu="256",
    memory="512",
    task_role_arn=task_role.arn,
    execution_role_arn=execution_role.arn,
    container_definitions=pulumi.Output.all(repo.repository_url, secret.arn, app_logs.name).apply(
        lambda a: json.dumps(
            [
                {
                    "name": "backend",
                    "image": f"{a[0]}:1.0.0",
                    "essential": True,
                    "user": "1000:1000",
                    "readonlyRootFilesystem": True,
                    "privileged": False,
                    "environment": [{"name": "PORT", "value": "3001"}],
                    "secrets": [{"name": "API_TOKEN", "valueFrom": a[1]}],
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": a[2],
                            "awslogs-region": REGION,
                            "awslogs-stream-prefix": "backend",
                        },
                    },
                }
            ]
        )
    ),
)
aws.ecs.Service(
    "app-service",
    cluster=ecs_cluster.arn,
    task_definition=task.arn,
    desired_count=2,
    launch_type="FARGATE",
    network_configuration={
        "subnets": [s.id for s in isolated],
        "security_groups": [app_sg.id],
        "assign_public_ip": False,
    },
)

# --- Kubernetes -----------------------------------------------------------------------------------------------------------
k8s.apps.v1.Deployment(
    "web",
    spec={
        "selector": {"match_labels": {"app": "web"}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {
                "security_context": {
                    "run_as_non_root": True,
                    "run_as_user": 101,
                    "seccomp_profile": {"type": "RuntimeDefault"},
                },
                "containers": [
                    {
                        "name": "web",
                        "image": "nginxinc/nginx-unprivileged:1.27.0",
                        "security_context": {
                            "allow_privilege_escalation": False,
                            "read_only_root_filesystem": True,
                            "capabilities": {"drop": ["ALL"]},
                        },
                        "resources": {
                            "requests": {"cpu": "100m", "memory": "128Mi"},
                            "limits": {"cpu": "250m", "memory": "128Mi"},
                        },
                    }
                ],
            },
        },
    },
)
