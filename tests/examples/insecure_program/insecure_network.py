"""A network with every exposure the network rules catch (the default security group allowing
traffic, reject-only flow logs, public subnets, security groups open to the world), and load
balancers (aws.lb, its aws.alb aliases, a classic ELB) with weak TLS, plain HTTP and no WAF."""

from dataclasses import dataclass

import pulumi_aws as aws
from insecure_common import ACCOUNT, CERT, REGION


@dataclass(frozen=True)
class Network:
    """What the other parts of the program place into this network."""

    vpc: aws.ec2.Vpc
    public_a: aws.ec2.Subnet
    public_b: aws.ec2.Subnet
    db_subnets: aws.rds.SubnetGroup
    cache_subnets: aws.elasticache.SubnetGroup
    alb_sg: aws.ec2.SecurityGroup


# --- network --------------------------------------------------------------------------------------
def network(open_bucket: aws.s3.Bucket) -> Network:
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
    public_a = aws.ec2.Subnet(
        "public-db-subnet-a", vpc_id=vpc.id, cidr_block="10.9.1.0/24", map_public_ip_on_launch=True
    )
    public_b = aws.ec2.Subnet(
        "public-db-subnet-b", vpc_id=vpc.id, cidr_block="10.9.2.0/24", map_public_ip_on_launch=True
    )
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
    # The world under another name: prefix lists holding 0.0.0.0/0, in their entries or added later.
    world_list = aws.ec2.ManagedPrefixList(
        "world-prefix-list", address_family="IPv4", max_entries=1, entries=[{"cidr": "0.0.0.0/0"}]
    )
    late_list = aws.ec2.ManagedPrefixList("late-prefix-list", address_family="IPv4", max_entries=1)
    aws.ec2.ManagedPrefixListEntry("world-prefix-list-entry", prefix_list_id=late_list.id, cidr="0.0.0.0/0")
    aws.vpc.SecurityGroupIngressRule(
        "ssh-via-prefix-list",
        security_group_id=admin_sg.id,
        ip_protocol="tcp",
        from_port=22,
        to_port=22,
        prefix_list_id=world_list.id,
    )
    aws.ec2.SecurityGroupRule(
        "rdp-via-late-prefix-list",
        type="ingress",
        security_group_id=admin_sg.id,
        protocol="tcp",
        from_port=3389,
        to_port=3389,
        prefix_list_ids=[late_list.id],
    )
    alb_sg = aws.ec2.SecurityGroup("alb-sg", vpc_id=vpc.id, description="ALB on a high port")
    aws.vpc.SecurityGroupIngressRule(
        "alb-8080-rule",
        security_group_id=alb_sg.id,
        ip_protocol="tcp",
        from_port=8080,
        to_port=8080,
        cidr_ipv4="0.0.0.0/0",
    )
    return Network(vpc, public_a, public_b, db_subnets, cache_subnets, alb_sg)


# --- load balancing (aws.lb, its aws.alb aliases and a classic ELB) -------------------------------
def load_balancing(
    vpc: aws.ec2.Vpc, public_a: aws.ec2.Subnet, public_b: aws.ec2.Subnet, alb_sg: aws.ec2.SecurityGroup
) -> None:
    alb = aws.lb.LoadBalancer(
        "open-alb", load_balancer_type="application", subnets=[public_a.id, public_b.id], security_groups=[alb_sg.id]
    )
    # A web ACL whose every rule only counts (a managed group overridden to count, a rate rule that
    # counts) and that allows by default: associated, yet it blocks nothing.
    counting_acl = aws.wafv2.WebAcl(
        "counting-acl",
        scope="REGIONAL",
        default_action={"allow": {}},
        visibility_config={
            "cloudwatch_metrics_enabled": True,
            "metric_name": "counting",
            "sampled_requests_enabled": True,
        },
        rules=[
            {
                "name": "common",
                "priority": 0,
                "override_action": {"count": {}},
                "statement": {
                    "managed_rule_group_statement": {"name": "AWSManagedRulesCommonRuleSet", "vendor_name": "AWS"}
                },
                "visibility_config": {
                    "cloudwatch_metrics_enabled": True,
                    "metric_name": "common",
                    "sampled_requests_enabled": True,
                },
            },
            {
                "name": "rate",
                "priority": 1,
                "action": {"count": {}},
                "statement": {"rate_based_statement": {"limit": 1000, "aggregate_key_type": "IP"}},
                "visibility_config": {
                    "cloudwatch_metrics_enabled": True,
                    "metric_name": "rate",
                    "sampled_requests_enabled": True,
                },
            },
        ],
    )
    aws.wafv2.WebAclAssociation("counting-waf-alb", resource_arn=alb.arn, web_acl_arn=counting_acl.arn)
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
