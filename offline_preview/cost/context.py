"""What a pricer sees (the indexed capture, prices, assumptions, regions) and the small
helpers every pricer shares."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..capture import Capture, CapturedResource
from .assumptions import Assumptions
from .prices import PriceTable

NOT_PRICED = "not priced"


def usd(amount: float) -> str:
    return f"${amount:,.2f}"


def rate(amount: float) -> str:
    """A unit price with the digits it has, at least cents: $0.40, $0.0416, $3.00."""
    whole, _, frac = f"{amount:.10f}".partition(".")
    frac = frac.rstrip("0").ljust(2, "0")
    return f"${whole}.{frac}"


_SHORTCODE = re.compile(r":(?=[a-z0-9_+-]+:)")


def md(text: str) -> str:
    """Text for a Markdown table cell inside a code span: pipes escaped, newlines flattened."""
    return text.replace("|", "\\|").replace("\n", " ")


def md_prose(text: str) -> str:
    """Text for Markdown prose, shown as written: as `md`, and `:name:` not rendered as an emoji
    (GitHub does so outside code spans; the first colon becomes an HTML entity)."""
    return _SHORTCODE.sub("&#58;", md(text))


def short_urn(urn: str) -> str:
    parts = urn.split("::")
    if len(parts) < 4:
        return urn
    return f"{parts[2].split('$')[-1]}::{parts[3]}"


@dataclass
class Priced:
    """What one resource costs: `monthly` is what the program itself decides (hours of provisioned
    capacity, stored GB by a stated assumption); `usage` lists the unit prices of what only its
    traffic decides (requests, GB-seconds, GB transferred), shown instead of a guessed total."""

    monthly: float
    basis: str
    priced: bool = True
    usage: tuple[str, ...] = ()
    assumed: float = 0.0
    """The part of `monthly` that rests on a stated usage assumption (GB processed, requests, log
    volume) rather than on what the program declares."""


class Context:
    """What a pricer may look at: the whole capture (indexed), prices, assumptions, regions."""

    def __init__(
        self,
        capture: Capture,
        prices: PriceTable,
        assumptions: Assumptions,
        default_region: str,
        on: date | None = None,
    ) -> None:
        self.capture = capture
        self.on = on or date.today()
        """The day the estimate is for (support periods that charge extra depend on it)."""
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


def num(value: Any, default: float | None = None) -> float | None:
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


def count(value: Any) -> int:
    return len(value) if isinstance(value, list) else 0


def has_children(r: CapturedResource, c: Context) -> bool:
    return r.urn in c.parents
