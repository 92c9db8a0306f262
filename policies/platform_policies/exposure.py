"""Network and public exposure: buckets and resource policies, security groups, data stores,
the EKS API endpoint, instance metadata, public IPs, load balancer hardening and WAF."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pulumi_policy import ResourceValidationArgs, Severity, StackValidationArgs
from pulumi_policy.proxy import UnknownValueError

from .helpers import WORLD_CIDRS, Deferred, as_list, get, is_set, linked, number, of_type, peek, targets, truthy
from .iam_documents import DocumentError, parse_document, public_principal, restricts_principal
from .least_privilege.documents import DOCUMENT_PROPS, RESOURCE
from .registry import Controls, Report, config_value, resource_policy, stack_policy

NETWORK = Controls(soc2=("CC6.6",), iso27001=("A.8.20", "A.8.22"), pci=("1.3.1", "1.4.1"))
PUBLIC_DATA = Controls(soc2=("CC6.1", "CC6.6"), iso27001=("A.8.3", "A.5.15"), pci=("1.4.4", "7.2.1"))

BUCKETS = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
LOAD_BALANCERS = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
CLASSIC_LB = "aws:elb/loadBalancer:LoadBalancer"
INSTANCES = ("aws:ec2/instance:Instance", "aws:ec2/spotInstanceRequest:SpotInstanceRequest")
LAUNCH_CONFIGURATION = "aws:ec2/launchConfiguration:LaunchConfiguration"


# --- S3 --------------------------------------------------------------------------------------

PUBLIC_ACLS = ("public-read", "public-read-write", "authenticated-read")
PUBLIC_GRANTEES = (
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
)


def _public_statements(raw: Any) -> list[str]:
    try:
        doc = parse_document(raw)
    except DocumentError:
        return []
    return [s.label for s in doc.allows if public_principal(s) and not restricts_principal(s)]


NON_S3_POLICY_TYPES = tuple(
    t for t, props in DOCUMENT_PROPS.items() if any(k == RESOURCE for _, k in props) and not t.startswith("aws:s3/")
)


def _resource_public(args: ResourceValidationArgs, report: Report) -> None:
    for prop, kind in DOCUMENT_PROPS[args.resource_type]:
        if kind != RESOURCE:
            continue
        for label in _public_statements(get(args.props, prop)):
            report(
                f"{args.resource_type.split(':')[-1]} '{args.name}' resource policy {label} allows everyone (Principal '*') without a "
                "condition pinning the caller. Name the principals, or add aws:PrincipalOrgID / aws:SourceAccount / aws:SourceArn conditions."
            )


resource_public = resource_policy(
    "resource-policy-not-public",
    category="exposure",
    description="Resource policies of KMS keys, ECR repositories, SNS topics, SQS queues, secrets, backup vaults, EFS and log resource policies do not allow the world.",
    severity=Severity.CRITICAL,
    controls=PUBLIC_DATA,
    remediation="Replace Principal '*' with specific accounts, roles or service principals, or add a condition on aws:PrincipalOrgID, aws:SourceAccount or aws:SourceArn.",
    validate=_resource_public,
    types=NON_S3_POLICY_TYPES,
    covers=("AwsSolutions-ECR1", "CKV_AWS_32", "CKV_AWS_33", "CKV_AWS_168", "CKV_AWS_169", "CKV_AWS_387"),
)


# --- security groups -------------------------------------------------------------------------

SG_TYPES = (
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:ec2/securityGroupRule:SecurityGroupRule",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
)
DEFAULT_SENSITIVE_PORTS = [
    22,
    3389,
    23,
    21,
    445,
    2049,
    3306,
    5432,
    5439,
    1433,
    1521,
    6379,
    11211,
    27017,
    9200,
    2375,
    2379,
    10250,
]


@dataclass(frozen=True)
class Ingress:
    protocol: str
    from_port: int
    to_port: int
    world: tuple[str, ...]
    where: str

    @property
    def all_ports(self) -> bool:
        return self.protocol in ("-1", "all") or (self.from_port <= 0 and self.to_port >= 65535)

    def covers(self, port: int) -> bool:
        if self.protocol in ("icmp", "1", "icmpv6", "58"):
            return False
        return self.all_ports or self.from_port <= port <= self.to_port

    def label(self) -> str:
        return "all traffic" if self.protocol in ("-1", "all") else f"{self.protocol} {self.ports()}"

    def ports(self) -> str:
        if self.all_ports:
            return "all ports"
        return f"port {self.from_port}" if self.from_port == self.to_port else f"ports {self.from_port}-{self.to_port}"


def _protocol(value: Any) -> str:
    text = str(value if value is not None else "").lower()
    if text in ("-1.0", "-1"):
        return "-1"
    return {"6": "tcp", "6.0": "tcp", "17": "udp", "17.0": "udp"}.get(text, text)


def _int(value: Any, default: int) -> int:
    n = number(value)
    return default if n is None else int(n)


def world_ingress(resource_type: str, props: Any) -> list[Ingress]:
    """Ingress rules of a group or rule resource that are open to 0.0.0.0/0 or ::/0."""
    out: list[Ingress] = []
    if resource_type == "aws:ec2/securityGroup:SecurityGroup":
        for i, rule in enumerate(as_list(get(props, "ingress"))):
            world = tuple(
                c
                for c in [*as_list(get(rule, "cidrBlocks")), *as_list(get(rule, "ipv6CidrBlocks"))]
                if c in WORLD_CIDRS
            )
            if world:
                out.append(
                    Ingress(
                        _protocol(get(rule, "protocol")),
                        _int(get(rule, "fromPort"), 0),
                        _int(get(rule, "toPort"), 65535),
                        world,
                        f"inline ingress #{i + 1}",
                    )
                )
    elif resource_type == "aws:ec2/securityGroupRule:SecurityGroupRule":
        if get(props, "type") == "ingress":
            world = tuple(
                c
                for c in [*as_list(get(props, "cidrBlocks")), *as_list(get(props, "ipv6CidrBlocks"))]
                if c in WORLD_CIDRS
            )
            if world:
                out.append(
                    Ingress(
                        _protocol(get(props, "protocol")),
                        _int(get(props, "fromPort"), 0),
                        _int(get(props, "toPort"), 65535),
                        world,
                        "ingress rule",
                    )
                )
    elif resource_type == "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
        world = tuple(c for c in (get(props, "cidrIpv4"), get(props, "cidrIpv6")) if c in WORLD_CIDRS)
        if world:
            out.append(
                Ingress(
                    _protocol(get(props, "ipProtocol")),
                    _int(get(props, "fromPort"), 0),
                    _int(get(props, "toPort"), 65535),
                    world,
                    "ingress rule",
                )
            )
    return out


def _sensitive_ports(args: ResourceValidationArgs, report: Report) -> None:
    sensitive = [int(p) for p in config_value(args, "sensitivePorts", DEFAULT_SENSITIVE_PORTS)]
    for rule in world_ingress(args.resource_type, args.props):
        hit = [p for p in sensitive if rule.covers(p)]
        if rule.all_ports or hit:
            what = "every port" if rule.all_ports else f"administrative/data port(s) {', '.join(map(str, hit))}"
            owner = (
                "Security group"
                if args.resource_type == "aws:ec2/securityGroup:SecurityGroup"
                else "Security group rule"
            )
            report(
                f"{owner} '{args.name}' ({rule.where}) opens {what} ({rule.label()}) to {', '.join(rule.world)}. "
                "Remove it: reach instances through SSM Session Manager, and data stores only from the security groups of their clients."
            )


sensitive_ports = resource_policy(
    "security-group-no-world-sensitive-ports",
    category="exposure",
    description="No security group opens SSH, RDP, database/cache ports or all ports to 0.0.0.0/0 or ::/0.",
    severity=Severity.CRITICAL,
    controls=Controls(soc2=("CC6.6",), iso27001=("A.8.20", "A.8.22"), pci=("1.3.1", "1.4.1"), cis=("5.2", "5.3")),
    remediation="Delete world-open rules on sensitive ports; use SSM Session Manager instead of SSH/RDP and security-group references for data stores.",
    validate=_sensitive_ports,
    types=SG_TYPES,
    covers=("AwsSolutions-EC23", "AwsSolutions-RDS8", "CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_277"),
    config={
        "sensitivePorts": {
            "type": "array",
            "items": {"type": "number"},
            "default": DEFAULT_SENSITIVE_PORTS,
            "description": "Ports never open to the world (admin, database, cache, container runtime, kubelet).",
        }
    },
)


def _world_ingress_lb_only(args: StackValidationArgs, report: Report) -> None:
    allowed = {int(p) for p in config_value(args, "allowedWorldPorts", [80, 443])}
    groups = list(of_type(args.resources, "aws:ec2/securityGroup:SecurityGroup"))
    lb_groups: set[str] = set()
    for lb in of_type(args.resources, *LOAD_BALANCERS, CLASSIC_LB):
        lb_groups.update(g.urn for g in targets(lb, "securityGroups", groups))
        for sg_id in _known_items(lb.props, "securityGroups"):
            lb_groups.update(g.urn for g in groups if _safe(g.props, "id") == sg_id)
    shared = _attached_beyond_load_balancers(list(args.resources), {g.urn for g in groups})
    deferred = Deferred()

    def check(r: Any) -> None:
        rules = world_ingress(r.resource_type, r.props)
        if not rules:
            return
        if r.resource_type == "aws:ec2/securityGroup:SecurityGroup":
            owners = [r]
        else:
            owners = targets(r, "securityGroupId", groups)
        on_lb = any(o.urn in lb_groups and o.urn not in shared for o in owners)
        for rule in rules:
            span_ok = not rule.all_ports and rule.to_port - rule.from_port < 100
            ports_ok = span_ok and all(p in allowed for p in range(rule.from_port, rule.to_port + 1))
            if not (on_lb and ports_ok):
                both = [o.urn for o in owners if o.urn in lb_groups and o.urn in shared]
                if both:
                    why = f"is a load balancer's group but also holds {shared[both[0]]}, which the world then reaches directly"
                elif not on_lb:
                    why = "is not attached to a load balancer"
                else:
                    why = f"opens {rule.ports()}, not only {sorted(allowed)}"
                report(
                    f"'{r.name}' ({rule.where}) allows {rule.label()} from {', '.join(rule.world)}, but the group {why}. "
                    "Only a load balancer's group may take world traffic, and only on 80/443; put services behind the load balancer "
                    "and allow them from its security group.",
                    r.urn,
                )

    for r in of_type(args.resources, *SG_TYPES):
        deferred.run(check, r)
    deferred.finish()


ATTACHMENT_KEYS = (
    "securityGroups",
    "vpcSecurityGroupIds",
    "securityGroupIds",
    "networkConfiguration",
    "vpcConfig",
    "networkInterfaces",
    "vpcOptions",
)
"""Properties through which a resource (instance, launch template, ECS service, database, function,
endpoint...) is placed in a security group, as opposed to rules that only name a group as a source."""


def _attached_beyond_load_balancers(resources: list[Any], group_urns: set[str]) -> dict[str, str]:
    """Group URN -> a non-load-balancer resource placed in it (by the engine's property dependencies).
    A world-open group shared by a load balancer and instances exposes the instances directly, so the
    load balancer's exemption does not hold for it."""
    out: dict[str, str] = {}
    for r in resources:
        if r.resource_type in (*LOAD_BALANCERS, CLASSIC_LB) or r.resource_type.startswith("aws:vpc/"):
            continue
        for key in ATTACHMENT_KEYS:
            for dep in linked(r, key):
                if dep.urn in group_urns:
                    out.setdefault(dep.urn, f"{r.resource_type.split(':')[-1]} '{r.name}'")
    return out


def _safe(props: Any, key: str) -> Any:
    return peek(props, key)


def _known_items(props: Any, key: str) -> list[str]:
    """The known string items of a list property (ids given literally); unknown ones are left to
    the property dependencies, which name their resources."""
    out: list[str] = []
    items = peek(props, key)
    for i in range(len(items) if isinstance(items, Sequence) and not isinstance(items, str) else 0):
        try:
            item = items[i]
        except UnknownValueError:
            continue
        if isinstance(item, str):
            out.append(item)
    return out


world_ingress_lb_only = stack_policy(
    "security-group-world-ingress-only-on-load-balancers",
    category="exposure",
    description="World-open ingress (0.0.0.0/0, ::/0) exists only on security groups of load balancers, and only on 80/443.",
    severity=Severity.HIGH,
    controls=NETWORK,
    remediation="Remove world-open rules from instance, task and data-store groups; let them accept traffic from the load balancer's security group only.",
    validate=_world_ingress_lb_only,
    types=SG_TYPES,
    links=(*LOAD_BALANCERS, CLASSIC_LB),
    covers=("AwsSolutions-EC23", "CKV_AWS_260"),
    config={
        "allowedWorldPorts": {
            "type": "array",
            "items": {"type": "number"},
            "default": [80, 443],
            "description": "Ports a load balancer's security group may open to the world.",
        }
    },
)


def _default_sg(args: StackValidationArgs, report: Report) -> None:
    vpcs = list(of_type(args.resources, "aws:ec2/vpc:Vpc"))
    managed: set[str] = set()
    deferred = Deferred()

    def check(d: Any) -> None:
        for v in targets(d, "vpcId", vpcs, match_props=("id",)):
            managed.add(v.urn)
        rules = as_list(get(d.props, "ingress")) + as_list(get(d.props, "egress"))
        if rules:
            report(
                f"Default security group '{d.name}' keeps {len(rules)} rule(s). Leave ingress and egress empty so that nothing "
                "placed in it by default can talk; use purpose-made groups.",
                d.urn,
            )

    for d in of_type(args.resources, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"):
        deferred.run(check, d)
    for v in vpcs:
        if v.urn not in managed:
            report(
                f"VPC '{v.name}' leaves its default security group unmanaged (it allows all traffic between members and all egress). "
                "Adopt it with aws.ec2.DefaultSecurityGroup(vpc_id=vpc.id) and leave ingress and egress empty.",
                v.urn,
            )
    deferred.finish()


default_sg = stack_policy(
    "vpc-default-security-group-closed",
    category="exposure",
    description="Every VPC's default security group is adopted and has no rules.",
    severity=Severity.MEDIUM,
    controls=Controls(soc2=("CC6.6",), iso27001=("A.8.20",), pci=("1.2.1",), cis=("5.4",)),
    remediation="Add aws.ec2.DefaultSecurityGroup(vpc_id=vpc.id) with no ingress or egress.",
    validate=_default_sg,
    types=("aws:ec2/vpc:Vpc", "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"),
    covers=("CKV2_AWS_12",),
)


# --- data stores ------------------------------------------------------------------------------


def _rds_public(args: ResourceValidationArgs, report: Report) -> None:
    if truthy(get(args.props, "publiclyAccessible")):
        report(
            f"Database '{args.name}' is publicly accessible (it gets a public DNS name/IP). Set publicly_accessible=False and reach it from inside the VPC."
        )


rds_public = resource_policy(
    "rds-not-publicly-accessible",
    category="exposure",
    description="RDS instances, Aurora cluster instances and Multi-AZ DB clusters are not publicly accessible.",
    severity=Severity.CRITICAL,
    controls=Controls(soc2=("CC6.6",), iso27001=("A.8.20", "A.8.22"), pci=("1.4.4",), cis=("2.3.3",)),
    remediation="Set publicly_accessible=False.",
    validate=_rds_public,
    types=("aws:rds/instance:Instance", "aws:rds/clusterInstance:ClusterInstance", "aws:rds/cluster:Cluster"),
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
            if (get(route, "cidrBlock") in WORLD_CIDRS or get(route, "ipv6CidrBlock") in WORLD_CIDRS) and to_igw(
                route, "gatewayId"
            ):
                igw_tables.add(t.urn)
        if any(d.resource_type == "aws:ec2/internetGateway:InternetGateway" for d in linked(t, "routes")):
            igw_tables.add(t.urn)
    for route in of_type(resources, "aws:ec2/route:Route"):
        world = (
            _safe(route.props, "destinationCidrBlock") in WORLD_CIDRS
            or _safe(route.props, "destinationIpv6CidrBlock") in WORLD_CIDRS
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


# --- EKS, instances, public IPs ----------------------------------------------------------------


def _eks_endpoint(args: ResourceValidationArgs, report: Report) -> None:
    p = args.props
    if args.resource_type == "eks:index:Cluster":
        public = truthy(get(p, "endpointPublicAccess", default=True))
        cidrs = [str(c) for c in as_list(get(p, "publicAccessCidrs"))]
        fix = "Set endpoint_public_access=False and endpoint_private_access=True (reach the API through the VPC)"
    else:
        vpc = get(p, "vpcConfig") or {}
        public = truthy(get(vpc, "endpointPublicAccess", default=True))
        cidrs = [str(c) for c in as_list(get(vpc, "publicAccessCidrs"))]
        fix = "Set vpc_config.endpoint_public_access=False and endpoint_private_access=True"
    if not public:
        return
    open_to = [c for c in cidrs if c in WORLD_CIDRS] or (["0.0.0.0/0 (the default)"] if not cidrs else [])
    allow_restricted = bool(config_value(args, "allowRestrictedPublicEndpoint", True))
    if open_to or not allow_restricted:
        report(
            f"EKS cluster '{args.name}' exposes its Kubernetes API endpoint publicly"
            + (f" to {', '.join(open_to)}" if open_to else "")
            + f". {fix}, or at least restrict public_access_cidrs to known networks."
        )


eks_endpoint = resource_policy(
    "eks-endpoint-not-public",
    category="exposure",
    description="The EKS API server endpoint is private, or public only to listed CIDRs (never 0.0.0.0/0; pulumi-eks and EKS default to public).",
    severity=Severity.HIGH,
    controls=NETWORK,
    remediation="endpoint_public_access=False and endpoint_private_access=True (aws.eks.Cluster vpc_config or eks.Cluster args); if public access is needed, set public_access_cidrs.",
    validate=_eks_endpoint,
    types=("aws:eks/cluster:Cluster", "eks:index:Cluster"),
    covers=("AwsSolutions-EKS1", "CKV_AWS_38", "CKV_AWS_39"),
    config={
        "allowRestrictedPublicEndpoint": {
            "type": "boolean",
            "default": True,
            "description": "Accept a public endpoint restricted to listed CIDRs (set False to require private-only).",
        }
    },
)


SELF_MANAGED_NODE_GROUPS = ("eks:index:NodeGroup", "eks:index:NodeGroupV2")
"""pulumi-eks self-managed node groups (v1: launch configuration and CloudFormation ASG; v2: launch
template and ASG). Remote components: CrossGuard judges their inputs (camelCase wire names)."""


def _self_managed_imds(p: Any) -> str | None:
    """Why IMDSv1 may stay on, or None: only an EKS-optimized AL2023 AMI (registered with
    ImdsSupport v2.0) makes IMDSv2 required when the launch settings say nothing."""
    if get(p, "amiId") is not None:
        return "runs a custom AMI (ami_id), whose IMDS support is unknown, so its nodes may allow IMDSv1"
    os_ = get(p, "operatingSystem")
    if os_ is None:
        return "does not pin operating_system, so whether its nodes allow IMDSv1 depends on the AMI pulumi-eks recommends at the time"
    if str(os_) != "AL2023":
        return f"runs {os_} nodes, whose AMI is not registered to require IMDSv2 (EKS-optimized AL2 AMIs allow IMDSv1)"
    ami_type = get(p, "amiType")
    if ami_type is not None and "2023" not in str(ami_type):
        return f"asks for AMI type {ami_type}, which is not AL2023, so its nodes may allow IMDSv1"
    return None


def _managed_node_ami(p: Any) -> str:
    """The AMI type of an EKS managed node group: its `ami_type`, else EKS's default, AL2023 from
    Kubernetes 1.30 (AL2 before; https://docs.aws.amazon.com/eks/latest/eksctl/node-bootstrapping.html).
    A node group without `version` follows its cluster, whose default version is the latest. AL2023
    EKS-optimized AMIs require IMDSv2 (https://docs.aws.amazon.com/linux/al2023/ug/imdsv2.html)."""
    ami = get(p, "amiType")
    if isinstance(ami, str) and ami:
        return ami
    version = str(get(p, "version", default=""))
    major, _, minor = version.partition(".")
    if major.isdigit() and minor.isdigit() and (int(major), int(minor)) < (1, 30):
        return "AL2_x86_64"
    return "AL2023_x86_64_STANDARD"


def _imdsv2(args: ResourceValidationArgs, report: Report) -> None:
    p = args.props
    t = args.resource_type
    fix = "Set metadata_options={http_tokens: 'required', http_endpoint: 'enabled', http_put_response_hop_limit: 1 (2 for EKS nodes)}"
    if t in (*INSTANCES, "aws:ec2/launchTemplate:LaunchTemplate", LAUNCH_CONFIGURATION):
        if t in INSTANCES and get(p, "launchTemplate") is not None and get(p, "metadataOptions") is None:
            return  # settings come from the launch template, judged there
        opts = get(p, "metadataOptions") or {}
        if str(get(opts, "httpEndpoint", default="enabled")) == "disabled":
            return
        if get(opts, "httpTokens") != "required":
            report(
                f"'{args.name}' allows IMDSv1 (session-less metadata requests, the SSRF credential-theft path). {fix}."
            )
    elif t == "eks:index:ManagedNodeGroup":
        if get(p, "launchTemplate") is None and not truthy(get(p, "enableIMDSv2")):
            report(
                f"Managed node group '{args.name}' allows IMDSv1. Set enable_imd_sv2=True (or pass a launch template that requires IMDSv2)."
            )
    elif t == "aws:eks/nodeGroup:NodeGroup":
        ami = _managed_node_ami(p)
        if get(p, "launchTemplate") is None and not ami.startswith("AL2023"):
            report(
                f"EKS node group '{args.name}' runs {ami} nodes from EKS's default launch template, which allows IMDSv1. "
                "Use ami_type 'AL2023_*' (its AMIs require IMDSv2) or give it a launch_template whose "
                "metadata_options.http_tokens is 'required' (hop limit 2)."
            )
    elif t == "eks:index:Cluster":
        skipped = (
            truthy(get(p, "skipDefaultNodeGroup")) or get(p, "fargate") is not None or get(p, "autoMode") is not None
        )
        if not skipped:
            report(
                f"EKS cluster '{args.name}' creates pulumi-eks's default node group, whose instances allow IMDSv1. Set skip_default_node_group=True and add managed node groups with enable_imd_sv2=True."
            )
    elif t in SELF_MANAGED_NODE_GROUPS and (problem := _self_managed_imds(p)):
        kind = "launch configuration" if t == "eks:index:NodeGroup" else "launch template"
        report(
            f"Self-managed node group '{args.name}' {problem}: pulumi-eks gives its {kind} no metadata options "
            "(the component has no input for them), so the AMI decides. Set operating_system=eks.OperatingSystem.AL2023 "
            "and no ami_id (EKS-optimized AL2023 AMIs require IMDSv2), or use eks.ManagedNodeGroup with enable_imd_sv2=True."
        )


imdsv2 = resource_policy(
    "ec2-imdsv2-required",
    category="exposure",
    description="EC2 instances, spot instance requests, launch templates and configurations, and EKS node groups require IMDSv2 (session tokens).",
    severity=Severity.HIGH,
    controls=Controls(soc2=("CC6.6", "CC6.8"), iso27001=("A.8.9",), pci=("2.2.1",), cis=("5.6",)),
    remediation="metadata_options.http_tokens='required' on instances and launch templates; enable_imd_sv2=True on eks.ManagedNodeGroup; operating_system=AL2023 (and no ami_id) on eks.NodeGroup/NodeGroupV2; skip pulumi-eks's default node group.",
    validate=_imdsv2,
    types=(
        *INSTANCES,
        "aws:ec2/launchTemplate:LaunchTemplate",
        LAUNCH_CONFIGURATION,
        "eks:index:ManagedNodeGroup",
        "eks:index:Cluster",
        "aws:eks/nodeGroup:NodeGroup",
        *SELF_MANAGED_NODE_GROUPS,
    ),
    covers=("CKV_AWS_79",),
)


def _public_ip(args: ResourceValidationArgs, report: Report) -> None:
    p = args.props
    t = args.resource_type
    if t in (*INSTANCES, LAUNCH_CONFIGURATION) and truthy(get(p, "associatePublicIpAddress")):
        kind = {INSTANCES[0]: "Instance", INSTANCES[1]: "Spot instance request"}.get(t, "Launch configuration")
        report(
            f"{kind} '{args.name}' gives instances a public IP. Set associate_public_ip_address=False; use a load balancer or SSM for access."
        )
    elif t == "aws:ec2/launchTemplate:LaunchTemplate":
        for i, nic in enumerate(as_list(get(p, "networkInterfaces"))):
            if truthy(get(nic, "associatePublicIpAddress")):
                report(
                    f"Launch template '{args.name}' network interface #{i + 1} associates a public IP. Set associate_public_ip_address='false'."
                )
    elif t == "aws:ecs/service:Service" and truthy(get(p, "networkConfiguration", "assignPublicIp")):
        report(
            f"ECS service '{args.name}' assigns public IPs to its tasks. Set network_configuration.assign_public_ip=False and run tasks in private subnets with NAT or VPC endpoints."
        )
    elif t == "eks:index:Cluster" and truthy(
        # pulumi-eks gives the default node group public IPs unless told otherwise.
        get(p, "nodeAssociatePublicIpAddress", default=not truthy(get(p, "skipDefaultNodeGroup")))
    ):
        report(
            f"EKS cluster '{args.name}' gives its nodes public IPs (pulumi-eks's default for the default node group "
            "when node_associate_public_ip_address is not set). Set node_associate_public_ip_address=False."
        )
    elif t in SELF_MANAGED_NODE_GROUPS and truthy(get(p, "nodeAssociatePublicIpAddress", default=True)):
        report(
            f"Self-managed node group '{args.name}' gives its nodes public IPs (pulumi-eks's default when "
            "node_associate_public_ip_address is not set). Set node_associate_public_ip_address=False and use private node_subnet_ids."
        )


public_ip = resource_policy(
    "compute-no-public-ip",
    category="exposure",
    description="Instances, spot requests, launch templates and configurations, ECS tasks and EKS nodes are not given public IP addresses.",
    severity=Severity.HIGH,
    controls=NETWORK,
    remediation="Disable public IP assignment; place compute in private subnets behind a load balancer and NAT/VPC endpoints.",
    validate=_public_ip,
    types=(
        *INSTANCES,
        "aws:ec2/launchTemplate:LaunchTemplate",
        LAUNCH_CONFIGURATION,
        "aws:ecs/service:Service",
        "eks:index:Cluster",
        *SELF_MANAGED_NODE_GROUPS,
    ),
    covers=("CKV_AWS_88", "CKV_AWS_333", "awsguard:ec2-instance-no-public-ip"),
)


def _alb_headers(args: ResourceValidationArgs, report: Report) -> None:
    p = args.props
    if str(get(p, "loadBalancerType", default="application")) != "application":
        return
    problems: list[str] = []
    if not truthy(get(p, "dropInvalidHeaderFields")):
        problems.append("it forwards requests with invalid HTTP header fields (set drop_invalid_header_fields=True)")
    if str(get(p, "desyncMitigationMode", default="defensive")) == "monitor":
        problems.append("desync_mitigation_mode is 'monitor' (use 'defensive' or 'strictest')")
    if problems:
        report(
            f"Application load balancer '{args.name}': "
            + "; ".join(problems)
            + ". These stop HTTP request smuggling and header injection."
        )


alb_headers = resource_policy(
    "alb-drops-invalid-headers",
    category="exposure",
    description="Application load balancers drop invalid HTTP headers and mitigate HTTP desync (request smuggling).",
    severity=Severity.MEDIUM,
    controls=Controls(soc2=("CC6.6",), iso27001=("A.8.20",), pci=("6.4.1",)),
    remediation="Set drop_invalid_header_fields=True and desync_mitigation_mode='defensive' (or 'strictest') on aws.lb.LoadBalancer.",
    validate=_alb_headers,
    types=LOAD_BALANCERS,
    covers=("CKV_AWS_131", "CKV_AWS_328"),
)


def _waf(args: StackValidationArgs, report: Report) -> None:
    lbs = [
        lb
        for lb in of_type(args.resources, *LOAD_BALANCERS)
        if str(_safe(lb.props, "loadBalancerType") or "application") == "application"
        and not truthy(_safe(lb.props, "internal"))
    ]
    protected: set[str] = set()
    for assoc in of_type(args.resources, "aws:wafv2/webAclAssociation:WebAclAssociation"):
        protected.update(lb.urn for lb in targets(assoc, "resourceArn", lbs, match_props=("arn", "id")))
    for lb in lbs:
        if lb.urn not in protected:
            report(
                f"Internet-facing load balancer '{lb.name}' has no WAF web ACL. Associate one with aws.wafv2.WebAclAssociation"
                "(resource_arn=lb.arn, web_acl_arn=acl.arn) using AWS managed rule groups and a rate limit.",
                lb.urn,
            )


waf = stack_policy(
    "internet-facing-alb-has-waf",
    category="exposure",
    description="Every internet-facing Application Load Balancer is protected by an AWS WAF web ACL.",
    severity=Severity.HIGH,
    controls=Controls(soc2=("CC6.6", "CC6.8"), iso27001=("A.8.20", "A.8.23"), pci=("6.4.2",)),
    remediation="Create an aws.wafv2.WebAcl (scope REGIONAL, managed rule groups, rate-based rule) and an aws.wafv2.WebAclAssociation with the ALB.",
    validate=_waf,
    types=LOAD_BALANCERS,
    links=("aws:wafv2/webAclAssociation:WebAclAssociation",),
    covers=("CKV2_AWS_28",),
)


POLICIES = [
    resource_public,
    sensitive_ports,
    world_ingress_lb_only,
    default_sg,
    rds_public,
    private_data,
    eks_endpoint,
    imdsv2,
    public_ip,
    alb_headers,
    waf,
]
