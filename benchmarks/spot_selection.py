"""Benchmark of the spot selection on the bundled real market data (us-east-1).

    venv/bin/python benchmarks/spot_selection.py [--days 90] [--seed 7]

Part 1 - what the choice costs and risks today, per requirement profile, against:
  (a) fixed on-demand t3.medium / t3.large (the design's node types),
  (b) naive cheapest-now: the N types with the lowest current spot price per vCPU among those that
      meet the same requirements (ranges, architecture, no burstable, generation >= 5, AZs), with
      no interruption, stability or node-shape rules,
  (c) the single cheapest of those types.
Prices are the Spot Advisor estimates (on-demand x (1 - savings)) of the bundled data, the only
real spot prices available offline. "Interruption" is the expected share of the group interrupted
per month (Spot Advisor bucket midpoints: <5 % -> 2.5 %, ... >20 % -> 25 %), capacity spread evenly
over the types; "pool share" is the capacity one interrupted pool (type) takes out.

Part 2 - churn under simulated price noise: each pool's price follows a mean-reverting random walk
around its real estimate (daily volatility `sigma`), with one-day spikes (2 %/day, x1.3-2) and
rare persistent level shifts (0.5 %/type/day, +-10-40 %). The selection is re-evaluated daily on a
14-day history window for `--days` days. Churn = changes of the instance-type set per 30 days
(each one replaces the managed node group); cost = the average price actually paid per vCPU-hour.
The prices are simulated: they show the behaviour of the rules, not a forecast of AWS prices.
"Reorders" counts days on which the fresh choice was the same set as the day before in another
order (each would replace a node group whose list came from it; the order is canonical, so 0).

Part 3 - diversity under a strict interruption cap (8-16 vCPU, x86_64, bucket <= 1) for several
memory ranges: families in the selection, its USD per vCPU-hour, and the ratio to the cheapest
three-family set one node group could run (found exhaustively), on the bundled data and, with
`--shared DIR`, on another snapshot in the same format.
"""

from __future__ import annotations

import argparse
import itertools
import math
import random
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rich.console import Console
from rich.table import Table

from secure_platform.spot.churn import PreviousSelection, decide
from secure_platform.spot.engine import Live, gather
from secure_platform.spot.filters import market_filters, run_filters
from secure_platform.spot.market import FileMarket
from secure_platform.spot.model import BUCKET_RATES, InstanceType, MarketSnapshot, PriceHistory
from secure_platform.spot.requirements import SpotRequirements, parse_requirements
from secure_platform.spot.selection import candidates, group_shapes, select

REGION = "us-east-1"
ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"]
START = datetime(2026, 1, 1, tzinfo=UTC)
PROFILES: dict[str, dict[str, object]] = {
    "small web": {"vcpus": {"min": 2, "max": 4}, "memoryGib": {"min": 4, "max": 16}, "capacity": 6},
    "memory-heavy": {"vcpus": {"min": 4, "max": 8}, "memoryGib": {"min": 32, "max": 64}, "capacity": 4},
    "arm64": {
        "vcpus": {"min": 2, "max": 4},
        "memoryGib": {"min": 4, "max": 16},
        "architectures": ["arm64"],
        "capacity": 6,
    },
}
SEED_ON_DEMAND = ("t3.medium", "t3.large")


def requirements(profile: dict[str, object]) -> SpotRequirements:
    return parse_requirements({"region": REGION, "allowedAvailabilityZones": ZONES, **profile})


@dataclass
class Pick:
    name: str
    types: list[str]
    price: dict[str, float]
    """Spot (or on-demand, for the baseline) USD/h per type."""
    vcpus: dict[str, int]
    memory: dict[str, float]
    buckets: dict[str, int]
    shapes: int

    @property
    def per_vcpu_hour(self) -> float:
        return statistics.fmean(self.price[t] / self.vcpus[t] for t in self.types)

    @property
    def per_gib_hour(self) -> float:
        return statistics.fmean(self.price[t] / self.memory[t] for t in self.types)

    @property
    def interruption(self) -> float:
        return statistics.fmean(BUCKET_RATES[self.buckets[t]] for t in self.types) if self.buckets else 0.0


def naive_pool(req: SpotRequirements, snap: MarketSnapshot) -> list[InstanceType]:
    """The types meeting the same requirements, whatever their interruption risk."""
    loose = parse_requirements({**req.to_inputs(), "maxInterruptionBucket": 4})
    types, _ = run_filters(snap.catalogue.values(), market_filters(loose, snap))
    return [t for t in types if t.name in snap.on_demand and t.name in snap.advisor]


def current_price(snap: MarketSnapshot, name: str) -> float:
    if snap.history is not None and snap.history_end is not None:
        latest = [pts[-1][1] for (t, _z), pts in snap.history.items() if t == name and pts]
        if latest:
            return statistics.fmean(latest)
    return snap.on_demand[name] * (1 - snap.advisor[name].savings_percent / 100)


def naive(req: SpotRequirements, snap: MarketSnapshot, count: int) -> Pick:
    pool = sorted(naive_pool(req, snap), key=lambda t: (current_price(snap, t.name) / t.vcpus, t.name))[:count]
    return Pick(
        f"naive cheapest-now ({count})" if count > 1 else "single cheapest type",
        [t.name for t in pool],
        {t.name: current_price(snap, t.name) for t in pool},
        {t.name: t.vcpus for t in pool},
        {t.name: t.memory_gib for t in pool},
        {t.name: snap.advisor[t.name].bucket for t in pool},
        len({(t.vcpus, t.memory_gib) for t in pool}),
    )


def ours(req: SpotRequirements, snap: MarketSnapshot) -> Pick:
    sel = select(req, snap)
    return Pick(
        "this selection",
        sel.instance_types,
        {c.name: c.spot_price for c in sel.members},
        {c.name: c.info.vcpus for c in sel.members},
        {c.name: c.info.memory_gib for c in sel.members},
        {c.name: c.bucket for c in sel.members},
        1,
    )


def seed_on_demand(snap: MarketSnapshot) -> Pick:
    return Pick(
        "seed: on-demand t3.medium/t3.large",
        list(SEED_ON_DEMAND),
        {t: snap.on_demand[t] for t in SEED_ON_DEMAND},
        {t: snap.catalogue[t].vcpus for t in SEED_ON_DEMAND},
        {t: snap.catalogue[t].memory_gib for t in SEED_ON_DEMAND},
        {},
        2,
    )


def part_one(console: Console, files: FileMarket) -> None:
    for profile, raw in PROFILES.items():
        req = requirements(raw)
        snap = gather(req, files, Live(None, files.label), START)
        baseline = seed_on_demand(snap)
        began = time.perf_counter()
        mine = ours(req, snap)
        elapsed = (time.perf_counter() - began) * 1000
        picks = [mine, naive(req, snap, req.type_count), naive(req, snap, 1), baseline]
        table = Table(title=f"{profile}: vcpus {req.vcpus}, memoryGib {req.memory_gib}, {', '.join(req.architectures)}")
        for column in (
            "strategy",
            "types",
            "shapes",
            "$/vCPU-h",
            "vs seed OD",
            "$/GiB-h",
            "interruption/mo",
            "pool share",
        ):
            table.add_column(column, justify="left" if column in ("strategy", "types") else "right")
        for pick in picks:
            ratio = pick.per_vcpu_hour / baseline.per_vcpu_hour
            table.add_row(
                pick.name,
                ", ".join(pick.types),
                str(pick.shapes),
                f"{pick.per_vcpu_hour:.4f}",
                f"{ratio:.0%}",
                f"{pick.per_gib_hour:.4f}",
                f"{pick.interruption:.1%}" if pick.buckets else "0 (on-demand)",
                f"{1 / len(pick.types):.0%}",
            )
        console.print(table)
        console.print(f"  selection took {elapsed:.1f} ms on {len(snap.catalogue)} catalogue types", style="dim")


# --- part 2: churn under noise ----------------------------------------------------------------------


def simulate_history(
    snap: MarketSnapshot, names: list[str], days: int, sigma: float, rng: random.Random
) -> dict[tuple[str, str], list[tuple[datetime, float]]]:
    out: dict[tuple[str, str], list[tuple[datetime, float]]] = {}
    for name in names:
        base = snap.on_demand[name] * (1 - snap.advisor[name].savings_percent / 100)
        shift = 0.0
        shifts = []
        for _ in range(days):
            if rng.random() < 0.005:
                shift += rng.choice((-1, 1)) * rng.uniform(0.10, 0.40)
            shifts.append(shift)
        for index, zone in enumerate(ZONES):
            x = 0.0
            points = []
            for day in range(days):
                x = 0.95 * x + sigma * rng.gauss(0, 1)
                spike = rng.uniform(1.3, 2.0) if rng.random() < 0.02 else 1.0
                price = base * (1 + 0.03 * index) * math.exp(x + shifts[day]) * spike
                points.append((START + timedelta(days=day), round(min(price, snap.on_demand[name]), 6)))
            out[(name, zone)] = points
    return out


def window(full: PriceHistory, day: int) -> PriceHistory:
    cut = START + timedelta(days=day)
    return {k: [p for p in pts if p[0] <= cut] for k, pts in full.items()}


def paid(full: PriceHistory, types: list[str], vcpus: dict[str, int], day: int) -> float:
    """Price per vCPU-hour actually paid on `day` (capacity spread evenly over types and zones)."""
    return statistics.fmean(full[(t, z)][day][1] / vcpus[t] for t in types for z in ZONES if (t, z) in full)


def part_two(console: Console, files: FileMarket, days: int, seed: int) -> None:
    table = Table(title=f"churn over {days} days of simulated prices (changes per 30 days; average $/vCPU-h paid)")
    for column in (
        "profile",
        "noise",
        "this selection",
        "$/vCPU-h",
        "same, no churn rule",
        "$/vCPU-h ",
        "naive daily",
        "$/vCPU-h  ",
        "reorders",
    ):
        table.add_column(column, justify="left" if column == "profile" else "right")
    for profile, raw in PROFILES.items():
        req = requirements(raw)
        static = gather(req, files, Live(None, files.label), START)
        names = sorted({t.name for t in naive_pool(req, static)})
        vcpus = {n: static.catalogue[n].vcpus for n in names}
        for sigma in (0.02, 0.05, 0.10):
            rng = random.Random(f"{seed}/{profile}/{sigma}")
            full = simulate_history(static, names, days + 14, sigma, rng)
            guarded: list[str] | None = None
            changes = {"guarded": 0, "fresh": 0, "naive": 0}
            held: dict[str, list[str]] = {}
            reorders = 0
            cost: dict[str, list[float]] = {"guarded": [], "fresh": [], "naive": []}
            for day in range(14, days + 14):
                snap = MarketSnapshot(
                    region=REGION,
                    now=START + timedelta(days=day),
                    history_days=req.price_history_days,
                    zones=static.zones,
                    catalogue=static.catalogue,
                    offerings=static.offerings,
                    history=window(full, day),
                    history_end=START + timedelta(days=day),
                    on_demand=static.on_demand,
                    on_demand_proxied=False,
                    advisor=static.advisor,
                )
                fresh = select(req, snap)
                if guarded is None:
                    guarded = fresh.instance_types
                else:
                    previous = PreviousSelection(guarded, req.to_inputs(), "history")
                    if decide(req, snap, previous, fresh).reselect:
                        guarded = fresh.instance_types
                        changes["guarded"] += 1
                today = {
                    "guarded": guarded,
                    "fresh": fresh.instance_types,
                    "naive": naive(req, snap, req.type_count).types,
                }
                for key, types in today.items():
                    if key in held and set(held[key]) != set(types) and key != "guarded":
                        changes[key] += 1
                    if key == "fresh" and key in held and set(held[key]) == set(types) and held[key] != types:
                        reorders += 1
                    held[key] = types
                    cost[key].append(paid(full, types, vcpus, day))
            per_month = {k: v * 30 / days for k, v in changes.items()}
            table.add_row(
                profile,
                f"{sigma:.0%}/day",
                f"{per_month['guarded']:.2f}",
                f"{statistics.fmean(cost['guarded']):.4f}",
                f"{per_month['fresh']:.2f}",
                f"{statistics.fmean(cost['fresh']):.4f}",
                f"{per_month['naive']:.2f}",
                f"{statistics.fmean(cost['naive']):.4f}",
                str(reorders),
            )
    console.print(table)


STRICT_MEMORY = ((1, 1000), (16, 32), (32, 64), (32, 128), (64, 128))


def three_family_floor(req: SpotRequirements, snap: MarketSnapshot) -> float | None:
    cands, _ = candidates(req, snap)
    best: float | None = None
    for members in group_shapes(cands).values():
        for trio in itertools.combinations(members, 3):
            if len({c.info.family for c in trio}) == 3:
                price = statistics.fmean(c.price_per_vcpu for c in trio)
                best = price if best is None else min(best, price)
    return best


def part_three(console: Console, sources: dict[str, FileMarket]) -> None:
    table = Table(title="strict interruption cap: 8-16 vCPU, x86_64, maxInterruptionBucket 1")
    for column in ("data", "memoryGib", "types", "families", "$/vCPU-h", "cheapest 3-family set", "ratio"):
        table.add_column(column, justify="left" if column in ("data", "types") else "right")
    for label, files in sources.items():
        for low, high in STRICT_MEMORY:
            req = parse_requirements(
                {
                    "region": REGION,
                    "vcpus": {"min": 8, "max": 16},
                    "memoryGib": {"min": low, "max": high},
                    "maxInterruptionBucket": 1,
                }
            )
            snap = gather(req, files, Live(None, files.label), START)
            sel = select(req, snap)
            floor = three_family_floor(req, snap)
            table.add_row(
                label,
                f"{low}-{high}",
                ", ".join(sel.instance_types),
                str(len({c.info.family for c in sel.members})),
                f"{sel.price_per_vcpu_hour:.4f}",
                f"{floor:.4f}" if floor is not None else "none (fewer than 3 families)",
                f"{sel.price_per_vcpu_hour / floor:.2f}x" if floor is not None else "-",
            )
    console.print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, default=90, help="days of simulated re-evaluation (default 90)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--shared", type=Path, default=None, help="another market data snapshot for part 3")
    args = parser.parse_args()
    console = Console(width=max(140, Console().width))
    files = FileMarket()
    console.rule("Part 1: cost and interruption exposure on the bundled real data (us-east-1)")
    part_one(console, files)
    console.rule("Part 2: churn under simulated price noise")
    part_two(console, files, args.days, args.seed)
    console.rule("Part 3: diversity under a strict interruption cap")
    sources = {"bundled": files}
    if args.shared is not None:
        sources[str(args.shared)] = FileMarket(args.shared)
    part_three(console, sources)


if __name__ == "__main__":
    main()
