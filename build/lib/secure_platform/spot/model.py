"""Plain values shared by the selection logic, the market-data sources and the provider (pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Architecture = Literal["x86_64", "arm64"]
ARCHITECTURES: tuple[Architecture, ...] = ("x86_64", "arm64")
PriceBasis = Literal["history", "estimate"]

# Spot Advisor interruption-frequency buckets (share of instances interrupted in a month).
BUCKET_LABELS = ("<5%", "5-10%", "10-15%", "15-20%", ">20%")
# The bucket's midpoint, used as the expected monthly interruption rate (">20 %" taken as 25 %).
BUCKET_RATES = (0.025, 0.075, 0.125, 0.175, 0.25)

_FAMILY = re.compile(r"^(?P<category>[a-z]+?)(?P<generation>\d+)(?P<options>[a-z0-9-]*)$")


def family_of(instance_type: str) -> str:
    """`m7i-flex.large` -> `m7i-flex`."""
    return instance_type.split(".", 1)[0]


def category_and_generation(family: str) -> tuple[str, int]:
    """`m7i-flex` -> ("m", 7), `im4gn` -> ("im", 4); families without a generation digit give 0."""
    match = _FAMILY.match(family)
    if match is None:
        return family.split("-", 1)[0], 0
    return match["category"], int(match["generation"])


@dataclass(frozen=True)
class InstanceType:
    """What the selection needs from `DescribeInstanceTypes` for one type."""

    name: str
    vcpus: int
    memory_gib: float
    architecture: str
    burstable: bool = False
    current_generation: bool = True
    bare_metal: bool = False
    accelerated: bool = False
    spot_supported: bool = True
    manufacturer: str = ""

    @property
    def family(self) -> str:
        return family_of(self.name)

    @property
    def category(self) -> str:
        return category_and_generation(self.family)[0]

    @property
    def generation(self) -> int:
        return category_and_generation(self.family)[1]


@dataclass(frozen=True)
class Zone:
    name: str
    id: str


@dataclass(frozen=True)
class AdvisorEntry:
    """One Spot Advisor record: savings versus on-demand (%) and interruption bucket (0-4)."""

    savings_percent: float
    bucket: int


PriceHistory = dict[tuple[str, str], list[tuple[datetime, float]]]
"""(instance type, zone name) -> [(timestamp, USD per hour)], as `DescribeSpotPriceHistory` reports it."""


@dataclass
class MarketSnapshot:
    """Everything the selection reads, gathered once (from AWS, the bundled data or a mix)."""

    region: str
    now: datetime
    history_days: int
    zones: list[Zone]
    """The zones the selection may use (the requested ones that exist), in a stable order."""
    catalogue: dict[str, InstanceType]
    offerings: dict[str, frozenset[str]] | None
    """type -> zone names offering it; None when no offering data exists for the region."""
    history: PriceHistory | None
    """Spot price history; None when none could be read (prices are then Spot Advisor estimates)."""
    history_end: datetime | None
    on_demand: dict[str, float]
    on_demand_proxied: bool
    """On-demand prices are another region's (relative order only; absolute dollars are estimates)."""
    advisor: dict[str, AdvisorEntry]
    sources: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    live: frozenset[str] = frozenset()
    """Which parts came from AWS just now ("catalogue", "offerings", "spotPrices", "onDemandPrices")."""
    inferred: frozenset[str] = frozenset()
    """Types known only from the Spot Advisor file: architecture and generation inferred from the name."""

    @property
    def price_basis(self) -> PriceBasis:
        return "history" if self.history is not None else "estimate"

    def zone_by_name(self) -> dict[str, Zone]:
        return {z.name: z for z in self.zones}

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)
