"""Keep the previous selection unless changing it is clearly worth a node-group replacement (pure).

Changing a managed node group's instance types replaces the group (every node drained and
relaunched), so a new choice must earn it. The previous selection is replaced only when:

- an explicit input that shapes the group changed (region, typeCount, allowedAvailabilityZones);
- a selected type no longer passes the filters on authoritative data: gone from the catalogue or
  the AZs, riskier than `maxInterruptionBucket`, outside the new vCPU/memory range, no spot price,
  or spot within 10 % of on-demand;
- the fresh choice is cheaper than the previous types *re-priced on today's market* by more than
  BOTH thresholds (USD per hour for the capacity, and percent). Comparing with today's prices, not
  the recorded ones, means a market-wide move (everything 20 % dearer) causes no churn.

Savings are compared per vCPU: a new shape with half the vCPUs at half the price saves nothing.
Only evidence of the same quality counts: bundled estimates never overrule a selection made from
live price history, and stale bundled offerings never declare a type unavailable.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from .filters import first_failure, market_filters
from .model import MarketSnapshot
from .requirements import SpotRequirements
from .selection import Candidate, Selection, price_type

_EXPLICIT = {
    "region": "region",
    "typeCount": "typeCount",
    "allowedAvailabilityZones": "allowedAvailabilityZones",
}


@dataclass(frozen=True)
class PreviousSelection:
    instance_types: list[str]
    inputs: dict[str, Any] | None = None
    """The normalized inputs that produced it (None when unknown, e.g. the CLI's --previous)."""
    basis: str | None = None
    """"history" or "estimate": what its prices were based on (None when unknown)."""

    @classmethod
    def from_outputs(cls, outputs: dict[str, Any]) -> PreviousSelection | None:
        types = outputs.get("instanceTypes")
        if not isinstance(types, list) or not types or not all(isinstance(t, str) for t in types):
            return None
        inputs = outputs.get("selectionInputs")
        basis = outputs.get("priceBasis")
        return cls(
            instance_types=list(types),
            inputs=dict(inputs) if isinstance(inputs, dict) else None,
            basis=basis if isinstance(basis, str) else None,
        )


@dataclass(frozen=True)
class Decision:
    reselect: bool
    reason: str
    previous_hourly_usd: float | None = None
    """The previous types' expected cost for the capacity at today's prices."""
    saving_usd_per_hour: float | None = None
    saving_percent: float | None = None


def _explicit_change(req: SpotRequirements, previous: PreviousSelection) -> str | None:
    if previous.inputs is None:
        return None
    now = req.to_inputs()
    for key, label in _EXPLICIT.items():
        if key in previous.inputs and previous.inputs[key] != now[key]:
            return f"{label} changed from {previous.inputs[key]!r} to {now[key]!r}"
    return None


def decide(
    req: SpotRequirements,
    snapshot: MarketSnapshot,
    previous: PreviousSelection | None,
    fresh: Selection,
) -> Decision:
    if previous is None:
        return Decision(True, "first selection")
    changed = _explicit_change(req, previous)
    if changed is not None:
        return Decision(True, changed)
    if set(previous.instance_types) == set(fresh.instance_types):
        return Decision(False, "the fresh choice is the same set of types")

    comparable = previous.basis is None or previous.basis == snapshot.price_basis
    filters = market_filters(req, snapshot)
    repriced: list[Candidate] = []
    unpriced: list[str] = []
    for name in previous.instance_types:
        info = snapshot.catalogue.get(name)
        if info is None:
            if "catalogue" in snapshot.live:
                return Decision(
                    True,
                    f"{name} is no longer among the spot types DescribeInstanceTypes lists for {req.region} "
                    "with these requirements",
                )
            unpriced.append(name)
            continue
        failed = first_failure(info, filters)
        if failed is not None and not (failed.name == "offered" and "offerings" not in snapshot.live):
            return Decision(True, f"{name} no longer passes the '{failed.name}' filter ({failed.detail})")
        candidate, why = price_type(req, snapshot, info)
        if candidate is None:
            if comparable:
                return Decision(True, f"{name} is no longer a good spot pool: {why}")
            unpriced.append(name)
            continue
        repriced.append(candidate)

    if not comparable:
        words = {"history": "spot price history", "estimate": "Spot Advisor estimates"}
        return Decision(
            False,
            f"kept: today's prices come from {words[snapshot.price_basis]} but the selection was made from "
            f"{words.get(str(previous.basis), str(previous.basis))}, so prices are not compared",
        )
    if unpriced or not repriced:
        return Decision(False, f"kept: no current price for {', '.join(unpriced)} to compare with")

    previous_cost = req.capacity * statistics.fmean(c.spot_price for c in repriced)
    vcpus = statistics.fmean(c.info.vcpus for c in repriced)
    fresh_cost = req.capacity * vcpus * fresh.price_per_vcpu_hour
    saving = previous_cost - fresh_cost
    percent = saving / previous_cost * 100 if previous_cost > 0 else 0.0
    usd_limit, pct_limit = req.savings_threshold_usd_per_hour, req.savings_threshold_percent
    figures = (
        f"{', '.join(fresh.instance_types)} would cost ${fresh_cost:.4f}/h against ${previous_cost:.4f}/h "
        f"for the current types at today's prices (saving ${saving:.4f}/h, {percent:.1f} %)"
    )
    if saving > usd_limit and percent > pct_limit:
        return Decision(
            True,
            f"{figures}: above both thresholds (${usd_limit:g}/h and {pct_limit:g} %)",
            previous_cost,
            saving,
            percent,
        )
    return Decision(
        False,
        f"kept: {figures}: not above both thresholds (${usd_limit:g}/h and {pct_limit:g} %)",
        previous_cost,
        saving,
        percent,
    )
