"""`python -m secure_platform.spot recommend`: offline table, --json shape, --market-data, bad input."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from spot_fakes import FakeMarket

from secure_platform.spot.cli import main
from secure_platform.spot.market import DATA_DIR

REPO = Path(__file__).resolve().parents[2]
BASE = ["recommend", "--region", "us-east-1", "--vcpus", "2-4", "--memory-gib", "4-16"]


def run_json(capsys, *extra: str, source=None) -> dict:
    assert main([*BASE, *extra, "--json"], source=source) == 0
    return json.loads(capsys.readouterr().out)


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "secure_platform.spot", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_offline_json_has_the_documented_keys(capsys):
    out = run_json(capsys, "--offline", "--capacity", "6", "--max-interruption", "2", "--arch", "x86_64")
    assert {"instanceTypes", "details", "expectedHourlyUsd", "reason"} <= set(out)
    assert len(out["instanceTypes"]) == 4
    for detail in out["details"]:
        assert {
            "instanceType",
            "spotPrice",
            "onDemandPrice",
            "savingsPercent",
            "interruptionBucket",
            "availabilityZones",
        } <= set(detail)
        assert detail["interruptionBucket"] <= 2
        assert 0 < detail["spotPrice"] < detail["onDemandPrice"]
    assert out["expectedHourlyUsd"] == pytest.approx(6 * sum(d["spotPrice"] for d in out["details"]) / 4, abs=1e-3)
    assert out["dataSources"]["placementScores"] == "not used (bundled data only)"


def test_offline_table_for_people(capsys):
    assert main([*BASE, "--offline", "--arch", "arm64"]) == 0
    text = capsys.readouterr().out
    assert "Spot selection for us-east-1" in text and "Expected $" in text and "Why:" in text
    assert "g." in text  # Graviton types, e.g. c7g.xlarge


def test_previous_selection_is_kept_unless_worth_changing(capsys):
    fresh = run_json(capsys, "--offline")["instanceTypes"]
    kept = run_json(capsys, "--offline", "--previous", ",".join(fresh[:3]) + ",m6i.large")
    assert kept["decision"]["reselect"] is False
    assert set(kept["instanceTypes"]) == {*fresh[:3], "m6i.large"}
    risky = run_json(capsys, "--offline", "--previous", "c6a.large,m5.large,t3.large")
    assert risky["decision"]["reselect"] is True
    assert "no longer passes" in risky["decision"]["reason"]


def test_live_mode_uses_the_given_market(capsys):
    out = run_json(capsys, "--capacity", "6", source=FakeMarket())
    assert out["priceBasis"] == "history"
    assert out["dataSources"]["spotPrices"].startswith("AWS DescribeSpotPriceHistory")


def test_market_data_dir_replaces_the_bundled_copy(tmp_path: Path, capsys):
    # A team's snapshot for eu-west-1: its own on-demand prices and a spot price history.
    shutil.copy(DATA_DIR / "spot-advisor-data.json", tmp_path)
    prices = json.loads((DATA_DIR / "ec2-on-demand-prices.json").read_text())
    prices["prices"]["eu-west-1"] = {t: round(p * 1.1, 5) for t, p in prices["prices"]["us-east-1"].items()}
    (tmp_path / "ec2-on-demand-prices.json").write_text(json.dumps(prices))
    end = datetime(2026, 2, 1, tzinfo=UTC)
    rows = [
        {
            "AvailabilityZone": zone,
            "InstanceType": t,
            "ProductDescription": "Linux/UNIX",
            "SpotPrice": f"{price:.5f}",
            "Timestamp": (end - timedelta(days=d)).isoformat(),
        }
        for t, price in (("m6i.large", 0.03), ("m6a.large", 0.031), ("m7i.large", 0.032), ("m5.large", 0.033))
        for zone in ("eu-west-1a", "eu-west-1b", "eu-west-1c")
        for d in (10, 1)
    ]
    (tmp_path / "spot-price-history.json").write_text(json.dumps({"SpotPriceHistory": rows}))
    out = run_json(capsys, "--offline", "--market-data", str(tmp_path), "--families", "m*", "--types", "3")
    assert (
        main(
            [
                "recommend",
                "--region",
                "eu-west-1",
                "--vcpus",
                "2",
                "--memory-gib",
                "8",
                "--offline",
                "--market-data",
                str(tmp_path),
                "--json",
            ]
        )
        == 0
    )
    eu = json.loads(capsys.readouterr().out)
    assert eu["priceBasis"] == "history"
    assert set(eu["instanceTypes"]) <= {"m6i.large", "m6a.large", "m7i.large", "m5.large"}
    assert eu["dataSources"]["spotPrices"].startswith(f"file {tmp_path}")
    assert not any("stand in" in w for w in eu["warnings"])  # the snapshot has eu-west-1 prices
    assert any("ends 2026-01-31" in w for w in eu["warnings"])  # its newest record
    assert out["priceBasis"] == "estimate"  # the us-east-1 run had no history in the snapshot


def test_bad_input_exits_2_with_the_flag_and_no_traceback():
    result = cli(
        "recommend", "--region", "us-east-1", "--vcpus", "8-2", "--memory-gib", "4-16", "--arch", "sparc", "--offline"
    )
    assert result.returncode == 2
    assert "--vcpus" in result.stderr and "min (8) must be <= max (2)" in result.stderr
    assert "sparc" in result.stderr and "--arch" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""

    empty = cli("recommend", "--region", "us-east-1", "--vcpus", "2-4", "--memory-gib", "500-600", "--offline")
    assert empty.returncode == 2
    assert "'memoryGib' filter" in empty.stderr and "--memory-gib" in empty.stderr
    assert "Traceback" not in empty.stderr

    region = cli("recommend", "--region", "cn-north-1", "--vcpus", "2-4", "--memory-gib", "4-16", "--offline")
    assert region.returncode == 2 and "covers" in region.stderr and "Traceback" not in region.stderr

    usage = cli("recommend", "--region", "us-east-1")
    assert usage.returncode == 2 and "--vcpus" in usage.stderr


def test_without_credentials_the_default_mode_falls_back_with_a_warning():
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_CONFIG_FILE="/nonexistent",
        AWS_SHARED_CREDENTIALS_FILE="/nonexistent",
        AWS_EC2_METADATA_DISABLED="true",
    )
    result = cli(*BASE, "--json", env=env)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["warnings"][0].startswith("AWS market data unavailable (no AWS credentials found")
    assert out["instanceTypes"]


def test_unknown_previous_types_and_regions_are_refused_with_close_matches(capsys):
    argv = ["recommend", "--region", "us-east-1", "--vcpus", "2-4", "--memory-gib", "4-16", "--offline"]
    assert main([*argv, "--previous", "m6i.lrge,m5.large"]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "'m6i.lrge' (close: m6i.large" in err and "--previous" in err
    region = ["recommend", "--region", "eu-west-9", "--vcpus", "2-4", "--memory-gib", "4-16", "--offline"]
    assert main(region) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "no Linux entries for region eu-west-9" in err and "Did you mean eu-west-" in err


REQUIREMENTS = {"region": "us-east-1", "vcpus": {"min": 2, "max": 4}, "memoryGib": {"min": 4, "max": 16}}


def test_a_requirements_file_gives_the_inputs_and_explicit_flags_override_it(tmp_path: Path, capsys):
    path = tmp_path / "spot.json"
    path.write_text(json.dumps({**REQUIREMENTS, "capacity": 6, "typeCount": 3}))
    assert main(["recommend", "--requirements", str(path), "--offline", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["selectionInputs"]["capacity"] == 6 and len(out["instanceTypes"]) == 3
    assert main(["recommend", "--requirements", str(path), "--capacity", "3", "--offline", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["selectionInputs"]["capacity"] == 3  # the default, given explicitly


@pytest.mark.parametrize(
    ("content", "named"),
    [
        (b"", "is empty"),
        (b"[1, 2]", "holds list; expected a JSON object"),
        (b'{"region": "us-east-1", "vcpus": {"min": 2', "is not valid JSON"),
        (b'{"region": "us-east-1", "capacity": NaN}', "NaN is not a JSON number"),
        (bytes(range(256)), "not UTF-8"),
        (json.dumps({**REQUIREMENTS, "capacity": -6}).encode(), "capacity: -6 is out of range"),
        (
            b'{"region": "us-east-1", "vcpus": {"min": 2, "max": 1e999}, "memoryGib": {"min": 4, "max": 16}}',
            "vcpus.max: Infinity must be a finite number",
        ),
        (json.dumps({**REQUIREMENTS, "savingsThresholdPercent": 150}).encode(), "savingsThresholdPercent: 150"),
        (json.dumps({**REQUIREMENTS, "spotNodes": {}}).encode(), "spotNodes: {} is not a known input"),
        (json.dumps({"vcpus": {"min": 2, "max": 4}}).encode(), "region: is required but missing"),
        (b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "is nested too deeply to read"),
    ],
    ids=[
        "empty",
        "list",
        "truncated",
        "nan",
        "binary",
        "negative",
        "infinite",
        "percent",
        "unknown",
        "missing",
        "deep",
    ],
)
def test_bad_requirements_files_exit_2_naming_the_file(tmp_path: Path, capsys, content: bytes, named: str):
    path = tmp_path / "spot.json"
    path.write_bytes(content)
    assert main(["recommend", "--requirements", str(path), "--offline"]) == 2
    out, err = capsys.readouterr()
    text = " ".join(err.split())
    assert out == "" and named in text and str(path) in text and "Traceback" not in err


def test_a_requirements_path_that_is_not_a_file_exits_2(tmp_path: Path, capsys):
    assert main(["recommend", "--requirements", str(tmp_path), "--offline"]) == 2
    assert "is a directory" in capsys.readouterr().err
    assert main(["recommend", "--requirements", str(tmp_path / "none.json"), "--offline"]) == 2
    assert "does not exist" in capsys.readouterr().err
