"""The estimate of a whole capture: one line per billable registration, sums, and the section
the report renders."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from rich.text import Text

from ..capture import UNKNOWN, Capture, CapturedResource
from .assumptions import Assumption, Assumptions
from .context import NOT_PRICED, Context, Priced, Pricer, md, md_prose, short_urn, usd
from .free import free_reason
from .prices import PriceTable, default_prices
from .registry import PRICERS

STACK_COMPONENT = "(stack)"


PRICED, FREE, USAGE, UNPRICED = "priced", "free", "usage", "unpriced"


@dataclass
class CostLine:
    urn: str
    type: str
    name: str
    component: str
    region: str
    monthly_usd: float
    basis: str
    priced: bool = True
    """False for types without a price model: their cost is unknown (never $0), and the total is a
    lower bound."""
    usage: tuple[str, ...] = ()
    """Unit prices of what traffic decides (requests, GB), not included in `monthly_usd`."""
    assumed_usd: float = 0.0
    """The part of `monthly_usd` that rests on a stated usage assumption."""

    @property
    def kind(self) -> str:
        if not self.priced:
            return UNPRICED
        if self.monthly_usd > 0:
            return PRICED
        return USAGE if self.usage else FREE

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "component": self.component,
            "region": self.region,
            "kind": self.kind,
            "monthlyUsd": round(self.monthly_usd, 4) if self.priced else None,
            "basis": self.basis,
        }
        if self.usage:
            doc["unitPrices"] = list(self.usage)
        if self.assumed_usd > 0:
            doc["assumedMonthlyUsd"] = round(self.assumed_usd, 4)
        return doc


def _count_by_type(lines: list[CostLine]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for line in lines:
        counts[line.type] += 1
    return dict(sorted(counts.items()))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


@dataclass
class CostEstimate:
    """The `cost` section of a preview report."""

    stack: str
    environment: str
    region: str
    lines: list[CostLine]
    assumptions: list[Assumption]
    price_source: dict[str, Any]
    warnings: list[str] = field(default_factory=list)

    @property
    def monthly_usd(self) -> float:
        """The sum of what could be priced: a lower bound when `complete` is false."""
        return sum(line.monthly_usd for line in self.lines if line.priced)

    @property
    def assumed_usd(self) -> float:
        """How much of `monthly_usd` rests on stated usage assumptions (see `assumptions`)."""
        return sum(line.assumed_usd for line in self.lines if line.priced)

    @property
    def by_component(self) -> dict[str, float]:
        totals: dict[str, float] = defaultdict(float)
        for line in self.lines:
            totals[line.component] += line.monthly_usd if line.priced else 0.0
        return dict(sorted(totals.items(), key=lambda kv: (-kv[1], kv[0])))

    @property
    def not_priced(self) -> dict[str, int]:
        """Unpriced resource types and how many of each."""
        return _count_by_type([ln for ln in self.lines if not ln.priced])

    @property
    def unpriced_count(self) -> int:
        return sum(1 for ln in self.lines if not ln.priced)

    @property
    def usage_lines(self) -> list[CostLine]:
        """Resources with charges only their traffic decides (unit prices listed, not in the total)."""
        return [ln for ln in self.lines if ln.priced and ln.usage]

    @property
    def complete(self) -> bool:
        """True when the total covers every resource (no unpriced type, nothing billed by use)."""
        return not self.unpriced_count and not self.usage_lines

    def headline(self) -> str:
        """`≥ $X/month + N unpriced resources`: never a bare total that looks complete."""
        total = usd(self.monthly_usd)
        if self.complete:
            text = f"{total}/month"
        else:
            text = f"≥ {total}/month"
            if self.unpriced_count:
                text += f" + {_plural(self.unpriced_count, 'unpriced resource')}"
        if self.usage_lines:
            text += f" + usage charges of {_plural(len(self.usage_lines), 'resource')} (unit prices listed)"
        if self.assumed_usd >= 0.005:
            text += f"; {usd(self.assumed_usd)} of it from stated usage assumptions"
        return text

    def _context(self) -> str:
        return f"{self.environment}, {self.region}; list prices, stated assumptions"

    def unpriced_summary(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for type_, n in self.not_priced.items():
            reasons = sorted({ln.basis for ln in self.lines if ln.type == type_ and not ln.priced})
            out.append({"type": type_, "count": n, "reasons": reasons})
        return out

    def usage_summary(self) -> list[dict[str, Any]]:
        by_type: dict[str, list[CostLine]] = defaultdict(list)
        for ln in self.usage_lines:
            by_type[ln.type].append(ln)
        return [
            {
                "type": type_,
                "count": len(lines),
                "unitPrices": sorted({u for ln in lines for u in ln.usage}),
            }
            for type_, lines in sorted(by_type.items())
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "headline": self.headline(),
            "monthlyUsd": round(self.monthly_usd, 2),
            "assumedUsageMonthlyUsd": round(self.assumed_usd, 2),
            "complete": self.complete,
            "currency": "USD",
            "region": self.region,
            "environment": self.environment,
            "byComponent": {k: round(v, 2) for k, v in self.by_component.items()},
            "unpricedCount": self.unpriced_count,
            "notPriced": self.not_priced,
            "unpriced": self.unpriced_summary(),
            "usagePriced": self.usage_summary(),
            "lines": [line.to_json() for line in self.lines],
            "assumptions": [
                {"key": a.key, "value": a.value, "unit": a.unit, "description": a.description} for a in self.assumptions
            ],
            "priceSource": self.price_source,
            "warnings": self.warnings,
        }

    def _priced_lines(self) -> list[CostLine]:
        return sorted(
            (ln for ln in self.lines if ln.priced and ln.monthly_usd > 0), key=lambda ln: (-ln.monthly_usd, ln.urn)
        )

    def _sources_sentence(self) -> str:
        src = self.price_source
        return (
            f"Prices: {src['file']} (compiled {src['compiled']}; list prices as of "
            f"{', '.join(src['listPricesAsOf'])}; EC2 on-demand {src['ec2OnDemandAsOf']}; "
            f"Spot Advisor {src['spotAdvisorAsOf']}); regions covered: {', '.join(src['regions'])}."
        )

    def to_markdown(self) -> str:
        out = [f"#### Estimated monthly cost: **{self.headline()}** ({self._context()})", ""]
        if self.unpriced_count:
            out += [
                ":warning: **Unpriced** (no price model; not in the total): "
                + ", ".join(f"`{t}` x{n}" for t, n in self.not_priced.items()),
                "",
            ]
        usage = self.usage_summary()
        if usage:
            out += ["**Billed by use** (not in the total):", "", "| type | count | unit prices |", "|---|---:|---|"]
            out += [f"| `{u['type']}` | {u['count']} | {md_prose('; '.join(u['unitPrices']))} |" for u in usage]
            out.append("")
        out += ["| component | monthly |", "|---|---:|"]
        out += [f"| `{md(name)}` | {usd(total)} |" for name, total in self.by_component.items()]
        priced = self._priced_lines()
        free = sum(1 for ln in self.lines if ln.kind == FREE)
        out += [
            "",
            f"<details><summary>Cost by resource ({len(priced)} with a cost, {free} free, "
            f"{len(self.usage_lines)} billed by use, {self.unpriced_count} unpriced)</summary>",
            "",
        ]
        if priced:
            out += ["| resource | component | monthly | basis |", "|---|---|---:|---|"]
            out += [
                f"| `{md(short_urn(ln.urn))}` | `{md(ln.component)}` | {usd(ln.monthly_usd)} | {md_prose(ln.basis)} |"
                for ln in priced
            ]
        else:
            out.append("No resource with a cost.")
        out += ["", "</details>", "", "<details><summary>Assumptions and price sources</summary>", ""]
        out += [f"- `{a.key}` = {a.value:g} {a.unit}: {a.description}" for a in self.assumptions]
        out += ["", md_prose(self._sources_sentence()), "", "</details>"]
        if self.warnings:
            out += ["", *(f"> :warning: {md_prose(w)}" for w in self.warnings)]
        return "\n".join(out)

    def text_lines(self, verbose: bool = False) -> list[str]:
        """Plain lines for a terminal or a log: the headline, the largest components, what is
        unpriced and billed by use; with `verbose`, every line item, assumption and source."""
        out = [f"Cost: {self.headline()} ({self._context()})"]
        components = [(n, t) for n, t in self.by_component.items() if t > 0]
        shown = components if verbose else components[:5]
        if shown:
            rest = len(components) - len(shown)
            more = f", {rest} more" if rest else ""
            out.append("  by component: " + ", ".join(f"{n} {usd(t)}" for n, t in shown) + more)
        if self.unpriced_count:
            out.append("  unpriced (not in the total): " + ", ".join(f"{t} x{n}" for t, n in self.not_priced.items()))
        for u in self.usage_summary():
            out.append(f"  billed by use: {u['type']} x{u['count']}: " + "; ".join(u["unitPrices"]))
        out += [f"  warning: {w}" for w in self.warnings]
        if not verbose:
            return out
        out.append("  cost by resource:")
        out += [
            f"    {usd(ln.monthly_usd):>12}  {short_urn(ln.urn)} [{ln.component}]: {ln.basis}"
            + (f" ({usd(ln.assumed_usd)} of it assumed usage)" if ln.assumed_usd >= 0.005 else "")
            for ln in self._priced_lines()
        ]
        for ln in self.lines:
            if not ln.priced:
                out.append(f"    {'unpriced':>12}  {short_urn(ln.urn)} [{ln.component}]: {ln.basis}")
        out.append("  assumptions:")
        out += [f"    {a.key} = {a.value:g} {a.unit}: {a.description}" for a in self.assumptions]
        out.append("  " + self._sources_sentence())
        return out

    def __rich__(self) -> Any:
        return Text("\n".join(self.text_lines(verbose=True)))


def component_names(capture: Capture) -> dict[str, str]:
    """URN -> the outermost component it belongs to (its name), or "(stack)".

    A name shared by components of different types is qualified with the type.
    """
    index = capture.by_urn()
    outermost: dict[str, CapturedResource | None] = {}

    def top(urn: str) -> CapturedResource | None:
        if urn in outermost:
            return outermost[urn]
        r = index.get(urn)
        if r is None or r.urn == capture.stack_urn:
            outermost[urn] = None
            return None
        above = top(r.parent) if r.parent else None
        found = above if above is not None else (r if not r.custom else None)
        outermost[urn] = found
        return found

    tops = {urn: top(urn) for urn in index}
    by_name: dict[str, set[str]] = defaultdict(set)
    for comp in tops.values():
        if comp is not None:
            by_name[comp.name].add(comp.type)
    names: dict[str, str] = {}
    for urn, comp in tops.items():
        if comp is None:
            names[urn] = STACK_COMPONENT
        elif len(by_name[comp.name]) > 1:
            names[urn] = f"{comp.type}::{comp.name}"
        else:
            names[urn] = comp.name
    return names


def _is_billable_registration(r: CapturedResource) -> bool:
    """Cloud resources, and remote components (which stand for their children offline)."""
    return r.custom or r.remote


def _environment_of(capture: Capture) -> str:
    raw = capture.config.get("platform:environment")
    if isinstance(raw, str) and raw:
        return raw.strip('"')
    return capture.stack


def estimate_cost(
    capture: Capture,
    prices: PriceTable | None = None,
    assumptions: Assumptions | None = None,
    *,
    pricers: dict[str, Pricer] | None = None,
    on: date | None = None,
) -> CostEstimate:
    """Price every registration of `capture` (see the package docstring); `on` is the day the
    estimate is for (default today: Extended Support charges depend on it)."""
    prices = prices or default_prices()
    environment = _environment_of(capture)
    assumptions = assumptions or Assumptions.for_environment(prices, environment)
    region = capture.config.get("aws:region") or capture.config.get("aws-native:region") or "us-east-1"
    ctx = Context(capture, prices, assumptions, region, on)
    table = {**PRICERS, **(pricers or {})}
    components = component_names(capture)
    _ = ctx.hours  # every estimate states its hours-per-month assumption, even with nothing hourly
    lines: list[CostLine] = []
    uncovered: set[str] = set()
    for r in sorted(capture.resources, key=lambda x: x.urn):
        if not _is_billable_registration(r):
            continue
        res_region = ctx.region_of(r)
        pricer = table.get(r.type)
        if pricer is not None:
            try:
                priced = pricer(r, ctx)
            except (AttributeError, TypeError, ValueError, LookupError, ArithmeticError) as exc:
                # An input of a shape the model does not expect (an object unknown at preview is
                # the engine's sentinel string): the resource is unpriced with the reason, never $0
                # and never a failed run.
                priced = Priced(0.0, f"{NOT_PRICED}: its price model could not read its inputs ({exc})", priced=False)
        else:
            reason = free_reason(r.type)
            priced = (
                Priced(0.0, f"free: {reason}")
                if reason
                else Priced(0.0, f"{NOT_PRICED}: no price model for this type", priced=False)
            )
        basis = priced.basis.replace(UNKNOWN, "(unknown)")
        unknown = sorted(k for k, v in r.inputs.items() if v == UNKNOWN)
        if unknown and (priced.monthly > 0 or not priced.priced or priced.usage):
            # Under preview semantics an input computed from another resource is unknown; a pricer
            # then falls back to a default, so the line says which inputs it could not see.
            basis += f"; inputs unknown at preview: {', '.join(unknown)}"
        if priced.monthly > 0 and not prices.covers(res_region):
            uncovered.add(res_region)
            basis += f" ({prices.base_region} price; {res_region} is not in the price table)"
        lines.append(
            CostLine(
                urn=r.urn,
                type=r.type,
                name=r.name,
                component=components.get(r.urn, STACK_COMPONENT),
                region=res_region,
                monthly_usd=priced.monthly,
                basis=basis,
                priced=priced.priced,
                usage=priced.usage,
                assumed_usd=priced.assumed,
            )
        )
    warnings = [
        f"{region_name} is not in the price table; its resources were priced at {prices.base_region} list prices"
        for region_name in sorted(uncovered)
    ] + ctx.warnings
    return CostEstimate(
        stack=capture.stack,
        environment=environment,
        region=region,
        lines=lines,
        assumptions=assumptions.used_list(),
        price_source=prices.source_summary(),
        warnings=warnings,
    )
