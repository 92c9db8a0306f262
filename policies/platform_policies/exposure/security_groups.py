"""Security groups: no world-open sensitive ports, world ingress only on load balancers' groups
(and only while nothing else sits in them), and every VPC's default group adopted and closed.

A rule may name the world through a customer-managed prefix list that holds 0.0.0.0/0 instead of
the CIDR itself; the stack policy follows such references to the lists of the stack.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pulumi_policy import ResourceValidationArgs, Severity, StackValidationArgs
from pulumi_policy.proxy import UnknownValueError

from ..helpers import Deferred, as_list, get, is_world, known_or, linked, number, of_type, peek, targets
from ..registry import Controls, Report, config_value, resource_policy, stack_policy
from .shared import LOAD_BALANCERS, NETWORK, _safe

CLASSIC_LB = "aws:elb/loadBalancer:LoadBalancer"
PREFIX_LIST = "aws:ec2/managedPrefixList:ManagedPrefixList"
PREFIX_LIST_ENTRY = "aws:ec2/managedPrefixListEntry:ManagedPrefixListEntry"


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


def _ingress(rule: Any, world: tuple[str, ...], protocol_key: str, label: str) -> Ingress:
    return Ingress(
        _protocol(get(rule, protocol_key)),
        _int(get(rule, "fromPort"), 0),
        _int(get(rule, "toPort"), 65535),
        world,
        label,
    )


def _world_rule(rule: Any, cidrs: list[Any], protocol_key: str, label: str) -> Ingress | None:
    """The rule as an `Ingress` when any of its CIDRs opens it to the world (see `is_world`)."""
    world = tuple(c for c in cidrs if is_world(c))
    return _ingress(rule, world, protocol_key, label) if world else None


def world_ingress(resource_type: str, props: Any) -> list[Ingress]:
    """Ingress rules of a group or rule resource that are open to the world (0.0.0.0/0, ::/0, or
    any range as wide, see `is_world`)."""
    found: list[Ingress | None] = []
    if resource_type == "aws:ec2/securityGroup:SecurityGroup":
        found = [
            _world_rule(
                rule,
                [*as_list(get(rule, "cidrBlocks")), *as_list(get(rule, "ipv6CidrBlocks"))],
                "protocol",
                f"inline ingress #{i + 1}",
            )
            for i, rule in enumerate(as_list(get(props, "ingress")))
        ]
    elif resource_type == "aws:ec2/securityGroupRule:SecurityGroupRule" and get(props, "type") == "ingress":
        cidrs = [*as_list(get(props, "cidrBlocks")), *as_list(get(props, "ipv6CidrBlocks"))]
        found = [_world_rule(props, cidrs, "protocol", "ingress rule")]
    elif resource_type == "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
        found = [_world_rule(props, [get(props, "cidrIpv4"), get(props, "cidrIpv6")], "ipProtocol", "ingress rule")]
    return [rule for rule in found if rule is not None]


def _named_lists(rule: Any) -> list[Any] | None:
    """The prefix list ids an inline rule names, None while they are unknown (new lists' ids)."""
    try:
        return as_list(get(rule, "prefixListIds"))
    except UnknownValueError:
        return None


@dataclass(frozen=True)
class PrefixLists:
    """The stack's customer-managed prefix lists, read once per stack: all of them, and those that
    hold a world-wide range (URN -> those CIDRs) in their own `entries` or in a
    `ManagedPrefixListEntry` added to them. A value unknown in a preview (a range computed from an
    Elastic IP or a VPC, which is not the world) is left unjudged and never stops the policy."""

    every: tuple[Any, ...]
    world: dict[str, tuple[str, ...]]

    @classmethod
    def of(cls, resources: Sequence[Any]) -> PrefixLists:
        lists = tuple(of_type(resources, PREFIX_LIST))
        world: dict[str, list[str]] = {pl.urn: [] for pl in lists}
        for pl in lists:
            try:
                entries = as_list(get(pl.props, "entries"))
            except UnknownValueError:
                continue
            world[pl.urn] += [str(c) for e in entries if is_world(c := known_or(e, "cidr", None))]
        for entry in of_type(resources, PREFIX_LIST_ENTRY):
            cidr = known_or(entry.props, "cidr", None)
            if is_world(cidr):
                for pl in targets(entry, "prefixListId", lists):
                    world[pl.urn].append(str(cidr))
        return cls(lists, {urn: tuple(cidrs) for urn, cidrs in world.items() if cidrs})

    def _label(self, pl: Any) -> str:
        return f"prefix list '{pl.name}' ({', '.join(self.world[pl.urn])})"

    def ingress(self, r: Any) -> list[Ingress]:
        """Ingress rules of a group or rule resource that reach the world through one of these
        lists (matched by the engine's property dependencies, as ids are unknown in a preview)."""
        if not self.world:
            return []
        lists = [pl for pl in self.every if pl.urn in self.world]

        def through(prop: str) -> tuple[str, ...]:
            return tuple(self._label(pl) for pl in targets(r, prop, lists))

        props = r.props
        if r.resource_type == "aws:ec2/securityGroup:SecurityGroup":
            # The engine's dependencies are per property (`ingress`), not per rule: a rule is blamed
            # on a world list by its known ids, or, while ids are unknown, only when every list the
            # property depends on holds the world (a rule naming an office list is never blamed).
            linked_lists = targets(r, "ingress", self.every)
            found: list[Ingress] = []
            for i, rule in enumerate(as_list(get(props, "ingress"))):
                named = _named_lists(rule)
                if named == []:
                    continue
                hits = [pl for pl in lists if named and peek(pl.props, "id") in named]
                if not hits and linked_lists and all(pl.urn in self.world for pl in linked_lists):
                    hits = linked_lists
                if hits:
                    labels = tuple(self._label(pl) for pl in hits)
                    found.append(_ingress(rule, labels, "protocol", f"inline ingress #{i + 1}"))
            return found
        if r.resource_type == "aws:ec2/securityGroupRule:SecurityGroupRule" and get(props, "type") == "ingress":
            via = through("prefixListIds")
            return [_ingress(props, via, "protocol", "ingress rule")] if via else []
        if r.resource_type == "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
            via = through("prefixListId")
            return [_ingress(props, via, "ipProtocol", "ingress rule")] if via else []
        return []


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
    prefix_lists = PrefixLists.of(list(args.resources))
    deferred = Deferred()

    def check(r: Any) -> None:
        rules = world_ingress(r.resource_type, r.props) + prefix_lists.ingress(r)
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
    links=(*LOAD_BALANCERS, CLASSIC_LB, PREFIX_LIST, PREFIX_LIST_ENTRY),
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


POLICIES = [sensitive_ports, world_ingress_lb_only, default_sg]
