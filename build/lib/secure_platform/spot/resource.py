"""`SpotInstanceSelection`: the dynamic resource a spot node group takes its instance types from."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import pulumi
import pulumi.dynamic

from .engine import OUTPUT_KEYS
from .provider import SpotSelectionProvider
from .requirements import DataSource, RequirementsError, parse_requirements

if TYPE_CHECKING:
    from secure_platform.config import SpotNodeGroupConfig


class SpotSelectionInputError(pulumi.RunError):
    """Bad selection inputs, reported before anything is registered (message, no traceback)."""


@dataclass(frozen=True)
class SpotInstanceSelectionArgs:
    """Requirements for the spot types; mirrors `SpotNodeGroupConfig` plus region, capacity and zones."""

    region: pulumi.Input[str]
    vcpus: tuple[float, float]
    memory_gib: tuple[float, float]
    architectures: Sequence[str] = ("x86_64",)
    capacity: pulumi.Input[int] = 3
    max_interruption_bucket: int = 2
    type_count: int = 4
    burstable: bool = False
    allowed_families: Sequence[str] = ()
    excluded_families: Sequence[str] = ()
    min_generation: int = 5
    """Oldest generation allowed (0: any); `None` cannot be sent (the SDK drops None inputs)."""
    current_generation_only: bool = False
    allowed_availability_zones: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None
    """AZ names of the node group's subnets (the selection reports the subset it recommends)."""
    min_availability_zones: int = 2
    price_history_days: int = 14
    savings_threshold_percent: float = 10.0
    savings_threshold_usd_per_hour: float = 0.05
    min_placement_score: int = 3
    data_source: DataSource = "aws"
    extra: dict[str, Any] = field(default_factory=dict)
    """Further camelCase inputs, for options added to the provider later."""

    @classmethod
    def from_config(
        cls,
        spot: SpotNodeGroupConfig,
        *,
        region: pulumi.Input[str],
        allowed_availability_zones: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None,
        capacity: pulumi.Input[int] | None = None,
    ) -> SpotInstanceSelectionArgs:
        """From the stack's `compute.eks.spotNodes`; capacity defaults to the group's desired size."""
        return cls(
            region=region,
            vcpus=(spot.vcpus.min, spot.vcpus.max),
            memory_gib=(spot.memory_gib.min, spot.memory_gib.max),
            architectures=tuple(spot.architectures),
            capacity=capacity if capacity is not None else max(1, spot.desired_size),
            max_interruption_bucket=spot.max_interruption_bucket,
            type_count=spot.type_count,
            burstable=spot.burstable,
            excluded_families=tuple(spot.excluded_families),
            savings_threshold_percent=spot.savings_threshold_percent,
            savings_threshold_usd_per_hour=spot.savings_threshold_usd_per_hour,
            allowed_availability_zones=allowed_availability_zones,
        )

    def to_props(self) -> dict[str, Any]:
        """camelCase inputs, as the provider and CrossGuard see them."""
        props: dict[str, Any] = {
            "region": self.region,
            "vcpus": {"min": self.vcpus[0], "max": self.vcpus[1]},
            "memoryGib": {"min": self.memory_gib[0], "max": self.memory_gib[1]},
            "architectures": list(self.architectures),
            "capacity": self.capacity,
            "maxInterruptionBucket": self.max_interruption_bucket,
            "typeCount": self.type_count,
            "burstable": self.burstable,
            "allowedFamilies": list(self.allowed_families),
            "excludedFamilies": list(self.excluded_families),
            "minGeneration": self.min_generation,
            "currentGenerationOnly": self.current_generation_only,
            "minAvailabilityZones": self.min_availability_zones,
            "priceHistoryDays": self.price_history_days,
            "savingsThresholdPercent": self.savings_threshold_percent,
            "savingsThresholdUsdPerHour": self.savings_threshold_usd_per_hour,
            "minPlacementScore": self.min_placement_score,
            "dataSource": self.data_source,
            **self.extra,
        }
        if self.allowed_availability_zones is not None:
            props["allowedAvailabilityZones"] = self.allowed_availability_zones
        return props

    def validate_known(self) -> None:
        """Raise `SpotSelectionInputError` now for bad values that are already known (not Outputs)."""
        props = self.to_props()
        known = {k: v for k, v in props.items() if v is not None and not _is_output(v)}
        deferred = {k for k in props if k not in known and props[k] is not None}
        if "region" in deferred and "allowedAvailabilityZones" in known:
            deferred.add("allowedAvailabilityZones")  # zones are checked against the region
            del known["allowedAvailabilityZones"]
        placeholders = {"region": "us-east-1", "capacity": 1, "allowedAvailabilityZones": []}
        try:
            parse_requirements({**{k: placeholders[k] for k in deferred if k in placeholders}, **known})
        except RequirementsError as exc:
            problems = [p for p in exc.problems if p.key.split(".")[0].split("[")[0] not in deferred]
            if problems:
                raise SpotSelectionInputError(str(RequirementsError(problems))) from None


def _is_output(value: Any) -> bool:
    if isinstance(value, pulumi.Output):
        return True
    if isinstance(value, (list, tuple)):
        return any(_is_output(v) for v in value)
    if isinstance(value, dict):
        return any(_is_output(v) for v in value.values())
    return False


class SpotInstanceSelection(pulumi.dynamic.Resource, module="spot", name="SpotInstanceSelection"):
    """Spot instance types (and AZs) for a node group, chosen from market data, stable unless worth changing.

    Outputs (camelCase in state, typed attributes here): `instance_types` (ordered; the smallest
    memory first, which the cluster autoscaler models the group on), `details` (per type: spot and
    on-demand price, savings, interruption bucket, AZs), `availability_zones`, `expected_hourly_usd`
    for the capacity, `reason`, `warnings` (degraded data) and `selected_at`.
    """

    def __init__(
        self,
        resource_name: str,
        args: SpotInstanceSelectionArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        provider: SpotSelectionProvider | None = None,
    ) -> None:
        args.validate_known()
        props = {**args.to_props(), **dict.fromkeys(OUTPUT_KEYS)}
        super().__init__(provider or SpotSelectionProvider(), resource_name, props, opts)

    def _out(self, key: str) -> pulumi.Output[Any]:
        return cast(pulumi.Output[Any], self.__dict__[key])

    @property
    def instance_types(self) -> pulumi.Output[list[str]]:
        return self._out("instanceTypes")

    @property
    def details(self) -> pulumi.Output[list[dict[str, Any]]]:
        return self._out("details")

    @property
    def availability_zones(self) -> pulumi.Output[list[str]]:
        return self._out("availabilityZones")

    @property
    def availability_zone_ids(self) -> pulumi.Output[list[str]]:
        return self._out("availabilityZoneIds")

    @property
    def expected_hourly_usd(self) -> pulumi.Output[float]:
        return self._out("expectedHourlyUsd")

    @property
    def on_demand_hourly_usd(self) -> pulumi.Output[float | None]:
        return self._out("onDemandHourlyUsd")

    @property
    def savings_percent(self) -> pulumi.Output[float | None]:
        return self._out("savingsPercent")

    @property
    def reason(self) -> pulumi.Output[str]:
        return self._out("reason")

    @property
    def warnings(self) -> pulumi.Output[list[str]]:
        return self._out("warnings")

    @property
    def selected_at(self) -> pulumi.Output[str]:
        return self._out("selectedAt")
