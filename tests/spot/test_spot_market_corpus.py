"""A corpus of malformed market data, each case through the CLI and the provider: a clear refusal
naming the file, the key and what is allowed (exit 2), never a traceback or invalid JSON."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.stub import ANY
from spot_fakes import NOW, FakeMarket, shared_market_data
from test_spot_aws import stubbed

from secure_platform.spot import market as market_module
from secure_platform.spot.aws import AwsMarket
from secure_platform.spot.cli import main
from secure_platform.spot.market import DATA_DIR, FileMarket, MarketDataError
from secure_platform.spot.model import Zone
from secure_platform.spot.provider import SpotSelectionProvider

REPO = Path(__file__).resolve().parents[2]
ADVISOR, PRICES, HISTORY = "spot-advisor-data.json", "ec2-on-demand-prices.json", "spot-price-history.json"
CATALOGUE, OFFERINGS = "instance-types.json", "instance-type-offerings.json"
INPUTS: dict[str, Any] = {
    "region": "us-east-1",
    "vcpus": {"min": 2.0, "max": 4.0},
    "memoryGib": {"min": 4.0, "max": 16.0},
    "allowedAvailabilityZones": ["us-east-1a", "us-east-1b", "us-east-1c"],
}

Edit = Callable[[Any], Any]


def _advisor_entry(**entry: Any) -> Edit:
    def edit(data: Any) -> Any:
        data["spot_advisor"]["us-east-1"]["Linux"]["m6i.large"] = entry
        return data

    return edit


def _set(path: list[Any], value: Any) -> Edit:
    def edit(data: Any) -> Any:
        node = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
        return data

    return edit


def _drop(path: list[Any]) -> Edit:
    def edit(data: Any) -> Any:
        node = data
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]
        return data

    return edit


def _record(**changes: Any) -> dict[str, Any]:
    row = {
        "AvailabilityZone": "us-east-1a",
        "InstanceType": "m6i.large",
        "ProductDescription": "Linux/UNIX",
        "SpotPrice": "0.0412",
        "Timestamp": "2026-02-01T00:00:00Z",
    }
    row.update(changes)
    return {k: v for k, v in row.items() if v is not None}


# (file, edit of the real data or raw bytes, text the message must name)
CASES: dict[str, tuple[str, Edit | bytes | dict[str, Any], str]] = {
    "advisor savings 150 %": (ADVISOR, _advisor_entry(s=150, r=1), "['m6i.large'].s is 150"),
    "advisor savings -150 %": (ADVISOR, _advisor_entry(s=-150, r=1), "['m6i.large'].s is -150"),
    "advisor savings as text": (ADVISOR, _advisor_entry(s="50", r=1), "['m6i.large'].s is '50'"),
    "advisor bucket 7": (ADVISOR, _advisor_entry(s=50, r=7), "interruption bucket 0-4"),
    "advisor bucket as float": (ADVISOR, _advisor_entry(s=50, r=1.5), "['m6i.large'].r is 1.5"),
    "advisor bucket missing": (ADVISOR, _advisor_entry(s=50), "['m6i.large'].r missing"),
    "advisor savings missing": (ADVISOR, _advisor_entry(r=1), "['m6i.large'].s missing"),
    "advisor entry not an object": (ADVISOR, _set(["spot_advisor", "us-east-1", "Linux", "m6i.large"], 3), "is 3"),
    "advisor without spot_advisor": (ADVISOR, _drop(["spot_advisor"]), "spot_advisor missing"),
    "advisor spot_advisor a list": (ADVISOR, _set(["spot_advisor"], []), "spot_advisor is []"),
    "advisor unknown range": (ADVISOR, _set(["ranges", 0, "index"], 9), "ranges[0].index is 9"),
    "advisor zero cores": (ADVISOR, _set(["instance_types", "m6i.large", "cores"], 0), ".cores is 0"),
    "advisor negative memory": (ADVISOR, _set(["instance_types", "m6i.large", "ram_gb"], -8), ".ram_gb is -8"),
    "advisor top-level list": (ADVISOR, b"[1, 2, 3]", "(top level) is [1, 2, 3]"),
    "advisor NaN literal": (
        ADVISOR,
        b'{"spot_advisor": {"us-east-1": {"Linux": {"m5.large": {"s": NaN, "r": 1}}}}}',
        "NaN",
    ),
    "advisor Infinity literal": (ADVISOR, b'{"spot_advisor": {}, "x": -Infinity}', "Infinity"),
    "advisor empty": (ADVISOR, b"", "empty"),
    "advisor whitespace only": (ADVISOR, b"  \n ", "empty"),
    "advisor truncated": (ADVISOR, b'{"spot_advisor": {"us-east-1": {"Linux": {"m5.large": {"s": 5', "not valid JSON"),
    "advisor binary": (ADVISOR, bytes(range(256)) * 4, "not UTF-8"),
    "advisor gzip": (ADVISOR, b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", "not UTF-8"),
    "prices NaN literal": (PRICES, b'{"prices": {"us-east-1": {"m6i.large": NaN}}}', "NaN"),
    "prices overflow to infinity": (PRICES, b'{"prices": {"us-east-1": {"m6i.large": 1e999}}}', "is inf"),
    "prices negative": (PRICES, _set(["prices", "us-east-1", "m6i.large"], -0.096), "['m6i.large'] is -0.096"),
    "prices zero": (PRICES, _set(["prices", "us-east-1", "m6i.large"], 0), "['m6i.large'] is 0"),
    "prices as text": (PRICES, _set(["prices", "us-east-1", "m6i.large"], "0.096"), "is '0.096'"),
    "prices as bool": (PRICES, _set(["prices", "us-east-1", "m6i.large"], True), "is True"),
    "prices missing map": (PRICES, _drop(["prices"]), "prices missing"),
    "prices region a list": (PRICES, _set(["prices", "us-east-1"], [0.1]), "is [0.1]"),
    "prices truncated": (PRICES, b'{"prices": {"us-east-1": {"m6i.large": 0.0', "not valid JSON"),
    "history without Timestamp": (HISTORY, {"SpotPriceHistory": [_record(Timestamp=None)]}, "Timestamp missing"),
    "history bad Timestamp": (HISTORY, {"SpotPriceHistory": [_record(Timestamp="yesterday")]}, "'yesterday'"),
    "history NaN price": (HISTORY, {"SpotPriceHistory": [_record(SpotPrice="NaN")]}, "SpotPrice is 'NaN'"),
    "history negative price": (HISTORY, {"SpotPriceHistory": [_record(SpotPrice="-0.01")]}, "SpotPrice is '-0.01'"),
    "history price missing": (HISTORY, {"SpotPriceHistory": [_record(SpotPrice=None)]}, "SpotPrice missing"),
    "history type missing": (HISTORY, {"SpotPriceHistory": [_record(InstanceType=None)]}, "InstanceType missing"),
    "history record a string": (HISTORY, {"SpotPriceHistory": ["m6i.large"]}, "SpotPriceHistory[0] is 'm6i.large'"),
    "history not a list": (HISTORY, {"SpotPriceHistory": {"a": 1}}, "SpotPriceHistory is {'a': 1}"),
    "history empty file": (HISTORY, b"", "empty"),
    "catalogue zero vcpus": (CATALOGUE, _set(["types", "m6i.large", "vcpus"], 0), ".vcpus is 0"),
    "catalogue unknown architecture": (CATALOGUE, _set(["types", "m6i.large", "architecture"], "sparc"), "'sparc'"),
    "catalogue memory as text": (CATALOGUE, _set(["types", "m6i.large", "memoryMib"], "lots"), "'lots'"),
    "offerings zone index out of range": (
        OFFERINGS,
        _set(["regions", "us-east-1", "types", "m6i.large"], "019"),
        "'019'",
    ),
    "offerings zones missing": (OFFERINGS, _drop(["regions", "us-east-1", "zones"]), "zones missing"),
}


def _write(directory: Path, name: str, content: Edit | bytes | dict[str, Any]) -> None:
    target = directory / name
    if isinstance(content, bytes):
        target.write_bytes(content)
    elif isinstance(content, dict):
        target.write_text(json.dumps(content))
    else:
        source = DATA_DIR / name
        target.write_text(json.dumps(content(json.loads(source.read_text(encoding="utf-8")))))


def snapshot(tmp_path: Path, case: str, *, full: bool = False) -> Path:
    """A market data directory with the real files, one of them replaced by the case's."""
    name, content, _ = CASES[case]
    names = [ADVISOR, PRICES, CATALOGUE, OFFERINGS] if full else [ADVISOR, PRICES]
    for other in names:
        shutil.copy(DATA_DIR / other, tmp_path / other)
    _write(tmp_path, name, content)
    return tmp_path


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_cli_refuses_each_malformed_file_with_exit_2_and_one_paragraph(case, tmp_path, capsys):
    directory = snapshot(tmp_path, case)
    argv = ["recommend", "--region", "us-east-1", "--vcpus", "2-4", "--memory-gib", "4-16", "--offline"]
    code = main([*argv, "--market-data", str(directory), "--json"])
    out, err = capsys.readouterr()
    name, _, named = CASES[case]
    assert code == 2 and out == ""
    text = " ".join(err.split())  # the console wraps long lines
    assert text.startswith("error: market data file") and name in text and named in text
    assert "allowed" in text or "JSON" in text or "empty" in text or "UTF-8" in text
    assert "Traceback" not in err and "\n\n" not in err.strip()


PROCESS = [sys.executable, "-m", "secure_platform.spot", "recommend", "--region", "us-east-1", "--vcpus", "2-4"]
PROCESS += ["--memory-gib", "4-16", "--offline"]


@pytest.mark.parametrize("case", ["history without Timestamp", "advisor binary", "prices NaN literal"])
def test_the_cli_process_prints_no_traceback(case, tmp_path):
    directory = snapshot(tmp_path, case)
    result = subprocess.run(
        [*PROCESS, "--market-data", str(directory), "--json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2 and result.stdout == ""
    assert "Traceback" not in result.stderr and "KeyError" not in result.stderr
    assert CASES[case][0] in " ".join(result.stderr.split())


@pytest.mark.parametrize("case", sorted(c for c in CASES if CASES[c][0] != HISTORY))
def test_the_provider_reports_a_damaged_bundle_in_check_and_keeps_the_held_choice(case, tmp_path, monkeypatch):
    held = SpotSelectionProvider(market_factory=lambda region: FakeMarket()).create(dict(INPUTS)).outs
    assert held is not None
    damaged = snapshot(tmp_path, case, full=True)
    monkeypatch.setattr(market_module, "DATA_DIR", damaged)  # the bundle itself is damaged
    market = FakeMarket.__new__(FakeMarket)  # a live market must not even be needed
    provider = SpotSelectionProvider(market_factory=lambda region: market)
    checked = provider.check({}, dict(INPUTS))
    assert len(checked.failures) == 1
    reason = " ".join(checked.failures[0].reason.split())
    assert CASES[case][0] in reason and CASES[case][2] in reason
    diff = provider.diff("id", held, dict(INPUTS))  # a preview or drift check of the held choice
    assert diff.changes is False
    with pytest.raises(MarketDataError):  # a clear message for the offline preview, not a KeyError
        provider.offline_create(dict(INPUTS))


def test_unusable_live_price_records_are_left_out_with_a_note():
    ec2, stub = stubbed("ec2")
    good = {"AvailabilityZone": "us-east-1a", "InstanceType": "m6i.large", "ProductDescription": "Linux/UNIX"}
    rows = [
        {**good, "SpotPrice": "0.041", "Timestamp": NOW},
        {**good, "SpotPrice": "NaN", "Timestamp": NOW},
        {**good, "SpotPrice": "-1"},
    ]
    stub.add_response("describe_spot_price_history", {"SpotPriceHistory": rows}, ANY_PARAMS)
    market = AwsMarket("us-east-1", ec2=ec2)
    with stub:
        history = market.spot_price_history(["m6i.large"], [Zone("us-east-1a", "use1-az2")], NOW, NOW)
    assert [p for _, p in history[("m6i.large", "us-east-1a")]] == [0.041]
    assert any("2 unusable record(s)" in n for n in market.notes)


ANY_PARAMS = {
    "AvailabilityZone": ANY,
    "InstanceTypes": ANY,
    "ProductDescriptions": ANY,
    "StartTime": ANY,
    "EndTime": ANY,
    "MaxResults": ANY,
}


def test_cli_json_is_strict_json(capsys):
    argv = ["recommend", "--region", "us-east-1", "--vcpus", "2-4", "--memory-gib", "4-16", "--offline", "--json"]
    assert main(argv) == 0
    json.loads(capsys.readouterr().out, parse_constant=lambda c: pytest.fail(f"{c} in the JSON"))


@pytest.mark.parametrize(
    ("flag", "value"),
    [("--savings-threshold-usd", "inf"), ("--savings-threshold-percent", "nan"), ("--vcpus", "2-inf")],
)
def test_non_finite_flags_are_refused(flag, value, capsys):
    argv = ["recommend", "--region", "us-east-1", "--vcpus", "2-4", "--memory-gib", "4-16", "--offline"]
    assert main([*argv, flag, value]) == 2
    err = capsys.readouterr().err
    assert flag in err and ("finite" in err or "out of range" in err)


def test_the_real_shared_snapshot_is_accepted():
    shared = shared_market_data()
    if shared is None:
        pytest.skip("the shared market data snapshot is not on this machine")
    FileMarket(shared).validate_all()
