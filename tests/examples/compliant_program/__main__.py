"""The secure twin of insecure_program: a resource of every type the pack judges or reads, each
configured the way the policy pack asks (customer-managed keys, TLS, least privilege, private
networking, logs, protection, tags). `python -m offline_preview test --program <this dir>
--policy-pack policies --policy-config policies/config/prod.json` reports no findings.

Two types have no secure twin because every instance is a finding: aws.iam.UserPolicy and
aws.iam.UserPolicyAttachment (users get permissions through groups). Their compliant
counterparts are here: an empty UserPoliciesExclusive / UserPolicyAttachmentsExclusive and a group.
"""

import json
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_eks as eks
import pulumi_kubernetes as k8s
import pulumi_random as random

ACCOUNT = "123456789012"
REGION = "us-east-1"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
CERT = f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/00000000-0000-0000-0000-000000000000"
PROTECT = pulumi.ResourceOptions(protect=True)
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"


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


def key_policy(*service_statements: dict) -> str:
    root = {"Sid": "AccountAdmin", "Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:*", "Resource": "*"}
    return doc(root, *service_statements)


# --- KMS ---------------------------------------------------------------------------------------
key = aws.kms.Key(
    "data-key",
    description="data, logs and secrets",
    enable_key_rotation=True,
    deletion_window_in_days=30,
    policy=key_policy(
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
# The account's default EBS key; its policy is managed as a separate resource.
ebs_key = aws.kms.Key("ebs-key", description="EBS default key", enable_key_rotation=True, opts=PROTECT)
aws.kms.KeyPolicy(
    "ebs-key-policy",
    key_id=ebs_key.id,
    policy=key_policy(
        {
            "Sid": "AutoScalingVolumes",
            "Effect": "Allow",
            "Principal": {
                "AWS": f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
            },
            "Action": [
                "kms:Encrypt",
                "kms:Decrypt",
                "kms:ReEncryptFrom",
                "kms:ReEncryptTo",
                "kms:GenerateDataKeyWithoutPlaintext",
                "kms:DescribeKey",
            ],
            "Resource": "*",
        },
        {
            "Sid": "AutoScalingGrants",
            "Effect": "Allow",
            "Principal": {
                "AWS": f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
            },
            "Action": "kms:CreateGrant",
            "Resource": "*",
            "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
        },
    ),
)


# --- S3 ------------------------------------------------------------------------------------------
def secure_bucket(
    name: str,
    *,
    sse: str = "kms",
    statements: tuple = (),
    log_to: pulumi.Input[str] | None = None,
    legacy: bool = False,
    tags: dict[str, str] | None = None,
) -> aws.s3.Bucket | aws.s3.BucketV2:
    """A bucket with every setting the pack asks for. `sse="s3"` for buckets that receive load
    balancer or S3 server access logs (AWS delivers those only to SSE-S3 buckets); `legacy` builds
    the same bucket from the deprecated BucketV2 family of resources."""
    bucket = aws.s3.BucketV2(name, tags=tags, opts=PROTECT) if legacy else aws.s3.Bucket(name, tags=tags, opts=PROTECT)
    # The same plain dicts serve the Bucket* and Bucket*V2 argument types.
    rule: Any = (
        {
            "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn},
            "bucket_key_enabled": True,
        }
        if sse == "kms"
        else {"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}
    )
    lifecycle: Any = [
        {
            "id": "noncurrent",
            "status": "Enabled",
            "filter": {},
            "noncurrent_version_expiration": {"noncurrent_days": 90},
            "abort_incomplete_multipart_upload": {"days_after_initiation": 7},
        }
    ]
    if legacy:
        aws.s3.BucketServerSideEncryptionConfigurationV2(f"{name}-sse", bucket=bucket.id, rules=[rule])
        aws.s3.BucketVersioningV2(
            f"{name}-versioning", bucket=bucket.id, versioning_configuration={"status": "Enabled"}
        )
        aws.s3.BucketLifecycleConfigurationV2(f"{name}-lifecycle", bucket=bucket.id, rules=lifecycle)
        aws.s3.BucketAclV2(f"{name}-acl", bucket=bucket.id, acl="private")
    else:
        aws.s3.BucketServerSideEncryptionConfiguration(f"{name}-sse", bucket=bucket.id, rules=[rule])
        aws.s3.BucketVersioning(f"{name}-versioning", bucket=bucket.id, versioning_configuration={"status": "Enabled"})
        aws.s3.BucketLifecycleConfiguration(f"{name}-lifecycle", bucket=bucket.id, rules=lifecycle)
    aws.s3.BucketPublicAccessBlock(
        f"{name}-pab",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
    )
    aws.s3.BucketPolicy(
        f"{name}-policy",
        bucket=bucket.id,
        policy=bucket.arn.apply(lambda arn: doc(deny_insecure_transport(arn), *[s(arn) for s in statements])),
    )
    if log_to is not None:
        logging = aws.s3.BucketLoggingV2 if legacy else aws.s3.BucketLogging
        logging(f"{name}-logging", bucket=bucket.id, target_bucket=log_to, target_prefix=f"s3/{name}/")
    return bucket


def elb_log_delivery(prefix: str):
    return lambda arn: {
        "Sid": "ElbLogDelivery",
        "Effect": "Allow",
        "Principal": {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": f"{arn}/{prefix}/*",
    }


def s3_log_delivery(arn: str) -> dict:
    return {
        "Sid": "S3ServerAccessLogs",
        "Effect": "Allow",
        "Principal": {"Service": "logging.s3.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": f"{arn}/s3/*",
        "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
    }


# Each log bucket receives one kind of log, so each is exempt from needing access logs (and, for
# load balancer and S3 access logs, may be SSE-S3) because of exactly one link.
access_logs = secure_bucket("access-logs", sse="s3", statements=(s3_log_delivery,))
legacy_access_logs = secure_bucket("legacy-access-logs", sse="s3", statements=(s3_log_delivery,))
alb_logs = secure_bucket("alb-logs", sse="s3", statements=(elb_log_delivery("alb"),))
api_alb_logs = secure_bucket("api-alb-logs", sse="s3", statements=(elb_log_delivery("api"),))
elb_logs = secure_bucket("elb-logs", sse="s3", statements=(elb_log_delivery("elb"),))
trail_logs = secure_bucket(
    "trail-logs",
    statements=(
        lambda arn: {
            "Sid": "CloudTrailWrite",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": f"{arn}/AWSLogs/{ACCOUNT}/*",
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
        },
    ),
)
flow_log_bucket = secure_bucket(
    "flow-log-bucket",
    statements=(
        lambda arn: {
            "Sid": "FlowLogDelivery",
            "Effect": "Allow",
            "Principal": {"Service": "delivery.logs.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": f"{arn}/AWSLogs/{ACCOUNT}/*",
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
        },
    ),
)
data_bucket = secure_bucket("data-bucket", log_to=access_logs.id, tags={"Backup": "true"})
# Backed-up data keeps a copy in another Region (the replica bucket lives in the DR stack).
aws.s3.BucketReplicationConfig(
    "data-bucket-replication",
    bucket=data_bucket.id,
    role=f"arn:aws:iam::{ACCOUNT}:role/data-bucket-replication",
    rules=[
        {
            "id": "disaster-recovery",
            "status": "Enabled",
            "filter": {},
            "delete_marker_replication": {"status": "Enabled"},
            "source_selection_criteria": {"sse_kms_encrypted_objects": {"status": "Enabled"}},
            "destination": {
                "bucket": "arn:aws:s3:::policy-examples-data-replica-us-west-2",
                "encryption_configuration": {
                    "replica_kms_key_id": f"arn:aws:kms:us-west-2:{ACCOUNT}:key/11111111-2222-3333-4444-555555555555"
                },
            },
        }
    ],
)
aws.s3.BucketAcl("data-bucket-acl", bucket=data_bucket.id, acl="private")
secure_bucket("legacy-data-bucket", log_to=legacy_access_logs.id, legacy=True)

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
aws.ec2.FlowLog(
    "vpc-flow-log-archive",
    vpc_id=vpc.id,
    traffic_type="ALL",
    log_destination_type="s3",
    log_destination=flow_log_bucket.arn,
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


def world_https(name: str, description: str) -> aws.ec2.SecurityGroup:
    """A load balancer's group: 80 (redirected) and 443 from the internet, nothing else."""
    group = aws.ec2.SecurityGroup(name, vpc_id=vpc.id, description=description)
    for port in (80, 443):
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-in-{port}",
            security_group_id=group.id,
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            cidr_ipv4="0.0.0.0/0",
        )
    return group


alb_sg = world_https("alb-sg", "ALB: HTTPS and redirecting HTTP from the internet")
api_alb_sg = world_https("api-alb-sg", "API ALB: HTTPS and redirecting HTTP from the internet")
elb_sg = aws.ec2.SecurityGroup(
    "elb-sg",
    vpc_id=vpc.id,
    description="Classic ELB: HTTPS from the internet",
    ingress=[{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["0.0.0.0/0"]}],
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
cache_sg = aws.ec2.SecurityGroup("cache-sg", vpc_id=vpc.id, description="Cache: from app tasks only")
aws.ec2.SecurityGroupRule(
    "cache-from-app",
    type="ingress",
    security_group_id=cache_sg.id,
    protocol="tcp",
    from_port=6379,
    to_port=6379,
    source_security_group_id=app_sg.id,
)

# --- load balancing ---------------------------------------------------------------------------------
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
target_group = aws.lb.TargetGroup("app-tg", port=3001, protocol="HTTP", vpc_id=vpc.id, target_type="ip")
TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"
REDIRECT: Any = [{"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443", "status_code": "HTTP_301"}}]
alb = aws.lb.LoadBalancer(
    "alb",
    load_balancer_type="application",
    internal=False,
    subnets=[s.id for s in public],
    security_groups=[alb_sg.id],
    drop_invalid_header_fields=True,
    desync_mitigation_mode="defensive",
    access_logs={"bucket": alb_logs.id, "prefix": "alb", "enabled": True},
)
aws.wafv2.WebAclAssociation("waf-alb", resource_arn=alb.arn, web_acl_arn=acl.arn)
https = aws.lb.Listener(
    "https",
    load_balancer_arn=alb.arn,
    port=443,
    protocol="HTTPS",
    ssl_policy=TLS_POLICY,
    certificate_arn=CERT,
    default_actions=[{"type": "forward", "target_group_arn": target_group.arn}],
)
aws.lb.ListenerRule(
    "https-api-rule",
    listener_arn=https.arn,
    priority=10,
    conditions=[{"path_pattern": {"values": ["/api/*"]}}],
    actions=[{"type": "forward", "target_group_arn": target_group.arn}],
)
aws.lb.Listener("http-redirect", load_balancer_arn=alb.arn, port=80, protocol="HTTP", default_actions=REDIRECT)
# The same through the aws.alb aliases (older programs still use them).
api_alb = aws.alb.LoadBalancer(
    "api-alb",
    load_balancer_type=aws.alb.LoadBalancerType.APPLICATION,
    internal=False,
    subnets=[s.id for s in public],
    security_groups=[api_alb_sg.id],
    drop_invalid_header_fields=True,
    desync_mitigation_mode="strictest",
    access_logs={"bucket": api_alb_logs.id, "prefix": "api", "enabled": True},
)
aws.wafv2.WebAclAssociation("waf-api-alb", resource_arn=api_alb.arn, web_acl_arn=acl.arn)
api_https = aws.alb.Listener(
    "api-https",
    load_balancer_arn=api_alb.arn,
    port=443,
    protocol="HTTPS",
    ssl_policy=TLS_POLICY,
    certificate_arn=CERT,
    default_actions=[{"type": "forward", "target_group_arn": target_group.arn}],
)
aws.alb.ListenerRule(
    "api-https-rule",
    listener_arn=api_https.arn,
    priority=10,
    conditions=[{"path_pattern": {"values": ["/v1/*"]}}],
    actions=[{"type": "forward", "target_group_arn": target_group.arn}],
)
aws.alb.Listener("api-http-redirect", load_balancer_arn=api_alb.arn, port=80, protocol="HTTP", default_actions=REDIRECT)
aws.elb.LoadBalancer(
    "classic-elb",
    subnets=[s.id for s in public],
    security_groups=[elb_sg.id],
    listeners=[
        {
            "instance_port": 8443,
            "instance_protocol": "https",
            "lb_port": 443,
            "lb_protocol": "https",
            "ssl_certificate_id": CERT,
        }
    ],
    access_logs={"bucket": elb_logs.id, "bucket_prefix": "elb", "enabled": True},
)

# --- databases ----------------------------------------------------------------------------------------
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
cluster_pg = aws.rds.ClusterParameterGroup(
    "aurora-pg", family="aurora-postgresql16", parameters=[{"name": "rds.force_ssl", "value": "1"}]
)
aurora = aws.rds.Cluster(
    "aurora",
    engine=aws.rds.EngineType.AURORA_POSTGRESQL,
    engine_version="16.4",
    master_username="app",
    manage_master_user_password=True,
    master_user_secret_kms_key_id=key.arn,
    storage_encrypted=True,
    kms_key_id=key.arn,
    db_cluster_parameter_group_name=cluster_pg.name,
    db_subnet_group_name=db_subnets.name,
    vpc_security_group_ids=[db_sg.id],
    deletion_protection=True,
    final_snapshot_identifier="aurora-final",
    backup_retention_period=14,
    enabled_cloudwatch_logs_exports=["postgresql"],
    opts=PROTECT,
)
for role, az in (("writer", "a"), ("reader", "b")):
    aws.rds.ClusterInstance(
        f"aurora-{role}",
        cluster_identifier=aurora.id,
        engine=aws.rds.EngineType.AURORA_POSTGRESQL,
        instance_class="db.r6g.large",
        availability_zone=f"{REGION}{az}",
        publicly_accessible=False,
        performance_insights_enabled=True,
        performance_insights_kms_key_id=key.arn,
    )

# --- caches ---------------------------------------------------------------------------------------------
cache_subnets = aws.elasticache.SubnetGroup("cache-subnets", subnet_ids=[s.id for s in isolated])
cache = aws.elasticache.ReplicationGroup(
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
    security_group_ids=[cache_sg.id],
    snapshot_retention_limit=7,
    opts=PROTECT,
)
# A third node added to the replication group: it inherits the group's encryption, auth,
# subnets and snapshots, and is judged through the group.
aws.elasticache.Cluster("cache-extra-replica", cluster_id="cache-replica-3", replication_group_id=cache.id)
aws.elasticache.ServerlessCache(
    "sessions",
    engine="valkey",
    kms_key_id=key.arn,
    subnet_ids=[s.id for s in isolated],
    security_group_ids=[cache_sg.id],
    user_group_id="app-users",
    snapshot_retention_limit=7,
    daily_snapshot_time="04:00",
    opts=PROTECT,
)

# --- other stores ----------------------------------------------------------------------------------------
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
efs = aws.efs.FileSystem("shared", encrypted=True, kms_key_id=key.arn, opts=PROTECT)
aws.efs.FileSystemPolicy(
    "shared-policy",
    file_system_id=efs.id,
    policy=efs.arn.apply(
        lambda arn: doc(
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": {"AWS": "*"},
                "Action": "*",
                "Resource": arn,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
            {
                "Sid": "AccountMount",
                "Effect": "Allow",
                "Principal": {"AWS": ROOT},
                "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
                "Resource": arn,
            },
        )
    ),
)

# --- compute ---------------------------------------------------------------------------------------------
# EBS encryption by default with the customer-managed key: the launch configuration below cannot
# name a key, so its volumes rely on this.
aws.ebs.EncryptionByDefault("ebs-encryption-by-default", enabled=True)
aws.ebs.DefaultKmsKey("ebs-default-key", key_arn=ebs_key.arn)
aws.ebs.Volume(
    "data-volume",
    availability_zone=f"{REGION}a",
    size=10,
    type="gp3",
    encrypted=True,
    kms_key_id=key.arn,
    opts=PROTECT,
)
HARDENED = {
    "ami": "ami-0123456789abcdef0",
    "instance_type": "t3.micro",
    "subnet_id": isolated[0].id,
    "vpc_security_group_ids": [app_sg.id],
    "metadata_options": {"http_tokens": "required", "http_endpoint": "enabled", "http_put_response_hop_limit": 1},
    "root_block_device": {"volume_type": "gp3", "encrypted": True, "kms_key_id": key.arn},
}
aws.ec2.Instance("ssm-host", **HARDENED)
aws.ec2.SpotInstanceRequest("batch-worker", spot_type="one-time", **HARDENED)
nodes_lt = aws.ec2.LaunchTemplate(
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
aws.ec2.LaunchConfiguration(
    "legacy-workers",
    image_id="ami-0123456789abcdef0",
    instance_type="t3.small",
    associate_public_ip_address=False,
    metadata_options={"http_tokens": "required", "http_endpoint": "enabled", "http_put_response_hop_limit": 1},
    root_block_device={"volume_type": "gp3", "encrypted": True},
)
aws.autoscaling.Group(
    "workers",
    min_size=1,
    max_size=4,
    vpc_zone_identifiers=[s.id for s in isolated],
    mixed_instances_policy={
        "launch_template": {
            "launch_template_specification": {"launch_template_id": nodes_lt.id, "version": "$Latest"},
            "overrides": [{"instance_type": "t3.medium"}, {"instance_type": "t3a.medium"}],
        }
    },
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
eks_component = eks.Cluster(
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
# eks.ManagedNodeGroup(cluster=eks_component, ...) registers exactly this remote component (see
# insecure_program for why it is written out).
pulumi.ComponentResource(
    "eks:index:ManagedNodeGroup",
    "managed-nodes",
    {
        "clusterName": eks_component.eks_cluster.name,
        "nodeRoleArn": f"arn:aws:iam::{ACCOUNT}:role/eks-node",
        "instanceTypes": ["t3.medium"],
        "launchTemplate": {"id": nodes_lt.id, "version": "1"},
    },
    None,
    remote=True,
)
# Self-managed node groups: private nodes on the EKS-optimized AL2023 AMI (IMDSv2 required by the AMI;
# the components take no metadata options), root volumes encrypted with the account's customer-managed
# default EBS key above (they cannot name one), gp3.
SELF_MANAGED = {
    "cluster": eks_component,
    "instance_type": "t3.medium",
    "operating_system": eks.OperatingSystem.AL2023,
    "node_associate_public_ip_address": False,
    "node_subnet_ids": [s.id for s in isolated],
    "node_root_volume_encrypted": True,
    "node_root_volume_type": "gp3",
}
eks.NodeGroup("legacy-self-managed-nodes", **SELF_MANAGED)
eks.NodeGroupV2(
    "self-managed-nodes",
    **SELF_MANAGED,
    launch_template_tag_specifications=[{"resource_type": "instance", "tags": {"Name": "self-managed-node"}}],
)
aws.eks.NodeGroup(
    "nodes",
    cluster_name="eks",
    node_role_arn=f"arn:aws:iam::{ACCOUNT}:role/eks-node",
    subnet_ids=[s.id for s in isolated],
    instance_types=["t3.medium"],
    launch_template={"id": nodes_lt.id, "version": "1"},
    scaling_config={"min_size": 1, "max_size": 3, "desired_size": 2},
)

# --- logs, messaging, secrets, backups -------------------------------------------------------------------------------
aws.cloudwatch.LogGroup("app-logs", kms_key_id=key.arn, retention_in_days=365)
aws.cloudwatch.LogResourcePolicy(
    "route53-query-logs",
    policy_name="route53-query-logs",
    policy_document=doc(
        {
            "Effect": "Allow",
            "Principal": {"Service": "route53.amazonaws.com"},
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/route53/*",
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
        }
    ),
)
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
queue = aws.sqs.Queue("jobs", kms_master_key_id=key.arn)
aws.sqs.QueuePolicy(
    "jobs-policy",
    queue_url=queue.url,
    policy=pulumi.Output.all(queue.arn, topic.arn).apply(
        lambda a: doc(
            {
                "Effect": "Allow",
                "Principal": {"Service": "sns.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": a[0],
                "Condition": {"ArnEquals": {"aws:SourceArn": a[1]}},
            }
        )
    ),
)
secret = aws.secretsmanager.Secret("api-token", kms_key_id=key.arn, opts=PROTECT)
aws.secretsmanager.SecretRotation(
    "api-token-rotation",
    secret_id=secret.id,
    rotation_lambda_arn=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:rotate-api-token",
    rotation_rules={"automatically_after_days": 30},
)
# A secret the stack regenerates itself: a new value at the first deployment of every 30-day period.
session_value = random.RandomPassword("session-key-value", length=48, special=False, keepers={"rotation": "30d-24659"})
session_secret = aws.secretsmanager.Secret("session-key", kms_key_id=key.arn, tags={"RotationDays": "30"}, opts=PROTECT)
aws.secretsmanager.SecretVersion("session-key-version", secret_id=session_secret.id, secret_string=session_value.result)
aws.ssm.Parameter("feature-flags", type="SecureString", value="{}", key_id=key.arn)
aws.cloudtrail.Trail(
    "trail",
    s3_bucket_name=trail_logs.id,
    kms_key_id=key.arn,
    is_multi_region_trail=True,
    include_global_service_events=True,
    enable_log_file_validation=True,
)
vault = aws.backup.Vault("vault", kms_key_arn=key.arn, opts=PROTECT)
aws.backup.VaultPolicy(
    "vault-policy",
    backup_vault_name=vault.name,
    policy=vault.arn.apply(
        lambda arn: doc(
            {
                "Sid": "NoDeletes",
                "Effect": "Deny",
                "Principal": {"AWS": "*"},
                "Action": ["backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle"],
                "Resource": arn,
            }
        )
    ),
)
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
EXPIRE_UNTAGGED = json.dumps(
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
)
repo = aws.ecr.Repository(
    "app",
    image_tag_mutability="IMMUTABLE",
    image_scanning_configuration={"scan_on_push": True},
    encryption_configurations=[{"encryption_type": "KMS", "kms_key": key.arn}],
    opts=PROTECT,
)
aws.ecr.LifecyclePolicy("app-lifecycle", repository=repo.name, policy=EXPIRE_UNTAGGED)
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
# Scanned by the registry's enhanced scanning rule rather than its own scan-on-push setting.
worker_repo = aws.ecr.Repository(
    "worker",
    image_tag_mutability="IMMUTABLE",
    encryption_configurations=[{"encryption_type": "KMS", "kms_key": key.arn}],
    opts=PROTECT,
)
aws.ecr.LifecyclePolicy("worker-lifecycle", repository=worker_repo.name, policy=EXPIRE_UNTAGGED)
aws.ecr.RegistryScanningConfiguration(
    "enhanced-scanning",
    scan_type="ENHANCED",
    rules=[{"scan_frequency": "CONTINUOUS_SCAN", "repository_filters": [{"filter": "*", "filter_type": "WILDCARD"}]}],
)
aws.ecr.RegistryPolicy(
    "replication-from-build-account",
    policy=doc(
        {
            "Sid": "BuildAccountReplication",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
            "Action": ["ecr:CreateRepository", "ecr:ReplicateImage"],
            "Resource": f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/*",
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
deploy_policy = aws.iam.Policy(
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

aws.iam.RolePolicyAttachmentsExclusive(
    "execution-attachments",
    role_name=execution_role.name,
    policy_arns=["arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"],
)
aws.secretsmanager.SecretPolicy(
    "api-token-policy",
    secret_arn=secret.arn,
    policy=task_role.arn.apply(
        lambda arn: doc(
            {
                "Sid": "TaskReads",
                "Effect": "Allow",
                "Principal": {"AWS": arn},
                "Action": "secretsmanager:GetSecretValue",
                "Resource": "*",
            }
        )
    ),
)
# Users get permissions only through groups; the exclusive resources pin "no direct policies".
aws.iam.GroupPolicyAttachment("readers-read-only", group=readers.name, policy_arn=READ_ONLY)
aws.iam.GroupPolicyAttachmentsExclusive("readers-attachments", group_name=readers.name, policy_arns=[READ_ONLY])
aws.iam.PolicyAttachment("readers-deploy", policy_arn=deploy_policy.arn, groups=[readers.name])
deployer = aws.iam.User("deployer")
aws.iam.UserGroupMembership("deployer-groups", user=deployer.name, groups=[readers.name])
aws.iam.UserPolicyAttachmentsExclusive("deployer-no-attachments", user_name=deployer.name, policy_arns=[])
aws.iam.UserPoliciesExclusive("deployer-no-inline", user_name=deployer.name, policy_names=[])
aws.ssoadmin.ManagedPolicyAttachment(
    "sso-read-only",
    instance_arn="arn:aws:sso:::instance/ssoins-0123456789abcdef",
    permission_set_arn="arn:aws:sso:::permissionSet/ssoins-0123456789abcdef/ps-0123456789abcdef",
    managed_policy_arn=READ_ONLY,
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


# --- Kubernetes: every kind that carries a pod template ----------------------------------------------------------
def pod(app: str, restart_policy: str = "Always") -> k8s.core.v1.PodTemplateSpecArgsDict:
    """Non-root, no host namespaces, no privilege, requests and limits, a pinned image."""
    return {
        "metadata": {"labels": {"app": app}},
        "spec": {
            "restart_policy": restart_policy,
            "security_context": {
                "run_as_non_root": True,
                "run_as_user": 101,
                "seccomp_profile": {"type": "RuntimeDefault"},
            },
            "containers": [
                {
                    "name": app,
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
    }


def selector(app: str) -> k8s.meta.v1.LabelSelectorArgsDict:
    return {"match_labels": {"app": app}}


k8s.core.v1.Pod("debug-pod", spec=pod("debug").get("spec"))
k8s.apps.v1.Deployment("web", spec={"selector": selector("web"), "template": pod("web")})
k8s.apps.v1.StatefulSet(
    "queue-worker", spec={"service_name": "queue", "selector": selector("queue"), "template": pod("queue")}
)
k8s.apps.v1.DaemonSet(
    "node-metrics", metadata={"namespace": "apps"}, spec={"selector": selector("metrics"), "template": pod("metrics")}
)
k8s.apps.v1.ReplicaSet("canary", spec={"selector": selector("canary"), "template": pod("canary")})
k8s.core.v1.ReplicationController("legacy-web", spec={"selector": {"app": "legacy"}, "template": pod("legacy")})
k8s.batch.v1.Job("migrate", spec={"template": pod("migrate", "Never")})
k8s.batch.v1.CronJob(
    "nightly-report",
    spec={"schedule": "0 3 * * *", "job_template": {"spec": {"template": pod("report", "OnFailure")}}},
)
