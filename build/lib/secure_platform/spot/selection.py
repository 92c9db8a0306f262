"""Rank, group and diversify spot instance types (pure).

How a choice is made, in the spirit of EC2's price-capacity-optimized allocation:

1. Filters (`filters.py`) drop types that do not fit the requirements, are riskier than the
   tolerated Spot Advisor bucket, or are not offered in enough of the group's AZs.
2. Each remaining type is priced per AZ: a forecast from the spot price history (`forecast.py`),
   or, without history, the Spot Advisor estimate `on_demand x (1 - savings)`. Pools with no price
   in an AZ are treated as not offered there; types whose spot price is within 10 % of on-demand
   are dropped (spot is then not worth its interruptions).
3. Each type gets a risk-adjusted score in USD per vCPU-hour:
   `price / vcpus x (1 + volatility) x (1 + interruption rate) x (1 + 0.1 x missing-AZ share)`.
4. Types are grouped by *shape* (same vCPUs, memory within 10 %): the cluster autoscaler treats a
   node group as uniform, so mixing 4 GiB and 8 GiB nodes in one group makes it schedule pods onto
   nodes that cannot hold them. In each shape the best `typeCount` types are picked greedily, with
   a small penalty for a second type of the same hardware lineage (category, generation, CPU
   maker), so one capacity crunch does not take out the group.
5. The shape with the lowest mean score wins; a shape that cannot supply `typeCount` types pays a
   depth penalty (its interruptions hit a larger share of the group).
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from .filters import (
    EmptySelectionError,
    FilterStep,
    bucket_of,
    market_filters,
    required_zones,
    run_filters,
)
from .forecast import forecast
from .model import BUCKET_LABELS, BUCKET_RATES, InstanceType, MarketSnapshot, PriceBasis
from .requirements import SpotRequirements

MAX_SPOT_TO_ON_DEMAND = 0.9
VOLATILITY_WEIGHT = 1.0
INTERRUPTION_WEIGHT = 1.0
COVERAGE_WEIGHT = 0.1
DEPTH_WEIGHT = 0.4
LINEAGE_PENALTY = 0.05
MEMORY_TOLERANCE = 0.10
ANY_ZONE = "*"
"""Pseudo-zone for regions whose AZs are unknown offline (no offering data)."""


@dataclass(frozen=True)
class Candidate:
    info: InstanceType
    zone_prices: dict[str, float]
    """Zone name -> expected spot price (USD/h) in that zone."""
    volatility: float
    on_demand: float | None
    bucket: int
    advisor_savings: float | None
    basis: PriceBasis
    coverage: float
    """Share of the group's zones in which this type has a spot price."""

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def spot_price(self) -> float:
        return statistics.fmean(self.zone_prices.values())

    @property
    def price_per_vcpu(self) -> float:
        return self.spot_price / self.info.vcpus

    @property
    def savings_percent(self) -> float | None:
        if self.on_demand:
            return (1 - self.spot_price / self.on_demand) * 100
        return self.advisor_savings

    @property
    def score(self) -> float:
        """Risk-adjusted USD per vCPU-hour (lower is better)."""
        return (
            self.price_per_vcpu
            * (1 + VOLATILITY_WEIGHT * self.volatility)
            * (1 + INTERRUPTION_WEIGHT * BUCKET_RATES[self.bucket])
            * (1 + COVERAGE_WEIGHT * (1 - self.coverage))
        )

    @property
    def lineage(self) -> tuple[str, int, str]:
        return self.info.category, self.info.generation, self.info.manufacturer

    def restricted(self, zones: set[str]) -> Candidate | None:
        kept = {z: p for z, p in self.zone_prices.items() if z in zones or z == ANY_ZONE}
        if not kept:
            return None
        return Candidate(
            self.info,
            kept,
            self.volatility,
            self.on_demand,
            self.bucket,
            self.advisor_savings,
            self.basis,
            self.coverage,
        )


@dataclass(frozen=True)
class Shape:
    vcpus: int
    memory_gib: float

    def __str__(self) -> str:
        return f"{self.vcpus} vCPU / {self.memory_gib:g} GiB"


def zone_names(snapshot: MarketSnapshot) -> list[str]:
    return [z.name for z in snapshot.zones] or [ANY_ZONE]


def price_type(
    req: SpotRequirements, snapshot: MarketSnapshot, info: InstanceType
) -> tuple[Candidate | None, str | None]:
    """Price one type in the snapshot's zones; (None, why) when it has no usable spot price."""
    zones = zone_names(snapshot)
    if snapshot.offerings is not None and snapshot.zones:
        offered = snapshot.offerings.get(info.name, frozenset())
        zones = [z for z in zones if z in offered]
    on_demand = snapshot.on_demand.get(info.name)
    entry = snapshot.advisor.get(info.name)
    bucket = bucket_of(info.name, snapshot.advisor)
    advisor_savings = float(entry.savings_percent) if entry is not None else None
    prices: dict[str, float] = {}
    volatility = 0.0
    if snapshot.history is not None and snapshot.history_end is not None:
        end = snapshot.history_end
        start = end - timedelta(days=req.price_history_days)
        vols: list[float] = []
        for zone in zones:
            fc = forecast(snapshot.history.get((info.name, zone), []), start=start, end=end)
            if fc is not None:
                prices[zone] = fc.expected
                vols.append(fc.volatility)
        if not prices:
            return None, f"no spot price history in the last {req.price_history_days} days"
        volatility = statistics.fmean(vols)
    else:
        if on_demand is None or entry is None:
            return None, "no on-demand price to estimate the spot price from"
        estimate = on_demand * (1 - entry.savings_percent / 100)
        prices = dict.fromkeys(zones, estimate)
    if len(prices) < required_zones(req, snapshot) and ANY_ZONE not in prices:
        return None, f"spot prices in only {len(prices)} zone(s)"
    candidate = Candidate(
        info=info,
        zone_prices=prices,
        volatility=volatility,
        on_demand=on_demand,
        bucket=bucket,
        advisor_savings=advisor_savings,
        basis=snapshot.price_basis,
        coverage=len(prices) / len(zone_names(snapshot)),
    )
    if on_demand is not None and candidate.spot_price >= MAX_SPOT_TO_ON_DEMAND * on_demand:
        return None, f"spot ${candidate.spot_price:.4f}/h is within 10 % of on-demand ${on_demand:.4f}/h"
    return candidate, None


def price_candidates(
    req: SpotRequirements, snapshot: MarketSnapshot, types: list[InstanceType], steps: list[FilterStep]
) -> tuple[list[Candidate], list[FilterStep]]:
    priced: list[Candidate] = []
    removed: list[str] = []
    for info in types:
        candidate, _why = price_type(req, snapshot, info)
        if candidate is None:
            removed.append(info.name)
        else:
            priced.append(candidate)
    basis = (
        f"spot price history of the last {req.price_history_days} days"
        if snapshot.history is not None
        else "Spot Advisor estimate"
    )
    step = FilterStep(
        "spot-price",
        "region",
        f"priced by {basis}, spot below 90 % of on-demand",
        len(types),
        len(priced),
        tuple(removed),
    )
    done = [*steps, step]
    if not priced:
        raise EmptySelectionError(step, done)
    return priced, done


def candidates(req: SpotRequirements, snapshot: MarketSnapshot) -> tuple[list[Candidate], list[FilterStep]]:
    """Every acceptable, priced type; raises `EmptySelectionError` naming the filter that emptied the set."""
    types, steps = run_filters(snapshot.catalogue.values(), market_filters(req, snapshot))
    return price_candidates(req, snapshot, types, steps)


def group_shapes(cands: list[Candidate]) -> dict[Shape, list[Candidate]]:
    """Same vCPUs, memory within `MEMORY_TOLERANCE` of the group's smallest."""
    by_vcpus: dict[int, list[Candidate]] = defaultdict(list)
    for c in cands:
        by_vcpus[c.info.vcpus].append(c)
    groups: dict[Shape, list[Candidate]] = {}
    for vcpus, members in by_vcpus.items():
        members.sort(key=lambda c: (c.info.memory_gib, c.name))
        current: list[Candidate] = []
        for c in members:
            if current and c.info.memory_gib > current[0].info.memory_gib * (1 + MEMORY_TOLERANCE):
                groups[Shape(vcpus, current[0].info.memory_gib)] = current
                current = []
            current.append(c)
        if current:
            groups[Shape(vcpus, current[0].info.memory_gib)] = current
    return groups


def pick_diversified(members: list[Candidate], count: int) -> list[Candidate]:
    remaining = sorted(members, key=lambda c: (c.score, c.name))
    chosen: list[Candidate] = []
    while remaining and len(chosen) < count:

        def adjusted(c: Candidate) -> tuple[float, str]:
            same = sum(1 for p in chosen if p.lineage == c.lineage)
            return c.score * (1 + LINEAGE_PENALTY * same), c.name

        best = min(remaining, key=adjusted)
        chosen.append(best)
        remaining.remove(best)
    return chosen


def group_score(picked: list[Candidate], count: int) -> float:
    shortfall = max(0, count - len(picked)) / count
    return statistics.fmean(c.score for c in picked) * (1 + DEPTH_WEIGHT * shortfall)


@dataclass(frozen=True)
class Choice:
    shape: Shape
    picked: list[Candidate]
    score: float
    shapes_considered: int
    runner_up: tuple[Shape, float] | None


def choose(req: SpotRequirements, cands: list[Candidate], exclude: frozenset[Shape] = frozenset()) -> Choice | None:
    groups = {s: m for s, m in group_shapes(cands).items() if s not in exclude}
    if not groups:
        return None
    ranked: list[tuple[float, Shape, list[Candidate]]] = []
    for shape, members in groups.items():
        picked = pick_diversified(members, req.type_count)
        ranked.append((group_score(picked, req.type_count), shape, picked))
    ranked.sort(key=lambda r: (r[0], r[1].vcpus, r[1].memory_gib))
    score, shape, picked = ranked[0]
    runner = (ranked[1][1], ranked[1][0]) if len(ranked) > 1 else None
    return Choice(shape, picked, score, len(ranked), runner)


@dataclass
class Selection:
    """A chosen set of types, with everything the outputs report."""

    region: str
    shape: Shape
    members: list[Candidate]
    zones: list[str]
    zone_ids: list[str]
    capacity: int
    score: float
    basis: PriceBasis
    reason: str = ""
    warnings: list[str] = field(default_factory=list)
    placement_scores: dict[str, int] = field(default_factory=dict)
    steps: list[FilterStep] = field(default_factory=list)
    choice: Choice | None = None

    @property
    def instance_types(self) -> list[str]:
        return [c.name for c in self.members]

    @property
    def mean_spot_price(self) -> float:
        return statistics.fmean(c.spot_price for c in self.members)

    @property
    def expected_hourly_usd(self) -> float:
        return self.capacity * self.mean_spot_price

    @property
    def on_demand_hourly_usd(self) -> float | None:
        if any(c.on_demand is None for c in self.members):
            return None
        return self.capacity * statistics.fmean(c.on_demand or 0.0 for c in self.members)

    @property
    def savings_percent(self) -> float | None:
        od = self.on_demand_hourly_usd
        return (1 - self.expected_hourly_usd / od) * 100 if od else None

    @property
    def price_per_vcpu_hour(self) -> float:
        return statistics.fmean(c.price_per_vcpu for c in self.members)

    @property
    def interruption_rate(self) -> float:
        """Expected monthly share of the group interrupted (capacity spread evenly over the types)."""
        return statistics.fmean(BUCKET_RATES[c.bucket] for c in self.members)

    def details(self, zone_ids: dict[str, str]) -> list[dict[str, Any]]:
        out = []
        for c in self.members:
            zones = [z for z in self.zones if z in c.zone_prices] or sorted(z for z in c.zone_prices if z != ANY_ZONE)
            savings = c.savings_percent
            out.append(
                {
                    "instanceType": c.name,
                    "vcpus": c.info.vcpus,
                    "memoryGib": c.info.memory_gib,
                    "architecture": c.info.architecture,
                    "spotPrice": _money(c.spot_price),
                    "onDemandPrice": _money(c.on_demand) if c.on_demand is not None else None,
                    "savingsPercent": round(savings, 1) if savings is not None else None,
                    "interruptionBucket": c.bucket,
                    "interruptionFrequency": BUCKET_LABELS[c.bucket],
                    "availabilityZones": zones,
                    "availabilityZoneIds": [zone_ids[z] for z in zones if z in zone_ids],
                    "priceVolatility": round(c.volatility, 4),
                    "riskAdjustedUsdPerVcpuHour": _money(c.score),
                }
            )
        return out


def _money(value: float) -> float:
    return round(value, 6)


def group_zones(picked: list[Candidate], ordered_zones: list[str]) -> list[str]:
    """Zones where at least two of the types (or the only one) can launch: one pool per AZ is fragile."""
    need = 1 if len(picked) == 1 else 2
    return [z for z in ordered_zones if sum(1 for c in picked if z in c.zone_prices) >= need]


def build_selection(
    req: SpotRequirements,
    snapshot: MarketSnapshot,
    choice: Choice,
    steps: list[FilterStep],
    allowed_zones: set[str] | None = None,
) -> Selection:
    ordered = zone_names(snapshot)
    members = choice.picked
    if allowed_zones is not None:
        kept = [c.restricted(allowed_zones) for c in members]
        members = [c for c in kept if c is not None]
        ordered = [z for z in ordered if z in allowed_zones]
    zones = [z for z in group_zones(members, ordered) if z != ANY_ZONE]
    # The autoscaler models a node group on one type: put the smallest-memory type first so it never
    # assumes more memory than the smallest node has; then best score first.
    members = sorted(members, key=lambda c: (c.info.memory_gib, c.score, c.name))
    by_name = snapshot.zone_by_name()
    selection = Selection(
        region=req.region,
        shape=choice.shape,
        members=members,
        zones=zones,
        zone_ids=[by_name[z].id for z in zones if z in by_name],
        capacity=req.capacity,
        score=choice.score,
        basis=snapshot.price_basis,
        steps=steps,
        choice=choice,
    )
    if len(members) < req.type_count:
        selection.warnings.append(
            f"only {len(members)} type(s) of shape {choice.shape} qualify; fewer than typeCount {req.type_count}"
        )
    if len(zones) < required_zones(req, snapshot) and snapshot.zones:
        selection.warnings.append(
            f"the types overlap in only {len(zones)} AZ(s) ({', '.join(zones) or 'none'}); "
            f"minAvailabilityZones is {req.min_availability_zones}"
        )
    selection.reason = describe(req, snapshot, selection, choice)
    return selection


def describe(req: SpotRequirements, snapshot: MarketSnapshot, selection: Selection, choice: Choice) -> str:
    basis = (
        f"{req.price_history_days}-day spot price history"
        if snapshot.history is not None
        else "Spot Advisor savings estimates (no price history)"
    )
    worst = max(c.bucket for c in selection.members)
    families = ", ".join(sorted({c.info.family for c in selection.members}))
    savings = selection.savings_percent
    cost = f"${selection.expected_hourly_usd:.4f}/h for {req.capacity} instance(s)"
    if savings is not None:
        cost += f", {savings:.0f} % below on-demand"
    runner = ""
    if choice.runner_up is not None:
        other, other_score = choice.runner_up
        runner = f"; next best shape {other} scores ${other_score:.4f}"
    return (
        f"{len(selection.members)} type(s) of shape {choice.shape} ({families}): the lowest risk-adjusted price, "
        f"${choice.score:.4f} per vCPU-hour, of {choice.shapes_considered} shape(s) fitting vcpus {req.vcpus} "
        f"and memoryGib {req.memory_gib}{runner}; priced from {basis}; interruption {BUCKET_LABELS[worst]} at worst; "
        f"expected {cost}."
    )


def select(req: SpotRequirements, snapshot: MarketSnapshot, exclude: frozenset[Shape] = frozenset()) -> Selection:
    """The best diversified selection; raises `EmptySelectionError` when nothing qualifies."""
    cands, steps = candidates(req, snapshot)
    choice = choose(req, cands, exclude) or choose(req, cands)
    if choice is None:  # pragma: no cover - candidates() never returns an empty list
        raise EmptySelectionError(steps[-1], steps)
    return build_selection(req, snapshot, choice, steps)


def cost_per_vcpu_hour(prices: dict[str, float], vcpus: dict[str, int]) -> float:
    """Mean USD per vCPU-hour of a set of types (capacity spread evenly over them)."""
    return statistics.fmean(prices[t] / vcpus[t] for t in prices) if prices else math.inf
