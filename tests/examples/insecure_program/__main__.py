"""Every resource here breaks at least one policy of the pack (see tests/policies/expectations.py),
except the few link resources listed there (a bucket's encryption configuration, a flow log, a
route...), which are judged through the resource they attach to.

Not a real deployment: a catalogue of mistakes, at least one resource of every resource type the
pack judges (tests/policies/test_coverage.py computes that list from the policies themselves).
"""

import json

import pulumi
import pulumi_aws as aws
import pulumi_eks as eks
import pulumi_kubernetes as k8s
import pulumi_random as random

ACCOUNT = "123456789012"
REGION = "us-east-1"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
CERT = f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/00000000-0000-0000-0000-000000000000"


def doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def wide_identity() -> str:
    """An identity policy with every least-privilege mistake the pack knows."""
    return doc(
        {"Sid": "Everything", "Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Allow", "Action": ["s3:Put*", "s3:GetObject"], "Resource": "*"},
        {"Sid": "AllButIam", "Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
        {"Sid": "PassAny", "Effect": "Allow", "Action": ["iam:PassRole", "ec2:RunInstances"], "Resource": "*"},
        {"Sid": "Typo", "Effect": "Allow", "Action": "s3:GetObjectt", "Resource": "arn:aws:s3:::bucket/*"},
    )


def public_resource(service: str, resource: str = "*") -> str:
    """A resource policy open to everyone, with a NotAction allow and a misspelled action."""
    return doc(
        {"Sid": "Anyone", "Effect": "Allow", "Principal": "*", "Action": f"{service}:*", "Resource": resource},
        {
            "Sid": "AllButLists",
            "Effect": "Allow",
            "Principal": {"AWS": ROOT},
            "NotAction": f"{service}:List*",
            "Resource": resource,
        },
        {
            "Sid": "Typo",
            "Effect": "Allow",
            "Principal": {"AWS": ROOT},
            "Action": f"{service}:NoSuchActionn",
            "Resource": resource,
        },
    )


# --- KMS ------------------------------------------------------------------------------------
weak_key = aws.kms.Key(
    "weak-key",
    enable_key_rotation=False,
    deletion_window_in_days=7,
    policy=public_resource("kms"),
)
aws.kms.KeyPolicy("public-key-policy", key_id=weak_key.id, policy=public_resource("kms"))

# --- S3 (aws.s3.Bucket and its settings resources) ----------------------------------------------
# Documents name resources by literal ARNs (built from known names), so a preview, where ARNs the
# provider computes are unknown, judges them exactly as an update does.
open_bucket = aws.s3.Bucket("open-bucket", bucket="insecure-open-bucket", tags={"Backup": "true"})
aws.s3.BucketAcl("open-bucket-acl", bucket=open_bucket.id, acl="public-read")
aws.s3.BucketPolicy(
    "open-bucket-policy",
    bucket=open_bucket.id,
    policy=public_resource("s3", "arn:aws:s3:::insecure-open-bucket/*"),
)
aws.s3.BucketVersioning("suspended-versioning", bucket=open_bucket.id, versioning_configuration={"status": "Suspended"})
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

# --- S3 (the deprecated BucketV2 family, still accepted by pulumi-aws 7) -------------------------------
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

# --- network ----------------------------------------------------------------------------------
vpc = aws.ec2.Vpc("bare-vpc", cidr_block="10.9.0.0/16")
aws.ec2.DefaultSecurityGroup(
    "open-default-sg",
    vpc_id=vpc.id,
    ingress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "self": True}],
)
reject_only_vpc = aws.ec2.Vpc("reject-only-vpc", cidr_block="10.10.0.0/16")
aws.ec2.FlowLog(
    "reject-only-flow-log",
    vpc_id=reject_only_vpc.id,
    traffic_type="REJECT",
    log_destination_type="s3",
    log_destination=open_bucket.arn,
)
public_a = aws.ec2.Subnet("public-db-subnet-a", vpc_id=vpc.id, cidr_block="10.9.1.0/24", map_public_ip_on_launch=True)
public_b = aws.ec2.Subnet("public-db-subnet-b", vpc_id=vpc.id, cidr_block="10.9.2.0/24", map_public_ip_on_launch=True)
db_subnets = aws.rds.SubnetGroup("public-subnet-group", subnet_ids=[public_a.id, public_b.id])
# A subnet that is public because its route table sends 0.0.0.0/0 to an internet gateway.
igw = aws.ec2.InternetGateway("igw", vpc_id=vpc.id)
public_rt = aws.ec2.RouteTable("public-rt", vpc_id=vpc.id)
aws.ec2.Route(
    "public-default-route", route_table_id=public_rt.id, destination_cidr_block="0.0.0.0/0", gateway_id=igw.id
)
routed = aws.ec2.Subnet("routed-subnet", vpc_id=vpc.id, cidr_block="10.9.3.0/24")
aws.ec2.RouteTableAssociation("routed-subnet-rta", subnet_id=routed.id, route_table_id=public_rt.id)
cache_subnets = aws.elasticache.SubnetGroup("public-cache-subnets", subnet_ids=[routed.id])

admin_sg = aws.ec2.SecurityGroup(
    "admin-sg",
    vpc_id=vpc.id,
    description="SSH from anywhere",
    ingress=[{"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"]}],
)
aws.vpc.SecurityGroupIngressRule(
    "all-open-rule", security_group_id=admin_sg.id, ip_protocol="-1", cidr_ipv4="0.0.0.0/0"
)
aws.ec2.SecurityGroupRule(
    "rdp-world-rule",
    type="ingress",
    security_group_id=admin_sg.id,
    protocol="tcp",
    from_port=3389,
    to_port=3389,
    cidr_blocks=["0.0.0.0/0"],
)
alb_sg = aws.ec2.SecurityGroup("alb-sg", vpc_id=vpc.id, description="ALB on a high port")
aws.vpc.SecurityGroupIngressRule(
    "alb-8080-rule", security_group_id=alb_sg.id, ip_protocol="tcp", from_port=8080, to_port=8080, cidr_ipv4="0.0.0.0/0"
)

# --- load balancing (aws.lb, its aws.alb aliases and a classic ELB) -------------------------------------
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
    certificate_arn=CERT,
    default_actions=[{"type": "forward", "target_group_arn": target_group.arn}],
)
http_forward = aws.lb.Listener(
    "http-forward",
    load_balancer_arn=alb.arn,
    port=80,
    protocol="HTTP",
    default_actions=[{"type": "forward", "target_group_arn": target_group.arn}],
)
aws.lb.ListenerRule(
    "http-forward-rule",
    listener_arn=http_forward.arn,
    priority=10,
    conditions=[{"path_pattern": {"values": ["/api/*"]}}],
    actions=[{"type": "forward", "target_group_arn": target_group.arn}],
)
alias_sg = aws.ec2.SecurityGroup(
    "alias-alb-sg",
    vpc_id=vpc.id,
    description="an alias ALB on 8443",
    ingress=[{"protocol": "tcp", "from_port": 8443, "to_port": 8443, "cidr_blocks": ["0.0.0.0/0"]}],
)
alias_alb = aws.alb.LoadBalancer(
    "alias-alb",
    load_balancer_type=aws.alb.LoadBalancerType.APPLICATION,
    subnets=[public_a.id, public_b.id],
    security_groups=[alias_sg.id],
)
aws.alb.Listener(
    "alias-https-weak",
    load_balancer_arn=alias_alb.arn,
    port=443,
    protocol="HTTPS",
    certificate_arn=CERT,
    default_actions=[{"type": "forward", "target_group_arn": target_group.arn}],
)
alias_http = aws.alb.Listener(
    "alias-http-forward",
    load_balancer_arn=alias_alb.arn,
    port=80,
    protocol="HTTP",
    default_actions=[{"type": "forward", "target_group_arn": target_group.arn}],
)
aws.alb.ListenerRule(
    "alias-forward-rule",
    listener_arn=alias_http.arn,
    priority=10,
    conditions=[{"path_pattern": {"values": ["/api/*"]}}],
    actions=[{"type": "forward", "target_group_arn": target_group.arn}],
)
aws.elb.LoadBalancer(
    "classic-elb",
    subnets=[public_a.id],
    listeners=[{"instance_port": 80, "instance_protocol": "http", "lb_port": 80, "lb_protocol": "http"}],
)
# A web ACL association for a resource outside this program: judged only through the load
# balancers it names (none here, so every internet-facing ALB above still lacks a WAF).
aws.wafv2.WebAclAssociation(
    "waf-elsewhere",
    resource_arn=f"arn:aws:apigateway:{REGION}::/restapis/a1b2c3d4e5/stages/prod",
    web_acl_arn=f"arn:aws:wafv2:{REGION}:{ACCOUNT}:regional/webacl/api/11111111-2222-3333-4444-555555555555",
)

# --- databases ---------------------------------------------------------------------------------------
aws.rds.ParameterGroup("weak-pg", family="postgres14", parameters=[{"name": "log_connections", "value": "1"}])
aws.rds.ClusterParameterGroup(
    "weak-cluster-pg", family="aurora-postgresql16", parameters=[{"name": "log_connections", "value": "1"}]
)
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
# Aurora: one writer, nothing else (single-AZ), every setting left at its insecure default.
aurora = aws.rds.Cluster(
    "open-aurora",
    engine=aws.rds.EngineType.AURORA_POSTGRESQL,
    engine_version="16.4",
    master_username="app",
    manage_master_user_password=True,
    performance_insights_enabled=True,
    skip_final_snapshot=True,
    backup_retention_period=1,
)
aws.rds.ClusterInstance(
    "open-aurora-writer",
    cluster_identifier=aurora.id,
    engine=aws.rds.EngineType.AURORA_POSTGRESQL,
    instance_class="db.r5.24xlarge",
    publicly_accessible=True,
    performance_insights_enabled=True,
)
# A Multi-AZ DB cluster (RDS for PostgreSQL, three AZs by construction) that is public and oversized.
aws.rds.Cluster(
    "open-multi-az-cluster",
    engine="postgres",
    engine_version="16.4",
    db_cluster_instance_class="db.r5.24xlarge",
    storage_type="io1",
    allocated_storage=100,
    iops=3000,
    master_username="app",
    manage_master_user_password=True,
    master_user_secret_kms_key_id=weak_key.arn,
    storage_encrypted=True,
    kms_key_id=weak_key.arn,
    publicly_accessible=True,
    db_cluster_parameter_group_name="default.postgres16",
    db_subnet_group_name=db_subnets.name,
    enabled_cloudwatch_logs_exports=["postgresql"],
    deletion_protection=True,
    final_snapshot_identifier="multi-az-final",
    backup_retention_period=7,
)

# --- caches -------------------------------------------------------------------------------------------
aws.elasticache.ReplicationGroup(
    "open-cache",
    description="no encryption, no auth",
    engine="redis",
    node_type="cache.r5.24xlarge",
    num_cache_clusters=1,
)
aws.elasticache.Cluster(
    "standalone-redis",
    engine="redis",
    node_type="cache.r5.24xlarge",
    num_cache_nodes=1,
)
aws.elasticache.Cluster(
    "single-memcached",
    engine="memcached",
    node_type="cache.t3.micro",
    num_cache_nodes=1,
    subnet_group_name=cache_subnets.name,
)
aws.elasticache.ServerlessCache("open-serverless", engine="valkey")

# --- other stores ------------------------------------------------------------------------------------
aws.dynamodb.Table(
    "plain-table", hash_key="id", billing_mode="PAY_PER_REQUEST", attributes=[{"name": "id", "type": "S"}]
)
efs = aws.efs.FileSystem("plain-efs", encrypted=False)
aws.efs.FileSystemPolicy("public-efs-policy", file_system_id=efs.id, policy=public_resource("elasticfilesystem"))

# --- compute ----------------------------------------------------------------------------------
aws.ebs.EncryptionByDefault("ebs-default-off", enabled=False)
aws.ebs.DefaultKmsKey("aws-managed-ebs-default", key_arn=f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/aws/ebs")
aws.ebs.Volume("plain-volume", availability_zone=f"{REGION}a", size=10, type="gp2")
aws.ec2.Instance(
    "imdsv1-instance",
    ami="ami-0123456789abcdef0",
    instance_type="x1e.32xlarge",
    associate_public_ip_address=True,
    root_block_device={"volume_type": "gp2", "encrypted": False},
)
aws.ec2.SpotInstanceRequest(
    "imdsv1-spot",
    ami="ami-0123456789abcdef0",
    instance_type="x1e.32xlarge",
    associate_public_ip_address=True,
    root_block_device={"volume_type": "gp2", "encrypted": False},
)
weak_template = aws.ec2.LaunchTemplate(
    "weak-template",
    instance_type="x1e.32xlarge",
    metadata_options={"http_tokens": "optional"},
    network_interfaces=[{"associate_public_ip_address": "true"}],
    block_device_mappings=[{"device_name": "/dev/xvda", "ebs": {"volume_type": "gp2", "encrypted": "false"}}],
)
aws.ec2.LaunchConfiguration(
    "weak-launch-config",
    image_id="ami-0123456789abcdef0",
    instance_type="x1e.32xlarge",
    associate_public_ip_address=True,
    metadata_options={"http_tokens": "optional"},
    root_block_device={"volume_type": "gp2", "encrypted": False},
)
aws.autoscaling.Group(
    "oversized-asg",
    min_size=1,
    max_size=2,
    vpc_zone_identifiers=[public_a.id],
    mixed_instances_policy={
        "launch_template": {
            "launch_template_specification": {"launch_template_id": weak_template.id, "version": "$Latest"},
            "overrides": [{"instance_type": "x1e.32xlarge"}, {"instance_type": "p5.48xlarge"}],
        }
    },
)

# --- EKS ----------------------------------------------------------------------------------------
aws.eks.Cluster(
    "open-eks",
    role_arn=f"arn:aws:iam::{ACCOUNT}:role/eks-cluster",
    vpc_config={"subnet_ids": [public_a.id, public_b.id]},
)
open_eks_component = eks.Cluster(
    "open-eks-component",
    vpc_id=vpc.id,
    subnet_ids=[public_a.id, public_b.id],
    instance_type="x1e.32xlarge",
    node_associate_public_ip_address=True,
)
# eks.ManagedNodeGroup(cluster=open_eks_component, ...) registers exactly this remote component; it is
# written out because the offline mocks echo the `cluster` resource reference back as an output,
# which the SDK cannot rehydrate outside the engine. CrossGuard sees the same type and inputs.
pulumi.ComponentResource(
    "eks:index:ManagedNodeGroup",
    "imdsv1-node-group",
    {
        "clusterName": open_eks_component.eks_cluster.name,
        "nodeRoleArn": f"arn:aws:iam::{ACCOUNT}:role/eks-node",
        "instanceTypes": ["x1e.32xlarge"],
    },
    None,
    remote=True,
)
# Self-managed node groups (remote components, judged by their inputs): public IPs by default, no pinned
# AL2023 AMI (IMDSv1 allowed), root volumes unencrypted or on aws/ebs, gp2, an oversized instance type.
eks.NodeGroup(
    "legacy-self-managed-nodes",
    cluster=open_eks_component,
    instance_type="x1e.32xlarge",
    encrypt_root_block_device=True,  # accepted but ignored by pulumi-eks: the volumes stay unencrypted
    node_root_volume_type="gp2",
    key_name="ops-key",
)
eks.NodeGroupV2(
    "self-managed-nodes",
    cluster=open_eks_component,
    instance_type="p5.48xlarge",
    operating_system=eks.OperatingSystem.AL2,
    node_root_volume_encrypted=True,
    node_associate_public_ip_address=True,
    node_subnet_ids=[public_a.id, public_b.id],
    spot_price="10.0",
)
aws.eks.NodeGroup(
    "default-template-nodes",
    cluster_name="open-eks",
    ami_type="AL2_x86_64",
    node_role_arn=f"arn:aws:iam::{ACCOUNT}:role/eks-node",
    subnet_ids=[public_a.id],
    instance_types=["x1e.32xlarge"],
    scaling_config={"min_size": 1, "max_size": 2, "desired_size": 1},
)

# --- logs, messaging, secrets, backups ------------------------------------------------------------------
aws.cloudwatch.LogGroup("plain-logs")
aws.cloudwatch.LogResourcePolicy("public-log-policy", policy_name="anyone", policy_document=public_resource("logs"))
topic = aws.sns.Topic("plain-topic", name="insecure-plain-topic", policy=public_resource("sns"))
aws.sns.TopicPolicy(
    "public-topic-policy",
    arn=topic.arn,
    policy=public_resource("sns", f"arn:aws:sns:{REGION}:{ACCOUNT}:insecure-plain-topic"),
)
queue = aws.sqs.Queue("plain-queue", sqs_managed_sse_enabled=True, policy=public_resource("sqs"))
aws.sqs.QueuePolicy("public-queue-policy", queue_url=queue.url, policy=public_resource("sqs"))
secret = aws.secretsmanager.Secret("plain-secret", policy=public_resource("secretsmanager"))
aws.secretsmanager.SecretPolicy("public-secret-policy", secret_arn=secret.arn, policy=public_resource("secretsmanager"))
aws.secretsmanager.SecretRotation(
    "slow-rotation",
    secret_id=secret.id,
    rotation_lambda_arn="arn:aws:lambda:us-east-1:123456789012:function:rotate-plain-secret",
    rotation_rules={"automatically_after_days": 365},
)
plain_value = random.RandomPassword("plain-secret-password", length=32)  # no keepers: never regenerated
aws.secretsmanager.SecretVersion("plain-secret-value", secret_id=secret.id, secret_string=plain_value.result)
aws.ssm.Parameter("plain-param", type="SecureString", value="not-a-real-secret")
aws.cloudtrail.Trail("weak-trail", s3_bucket_name=open_bucket.id)
vault = aws.backup.Vault("plain-vault")
aws.backup.VaultPolicy("public-vault-policy", backup_vault_name=vault.name, policy=public_resource("backup"))
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
aws.ecr.RepositoryPolicy("public-repo-policy", repository=repo.name, policy=public_resource("ecr"))
aws.ecr.RegistryPolicy("public-registry-policy", policy=public_resource("ecr"))
# Scans only on request: covers no repository for ecr-image-scanning, which keeps judging each one.
aws.ecr.RegistryScanningConfiguration(
    "manual-scanning",
    scan_type="BASIC",
    rules=[{"scan_frequency": "MANUAL", "repository_filters": [{"filter": "*", "filter_type": "WILDCARD"}]}],
)
# A lifecycle policy for a repository this program does not manage: the repositories above still lack one.
aws.ecr.LifecyclePolicy(
    "other-team-lifecycle",
    repository="other-team-repo",
    policy=json.dumps(
        {
            "rules": [
                {
                    "rulePriority": 1,
                    "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 1000},
                    "action": {"type": "expire"},
                }
            ]
        }
    ),
)

# --- IAM: roles -------------------------------------------------------------------------------------------
wide_role = aws.iam.Role(
    "wide-role",
    assume_role_policy=doc({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}),
    inline_policies=[{"name": "wide-inline", "policy": wide_identity()}],
    managed_policy_arns=[ADMIN],
)
aws.iam.RolePolicy("wide-policy", role=wide_role.id, policy=wide_identity())
aws.iam.RolePolicyAttachment("admin-attach", role=wide_role.name, policy_arn=ADMIN)
aws.iam.RolePolicyAttachmentsExclusive("role-attachments-exclusive", role_name=wide_role.name, policy_arns=[ADMIN])
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
aws.iam.Policy("broken-policy", policy="{not json")
wide_managed = aws.iam.Policy("wide-managed-policy", policy=wide_identity())

# --- IAM: users and groups ----------------------------------------------------------------------------------
user = aws.iam.User("deploy-user")
aws.iam.UserPolicy("user-policy", name="deploy-inline", user=user.name, policy=wide_identity())
aws.iam.UserPolicyAttachment("user-admin-attach", user=user.name, policy_arn=ADMIN)
aws.iam.UserPolicyAttachmentsExclusive("user-attachments-exclusive", user_name=user.name, policy_arns=[ADMIN])
aws.iam.UserPoliciesExclusive("user-policies-exclusive", user_name=user.name, policy_names=["deploy-inline"])
aws.iam.PolicyAttachment("admin-policy-attachment", policy_arn=ADMIN, users=[user.name])
group = aws.iam.Group("admins")
aws.iam.GroupPolicy("group-policy", group=group.name, policy=wide_identity())
aws.iam.GroupPolicyAttachment("group-admin-attach", group=group.name, policy_arn=ADMIN)
aws.iam.GroupPolicyAttachmentsExclusive(
    "group-attachments-exclusive",
    group_name=group.name,
    policy_arns=["arn:aws:iam::aws:policy/PowerUserAccess"],
)
aws.ssoadmin.ManagedPolicyAttachment(
    "sso-admin-attach",
    instance_arn="arn:aws:sso:::instance/ssoins-0123456789abcdef",
    permission_set_arn="arn:aws:sso:::permissionSet/ssoins-0123456789abcdef/ps-0123456789abcdef",
    managed_policy_arn=ADMIN,
)

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


# --- Kubernetes: every kind that carries a pod template ---------------------------------------------------
def bad_pod(app: str, restart_policy: str = "Always") -> k8s.core.v1.PodTemplateSpecArgsDict:
    """Host network, a privileged container running as root, no resources, an unpinned image."""
    return {
        "metadata": {"labels": {"app": app}},
        "spec": {
            "host_network": True,
            "restart_policy": restart_policy,
            "containers": [{"name": app, "image": "nginx", "security_context": {"privileged": True}}],
        },
    }


def selector(app: str) -> k8s.meta.v1.LabelSelectorArgsDict:
    return {"match_labels": {"app": app}}


k8s.core.v1.Pod("root-pod", spec=bad_pod("pod").get("spec"))
k8s.apps.v1.Deployment("root-deployment", spec={"selector": selector("web"), "template": bad_pod("web")})
k8s.apps.v1.StatefulSet(
    "root-statefulset", spec={"service_name": "db", "selector": selector("db"), "template": bad_pod("db")}
)
k8s.apps.v1.DaemonSet(
    "root-daemonset", metadata={"namespace": "apps"}, spec={"selector": selector("agent"), "template": bad_pod("agent")}
)
k8s.apps.v1.ReplicaSet("root-replicaset", spec={"selector": selector("rs"), "template": bad_pod("rs")})
k8s.core.v1.ReplicationController(
    "root-replication-controller", spec={"selector": {"app": "rc"}, "template": bad_pod("rc")}
)
k8s.batch.v1.Job("root-job", spec={"template": bad_pod("job", "Never")})
k8s.batch.v1.CronJob(
    "root-cronjob",
    spec={"schedule": "0 * * * *", "job_template": {"spec": {"template": bad_pod("cron", "OnFailure")}}},
)

# --- a compliant resource on a provider without default tags: only the tag policy fires ---------------
untagged = aws.Provider("untagged", region=REGION)
aws.cloudwatch.LogGroup(
    "untagged-log-group",
    kms_key_id=weak_key.arn,
    retention_in_days=400,
    opts=pulumi.ResourceOptions(provider=untagged),
)
