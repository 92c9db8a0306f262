"""The held choice: canonical order, no change for wobble or reordering, explicit re-selection,
previews and drift checks without market access, and a failed price call never frozen."""

from __future__ import annotations

import random
from typing import Any

import pytest
from spot_fakes import FakeMarket

from secure_platform.spot.market import SourceUnavailableError
from secure_platform.spot.provider import SpotSelectionProvider

INPUTS: dict[str, Any] = {
    "region": "us-east-1",
    "vcpus": {"min": 2.0, "max": 4.0},
    "memoryGib": {"min": 4.0, "max": 16.0},
    "capacity": 20.0,
    "allowedAvailabilityZones": ["us-east-1a", "us-east-1b", "us-east-1c"],
}


def provider_for(market: Any) -> SpotSelectionProvider:
    return SpotSelectionProvider(market_factory=lambda region: market)


def create(market: FakeMarket, inputs: dict[str, Any] | None = None) -> dict[str, Any]:
    provider = provider_for(market)
    checked = provider.check({}, dict(inputs or INPUTS))
    assert checked.failures == []
    outs = provider.create(checked.inputs).outs
    assert outs is not None
    return outs


def canonical(outs: dict[str, Any]) -> bool:
    memory = {d["instanceType"]: d["memoryGib"] for d in outs["details"]}
    return outs["instanceTypes"] == sorted(outs["instanceTypes"], key=lambda t: (memory[t], t)) and outs[
        "availabilityZones"
    ] == sorted(outs["availabilityZones"])


class Unreachable:
    """A market every call to which fails the way botocore fails without network."""

    label = "AWS"
    notes: tuple[str, ...] = ()

    def __init__(self) -> None:
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        def fail(*_args: Any, **_kwargs: Any) -> Any:
            self.calls += 1
            raise SourceUnavailableError(name, "cannot reach AWS (EndpointConnectionError)", fatal=True)

        return fail


class Broken:
    """A market that raises something no fallback expects (a bug, a malformed answer)."""

    label = "AWS"
    notes: tuple[str, ...] = ()

    def __getattr__(self, name: str) -> Any:
        def fail(*_args: Any, **_kwargs: Any) -> Any:
            raise KeyError("Timestamp")

        return fail


def test_a_two_percent_wobble_neither_reorders_nor_changes_the_held_types():
    base = create(FakeMarket())
    assert canonical(base)
    for seed in range(15):
        market = FakeMarket()
        rng = random.Random(seed)
        catalogue, _ = market.files.catalogue()
        market.factor = {name: rng.uniform(0.98, 1.02) for name in catalogue}
        fresh = create(market)
        assert canonical(fresh)
        if set(fresh["instanceTypes"]) == set(base["instanceTypes"]):
            assert fresh["instanceTypes"] == base["instanceTypes"], seed  # same set, same list
        assert provider_for(market).diff("id", base, dict(INPUTS)).changes is False, seed


def test_the_same_types_in_another_order_are_no_change():
    market = FakeMarket()
    outs = create(market)
    shuffled = {**outs, "instanceTypes": list(reversed(outs["instanceTypes"]))}
    assert provider_for(market).diff("id", shuffled, dict(INPUTS)).changes is False


def test_zone_order_from_the_api_or_the_inputs_never_changes_anything():
    market = FakeMarket()
    outs = create(market)
    reordered = FakeMarket()
    zones = reordered.files.zones("us-east-1")
    reordered.zones = lambda: list(reversed(zones))  # type: ignore[method-assign]
    again = create(reordered)
    assert again["availabilityZones"] == outs["availabilityZones"] == sorted(outs["availabilityZones"])
    assert again["availabilityZoneIds"] == outs["availabilityZoneIds"]
    swapped = {**INPUTS, "allowedAvailabilityZones": ["us-east-1c", "us-east-1a", "us-east-1b"]}
    assert provider_for(reordered).diff("id", outs, swapped).changes is False
    assert provider_for(reordered).check({}, swapped).inputs["allowedAvailabilityZones"] == sorted(
        INPUTS["allowedAvailabilityZones"]
    )


def test_a_reselect_token_re_chooses_and_says_why():
    market = FakeMarket()
    outs = create(market)
    provider = provider_for(market)
    assert provider.diff("id", outs, dict(INPUTS)).changes is False
    asked = {**INPUTS, "reselect": "2026-03-quarterly"}
    assert provider.diff("id", outs, asked).changes is True
    updated = provider.update("id", outs, asked).outs
    assert updated is not None and "re-selection requested" in updated["lastDecision"]
    assert updated["selectedAt"] >= outs["selectedAt"] and updated["reselect"] == "2026-03-quarterly"
    assert provider.diff("id", updated, asked).changes is False  # the same token again: held


@pytest.mark.parametrize("market", [Unreachable(), Broken()], ids=["unreachable", "broken"])
def test_preview_and_drift_of_a_held_choice_never_need_the_market(market, capsys):
    held = create(FakeMarket())
    provider = provider_for(market)
    assert provider.diff("id", held, dict(INPUTS)).changes is False
    assert "held choice kept" in capsys.readouterr().err  # said, not silent
    assert provider.diff("id", held, {**INPUTS, "capacity": 40.0}).changes is False
    # Narrowed requirements are still judged, on the bundled catalogue alone.
    first = held["instanceTypes"][0]
    narrowed = {**INPUTS, "excludedFamilies": [first.split(".")[0]]}
    assert provider.diff("id", held, narrowed).changes is True


def test_reselect_on_savings_off_makes_previews_call_no_aws_at_all():
    market = FakeMarket()
    quiet = {**INPUTS, "reselectOnSavings": False}
    outs = create(market, quiet)
    for name in outs["instanceTypes"]:
        market.factor[name] = 3.0  # a saving far above both thresholds
    market.calls.clear()
    provider = provider_for(market)
    assert provider.diff("id", outs, quiet).changes is False
    assert market.calls == []
    assert provider.diff("id", outs, {**quiet, "reselectOnSavings": True}).changes is True


def test_a_failed_price_call_is_retried_at_the_next_preview_not_frozen(capsys):
    market = FakeMarket()
    market.fail["spot_price_history"] = SourceUnavailableError(
        "DescribeSpotPriceHistory", "throttled (Throttling) after retries"
    )
    outs = create(market)
    assert outs["priceBasis"] == "estimate"
    assert any("DescribeSpotPriceHistory throttled" in w for w in outs["warnings"])  # reported
    del market.fail["spot_price_history"]  # the market answers again
    for name in outs["instanceTypes"]:
        market.factor[name] = 2.0  # and the held pools are now dear
    provider = provider_for(market)
    market.calls.clear()
    assert provider.diff("id", outs, dict(INPUTS)).changes is True
    assert "spot_price_history" in market.calls  # retried
    reported = capsys.readouterr().err  # the engine shows a provider's stderr lines as diagnostics
    assert "held choice was made from fallback estimates; re-checked" in reported
    updated = provider.update("id", outs, dict(INPUTS)).outs
    assert updated is not None and updated["priceBasis"] == "history"
    assert "re-priced on live spot price history" in updated["lastDecision"]


def test_unknown_capacity_in_a_preview_is_no_change_but_unknown_zones_are():
    from pulumi.runtime.rpc import UNKNOWN

    market = FakeMarket()
    outs = create(market)
    provider = provider_for(market)
    assert provider.diff("id", outs, {**INPUTS, "capacity": UNKNOWN}).changes is False
    assert provider.diff("id", outs, {**INPUTS, "allowedAvailabilityZones": UNKNOWN}).changes is True


def test_a_region_the_bundled_data_lacks_fails_check_when_only_bundled_data_is_used():
    found = SpotSelectionProvider().check({}, {**INPUTS, "region": "us-gov-west-1", "allowedAvailabilityZones": []})
    assert found.failures == []  # live data may cover it at `up`
    bundled = {**INPUTS, "region": "us-gov-west-1", "allowedAvailabilityZones": [], "dataSource": "bundled"}
    failures = SpotSelectionProvider().check({}, bundled).failures
    assert [f.property for f in failures] == ["region"] and "us-gov-west-1" in failures[0].reason


def test_the_library_never_imports_an_offline_preview():
    import ast
    from pathlib import Path

    package = Path(__file__).resolve().parents[2] / "components" / "spot"
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not any(n.split(".")[0] == "offline_preview" for n in names), path
    assert callable(SpotSelectionProvider.offline_create)  # the hook the library owns


def test_zones_that_do_not_exist_fail_check_instead_of_create():
    bad = {**INPUTS, "allowedAvailabilityZones": ["us-east-1x", "us-east-1y"]}
    failures = SpotSelectionProvider().check({}, bad).failures
    assert [f.property for f in failures] == ["allowedAvailabilityZones"]
    assert "us-east-1x" in failures[0].reason and "us-east-1a" in failures[0].reason


def test_a_requested_reselection_that_lands_on_the_held_set_keeps_the_held_list():
    market = FakeMarket()
    outs = create(market)
    legacy = {**outs, "instanceTypes": list(reversed(outs["instanceTypes"]))}  # e.g. an older price order
    asked = {**INPUTS, "reselect": "now"}
    updated = provider_for(market).update("id", legacy, asked).outs
    assert updated is not None and "re-selection requested" in updated["lastDecision"]
    assert updated["instanceTypes"] == legacy["instanceTypes"]  # same set: same list, no replacement
    assert [d["instanceType"] for d in updated["details"]] == legacy["instanceTypes"]


class Garbled(FakeMarket):
    """A live market whose answers carry NaN, negative and zero figures."""

    def instance_types(self, req):  # type: ignore[no-untyped-def]
        import dataclasses

        types = super().instance_types(req)
        types["m6i.large"] = dataclasses.replace(types["m6i.large"], vcpus=0)
        return types

    def spot_price_history(self, types, zones, start, end):  # type: ignore[no-untyped-def]
        history = super().spot_price_history(types, zones, start, end)
        for index, key in enumerate(sorted(history)):
            when, _price = history[key][-1]
            history[key][-1] = (when, [float("nan"), -0.01, 0.0, float("inf")][index % 4])
        return history

    def on_demand_prices(self, types):  # type: ignore[no-untyped-def]
        prices = super().on_demand_prices(types)
        return {name: (float("nan") if i % 2 else price) for i, (name, price) in enumerate(prices.items())}


def test_garbled_live_answers_never_reach_the_outputs():
    import json

    outs = create(Garbled())
    text = json.dumps(outs, allow_nan=False)  # raises on NaN/Infinity
    assert "m6i.large" not in outs["instanceTypes"]
    assert all(d["spotPrice"] > 0 for d in outs["details"])
    warnings = " ".join(outs["warnings"])
    assert "without vCPUs or memory" in warnings and "not finite and > 0" in warnings
    assert "unusable on-demand prices" in warnings and text
