"""Databases and caches out of reach of the internet: not publicly accessible, and placed in
private subnets (no public IPs, no route to an internet gateway), never in the default VPC.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pulumi_policy import ResourceValidationArgs, Severity, StackValidationArgs

from ..helpers import Deferred, as_list, get, is_set, is_world, linked, of_type, targets, truthy
from ..registry import Controls, Report, resource_policy, stack_policy
from .shared import NETWORK, _safe


def _rds_public(args: ResourceValidationArgs, report: Report) -> None:
    if truthy(get(args.props, "publiclyAccessible")):
        report(
            f"Database '{args.name}' is publicly accessible (it gets a public DNS name/IP). Set publicly_accessible=False and reach it from inside the VPC."
        )


rds_public = resource_policy(
    "rds-not-publicly-accessible",
    category="exposure",
    description="RDS instances, Aurora and Neptune cluster instances and Multi-AZ DB clusters are not publicly accessible.",
    severity=Severity.CRITICAL,
    controls=Controls(soc2=("CC6.6",), iso27001=("A.8.20", "A.8.22"), pci=("1.4.4",), cis=("2.3.3",)),
    remediation="Set publicly_accessible=False.",
    validate=_rds_public,
    types=(
        "aws:rds/instance:Instance",
        "aws:rds/clusterInstance:ClusterInstance",
        "aws:rds/cluster:Cluster",
        "aws:neptune/clusterInstance:ClusterInstance",
    ),
    covers=("CKV_AWS_17", "awsguard:rds-instance-public-access"),
)


def _public_subnets(resources: list[Any]) -> dict[str, str]:
    """Subnet URN -> why it is public (auto-assigned public IPs or a default route to an IGW)."""
    subnets = list(of_type(resources, "aws:ec2/subnet:Subnet"))
    igws = list(of_type(resources, "aws:ec2/internetGateway:InternetGateway"))
    tables = list(of_type(resources, "aws:ec2/routeTable:RouteTable"))

    def to_igw(route_holder: Any, prop: str) -> bool:
        value = _safe(route_holder, prop)
        return isinstance(value, str) and value.startswith("igw-")

    igw_tables: set[str] = set()
    for t in tables:
        for route in as_list(_safe(t.props, "routes")):
            if (is_world(get(route, "cidrBlock")) or is_world(get(route, "ipv6CidrBlock"))) and to_igw(
                route, "gatewayId"
            ):
                igw_tables.add(t.urn)
        if any(d.resource_type == "aws:ec2/internetGateway:InternetGateway" for d in linked(t, "routes")):
            igw_tables.add(t.urn)
    for route in of_type(resources, "aws:ec2/route:Route"):
        world = is_world(_safe(route.props, "destinationCidrBlock")) or is_world(
            _safe(route.props, "destinationIpv6CidrBlock")
        )
        via_igw = bool(targets(route, "gatewayId", igws, match_props=("id",))) or to_igw(route.props, "gatewayId")
        if world and via_igw:
            igw_tables.update(t.urn for t in targets(route, "routeTableId", tables, match_props=("id",)))
    public: dict[str, str] = {}
    for s in subnets:
        if truthy(_safe(s.props, "mapPublicIpOnLaunch")):
            public[s.urn] = "assigns public IPs on launch"
    for assoc in of_type(resources, "aws:ec2/routeTableAssociation:RouteTableAssociation"):
        if any(t.urn in igw_tables for t in targets(assoc, "routeTableId", tables, match_props=("id",))):
            for s in targets(assoc, "subnetId", subnets, match_props=("id",)):
                public.setdefault(s.urn, "routes 0.0.0.0/0 to an internet gateway")
    return public


def _private_data(args: StackValidationArgs, report: Report) -> None:
    resources = list(args.resources)
    public = _public_subnets(resources)
    subnets = list(of_type(resources, "aws:ec2/subnet:Subnet"))
    deferred = Deferred()

    def check_group(g: Any) -> None:
        bad = [s for s in targets(g, "subnetIds", subnets, match_props=("id",)) if s.urn in public]
        if bad:
            report(
                f"Subnet group '{g.name}' places the data store in public subnet(s) "
                + ", ".join(f"'{s.name}' ({public[s.urn]})" for s in bad)
                + ". Use isolated database subnets with no route to the internet.",
                g.urn,
            )

    def check_store(r: Any) -> None:
        t = r.resource_type
        if t == SERVERLESS_CACHE:
            ids = get(r.props, "subnetIds")  # its length is known even while the ids are not
            bad = [s for s in targets(r, "subnetIds", subnets, match_props=("id",)) if s.urn in public]
            if not (isinstance(ids, Sequence) and not isinstance(ids, str) and len(ids) > 0):
                report(
                    f"Serverless cache '{r.name}' sets no subnet_ids, so it lands in the default VPC's default subnets. Give it private database subnets.",
                    r.urn,
                )
            elif bad:
                report(
                    f"Serverless cache '{r.name}' is placed in public subnet(s) "
                    + ", ".join(f"'{s.name}' ({public[s.urn]})" for s in bad)
                    + ". Use isolated database subnets with no route to the internet.",
                    r.urn,
                )
            return
        prop = "dbSubnetGroupName" if t.startswith("aws:rds/") else "subnetGroupName"
        if t == "aws:rds/instance:Instance" and is_set(r, "replicateSourceDb"):
            return
        if t == "aws:elasticache/cluster:Cluster" and is_set(r, "replicationGroupId"):
            return  # a member of a replication group lives in the group's subnets
        if not is_set(r, prop):
            report(
                f"'{r.name}' sets no {prop}, so it lands in the default VPC's default subnets. Give it a subnet group of private database subnets.",
                r.urn,
            )

    for g in of_type(resources, "aws:rds/subnetGroup:SubnetGroup", "aws:elasticache/subnetGroup:SubnetGroup"):
        deferred.run(check_group, g)
    for r in of_type(resources, *DATA_STORES):
        deferred.run(check_store, r)
    deferred.finish()


SERVERLESS_CACHE = "aws:elasticache/serverlessCache:ServerlessCache"
DATA_STORES = (
    "aws:rds/instance:Instance",
    "aws:rds/cluster:Cluster",
    "aws:elasticache/replicationGroup:ReplicationGroup",
    "aws:elasticache/cluster:Cluster",
    SERVERLESS_CACHE,
)
NETWORK_LINKS = (
    "aws:ec2/subnet:Subnet",
    "aws:ec2/routeTable:RouteTable",
    "aws:ec2/route:Route",
    "aws:ec2/routeTableAssociation:RouteTableAssociation",
    "aws:ec2/internetGateway:InternetGateway",
)


private_data = stack_policy(
    "data-stores-in-private-subnets",
    category="exposure",
    description="Databases and caches (RDS, Aurora, replication groups, cache clusters, serverless caches) live in private subnets (no public IPs, no route to an internet gateway), never in the default VPC.",
    severity=Severity.HIGH,
    controls=NETWORK,
    remediation="Create aws.rds.SubnetGroup / aws.elasticache.SubnetGroup from isolated database subnets and reference them from every database and cache.",
    validate=_private_data,
    types=("aws:rds/subnetGroup:SubnetGroup", "aws:elasticache/subnetGroup:SubnetGroup", *DATA_STORES),
    links=NETWORK_LINKS,
    covers=("AwsSolutions-AEC1", "CKV_AWS_323"),
)


DMS_INSTANCE = "aws:dms/replicationInstance:ReplicationInstance"
MQ_BROKER = "aws:mq/broker:Broker"


def _dms_mq_public(args: ResourceValidationArgs, report: Report) -> None:
    given = get(args.props, "publiclyAccessible")
    if args.resource_type == DMS_INSTANCE and (given is None or truthy(given)):
        # CreateReplicationInstance: "PubliclyAccessible ... The default value is true."
        why = "publicly_accessible=True" if given is not None else "no publicly_accessible, and AWS's default is true"
        report(
            f"DMS replication instance '{args.name}' gets a public IP ({why}): it holds the credentials of the "
            "databases it copies. Set publicly_accessible=False and give it a replication subnet group of private subnets."
        )
    elif args.resource_type == MQ_BROKER and truthy(given):
        report(
            f"MQ broker '{args.name}' is publicly accessible: its endpoints answer from the internet. Set "
            "publicly_accessible=False and reach it from the VPC."
        )


dms_mq_public = resource_policy(
    "dms-and-mq-not-public",
    category="exposure",
    description="DMS replication instances (public unless told otherwise) and Amazon MQ brokers are not publicly accessible.",
    severity=Severity.CRITICAL,
    controls=NETWORK.with_fsbp("DMS.1"),
    remediation="Set publicly_accessible=False (explicitly on DMS replication instances, whose default is true).",
    validate=_dms_mq_public,
    types=(DMS_INSTANCE, MQ_BROKER),
)


POLICIES = [rds_public, private_data, dms_mq_public]
