"""The price forecast weights prices by how long they held and ignores short spikes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from secure_platform.spot.forecast import forecast

END = datetime(2026, 3, 1, tzinfo=UTC)
START = END - timedelta(days=14)


def at(days_before_end: float) -> datetime:
    return END - timedelta(days=days_before_end)


def test_the_price_in_effect_at_the_window_start_counts_for_the_time_it_held():
    # One record from before the window (as DescribeSpotPriceHistory returns it), then a change.
    fc = forecast([(at(30), 0.10), (at(7), 0.20)], start=START, end=END)
    assert fc is not None
    assert fc.mean == pytest.approx(0.15)  # 7 days at 0.10, 7 days at 0.20
    assert fc.changes == 1
    assert fc.last == 0.20


def test_many_records_of_a_short_spike_weigh_by_time_not_by_count():
    points = [(at(14), 0.10)]
    points += [(at(5) + timedelta(minutes=m), 0.90) for m in range(0, 60, 5)]  # 12 records in one hour
    points += [(at(5) + timedelta(hours=1), 0.10)]
    fc = forecast(points, start=START, end=END)
    assert fc is not None
    assert fc.expected == 0.10
    assert fc.mean == pytest.approx(0.10 + 0.80 / (14 * 24), rel=1e-6)


def test_expected_follows_a_sustained_move_in_the_recent_window():
    fc = forecast([(at(14), 0.10), (at(2.5), 0.12)], start=START, end=END)
    assert fc is not None
    assert fc.expected == 0.12  # 2.5 of the last 3 days at 0.12
    assert fc.mean < fc.expected


def test_a_flat_price_has_no_volatility_and_a_moving_one_has_some():
    flat = forecast([(at(20), 0.05)], start=START, end=END)
    moving = forecast([(at(20), 0.05), (at(10), 0.08), (at(5), 0.04)], start=START, end=END)
    assert flat is not None and moving is not None
    assert flat.volatility == 0.0
    assert moving.volatility > 0.1


def test_no_price_in_the_window_gives_no_forecast():
    assert forecast([], start=START, end=END) is None
    assert forecast([(END + timedelta(days=1), 0.1)], start=START, end=END) is None


@given(
    st.lists(
        st.tuples(st.floats(min_value=0, max_value=30), st.floats(min_value=0.001, max_value=5)),
        min_size=1,
        max_size=40,
    )
)
def test_statistics_stay_within_the_prices_seen(raw):
    points = [(at(days), price) for days, price in raw]
    fc = forecast(points, start=START, end=END)
    assert fc is not None
    prices = [p for _, p in points]
    lo, hi = min(prices), max(prices)
    for value in (fc.expected, fc.mean, fc.p90, fc.last):
        assert lo - 1e-12 <= value <= hi + 1e-12
    assert fc.volatility >= 0
