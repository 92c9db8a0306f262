"""The dynamic provider: check messages, no-churn diff, update keeping outputs, degraded data."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path
from typing import Any

import pytest
from pulumi.runtime.rpc import UNKNOWN
from spot_fakes import NOW, FakeMarket, denied, requirements

from secure_platform.spot.churn import PreviousSelection
from secure_platform.spot.engine import OUTPUT_KEYS, evaluate
from secure_platform.spot.market import DATA_DIR, FileMarket, SourceUnavailableError
from secure_platform.spot.provider import SpotSelectionProvider
from secure_platform.spot.requirements import parse_requirements

INPUTS: dict[str, Any] = {
    "region": "us-east-1",
    "vcpus": {"min": 2.0, "max": 4.0},
    "memoryGib": {"min": 4.0, "max": 16.0},
    "capacity": 20.0,  # numbers arrive from the engine as floats
    "allowedAvailabilityZones": ["us-east-1a", "us-east-1b", "us-east-1c"],
}


def provider_for(market: FakeMarket) -> SpotSelectionProvider:
    return SpotSelectionProvider(market_factory=lambda region: market)


def created(market: FakeMarket, inputs: dict[str, Any] | None = None) -> dict[str, Any]:
    provider = provider_for(market)
    checked = provider.check({}, dict(inputs or INPUTS))
    assert checked.failures == []
    result = provider.create(checked.inputs)
    assert result.outs is not None
    return result.outs


# --- check --------------------------------------------------------------------------------------


def failures(news: dict[str, Any]) -> dict[str, str]:
    result = SpotSelectionProvider().check({}, news)
    return {f.property: f.reason for f in result.failures}


def test_check_reports_min_above_max_and_unknown_architecture_with_the_key():
    found = failures({**INPUTS, "vcpus": {"min": 8, "max": 2}, "architectures": ["x86_64", "sparc"]})
    assert "min (8) must be <= max (2)" in found["vcpus"]
    assert "sparc" in found["architectures"] and "x86_64, arm64" in found["architectures"]


def test_check_names_the_filter_that_empties_the_result():
    found = failures({**INPUTS, "vcpus": {"min": 200, "max": 300}})
    assert list(found) == ["vcpus"]
    assert "'vcpus' filter (vcpus 200-300)" in found["vcpus"]
    found = failures({**INPUTS, "allowedFamilies": ["m5"], "architectures": ["arm64"]})
    assert "allowedFamilies" in found
    found = failures(
        {
            **INPUTS,
            "vcpus": {"min": 2, "max": 2},
            "memoryGib": {"min": 4, "max": 4},
            "maxInterruptionBucket": 0,
            "allowedFamilies": ["c5a"],
        }
    )
    assert list(found) == ["maxInterruptionBucket"]


def test_check_fills_defaults_and_leaves_unknown_values_for_later():
    result = SpotSelectionProvider().check({}, dict(INPUTS))
    assert result.inputs["capacity"] == 20 and result.inputs["typeCount"] == 4
    pending = {**INPUTS, "allowedAvailabilityZones": UNKNOWN, "vcpus": {"min": 8, "max": 2}}
    result = SpotSelectionProvider().check({}, pending)
    assert result.failures == []  # judged again at `up`, when the zones are known


# --- create -------------------------------------------------------------------------------------


def test_create_reports_the_documented_outputs_from_live_data(fake):
    outs = created(fake)
    assert set(OUTPUT_KEYS) <= set(outs)
    assert outs["priceBasis"] == "history"
    assert outs["dataSources"]["spotPrices"].startswith("AWS DescribeSpotPriceHistory")
    assert outs["warnings"] == []
    detail = outs["details"][0]
    assert set(detail) >= {
        "instanceType",
        "spotPrice",
        "onDemandPrice",
        "savingsPercent",
        "interruptionBucket",
        "availabilityZones",
    }
    assert outs["instanceTypes"] == [d["instanceType"] for d in outs["details"]]
    assert set(outs["availabilityZones"]) <= set(INPUTS["allowedAvailabilityZones"])
    assert outs["expectedHourlyUsd"] == pytest.approx(
        20 * sum(d["spotPrice"] for d in outs["details"]) / len(outs["details"]), abs=1e-3
    )
    assert set(outs["placementScores"]) == {"use1-az2", "use1-az4", "use1-az6"}  # zone ids of a, b, c


def test_azs_with_poor_placement_scores_are_dropped(fake):
    fake.scores = {"use1-az2": 9, "use1-az4": 2, "use1-az6": 8}  # us-east-1b scores 2
    outs = created(fake)
    assert outs["availabilityZones"] == ["us-east-1a", "us-east-1c"]
    assert any("us-east-1b dropped: placement score below 3" in w for w in outs["warnings"])
    assert all("us-east-1b" not in d["availabilityZones"] for d in outs["details"])


def test_access_denied_on_optional_apis_degrades_with_warnings(fake):
    fake.fail["placement_scores"] = denied("GetSpotPlacementScores")
    fake.fail["on_demand_prices"] = denied("pricing:GetProducts")
    outs = created(fake)
    assert outs["instanceTypes"]
    text = " ".join(outs["warnings"])
    assert "GetSpotPlacementScores not permitted" in text and "pricing:GetProducts not permitted" in text
    assert outs["dataSources"]["placementScores"] == "unavailable"
    assert outs["dataSources"]["onDemandPrices"].startswith("bundled")
    assert outs["priceBasis"] == "history"  # the rest is still live


def test_throttled_price_history_falls_back_to_estimates(fake):
    fake.fail["spot_price_history"] = SourceUnavailableError(
        "DescribeSpotPriceHistory", "throttled (Throttling) after retries"
    )
    outs = created(fake)
    assert outs["priceBasis"] == "estimate"
    assert any("DescribeSpotPriceHistory throttled" in w for w in outs["warnings"])


def test_no_credentials_stops_asking_aws_after_the_first_call(fake):
    fake.fail["zones"] = SourceUnavailableError("DescribeAvailabilityZones", "no AWS credentials found", fatal=True)
    outs = created(fake)
    assert fake.calls == ["zones"]
    assert outs["warnings"][0].startswith("AWS market data unavailable (no AWS credentials found)")
    assert outs["dataSources"]["catalogue"].startswith("bundled")
    assert outs["instanceTypes"]


# --- diff: no churn -----------------------------------------------------------------------------


def test_price_noise_that_changes_the_naive_choice_reports_no_change():
    naive_changes = 0
    for seed in range(20):
        market = FakeMarket()
        outs = created(market)
        rng = random.Random(seed)
        catalogue, _ = market.files.catalogue()
        market.factor = {name: rng.uniform(0.85, 1.15) for name in catalogue}  # +-15 % per type
        fresh = evaluate(parse_requirements(INPUTS), source=market, now=NOW).outputs["instanceTypes"]
        naive_changes += set(fresh) != set(outs["instanceTypes"])
        assert provider_for(market).diff("id", outs, dict(INPUTS)).changes is False, seed
    assert naive_changes >= 5  # the noise is big enough that re-picking every time would churn


def test_a_market_wide_move_reports_no_change():
    market = FakeMarket()
    outs = created(market)
    market.market_factor = 1.6
    assert provider_for(market).diff("id", outs, dict(INPUTS)).changes is False


def test_a_large_saving_reports_a_change_and_update_moves_to_it():
    market = FakeMarket()
    outs = created(market)
    for name in outs["instanceTypes"]:
        market.factor[name] = 2.0  # the chosen pools doubled; others did not
    provider = provider_for(market)
    assert provider.diff("id", outs, dict(INPUTS)).changes is True
    updated = provider.update("id", outs, dict(INPUTS)).outs
    assert updated is not None
    assert set(updated["instanceTypes"]).isdisjoint(outs["instanceTypes"])
    assert "above both thresholds" in updated["lastDecision"]


def test_saving_below_the_usd_threshold_reports_no_change():
    market = FakeMarket()
    small = {**INPUTS, "capacity": 1.0, "savingsThresholdUsdPerHour": 0.5}
    outs = created(market, small)
    for name in outs["instanceTypes"]:
        market.factor[name] = 2.0  # a big relative saving, but a few cents per hour for one instance
    assert provider_for(market).diff("id", outs, dict(small)).changes is False


def test_a_selected_type_that_disappears_reports_a_change():
    market = FakeMarket()
    outs = created(market)
    market.removed = {outs["instanceTypes"][0]}
    provider = provider_for(market)
    assert provider.diff("id", outs, dict(INPUTS)).changes is True
    updated = provider.update("id", outs, dict(INPUTS)).outs
    assert updated is not None and outs["instanceTypes"][0] not in updated["instanceTypes"]
    assert "no longer among the spot types DescribeInstanceTypes lists" in updated["lastDecision"]


def test_a_selected_type_that_became_too_risky_is_replaced(tmp_path: Path):
    market = FakeMarket()
    outs = created(market)
    victim = outs["instanceTypes"][0]
    for name in ("spot-advisor-data.json", "ec2-on-demand-prices.json"):
        shutil.copy(DATA_DIR / name, tmp_path / name)
    advisor = json.loads((tmp_path / "spot-advisor-data.json").read_text())
    advisor["spot_advisor"]["us-east-1"]["Linux"][victim]["r"] = 4
    (tmp_path / "spot-advisor-data.json").write_text(json.dumps(advisor))
    previous = PreviousSelection.from_outputs(outs)
    evaluation = evaluate(
        requirements(capacity=20),
        files=FileMarket(tmp_path),
        source=market,
        previous=previous,
        previous_outputs=outs,
        now=NOW,
    )
    assert evaluation.decision.reselect
    assert f"{victim} no longer passes the 'max-interruption' filter" in evaluation.decision.reason
    assert victim not in evaluation.outputs["instanceTypes"]


def test_estimates_never_overrule_a_selection_made_from_live_history():
    market = FakeMarket()
    outs = created(market)
    offline = FakeMarket()
    offline.fail["zones"] = SourceUnavailableError("DescribeAvailabilityZones", "no AWS credentials found", fatal=True)
    assert provider_for(offline).diff("id", outs, dict(INPUTS)).changes is False


def test_changing_type_count_reselects():
    market = FakeMarket()
    outs = created(market)
    provider = provider_for(market)
    fewer = {**INPUTS, "typeCount": 3.0}
    assert provider.diff("id", outs, fewer).changes is True
    updated = provider.update("id", outs, fewer).outs
    assert updated is not None and updated["lastDecision"] == "typeCount changed from 4 to 3"
    assert len(updated["instanceTypes"]) == 3


def test_changing_capacity_alone_previews_as_no_change_and_an_update_keeps_the_types():
    market = FakeMarket()
    outs = created(market)
    provider = provider_for(market)
    bigger = {**INPUTS, "capacity": 40.0}
    assert provider.diff("id", outs, bigger).changes is False  # no node-group replacement in the preview
    updated = provider.update("id", outs, bigger).outs
    assert updated is not None
    for key in ("instanceTypes", "details", "availabilityZones", "reason", "selectedAt", "placementScores"):
        assert updated[key] == outs[key]  # kept exactly
    assert updated["expectedHourlyUsd"] == pytest.approx(2 * outs["expectedHourlyUsd"], abs=1e-3)
    assert updated["capacity"] == 40 and updated["selectionInputs"]["capacity"] == 40


def test_narrowing_a_range_that_excludes_a_selected_type_reports_a_change():
    market = FakeMarket()
    outs = created(market)
    first = outs["details"][0]
    narrower = {**INPUTS, "excludedFamilies": [first["instanceType"].split(".")[0]]}
    diff = provider_for(market).diff("id", outs, narrower)
    assert diff.changes is True


def test_unknown_inputs_in_a_preview_diff_report_a_change_without_calling_aws(fake):
    outs = created(fake)
    fake.calls.clear()
    diff = provider_for(fake).diff("id", outs, {**INPUTS, "allowedAvailabilityZones": UNKNOWN})
    assert diff.changes is True and fake.calls == []


def test_offline_create_uses_only_the_bundled_data(fake):
    outs = provider_for(fake).offline_create(dict(INPUTS))
    assert fake.calls == []
    assert outs["priceBasis"] == "estimate"
    assert outs["dataSources"]["placementScores"] == "not used (bundled data only)"
    assert outs["instanceTypes"]
