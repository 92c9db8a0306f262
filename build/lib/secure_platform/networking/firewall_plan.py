"""Security-group and network-ACL rules per tier (pure).

Security groups carry the real policy: each tier admits only the tier in front of it, by security
group reference, never by CIDR (the ALB's internet listeners are the one exception). Network ACLs
are the coarse, stateless second layer per subnet tier, so they also need the ephemeral-port return
paths; the database tier admits only the private (app) tier, on the database and cache ports.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from secure_platform.networking.plan import NetworkPlan

ANYWHERE = "0.0.0.0/0"
HTTPS = 443
HTTP = 80
CACHE_PORT = 6379
DB_PORTS: dict[str, int] = {"postgres": 5432, "mysql": 3306}
EPHEMERAL = (1024, 65535)
NACL_RULE_QUOTA = 20
"""Default quota of rules per network ACL and direction (AWS allows raising it to 40)."""

SECURITY_GROUPS: tuple[str, ...] = ("alb", "app", "database", "cache", "endpoints")
Direction = Literal["ingress", "egress"]


@dataclass(frozen=True)
class SgRule:
    """One `aws.vpc.SecurityGroupIngressRule`/`EgressRule`: a peer group, a CIDR or a prefix list."""

    group: str
    direction: Direction
    port: int
    description: str
    peer_group: str | None = None
    cidr: str | None = None
    prefix_list: str | None = None
    """Name of a gateway endpoint (`s3`, `dynamodb`) whose AWS-managed prefix list is the peer."""

    @property
    def name(self) -> str:
        peer = self.peer_group or self.prefix_list or ("internet" if self.cidr == ANYWHERE else self.cidr)
        return f"{self.group}-{'in' if self.direction == 'ingress' else 'out'}-{peer}-{self.port}"


def db_port(engine: str) -> int:
    try:
        return DB_PORTS[engine]
    except KeyError:
        raise ValueError(f"unknown database engine {engine!r}; expected one of {', '.join(DB_PORTS)}") from None


def security_group_rules(
    app_ports: Sequence[int],
    database_port: int,
    *,
    cache: bool = True,
    interface_endpoints: bool = False,
    internet_egress: bool = True,
    gateway_endpoints: Sequence[str] = ("s3", "dynamodb"),
) -> list[SgRule]:
    """Every rule of every group; groups without a rule in a direction allow nothing that way."""
    ports = sorted(set(app_ports))
    if not ports:
        raise ValueError("at least one app port is needed")
    rules = [
        SgRule("alb", "ingress", HTTPS, "HTTPS from the internet", cidr=ANYWHERE),
        SgRule("alb", "ingress", HTTP, "HTTP from the internet (redirected to HTTPS)", cidr=ANYWHERE),
    ]
    for port in ports:
        rules.append(SgRule("alb", "egress", port, f"to the app tier on {port}", peer_group="app"))
        rules.append(SgRule("app", "ingress", port, f"from the load balancer on {port}", peer_group="alb"))
    rules.append(SgRule("app", "egress", database_port, "to the database", peer_group="database"))
    rules.append(SgRule("database", "ingress", database_port, "from the app tier", peer_group="app"))
    if cache:
        rules.append(SgRule("app", "egress", CACHE_PORT, "to the cache", peer_group="cache"))
        rules.append(SgRule("cache", "ingress", CACHE_PORT, "from the app tier", peer_group="app"))
    if interface_endpoints:
        rules.append(SgRule("app", "egress", HTTPS, "to the interface endpoints", peer_group="endpoints"))
        rules.append(SgRule("endpoints", "ingress", HTTPS, "from the app tier", peer_group="app"))
    for endpoint in gateway_endpoints:
        rules.append(SgRule("app", "egress", HTTPS, f"to {endpoint} (gateway endpoint)", prefix_list=endpoint))
    if internet_egress:
        rules.append(SgRule("app", "egress", HTTPS, "HTTPS to the internet through NAT", cidr=ANYWHERE))
    return rules


# --- network ACLs --------------------------------------------------------------------------------

Protocol = Literal["tcp", "all"]
_PROTOCOL_NUMBERS = {"tcp": "6", "all": "-1"}


@dataclass(frozen=True)
class NaclRule:
    tier: str
    egress: bool
    number: int
    protocol: Protocol
    cidr: str
    from_port: int
    to_port: int

    @property
    def protocol_number(self) -> str:
        return _PROTOCOL_NUMBERS[self.protocol]

    @property
    def name(self) -> str:
        return f"{self.tier}-{'out' if self.egress else 'in'}-{self.number}"


def blocks(cidrs: Iterable[str]) -> list[str]:
    """The fewest CIDR blocks covering exactly these subnets (adjacent subnets merge; nothing widens)."""
    nets = [ipaddress.IPv4Network(c) for c in cidrs]
    return [str(n) for n in ipaddress.collapse_addresses(nets)]


def nacl_rules(
    plan: NetworkPlan, app_ports: Sequence[int], database_port: int, *, cache: bool = True
) -> list[NaclRule]:
    """Allow rules per tier (everything else hits the implicit deny).

    Raises `ValueError` when a tier needs more rules than the default NACL quota, which happens
    only with many non-adjacent subnet CIDRs.
    """
    public = blocks(s.cidr for s in plan.tier("public"))
    private = blocks(s.cidr for s in plan.tier("private"))
    database = blocks(s.cidr for s in plan.tier("database"))
    data_ports = sorted({database_port, CACHE_PORT} if cache else {database_port})
    lo, hi = EPHEMERAL
    rules: list[NaclRule] = []

    def add(tier: str, egress: bool, protocol: Protocol, cidr: str, ports: tuple[int, int]) -> None:
        number = 100 + 10 * sum(1 for r in rules if r.tier == tier and r.egress == egress)
        rules.append(NaclRule(tier, egress, number, protocol, cidr, *ports))

    # Public: the ALB's listeners and NAT's outbound HTTPS, plus return traffic.
    for port in (HTTPS, HTTP):
        add("public", False, "tcp", ANYWHERE, (port, port))
    add("public", False, "tcp", ANYWHERE, (lo, hi))
    add("public", True, "tcp", ANYWHERE, (HTTPS, HTTPS))
    for cidr in private:
        for port in sorted(set(app_ports)):
            add("public", True, "tcp", cidr, (port, port))
    add("public", True, "tcp", ANYWHERE, (lo, hi))

    # Private (app tier): east-west within the tier (pod networking, DNS), the ALB on the app ports,
    # and return traffic; out to the data tier, HTTPS anywhere (NAT, endpoints) and responses.
    for cidr in private:
        add("private", False, "all", cidr, (0, 0))
    for cidr in public:
        for port in sorted(set(app_ports)):
            add("private", False, "tcp", cidr, (port, port))
    add("private", False, "tcp", ANYWHERE, (lo, hi))
    for cidr in private:
        add("private", True, "all", cidr, (0, 0))
    for cidr in database:
        for port in data_ports:
            add("private", True, "tcp", cidr, (port, port))
    add("private", True, "tcp", ANYWHERE, (HTTPS, HTTPS))
    add("private", True, "tcp", ANYWHERE, (lo, hi))

    # Database: only the app tier (and replication inside the tier) on the data ports; responses back.
    for cidr in (*private, *database):
        for port in data_ports:
            add("database", False, "tcp", cidr, (port, port))
    for cidr in database:
        add("database", False, "tcp", cidr, (lo, hi))
    for cidr in (*private, *database):
        add("database", True, "tcp", cidr, (lo, hi))
    for cidr in database:
        for port in data_ports:
            add("database", True, "tcp", cidr, (port, port))
    for tier in ("public", "private", "database"):
        for egress in (False, True):
            count = sum(1 for r in rules if r.tier == tier and r.egress == egress)
            if count > NACL_RULE_QUOTA:
                raise ValueError(
                    f"the {tier} network ACL needs {count} {'egress' if egress else 'ingress'} rules, more than "
                    f"the default quota of {NACL_RULE_QUOTA}; give platform:network subnet CIDRs that are "
                    "adjacent within each tier (they merge into fewer blocks) or use fewer AZs"
                )
    return rules
