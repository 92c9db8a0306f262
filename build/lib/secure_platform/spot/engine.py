"""One evaluation: gather the market (live where possible, files otherwise), select, decide churn.

This is the only place that mixes I/O with the pure selection: the provider, `offline_create`
and the CLI all call `evaluate`, so the preview, the deployment and a person at a terminal get the
same answer from the same data.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from .churn import Decision, PreviousSelection, decide
from .filters import interruption_filters, static_filters
from .market import FileMarket, MarketDataError, MarketSource, SourceUnavailableError
from .model import AdvisorEntry, InstanceType, MarketSnapshot, PriceHistory, Zone
from .requirements import SpotRequirements
from .selection import Choice, Selection, Shape, build_selection, price_type, select

T = TypeVar("T")

OUTPUT_KEYS = (
    "instanceTypes",
    "details",
    "availabilityZones",
    "availabilityZoneIds",
    "expectedHourlyUsd",
    "onDemandHourlyUsd",
    "savingsPercent",
    "expectedUsdPerVcpuHour",
    "reason",
    "warnings",
    "dataSources",
    "priceBasis",
    "placementScores",
    "selectedAt",
    "selectionInputs",
    "lastDecision",
)


class Live:
    """A live source that goes quiet after a fatal failure (no credentials, no network).

    Failures become warnings (collected in `warnings`) and `None` answers: the caller falls back.
    """

    def __init__(self, source: MarketSource | None, fallback_label: str) -> None:
        self.source = source
        self.dead: str | None = None if source is not None else "not used"
        self._fallback = fallback_label
        self.warnings: list[str] = []

    def call(self, what: str, fn: Callable[[MarketSource], T]) -> T | None:
        if self.source is None or self.dead is not None:
            return None
        try:
            return fn(self.source)
        except SourceUnavailableError as exc:
            if exc.fatal:
                self.dead = exc.reason
                self.warnings.append(f"AWS market data unavailable ({exc.reason}); using {self._fallback} instead")
            else:
                self.warnings.append(f"{exc.what} {exc.reason}; using {self._fallback} for {what}")
            return None


def _choose_zones(req: SpotRequirements, known: list[Zone], snapshot_warnings: list[str]) -> list[Zone]:
    requested = req.allowed_availability_zones
    if not requested:
        return known
    if not known:
        return [Zone(name, "") for name in requested]
    names = {z.name for z in known}
    unknown = [r for r in requested if r not in names]
    if unknown:
        snapshot_warnings.append(
            f"allowedAvailabilityZones {unknown} are not AZs of {req.region} (known: {', '.join(sorted(names))})"
        )
    chosen = [z for z in known if z.name in requested]
    if not chosen:
        raise MarketDataError(
            f"allowedAvailabilityZones {requested}: none is an AZ of {req.region}; known: {', '.join(sorted(names))}"
        )
    return chosen


def gather(req: SpotRequirements, files: FileMarket, live: Live, now: datetime) -> MarketSnapshot:
    """Read everything the selection needs; each part falls back to `files` on its own."""
    warnings = live.warnings
    sources: dict[str, str] = {}
    live_parts: set[str] = set()

    advisor = files.advisor(req.region)
    sources["interruption"] = files.describe("interruption")

    zones = live.call("availability zones", lambda s: s.zones())
    if zones is not None:
        sources["zones"] = "AWS DescribeAvailabilityZones"
    else:
        zones = files.zones(req.region)
        sources["zones"] = files.describe("offerings") if zones else "unknown"
        if not zones:
            warnings.append(
                f"no AZ data for {req.region} in {files.label}: AZ offerings are not checked"
                + ("" if req.allowed_availability_zones else " and no availabilityZones are reported")
            )
        elif req.allowed_availability_zones:
            warnings.append(
                "AZ names were mapped to zone IDs with the bundled snapshot's mapping; "
                "names map to different zones in each account (zone IDs do not)"
            )
    zones = _choose_zones(req, zones, warnings)

    guessed: list[str] = []
    catalogue = live.call("the instance catalogue", lambda s: s.instance_types(req))
    if catalogue is not None:
        sources["catalogue"] = "AWS DescribeInstanceTypes"
        live_parts.add("catalogue")
    else:
        catalogue, guessed = files.catalogue()
        sources["catalogue"] = files.describe("catalogue")

    # Ask AWS only about types that can still qualify (fewer, smaller calls).
    quiet = [*static_filters(req), *interruption_filters(req, advisor)]
    names = sorted(t.name for t in catalogue.values() if all(f.keep(t) for f in quiet))

    offerings: dict[str, frozenset[str]] | None = None
    if zones and names:
        offerings = live.call("AZ offerings", lambda s: s.offerings(names, zones))
    if offerings is not None:
        sources["offerings"] = "AWS DescribeInstanceTypeOfferings"
        live_parts.add("offerings")
    else:
        offerings = files.offerings(req.region)
        sources["offerings"] = files.describe("offerings") if offerings is not None else "unknown"
    zone_set = {z.name for z in zones}
    offered = [n for n in names if offerings is None or (offerings.get(n, frozenset()) & zone_set) or not zones]

    history = None
    history_end: datetime | None = None
    start = now - timedelta(days=req.price_history_days)
    if offered and zones:
        history = live.call("spot prices", lambda s: s.spot_price_history(offered, zones, start, now))
        if history is not None and not history:
            warnings.append(f"DescribeSpotPriceHistory returned no Linux records for {len(offered)} candidate types")
            history = None
    if history is not None:
        history_end = now
        sources["spotPrices"] = f"AWS DescribeSpotPriceHistory, last {req.price_history_days} days"
        live_parts.add("spotPrices")
    else:
        from_file = files.history(req.region)
        if from_file is not None:
            history, history_end = from_file
            sources["spotPrices"] = files.describe("spotPrices") + f" (ends {history_end:%Y-%m-%d %H:%M} UTC)"
            if now - history_end > timedelta(days=2):
                warnings.append(
                    f"the spot price history file ends {history_end:%Y-%m-%d}; prices are as of then, not now"
                )
        else:
            sources["spotPrices"] = "Spot Advisor estimate (on-demand x (1 - savings))"
            warnings.append(
                "no spot price history: spot prices are Spot Advisor estimates (monthly averages that miss "
                "short spikes); availability zones are not priced separately"
            )

    on_demand, proxy = files.on_demand(req.region)
    sources["onDemandPrices"] = files.describe("onDemandPrices")
    if offered:
        ranked = _cheapest_first(offered, catalogue, history, on_demand, advisor)
        prices = live.call("on-demand prices", lambda s: s.on_demand_prices(ranked))
        if prices:
            on_demand = {**on_demand, **prices}
            sources["onDemandPrices"] = (
                f"AWS Price List for {len(prices)} type(s); others: {files.describe('onDemandPrices')}"
            )
            live_parts.add("onDemandPrices")
            proxy = None
    if proxy is not None:
        warnings.append(
            f"on-demand prices for {req.region} are not in {files.label}; {proxy}'s stand in: the ranking keeps "
            f"its order, but dollar figures are estimates"
        )
        sources["onDemandPrices"] += f" (proxy: {proxy} prices)"

    if live.source is not None:
        warnings.extend(live.source.notes)
        sources["placementScores"] = "AWS GetSpotPlacementScores" if live.dead is None else "unavailable"
    else:
        sources["placementScores"] = "not used (bundled data only)"

    snapshot = MarketSnapshot(
        region=req.region,
        now=now,
        history_days=req.price_history_days,
        zones=zones,
        catalogue=catalogue,
        offerings=offerings,
        history=history,
        history_end=history_end,
        on_demand=on_demand,
        on_demand_proxied=proxy is not None,
        advisor=advisor,
        sources=sources,
        warnings=warnings,
        live=frozenset(live_parts),
        inferred=frozenset(guessed) if "catalogue" not in live_parts else frozenset(),
    )
    return snapshot


def _cheapest_first(
    names: list[str],
    catalogue: dict[str, InstanceType],
    history: PriceHistory | None,
    on_demand: dict[str, float],
    advisor: dict[str, AdvisorEntry],
) -> list[str]:
    """Order types by a rough spot price per vCPU so the capped Price List calls go to likely picks."""

    def rough(name: str) -> float:
        vcpus = max(1, catalogue[name].vcpus)
        if history:
            latest = [points[-1][1] for (t, _z), points in history.items() if t == name and points]
            if latest:
                return statistics.fmean(latest) / vcpus
        entry = advisor.get(name)
        if name in on_demand and entry is not None:
            return on_demand[name] * (1 - entry.savings_percent / 100) / vcpus
        return math.inf

    return sorted(names, key=lambda n: (rough(n), n))


def place(req: SpotRequirements, snapshot: MarketSnapshot, selection: Selection, live: Live) -> Selection:
    """Drop AZs where AWS scores the chosen set's spot capacity below `minPlacementScore`."""
    if live.source is None or live.dead is not None or not selection.zones:
        return selection
    if len(selection.members) < 3:
        selection.warnings.append(
            "placement scores not requested: they need at least 3 instance types (one or two always score low)"
        )
        return selection
    per_zone = math.ceil(req.capacity / len(selection.zones))
    before = len(live.warnings)
    scores = live.call("placement scores", lambda s: s.placement_scores(selection.instance_types, per_zone))
    selection.warnings.extend(live.warnings[before:])
    del live.warnings[before:]
    if not scores:
        snapshot.sources["placementScores"] = "unavailable" if scores is None else "AWS GetSpotPlacementScores (empty)"
        if scores is not None:
            selection.warnings.append("GetSpotPlacementScores returned no scores; AZs not scored")
        return selection
    ids = {z.name: z.id for z in snapshot.zones}
    by_zone = {name: scores[ids[name]] for name in selection.zones if ids.get(name) in scores}
    good = {z for z, score in by_zone.items() if score >= req.min_placement_score}
    good |= {z for z in selection.zones if z not in by_zone}  # unscored zones are not penalised
    if not good:
        best = max(by_zone.values())
        selection.warnings.append(
            f"every AZ scores below minPlacementScore {req.min_placement_score} for these types (best {best}); "
            "kept them all: spot requests may be slow to fill"
        )
        selection.placement_scores = {ids[z]: s for z, s in by_zone.items()}
        return selection
    if good != set(selection.zones) and selection.choice is not None:
        dropped = sorted(set(selection.zones) - good)
        rebuilt = build_selection(req, snapshot, selection.choice, selection.steps, allowed_zones=good)
        rebuilt.warnings.insert(
            0,
            f"AZ(s) {', '.join(dropped)} dropped: placement score below {req.min_placement_score} "
            f"({', '.join(f'{z}={by_zone[z]}' for z in dropped)})",
        )
        selection = rebuilt
    selection.placement_scores = {ids[z]: s for z, s in by_zone.items()}
    return selection


@dataclass
class Evaluation:
    snapshot: MarketSnapshot
    fresh: Selection
    decision: Decision
    outputs: dict[str, Any]
    """The selection outputs to report: the fresh ones, or the previous ones kept."""


def selection_outputs(
    req: SpotRequirements, snapshot: MarketSnapshot, selection: Selection, now: datetime, decision: Decision
) -> dict[str, Any]:
    zone_ids = {z.name: z.id for z in snapshot.zones if z.id}
    od = selection.on_demand_hourly_usd
    inferred = [t for t in selection.instance_types if t in snapshot.inferred]
    if inferred:
        selection.warnings.append(
            f"{', '.join(inferred)} are known only from the Spot Advisor data: their architecture and "
            "generation were inferred from the name"
        )
    savings = selection.savings_percent
    return {
        "instanceTypes": selection.instance_types,
        "details": selection.details(zone_ids),
        "availabilityZones": selection.zones,
        "availabilityZoneIds": [zone_ids[z] for z in selection.zones if z in zone_ids],
        "expectedHourlyUsd": round(selection.expected_hourly_usd, 4),
        "onDemandHourlyUsd": round(od, 4) if od is not None else None,
        "savingsPercent": round(savings, 1) if savings is not None else None,
        "expectedUsdPerVcpuHour": round(selection.price_per_vcpu_hour, 6),
        "reason": selection.reason,
        "warnings": [*snapshot.warnings, *selection.warnings],
        "dataSources": dict(snapshot.sources),
        "priceBasis": snapshot.price_basis,
        "placementScores": dict(selection.placement_scores),
        "selectedAt": now.isoformat(timespec="seconds"),
        "selectionInputs": req.to_inputs(),
        "lastDecision": decision.reason,
    }


def kept_outputs(req: SpotRequirements, previous: dict[str, Any], decision: Decision) -> dict[str, Any]:
    """The previous selection unchanged; only figures that follow from new inputs are refreshed."""
    out = {k: previous[k] for k in OUTPUT_KEYS if k in previous}
    prices = [d.get("spotPrice") for d in previous.get("details") or [] if isinstance(d, dict)]
    if prices and all(isinstance(p, (int, float)) for p in prices):
        out["expectedHourlyUsd"] = round(req.capacity * statistics.fmean(float(p) for p in prices if p is not None), 4)
    ods = [d.get("onDemandPrice") for d in previous.get("details") or [] if isinstance(d, dict)]
    if ods and all(isinstance(p, (int, float)) for p in ods):
        out["onDemandHourlyUsd"] = round(req.capacity * statistics.fmean(float(p) for p in ods if p is not None), 4)
    out["selectionInputs"] = req.to_inputs()
    out["lastDecision"] = decision.reason
    return out


def reprice(req: SpotRequirements, snapshot: MarketSnapshot, names: list[str]) -> Selection | None:
    """The given types as a selection on today's market (for a kept `--previous` list)."""
    members = []
    for name in names:
        info = snapshot.catalogue.get(name)
        candidate = price_type(req, snapshot, info)[0] if info is not None else None
        if candidate is not None:
            members.append(candidate)
    if not members:
        return None
    shape = Shape(members[0].info.vcpus, min(c.info.memory_gib for c in members))
    choice = Choice(shape, members, statistics.fmean(c.score for c in members), 1, None)
    selection = build_selection(req, snapshot, choice, [])
    missing = [n for n in names if n not in selection.instance_types]
    if missing:
        selection.warnings.append(f"no current price for {', '.join(missing)}")
    return selection


def evaluate(
    req: SpotRequirements,
    *,
    files: FileMarket | None = None,
    source: MarketSource | None = None,
    previous: PreviousSelection | None = None,
    previous_outputs: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> Evaluation:
    """Select on today's market and decide whether the previous selection (if any) stands.

    Raises `EmptySelectionError` (nothing qualifies: names the filter), `MarketDataError` (files do not
    cover the region), never a boto3 error.
    """
    now = now or datetime.now(UTC)
    files = files or FileMarket()
    live = Live(source if req.data_source == "aws" else None, files.label)
    snapshot = gather(req, files, live, now)
    fresh = place(req, snapshot, select(req, snapshot), live)
    decision = decide(req, snapshot, previous, fresh)
    if decision.reselect or previous is None:
        outputs = selection_outputs(req, snapshot, fresh, now, decision)
    elif previous_outputs is not None:
        outputs = kept_outputs(req, previous_outputs, decision)
    else:
        kept = reprice(req, snapshot, previous.instance_types)
        if kept is None:
            outputs = selection_outputs(req, snapshot, fresh, now, decision)
        else:
            kept.reason = f"previous selection kept ({decision.reason})"
            outputs = selection_outputs(req, snapshot, kept, now, decision)
    return Evaluation(snapshot, fresh, decision, outputs)
