"""Helpers for the spot selection tests: a fake live market fed with the real bundled data."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from secure_platform.spot.market import FileMarket, SourceUnavailableError
from secure_platform.spot.model import InstanceType, PriceHistory, Zone
from secure_platform.spot.requirements import SpotRequirements, parse_requirements

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def requirements(**overrides: Any) -> SpotRequirements:
    raw: dict[str, Any] = {
        "region": "us-east-1",
        "vcpus": {"min": 2, "max": 4},
        "memoryGib": {"min": 4, "max": 16},
        "capacity": 6,
        "allowedAvailabilityZones": ["us-east-1a", "us-east-1b", "us-east-1c"],
    }
    raw.update(overrides)
    return parse_requirements(raw)


class FakeMarket:
    """A `MarketSource` answering like AWS would, from the bundled real data.

    Spot price history is synthesised per pool from the Spot Advisor estimate (on-demand x
    (1 - savings)), with a per-AZ offset and +-2 % steps every 12 hours (seeded, so stable). Tests
    move prices with `factor` (per type) and `market_factor` (everything), and make calls fail
    with `fail` (method name -> exception).
    """

    label = "AWS"

    def __init__(self, region: str = "us-east-1", now: datetime = NOW) -> None:
        self.region = region
        self.now = now
        self.files = FileMarket()
        self.notes: list[str] = []
        self.factor: dict[str, float] = {}
        self.market_factor = 1.0
        self.scores: dict[str, int] | None = None
        self.fail: dict[str, Exception] = {}
        self.calls: list[str] = []
        self.removed: set[str] = set()
        self._advisor = self.files.advisor(region)
        self._on_demand, _ = self.files.on_demand(region)

    def _maybe_fail(self, name: str) -> None:
        self.calls.append(name)
        if name in self.fail:
            raise self.fail[name]

    def zones(self) -> list[Zone]:
        self._maybe_fail("zones")
        return self.files.zones(self.region)

    def instance_types(self, req: SpotRequirements) -> dict[str, InstanceType]:
        self._maybe_fail("instance_types")
        catalogue, _ = self.files.catalogue()
        return {n: t for n, t in catalogue.items() if n not in self.removed and t.architecture in req.arch_list}

    def offerings(self, types: Sequence[str], zones: Sequence[Zone]) -> dict[str, frozenset[str]]:
        self._maybe_fail("offerings")
        bundled = self.files.offerings(self.region) or {}
        names = {z.name for z in zones}
        return {t: bundled[t] & names for t in types if t in bundled and bundled[t] & names and t not in self.removed}

    def base_price(self, instance_type: str) -> float | None:
        entry = self._advisor.get(instance_type)
        od = self._on_demand.get(instance_type)
        if entry is None or od is None:
            return None
        return od * (1 - entry.savings_percent / 100)

    def spot_price_history(
        self, types: Sequence[str], zones: Sequence[Zone], start: datetime, end: datetime
    ) -> PriceHistory:
        self._maybe_fail("spot_price_history")
        out: PriceHistory = {}
        for t in types:
            base = self.base_price(t)
            if base is None:
                continue
            for index, zone in enumerate(zones):
                rng = random.Random(f"{t}/{zone.name}")
                level = base * (1 + 0.03 * index) * self.factor.get(t, 1.0) * self.market_factor
                points = []
                at = start - timedelta(hours=6)
                while at <= end:
                    points.append((at, round(level * (1 + rng.uniform(-0.02, 0.02)), 5)))
                    at += timedelta(hours=12)
                out[(t, zone.name)] = points
        return out

    def on_demand_prices(self, types: Sequence[str]) -> dict[str, float]:
        self._maybe_fail("on_demand_prices")
        return {t: self._on_demand[t] for t in types if t in self._on_demand}

    def placement_scores(self, types: Sequence[str], target_capacity: int) -> dict[str, int]:
        self._maybe_fail("placement_scores")
        if self.scores is not None:
            return dict(self.scores)
        return {z.id: 9 for z in self.files.zones(self.region)}


def denied(what: str) -> SourceUnavailableError:
    return SourceUnavailableError(what, "not permitted (UnauthorizedOperation)")


def shared_market_data() -> Path | None:
    """The shared snapshot of the real AWS market data next to the checkout, if this machine has it."""
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "data"
        if (candidate / "spot-advisor-data.json").is_file():
            return candidate
    return None
