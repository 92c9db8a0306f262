"""Monthly cost of a captured stack, from list prices and stated usage assumptions.

Pure estimation over a `Capture` (no Pulumi calls): one line per cloud resource with the arithmetic
that produced it (`basis`), sums per top-level component and per stack, the assumptions used and
where each price comes from. Prices live in one data file, `data/aws-prices.json`.

What this is for: seeing in a pull request that a change adds a NAT gateway per AZ or doubles the
database, before anyone deploys it. It is an estimate of the steady-state bill of what the program
declares; it does not know real traffic, data transfer between services, free tiers of the account,
savings plans or reserved capacity.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from rich.console import Group
from rich.markup import escape
from rich.table import Table

from .capture import Capture, CapturedResource

PRICES_FILE = Path(__file__).resolve().parent / "data" / "aws-prices.json"
STACK_COMPONENT = "(stack)"
NOT_PRICED = "not priced"


# --- the price table ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Price:
    usd: float
    unit: str
    source: str
    as_of: str
    note: str = ""


class PriceTable:
    """`data/aws-prices.json`: list prices of the base region, regions that share them, the EC2
    on-demand and Spot Advisor tables, and the default usage assumptions."""

    def __init__(self, doc: dict[str, Any], path: Path | None = None) -> None:
        self.doc = doc
        self.path = path
        self.base_region: str = doc["baseRegion"]
        self.regions: dict[str, dict[str, Any]] = doc["regions"]
        self._prices = {
            key: Price(float(v["usd"]), v["unit"], v["source"], v["asOf"], v.get("note", ""))
            for key, v in doc["prices"].items()
        }
        self.tables: dict[str, dict[str, Any]] = doc["tables"]

    @classmethod
    def load(cls, path: str | Path = PRICES_FILE) -> PriceTable:
        path = Path(path)
        return cls(json.loads(path.read_text(encoding="utf-8")), path)

    def price(self, key: str) -> Price:
        return self._prices[key]

    def usd(self, key: str) -> float:
        return self._prices[key].usd

    def covers(self, region: str) -> bool:
        return region in self.regions

    def on_demand(self, instance_type: str) -> float | None:
        value = self.tables["ec2.onDemandHour"]["usd"].get(instance_type)
        return float(value) if value is not None else None

    def spot_savings(self, region: str, instance_type: str) -> float | None:
        by_region = self.tables["ec2.spotSavingsPercent"]["byRegion"]
        table = by_region.get(region) or by_region[self.base_region]
        value = table.get(instance_type)
        return float(value) if value is not None else None

    def rds_hour(self, engine: str, instance_class: str) -> float | None:
        table = self.tables["rds.instanceHour"]["usd"].get(engine, {})
        value = table.get(instance_class)
        return float(value) if value is not None else None

    def cache_hour(self, node_type: str) -> float | None:
        value = self.tables["elasticache.nodeHour"]["usd"].get(node_type)
        return float(value) if value is not None else None

    def vcpus(self, instance_type: str) -> int | None:
        value = self.tables["ec2.vcpus"]["values"].get(instance_type)
        return int(value) if value is not None else None

    def source_summary(self) -> dict[str, Any]:
        """Where the figures come from, for the report."""
        sources: set[str] = {p.source for p in self._prices.values()}
        for table in self.tables.values():
            src = table.get("source")
            if isinstance(src, dict):
                sources.update(str(s) for s in src.values())
            elif src:
                sources.add(str(src))
        return {
            "file": _display_path(self.path) if self.path else "(in memory)",
            "compiled": self.doc.get("compiled", ""),
            "listPricesAsOf": sorted({p.as_of for p in self._prices.values()}),
            "ec2OnDemandAsOf": self.tables["ec2.onDemandHour"]["asOf"],
            "spotAdvisorAsOf": self.tables["ec2.spotSavingsPercent"]["asOf"],
            "regions": sorted(self.regions),
            "sources": sorted(sources),
        }


def _display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path(__file__).resolve().parent.parent))
    except ValueError:
        return str(path)


@cache
def default_prices() -> PriceTable:
    return PriceTable.load()


# --- assumptions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Assumption:
    key: str
    value: float
    unit: str
    description: str


class Assumptions:
    """Usage figures the estimate cannot know from the program; records which ones it used."""

    def __init__(self, values: dict[str, Assumption]) -> None:
        self._values = values
        self.used: set[str] = set()

    @classmethod
    def for_environment(
        cls, prices: PriceTable, environment: str, overrides: dict[str, float] | None = None
    ) -> Assumptions:
        spec = prices.doc["assumptions"]
        env = spec.get("byEnvironment", {}).get(environment, {})
        values = {
            key: Assumption(key, float(env.get(key, meta["value"])), meta["unit"], meta["description"])
            for key, meta in spec["defaults"].items()
        }
        for key, value in (overrides or {}).items():
            if key not in values:
                raise KeyError(f"unknown cost assumption {key!r}; known: {', '.join(sorted(values))}")
            values[key] = Assumption(key, float(value), values[key].unit, values[key].description)
        return cls(values)

    def __getitem__(self, key: str) -> float:
        self.used.add(key)
        return self._values[key].value

    def used_list(self) -> list[Assumption]:
        return [self._values[k] for k in sorted(self.used)]


# --- the result --------------------------------------------------------------------------------


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


def usd(amount: float) -> str:
    return f"${amount:,.2f}"


def _rate(amount: float) -> str:
    """A unit price with the digits it has, at least cents: $0.40, $0.0416, $3.00."""
    whole, _, frac = f"{amount:.7f}".partition(".")
    frac = frac.rstrip("0").ljust(2, "0")
    return f"${whole}.{frac}"


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
        out += [f"| `{_md(name)}` | {usd(total)} |" for name, total in self.by_component.items()]
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
                f"| `{_md(_short(ln.urn))}` | `{_md(ln.component)}` | {usd(ln.monthly_usd)} | {_md(ln.basis)} |"
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
            out += ["", *(f"> :warning: {_md(w)}" for w in self.warnings)]
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
            lines.add_row(escape(_short(ln.urn)), usd(ln.monthly_usd), escape(ln.basis))
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


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _short(urn: str) -> str:
    parts = urn.split("::")
    if len(parts) < 4:
        return urn
    return f"{parts[2].split('$')[-1]}::{parts[3]}"


# --- pricing context ---------------------------------------------------------------------------


@dataclass
class Priced:
    monthly: float
    basis: str
    priced: bool = True


class Context:
    """What a pricer may look at: the whole capture (indexed), prices, assumptions, regions."""

    def __init__(self, capture: Capture, prices: PriceTable, assumptions: Assumptions, default_region: str) -> None:
        self.capture = capture
        self.prices = prices
        self.assumptions = assumptions
        self.index = capture.by_urn()
        self.default_region = default_region
        self.warnings: list[str] = []
        self._dependants: dict[str, list[CapturedResource]] | None = None
        self.parents = {r.parent for r in capture.resources if r.parent}

    @property
    def hours(self) -> float:
        return self.assumptions["hoursPerMonth"]

    def p(self, key: str) -> float:
        return self.prices.usd(key)

    def a(self, key: str) -> float:
        return self.assumptions[key]

    def region_of(self, r: CapturedResource) -> str:
        """The resource's own `region` (pulumi-aws 7 takes one per resource), else its explicit
        provider's, else the stack's `aws:region`."""
        own = r.inputs.get("region")
        if r.type.startswith("aws:") and isinstance(own, str) and own:
            return own
        provider = self.index.get(r.provider or "")
        if provider is not None:
            region = provider.inputs.get("region")
            if isinstance(region, str) and region:
                return region
        return self.default_region

    def dependants(self, urn: str) -> list[CapturedResource]:
        if self._dependants is None:
            found: dict[str, list[CapturedResource]] = defaultdict(list)
            for r in self.capture.resources:
                for dep in set(r.dependencies) | {u for urns in r.property_dependencies.values() for u in urns}:
                    found[dep].append(r)
            self._dependants = found
        return self._dependants.get(urn, [])

    def deps_of(self, r: CapturedResource, prop: str | None = None) -> list[CapturedResource]:
        urns = r.property_dependencies.get(prop, []) if prop else r.dependencies
        return [self.index[u] for u in urns if u in self.index]


Pricer = Callable[[CapturedResource, Context], Priced]


def _num(value: Any, default: float | None = None) -> float | None:
    if isinstance(value, bool):
        return default
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return default
    return default


def _count(value: Any) -> int:
    return len(value) if isinstance(value, list) else 0


# --- pricers: networking -----------------------------------------------------------------------


def _nat_gateway(r: CapturedResource, c: Context) -> Priced:
    hour, per_gb, gb = c.p("natGateway.hour"), c.p("natGateway.dataGb"), c.a("natDataGbPerGateway")
    ip_note = "" if r.inputs.get("connectivityType") == "private" else "; its public IPv4 is priced on the EIP"
    if r.inputs.get("availabilityMode") == "regional":
        azs = _count(r.inputs.get("availabilityZoneAddresses"))
        mode = f"regional NAT gateway in {azs} AZ" if azs else "regional NAT gateway (auto mode: counted as 1 AZ)"
        azs = azs or 1
        return Priced(
            azs * hour * c.hours + gb * per_gb,
            f"{mode} x {_rate(hour)}/h x {c.hours:g} h + {gb:g} GB processed x {_rate(per_gb)}/GB; "
            "its public IPv4 addresses are priced on the EIPs",
        )
    monthly = hour * c.hours + gb * per_gb
    return Priced(monthly, f"{_rate(hour)}/h x {c.hours:g} h + {gb:g} GB processed x {_rate(per_gb)}/GB{ip_note}")


def _public_ip(r: CapturedResource, c: Context) -> Priced:
    hour = c.p("publicIpv4.hour")
    return Priced(hour * c.hours, f"public IPv4 {_rate(hour)}/h x {c.hours:g} h (charged in use or idle)")


def _load_balancer(r: CapturedResource, c: Context) -> Priced:
    kind = r.inputs.get("loadBalancerType") or "application"
    if kind == "network":
        hour, unit, units, unit_name = c.p("nlb.hour"), c.p("nlb.nlcuHour"), c.a("nlbNlcu"), "NLCU"
    elif kind == "gateway":
        return Priced(c.p("gwlb.hour") * c.hours, f"GWLB {_rate(c.p('gwlb.hour'))}/h x {c.hours:g} h")
    else:
        hour, unit, units, unit_name = c.p("alb.hour"), c.p("alb.lcuHour"), c.a("albLcu"), "LCU"
    monthly = (hour + unit * units) * c.hours
    basis = f"({_rate(hour)}/h + {units:g} {unit_name} x {_rate(unit)}/h) x {c.hours:g} h"
    internal = bool(r.inputs.get("internal"))
    if not internal and r.inputs.get("ipAddressType") != "dualstack-without-public-ipv4":
        subnets = _count(r.inputs.get("subnets")) or _count(r.inputs.get("subnetMappings"))
        if subnets:
            ip = c.p("publicIpv4.hour")
            monthly += subnets * ip * c.hours
            basis += f" + {subnets} public IPv4 (one per subnet) x {_rate(ip)}/h"
    return Priced(monthly, basis)


def _vpc_endpoint(r: CapturedResource, c: Context) -> Priced:
    kind = r.inputs.get("vpcEndpointType") or "Gateway"
    if kind == "Gateway":
        return Priced(0.0, "free: gateway endpoint (S3/DynamoDB)")
    azs = _count(r.inputs.get("subnetIds")) or _count(r.inputs.get("subnetConfigurations")) or 1
    hour, per_gb, gb = c.p("interfaceEndpoint.azHour"), c.p("interfaceEndpoint.dataGb"), c.a("interfaceEndpointDataGb")
    monthly = azs * hour * c.hours + gb * per_gb
    return Priced(
        monthly,
        f"{kind} endpoint in {azs} AZ x {_rate(hour)}/h x {c.hours:g} h + {gb:g} GB x {_rate(per_gb)}/GB",
    )


def _flow_log(r: CapturedResource, c: Context) -> Priced:
    if r.inputs.get("logDestinationType") == "s3":
        gb, per_gb = c.a("flowLogGbToS3"), c.p("logs.vendedToS3Gb")
        return Priced(gb * per_gb, f"{gb:g} GB delivered to S3 x {_rate(per_gb)}/GB (vended logs)")
    return Priced(0.0, "free here: delivery to CloudWatch Logs is priced as ingestion of its log group")


# --- pricers: compute --------------------------------------------------------------------------


def _eks_control_plane(r: CapturedResource, c: Context) -> Priced:
    hour = c.p("eks.clusterHour")
    support = (r.inputs.get("upgradePolicy") or {}).get("supportType")
    note = (
        "; versions past standard support then cost "
        f"{_rate(c.p('eks.extendedClusterHour'))}/h (upgradePolicy.supportType is not STANDARD)"
        if support != "STANDARD"
        else ""
    )
    return Priced(hour * c.hours, f"EKS control plane {_rate(hour)}/h x {c.hours:g} h{note}")


def _has_children(r: CapturedResource, c: Context) -> bool:
    return r.urn in c.parents


def _eks_remote_cluster(r: CapturedResource, c: Context) -> Priced:
    """pulumi-eks `Cluster`: one registration offline (its children appear only under the real engine,
    where they are priced one by one instead)."""
    if _has_children(r, c):
        return Priced(0.0, "free here: its child resources are priced one by one")
    control = _eks_control_plane(r, c)
    fargate = r.inputs.get("fargate")
    auto = (r.inputs.get("autoMode") or {}).get("enabled")
    if r.inputs.get("skipDefaultNodeGroup") or fargate or auto:
        return Priced(control.monthly, control.basis + "; no default node group")
    count = _num(r.inputs.get("desiredCapacity"), 2.0) or 0.0
    itype = str(r.inputs.get("instanceType") or "t3.medium")
    price = c.prices.on_demand(itype)
    if price is None:
        return Priced(control.monthly, control.basis + f"; default node group {itype}: {NOT_PRICED}")
    nodes = count * price * c.hours
    return Priced(
        control.monthly + nodes,
        control.basis + f" + default node group {count:g} x {itype} {_rate(price)}/h x {c.hours:g} h",
    )


def _field(d: dict[str, Any], camel: str) -> Any:
    """A dynamic resource's output by its camelCase name (issue 7's contract), or its snake_case twin."""
    if camel in d:
        return d[camel]
    return d.get(re.sub(r"(?<!^)(?=[A-Z])", "_", camel).lower())


def _is_spot_selection(r: CapturedResource) -> bool:
    if not r.type.startswith("pulumi-python:dynamic"):
        return False
    details = _field(r.outputs, "details")
    has_prices = isinstance(details, list) and any(
        isinstance(d, dict) and _field(d, "spotPrice") is not None for d in details
    )
    return has_prices or _field(r.outputs, "expectedHourlyUsd") is not None


def _spot_selection_for(r: CapturedResource, c: Context) -> CapturedResource | None:
    urns = [*r.property_dependencies.get("instanceTypes", []), *r.dependencies]
    for urn in urns:
        dep = c.index.get(urn)
        if dep is not None and _is_spot_selection(dep):
            return dep
    return None


def spot_price_from_selection(selection: CapturedResource, types: list[str]) -> tuple[float, str] | None:
    """Per-node hourly spot price from a `SpotInstanceSelection`'s outputs: its expected hourly cost
    for the capacity it was asked about, else the mean expected price of the node group's types."""
    expected = _num(_field(selection.outputs, "expectedHourlyUsd"))
    capacity = _num(selection.inputs.get("capacity")) or _num(selection.outputs.get("capacity"))
    if expected is not None and capacity:
        per = expected / capacity
        return per, (
            f"SpotInstanceSelection '{selection.name}' expects {_rate(expected)}/h for {capacity:g} nodes "
            f"= {_rate(round(per, 6))}/node-h"
        )
    details = [d for d in _field(selection.outputs, "details") or [] if isinstance(d, dict)]
    chosen = [d for d in details if not types or _field(d, "instanceType") in types]
    prices = [p for p in (_num(_field(d, "spotPrice")) for d in chosen) if p is not None]
    if not prices:
        return None
    per = sum(prices) / len(prices)
    return per, (
        f"SpotInstanceSelection '{selection.name}' expected spot prices of {len(prices)} types, "
        f"mean {_rate(round(per, 6))}/node-h"
    )


def _node_group(r: CapturedResource, c: Context) -> Priced:
    if r.remote and _has_children(r, c):
        return Priced(0.0, "free here: its child resources are priced one by one")
    scaling = r.inputs.get("scalingConfig") or {}
    desired = _num(scaling.get("desiredSize"), None)
    if desired is None:
        desired = _num(scaling.get("minSize"), 1.0) or 0.0
    types = [str(t) for t in r.inputs.get("instanceTypes") or []]
    capacity = str(r.inputs.get("capacityType") or "ON_DEMAND")
    region = c.region_of(r)
    if capacity == "SPOT":
        selection = _spot_selection_for(r, c)
        found = spot_price_from_selection(selection, types) if selection is not None else None
        if found is None:
            found = _advisor_spot_price(c, region, types or ["t3.medium"])
        if found is None:
            return Priced(0.0, f"{NOT_PRICED}: no spot price for {', '.join(types) or 't3.medium'}", priced=False)
        per, how = found
        basis = f"SPOT {desired:g} nodes x {how} x {c.hours:g} h"
    else:
        itype = types[0] if types else "t3.medium"
        price = c.prices.on_demand(itype)
        if price is None:
            return Priced(0.0, f"{NOT_PRICED}: {itype} not in the EC2 on-demand table", priced=False)
        per = price
        basis = (
            f"ON_DEMAND {desired:g} nodes x {itype} {_rate(price)}/h x {c.hours:g} h "
            "(On-Demand capacity launches the first listed type)"
        )
    monthly = desired * per * c.hours
    gb = c.p("ebs.gp3.gbMonth")
    if not r.inputs.get("launchTemplate"):
        disk = _num(r.inputs.get("diskSize"), 20.0) or 0.0
        monthly += desired * disk * gb
        basis += f" + {desired:g} x {disk:g} GB root volume x {_rate(gb)}/GB-month"
    else:
        disk = _launch_template_volume_gb(r, c)
        if disk:
            monthly += desired * disk * gb
            basis += f" + {desired:g} x {disk:g} GB volumes (launch template) x {_rate(gb)}/GB-month"
    return Priced(monthly, basis)


def _launch_template_volume_gb(r: CapturedResource, c: Context) -> float:
    """EBS volumes a node gets from the group's launch template (gp3 price assumed)."""
    total = 0.0
    for template in c.deps_of(r, "launchTemplate"):
        if template.type != "aws:ec2/launchTemplate:LaunchTemplate":
            continue
        for mapping in template.inputs.get("blockDeviceMappings") or []:
            ebs = mapping.get("ebs") if isinstance(mapping, dict) else None
            if isinstance(ebs, dict):
                total += _num(ebs.get("volumeSize"), 0.0) or 0.0
    return total


def _advisor_spot_price(c: Context, region: str, types: list[str]) -> tuple[float, str] | None:
    prices: list[float] = []
    for t in types:
        od, saving = c.prices.on_demand(t), c.prices.spot_savings(region, t)
        if od is not None and saving is not None:
            prices.append(od * (1 - saving / 100))
    if not prices:
        return None
    per = sum(prices) / len(prices)
    return (
        per,
        f"Spot Advisor estimate (on-demand x (1 - saving)) over {len(prices)} types, mean {_rate(round(per, 6))}/h",
    )


def _self_managed_node_group(r: CapturedResource, c: Context) -> Priced:
    """pulumi-eks `NodeGroup`/`NodeGroupV2` (an auto scaling group of one instance type)."""
    if _has_children(r, c):
        return Priced(0.0, "free here: its child resources are priced one by one")
    count = _num(r.inputs.get("desiredCapacity"), 2.0) or 0.0
    itype = str(r.inputs.get("instanceType") or "t3.medium")
    if r.inputs.get("spotPrice"):
        found = _advisor_spot_price(c, c.region_of(r), [itype])
        if found is None:
            return Priced(0.0, f"{NOT_PRICED}: no spot estimate for {itype}", priced=False)
        per, how = found
        return Priced(count * per * c.hours, f"SPOT {count:g} x {itype}: {how} x {c.hours:g} h")
    price = c.prices.on_demand(itype)
    if price is None:
        return Priced(0.0, f"{NOT_PRICED}: {itype} not in the EC2 on-demand table", priced=False)
    return Priced(count * price * c.hours, f"{count:g} x {itype} {_rate(price)}/h x {c.hours:g} h")


def _autoscaling_group(r: CapturedResource, c: Context) -> Priced:
    count = _num(r.inputs.get("desiredCapacity"))
    if count is None:
        count = _num(r.inputs.get("minSize"), 0.0) or 0.0
    itype = None
    for template in c.deps_of(r, "launchTemplate"):
        if template.type == "aws:ec2/launchTemplate:LaunchTemplate":
            itype = template.inputs.get("instanceType")
    mixed = r.inputs.get("mixedInstancesPolicy") or {}
    overrides = ((mixed.get("launchTemplate") or {}).get("overrides")) or []
    if overrides and isinstance(overrides[0], dict) and overrides[0].get("instanceType"):
        itype = overrides[0]["instanceType"]
    price = c.prices.on_demand(str(itype)) if itype else None
    if price is None:
        return Priced(0.0, f"{NOT_PRICED}: instance type of the launch template unknown", priced=False)
    return Priced(
        count * price * c.hours,
        f"{count:g} x {itype} {_rate(price)}/h x {c.hours:g} h (on-demand; volumes not included)",
    )


def _ec2_instance(r: CapturedResource, c: Context) -> Priced:
    itype = str(r.inputs.get("instanceType") or "")
    price = c.prices.on_demand(itype)
    if price is None:
        return Priced(0.0, f"{NOT_PRICED}: {itype or 'unknown type'} not in the EC2 on-demand table", priced=False)
    monthly = price * c.hours
    basis = f"{itype} {_rate(price)}/h x {c.hours:g} h"
    root = r.inputs.get("rootBlockDevice") or {}
    size = _num(root.get("volumeSize"), 8.0) or 0.0
    vtype = str(root.get("volumeType") or "gp3")
    gb = c.prices.usd(f"ebs.{vtype}.gbMonth") if f"ebs.{vtype}" in _EBS_TYPES else c.p("ebs.gp3.gbMonth")
    monthly += size * gb
    basis += f" + {size:g} GB {vtype} root x {_rate(gb)}/GB-month"
    if r.inputs.get("associatePublicIpAddress"):
        ip = c.p("publicIpv4.hour")
        monthly += ip * c.hours
        basis += f" + public IPv4 {_rate(ip)}/h"
    return Priced(monthly, basis)


_EBS_TYPES = {f"ebs.{t}" for t in ("gp3", "gp2", "io1", "io2", "st1", "sc1", "standard")}


def _ebs_volume(r: CapturedResource, c: Context) -> Priced:
    vtype = str(r.inputs.get("type") or "gp3")
    size = _num(r.inputs.get("size"), 0.0) or 0.0
    if f"ebs.{vtype}" not in _EBS_TYPES:
        return Priced(0.0, f"{NOT_PRICED}: volume type {vtype}", priced=False)
    gb = c.prices.usd(f"ebs.{vtype}.gbMonth")
    return Priced(size * gb, f"{size:g} GB {vtype} x {_rate(gb)}/GB-month")


# --- ECS on Fargate ----------------------------------------------------------------------------


def split_tasks(count: float, strategy: list[tuple[str, float, float]]) -> dict[str, float]:
    """Expected tasks per capacity provider, as ECS places them: each provider's `base` first (in
    order), the rest in proportion to `weight`."""
    out: dict[str, float] = defaultdict(float)
    remaining = count
    for provider, _weight, base in strategy:
        take = min(base, remaining)
        out[provider] += take
        remaining -= take
    total = sum(weight for _p, weight, _b in strategy)
    if remaining > 0 and strategy:
        if total <= 0:
            out[strategy[0][0]] += remaining
        else:
            for provider, weight, _base in strategy:
                out[provider] += remaining * weight / total
    return dict(out)


_CRON = re.compile(r"^cron\((\S+) (\S+) (\S+) (\S+) (\S+)(?: (\S+))?\)$")
_DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]


def _cron_days(field: str) -> int | None:
    if field in ("*", "?"):
        return 7
    total = 0
    for part in field.upper().split(","):
        if "-" in part:
            start, end = part.split("-", 1)
            if start not in _DAYS or end not in _DAYS:
                return None
            span = (_DAYS.index(end) - _DAYS.index(start)) % 7 + 1
            total += span
        elif part in _DAYS or part.isdigit():
            total += 1
        else:
            return None
    return total


def parse_cron(expression: str) -> tuple[float, int] | None:
    """`cron(M H ? * DAYS *)` of Application Auto Scaling -> (hour of day, days per week)."""
    m = _CRON.match(expression.strip())
    if not m:
        return None
    minute, hour, _dom, _month, dow = m.group(1), m.group(2), m.group(3), m.group(4), m.group(5)
    if not (minute.isdigit() and hour.isdigit()):
        return None
    days = _cron_days(dow)
    if days is None:
        return None
    return int(hour) + int(minute) / 60, days


def scheduled_floor(base_min: float, actions: list[tuple[str, float]]) -> tuple[float, str] | None:
    """Time-weighted task floor from a raise/lower pair of scheduled actions (schedule, minCapacity).

    With a weekday business-hours window (e.g. up at 07:30, down at 20:00, MON-FRI), the floor is the
    business-hours minimum for that share of the week and `base_min` otherwise.
    """
    parsed = [(parse_cron(s), m) for s, m in actions]
    if len(parsed) != 2 or any(p is None for p, _ in parsed):
        return None
    (up, up_min), (down, _down_min) = sorted(parsed, key=lambda x: -x[1])
    assert up is not None and down is not None
    if up[1] != down[1]:
        return None
    hours_per_day = (down[0] - up[0]) % 24
    share = hours_per_day * up[1] / (24 * 7)
    floor = base_min + share * max(up_min - base_min, 0)
    return floor, f"scheduled floor {up_min:g} for {hours_per_day:g} h x {up[1]} days/week ({share:.0%} of the time)"


def _ecs_service(r: CapturedResource, c: Context) -> Priced:
    task = next(
        (d for d in c.deps_of(r, "taskDefinition") if d.type == "aws:ecs/taskDefinition:TaskDefinition"), None
    ) or _find_by_output(c, "aws:ecs/taskDefinition:TaskDefinition", r.inputs.get("taskDefinition"))
    if task is None:
        return Priced(0.0, f"{NOT_PRICED}: its task definition is not in the capture", priced=False)
    cpu = _num(task.inputs.get("cpu"))
    memory = _num(task.inputs.get("memory"))
    strategy = _capacity_strategy(r, c)
    if not strategy:
        launch = str(r.inputs.get("launchType") or "EC2")
        if launch == "FARGATE":
            strategy = [("FARGATE", 1.0, 0.0)]
        else:
            return Priced(0.0, f"free here: {launch} launch type runs on instances priced on their own")
    if cpu is None or memory is None:
        return Priced(0.0, f"{NOT_PRICED}: task definition without cpu/memory", priced=False)

    count, count_basis = _task_count(r, c)
    split = split_tasks(count, strategy)
    arm = str((task.inputs.get("runtimePlatform") or {}).get("cpuArchitecture") or "X86_64") == "ARM64"
    suffix = ".arm" if arm else ""
    vcpu, gib = cpu / 1024, memory / 1024
    monthly, parts = 0.0, []
    for provider, tasks in sorted(split.items()):
        if provider == "FARGATE":
            v, g = c.p(f"fargate{suffix}.vcpuHour"), c.p(f"fargate{suffix}.gbHour")
        elif provider == "FARGATE_SPOT":
            v, g = c.p(f"fargateSpot{suffix}.vcpuHour"), c.p(f"fargateSpot{suffix}.gbHour")
        else:
            parts.append(f"{tasks:g} on {provider} (priced on its instances)")
            continue
        per_task = vcpu * v + gib * g
        monthly += tasks * per_task * c.hours
        parts.append(f"{tasks:.2f} on {provider} x ({vcpu:g} vCPU x {_rate(v)} + {gib:g} GB x {_rate(g)})/h")
    public = (r.inputs.get("networkConfiguration") or {}).get("assignPublicIp")
    basis = f"{count_basis}; " + " + ".join(parts) + f" x {c.hours:g} h"
    if public:
        ip = c.p("publicIpv4.hour")
        monthly += count * ip * c.hours
        basis += f"; + {count:g} public IPv4 x {_rate(ip)}/h"
    return Priced(monthly, basis + (" (Linux/ARM)" if arm else ""))


def _find_by_output(c: Context, type_: str, value: Any) -> CapturedResource | None:
    if not isinstance(value, str) or not value:
        return None
    for r in c.capture.of_type(type_):
        if value in (r.id, r.outputs.get("arn"), r.outputs.get("arnWithoutRevision")):
            return r
    return None


def _capacity_strategy(r: CapturedResource, c: Context) -> list[tuple[str, float, float]]:
    items = r.inputs.get("capacityProviderStrategies")
    if not items and not r.inputs.get("launchType"):
        for cluster in c.deps_of(r, "cluster"):
            for cp in c.dependants(cluster.urn):
                if cp.type == "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders":
                    items = cp.inputs.get("defaultCapacityProviderStrategies")
                    break
    return [
        (str(i.get("capacityProvider")), _num(i.get("weight"), 0.0) or 0.0, _num(i.get("base"), 0.0) or 0.0)
        for i in items or []
        if isinstance(i, dict)
    ]


def _task_count(r: CapturedResource, c: Context) -> tuple[float, str]:
    desired = _num(r.inputs.get("desiredCount"), 0.0) or 0.0
    target = next(
        (
            d
            for d in c.dependants(r.urn)
            if d.type == "aws:appautoscaling/target:Target"
            and d.inputs.get("scalableDimension") == "ecs:service:DesiredCount"
        ),
        None,
    )
    if target is None:
        return desired, f"{desired:g} tasks (desiredCount)"
    base_min = _num(target.inputs.get("minCapacity"), 0.0) or 0.0
    count = max(desired, base_min)
    basis = f"{count:g} tasks (autoscaling minimum {base_min:g}, desiredCount {desired:g})"
    actions = [
        (str(a.inputs.get("schedule", "")), _num((a.inputs.get("scalableTargetAction") or {}).get("minCapacity"), 0.0))
        for a in c.dependants(target.urn)
        if a.type == "aws:appautoscaling/scheduledAction:ScheduledAction"
    ]
    if actions:
        floor = scheduled_floor(base_min, [(s, m or 0.0) for s, m in actions])
        if floor is not None and floor[0] > count:
            count = floor[0]
            basis = f"{count:.2f} tasks on average (autoscaling minimum {base_min:g}; {floor[1]})"
    return count, basis


# --- data stores -------------------------------------------------------------------------------


def _rds_instance(r: CapturedResource, c: Context) -> Priced:
    engine = str(r.inputs.get("engine") or "")
    table_engine = {"postgres": "postgres", "mysql": "mysql", "mariadb": "mysql"}.get(engine)
    klass = str(r.inputs.get("instanceClass") or "")
    hour = c.prices.rds_hour(table_engine, klass) if table_engine else None
    if hour is None:
        return Priced(
            0.0, f"{NOT_PRICED}: {engine or 'engine?'} {klass or 'class?'} not in the RDS table", priced=False
        )
    multi = bool(r.inputs.get("multiAz"))
    factor = 2 if multi else 1
    monthly = hour * factor * c.hours
    basis = f"{klass} {engine} {_rate(hour)}/h" + (" x 2 (Multi-AZ)" if multi else "") + f" x {c.hours:g} h"
    storage = _num(r.inputs.get("allocatedStorage"), 0.0) or 0.0
    stype = str(r.inputs.get("storageType") or "gp2")
    key = {"gp2": "rds.gp.gbMonth", "gp3": "rds.gp.gbMonth", "io1": "rds.io.gbMonth", "io2": "rds.io.gbMonth"}.get(
        stype, "rds.magnetic.gbMonth"
    )
    gb = c.p(key)
    monthly += storage * gb * factor
    basis += f" + {storage:g} GB {stype} x {_rate(gb)}" + (" x 2" if multi else "") + "/GB-month"
    retention = _num(r.inputs.get("performanceInsightsRetentionPeriod"), 7.0) or 7.0
    if r.inputs.get("performanceInsightsEnabled") and retention > 7:
        vcpus = c.prices.vcpus(klass.removeprefix("db.")) or 2
        months = max(1, round(retention / 31))
        first, extra = c.p("rds.performanceInsights.firstMonthVcpu"), c.p("rds.performanceInsights.extraMonthVcpu")
        pi = (first + extra * (months - 1)) * vcpus * factor
        monthly += pi
        basis += f" + Performance Insights {months} months x {vcpus * factor} vCPU ({usd(pi)}, upper bound)"
    elif r.inputs.get("performanceInsightsEnabled"):
        basis += "; Performance Insights 7 days: free"
    if str(r.inputs.get("databaseInsightsMode") or "").lower() == "advanced":
        basis += "; Database Insights advanced mode not priced"
        c.warnings.append(f"{r.name}: CloudWatch Database Insights advanced mode is not in the price table")
    if r.inputs.get("manageMasterUserPassword"):
        secret = c.p("secretsManager.secretMonth")
        monthly += secret
        basis += f" + RDS-managed master secret {_rate(secret)}/month"
    basis += "; automated backups free up to the storage size"
    return Priced(monthly, basis)


def _cache_nodes(r: CapturedResource, c: Context, nodes: float) -> Priced:
    node = str(r.inputs.get("nodeType") or "")
    hour = c.prices.cache_hour(node)
    if hour is None:
        return Priced(0.0, f"{NOT_PRICED}: node type {node or '?'} not in the ElastiCache table", priced=False)
    basis = f"{nodes:g} x {node} {_rate(hour)}/h"
    if str(r.inputs.get("engine") or "").lower() == "valkey":
        off = c.p("elasticache.valkeyDiscount")
        hour *= 1 - off
        basis += f" - {off:.0%} (Valkey)"
    return Priced(nodes * hour * c.hours, basis + f" x {c.hours:g} h")


def _replication_group(r: CapturedResource, c: Context) -> Priced:
    groups = _num(r.inputs.get("numNodeGroups"))
    if groups:
        replicas = _num(r.inputs.get("replicasPerNodeGroup"), 0.0) or 0.0
        nodes = groups * (replicas + 1)
    else:
        nodes = _num(r.inputs.get("numCacheClusters"), 1.0) or 1.0
    return _cache_nodes(r, c, nodes)


def _cache_cluster(r: CapturedResource, c: Context) -> Priced:
    if r.inputs.get("replicationGroupId"):
        return Priced(0.0, "free here: member of a replication group priced on the group")
    return _cache_nodes(r, c, _num(r.inputs.get("numCacheNodes"), 1.0) or 1.0)


def _bucket(r: CapturedResource, c: Context) -> Priced:
    gb, per = c.a("s3StorageGbPerBucket"), c.p("s3.standard.gbMonth")
    return Priced(gb * per, f"{gb:g} GB stored x {_rate(per)}/GB-month (S3 Standard; lifecycle tiers lower it)")


def _bucket_replication(r: CapturedResource, c: Context) -> Priced:
    """Replication to a bucket of the same Region costs only requests; to another Region, the
    transfer. The destination's Region is its bucket's (the capture links the rule to it)."""
    source_region = c.region_of(r)
    destinations = [d for d in c.deps_of(r, "rules") if d.type in ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")]
    if destinations and all(c.region_of(d) == source_region for d in destinations):
        return Priced(0.0, "free here: same-Region replication (requests not included)")
    gb, per = c.a("s3ReplicationGbPerMonth"), c.p("s3.replicationTransferGb")
    return Priced(gb * per, f"{gb:g} GB/month replicated to another Region x {_rate(per)}/GB (requests not included)")


def _backup_vault(r: CapturedResource, c: Context) -> Priced:
    gb, per = c.a("backupStorageGbPerVault"), c.p("backup.warmGbMonth")
    return Priced(gb * per, f"{gb:g} GB of recovery points x {_rate(per)}/GB-month (warm storage)")


def _backup_plan(r: CapturedResource, c: Context) -> Priced:
    copies = any((rule or {}).get("copyActions") for rule in r.inputs.get("rules") or [] if isinstance(rule, dict))
    if not copies:
        return Priced(0.0, "free: the plan itself (storage is priced on the vault)")
    gb, per = c.a("backupCopyGbPerMonth"), c.p("backup.crossRegionGb")
    return Priced(gb * per, f"cross-region copy {gb:g} GB/month x {_rate(per)}/GB")


def _ecr_repository(r: CapturedResource, c: Context) -> Priced:
    gb, per = c.a("ecrStorageGbPerRepository"), c.p("ecr.storageGbMonth")
    return Priced(gb * per, f"{gb:g} GB of images x {_rate(per)}/GB-month")


def _ecr_scanning(r: CapturedResource, c: Context) -> Priced:
    if str(r.inputs.get("scanType") or "BASIC").upper() != "ENHANCED":
        return Priced(0.0, "free: basic scanning")
    repos = len(c.capture.of_type("aws:ecr/repository:Repository"))
    images, per = c.a("ecrImagesPushedPerRepository"), c.p("inspector.ecrImageScan")
    return Priced(
        repos * images * per,
        f"enhanced scanning (Inspector): {repos} repositories x {images:g} images/month x {_rate(per)}; rescans not included",
    )


# --- security ----------------------------------------------------------------------------------


def _kms_key(r: CapturedResource, c: Context) -> Priced:
    per = c.p("kms.keyMonth")
    note = "; each yearly rotation adds $1/month for the first two" if r.inputs.get("enableKeyRotation") else ""
    return Priced(per, f"customer managed key {_rate(per)}/month{note}; requests not included")


def _secret(r: CapturedResource, c: Context) -> Priced:
    per, calls, api = c.p("secretsManager.secretMonth"), c.a("secretApiCalls10k"), c.p("secretsManager.api10k")
    return Priced(per + calls * api, f"{_rate(per)}/secret-month + {calls * 10:g}k API calls x {_rate(api)}/10k")


_PAID_RULE_GROUPS = ("AWSManagedRulesBotControlRuleSet", "AWSManagedRulesATPRuleSet", "AWSManagedRulesACFPRuleSet")


def _web_acl(r: CapturedResource, c: Context) -> Priced:
    rules = [x for x in r.inputs.get("rules") or [] if isinstance(x, dict)]
    acl, rule, req = c.p("waf.webAclMonth"), c.p("waf.ruleMonth"), c.p("waf.requestsMillion")
    millions = c.a("wafRequestsMillions")
    monthly = acl + len(rules) * rule + millions * req
    basis = f"web ACL {_rate(acl)} + {len(rules)} rules x {_rate(rule)} + {millions:g}M requests x {_rate(req)}/M"
    text = json.dumps(rules)
    paid = [g for g in _PAID_RULE_GROUPS if g in text]
    if paid:
        basis += f"; subscription fees of {', '.join(paid)} not included"
    return Priced(monthly, basis)


# --- observability -----------------------------------------------------------------------------


def _log_group(r: CapturedResource, c: Context) -> Priced:
    gb = c.a("logIngestGbPerGroup")
    infrequent = r.inputs.get("logGroupClass") == "INFREQUENT_ACCESS"
    ingest = c.p("logs.infrequentIngestGb" if infrequent else "logs.ingestGb")
    retention = _num(r.inputs.get("retentionInDays"), 0.0) or 0.0
    kept_days = retention if retention > 0 else 365.0
    stored = gb * min(kept_days, 365.0) / 30.4
    store = c.p("logs.storageGbMonth")
    monthly = gb * ingest + stored * store
    retention_text = f"{retention:g}-day retention" if retention > 0 else "no expiry (counted as 1 year)"
    return Priced(
        monthly,
        f"{gb:g} GB/month ingested x {_rate(ingest)}/GB + {stored:.1f} GB stored ({retention_text}, "
        f"uncompressed upper bound) x {_rate(store)}/GB-month",
    )


def _metric_alarm(r: CapturedResource, c: Context) -> Priced:
    queries = [q for q in r.inputs.get("metricQueries") or [] if isinstance(q, dict)]
    metrics = sum(1 for q in queries if q.get("metric")) if queries else 1
    anomaly = any("ANOMALY_DETECTION_BAND" in str(q.get("expression") or "") for q in queries)
    period = _num(r.inputs.get("period"))
    if period is None and queries:
        periods = [_num((q.get("metric") or {}).get("period")) for q in queries if q.get("metric")]
        period = min((p for p in periods if p is not None), default=60.0)
    high_res = period is not None and period < 60
    per = c.p("cloudwatch.highResAlarmMetric" if high_res else "cloudwatch.alarmMetric")
    units = max(metrics, 1) * (3 if anomaly else 1)
    kind = ("anomaly-detection " if anomaly else "") + ("high-resolution " if high_res else "")
    metric_word = "alarm metric" if units == 1 else "alarm metrics"
    return Priced(units * per, f"{kind}alarm: {units} {metric_word} x {_rate(per)}/month")


def _composite_alarm(r: CapturedResource, c: Context) -> Priced:
    per = c.p("cloudwatch.compositeAlarm")
    return Priced(per, f"composite alarm {_rate(per)}/month")


def _dashboard(r: CapturedResource, c: Context) -> Priced:
    per = c.p("cloudwatch.dashboard")
    return Priced(per, f"dashboard {_rate(per)}/month (the account's 3 free dashboards not applied)")


def _metric_filter(r: CapturedResource, c: Context) -> Priced:
    per = c.p("cloudwatch.customMetric")
    return Priced(per, f"1 custom metric x {_rate(per)}/month (more with dimensions)")


def _cloudtrail(r: CapturedResource, c: Context) -> Priced:
    trails = sorted(
        (t for t in c.capture.of_type("aws:cloudtrail/trail:Trail") if _records_management(t)), key=lambda t: t.urn
    )
    monthly, parts = 0.0, []
    if _records_management(r):
        if trails and trails[0].urn == r.urn:
            parts.append("first trail: management events free")
        else:
            n, per = c.a("cloudtrailManagementEvents100k"), c.p("cloudtrail.managementEvents100k")
            monthly += n * per
            parts.append(f"additional trail: {n * 100:g}k management events x {_rate(per)}/100k")
    if _records_data_events(r):
        n, per = c.a("cloudtrailDataEvents100k"), c.p("cloudtrail.dataEvents100k")
        monthly += n * per
        parts.append(f"{n * 100:g}k data events x {_rate(per)}/100k")
    if r.inputs.get("insightSelectors"):
        parts.append("Insights not included")
    return Priced(monthly, "; ".join(parts) or "free: no events selected")


def _records_management(r: CapturedResource) -> bool:
    advanced = r.inputs.get("advancedEventSelectors")
    if advanced:
        return "Management" in json.dumps(advanced)
    selectors = r.inputs.get("eventSelectors")
    if selectors:
        return any((s or {}).get("includeManagementEvents", True) for s in selectors if isinstance(s, dict))
    return True


def _records_data_events(r: CapturedResource) -> bool:
    advanced = r.inputs.get("advancedEventSelectors")
    if advanced and '"Data"' in json.dumps(advanced):
        return True
    return any((s or {}).get("dataResources") for s in r.inputs.get("eventSelectors") or [] if isinstance(s, dict))


def _hosted_zone(r: CapturedResource, c: Context) -> Priced:
    per = c.p("route53.hostedZoneMonth")
    return Priced(per, f"hosted zone {_rate(per)}/month; queries not included")


def _health_check(r: CapturedResource, c: Context) -> Priced:
    per = c.p("route53.healthCheckMonth")
    return Priced(per, f"health check {_rate(per)}/month (optional features extra)")


def _ssm_parameter(r: CapturedResource, c: Context) -> Priced:
    if str(r.inputs.get("tier") or "Standard") == "Advanced":
        per = c.p("ssm.advancedParameterMonth")
        return Priced(per, f"advanced parameter {_rate(per)}/month")
    return Priced(0.0, "free: standard parameter")


# --- Kubernetes objects that create AWS resources ------------------------------------------------

_QUANTITY = re.compile(r"^(\d+(?:\.\d+)?)([KMGTE]i?)?$")
_UNIT_BYTES = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}


def _gib(quantity: Any) -> float | None:
    """A Kubernetes storage quantity ("10Gi", "500M") in GiB."""
    m = _QUANTITY.match(str(quantity or ""))
    if not m:
        return None
    return float(m.group(1)) * _UNIT_BYTES.get(m.group(2) or "", 1) / 2**30


def _pvc(r: CapturedResource, c: Context) -> Priced:
    size = _gib((((r.inputs.get("spec") or {}).get("resources") or {}).get("requests") or {}).get("storage"))
    if size is None:
        return Priced(0.0, f"{NOT_PRICED}: storage request not readable", priced=False)
    gb = c.p("ebs.gp3.gbMonth")
    return Priced(size * gb, f"EBS volume {size:g} GiB x {_rate(gb)}/GB-month (gp3 storage class assumed)")


def _statefulset(r: CapturedResource, c: Context) -> Priced:
    spec = r.inputs.get("spec") or {}
    templates = [t for t in spec.get("volumeClaimTemplates") or [] if isinstance(t, dict)]
    if not templates:
        return Priced(0.0, "free: runs on the cluster's nodes")
    replicas = _num(spec.get("replicas"), 1.0) or 1.0
    sizes = [
        _gib((((t.get("spec") or {}).get("resources") or {}).get("requests") or {}).get("storage")) for t in templates
    ]
    total = sum(s for s in sizes if s is not None)
    gb = c.p("ebs.gp3.gbMonth")
    return Priced(
        replicas * total * gb, f"{replicas:g} replicas x {total:g} GiB volumes x {_rate(gb)}/GB-month (gp3 assumed)"
    )


def _helm_volumes_gib(values: Any) -> list[float]:
    """Sizes of the volumes a chart's values ask for: `volumeClaimTemplate`s (Prometheus
    operator style) and enabled `persistence` blocks (Grafana, Bitnami style)."""
    found: list[float] = []
    if isinstance(values, dict):
        template = values.get("volumeClaimTemplate")
        if isinstance(template, dict):
            size = _gib((((template.get("spec") or {}).get("resources") or {}).get("requests") or {}).get("storage"))
            if size:
                found.append(size)
        persistence = values.get("persistence")
        if isinstance(persistence, dict) and persistence.get("enabled") and _gib(persistence.get("size")):
            found.append(_gib(persistence.get("size")) or 0.0)
        for key, value in values.items():
            if key not in ("volumeClaimTemplate", "persistence"):
                found += _helm_volumes_gib(value)
    elif isinstance(values, list):
        for item in values:
            found += _helm_volumes_gib(item)
    return found


def _helm_release(r: CapturedResource, c: Context) -> Priced:
    """A Helm release runs on the nodes; what it costs on its own is the EBS volumes its values
    request (one replica each assumed)."""
    sizes = _helm_volumes_gib(r.inputs.get("values") or {})
    if not sizes:
        return Priced(0.0, "free: runs on the cluster's nodes (no persistent volumes in its values)")
    gb = c.p("ebs.gp3.gbMonth")
    total = sum(sizes)
    return Priced(
        total * gb,
        f"{len(sizes)} volume(s), {total:g} GiB x {_rate(gb)}/GB-month (gp3, one replica each); pods run on the nodes",
    )


def _k8s_service(r: CapturedResource, c: Context) -> Priced:
    spec = r.inputs.get("spec") or {}
    if spec.get("type") != "LoadBalancer":
        return Priced(0.0, "free: in-cluster service")
    annotations = json.dumps((r.inputs.get("metadata") or {}).get("annotations") or {})
    if "nlb" in annotations or "external" in annotations:
        hour = c.p("nlb.hour")
        return Priced(hour * c.hours, f"NLB {_rate(hour)}/h x {c.hours:g} h (capacity units not included)")
    hour = c.p("clb.hour")
    return Priced(hour * c.hours, f"Classic Load Balancer {_rate(hour)}/h x {c.hours:g} h (data not included)")


def _container_insights(free: str) -> Priced:
    """Container Insights bills per observation (enhanced) or per metric and log ingestion; the
    price table has neither, so the line says so instead of calling it free (as the NLB's capacity
    units or CloudTrail Insights are named "not included")."""
    return Priced(0.0, f"{free}; Container Insights observations not included (billed by CloudWatch)")


def _eks_addon(r: CapturedResource, c: Context) -> Priced:
    if r.inputs.get("addonName") == "amazon-cloudwatch-observability":
        return _container_insights("the add-on has no charge of its own")
    return Priced(0.0, "free: EKS add-ons have no charge of their own (pods run on the nodes)")


def _ecs_cluster(r: CapturedResource, c: Context) -> Priced:
    settings = {s.get("name"): s.get("value") for s in r.inputs.get("settings") or [] if isinstance(s, dict)}
    if settings.get("containerInsights") in ("enabled", "enhanced"):
        return _container_insights("the cluster has no charge (tasks are priced on the service)")
    return Priced(0.0, "free: ECS clusters have no charge (tasks are priced on the service)")


# --- registry ----------------------------------------------------------------------------------

PRICERS: dict[str, Pricer] = {
    "aws:ec2/natGateway:NatGateway": _nat_gateway,
    "aws:ec2/eip:Eip": _public_ip,
    "aws:lb/loadBalancer:LoadBalancer": _load_balancer,
    "aws:alb/loadBalancer:LoadBalancer": _load_balancer,
    "aws:ec2/vpcEndpoint:VpcEndpoint": _vpc_endpoint,
    "aws:ec2/flowLog:FlowLog": _flow_log,
    "aws:eks/cluster:Cluster": _eks_control_plane,
    "eks:index:Cluster": _eks_remote_cluster,
    "aws:eks/nodeGroup:NodeGroup": _node_group,
    "eks:index:ManagedNodeGroup": _node_group,
    "eks:index:NodeGroup": _self_managed_node_group,
    "eks:index:NodeGroupV2": _self_managed_node_group,
    "aws:autoscaling/group:Group": _autoscaling_group,
    "aws:ec2/instance:Instance": _ec2_instance,
    "aws:ebs/volume:Volume": _ebs_volume,
    "aws:ecs/service:Service": _ecs_service,
    "aws:ecs/cluster:Cluster": _ecs_cluster,
    "aws:eks/addon:Addon": _eks_addon,
    "aws:rds/instance:Instance": _rds_instance,
    "aws:elasticache/replicationGroup:ReplicationGroup": _replication_group,
    "aws:elasticache/cluster:Cluster": _cache_cluster,
    "aws:s3/bucket:Bucket": _bucket,
    "aws:s3/bucketV2:BucketV2": _bucket,
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig": _bucket_replication,
    "aws:backup/vault:Vault": _backup_vault,
    "aws:backup/plan:Plan": _backup_plan,
    "aws:ecr/repository:Repository": _ecr_repository,
    "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration": _ecr_scanning,
    "aws:kms/key:Key": _kms_key,
    "aws:kms/replicaKey:ReplicaKey": _kms_key,
    "aws:kms/externalKey:ExternalKey": _kms_key,
    "aws:kms/replicaExternalKey:ReplicaExternalKey": _kms_key,
    "aws:secretsmanager/secret:Secret": _secret,
    "aws:wafv2/webAcl:WebAcl": _web_acl,
    "aws:cloudwatch/logGroup:LogGroup": _log_group,
    "aws:cloudwatch/metricAlarm:MetricAlarm": _metric_alarm,
    "aws:cloudwatch/compositeAlarm:CompositeAlarm": _composite_alarm,
    "aws:cloudwatch/dashboard:Dashboard": _dashboard,
    "aws:cloudwatch/logMetricFilter:LogMetricFilter": _metric_filter,
    "aws:cloudtrail/trail:Trail": _cloudtrail,
    "aws:route53/zone:Zone": _hosted_zone,
    "aws:route53/healthCheck:HealthCheck": _health_check,
    "aws:ssm/parameter:Parameter": _ssm_parameter,
    "kubernetes:core/v1:PersistentVolumeClaim": _pvc,
    "kubernetes:apps/v1:StatefulSet": _statefulset,
    "kubernetes:core/v1:Service": _k8s_service,
    "kubernetes:helm.sh/v3:Release": _helm_release,
}

# Types with no charge of their own (configuration, identity, wiring), and why. Prefixes are used
# only where every type under them is free; elsewhere the types are named one by one, so a paid
# type (a VPN connection, a customer key store, an RDS proxy) is never waved through as free.
FREE_PREFIXES: dict[str, str] = {
    "pulumi:providers:": "provider configuration",
    "random:": "generated locally",
    "tls:": "generated locally",
    "pulumi-python:dynamic": "dynamic provider; no AWS resource of its own",
    "aws:iam/": "IAM has no charge",
    "aws:appautoscaling/": "Application Auto Scaling has no charge",
    "aws:acm/": "public ACM certificates have no charge",
    "aws:lb/listener": "part of the load balancer's price",
    "aws:lb/targetGroup": "part of the load balancer's price",
    "aws:s3/bucket": "bucket configuration; storage is priced on the bucket",
    "aws:secretsmanager/": "part of the secret's price",
    "aws:ecr/": "registry and repository settings have no charge",
    "aws:sns/": "first million requests and 1,000 e-mails a month are free",
    "aws:sqs/": "first million requests a month are free",
    "aws:route53/record": "records have no charge (queries to alias records are free)",
    "aws:budgets/budget:": "budgets without actions have no charge",
    "kubernetes:": "Kubernetes objects run on the cluster's nodes",
}
_FREE_EC2 = [
    "vpc:Vpc",
    "subnet:Subnet",
    "routeTable:RouteTable",
    "route:Route",
    "routeTableAssociation:RouteTableAssociation",
    "mainRouteTableAssociation:MainRouteTableAssociation",
    "defaultRouteTable:DefaultRouteTable",
    "internetGateway:InternetGateway",
    "internetGatewayAttachment:InternetGatewayAttachment",
    "egressOnlyInternetGateway:EgressOnlyInternetGateway",
    "networkAcl:NetworkAcl",
    "networkAclRule:NetworkAclRule",
    "networkAclAssociation:NetworkAclAssociation",
    "defaultNetworkAcl:DefaultNetworkAcl",
    "securityGroup:SecurityGroup",
    "securityGroupRule:SecurityGroupRule",
    "defaultSecurityGroup:DefaultSecurityGroup",
    "launchTemplate:LaunchTemplate",
    "keyPair:KeyPair",
    "placementGroup:PlacementGroup",
    "eipAssociation:EipAssociation",
    "vpcDhcpOptions:VpcDhcpOptions",
    "vpcDhcpOptionsAssociation:VpcDhcpOptionsAssociation",
    "vpcEndpointPolicy:VpcEndpointPolicy",
    "vpcEndpointRouteTableAssociation:VpcEndpointRouteTableAssociation",
    "vpcEndpointSubnetAssociation:VpcEndpointSubnetAssociation",
    "vpcIpv4CidrBlockAssociation:VpcIpv4CidrBlockAssociation",
    "networkInterface:NetworkInterface",
    "networkInterfaceAttachment:NetworkInterfaceAttachment",
    "networkInterfaceSecurityGroupAttachment:NetworkInterfaceSecurityGroupAttachment",
    "volumeAttachment:VolumeAttachment",
    "tag:Tag",
    "instanceMetadataDefaults:InstanceMetadataDefaults",
    "vpcPeeringConnection:VpcPeeringConnection",
    "peeringConnectionOptions:PeeringConnectionOptions",
    "vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter",
]
FREE_TYPES: dict[str, str] = {
    "pulumi:pulumi:StackReference": "reads another stack's outputs; no cloud resource",
    **{f"aws:ec2/{t}": "VPC wiring has no charge" for t in _FREE_EC2},
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "security group rules have no charge",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "security group rules have no charge",
    "aws:vpc/securityGroupVpcAssociation:SecurityGroupVpcAssociation": "no charge",
    "aws:ebs/defaultKmsKey:DefaultKmsKey": "account setting",
    "aws:ebs/encryptionByDefault:EncryptionByDefault": "account setting",
    "aws:ebs/snapshotBlockPublicAccess:SnapshotBlockPublicAccess": "account setting",
    "aws:kms/alias:Alias": "aliases have no charge",
    "aws:kms/grant:Grant": "grants have no charge",
    "aws:kms/keyPolicy:KeyPolicy": "part of the key's price",
    "aws:kms/ciphertext:Ciphertext": "one request (fractions of a cent)",
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": "no charge",
    "aws:ecs/capacityProvider:CapacityProvider": "no charge (instances are priced on their own)",
    "aws:ecs/taskDefinition:TaskDefinition": "task definitions have no charge (tasks are priced on the service)",
    "aws:ecs/accountSettingDefault:AccountSettingDefault": "account setting",
    "aws:eks/accessEntry:AccessEntry": "no charge",
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": "no charge",
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": "no charge",
    "aws:eks/identityProviderConfig:IdentityProviderConfig": "no charge",
    "aws:eks/fargateProfile:FargateProfile": "no charge of its own (pods on Fargate are not modelled)",
    "aws:wafv2/webAclAssociation:WebAclAssociation": "no charge",
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": "no charge (logs are priced as ingestion)",
    "aws:wafv2/ipSet:IpSet": "no charge",
    "aws:wafv2/regexPatternSet:RegexPatternSet": "no charge",
    "aws:wafv2/ruleGroup:RuleGroup": "billed as one rule of each web ACL that uses it",
    "aws:backup/selection:Selection": "no charge (storage is priced on the vault)",
    "aws:backup/vaultPolicy:VaultPolicy": "no charge",
    "aws:backup/vaultNotifications:VaultNotifications": "no charge",
    "aws:backup/vaultLockConfiguration:VaultLockConfiguration": "no charge",
    "aws:backup/regionSettings:RegionSettings": "account setting",
    "aws:backup/globalSettings:GlobalSettings": "account setting",
    "aws:cloudwatch/eventRule:EventRule": "events from AWS services have no charge",
    "aws:cloudwatch/eventTarget:EventTarget": "no charge",
    "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter": "no charge (the destination is priced)",
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": "no charge",
    "aws:cloudwatch/logDataProtectionPolicy:LogDataProtectionPolicy": "no charge of its own",
    "aws:cloudwatch/logStream:LogStream": "no charge (ingestion is priced on the log group)",
    "aws:ssm/document:Document": "no charge",
    "aws:ssm/association:Association": "no charge",
    "aws:ssm/serviceSetting:ServiceSetting": "account setting",
    "aws:ssm/patchBaseline:PatchBaseline": "no charge",
    "aws:ssm/maintenanceWindow:MaintenanceWindow": "no charge",
    "aws:rds/subnetGroup:SubnetGroup": "no charge",
    "aws:rds/parameterGroup:ParameterGroup": "no charge",
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": "no charge",
    "aws:rds/optionGroup:OptionGroup": "no charge",
    "aws:rds/roleAssociation:RoleAssociation": "no charge",
    "aws:rds/eventSubscription:EventSubscription": "no charge (SNS delivery is priced on the topic)",
    "aws:elasticache/subnetGroup:SubnetGroup": "no charge",
    "aws:elasticache/parameterGroup:ParameterGroup": "no charge",
    "aws:elasticache/user:User": "no charge",
    "aws:elasticache/userGroup:UserGroup": "no charge",
    "aws:elasticache/userGroupAssociation:UserGroupAssociation": "no charge",
    "aws:route53/zoneAssociation:ZoneAssociation": "no charge",
    "aws:budgets/budgetAction:BudgetAction": "the account's first two action-enabled budgets are free",
}


def _free_reason(type_: str) -> str | None:
    if type_ in FREE_TYPES:
        return FREE_TYPES[type_]
    best = max((p for p in FREE_PREFIXES if type_.startswith(p)), key=len, default=None)
    return FREE_PREFIXES[best] if best is not None else None


# --- the estimate ------------------------------------------------------------------------------


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
            reason = _free_reason(r.type)
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
