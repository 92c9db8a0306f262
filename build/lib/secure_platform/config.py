"""The typed model of a stack's configuration (namespace `platform`, camelCase keys).

`load_config()` reads `pulumi.Config`, validates everything and raises one `ConfigError` listing
every problem (full key, bad value, what is allowed) before any resource is registered.
`ConfigError` is a `pulumi.RunError`, so `pulumi up` prints the message without a traceback.
"""

from __future__ import annotations

import difflib
import json
import re
import types
import typing
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args, get_origin

import pulumi
from annotated_types import Ge, Gt, Le, Lt, MinLen
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic.alias_generators import to_camel
from pydantic.config import JsonDict
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError, PydanticUndefined

from secure_platform.compute.ecs.fargate import FARGATE_MEMORY_BY_CPU, memory_choices, memory_table, valid_fargate_pair
from secure_platform.core.naming import Naming
from secure_platform.networking.plan import (
    MAX_PREFIX,
    MIN_PREFIX,
    TIER_KEYS,
    PlanError,
    carve_subnets,
    check_subnets,
    parse_network,
)

NAMESPACE = "platform"

Environment = Literal["dev", "staging", "prod"]
InterfaceEndpoint = Literal[
    "ecr.api", "ecr.dkr", "logs", "sts", "secretsmanager", "ssm", "ssmmessages", "ec2messages", "kms"
]
Architecture = Literal["x86_64", "arm64"]

# CloudWatch Logs accepts only these retention periods (days).
LOG_RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)
# Engine major versions RDS supports today (standard support), and their storage minimums (GiB, gp3).
DB_ENGINE_VERSIONS = {"postgres": ("13", "14", "15", "16", "17"), "mysql": ("8.0", "8.4")}
DB_MIN_STORAGE_GB = {"postgres": 20, "mysql": 20}
DB_MAX_STORAGE_GB = 65536
# Kubernetes versions in EKS standard support (update when AWS releases or retires one).
EKS_VERSIONS = ("1.32", "1.33", "1.34", "1.35")
ENHANCED_MONITORING_INTERVALS = (0, 1, 5, 10, 15, 30, 60)
# Instance classes for which RDS for MySQL has no Performance Insights.
MYSQL_NO_PI_CLASSES = ("db.t2.micro", "db.t2.small", "db.t3.micro", "db.t3.small", "db.t4g.micro", "db.t4g.small")

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_ARN_ACM = re.compile(r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[0-9a-f-]{36}$")
_ARN_IAM_ROLE = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$")
_ZONE_ID = re.compile(r"^Z[A-Z0-9]{1,31}$")
_REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$")
_ECR_NAME = re.compile(r"^[a-z0-9]+(?:[._-][a-z0-9]+)*$")
_IMAGE_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_DB_CLASS = re.compile(r"^db\.[a-z0-9]+\.[a-z0-9]+$")
_CACHE_CLASS = re.compile(r"^cache\.[a-z0-9]+\.[a-z0-9]+$")
_EC2_TYPE = re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9]+$")
_RDS_WINDOW = re.compile(
    r"^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d$"
)
_DAILY_WINDOW = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")


def _bad(reason: str) -> PydanticCustomError:
    """A field validator's rejection; the field's allowed text is added to the message."""
    return PydanticCustomError("platform", "{reason}", {"reason": reason})


def _allowed(text: str) -> JsonDict:
    """What a field accepts when its type and bounds do not say it all (a validator or a rule across
    fields checks it). Error messages and the README's config reference both show this text."""
    return {"allowed": text}


def _also(text: str) -> JsonDict:
    """A rule added to what the field's bounds or values say (e.g. a stricter floor in prod)."""
    return {"also": text}


def _number(value: Any) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def allowed_text(field: FieldInfo, *, code: bool = False) -> str:
    """What `field` accepts, in words: its `_allowed` text, else its literal values or numeric
    bounds or length (true/false for booleans), plus any `_also` rule; empty for free text.
    `code` puts literal values in backticks (the README)."""
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    given = extra.get("allowed")
    if isinstance(given, str):
        text = given
    else:
        values = _literal_values(field.annotation)
        if values:
            text = ", ".join(f"`{v}`" if code else str(v) for v in values)
        else:
            low = next((m for m in field.metadata if isinstance(m, (Ge, Gt))), None)
            high = next((m for m in field.metadata if isinstance(m, (Le, Lt))), None)
            length = next((m for m in field.metadata if isinstance(m, MinLen)), None)
            if isinstance(low, Ge) and isinstance(high, Le):
                text = f"{_number(low.ge)}-{_number(high.le)}"
            elif low is not None or high is not None:
                parts = [
                    f">= {_number(low.ge)}" if isinstance(low, Ge) else f"> {_number(low.gt)}" if low else "",
                    f"<= {_number(high.le)}" if isinstance(high, Le) else f"< {_number(high.lt)}" if high else "",
                ]
                text = " and ".join(p for p in parts if p)
            elif length is not None:
                text = "non-empty" if length.min_length == 1 else f"at least {length.min_length} items"
            elif field.annotation is bool:
                text = "`true`, `false`" if code else "true, false"
            else:
                text = ""
    also = extra.get("also")
    if isinstance(also, str):
        text = f"{text}; {also}" if text else also
    return text


def _literal_values(annotation: Any) -> tuple[Any, ...]:
    """The values of a Literal, also inside Optional[...] and list[...]."""
    origin = get_origin(annotation)
    if origin is Literal:
        return get_args(annotation)
    for arg in get_args(annotation) if origin is not None else ():
        values = _literal_values(arg)
        if values:
            return values
    return ()


def _keys_of(model: type[BaseModel]) -> str:
    return ", ".join(_aliases(model))


class CamelModel(BaseModel):
    """Frozen, camelCase keys as Pulumi config writes them, unknown keys refused (also the spot
    optimizer's requirements)."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        extra="forbid",
        frozen=True,
        validate_by_alias=True,
        validate_by_name=False,
        serialize_by_alias=True,
    )


def _cidr(value: str) -> str:
    try:
        parse_network(value)
    except ValueError as exc:
        raise _bad(f"is not a valid IPv4 CIDR ({exc})") from None
    return value


_ALLOWED_VPC_CIDR = f"an IPv4 CIDR of /{MIN_PREFIX} to /{MAX_PREFIX} with no host bits set, e.g. 10.0.0.0/16"
_ALLOWED_SUBNETS = (
    f"azCount IPv4 CIDRs (one per AZ), each a /{MIN_PREFIX}-/{MAX_PREFIX} subnet of `cidr` overlapping no other subnet"
)
_ALLOWED_REGION = "an AWS region name, e.g. us-east-1"


# --- sections -----------------------------------------------------------------------------------


MAX_EXTRA_TAGS = 40
"""AWS allows 50 tags per resource; the stack's own (Project, Environment, Owner, CostCenter and
the provider's) and AWS services' need the rest."""


class TagsConfig(CamelModel):
    """Ownership tags; Project and Environment are added from the stack."""

    owner: str = Field(min_length=1, description="Team that owns the stack (tag `Owner`).")
    cost_center: str = Field(min_length=1, description="Cost center billed (tag `CostCenter`).")
    extra: dict[str, str] = Field(
        default_factory=dict,
        description="More tags applied to every resource.",
        json_schema_extra=_allowed(
            f"up to {MAX_EXTRA_TAGS} tags; keys 1-128 characters, not starting with aws:; values up to 256 characters"
        ),
    )

    @field_validator("extra")
    @classmethod
    def _aws_tag_limits(cls, v: dict[str, str]) -> dict[str, str]:
        if len(v) > MAX_EXTRA_TAGS:
            raise _bad(f"has {len(v)} tags; AWS allows 50 per resource and the stack adds its own")
        bad = [k for k, val in v.items() if not 1 <= len(k) <= 128 or k.lower().startswith("aws:") or len(val) > 256]
        if bad:
            raise _bad(f"has tags AWS refuses: {bad}")
        return v


class NetworkConfig(CamelModel):
    """VPC layout: CIDRs per tier, AZs, NAT strategy, endpoints."""

    cidr: str = Field(description="VPC IPv4 CIDR.", json_schema_extra=_allowed(_ALLOWED_VPC_CIDR))
    az_count: int = Field(ge=2, le=6, description="Availability zones used (RDS subnet groups need 2+).")
    nat_gateways: Literal["none", "single", "perAz"] = Field(
        description="`perAz` keeps egress in each AZ, `single` is cheapest, `none` has no egress."
    )
    public_subnet_cidrs: list[str] | None = Field(
        default=None,
        description="One per AZ; omitted: carved from `cidr`.",
        json_schema_extra=_allowed(_ALLOWED_SUBNETS),
    )
    private_subnet_cidrs: list[str] | None = Field(
        default=None,
        description="One per AZ; omitted: carved from `cidr`.",
        json_schema_extra=_allowed(_ALLOWED_SUBNETS),
    )
    database_subnet_cidrs: list[str] | None = Field(
        default=None,
        description="One per AZ; omitted: carved from `cidr`.",
        json_schema_extra=_allowed(_ALLOWED_SUBNETS),
    )
    interface_endpoints: list[InterfaceEndpoint] = Field(
        default_factory=list, description="Interface VPC endpoints (each costs per AZ-hour)."
    )

    @field_validator("cidr")
    @classmethod
    def _vpc_cidr(cls, v: str) -> str:
        _cidr(v)
        prefix = parse_network(v).prefixlen
        if not MIN_PREFIX <= prefix <= MAX_PREFIX:
            raise _bad(f"has prefix /{prefix}; AWS VPCs are /{MIN_PREFIX} to /{MAX_PREFIX}")
        return v

    def subnet_cidrs(self) -> dict[str, list[str]]:
        """The explicit CIDRs, or the carved ones for tiers that were left out."""
        given = {
            "public": self.public_subnet_cidrs,
            "private": self.private_subnet_cidrs,
            "database": self.database_subnet_cidrs,
        }
        carved = carve_subnets(self.cidr, self.az_count) if any(v is None for v in given.values()) else {}
        return {tier: list(v) if v is not None else carved[tier] for tier, v in given.items()}


class DomainConfig(CamelModel):
    """DNS name and TLS certificate of the load balancer."""

    name: str = Field(
        description="DNS name served by the load balancer (e.g. app.example.com).",
        json_schema_extra=_allowed("a lower-case DNS name, e.g. app.example.com"),
    )
    hosted_zone_id: str | None = Field(
        default=None,
        description="Route 53 zone for ACM DNS validation.",
        json_schema_extra=_allowed(
            "a Route 53 hosted zone id, e.g. Z0123456789ABCDEFGHIJ; required unless certificateArn is given"
        ),
    )
    certificate_arn: str | None = Field(
        default=None,
        description="Existing ACM certificate; skips issuing one.",
        json_schema_extra=_allowed("an ACM certificate ARN, arn:aws:acm:<region>:<account>:certificate/<uuid>"),
    )

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not _DOMAIN.match(v):
            raise _bad("is not a valid lower-case DNS name")
        return v

    @field_validator("hosted_zone_id")
    @classmethod
    def _zone(cls, v: str | None) -> str | None:
        if v is not None and not _ZONE_ID.match(v):
            raise _bad("is not a Route 53 hosted zone id")
        return v

    @field_validator("certificate_arn")
    @classmethod
    def _cert(cls, v: str | None) -> str | None:
        if v is not None and not _ARN_ACM.match(v):
            raise _bad("is not an ACM certificate ARN")
        return v


class DatabaseConfig(CamelModel):
    """The RDS instance."""

    engine: Literal["postgres", "mysql"] = Field(description="RDS engine.")
    engine_version: str = Field(
        description="Major version; minor upgrades are automatic (e.g. 15, 8.0).",
        json_schema_extra=_allowed(
            "a major version, optionally with its minor: "
            + "; ".join(f"{engine} {', '.join(majors)}" for engine, majors in DB_ENGINE_VERSIONS.items())
        ),
    )
    instance_class: str = Field(
        description="RDS instance class (e.g. db.t3.micro).",
        json_schema_extra=_allowed("an RDS instance class db.<family>.<size>, e.g. db.t3.micro or db.r6g.large"),
    )
    allocated_storage_gb: int = Field(
        description="Initial gp3 storage (GiB).",
        json_schema_extra=_allowed(
            "; ".join(f"{engine} {low}-{DB_MAX_STORAGE_GB}" for engine, low in DB_MIN_STORAGE_GB.items())
        ),
    )
    max_allocated_storage_gb: int = Field(
        description="Storage autoscaling ceiling (GiB), >= allocated.",
        json_schema_extra=_allowed(f"allocatedStorageGb-{DB_MAX_STORAGE_GB}"),
    )
    multi_az: bool = Field(description="Standby in a second AZ.", json_schema_extra=_also("true in prod"))
    backup_retention_days: int = Field(
        ge=0,
        le=35,
        description="Automated backup retention (0-35 days).",
        json_schema_extra=_also("at least 7 in prod"),
    )
    database_name: str = Field(
        default="app",
        pattern=r"^[A-Za-z][A-Za-z0-9_]{0,62}$",
        description="Initial database.",
        json_schema_extra=_allowed("a letter, then up to 62 letters, digits or _"),
    )
    performance_insights: bool = Field(
        default=True,
        description="Performance Insights, encrypted with the data key.",
        json_schema_extra=_also(f"false for mysql on {', '.join(MYSQL_NO_PI_CLASSES)}"),
    )
    monitoring_interval_seconds: int = Field(
        default=60,
        description="Enhanced monitoring interval (0 disables).",
        json_schema_extra=_allowed(", ".join(map(str, ENHANCED_MONITORING_INTERVALS))),
    )
    backup_window: str = Field(
        default="03:00-04:00",
        description="Daily backup window (UTC, hh:mm-hh:mm).",
        json_schema_extra=_allowed("hh:mm-hh:mm in UTC, e.g. 03:00-04:00"),
    )
    maintenance_window: str = Field(
        default="sun:04:30-sun:05:30",
        description="Weekly maintenance window (UTC).",
        json_schema_extra=_allowed("ddd:hh:mm-ddd:hh:mm in UTC, e.g. sun:04:30-sun:05:30"),
    )

    @field_validator("instance_class")
    @classmethod
    def _class(cls, v: str) -> str:
        if not _DB_CLASS.match(v):
            raise _bad("is not an RDS instance class")
        return v

    @field_validator("monitoring_interval_seconds")
    @classmethod
    def _interval(cls, v: int) -> int:
        if v not in ENHANCED_MONITORING_INTERVALS:
            raise _bad("is not an enhanced monitoring interval")
        return v

    @field_validator("backup_window")
    @classmethod
    def _bwin(cls, v: str) -> str:
        if not _DAILY_WINDOW.match(v):
            raise _bad("is not a daily window")
        return v

    @field_validator("maintenance_window")
    @classmethod
    def _mwin(cls, v: str) -> str:
        if not _RDS_WINDOW.match(v):
            raise _bad("is not a weekly window")
        return v


class CacheConfig(CamelModel):
    """Redis: ElastiCache, in-cluster (EKS) or none."""

    provider: Literal["elasticache", "in-cluster", "none"] = Field(
        default="elasticache",
        description="`in-cluster` (Redis StatefulSet) needs compute.platform eks.",
        json_schema_extra=_also("in-cluster only with compute.platform eks"),
    )
    node_type: str = Field(
        default="cache.t4g.micro",
        description="ElastiCache node type.",
        json_schema_extra=_allowed("an ElastiCache node type cache.<family>.<size>, e.g. cache.t4g.micro"),
    )
    engine_version: str = Field(
        default="7.1",
        pattern=r"^\d+\.\d+$",
        description="Redis OSS engine version.",
        json_schema_extra=_allowed("major.minor, e.g. 7.1"),
    )
    num_cache_clusters: int = Field(
        default=1,
        ge=1,
        le=6,
        description="Primary + replicas; 2+ enables failover.",
        json_schema_extra=_also("at least 2 in prod with elasticache"),
    )
    snapshot_retention_days: int = Field(default=1, ge=0, le=35, description="Daily snapshots kept.")

    @field_validator("node_type")
    @classmethod
    def _node(cls, v: str) -> str:
        if not _CACHE_CLASS.match(v):
            raise _bad("is not an ElastiCache node type")
        return v


class ScheduleConfig(CamelModel):
    """Weekday business-hours floor; weekends stay at minTasks."""

    enabled: bool = Field(default=True, description="Scheduled scaling on weekdays.")
    weekday_scale_up_at: str = Field(
        default="07:30",
        description="Local time the business-hours floor starts.",
        json_schema_extra=_allowed("hh:mm (24 h), e.g. 07:30"),
    )
    weekday_scale_down_at: str = Field(
        default="19:30",
        description="Local time the floor returns to minTasks.",
        json_schema_extra=_allowed("hh:mm (24 h), e.g. 19:30"),
    )
    business_hours_min_tasks: int = Field(
        default=2,
        ge=0,
        description="Task floor during business hours.",
        json_schema_extra=_allowed("minTasks-maxTasks"),
    )

    @field_validator("weekday_scale_up_at", "weekday_scale_down_at")
    @classmethod
    def _hhmm(cls, v: str) -> str:
        if not _HHMM.match(v):
            raise _bad("is not a time of day")
        return v


class EcsConfig(CamelModel):
    """Fargate task size, scaling bounds and capacity-provider split."""

    cpu: int = Field(
        description="Task CPU units (1024 = 1 vCPU).",
        json_schema_extra=_allowed(", ".join(map(str, FARGATE_MEMORY_BY_CPU))),
    )
    memory: int = Field(
        description="Task memory (MiB), a valid Fargate pair with cpu.", json_schema_extra=_allowed(memory_table())
    )
    min_tasks: int = Field(ge=0, description="Autoscaling minimum.", json_schema_extra=_allowed("0-maxTasks"))
    max_tasks: int = Field(ge=1, description="Autoscaling maximum.")
    spot_weight: int = Field(
        ge=0,
        description="FARGATE_SPOT share of tasks beyond the base.",
        json_schema_extra=_also("spotWeight and onDemandWeight not both 0"),
    )
    on_demand_weight: int = Field(
        ge=0,
        description="FARGATE share of tasks beyond the base.",
        json_schema_extra=_also("spotWeight and onDemandWeight not both 0"),
    )
    on_demand_base: int = Field(
        ge=0, description="Tasks always on FARGATE (on-demand).", json_schema_extra=_allowed("0-maxTasks")
    )
    schedule: ScheduleConfig = Field(default_factory=ScheduleConfig, description="Scheduled scaling.")

    @field_validator("cpu")
    @classmethod
    def _cpu(cls, v: int) -> int:
        if v not in FARGATE_MEMORY_BY_CPU:
            raise _bad("is not a Fargate CPU size")
        return v


class RangeConfig(CamelModel):
    """An inclusive numeric range."""

    min: float = Field(gt=0, description="Lower bound.", json_schema_extra=_also("<= max"))
    max: float = Field(gt=0, description="Upper bound.")


class NodeGroupConfig(CamelModel):
    """An on-demand managed node group."""

    instance_types: list[str] = Field(
        min_length=1,
        description="On-demand instance types.",
        json_schema_extra=_allowed("one or more EC2 instance types, e.g. t3.medium"),
    )
    min_size: int = Field(ge=0, description="Minimum nodes.", json_schema_extra=_allowed("0-maxSize"))
    max_size: int = Field(ge=1, description="Maximum nodes.")
    desired_size: int = Field(
        ge=0,
        description="Initial nodes (then owned by the cluster autoscaler).",
        json_schema_extra=_allowed("minSize-maxSize"),
    )
    disk_size_gb: int = Field(default=50, ge=20, le=16384, description="gp3 root volume (GiB).")

    @field_validator("instance_types")
    @classmethod
    def _types(cls, v: list[str]) -> list[str]:
        bad = [t for t in v if not _EC2_TYPE.match(t)]
        if bad:
            raise _bad(f"has invalid instance type(s) {bad}")
        return v


class SpotNodeGroupConfig(CamelModel):
    """The spot node group; its instance types come from the spot optimizer."""

    min_size: int = Field(ge=0, description="Minimum nodes.", json_schema_extra=_allowed("0-maxSize"))
    max_size: int = Field(ge=1, description="Maximum nodes.")
    desired_size: int = Field(ge=0, description="Initial nodes.", json_schema_extra=_allowed("minSize-maxSize"))
    vcpus: RangeConfig = Field(description="vCPU range of candidate types.")
    memory_gib: RangeConfig = Field(description="Memory range (GiB) of candidate types.")
    architectures: list[Architecture] = Field(default_factory=lambda: ["x86_64"], min_length=1)
    max_interruption_bucket: int = Field(
        default=2,
        ge=0,
        le=4,
        description="Spot Advisor interruption bucket tolerated.",
        json_schema_extra=_also("Spot Advisor buckets: 0 <5 %, 1 5-10 %, 2 10-15 %, 3 15-20 %, 4 >20 %"),
    )
    type_count: int = Field(
        default=4, ge=1, le=20, description="Instance types to diversify over (3+ for placement scores)."
    )
    burstable: bool = Field(default=False, description="Allow burstable (t*) types.")
    excluded_families: list[str] = Field(default_factory=list, description="Families never chosen (e.g. t2).")
    savings_threshold_percent: float = Field(default=10.0, ge=0, description="Re-select only above this saving.")
    savings_threshold_usd_per_hour: float = Field(default=0.05, ge=0, description="...and above this $/h.")
    disk_size_gb: int = Field(default=50, ge=20, le=16384, description="gp3 root volume (GiB).")


class EksConfig(CamelModel):
    """The EKS cluster and its node groups."""

    version: str = Field(
        description="Kubernetes version in EKS standard support.", json_schema_extra=_allowed(", ".join(EKS_VERSIONS))
    )
    endpoint_public_access_cidrs: list[str] = Field(
        default_factory=list,
        description="CIDRs allowed to the public API endpoint; empty: private only.",
        json_schema_extra=_allowed("IPv4 CIDRs other than /0, e.g. 203.0.113.0/24"),
    )
    admin_role_arns: list[str] = Field(
        default_factory=list,
        description="IAM roles given cluster-admin access entries.",
        json_schema_extra=_allowed("IAM role ARNs, arn:aws:iam::<account>:role/<name>"),
    )
    api_client_security_group_ids: list[str] = Field(
        default_factory=list,
        description="Security groups (CI runners, bastions in the VPC) allowed to reach the private API endpoint.",
        json_schema_extra=_allowed("security group ids, sg- then 8 or 17 hex digits"),
    )
    read_only_role_arns: list[str] = Field(
        default_factory=list,
        description="IAM roles given read-only access entries (CI preview and drift roles).",
        json_schema_extra=_allowed("IAM role ARNs, arn:aws:iam::<account>:role/<name>"),
    )
    system_nodes: NodeGroupConfig = Field(description="On-demand node group for cluster services.")
    spot_nodes: SpotNodeGroupConfig = Field(description="Spot node group for non-critical workloads.")

    @field_validator("version")
    @classmethod
    def _version(cls, v: str) -> str:
        if v not in EKS_VERSIONS:
            raise _bad("is not a Kubernetes version in EKS standard support")
        return v

    @field_validator("endpoint_public_access_cidrs")
    @classmethod
    def _cidrs(cls, v: list[str]) -> list[str]:
        for c in v:
            _cidr(c)
            if c.endswith("/0"):
                raise _bad(f"contains {c}: the API endpoint must not be open to the whole internet")
        return v

    @field_validator("api_client_security_group_ids")
    @classmethod
    def _security_groups(cls, v: list[str]) -> list[str]:
        bad = [g for g in v if not re.fullmatch(r"sg-(?:[0-9a-f]{8}|[0-9a-f]{17})", g)]
        if bad:
            raise _bad(f"has invalid security group id(s) {bad}")
        if len(set(v)) != len(v):
            raise _bad("lists a security group twice")
        return v

    @field_validator("admin_role_arns", "read_only_role_arns")
    @classmethod
    def _roles(cls, v: list[str]) -> list[str]:
        bad = [a for a in v if not _ARN_IAM_ROLE.match(a)]
        if bad:
            raise _bad(f"has invalid IAM role ARN(s) {bad}")
        return v


class ComputeConfig(CamelModel):
    """Container platform and workload settings."""

    platform: Literal["ecs", "eks"] = Field(description="Container platform.")
    image_tag: str = Field(
        description="Image tag deployed from the ECR repositories (immutable tags).",
        json_schema_extra=_allowed("1-128 of A-Z a-z 0-9 _ . - (not starting with . or -), not latest; e.g. 1.4.2"),
    )
    timezone: str = Field(
        default="UTC",
        description="IANA time zone for scheduled scaling.",
        json_schema_extra=_allowed("an IANA time zone, e.g. UTC or Europe/Berlin"),
    )
    ecs: EcsConfig = Field(description="ECS Fargate settings (used when platform is ecs).")
    eks: EksConfig | None = Field(default=None, description="EKS settings (required when platform is eks).")

    @field_validator("image_tag")
    @classmethod
    def _tag(cls, v: str) -> str:
        if not _IMAGE_TAG.match(v) or v == "latest":
            raise _bad("is not a usable immutable image tag")
        return v

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            zoneinfo.ZoneInfo(v)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise _bad("is not an IANA time zone") from None
        return v


class EcrConfig(CamelModel):
    """Image repositories."""

    repositories: list[str] = Field(
        default_factory=lambda: ["frontend", "backend", "api-gateway", "sidecar"],
        min_length=1,
        description="One repository per service.",
        json_schema_extra=_allowed("one or more distinct names of lower-case letters, digits and . _ -"),
    )
    untagged_expiry_days: int = Field(default=7, ge=1, description="Untagged images expire after N days.")
    keep_release_count: int = Field(default=30, ge=1, description="Release tags (v*) kept.")
    scanning: Literal["basic", "enhanced"] = Field(default="basic", description="Scan on push, or Inspector.")

    @field_validator("repositories")
    @classmethod
    def _names(cls, v: list[str]) -> list[str]:
        bad = [n for n in v if not _ECR_NAME.match(n)]
        if bad:
            raise _bad(f"has invalid repository name(s) {bad}")
        if len(set(v)) != len(v):
            raise _bad("lists a repository twice")
        return v


class StorageConfig(CamelModel):
    """S3 buckets: log expiry, version expiry, replication."""

    log_expiry_days: int = Field(ge=1, description="Objects in the logs bucket expire after N days.")
    backups_expiry_days: int = Field(
        ge=1, description="Objects in the backups bucket (and its replica) expire after N days."
    )
    noncurrent_expiry_days: int = Field(default=90, ge=1, description="Noncurrent object versions expire.")
    replication_region: str | None = Field(
        default=None,
        description="Replicate the backups bucket here.",
        json_schema_extra=_allowed("an AWS region name other than aws:region"),
    )


class BackupConfig(CamelModel):
    """AWS Backup plan and vault."""

    retention_days: int = Field(default=30, ge=1, description="AWS Backup recovery point retention.")
    copy_region: str | None = Field(
        default=None,
        description="Copy recovery points to this region.",
        json_schema_extra=_allowed("an AWS region name other than aws:region"),
    )
    vault_lock: bool = Field(default=False, description="WORM vault lock (governance mode).")
    continuous: bool = Field(default=True, description="Continuous backup (PITR) for RDS and S3: RPO 1 h.")


class AlarmEmailsConfig(CamelModel):
    """Email subscribers per alarm severity."""

    critical: list[str] = Field(
        default_factory=list,
        description="Emails paged on critical alarms.",
        json_schema_extra=_allowed("email addresses"),
    )
    warning: list[str] = Field(default_factory=list, json_schema_extra=_allowed("email addresses"))
    info: list[str] = Field(default_factory=list, json_schema_extra=_allowed("email addresses"))

    @field_validator("critical", "warning", "info")
    @classmethod
    def _emails(cls, v: list[str]) -> list[str]:
        bad = [e for e in v if not _EMAIL.match(e)]
        if bad:
            raise _bad(f"has invalid email address(es) {bad}")
        return v


class MonitoringConfig(CamelModel):
    """Logs retention, alarm routing, budget."""

    log_retention_days: int = Field(
        description="CloudWatch log retention (days).",
        json_schema_extra=_allowed(", ".join(map(str, LOG_RETENTION_DAYS))),
    )
    alarm_emails: AlarmEmailsConfig = Field(default_factory=AlarmEmailsConfig, description="SNS email subscriptions.")
    monthly_budget_usd: float = Field(gt=0, description="AWS Budgets monthly amount (alerts at 80 % and 100 %).")
    anomaly_detection: bool = Field(default=True, description="Anomaly-detection alarms on requests and latency.")

    @field_validator("log_retention_days")
    @classmethod
    def _ret(cls, v: int) -> int:
        if v not in LOG_RETENTION_DAYS:
            raise _bad("is not a CloudWatch Logs retention period")
        return v


class SecurityConfig(CamelModel):
    """WAF and KMS settings."""

    waf_rate_limit: int = Field(default=2000, ge=10, le=2_000_000_000, description="Requests per 5 min per IP.")
    kms_deletion_window_days: int = Field(default=30, ge=7, le=30, description="KMS key deletion waiting period.")


# --- the whole stack ----------------------------------------------------------------------------


@dataclass(frozen=True)
class StackConfig:
    """The validated configuration of one stack."""

    project: str
    stack: str
    region: str
    environment: Environment
    protect: bool
    tags: TagsConfig
    network: NetworkConfig
    domain: DomainConfig
    database: DatabaseConfig
    cache: CacheConfig
    compute: ComputeConfig
    ecr: EcrConfig
    storage: StorageConfig
    backup: BackupConfig
    monitoring: MonitoringConfig
    security: SecurityConfig

    @property
    def naming(self) -> Naming:
        """Physical names shared by the components (see `naming.py`)."""
        return Naming(project=self.project, environment=self.environment, region=self.region)

    def resource_tags(self) -> dict[str, str]:
        """Tags every resource carries (via the provider's default tags)."""
        return {
            "Project": self.project,
            "Environment": self.environment,
            "Owner": self.tags.owner,
            "CostCenter": self.tags.cost_center,
            "ManagedBy": "pulumi",
            **self.tags.extra,
        }


# Top-level keys: name -> (model or scalar kind, required).
_SECTIONS: dict[str, tuple[type[CamelModel], bool]] = {
    "tags": (TagsConfig, True),
    "network": (NetworkConfig, True),
    "domain": (DomainConfig, True),
    "database": (DatabaseConfig, True),
    "cache": (CacheConfig, False),
    "compute": (ComputeConfig, True),
    "ecr": (EcrConfig, False),
    "storage": (StorageConfig, True),
    "backup": (BackupConfig, False),
    "monitoring": (MonitoringConfig, True),
    "security": (SecurityConfig, False),
}
_SCALARS = ("environment", "protect")
TOP_LEVEL_KEYS = (*_SCALARS, *_SECTIONS)


@dataclass(frozen=True)
class ConfigProblem:
    key: str
    value: Any
    message: str

    def __str__(self) -> str:
        shown = "" if self.value is _MISSING else f" {json.dumps(self.value, default=str)}"
        return f"{self.key}:{shown} {self.message}"


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()
"""Stands for a value the user did not give (shown as nothing, not as null)."""
_MISSING = MISSING


class ConfigError(pulumi.RunError):
    """All problems with a stack's configuration, as one user-facing message."""

    def __init__(self, problems: list[ConfigProblem], stack: str = "") -> None:
        self.problems = problems
        where = f" of stack '{stack}'" if stack else ""
        lines = [f"Invalid configuration{where} ({len(problems)} problem{'s' if len(problems) != 1 else ''}):"]
        lines += [f"  - {p}" for p in problems]
        super().__init__("\n".join(lines))


# --- parsing -----------------------------------------------------------------------------------


def _aliases(model: type[BaseModel]) -> dict[str, str]:
    return {(f.alias or name): name for name, f in model.model_fields.items()}


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """Follow a pydantic error location through nested models (skipping list indexes)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        name = _aliases(current).get(str(part))
        if name is None:
            return None
        annotation = current.model_fields[name].annotation
        current = _unwrap_model(annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _unwrap_model(arg)
        if found is not None:
            return found
    return None


def _path(prefix: str, loc: tuple[Any, ...]) -> str:
    out = prefix
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _unknown_key(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return f"is not a known key{hint} allowed keys: {', '.join(choices)}"


def _field_at(model: type[BaseModel], loc: tuple[Any, ...]) -> FieldInfo | None:
    """The field a pydantic error location names (list indexes after it skipped)."""
    names = list(loc)
    while names and isinstance(names[-1], int):
        names.pop()
    if not names:
        return None
    parent = _model_at(model, tuple(names[:-1]))
    name = _aliases(parent).get(str(names[-1])) if parent is not None else None
    return parent.model_fields[name] if parent is not None and name else None


def _expects(field: FieldInfo | None) -> str:
    """What to give for `field`: its allowed text, else its shape."""
    if field is None:
        return ""
    text = allowed_text(field)
    if text:
        return text
    nested = _unwrap_model(field.annotation)
    if nested is not None:
        return f"an object with keys {_keys_of(nested)}"
    annotation = field.annotation
    if get_origin(annotation) in (typing.Union, types.UnionType):
        annotation = next((a for a in get_args(annotation) if a is not type(None)), annotation)
    if get_origin(annotation) is list:
        return "a list"
    if get_origin(annotation) is dict:
        return "an object of strings"
    return {int: "a whole number", float: "a number", bool: "true or false", str: "a non-empty string"}.get(
        annotation, ""
    )


def _with_allowed(message: str, allowed: str) -> str:
    return f"{message}; allowed: {allowed}" if allowed and "allowed:" not in message else message


def _problem_from_pydantic(prefix: str, model: type[BaseModel], err: Any) -> ConfigProblem:
    """One pydantic error as a problem naming the full key, the bad value and what is allowed."""
    loc = tuple(err["loc"])
    key = _path(prefix, loc)
    kind = err["type"]
    value = err.get("input", _MISSING)
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        parent = _model_at(model, loc[:-1])
        # The key is the bad input; its value is not shown (a mistyped `password` must not reach logs).
        return ConfigProblem(key, _MISSING, _unknown_key(str(loc[-1]), list(_aliases(parent)) if parent else []))
    field = _field_at(model, loc)
    if kind == "missing":
        # The field's description says what it is when its allowed text is only a shape.
        desc = (field.description or "") if field is not None and not allowed_text(field) else ""
        message = _with_allowed("is required but missing", _expects(field))
        return ConfigProblem(key, _MISSING, message + (f" ({desc.rstrip('.')})" if desc else ""))
    bounds = {"greater_than_equal": ">=", "greater_than": ">", "less_than_equal": "<=", "less_than": "<"}
    if kind == "literal_error":
        message = "is not allowed"
        allowed = str(ctx.get("expected", ""))
    elif kind == "platform":
        message = str(ctx.get("reason", err["msg"]))
        allowed = ""
    elif kind in bounds:
        message = "is out of range"
        allowed = f"{bounds[kind]} {_number(next(iter(ctx.values())))}"
    else:
        message = {
            "int_parsing": "must be a whole number",
            "int_type": "must be a whole number",
            "int_from_float": "must be a whole number",
            "bool_parsing": "must be true or false",
            "bool_type": "must be true or false",
            "float_parsing": "must be a number",
            "float_type": "must be a number",
            "string_type": "must be a string",
            "list_type": "must be a list",
            "model_type": "must be an object with camelCase keys",
            "dict_type": "must be an object with camelCase keys",
            "model_attributes_type": "must be an object with camelCase keys",
            "too_short": "is too short",
            "string_too_short": "is too short",
            "too_long": "is too long",
            "string_too_long": "is too long",
            "string_pattern_mismatch": "is not allowed",
        }.get(kind, str(err["msg"]))
        allowed = ""
    if field is not None:
        allowed = _expects(field) or allowed
    return ConfigProblem(key, value, _with_allowed(message, allowed))


def _decode(raw: Any) -> Any:
    """Config values arrive as strings; structured ones as JSON text."""
    if isinstance(raw, str):
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return raw


def parse_config(raw: Mapping[str, Any], *, project: str = "platform", stack: str = "") -> StackConfig:
    """Validate raw config (keys `platform:<key>` and `aws:region`) into a `StackConfig`.

    Every problem is collected; a `ConfigError` lists them all.
    """
    problems: list[ConfigProblem] = []
    ns = f"{NAMESPACE}:"
    ours = {k[len(ns) :]: v for k, v in raw.items() if k.startswith(ns)}

    for key in ours:
        if key not in TOP_LEVEL_KEYS:
            problems.append(ConfigProblem(f"{ns}{key}", _MISSING, _unknown_key(key, list(TOP_LEVEL_KEYS))))

    region = raw.get("aws:region")
    if region is None:
        problems.append(ConfigProblem("aws:region", _MISSING, f"is required but missing; allowed: {_ALLOWED_REGION}"))
    elif not _REGION.match(str(region)):
        problems.append(ConfigProblem("aws:region", region, f"is not an AWS region name; allowed: {_ALLOWED_REGION}"))

    environment = ours.get("environment")
    if environment is None:
        problems.append(
            ConfigProblem(f"{ns}environment", _MISSING, "is required but missing; allowed: dev, staging, prod")
        )
    elif environment not in ("dev", "staging", "prod"):
        problems.append(ConfigProblem(f"{ns}environment", environment, "is not allowed; allowed: dev, staging, prod"))

    protect_raw = _decode(ours.get("protect", "false"))
    if not isinstance(protect_raw, bool):
        problems.append(ConfigProblem(f"{ns}protect", protect_raw, "must be true or false; allowed: true, false"))
        protect_raw = False

    sections: dict[str, Any] = {}
    views: dict[str, _View] = {}
    for key, (model, required) in _SECTIONS.items():
        value = _decode(ours[key]) if key in ours else None
        if value is None:
            if required:
                problems.append(
                    ConfigProblem(
                        f"{ns}{key}",
                        _MISSING,
                        f"is required but missing; allowed: an object with keys {_keys_of(model)} "
                        f"({(model.__doc__ or '').strip().rstrip('.')})",
                    )
                )
                continue
            value = {}
        if not isinstance(value, dict):
            problems.append(
                ConfigProblem(f"{ns}{key}", value, f"must be an object; allowed: an object with keys {_keys_of(model)}")
            )
            continue
        bad: set[tuple[Any, ...]] = set()
        try:
            sections[key] = model.model_validate(value)
        except ValidationError as exc:
            for e in exc.errors():
                problems.append(_problem_from_pydantic(f"{ns}{key}", model, e))
                bad.add(tuple(e["loc"]))
        views[key] = _View(model, value, bad)

    problems.extend(_cross_checks(views, environment, bool(protect_raw), str(region or "")))

    if problems:
        raise ConfigError(problems, stack)
    return StackConfig(
        project=project,
        stack=stack,
        region=str(region),
        environment=environment,  # type: ignore[arg-type]  # checked above
        protect=bool(protect_raw),
        **sections,
    )


class _View:
    """Typed access to a section's raw values that passed field validation (defaults filled in).

    Cross-field rules read through it so they still run, and report, when another field of the
    same section is broken: one pass shows the user every problem.
    """

    def __init__(self, model: type[BaseModel], raw: dict[str, Any], bad: set[tuple[Any, ...]]) -> None:
        self._model = model
        self._raw = raw
        self._bad = bad

    def get(self, path: str, kind: type | tuple[type, ...]) -> Any:
        loc = tuple(path.split("."))
        if any(b[: len(loc)] == loc or loc[: len(b)] == b for b in self._bad):
            return None
        value: Any = self._raw
        model: Any = self._model
        for part in loc:
            value = value[part] if isinstance(value, dict) and part in value else _default_of(model, part)
            model = _model_at(model, (part,)) if isinstance(model, type) else None
        if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
            return None
        return value if isinstance(value, kind) else None

    def present(self, path: str) -> bool:
        """The user gave a (non-null) value at `path`."""
        value: Any = self._raw
        for part in path.split("."):
            if not isinstance(value, dict) or value.get(part) is None:
                return False
            value = value[part]
        return True


def _default_of(model: Any, alias: str) -> Any:
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return None
    name = _aliases(model).get(alias)
    if name is None:
        return None
    field = model.model_fields[name]
    if field.default_factory is not None:
        return field.default_factory()  # type: ignore[call-arg]
    default = field.get_default()
    if isinstance(default, BaseModel):
        return default.model_dump(by_alias=True)
    return None if default is PydanticUndefined else default


_NUM = (int, float)


def _cross_checks(v: dict[str, _View], environment: Any, protect: bool, region: str) -> list[ConfigProblem]:
    """Rules that span fields or sections; each runs on the values that passed field validation."""
    ns = f"{NAMESPACE}:"
    out: list[ConfigProblem] = []

    def add(key: str, value: Any, message: str) -> None:
        out.append(ConfigProblem(f"{ns}{key}", value, message))

    def known(*values: Any) -> bool:
        return all(x is not None for x in values)

    if environment == "prod" and not protect:
        add(
            "protect",
            protect,
            "must be true when platform:environment is prod (stateful resources are protected); allowed: true",
        )

    if "network" in v:
        net = v["network"]
        cidr, az_count = net.get("cidr", str), net.get("azCount", int)
        if known(cidr, az_count):
            tiers = {t: net.get(key, list) for t, key in TIER_KEYS.items()}
            broken = any(tiers[t] is None and net.present(key) for t, key in TIER_KEYS.items())
            try:
                carved = carve_subnets(cidr, az_count) if any(x is None for x in tiers.values()) else {}
            except PlanError as exc:
                add(f"network.{exc.key}", exc.value, exc.message)
            else:
                if not broken:
                    full = {t: (x if x is not None else carved[t]) for t, x in tiers.items()}
                    for p in check_subnets(cidr, az_count, full):
                        add(f"network.{p.key}", p.value, p.message)

    if "database" in v:
        db = v["database"]
        engine, version = db.get("engine", str), db.get("engineVersion", str)
        allocated, ceiling = db.get("allocatedStorageGb", int), db.get("maxAllocatedStorageGb", int)
        if engine in DB_ENGINE_VERSIONS and version is not None:
            majors = DB_ENGINE_VERSIONS[engine]
            if not any(version == m or version.startswith(m + ".") for m in majors):
                add(
                    "database.engineVersion",
                    version,
                    f"is not a supported {engine} version; allowed: {', '.join(majors)}, optionally with a minor "
                    f"(e.g. {majors[-1]}.1)",
                )
        if engine in DB_MIN_STORAGE_GB and allocated is not None:
            minimum = DB_MIN_STORAGE_GB[engine]
            if not minimum <= allocated <= DB_MAX_STORAGE_GB:
                add(
                    "database.allocatedStorageGb",
                    allocated,
                    (
                        f"is below the {engine} minimum of {minimum} GiB"
                        if allocated < minimum
                        else f"is above the RDS maximum of {DB_MAX_STORAGE_GB} GiB"
                    )
                    + f"; allowed: {minimum}-{DB_MAX_STORAGE_GB}",
                )
        if known(allocated, ceiling) and not allocated <= ceiling <= DB_MAX_STORAGE_GB:
            add(
                "database.maxAllocatedStorageGb",
                ceiling,
                f"must be between allocatedStorageGb ({allocated}) and {DB_MAX_STORAGE_GB}; "
                f"allowed: {allocated}-{DB_MAX_STORAGE_GB}",
            )
        if (
            engine == "mysql"
            and db.get("performanceInsights", bool)
            and db.get("instanceClass", str) in MYSQL_NO_PI_CLASSES
        ):
            add(
                "database.performanceInsights",
                True,
                f"is not available for mysql on {db.get('instanceClass', str)}; allowed: false, "
                "or true with a larger class",
            )
        if environment == "prod" and db.get("multiAz", bool) is False:
            add("database.multiAz", False, "must be true in prod (RTO 4 h needs a standby); allowed: true")
        retention = db.get("backupRetentionDays", int)
        if environment == "prod" and retention is not None and retention < 7:
            add("database.backupRetentionDays", retention, "must be at least 7 in prod; allowed: 7-35")

    platform = None
    if "compute" in v:
        c = v["compute"]
        platform = c.get("platform", str)
        cpu, memory = c.get("ecs.cpu", int), c.get("ecs.memory", int)
        if known(cpu, memory) and cpu in FARGATE_MEMORY_BY_CPU and not valid_fargate_pair(cpu, memory):
            add(
                "compute.ecs.memory",
                memory,
                f"is not a Fargate memory size for cpu {cpu}; allowed with cpu {cpu}: {memory_choices(cpu)}",
            )
        lo, hi = c.get("ecs.minTasks", int), c.get("ecs.maxTasks", int)
        if known(lo, hi) and lo > hi:
            add("compute.ecs.minTasks", lo, f"must be <= maxTasks ({hi}); allowed: 0-{hi}")
        if c.get("ecs.spotWeight", int) == 0 and c.get("ecs.onDemandWeight", int) == 0:
            add(
                "compute.ecs.spotWeight",
                0,
                "and onDemandWeight cannot both be 0; allowed: a positive spotWeight or onDemandWeight",
            )
        base = c.get("ecs.onDemandBase", int)
        if known(base, hi) and base > hi:
            add("compute.ecs.onDemandBase", base, f"must be <= maxTasks ({hi}); allowed: 0-{hi}")
        floor = c.get("ecs.schedule.businessHoursMinTasks", int)
        if c.get("ecs.schedule.enabled", bool) and known(floor, lo, hi) and lo <= hi and not lo <= floor <= hi:
            add(
                "compute.ecs.schedule.businessHoursMinTasks",
                floor,
                f"must be between minTasks ({lo}) and maxTasks ({hi}); allowed: {lo}-{hi}",
            )
        if platform == "eks" and not c.present("eks"):
            add(
                "compute.eks",
                _MISSING,
                f"is required when compute.platform is eks; allowed: an object with keys {_keys_of(EksConfig)}",
            )
        for group in ("systemNodes", "spotNodes"):
            gmin, gmax, gdes = (c.get(f"eks.{group}.{k}", int) for k in ("minSize", "maxSize", "desiredSize"))
            if known(gmin, gmax) and gmin > gmax:
                add(f"compute.eks.{group}.minSize", gmin, f"must be <= maxSize ({gmax}); allowed: 0-{gmax}")
            elif known(gmin, gmax, gdes) and not gmin <= gdes <= gmax:
                add(
                    f"compute.eks.{group}.desiredSize",
                    gdes,
                    f"must be between minSize ({gmin}) and maxSize ({gmax}); allowed: {gmin}-{gmax}",
                )
        for rng in ("vcpus", "memoryGib"):
            rmin, rmax = c.get(f"eks.spotNodes.{rng}.min", _NUM), c.get(f"eks.spotNodes.{rng}.max", _NUM)
            if known(rmin, rmax) and rmin > rmax:
                add(f"compute.eks.spotNodes.{rng}.min", rmin, f"must be <= max ({rmax}); allowed: > 0 and <= {rmax}")

    if "cache" in v:
        cache = v["cache"]
        provider = cache.get("provider", str)
        if provider == "in-cluster" and platform is not None and platform != "eks":
            add("cache.provider", provider, "needs compute.platform eks; allowed with ecs: elasticache, none")
        clusters = cache.get("numCacheClusters", int)
        if environment == "prod" and provider == "elasticache" and clusters is not None and clusters < 2:
            add(
                "cache.numCacheClusters",
                clusters,
                "must be at least 2 in prod (Multi-AZ automatic failover); allowed: 2-6",
            )

    if "domain" in v and not v["domain"]._bad:
        dom = v["domain"]
        if dom.get("hostedZoneId", str) is None and dom.get("certificateArn", str) is None:
            add(
                "domain.hostedZoneId",
                _MISSING,
                "is required when certificateArn is not given (ACM DNS validation); "
                "allowed: a Route 53 hosted zone id, e.g. Z0123456789ABCDEFGHIJ",
            )

    for key, view, field in (
        ("storage", v.get("storage"), "replicationRegion"),
        ("backup", v.get("backup"), "copyRegion"),
    ):
        other = view.get(field, str) if view is not None else None
        if other is not None and (not _REGION.match(other) or other == region):
            add(
                f"{key}.{field}",
                other,
                f"must be another region than aws:region; allowed: an AWS region name other than {region}",
            )
    return out


def read_raw_config() -> dict[str, Any]:
    """All config values visible to the program (engine environment, then values set in-process)."""
    from pulumi.runtime import config as runtime_config

    return {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}


def load_config() -> StackConfig:
    """Read and validate the current stack's configuration (raises `ConfigError`)."""
    return parse_config(read_raw_config(), project=pulumi.get_project(), stack=pulumi.get_stack())
