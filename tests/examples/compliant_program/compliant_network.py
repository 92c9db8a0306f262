"""A private network the network rules accept (DNS, flow logs to CloudWatch and S3, isolated database
subnets, security groups that admit only their clients), and load balancers (aws.lb, its aws.alb
aliases, a classic ELB) behind a WAF, with modern TLS, HTTP redirected and access logs."""

from dataclasses import dataclass
from typing import Any

import pulumi_aws as aws
from compliant_common import ACCOUNT, CERT, REGION, doc


@dataclass(frozen=True)
class Network:
    """What the other parts of the program place into this network."""

    vpc: aws.ec2.Vpc
    public: list[aws.ec2.Subnet]
    isolated: list[aws.ec2.Subnet]
    alb_sg: aws.ec2.SecurityGroup
    api_alb_sg: aws.ec2.SecurityGroup
    elb_sg: aws.ec2.SecurityGroup
    app_sg: aws.ec2.SecurityGroup
    db_sg: aws.ec2.SecurityGroup
    cache_sg: aws.ec2.SecurityGroup


def world_https(vpc: aws.ec2.Vpc, name: str, description: str) -> aws.ec2.SecurityGroup:
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


# --- network --------------------------------------------------------------------------------------
def network(key: aws.kms.Key, flow_log_bucket: aws.s3.Bucket | aws.s3.BucketV2) -> Network:
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

    alb_sg = world_https(vpc, "alb-sg", "ALB: HTTPS and redirecting HTTP from the internet")
    api_alb_sg = world_https(vpc, "api-alb-sg", "API ALB: HTTPS and redirecting HTTP from the internet")
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
    # Office ranges kept in prefix lists (in their entries and added later): not the world.
    office = aws.ec2.ManagedPrefixList(
        "office-prefix-list", address_family="IPv4", max_entries=2, entries=[{"cidr": "203.0.113.0/24"}]
    )
    aws.ec2.ManagedPrefixListEntry("office-prefix-list-entry", prefix_list_id=office.id, cidr="198.51.100.0/24")
    aws.vpc.SecurityGroupIngressRule(
        "app-from-office",
        security_group_id=app_sg.id,
        ip_protocol="tcp",
        from_port=3001,
        to_port=3001,
        prefix_list_id=office.id,
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
    return Network(vpc, public, isolated, alb_sg, api_alb_sg, elb_sg, app_sg, db_sg, cache_sg)


# --- load balancing -------------------------------------------------------------------------------
TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"
REDIRECT: Any = [{"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443", "status_code": "HTTP_301"}}]


def load_balancing(
    *,
    vpc: aws.ec2.Vpc,
    public: list[aws.ec2.Subnet],
    alb_sg: aws.ec2.SecurityGroup,
    api_alb_sg: aws.ec2.SecurityGroup,
    elb_sg: aws.ec2.SecurityGroup,
    alb_logs: aws.s3.Bucket | aws.s3.BucketV2,
    api_alb_logs: aws.s3.Bucket | aws.s3.BucketV2,
    elb_logs: aws.s3.Bucket | aws.s3.BucketV2,
) -> None:
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
    aws.alb.Listener(
        "api-http-redirect", load_balancer_arn=api_alb.arn, port=80, protocol="HTTP", default_actions=REDIRECT
    )
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
