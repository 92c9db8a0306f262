"""The bundled data covers what the README claims, per region, and says so when it does not."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from spot_fakes import requirements

from secure_platform.spot.engine import evaluate
from secure_platform.spot.market import DATA_DIR, FileMarket, MarketDataError, guess_architecture, parse_history

FILES = FileMarket()
ADVISOR_REGIONS = FILES.advisor_regions()
NO_AZ_DATA = {"ap-east-2", "ap-southeast-7", "mx-central-1"}


def test_the_bundle_covers_33_advisor_regions_30_with_az_data_and_us_east_1_prices():
    assert len(ADVISOR_REGIONS) == 33
    assert {r for r in ADVISOR_REGIONS if not FILES.zones(r)} == NO_AZ_DATA
    prices, proxy = FILES.on_demand("us-east-1")
    assert proxy is None and prices["m6i.large"] == pytest.approx(0.096)
    assert FILES.on_demand("eu-west-1")[1] == "us-east-1"
    catalogue, guessed = FILES.catalogue()
    assert catalogue["m7g.large"].architecture == "arm64" and catalogue["m7i.large"].architecture == "x86_64"
    assert catalogue["t3.large"].burstable and not catalogue["m7i.large"].burstable
    assert "p3.2xlarge" in guessed and catalogue["p3.2xlarge"].accelerated  # old GPU type moto no longer lists


@pytest.mark.parametrize("name", sorted(p.name for p in DATA_DIR.glob("*.json")))
def test_every_bundled_file_says_where_its_data_comes_from(name):
    source = json.loads((DATA_DIR / name).read_text(encoding="utf-8")).get("source")
    assert isinstance(source, str) and re.search(r"AWS|EC2", source), name
    # A dated snapshot, or one pinned to the release of the project it was taken from.
    assert re.search(r"20\d\d|moto \d", source), name


@pytest.mark.parametrize("region", sorted(set(ADVISOR_REGIONS) - NO_AZ_DATA - {"us-east-1"}))
def test_every_region_with_az_data_selects_offline_with_a_proxy_price_warning(region):
    out = evaluate(
        requirements(region=region, allowedAvailabilityZones=[], maxInterruptionBucket=4, typeCount=3)
    ).outputs
    assert out["instanceTypes"]
    assert all(zone.startswith(region) for zone in out["availabilityZones"])
    assert any("us-east-1's stand in" in w for w in out["warnings"])


@pytest.mark.parametrize("region", sorted(NO_AZ_DATA))
def test_regions_without_az_data_select_and_warn_that_azs_are_not_checked(region):
    out = evaluate(requirements(region=region, allowedAvailabilityZones=[], maxInterruptionBucket=4)).outputs
    assert out["instanceTypes"] and out["availabilityZones"] == []
    assert any("AZ offerings are not checked" in w for w in out["warnings"])


def test_a_region_outside_the_data_is_an_error_naming_the_covered_ones():
    with pytest.raises(MarketDataError, match=r"no Linux entries for region us-gov-west-1; it covers af-south-1"):
        evaluate(requirements(region="us-gov-west-1", allowedAvailabilityZones=[]))


def test_market_data_dir_errors_are_clear(tmp_path: Path):
    with pytest.raises(MarketDataError, match=re.escape("lacks spot-advisor-data.json, ec2-on-demand-prices.json")):
        FileMarket(tmp_path)
    shutil.copy(DATA_DIR / "ec2-on-demand-prices.json", tmp_path)
    (tmp_path / "spot-advisor-data.json").write_text("{not json")
    with pytest.raises(MarketDataError, match=r"is not valid JSON: .* at line 1, column 2"):
        FileMarket(tmp_path)  # refused when the snapshot is opened, before anything is selected
    (tmp_path / "spot-advisor-data.json").write_text(
        json.dumps({"spot_advisor": {"us-east-1": {"Linux": {"m5.large": {"s": 50}}}}})
    )
    with pytest.raises(MarketDataError, match=re.escape("spot_advisor['us-east-1'].Linux['m5.large'].r missing")):
        FileMarket(tmp_path)


def test_history_records_are_linux_only_and_deduplicated():
    rows = [
        {
            "AvailabilityZone": "us-east-1a",
            "InstanceType": "m5.large",
            "ProductDescription": "Linux/UNIX",
            "SpotPrice": "0.04",
            "Timestamp": "2026-01-01T00:00:00Z",
        },
        {
            "AvailabilityZone": "us-east-1a",
            "InstanceType": "m5.large",
            "ProductDescription": "Linux/UNIX (Amazon VPC)",
            "SpotPrice": "0.04",
            "Timestamp": "2026-01-01T00:00:00Z",
        },
        {
            "AvailabilityZone": "us-east-1a",
            "InstanceType": "m5.large",
            "ProductDescription": "Windows",
            "SpotPrice": "0.09",
            "Timestamp": "2026-01-02T00:00:00Z",
        },
    ]
    history = parse_history(rows)
    assert list(history) == [("m5.large", "us-east-1a")]
    assert [p for _, p in history[("m5.large", "us-east-1a")]] == [0.04]


@pytest.mark.parametrize(
    ("name", "arch"),
    [
        ("m6g.large", "arm64"),
        ("c7gn.xlarge", "arm64"),
        ("im4gn.large", "arm64"),
        ("a1.large", "arm64"),
        ("m6i.large", "x86_64"),
        ("g5.xlarge", "x86_64"),
        ("m7i-flex.large", "x86_64"),
        ("x2gd.large", "arm64"),
    ],
)
def test_graviton_is_recognised_from_the_name_for_types_only_the_advisor_knows(name, arch):
    assert guess_architecture(name) == arch
