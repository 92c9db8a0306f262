"""Market data behind one interface: AWS (`aws.py`) or files (the bundled copy, or a team's own).

`MarketSource` is what a live source answers; each call may raise `SourceUnavailableError`, and the
caller (`engine.gather`) then falls back to `FileMarket` for that part only, with a warning.
`FileMarket` reads the formats of AWS's published market data (Spot Advisor feed, on-demand price table,
and optionally `spot-price-history.json` in `DescribeSpotPriceHistory`'s format) plus the bundled
catalogue and AZ offerings. Loading is lazy and cached per file, so importing this module reads
nothing (the dynamic provider host imports it).
"""

from __future__ import annotations

import difflib
import functools
import math
import re
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from . import market_schema
from .market_schema import MarketDataError, MarketFileError, history_record_problems, parse_price, parse_timestamp
from .model import AdvisorEntry, InstanceType, PriceHistory, Zone, category_and_generation, family_of
from .requirements import SpotRequirements

__all__ = ["FileMarket", "MarketDataError", "MarketFileError", "MarketSource", "SourceUnavailableError"]

DATA_DIR = Path(__file__).resolve().parent / "data"
ADVISOR_FILE = "spot-advisor-data.json"
PRICES_FILE = "ec2-on-demand-prices.json"
HISTORY_FILE = "spot-price-history.json"
CATALOGUE_FILE = "instance-types.json"
OFFERINGS_FILE = "instance-type-offerings.json"
PROXY_PRICE_REGION = "us-east-1"

BUNDLE_DATES = {
    "interruption": "Spot Advisor feed, July 2025",
    "onDemandPrices": "AWS Price List (via Karpenter), generated 2026-07-20, us-east-1 only",
    "catalogue": "DescribeInstanceTypes snapshot shipped with moto 5.2.5",
    "offerings": "DescribeInstanceTypeOfferings snapshot shipped with moto 5.2.5",
}
LINUX_DESCRIPTIONS = ("Linux/UNIX", "Linux/UNIX (Amazon VPC)")


class SourceUnavailableError(Exception):
    """A live source could not answer (no credentials, AccessDenied, throttled, timed out...)."""

    def __init__(self, what: str, reason: str, *, fatal: bool = False) -> None:
        super().__init__(f"{what}: {reason}")
        self.what = what
        self.reason = reason
        self.fatal = fatal
        """True when no other live call can succeed either (no credentials, no network)."""


class MarketSource(Protocol):
    label: str
    notes: list[str]
    """Warnings about answers that are usable but incomplete."""

    def zones(self) -> list[Zone]: ...

    def instance_types(self, req: SpotRequirements) -> dict[str, InstanceType]: ...

    def offerings(self, types: Sequence[str], zones: Sequence[Zone]) -> dict[str, frozenset[str]]: ...

    def spot_price_history(
        self, types: Sequence[str], zones: Sequence[Zone], start: datetime, end: datetime
    ) -> PriceHistory: ...

    def on_demand_prices(self, types: Sequence[str]) -> dict[str, float]: ...

    def placement_scores(self, types: Sequence[str], target_capacity: int) -> dict[str, int]: ...


FILE_KINDS = {
    ADVISOR_FILE: "advisor",
    PRICES_FILE: "prices",
    HISTORY_FILE: "history",
    CATALOGUE_FILE: "catalogue",
    OFFERINGS_FILE: "offerings",
}


@functools.cache
def _load_cached(path: Path, _mtime_ns: int, _size: int) -> Any:
    return market_schema.load(path, FILE_KINDS[path.name])


def _load_json(path: Path) -> Any:
    """A market data file, read as strict JSON and checked against its schema (cached per version)."""
    try:
        stat = path.stat()
    except OSError:
        return market_schema.load(path, FILE_KINDS[path.name])  # raises the file's own error
    return _load_cached(path, stat.st_mtime_ns, stat.st_size)


def _expect(condition: bool, path: Path, what: str) -> None:
    if not condition:
        raise MarketFileError(path, [what])


_ARM_FAMILY = re.compile(r"^(a1|[a-z]+\d+g[a-z0-9-]*)$")


def guess_architecture(instance_type: str) -> str:
    """Graviton families carry a `g` right after the generation (m6g, c7gn, t4g, x2gd, im4gn) or are a1."""
    family = family_of(instance_type)
    category, generation = category_and_generation(family)
    rest = family[len(category) + len(str(generation)) :] if generation else ""
    return "arm64" if family == "a1" or rest.startswith("g") else "x86_64"


def parse_history(rows: Sequence[Any], skipped: list[str] | None = None) -> PriceHistory:
    """`DescribeSpotPriceHistory` records (Linux only) -> (type, zone) -> [(time, price)], deduplicated.

    A record that is not usable (no timestamp, a price that is not finite and > 0, ...) is left out
    and described in `skipped` (files are validated before this; live answers are not trusted more).
    """
    history: dict[tuple[str, str], dict[datetime, float]] = defaultdict(dict)
    for index, row in enumerate(rows):
        problems = history_record_problems(row)
        if problems:
            if skipped is not None:
                field, value, allowed = problems[0]
                skipped.append(f"record {index}: {field or 'record'} {value!r:.60}; allowed: {allowed}")
            continue
        if row.get("ProductDescription", "Linux/UNIX") not in LINUX_DESCRIPTIONS:
            continue
        when = parse_timestamp(row["Timestamp"])
        price = parse_price(row["SpotPrice"])
        assert when is not None and price is not None and math.isfinite(price)  # checked above
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        history[(row["InstanceType"], row["AvailabilityZone"])][when] = price
    return {key: sorted(points.items()) for key, points in history.items()}


class FileMarket:
    """The bundled copy (default) or a directory holding the same files (`--market-data DIR`).

    A directory must hold `spot-advisor-data.json` and `ec2-on-demand-prices.json`; it may hold
    `spot-price-history.json`, `instance-types.json` and `instance-type-offerings.json`, and the
    bundled catalogue and offerings are used for the ones it does not.
    """

    def __init__(self, data_dir: Path | None = None) -> None:
        self.data_dir = data_dir
        self.label = "bundled data" if data_dir is None else f"market data in {data_dir}"
        if data_dir is not None:
            if not data_dir.is_dir():
                raise MarketDataError(f"--market-data {data_dir} is not a directory")
            missing = [f for f in (ADVISOR_FILE, PRICES_FILE) if not (data_dir / f).is_file()]
            if missing:
                raise MarketDataError(
                    f"--market-data {data_dir} lacks {', '.join(missing)} "
                    f"(the formats of the bundled files in {DATA_DIR})"
                )
            # Refuse a bad snapshot before anything is selected from it, naming every bad file.
            for name in FILE_KINDS:
                if (data_dir / name).exists():
                    _load_json(data_dir / name)

    def unknown_types(self, names: Sequence[str]) -> dict[str, list[str]]:
        """Names neither the catalogue nor the Spot Advisor knows, each with close matches."""
        catalogue, _ = self.catalogue()
        return {n: difflib.get_close_matches(n, list(catalogue), n=3, cutoff=0.75) for n in names if n not in catalogue}

    def validate_all(self) -> None:
        """Load (and so check) every file this market would read; raises `MarketFileError`."""
        for name in FILE_KINDS:
            path = self._path(name)
            if path is not None and (path.exists() or name != HISTORY_FILE):
                _load_json(path)

    def _path(self, name: str) -> Path | None:
        """The file to read: the directory's own, else the bundled one (never a bundled history)."""
        if self.data_dir is not None and (self.data_dir / name).is_file():
            return self.data_dir / name
        if name == HISTORY_FILE:
            return None
        return DATA_DIR / name

    def _file(self, name: str) -> Path:
        path = self._path(name)
        assert path is not None  # only the history file is optional
        return path

    def describe(self, part: str) -> str:
        """Where one part of the data comes from, with its date when bundled."""
        files = {
            "interruption": ADVISOR_FILE,
            "onDemandPrices": PRICES_FILE,
            "catalogue": CATALOGUE_FILE,
            "offerings": OFFERINGS_FILE,
            "spotPrices": HISTORY_FILE,
        }
        path = self._path(files[part])
        if path is not None and path.parent != DATA_DIR:
            return f"file {path}"
        return f"bundled: {BUNDLE_DATES.get(part, part)}"

    # --- interruption frequency (Spot Advisor) ---------------------------------------------------
    def advisor_regions(self) -> list[str]:
        path = self._file(ADVISOR_FILE)
        data = _load_json(path)
        _expect(isinstance(data, dict) and isinstance(data.get("spot_advisor"), dict), path, "no 'spot_advisor' map")
        return sorted(r for r, body in data["spot_advisor"].items() if isinstance(body, dict) and "Linux" in body)

    def advisor(self, region: str) -> dict[str, AdvisorEntry]:
        path = self._file(ADVISOR_FILE)
        data = _load_json(path)
        regions = self.advisor_regions()
        if region not in regions:
            close = difflib.get_close_matches(region, regions, n=3, cutoff=0.75)
            hint = f" Did you mean {' or '.join(close)}?" if close else ""
            raise MarketDataError(
                f"the Spot Advisor data ({self.label}) has no Linux entries for region {region}; "
                f"it covers {', '.join(regions)}.{hint} Point --market-data at a snapshot that covers {region}."
            )
        out: dict[str, AdvisorEntry] = {}
        for name, entry in data["spot_advisor"][region]["Linux"].items():
            _expect(isinstance(entry, dict) and "r" in entry and "s" in entry, path, f"entry {name} lacks 'r'/'s'")
            bucket = int(entry["r"])
            _expect(0 <= bucket <= 4, path, f"entry {name} has bucket {bucket} outside 0-4")
            out[name] = AdvisorEntry(savings_percent=float(entry["s"]), bucket=bucket)
        return out

    # --- catalogue ----------------------------------------------------------------------------
    def catalogue(self) -> tuple[dict[str, InstanceType], list[str]]:
        """The catalogue, plus types only the Spot Advisor knows (their attributes guessed from the name:
        Graviton from the `g` suffix, current generation from generation >= 6); returns the guessed names."""
        path = self._file(CATALOGUE_FILE)
        data = _load_json(path)
        _expect(isinstance(data, dict) and isinstance(data.get("types"), dict), path, "no 'types' map")
        out: dict[str, InstanceType] = {}
        for name, t in data["types"].items():
            out[name] = InstanceType(
                name=name,
                vcpus=int(t["vcpus"]),
                memory_gib=round(int(t["memoryMib"]) / 1024, 3),
                architecture=str(t["architecture"]),
                burstable=bool(t.get("burstable", False)),
                current_generation=bool(t.get("currentGeneration", True)),
                bare_metal=bool(t.get("bareMetal", False)),
                accelerated=bool(t.get("accelerated", False)),
                spot_supported=bool(t.get("spot", True)),
                manufacturer=str(t.get("manufacturer", "")),
            )
        advisor_path = self._file(ADVISOR_FILE)
        guessed: list[str] = []
        for name, spec in (_load_json(advisor_path).get("instance_types") or {}).items():
            if name in out or not isinstance(spec, dict) or "cores" not in spec or "ram_gb" not in spec:
                continue
            family = family_of(name)
            category, generation = category_and_generation(family)
            out[name] = InstanceType(
                name=name,
                vcpus=int(spec["cores"]),
                memory_gib=float(spec["ram_gb"]),
                architecture=guess_architecture(name),
                burstable=category == "t",
                current_generation=generation >= 6,
                bare_metal=name.endswith(".metal") or "metal-" in name,
                accelerated=category in ("p", "g", "gr", "inf", "trn", "dl", "f", "vt"),
            )
            guessed.append(name)
        return out, sorted(guessed)

    # --- zones and offerings -----------------------------------------------------------------
    def _offerings_region(self, region: str) -> dict[str, Any] | None:
        path = self._file(OFFERINGS_FILE)
        data = _load_json(path)
        _expect(isinstance(data, dict) and isinstance(data.get("regions"), dict), path, "no 'regions' map")
        return data["regions"].get(region)

    def zones(self, region: str) -> list[Zone]:
        body = self._offerings_region(region)
        if body is None:
            return []
        return [Zone(z["name"], z["id"]) for z in body["zones"]]

    def offerings(self, region: str) -> dict[str, frozenset[str]] | None:
        body = self._offerings_region(region)
        if body is None:
            return None
        names = [z["name"] for z in body["zones"]]
        return {t: frozenset(names[int(i)] for i in idx) for t, idx in body["types"].items()}

    # --- prices -----------------------------------------------------------------------------
    def on_demand(self, region: str) -> tuple[dict[str, float], str | None]:
        """(prices, proxy region or None). A region missing from the table uses us-east-1's prices."""
        path = self._file(PRICES_FILE)
        data = _load_json(path)
        _expect(isinstance(data, dict) and isinstance(data.get("prices"), dict), path, "no 'prices' map")
        table = data["prices"]
        if region in table:
            return {t: float(p) for t, p in table[region].items()}, None
        if PROXY_PRICE_REGION in table:
            return {t: float(p) for t, p in table[PROXY_PRICE_REGION].items()}, PROXY_PRICE_REGION
        raise MarketDataError(f"on-demand prices ({self.label}) cover neither {region} nor {PROXY_PRICE_REGION}")

    def history(self, region: str) -> tuple[PriceHistory, datetime] | None:
        """Spot price history from `spot-price-history.json`, and the snapshot's end (its newest record)."""
        path = self._path(HISTORY_FILE)
        if path is None:
            return None
        data = _load_json(path)
        rows = data.get("SpotPriceHistory") if isinstance(data, dict) else data
        _expect(isinstance(rows, list), path, "expected DescribeSpotPriceHistory output or a list of its records")
        assert isinstance(rows, list)
        # Validated on load: every record is an object with the four fields.
        history = parse_history([r for r in rows if str(r["AvailabilityZone"]).startswith(region)])
        if not history:
            return None
        end = max(points[-1][0] for points in history.values())
        return history, end
