"""CIDR and NAT planning for the VPC (pure functions, no Pulumi).

The Networking component only turns a `NetworkPlan` into resources; everything that can be wrong
about addresses is decided and checked here, with `ipaddress`, so it can be tested fast and with
property-based tests.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

NatStrategy = Literal["none", "single", "perAz"]
TIERS: tuple[str, ...] = ("public", "private", "database")
TIER_KEYS: dict[str, str] = {
    "public": "publicSubnetCidrs",
    "private": "privateSubnetCidrs",
    "database": "databaseSubnetCidrs",
}

# AWS limits for VPC and subnet sizes.
MIN_PREFIX = 16
MAX_PREFIX = 28
# Size used when subnets are carved automatically and the VPC is large enough.
DEFAULT_SUBNET_PREFIX = 24


class PlanError(ValueError):
    """A planning problem; `key` is the config key (relative to `platform:network`)."""

    def __init__(self, key: str, value: object, message: str) -> None:
        super().__init__(message)
        self.key = key
        self.value = value
        self.message = message


@dataclass(frozen=True)
class SubnetPlan:
    tier: str
    index: int
    cidr: str
    az_index: int


@dataclass(frozen=True)
class NetworkPlan:
    vpc_cidr: str
    az_count: int
    subnets: tuple[SubnetPlan, ...]
    nat_az_indices: tuple[int, ...]
    """AZ index of each NAT gateway (placed in that AZ's public subnet)."""
    private_nat_index: tuple[int | None, ...]
    """For private subnet i, the index into `nat_az_indices` it routes through (None: no egress)."""

    def tier(self, tier: str) -> tuple[SubnetPlan, ...]:
        return tuple(s for s in self.subnets if s.tier == tier)


def parse_network(value: str) -> ipaddress.IPv4Network:
    """Parse a CIDR strictly (host bits must be zero, the prefix length written out); raises
    ValueError with the reason. AWS takes no bare address where it asks for a CIDR."""
    if "/" not in value:
        raise ValueError("no prefix length; one address is written with /32")
    net = ipaddress.ip_network(value, strict=True)
    if not isinstance(net, ipaddress.IPv4Network):
        raise ValueError("only IPv4 CIDRs are supported")
    return net


def carve_subnets(vpc_cidr: str, az_count: int) -> dict[str, list[str]]:
    """Split a VPC into `az_count` subnets per tier, private first, then public, then database."""
    vpc = parse_network(vpc_cidr)
    bits_needed = math.ceil(math.log2(len(TIERS) * az_count))
    prefix = max(vpc.prefixlen + bits_needed, DEFAULT_SUBNET_PREFIX)
    if prefix > MAX_PREFIX:
        raise PlanError(
            "cidr",
            vpc_cidr,
            f"is too small for {len(TIERS) * az_count} subnets of at least /{MAX_PREFIX}; "
            f"allowed: a VPC of /{MAX_PREFIX - bits_needed} or larger",
        )
    pool = vpc.subnets(new_prefix=prefix)
    order = ("private", "public", "database")
    carved: dict[str, list[str]] = {}
    for tier in order:
        carved[tier] = [str(next(pool)) for _ in range(az_count)]
    return {tier: carved[tier] for tier in TIERS}


def _subnet_of(vpc: ipaddress.IPv4Network) -> str:
    low = max(MIN_PREFIX, vpc.prefixlen)
    return f"a /{low}-/{MAX_PREFIX} subnet of the VPC CIDR {vpc}"


def check_subnets(vpc_cidr: str, az_count: int, tiers: Mapping[str, Sequence[str]]) -> list[PlanError]:
    """Every problem with explicit subnet CIDRs, not just the first."""
    problems: list[PlanError] = []
    vpc = parse_network(vpc_cidr)
    seen: list[tuple[str, ipaddress.IPv4Network]] = []
    for tier in TIERS:
        key = TIER_KEYS[tier]
        cidrs = list(tiers.get(tier, ()))
        if len(cidrs) != az_count:
            problems.append(
                PlanError(
                    key,
                    cidrs,
                    f"lists {len(cidrs)} CIDR(s) but azCount is {az_count}; "
                    f"allowed: exactly {az_count} CIDRs (one subnet per AZ), or leave the key out to carve "
                    "them from cidr",
                )
            )
        for i, raw in enumerate(cidrs):
            item_key = f"{key}[{i}]"
            try:
                net = parse_network(raw)
            except ValueError as exc:
                problems.append(
                    PlanError(item_key, raw, f"is not a valid IPv4 CIDR ({exc}); allowed: {_subnet_of(vpc)}")
                )
                continue
            if not MIN_PREFIX <= net.prefixlen <= MAX_PREFIX:
                problems.append(
                    PlanError(
                        item_key,
                        raw,
                        f"has prefix /{net.prefixlen}; allowed: {_subnet_of(vpc)} (AWS subnets are "
                        f"/{MIN_PREFIX} to /{MAX_PREFIX})",
                    )
                )
            if not net.subnet_of(vpc):
                problems.append(
                    PlanError(item_key, raw, f"is outside the VPC CIDR {vpc_cidr}; allowed: {_subnet_of(vpc)}")
                )
            for other_key, other in seen:
                if net.overlaps(other):
                    problems.append(
                        PlanError(
                            item_key,
                            raw,
                            f"overlaps {other_key} ({other}); allowed: {_subnet_of(vpc)} that overlaps no other subnet",
                        )
                    )
            seen.append((item_key, net))
    return problems


def nat_layout(strategy: NatStrategy, az_count: int) -> tuple[tuple[int, ...], tuple[int | None, ...]]:
    """Where NAT gateways go and which one each private subnet uses.

    `perAz` keeps each private subnet's egress in its own AZ (no cross-AZ data charges and no
    shared failure); `single` trades that for one gateway's cost; `none` gives no egress at all.
    """
    if strategy == "none":
        return (), tuple(None for _ in range(az_count))
    if strategy == "single":
        return (0,), tuple(0 for _ in range(az_count))
    return tuple(range(az_count)), tuple(range(az_count))


def plan_network(
    vpc_cidr: str,
    az_count: int,
    nat: NatStrategy,
    public: Sequence[str] | None = None,
    private: Sequence[str] | None = None,
    database: Sequence[str] | None = None,
) -> NetworkPlan:
    """Build the whole plan, raising the first `PlanError` (the config model reports all)."""
    given = {"public": public, "private": private, "database": database}
    carved = carve_subnets(vpc_cidr, az_count) if any(v is None for v in given.values()) else {}
    tiers: dict[str, Sequence[str]] = {t: (v if v is not None else carved[t]) for t, v in given.items()}
    problems = check_subnets(vpc_cidr, az_count, tiers)
    if problems:
        raise problems[0]
    subnets = tuple(
        SubnetPlan(tier=tier, index=i, cidr=str(parse_network(cidr)), az_index=i)
        for tier in TIERS
        for i, cidr in enumerate(tiers[tier])
    )
    nat_azs, private_nat = nat_layout(nat, az_count)
    return NetworkPlan(
        vpc_cidr=vpc_cidr,
        az_count=az_count,
        subnets=subnets,
        nat_az_indices=nat_azs,
        private_nat_index=private_nat,
    )
