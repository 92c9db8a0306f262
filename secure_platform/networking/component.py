"""Networking: the VPC and everything attached to it, including all security groups and the ALB.

It turns the pure plans (`network_plan`, `firewall_plan`, `alb_plan`) into resources. It owns the
security groups because each tier's rules reference the group in front of it and the ALB needs its
group when it is created; splitting them out would make a cycle. It also owns the WAF association
(the ALB is here, the web ACL comes from Security). The load balancer's own resources (target
groups, listeners, certificate, WAF association, alias) are built by `load_balancer`, called last
with the VPC, public subnets and ALB group created here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from secure_platform.config import StackConfig
from secure_platform.core.naming import Naming
from secure_platform.core.options import child
from secure_platform.core.refs import BucketRef, KeyRef, LogGroupRef, RoleRef
from secure_platform.networking import alb_plan, firewall_plan, load_balancer
from secure_platform.networking.load_balancer import LoadBalancerRef as LoadBalancerRef
from secure_platform.networking.load_balancer import TargetGroupRef as TargetGroupRef
from secure_platform.networking.plan import NetworkPlan, plan_network

GATEWAY_ENDPOINTS: tuple[str, ...] = ("s3", "dynamodb")
FLOW_LOG_AGGREGATION_SECONDS = 60


@dataclass(frozen=True)
class DomainSettings:
    name: str
    hosted_zone_id: str | None = None
    certificate_arn: str | None = None


def runner_security_groups(cfg: StackConfig) -> tuple[str, ...]:
    """The deploy runners' security groups (`network.runnerSecurityGroupIds`, plus an EKS stack's
    `compute.eks.apiClientSecurityGroupIds`): admitted on 443 by every interface endpoint and, on
    EKS, by the private API, so a runner inside the VPC can deploy and its AWS calls (which resolve
    to the endpoints through private DNS) get through."""
    eks_clients = cfg.compute.eks.api_client_security_group_ids if cfg.compute.eks is not None else []
    return tuple(dict.fromkeys([*cfg.network.runner_security_group_ids, *eks_clients]))


@dataclass(frozen=True, eq=False)
class NetworkingArgs:
    naming: Naming
    plan: NetworkPlan
    interface_endpoints: tuple[str, ...]
    database_engine: str
    elasticache: bool
    """Create the cache security group and subnet group (cache provider `elasticache`)."""
    domain: DomainSettings
    protect: bool
    log_retention_days: int
    logs_key: KeyRef
    """Encrypts the flow-log group (Security's logs key)."""
    flow_logs_role: RoleRef
    """Security's flow-log role; granted write on exactly the flow-log group here."""
    web_acl_arn: pulumi.Input[str]
    log_archive: BucketRef
    """Receives the ALB access logs (BackendState)."""
    runner_security_group_ids: tuple[str, ...] = ()
    """Deploy runners (CI, bastions) inside the VPC: admitted on HTTPS by every interface endpoint.
    With private DNS on, a runner resolves STS, Logs, Secrets Manager and ECR to the endpoints'
    addresses; a group the endpoints do not admit would see those calls time out."""

    def __post_init__(self) -> None:
        bad = [g for g in self.runner_security_group_ids if not g.startswith("sg-")]
        if bad or len(set(self.runner_security_group_ids)) != len(self.runner_security_group_ids):
            raise ValueError(
                f"runner_security_group_ids must be distinct security group ids (sg-...), got "
                f"{list(self.runner_security_group_ids)}"
            )

    @classmethod
    def from_config(
        cls,
        cfg: StackConfig,
        *,
        logs_key: KeyRef,
        flow_logs_role: RoleRef,
        web_acl_arn: pulumi.Input[str],
        log_archive: BucketRef,
        runner_security_group_ids: Sequence[str] = (),
    ) -> NetworkingArgs:
        net = cfg.network
        tiers = net.subnet_cidrs()
        return cls(
            naming=cfg.naming,
            plan=plan_network(
                net.cidr,
                net.az_count,
                net.nat_gateways,
                public=tiers["public"],
                private=tiers["private"],
                database=tiers["database"],
            ),
            interface_endpoints=tuple(net.interface_endpoints),
            database_engine=cfg.database.engine,
            elasticache=cfg.cache.provider == "elasticache",
            domain=DomainSettings(cfg.domain.name, cfg.domain.hosted_zone_id, cfg.domain.certificate_arn),
            protect=cfg.protect,
            log_retention_days=cfg.monitoring.log_retention_days,
            logs_key=logs_key,
            flow_logs_role=flow_logs_role,
            web_acl_arn=web_acl_arn,
            log_archive=log_archive,
            runner_security_group_ids=tuple(runner_security_group_ids),
        )


@dataclass(frozen=True, eq=False)
class SecurityGroupIds:
    alb: pulumi.Output[str]
    app: pulumi.Output[str]
    """ECS tasks and EKS nodes: reaches the database and cache, reached only by the ALB."""
    database: pulumi.Output[str]
    cache: pulumi.Output[str] | None
    endpoints: pulumi.Output[str] | None


class Networking(pulumi.ComponentResource):
    vpc_id: pulumi.Output[str]
    vpc_cidr: str
    availability_zones: list[pulumi.Output[str]]
    public_subnet_ids: list[pulumi.Output[str]]
    private_subnet_ids: list[pulumi.Output[str]]
    database_subnet_ids: list[pulumi.Output[str]]
    nat_gateway_ids: list[pulumi.Output[str]]
    private_route_table_ids: list[pulumi.Output[str]]
    database_route_table_id: pulumi.Output[str]
    security_groups: SecurityGroupIds
    db_subnet_group_name: pulumi.Output[str]
    cache_subnet_group_name: pulumi.Output[str] | None
    flow_log_group: LogGroupRef
    alb: LoadBalancerRef
    target_groups: dict[str, TargetGroupRef]

    def __init__(self, name: str, args: NetworkingArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:index:Networking", name, None, opts)
        self._args = args
        plan, naming = args.plan, args.naming
        region = naming.region
        self.vpc_cidr = plan.vpc_cidr
        azs = aws.get_availability_zones_output(
            state="available",
            filters=[{"name": "opt-in-status", "values": ["opt-in-not-required"]}],
            opts=pulumi.InvokeOptions(parent=self),
        )
        self.availability_zones = [azs.names[i] for i in range(plan.az_count)]

        vpc = aws.ec2.Vpc(
            "vpc",
            cidr_block=plan.vpc_cidr,
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags={"Name": f"{naming.prefix}-vpc"},
            opts=child(self),
        )
        self.vpc_id = vpc.id
        self._lock_down_defaults(vpc)
        igw = aws.ec2.InternetGateway("igw", vpc_id=vpc.id, tags={"Name": f"{naming.prefix}-igw"}, opts=child(self))

        # --- subnets ------------------------------------------------------------------------------
        subnets: dict[str, list[aws.ec2.Subnet]] = {tier: [] for tier in ("public", "private", "database")}
        # Load Balancer Controller discovery tags (EKS): internet-facing in public, internal in private.
        role_tags = {"public": {"kubernetes.io/role/elb": "1"}, "private": {"kubernetes.io/role/internal-elb": "1"}}
        for s in plan.subnets:
            subnets[s.tier].append(
                aws.ec2.Subnet(
                    f"{s.tier}-{s.az_index}",
                    vpc_id=vpc.id,
                    cidr_block=s.cidr,
                    availability_zone=self.availability_zones[s.az_index],
                    map_public_ip_on_launch=False,
                    tags={
                        "Name": f"{naming.prefix}-{s.tier}-{s.az_index}",
                        "Tier": s.tier,
                        **role_tags.get(s.tier, {}),
                    },
                    opts=child(self),
                )
            )
        self.public_subnet_ids = [s.id for s in subnets["public"]]
        self.private_subnet_ids = [s.id for s in subnets["private"]]
        self.database_subnet_ids = [s.id for s in subnets["database"]]

        # --- NAT and routes -------------------------------------------------------------------
        nats: list[aws.ec2.NatGateway] = []
        for az_index in plan.nat_az_indices:
            eip = aws.ec2.Eip(
                f"nat-{az_index}", domain="vpc", tags={"Name": f"{naming.prefix}-nat-{az_index}"}, opts=child(self)
            )
            nats.append(
                aws.ec2.NatGateway(
                    f"nat-{az_index}",
                    allocation_id=eip.allocation_id,
                    subnet_id=subnets["public"][az_index].id,
                    connectivity_type="public",
                    tags={"Name": f"{naming.prefix}-nat-{az_index}"},
                    opts=child(self, depends_on=[igw]),
                )
            )
        self.nat_gateway_ids = [n.id for n in nats]

        public_rt = self._route_table("public")
        aws.ec2.Route(
            "public-internet",
            route_table_id=public_rt.id,
            destination_cidr_block=firewall_plan.ANYWHERE,
            gateway_id=igw.id,
            opts=child(self),
        )
        for i, subnet in enumerate(subnets["public"]):
            self._associate(f"public-{i}", public_rt, subnet)

        # One private route table per NAT gateway (per AZ when perAz: egress stays in its AZ),
        # or a single one without a default route when there is no NAT.
        private_rts: dict[int | None, aws.ec2.RouteTable] = {}
        for i, subnet in enumerate(subnets["private"]):
            nat_index = plan.private_nat_index[i]
            if nat_index not in private_rts:
                label = (
                    "private" if nat_index is None or len(nats) == 1 else f"private-{plan.nat_az_indices[nat_index]}"
                )
                rt = self._route_table(label)
                if nat_index is not None:
                    aws.ec2.Route(
                        f"{label}-nat",
                        route_table_id=rt.id,
                        destination_cidr_block=firewall_plan.ANYWHERE,
                        nat_gateway_id=nats[nat_index].id,
                        opts=child(self),
                    )
                private_rts[nat_index] = rt
            self._associate(f"private-{i}", private_rts[nat_index], subnet)
        self.private_route_table_ids = [rt.id for rt in private_rts.values()]

        # The database tier's table has only the local route (and gateway endpoints): no internet.
        database_rt = self._route_table("database")
        for i, subnet in enumerate(subnets["database"]):
            self._associate(f"database-{i}", database_rt, subnet)
        self.database_route_table_id = database_rt.id

        endpoint_route_tables = [*self.private_route_table_ids, database_rt.id]
        gateway_endpoints = {
            service: aws.ec2.VpcEndpoint(
                f"gateway-{service}",
                vpc_id=vpc.id,
                service_name=f"com.amazonaws.{region}.{service}",
                vpc_endpoint_type="Gateway",
                route_table_ids=endpoint_route_tables,
                tags={"Name": f"{naming.prefix}-{service}"},
                opts=child(self),
            )
            for service in GATEWAY_ENDPOINTS
        }

        # --- network ACLs -------------------------------------------------------------------------
        app_ports = alb_plan.app_ports()
        db_port = firewall_plan.db_port(args.database_engine)
        self._network_acls(vpc, subnets, firewall_plan.nacl_rules(plan, app_ports, db_port, cache=args.elasticache))

        # --- flow logs ----------------------------------------------------------------------------
        group = aws.cloudwatch.LogGroup(
            "flow-logs",
            name=naming.log_group("vpc-flow-logs"),
            retention_in_days=args.log_retention_days,
            kms_key_id=args.logs_key.arn,
            deletion_protection_enabled=args.protect,
            opts=child(self),
        )
        self.flow_log_group = LogGroupRef(name=group.name, arn=group.arn)
        # AWS's documented flow-log role policy (VPC User Guide, "IAM role for publishing flow logs
        # to CloudWatch Logs") lists logs:DescribeLogGroups next to the stream actions.
        write = self.flow_log_group.grant_write(self, "flow-logs-write", args.flow_logs_role, describe_groups=True)
        aws.ec2.FlowLog(
            "vpc",
            vpc_id=vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=group.arn,
            iam_role_arn=args.flow_logs_role.arn,
            max_aggregation_interval=FLOW_LOG_AGGREGATION_SECONDS,
            tags={"Name": f"{naming.prefix}-flow-logs"},
            opts=child(self, depends_on=[write]),
        )

        # --- security groups ------------------------------------------------------------------
        groups = self._security_groups(
            vpc,
            firewall_plan.security_group_rules(
                app_ports,
                db_port,
                cache=args.elasticache,
                interface_endpoints=bool(args.interface_endpoints),
                internet_egress=bool(nats),
                gateway_endpoints=GATEWAY_ENDPOINTS,
            ),
            {service: ep.prefix_list_id for service, ep in gateway_endpoints.items()},
        )
        self.security_groups = SecurityGroupIds(
            alb=groups["alb"].id,
            app=groups["app"].id,
            database=groups["database"].id,
            cache=groups["cache"].id if "cache" in groups else None,
            endpoints=groups["endpoints"].id if "endpoints" in groups else None,
        )

        for service in args.interface_endpoints:
            aws.ec2.VpcEndpoint(
                f"interface-{service}",
                vpc_id=vpc.id,
                service_name=f"com.amazonaws.{region}.{service}",
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=self.private_subnet_ids,
                security_group_ids=[groups["endpoints"].id],
                tags={"Name": f"{naming.prefix}-{service}"},
                opts=child(self),
            )
        if args.interface_endpoints:
            for group in args.runner_security_group_ids:
                aws.vpc.SecurityGroupIngressRule(
                    f"endpoints-from-{group}",
                    security_group_id=groups["endpoints"].id,
                    referenced_security_group_id=group,
                    ip_protocol="tcp",
                    from_port=firewall_plan.HTTPS,
                    to_port=firewall_plan.HTTPS,
                    description="HTTPS from a deploy runner (STS, Logs, Secrets Manager, ECR via private DNS)",
                    opts=child(self),
                )

        # --- data-tier subnet groups ------------------------------------------------------------
        db_group = aws.rds.SubnetGroup(
            "database",
            name=f"{naming.prefix}-db".lower(),  # RDS accepts lower-case names only
            description=f"Database subnets of {naming.prefix} (no route to the internet)",
            subnet_ids=self.database_subnet_ids,
            opts=child(self),
        )
        self.db_subnet_group_name = db_group.name
        self.cache_subnet_group_name = None
        if args.elasticache:
            cache_group = aws.elasticache.SubnetGroup(
                "cache",
                name=f"{naming.prefix}-cache".lower(),
                description=f"Cache subnets of {naming.prefix} (no route to the internet)",
                subnet_ids=self.database_subnet_ids,
                opts=child(self),
            )
            self.cache_subnet_group_name = cache_group.name

        # --- load balancer --------------------------------------------------------------------
        self.alb, self.target_groups = load_balancer.build(self, args, vpc, self.public_subnet_ids, groups["alb"].id)

        self.register_outputs(
            {
                "vpcId": self.vpc_id,
                "publicSubnetIds": self.public_subnet_ids,
                "privateSubnetIds": self.private_subnet_ids,
                "databaseSubnetIds": self.database_subnet_ids,
                "albDnsName": self.alb.dns_name,
            }
        )

    # --- pieces ----------------------------------------------------------------------------------

    def _lock_down_defaults(self, vpc: aws.ec2.Vpc) -> None:
        """Adopt the VPC's default security group, network ACL and route table with no rules or
        routes, so anything that lands on them by mistake can talk to nothing."""
        prefix = self._args.naming.prefix
        aws.ec2.DefaultSecurityGroup(
            "default", vpc_id=vpc.id, ingress=[], egress=[], tags={"Name": f"{prefix}-default-deny"}, opts=child(self)
        )
        aws.ec2.DefaultNetworkAcl(
            "default",
            default_network_acl_id=vpc.default_network_acl_id,
            ingress=[],
            egress=[],
            tags={"Name": f"{prefix}-default-deny"},
            # Every subnet is associated with its tier's ACL; the provider reports the rest here.
            opts=child(self, ignore_changes=["subnetIds"]),
        )
        aws.ec2.DefaultRouteTable(
            "default",
            default_route_table_id=vpc.default_route_table_id,
            routes=[],
            tags={"Name": f"{prefix}-default-no-routes"},
            opts=child(self),
        )

    def _route_table(self, label: str) -> aws.ec2.RouteTable:
        return aws.ec2.RouteTable(
            label,
            vpc_id=self.vpc_id,
            tags={"Name": f"{self._args.naming.prefix}-{label}"},
            opts=child(self),
        )

    def _associate(self, name: str, table: aws.ec2.RouteTable, subnet: aws.ec2.Subnet) -> None:
        aws.ec2.RouteTableAssociation(name, route_table_id=table.id, subnet_id=subnet.id, opts=child(self))

    def _network_acls(
        self,
        vpc: aws.ec2.Vpc,
        subnets: dict[str, list[aws.ec2.Subnet]],
        rules: list[firewall_plan.NaclRule],
    ) -> None:
        prefix = self._args.naming.prefix
        for tier, tier_subnets in subnets.items():
            acl = aws.ec2.NetworkAcl(
                tier, vpc_id=vpc.id, tags={"Name": f"{prefix}-{tier}", "Tier": tier}, opts=child(self)
            )
            for rule in (r for r in rules if r.tier == tier):
                ports = rule.protocol != "all"
                aws.ec2.NetworkAclRule(
                    rule.name,
                    network_acl_id=acl.id,
                    egress=rule.egress,
                    rule_number=rule.number,
                    protocol=rule.protocol_number,
                    rule_action="allow",
                    cidr_block=rule.cidr,
                    from_port=rule.from_port if ports else None,
                    to_port=rule.to_port if ports else None,
                    opts=child(self),
                )
            for i, subnet in enumerate(tier_subnets):
                aws.ec2.NetworkAclAssociation(
                    f"{tier}-{i}", network_acl_id=acl.id, subnet_id=subnet.id, opts=child(self)
                )

    def _security_groups(
        self,
        vpc: aws.ec2.Vpc,
        rules: list[firewall_plan.SgRule],
        prefix_lists: dict[str, pulumi.Output[str]],
    ) -> dict[str, aws.ec2.SecurityGroup]:
        prefix = self._args.naming.prefix
        names = [g for g in firewall_plan.SECURITY_GROUPS if any(r.group == g or r.peer_group == g for r in rules)]
        groups = {
            # Auto-named: a replacement (e.g. a new description) can create the new group first.
            g: aws.ec2.SecurityGroup(
                g,
                vpc_id=vpc.id,
                description=f"{g} tier of {prefix}",
                revoke_rules_on_delete=True,
                tags={"Name": f"{prefix}-{g}"},
                opts=child(self),
            )
            for g in names
        }
        for rule in rules:
            resource = (
                aws.vpc.SecurityGroupIngressRule if rule.direction == "ingress" else aws.vpc.SecurityGroupEgressRule
            )
            resource(
                rule.name,
                security_group_id=groups[rule.group].id,
                ip_protocol="tcp",
                from_port=rule.port,
                to_port=rule.port,
                description=rule.description,
                referenced_security_group_id=groups[rule.peer_group].id if rule.peer_group else None,
                prefix_list_id=prefix_lists[rule.prefix_list] if rule.prefix_list else None,
                cidr_ipv4=rule.cidr,
                opts=child(self),
            )
        return groups
