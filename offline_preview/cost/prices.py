"""Price tables: list prices with their source and date, the EC2 on-demand and Spot Advisor
tables, per-engine RDS and ElastiCache prices. Every figure carries where it comes from."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

PRICES_FILE = Path(__file__).resolve().parent.parent / "data" / "aws-prices.json"


@dataclass(frozen=True)
class Price:
    usd: float
    unit: str
    source: str
    as_of: str
    note: str = ""


class PriceTable:
    """`data/aws-prices.json`: list prices of the base region, regions that share them, the EC2
    on-demand and Spot Advisor tables, and the default usage assumptions."""

    def __init__(self, doc: dict[str, Any], path: Path | None = None) -> None:
        self.doc = doc
        self.path = path
        self.base_region: str = doc["baseRegion"]
        self.regions: dict[str, dict[str, Any]] = doc["regions"]
        self._prices = {
            key: Price(float(v["usd"]), v["unit"], v["source"], v["asOf"], v.get("note", ""))
            for key, v in doc["prices"].items()
        }
        self.tables: dict[str, dict[str, Any]] = doc["tables"]

    @classmethod
    def load(cls, path: str | Path = PRICES_FILE) -> PriceTable:
        path = Path(path)
        return cls(json.loads(path.read_text(encoding="utf-8")), path)

    def price(self, key: str) -> Price:
        return self._prices[key]

    def usd(self, key: str) -> float:
        return self._prices[key].usd

    def covers(self, region: str) -> bool:
        return region in self.regions

    def on_demand(self, instance_type: str) -> float | None:
        value = self.tables["ec2.onDemandHour"]["usd"].get(instance_type)
        return float(value) if value is not None else None

    def spot_savings(self, region: str, instance_type: str) -> float | None:
        by_region = self.tables["ec2.spotSavingsPercent"]["byRegion"]
        table = by_region.get(region) or by_region[self.base_region]
        value = table.get(instance_type)
        return float(value) if value is not None else None

    def rds_hour(self, engine: str, instance_class: str) -> float | None:
        table = self.tables["rds.instanceHour"]["usd"].get(engine, {})
        value = table.get(instance_class)
        return float(value) if value is not None else None

    def cache_hour(self, node_type: str) -> float | None:
        value = self.tables["elasticache.nodeHour"]["usd"].get(node_type)
        return float(value) if value is not None else None

    def hourly(self, table: str, key: str) -> float | None:
        """A per-hour price from one of the per-type tables (`redshift.nodeHour`, `msk.brokerHour`,
        ...), or None when the type is not in it."""
        value = self.tables.get(table, {}).get("usd", {}).get(key)
        return float(value) if value is not None else None

    def vcpus(self, instance_type: str) -> int | None:
        value = self.tables["ec2.vcpus"]["values"].get(instance_type)
        return int(value) if value is not None else None

    def source_summary(self) -> dict[str, Any]:
        """Where the figures come from, for the report."""
        sources: set[str] = {p.source for p in self._prices.values()}
        for table in self.tables.values():
            src = table.get("source")
            if isinstance(src, dict):
                sources.update(str(s) for s in src.values())
            elif src:
                sources.add(str(src))
        return {
            "file": _display_path(self.path) if self.path else "(in memory)",
            "compiled": self.doc.get("compiled", ""),
            "listPricesAsOf": sorted({p.as_of for p in self._prices.values()}),
            "ec2OnDemandAsOf": self.tables["ec2.onDemandHour"]["asOf"],
            "spotAdvisorAsOf": self.tables["ec2.spotSavingsPercent"]["asOf"],
            "regions": sorted(self.regions),
            "sources": sorted(sources),
        }


def _display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path(__file__).resolve().parents[2]))
    except ValueError:
        return str(path)


@cache
def default_prices() -> PriceTable:
    return PriceTable.load()
