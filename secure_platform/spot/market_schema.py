"""Market data files are checked against a schema with ranges when they are loaded (pure).

A team's snapshot (`--market-data DIR`) or a damaged bundle must never reach the selection: a NaN
price would make every score NaN (and the JSON invalid), a negative price or a savings figure of
150 % would rank a type first, and a record without a timestamp would crash the price forecast.
So every file is read as strict JSON (no `NaN`/`Infinity` literals, UTF-8 text, not empty), then
walked against the layout of its kind, and every problem is reported at once (the key path, the
value and what is allowed), as one paragraph in a `MarketFileError`.

The ranges are AWS's: prices are USD per hour, finite and > 0; Spot Advisor savings are a
percentage up to 100 (see `MIN_SAVINGS` for the few negative ones AWS publishes); interruption buckets are the feed's five (0: <5 % ... 4: >20 %);
`DescribeSpotPriceHistory` records carry `InstanceType`, `AvailabilityZone`, `SpotPrice` (a
decimal string) and `Timestamp` (ISO 8601). See
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_SpotPrice.html for the record fields.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from .model import BUCKET_LABELS

MAX_LISTED = 6
"""Problems named in the message; the rest are counted."""
KNOWN_BUCKETS = frozenset(range(len(BUCKET_LABELS)))
ARCHITECTURE_NAMES = frozenset({"x86_64", "arm64", "i386", "x86_64_mac", "arm64_mac"})
"""`ProcessorInfo.SupportedArchitectures` values of DescribeInstanceTypes."""
_TYPE_NAME = re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9-]+$")
_REGION_NAME = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")


class MarketDataError(ValueError):
    """Market data files are missing or malformed, or do not cover the region (a user error)."""


class MarketFileError(MarketDataError):
    """One market data file is unreadable or breaks its schema; `problems` lists every finding."""

    def __init__(self, path: Path, problems: list[str], total: int | None = None) -> None:
        self.path = path
        self.problems = problems
        count = total if total is not None else len(problems)
        shown = "; ".join(problems[:MAX_LISTED])
        more = f"; and {count - MAX_LISTED} more" if count > MAX_LISTED else ""
        super().__init__(
            f"market data file {path} is not usable ({count} problem{'s' if count != 1 else ''}): {shown}{more}. "
            "Fix the file, or use a snapshot in the documented format (secure_platform/spot/README.md, section Data)."
        )


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class _Walk:
    """Collects problems as `key path: value ...; allowed: ...`."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.total = 0

    def bad(self, key: str, value: Any, allowed: str) -> None:
        self.total += 1
        if len(self.problems) < MAX_LISTED:
            shown = "missing" if value is _MISSING else f"is {_show(value)}"
            self.problems.append(f"{key} {shown}; allowed: {allowed}")

    def obj(self, key: str, value: Any, what: str = "an object") -> dict[str, Any] | None:
        if isinstance(value, dict):
            return value
        self.bad(key, value, what)
        return None

    def number(self, key: str, value: Any, low: float, high: float | None, *, low_open: bool, what: str) -> None:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        if ok and (value < low or (low_open and value == low) or (high is not None and value > high)):
            ok = False
        if not ok:
            self.bad(key, value, what)

    def integer(
        self, key: str, value: Any, allowed: frozenset[int] | None, what: str, *, positive: bool = False
    ) -> None:
        ok = isinstance(value, int) and not isinstance(value, bool)
        if ok and allowed is not None and value not in allowed:
            ok = False
        if ok and positive and value <= 0:
            ok = False
        if not ok:
            self.bad(key, value, what)


_MISSING = object()
_PRICE = "a finite number of USD per hour > 0"
MIN_SAVINGS = -100
"""Savings are 0-100 % in all but a handful of records: AWS's own feed (July 2025) lists
p5.48xlarge in ca-central-1 at -62 %, i.e. spot dearer than on-demand. Such a record is kept (the
type then fails the spot-below-90 %-of-on-demand rule); above 100 % (a negative spot price) or
below -100 % is refused."""
SAVINGS_ALLOWED = "savings vs on-demand in %, a finite number from 0 to 100 (down to -100: spot dearer than on-demand)"


def _key(parent: str, name: str) -> str:
    return f"{parent}[{name!r}]" if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", name) else f"{parent}.{name}"


def _advisor(data: Any, w: _Walk) -> None:
    top = w.obj("(top level)", data, "an object with 'spot_advisor' (and 'instance_types', 'ranges')")
    if top is None:
        return
    known = set(KNOWN_BUCKETS)
    ranges = top.get("ranges", _MISSING)
    if ranges is not _MISSING:
        if not isinstance(ranges, list) or not ranges:
            w.bad("ranges", ranges, "a non-empty list of {index, label}")
        else:
            for i, item in enumerate(ranges):
                index = item.get("index", _MISSING) if isinstance(item, dict) else item
                w.integer(f"ranges[{i}].index", index, KNOWN_BUCKETS, "a bucket index 0-4")
    regions = w.obj("spot_advisor", top.get("spot_advisor", _MISSING), "an object: region -> OS -> type -> {s, r}")
    for region, by_os in (regions or {}).items():
        rkey = _key("spot_advisor", region)
        if not _REGION_NAME.match(region):
            w.bad(f"spot_advisor key {region!r}", region, "an AWS region name such as us-east-1")
        for os_name, types in (w.obj(rkey, by_os, "an object: OS -> type -> {s, r}") or {}).items():
            okey = _key(rkey, os_name)
            for name, entry in (w.obj(okey, types, "an object: type -> {s, r}") or {}).items():
                ekey = _key(okey, name)
                record = w.obj(ekey, entry, "an object {s: savings %, r: interruption bucket}")
                if record is None:
                    continue
                w.number(
                    f"{ekey}.s",
                    record.get("s", _MISSING),
                    MIN_SAVINGS,
                    100,
                    low_open=False,
                    what=SAVINGS_ALLOWED,
                )
                w.integer(
                    f"{ekey}.r",
                    record.get("r", _MISSING),
                    frozenset(known),
                    "an interruption bucket 0-4 (<5 %, 5-10 %, 10-15 %, 15-20 %, >20 %)",
                )
    specs = top.get("instance_types", _MISSING)
    if specs is not _MISSING:
        for name, spec in (w.obj("instance_types", specs) or {}).items():
            skey = _key("instance_types", name)
            record = w.obj(skey, spec, "an object {cores, ram_gb}")
            if record is None:
                continue
            w.integer(
                f"{skey}.cores", record.get("cores", _MISSING), None, "a whole number of vCPUs > 0", positive=True
            )
            w.number(f"{skey}.ram_gb", record.get("ram_gb", _MISSING), 0, None, low_open=True, what="GiB, a number > 0")


def _prices(data: Any, w: _Walk) -> None:
    top = w.obj("(top level)", data, "an object with 'prices': region -> type -> USD per hour")
    if top is None:
        return
    regions = w.obj("prices", top.get("prices", _MISSING), "an object: region -> type -> USD per hour")
    for region, table in (regions or {}).items():
        rkey = _key("prices", region)
        if not _REGION_NAME.match(region):
            w.bad(f"prices key {region!r}", region, "an AWS region name such as us-east-1")
        for name, price in (w.obj(rkey, table, "an object: type -> USD per hour") or {}).items():
            w.number(_key(rkey, name), price, 0, None, low_open=True, what=_PRICE)


def parse_timestamp(value: Any) -> datetime | None:
    """An ISO 8601 timestamp (`2026-01-01T00:00:00Z` or with an offset), or None when it is not one."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def parse_price(value: Any) -> float | None:
    """`SpotPrice` (a decimal string in the API, a number in some exports) as a finite price > 0."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return None
    if isinstance(value, (int, float)) and math.isfinite(value) and value > 0:
        return float(value)
    return None


def history_record_problems(row: Any) -> list[tuple[str, Any, str]]:
    """What is wrong with one `DescribeSpotPriceHistory` record: (field, value, allowed)."""
    if not isinstance(row, dict):
        return [("", row, "an object {InstanceType, AvailabilityZone, SpotPrice, Timestamp}")]
    out: list[tuple[str, Any, str]] = []
    for name in ("InstanceType", "AvailabilityZone"):
        value = row.get(name, _MISSING)
        if not isinstance(value, str) or not value:
            out.append((name, value, "a non-empty string"))
    price = row.get("SpotPrice", _MISSING)
    if parse_price(price) is None:
        out.append(("SpotPrice", price, 'a finite price in USD per hour > 0 (e.g. "0.0412")'))
    stamp = row.get("Timestamp", _MISSING)
    if parse_timestamp(stamp) is None:
        out.append(("Timestamp", stamp, "an ISO 8601 time such as 2026-01-01T00:00:00Z"))
    description = row.get("ProductDescription", "")
    if not isinstance(description, str):
        out.append(("ProductDescription", description, "a string such as Linux/UNIX"))
    return out


def _history(data: Any, w: _Walk) -> None:
    rows = data.get("SpotPriceHistory", _MISSING) if isinstance(data, dict) else data
    if not isinstance(rows, list):
        w.bad(
            "SpotPriceHistory" if isinstance(data, dict) else "(top level)",
            rows,
            "DescribeSpotPriceHistory output ({SpotPriceHistory: [...]}) or a list of its records",
        )
        return
    for i, row in enumerate(rows):
        for name, value, allowed in history_record_problems(row):
            w.bad(f"SpotPriceHistory[{i}]{'.' + name if name else ''}", value, allowed)


def _catalogue(data: Any, w: _Walk) -> None:
    top = w.obj("(top level)", data, "an object with 'types': type -> {vcpus, memoryMib, architecture}")
    if top is None:
        return
    for name, spec in (w.obj("types", top.get("types", _MISSING)) or {}).items():
        key = _key("types", name)
        if not _TYPE_NAME.match(name):
            w.bad(f"types key {name!r}", name, "an instance type name such as m6i.large")
        record = w.obj(key, spec, "an object {vcpus, memoryMib, architecture}")
        if record is None:
            continue
        w.integer(f"{key}.vcpus", record.get("vcpus", _MISSING), None, "a whole number > 0", positive=True)
        w.integer(
            f"{key}.memoryMib", record.get("memoryMib", _MISSING), None, "a whole number of MiB > 0", positive=True
        )
        arch = record.get("architecture", _MISSING)
        if arch not in ARCHITECTURE_NAMES:
            w.bad(f"{key}.architecture", arch, ", ".join(sorted(ARCHITECTURE_NAMES)))
        for flag in ("burstable", "currentGeneration", "bareMetal", "accelerated", "spot"):
            if flag in record and not isinstance(record[flag], bool):
                w.bad(f"{key}.{flag}", record[flag], "true or false")


def _offerings(data: Any, w: _Walk) -> None:
    top = w.obj("(top level)", data, "an object with 'regions': region -> {zones, types}")
    if top is None:
        return
    for region, body in (w.obj("regions", top.get("regions", _MISSING)) or {}).items():
        key = _key("regions", region)
        record = w.obj(key, body, "an object {zones: [{name, id}], types: type -> zone indexes}")
        if record is None:
            continue
        zones = record.get("zones", _MISSING)
        if not isinstance(zones, list):
            w.bad(f"{key}.zones", zones, "a list of {name, id}")
            zones = []
        for i, zone in enumerate(zones):
            ok = isinstance(zone, dict) and all(isinstance(zone.get(f), str) and zone.get(f) for f in ("name", "id"))
            if not ok:
                w.bad(f"{key}.zones[{i}]", zone, "an object {name: 'us-east-1a', id: 'use1-az2'}")
        for name, idx in (w.obj(f"{key}.types", record.get("types", _MISSING)) or {}).items():
            positions = list(idx) if isinstance(idx, (str, list)) else None
            valid = positions is not None and all(
                (isinstance(p, int) and not isinstance(p, bool)) or (isinstance(p, str) and p.isdigit())
                for p in positions
            )
            if not valid or not all(0 <= int(p) < len(zones) for p in positions or []):
                w.bad(
                    _key(f"{key}.types", name),
                    idx,
                    f"zone indexes 0-{max(len(zones) - 1, 0)} (a digit string or a list)",
                )


CHECKS: dict[str, Callable[[Any, _Walk], None]] = {
    "advisor": _advisor,
    "prices": _prices,
    "history": _history,
    "catalogue": _catalogue,
    "offerings": _offerings,
}


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number (JSON numbers are finite)")


def read_json(path: Path) -> Any:
    """Strict JSON from a file: UTF-8 text, not empty, no NaN/Infinity; `MarketFileError` otherwise."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise MarketFileError(path, ["the file does not exist"]) from None
    except IsADirectoryError:
        raise MarketFileError(path, ["it is a directory, not a JSON file"]) from None
    except OSError as exc:
        raise MarketFileError(path, [f"it cannot be read ({exc.strerror or type(exc).__name__})"]) from None
    if not raw.strip():
        raise MarketFileError(path, ["the file is empty; expected a JSON document"])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MarketFileError(path, [f"it is not UTF-8 text (byte {exc.start}); a binary file?"]) from None
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise MarketFileError(
            path, [f"it is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno} (truncated?)"]
        ) from None
    except (ValueError, RecursionError) as exc:
        raise MarketFileError(path, [f"it is not valid JSON: {exc}"]) from None


def validate(path: Path, kind: str, data: Any) -> None:
    """Raise `MarketFileError` listing every way `data` breaks the schema of `kind`."""
    walk = _Walk()
    CHECKS[kind](data, walk)
    if walk.total:
        raise MarketFileError(path, walk.problems, walk.total)


def load(path: Path, kind: str) -> Any:
    """Read and validate one market data file."""
    data = read_json(path)
    validate(path, kind, data)
    return data
