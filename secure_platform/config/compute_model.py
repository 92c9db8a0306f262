"""The `platform:compute` section: ECS Fargate task size and scaling, the EKS cluster and its
node groups."""

from __future__ import annotations

import functools
import zoneinfo
from typing import Literal

from pydantic import Field, StrictBool, field_validator

from secure_platform.compute.ecs.fargate import FARGATE_MEMORY_BY_CPU, memory_table
from secure_platform.config import aws_data
from secure_platform.config.limits import (
    ARN_IAM_ROLE_RE,
    EC2_TYPE_RE,
    ECS_MAX_TASKS_PER_SERVICE,
    EKS_MAX_INSTANCE_TYPES,
    EKS_MAX_NODES_PER_GROUP,
    EKS_VERSIONS,
    HHMM_RE,
    IMAGE_TAG_RE,
    Architecture,
    iam_role_identity,
)
from secure_platform.config.schema import CamelModel, Text, allows, also, check_cidr, check_security_groups, reject


class ScheduleConfig(CamelModel):
    """Weekday business-hours floor; weekends stay at minTasks."""

    enabled: StrictBool = Field(default=True, description="Scheduled scaling on weekdays.")
    weekday_scale_up_at: str = Field(
        default="07:30",
        description="Local time the business-hours floor starts.",
        json_schema_extra=allows("hh:mm (24 h), e.g. 07:30"),
    )
    weekday_scale_down_at: str = Field(
        default="19:30",
        description="Local time the floor returns to minTasks.",
        json_schema_extra=allows("hh:mm (24 h), e.g. 19:30"),
    )
    business_hours_min_tasks: int = Field(
        default=2,
        ge=0,
        description="Task floor during business hours.",
        json_schema_extra=allows("minTasks-maxTasks"),
    )

    @field_validator("weekday_scale_up_at", "weekday_scale_down_at")
    @classmethod
    def _hhmm(cls, v: str) -> str:
        if not HHMM_RE.match(v):
            raise reject("is not a time of day")
        return v


class EcsConfig(CamelModel):
    """Fargate task size, scaling bounds and capacity-provider split."""

    cpu: int = Field(
        description="Task CPU units (1024 = 1 vCPU).",
        json_schema_extra=allows(", ".join(map(str, FARGATE_MEMORY_BY_CPU))),
    )
    memory: int = Field(
        description="Task memory (MiB), a valid Fargate pair with cpu.", json_schema_extra=allows(memory_table())
    )
    min_tasks: int = Field(
        ge=0, le=ECS_MAX_TASKS_PER_SERVICE, description="Autoscaling minimum.", json_schema_extra=allows("0-maxTasks")
    )
    max_tasks: int = Field(
        ge=1,
        le=ECS_MAX_TASKS_PER_SERVICE,
        description="Autoscaling maximum (ECS runs at most 5,000 tasks per service).",
    )
    spot_weight: int = Field(
        ge=0,
        description="FARGATE_SPOT share of tasks beyond the base.",
        json_schema_extra=also("spotWeight and onDemandWeight not both 0"),
    )
    on_demand_weight: int = Field(
        ge=0,
        description="FARGATE share of tasks beyond the base.",
        json_schema_extra=also("spotWeight and onDemandWeight not both 0"),
    )
    on_demand_base: int = Field(
        ge=0,
        le=ECS_MAX_TASKS_PER_SERVICE,
        description="Tasks always on FARGATE (on-demand).",
        json_schema_extra=allows("0-maxTasks"),
    )
    schedule: ScheduleConfig = Field(default_factory=ScheduleConfig, description="Scheduled scaling.")

    @field_validator("cpu")
    @classmethod
    def _cpu(cls, v: int) -> int:
        if v not in FARGATE_MEMORY_BY_CPU:
            raise reject("is not a Fargate CPU size")
        return v


class RangeConfig(CamelModel):
    """An inclusive numeric range."""

    min: float = Field(gt=0, description="Lower bound.", json_schema_extra=also("<= max"))
    max: float = Field(gt=0, description="Upper bound.")


class NodeGroupConfig(CamelModel):
    """An on-demand managed node group."""

    instance_types: list[str] = Field(
        min_length=1,
        max_length=EKS_MAX_INSTANCE_TYPES,
        description="On-demand instance types.",
        json_schema_extra=allows(
            f"1-{EKS_MAX_INSTANCE_TYPES} EC2 instance types of one CPU architecture offered in aws:region, e.g. t3.medium"
        ),
    )
    min_size: int = Field(
        ge=0, le=EKS_MAX_NODES_PER_GROUP, description="Minimum nodes.", json_schema_extra=allows("0-maxSize")
    )
    max_size: int = Field(
        ge=1, le=EKS_MAX_NODES_PER_GROUP, description="Maximum nodes (EKS allows 450 per managed node group)."
    )
    desired_size: int = Field(
        ge=0,
        description="Initial nodes (then owned by the cluster autoscaler).",
        json_schema_extra=allows("minSize-maxSize"),
    )
    disk_size_gb: int = Field(default=50, ge=20, le=16384, description="gp3 root volume (GiB).")

    @field_validator("instance_types")
    @classmethod
    def _types(cls, v: list[str]) -> list[str]:
        bad = [t for t in v if not EC2_TYPE_RE.match(t)]
        if bad:
            raise reject("has invalid instance type(s) {bad}", bad=bad)
        unknown = [t for t in v if t not in aws_data.instance_types()]
        if unknown:
            # Suggestions for the first: a name close to the value tells about the value.
            hint = aws_data.unknown_instance_type(unknown[0]).removeprefix("is an unknown instance type")
            raise reject("has unknown instance type(s) {unknown}{hint}", unknown=unknown, hint=Text(hint))
        if len(set(v)) != len(v):
            raise reject("lists an instance type twice")
        return v


class SpotNodeGroupConfig(CamelModel):
    """The spot node group; its instance types come from the spot optimizer."""

    min_size: int = Field(
        ge=0, le=EKS_MAX_NODES_PER_GROUP, description="Minimum nodes.", json_schema_extra=allows("0-maxSize")
    )
    max_size: int = Field(
        ge=1, le=EKS_MAX_NODES_PER_GROUP, description="Maximum nodes (EKS allows 450 per managed node group)."
    )
    desired_size: int = Field(ge=0, description="Initial nodes.", json_schema_extra=allows("minSize-maxSize"))
    vcpus: RangeConfig = Field(description="vCPU range of candidate types.")
    memory_gib: RangeConfig = Field(description="Memory range (GiB) of candidate types.")
    architectures: list[Architecture] = Field(default_factory=lambda: ["x86_64"], min_length=1)
    max_interruption_bucket: int = Field(
        default=2,
        ge=0,
        le=4,
        description="Spot Advisor interruption bucket tolerated.",
        json_schema_extra=also("Spot Advisor buckets: 0 <5 %, 1 5-10 %, 2 10-15 %, 3 15-20 %, 4 >20 %"),
    )
    type_count: int = Field(
        default=4, ge=1, le=20, description="Instance types to diversify over (3+ for placement scores)."
    )
    burstable: StrictBool = Field(default=False, description="Allow burstable (t*) types.")
    excluded_families: list[str] = Field(
        default_factory=list,
        description="Families never chosen (e.g. t2).",
        json_schema_extra=allows("EC2 instance families, e.g. t2, m5a"),
    )

    @field_validator("excluded_families")
    @classmethod
    def _families(cls, v: list[str]) -> list[str]:
        known = sorted({t.partition(".")[0] for t in aws_data.instance_types()})
        unknown = [f for f in v if f not in known]
        if unknown:
            hint = aws_data.close_matches(unknown[0], known)
            raise reject("has unknown instance family name(s) {unknown}{hint}", unknown=unknown, hint=Text(hint))
        return v

    savings_threshold_percent: float = Field(
        default=10.0, ge=0, le=100, description="Re-select only above this saving."
    )
    savings_threshold_usd_per_hour: float = Field(default=0.05, ge=0, description="...and above this $/h.")
    disk_size_gb: int = Field(default=50, ge=20, le=16384, description="gp3 root volume (GiB).")


class EksConfig(CamelModel):
    """The EKS cluster and its node groups."""

    version: str = Field(
        description="Kubernetes version in EKS standard support.", json_schema_extra=allows(", ".join(EKS_VERSIONS))
    )
    endpoint_public_access_cidrs: list[str] = Field(
        default_factory=list,
        description="CIDRs allowed to the public API endpoint; empty: private only.",
        json_schema_extra=allows("IPv4 CIDRs other than /0, e.g. 203.0.113.0/24, or 203.0.113.5/32 for one address"),
    )
    admin_role_arns: list[str] = Field(
        default_factory=list,
        description="IAM roles given cluster-admin access entries.",
        json_schema_extra=allows("IAM role ARNs, arn:aws:iam::<account>:role/<name>"),
    )
    api_client_security_group_ids: list[str] = Field(
        default_factory=list,
        description="Security groups (CI runners, bastions in the VPC) allowed to reach the private API endpoint.",
        json_schema_extra=allows("security group ids, sg- then 8 or 17 hex digits"),
    )
    read_only_role_arns: list[str] = Field(
        default_factory=list,
        description="IAM roles given read-only access entries (CI preview and drift roles).",
        json_schema_extra=allows("IAM role ARNs, arn:aws:iam::<account>:role/<name>, none of them in adminRoleArns"),
    )
    system_nodes: NodeGroupConfig = Field(description="On-demand node group for cluster services.")
    spot_nodes: SpotNodeGroupConfig = Field(description="Spot node group for non-critical workloads.")

    @field_validator("version")
    @classmethod
    def _version(cls, v: str) -> str:
        if v not in EKS_VERSIONS:
            raise reject("is not a Kubernetes version in EKS standard support")
        return v

    @field_validator("endpoint_public_access_cidrs")
    @classmethod
    def _cidrs(cls, v: list[str]) -> list[str]:
        for c in v:
            check_cidr(c)
            if c.endswith("/0"):
                raise reject("contains {cidr}: the API endpoint must not be open to the whole internet", cidr=c)
        if len(set(v)) != len(v):
            raise reject("lists a CIDR twice")
        return v

    @field_validator("api_client_security_group_ids")
    @classmethod
    def _security_groups(cls, v: list[str]) -> list[str]:
        return check_security_groups(v)

    @field_validator("admin_role_arns", "read_only_role_arns")
    @classmethod
    def _roles(cls, v: list[str]) -> list[str]:
        bad = [a for a in v if not ARN_IAM_ROLE_RE.match(a)]
        if bad:
            raise reject("has invalid IAM role ARN(s) {bad}", bad=bad)
        if len({iam_role_identity(a) for a in v}) != len(v):
            raise reject("lists a role twice (IAM role names are unique in any case and path)")
        return v


class ComputeConfig(CamelModel):
    """Container platform and workload settings."""

    platform: Literal["ecs", "eks"] = Field(description="Container platform.")
    image_tag: str = Field(
        description="Image tag deployed from the ECR repositories (immutable tags).",
        json_schema_extra=allows("1-128 of A-Z a-z 0-9 _ . - (not starting with . or -), not latest; e.g. 1.4.2"),
    )
    timezone: str = Field(
        default="UTC",
        description="IANA time zone for scheduled scaling.",
        json_schema_extra=allows("an IANA time zone, e.g. UTC or Europe/Berlin"),
    )
    ecs: EcsConfig = Field(description="ECS Fargate settings (used when platform is ecs).")
    eks: EksConfig | None = Field(default=None, description="EKS settings (required when platform is eks).")

    @field_validator("image_tag")
    @classmethod
    def _tag(cls, v: str) -> str:
        if not IMAGE_TAG_RE.match(v) or v == "latest":
            raise reject("is not a usable immutable image tag")
        return v

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        if v not in iana_time_zones():
            raise reject(f"is not an IANA time zone{aws_data.close_matches(v, sorted(iana_time_zones()))}")
        return v


@functools.cache
def iana_time_zones() -> frozenset[str]:
    """The IANA time zone names the Python runtime knows. Application Auto Scaling takes "the
    canonical names of the IANA time zones" (PutScheduledAction); a file the system's zoneinfo
    directory also holds is not one: `localtime` (the machine's own zone) and `Factory` (IANA's
    "zone unknown" placeholder), nor `posix/...` and `right/...` copies, which
    `available_timezones()` leaves out already."""
    return frozenset(zoneinfo.available_timezones() - {"localtime", "Factory"})
