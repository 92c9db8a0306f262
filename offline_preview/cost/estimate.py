"""The estimate of a whole capture: one line per billable registration, sums, and the section
the report renders."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from rich.console import Group
from rich.markup import escape
from rich.table import Table

from ..capture import Capture, CapturedResource
from .assumptions import Assumption, Assumptions
from .context import NOT_PRICED, Context, Priced, Pricer, md, short_urn, usd
from .free import free_reason
from .prices import PriceTable, default_prices
from .registry import PRICERS

STACK_COMPONENT = "(stack)"


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
    """False for types the table does not cover (cost 0, basis "not priced")."""

    def to_json(self) -> dict[str, Any]:
        return {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "component": self.component,
            "region": self.region,
            "monthlyUsd": round(self.monthly_usd, 4),
            "basis": self.basis,
        }


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
        return sum(line.monthly_usd for line in self.lines)

    @property
    def by_component(self) -> dict[str, float]:
        totals: dict[str, float] = defaultdict(float)
        for line in self.lines:
            totals[line.component] += line.monthly_usd
        return dict(sorted(totals.items(), key=lambda kv: (-kv[1], kv[0])))

    @property
    def not_priced(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for line in self.lines:
            if not line.priced:
                counts[line.type] += 1
        return dict(sorted(counts.items()))

    def to_json(self) -> dict[str, Any]:
        return {
            "monthlyUsd": round(self.monthly_usd, 2),
            "currency": "USD",
            "region": self.region,
            "environment": self.environment,
            "byComponent": {k: round(v, 2) for k, v in self.by_component.items()},
            "lines": [line.to_json() for line in self.lines],
            "notPriced": self.not_priced,
            "assumptions": [
                {"key": a.key, "value": a.value, "unit": a.unit, "description": a.description} for a in self.assumptions
            ],
            "priceSource": self.price_source,
            "warnings": self.warnings,
        }

    def _priced_lines(self) -> list[CostLine]:
        return sorted((ln for ln in self.lines if ln.monthly_usd > 0), key=lambda ln: (-ln.monthly_usd, ln.urn))

    def to_markdown(self) -> str:
        out = [
            f"#### Estimated monthly cost: **{usd(self.monthly_usd)}** "
            f"({self.environment}, {self.region}; list prices, stated assumptions)",
            "",
            "| component | monthly |",
            "|---|---:|",
        ]
        out += [f"| `{md(name)}` | {usd(total)} |" for name, total in self.by_component.items()]
        priced = self._priced_lines()
        free = sum(1 for ln in self.lines if ln.priced and ln.monthly_usd == 0)
        out += [
            "",
            f"<details><summary>Cost by resource ({len(priced)} with a cost, {free} free, "
            f"{sum(self.not_priced.values())} not priced)</summary>",
            "",
        ]
        if priced:
            out += ["| resource | component | monthly | basis |", "|---|---|---:|---|"]
            out += [
                f"| `{md(short_urn(ln.urn))}` | `{md(ln.component)}` | {usd(ln.monthly_usd)} | {md(ln.basis)} |"
                for ln in priced
            ]
        else:
            out.append("No resource with a cost.")
        out += ["", "</details>", "", "<details><summary>Assumptions and price sources</summary>", ""]
        out += [f"- `{a.key}` = {a.value:g} {a.unit}: {a.description}" for a in self.assumptions]
        src = self.price_source
        out += [
            "",
            f"Prices: `{src['file']}` (compiled {src['compiled']}; list prices as of "
            f"{', '.join(src['listPricesAsOf'])}; EC2 on-demand {src['ec2OnDemandAsOf']}; "
            f"Spot Advisor {src['spotAdvisorAsOf']}); regions covered: {', '.join(src['regions'])}.",
            "",
            "</details>",
        ]
        if self.not_priced:
            out += ["", "Not priced: " + ", ".join(f"`{t}` x{n}" for t, n in self.not_priced.items())]
        if self.warnings:
            out += ["", *(f"> :warning: {md(w)}" for w in self.warnings)]
        return "\n".join(out)

    def __rich__(self) -> Any:
        headline = (
            f"[bold]Estimated monthly cost: {usd(self.monthly_usd)}[/bold] "
            f"({escape(self.environment)}, {escape(self.region)}; list prices, stated assumptions)"
        )
        comp = Table(title="Cost by component")
        comp.add_column("component")
        comp.add_column("monthly", justify="right")
        for name, total in self.by_component.items():
            comp.add_row(escape(name), usd(total))
        lines = Table(title="Cost by resource (resources with a cost)", show_lines=False)
        lines.add_column("resource", overflow="fold")
        lines.add_column("monthly", justify="right")
        lines.add_column("basis", overflow="fold")
        for ln in self._priced_lines():
            lines.add_row(escape(short_urn(ln.urn)), usd(ln.monthly_usd), escape(ln.basis))
        parts: list[Any] = [headline, comp, lines]
        assumptions = Table(title="Cost assumptions")
        assumptions.add_column("assumption")
        assumptions.add_column("value", justify="right")
        assumptions.add_column("meaning", overflow="fold")
        for a in self.assumptions:
            assumptions.add_row(a.key, f"{a.value:g} {a.unit}", escape(a.description))
        parts.append(assumptions)
        src = self.price_source
        parts.append(
            f"[dim]Prices: {escape(src['file'])} (compiled {src['compiled']}; EC2 on-demand {src['ec2OnDemandAsOf']}, "
            f"Spot Advisor {src['spotAdvisorAsOf']}).[/dim]"
        )
        if self.not_priced:
            parts.append(
                "[yellow]Not priced:[/yellow] " + escape(", ".join(f"{t} x{n}" for t, n in self.not_priced.items()))
            )
        parts += [f"[yellow]{escape(w)}[/yellow]" for w in self.warnings]
        return Group(*parts)


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
) -> CostEstimate:
    """Price every registration of `capture` (see the module docstring)."""
    prices = prices or default_prices()
    environment = _environment_of(capture)
    assumptions = assumptions or Assumptions.for_environment(prices, environment)
    region = capture.config.get("aws:region") or "us-east-1"
    ctx = Context(capture, prices, assumptions, region)
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
            priced = pricer(r, ctx)
        else:
            reason = free_reason(r.type)
            priced = Priced(0.0, f"free: {reason}") if reason else Priced(0.0, NOT_PRICED, priced=False)
        basis = priced.basis
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
