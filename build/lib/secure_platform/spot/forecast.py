"""Expected spot price of one pool (instance type x AZ) from its price history (pure).

`DescribeSpotPriceHistory` reports price *changes*: each record holds until the next one, and the
answer includes the last change before the window, which is the price in effect at its start. So
the history is a step function, and every statistic here is weighted by how long a price held, not
by how many records there are (a price that changed ten times in an hour and then held for a week
is a one-price week).

The forecast is deliberately simple and robust, because a node group lives for weeks:
- `expected` is the time-weighted median over the recent window (default: the last 3 days), so a
  short spike or dip does not move it, while a sustained move does;
- `volatility` is the time-weighted coefficient of variation over the whole window, the "how much
  does this pool move" penalty the ranking adds on top of the price.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

RECENT = timedelta(days=3)


@dataclass(frozen=True)
class PriceForecast:
    expected: float
    """Robust recent level (time-weighted median of the recent window), USD per hour."""
    mean: float
    """Time-weighted mean over the whole window."""
    volatility: float
    """Time-weighted standard deviation over the window divided by its mean (0: flat)."""
    p90: float
    last: float
    changes: int
    """Price changes inside the window."""


def _segments(points: Sequence[tuple[datetime, float]], start: datetime, end: datetime) -> list[tuple[float, float]]:
    """(price, seconds held) for each step of the price inside [start, end]."""
    ordered = sorted(points, key=lambda p: p[0])
    out: list[tuple[float, float]] = []
    for i, (at, price) in enumerate(ordered):
        until = ordered[i + 1][0] if i + 1 < len(ordered) else end
        lo, hi = max(at, start), min(until, end)
        if hi > lo:
            out.append((price, (hi - lo).total_seconds()))
    return out


def _quantile(segments: list[tuple[float, float]], q: float) -> float:
    total = sum(w for _, w in segments)
    acc = 0.0
    for price, weight in sorted(segments):
        acc += weight
        if acc >= q * total:
            return price
    return max(p for p, _ in segments)


def forecast(
    points: Sequence[tuple[datetime, float]],
    *,
    start: datetime,
    end: datetime,
    recent: timedelta = RECENT,
) -> PriceForecast | None:
    """The pool's forecast over [start, end], or None when no price was in effect in the window."""
    if not points or end <= start:
        return None
    window = _segments(points, start, end)
    if not window:
        # Every record is after `end` (clock skew) or the only one sits exactly at `end`.
        latest = max(points, key=lambda p: p[0])
        if latest[0] > end:
            return None
        window = [(latest[1], 1.0)]
    recent_segments = _segments(points, max(start, end - recent), end) or window
    total = sum(w for _, w in window)
    mean = sum(p * w for p, w in window) / total
    variance = sum(w * (p - mean) ** 2 for p, w in window) / total
    changes = sum(1 for at, _ in points if start < at <= end)
    last = max((p for p in points if p[0] <= end), key=lambda p: p[0])[1]
    return PriceForecast(
        expected=_quantile(recent_segments, 0.5),
        mean=mean,
        volatility=math.sqrt(variance) / mean if mean > 0 else 0.0,
        p90=_quantile(window, 0.9),
        last=last,
        changes=changes,
    )
