"""Usage figures an estimate cannot read from the program (data processed, log volume, ...),
per environment, and the record of which ones an estimate used."""

from __future__ import annotations

from dataclasses import dataclass

from .prices import PriceTable


@dataclass(frozen=True)
class Assumption:
    key: str
    value: float
    unit: str
    description: str


class Assumptions:
    """Usage figures the estimate cannot know from the program; records which ones it used."""

    def __init__(self, values: dict[str, Assumption]) -> None:
        self._values = values
        self.used: set[str] = set()

    @classmethod
    def for_environment(
        cls, prices: PriceTable, environment: str, overrides: dict[str, float] | None = None
    ) -> Assumptions:
        spec = prices.doc["assumptions"]
        env = spec.get("byEnvironment", {}).get(environment, {})
        values = {
            key: Assumption(key, float(env.get(key, meta["value"])), meta["unit"], meta["description"])
            for key, meta in spec["defaults"].items()
        }
        for key, value in (overrides or {}).items():
            if key not in values:
                raise KeyError(f"unknown cost assumption {key!r}; known: {', '.join(sorted(values))}")
            values[key] = Assumption(key, float(value), values[key].unit, values[key].description)
        return cls(values)

    def __getitem__(self, key: str) -> float:
        self.used.add(key)
        return self._values[key].value

    def used_list(self) -> list[Assumption]:
        return [self._values[k] for k in sorted(self.used)]
