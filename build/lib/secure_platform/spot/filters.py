"""The candidate filters, in order, each tied to the input it enforces (pure).

The chain runs on the whole catalogue and records how many types each filter removed, so an empty
result names the filter that emptied it (and `check` can point at the input to change). The same
filters explain, for one type, why a previous selection is no longer acceptable.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .model import BUCKET_LABELS, AdvisorEntry, InstanceType, MarketSnapshot
from .requirements import SpotRequirements


@dataclass(frozen=True)
class Filter:
    name: str
    key: str
    """The input that sets this filter (the `check` failure property)."""
    detail: str
    """The requirement in words, e.g. "vcpus 2-4"."""
    keep: Callable[[InstanceType], bool]


@dataclass(frozen=True)
class FilterStep:
    name: str
    key: str
    detail: str
    before: int
    after: int
    removed: tuple[str, ...]

    @property
    def summary(self) -> str:
        return f"{self.detail}: {self.before} -> {self.after}"


class EmptySelectionError(ValueError):
    """No instance type survives the requirements; names the filter that removed the last ones."""

    def __init__(self, step: FilterStep, steps: list[FilterStep]) -> None:
        self.step = step
        self.steps = steps
        super().__init__(self.render(f"input '{step.key}'"))

    def render(self, what_to_change: str) -> str:
        """The message, naming the thing to change (an input key, or a CLI flag)."""
        step = self.step
        examples = ", ".join(step.removed[:6]) + (" ..." if len(step.removed) > 6 else "")
        trail = "; ".join(s.summary for s in self.steps)
        return (
            f"no instance type is left after the '{step.name}' filter ({step.detail}); "
            f"it removed the last {step.before}: {examples}. Change {what_to_change}. Filters applied: {trail}"
        )

    @property
    def key(self) -> str:
        return self.step.key


def matches_any(family: str, patterns: Iterable[str]) -> bool:
    return any(fnmatch.fnmatchcase(family, p) for p in patterns)


def _explicitly_allowed(family: str, patterns: list[str]) -> bool:
    """A specialised family (GPU, accelerator) is allowed only when a pattern other than `*` names it."""
    return any(p != "*" and fnmatch.fnmatchcase(family, p) for p in patterns)


def static_filters(req: SpotRequirements) -> list[Filter]:
    """Filters that need only the catalogue."""
    archs = req.arch_list
    out = [
        Filter("spot", "region", "offered as spot", lambda t: t.spot_supported),
        Filter("architecture", "architectures", f"architectures {', '.join(archs)}", lambda t: t.architecture in archs),
        Filter("vcpus", "vcpus", f"vcpus {req.vcpus}", lambda t: req.vcpus.contains(t.vcpus)),
        Filter(
            "memoryGib", "memoryGib", f"memoryGib {req.memory_gib}", lambda t: req.memory_gib.contains(t.memory_gib)
        ),
    ]
    if not req.burstable:
        out.append(Filter("burstable", "burstable", "no burstable (t*) types", lambda t: not t.burstable))
    out.append(
        Filter(
            "general-purpose",
            "allowedFamilies",
            "no bare metal, GPU or accelerator types (name a family in allowedFamilies to allow it)",
            lambda t: not t.bare_metal and (not t.accelerated or _explicitly_allowed(t.family, req.allowed_families)),
        )
    )
    if req.current_generation_only:
        out.append(
            Filter(
                "current-generation", "currentGenerationOnly", "current generation only", lambda t: t.current_generation
            )
        )
    if req.min_generation > 0:
        minimum = req.min_generation
        out.append(
            Filter("min-generation", "minGeneration", f"generation >= {minimum}", lambda t: t.generation >= minimum)
        )
    if req.allowed_families:
        allowed = req.allowed_families
        out.append(
            Filter(
                "allowed-families",
                "allowedFamilies",
                f"families {', '.join(allowed)}",
                lambda t: matches_any(t.family, allowed),
            )
        )
    if req.excluded_families:
        excluded = req.excluded_families
        out.append(
            Filter(
                "excluded-families",
                "excludedFamilies",
                f"not families {', '.join(excluded)}",
                lambda t: not matches_any(t.family, excluded),
            )
        )
    return out


def interruption_filters(req: SpotRequirements, advisor: dict[str, AdvisorEntry]) -> list[Filter]:
    """Types without Spot Advisor data count as the riskiest bucket: kept only when 4 (>20 %) is tolerated."""
    limit = req.max_interruption_bucket
    out: list[Filter] = []
    if limit < 4:
        out.append(
            Filter(
                "interruption-data",
                "maxInterruptionBucket",
                f"known to the Spot Advisor for {req.region}",
                lambda t: t.name in advisor,
            )
        )
    out.append(
        Filter(
            "max-interruption",
            "maxInterruptionBucket",
            f"interruption frequency {BUCKET_LABELS[limit] if limit < 4 else 'any'} or better (bucket <= {limit})",
            lambda t: bucket_of(t.name, advisor) <= limit,
        )
    )
    return out


def bucket_of(instance_type: str, advisor: dict[str, AdvisorEntry]) -> int:
    entry = advisor.get(instance_type)
    return entry.bucket if entry is not None else 4


def required_zones(req: SpotRequirements, snapshot: MarketSnapshot) -> int:
    return max(1, min(req.min_availability_zones, len(snapshot.zones)))


def offering_filters(req: SpotRequirements, snapshot: MarketSnapshot) -> list[Filter]:
    offerings = snapshot.offerings
    if offerings is None or not snapshot.zones:
        return []
    zones = {z.name for z in snapshot.zones}
    need = required_zones(req, snapshot)
    return [
        Filter(
            "offered",
            "allowedAvailabilityZones" if req.allowed_availability_zones else "minAvailabilityZones",
            f"offered in >= {need} of {', '.join(sorted(zones))}",
            lambda t: len(offerings.get(t.name, frozenset()) & zones) >= need,
        )
    ]


def market_filters(req: SpotRequirements, snapshot: MarketSnapshot) -> list[Filter]:
    return [*static_filters(req), *interruption_filters(req, snapshot.advisor), *offering_filters(req, snapshot)]


def run_filters(
    types: Iterable[InstanceType], filters: list[Filter], steps: list[FilterStep] | None = None
) -> tuple[list[InstanceType], list[FilterStep]]:
    """Apply `filters` in order; raises `EmptySelectionError` at the first one that leaves nothing."""
    current = sorted(types, key=lambda t: t.name)
    done: list[FilterStep] = list(steps or [])
    if not current:
        raise EmptySelectionError(
            FilterStep("catalogue", "region", "instance types known in the region", 0, 0, ()), done
        )
    for f in filters:
        kept = [t for t in current if f.keep(t)]
        removed = tuple(t.name for t in current if not f.keep(t))
        step = FilterStep(f.name, f.key, f.detail, len(current), len(kept), removed)
        done.append(step)
        if not kept:
            raise EmptySelectionError(step, done)
        current = kept
    return current, done


def first_failure(instance_type: InstanceType, filters: list[Filter]) -> Filter | None:
    return next((f for f in filters if not f.keep(instance_type)), None)
