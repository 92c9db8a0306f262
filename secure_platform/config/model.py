"""The typed model of a stack's configuration (namespace `platform`, camelCase keys): one
pydantic model per section, each field's own limits; rules across fields live in `rules.py`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import Field, StrictBool, field_validator

from secure_platform.config import aws_data
from secure_platform.config.compute_model import ComputeConfig
from secure_platform.config.limits import (
    ALLOWED_SUBNETS,
    ALLOWED_VPC_CIDR,
    ARN_ACM_RE,
    CACHE_CLASS_RE,
    CACHE_ENGINE_VERSIONS,
    DAILY_WINDOW_RE,
    DB_CLASS_RE,
    DB_ENGINE_VERSIONS,
    DB_MAX_STORAGE_GB,
    DB_MIN_STORAGE_GB,
    DOMAIN_RE,
    ECR_NAME_RE,
    EMAIL_RE,
    ENHANCED_MONITORING_INTERVALS,
    LOG_RETENTION_DAYS,
    MAX_EXTRA_TAGS,
    MAX_PREFIX,
    MIN_PREFIX,
    MYSQL_NO_PI_CLASSES,
    RDS_WINDOW_RE,
    TAG_CHARACTERS,
    TAG_KEY_MAX,
    TAG_VALUE_MAX,
    WINDOW_MIN_MINUTES,
    ZONE_ID_RE,
    Environment,
    InterfaceEndpoint,
    minimums_text,
    tag_text_problem,
)
from secure_platform.config.schema import (
    SECURITY_GROUP_IDS,
    CamelModel,
    allows,
    also,
    check_cidr,
    check_security_groups,
    reject,
    vpc_range_problem,
    window_minutes,
)
from secure_platform.core.naming import Naming
from secure_platform.networking.plan import carve_subnets, parse_network

# --- sections -----------------------------------------------------------------------------------


STACK_TAG_KEYS = ("Project", "Environment", "Owner", "CostCenter", "ManagedBy")
"""Tags the stack sets itself (`StackConfig.resource_tags`)."""


MAX_TAG_FINDINGS = 5
"""Refused tags a message names; the user fixes those and sees the next ones."""


class TagsConfig(CamelModel):
    """Ownership tags; Project and Environment are added from the stack."""

    owner: str = Field(
        min_length=1,
        description="Team that owns the stack (tag `Owner`).",
        json_schema_extra=allows(f"1-{TAG_VALUE_MAX} of {TAG_CHARACTERS}"),
    )
    cost_center: str = Field(
        min_length=1,
        description="Cost center billed (tag `CostCenter`).",
        json_schema_extra=allows(f"1-{TAG_VALUE_MAX} of {TAG_CHARACTERS}"),
    )
    extra: dict[str, str] = Field(
        default_factory=dict,
        description="More tags applied to every resource.",
        json_schema_extra=allows(
            f"up to {MAX_EXTRA_TAGS} tags; keys 1-{TAG_KEY_MAX} characters, not starting with aws:, other than "
            f"{', '.join(STACK_TAG_KEYS)}; "
            f"values up to {TAG_VALUE_MAX} characters; {TAG_CHARACTERS}"
        ),
    )

    @field_validator("owner", "cost_center")
    @classmethod
    def _tag_value(cls, v: str) -> str:
        problem = tag_text_problem(v, key=False)
        if problem:
            reason, values = problem
            raise reject(f"{reason}: AWS refuses it as a tag value", **values)
        return v

    @field_validator("extra")
    @classmethod
    def _aws_tag_limits(cls, v: dict[str, str]) -> dict[str, str]:
        if len(v) > MAX_EXTRA_TAGS:
            raise reject(f"has {len(v)} tags; AWS allows 50 per resource and the stack adds its own")
        # Each finding names the tag and whether its key or its value is refused; the value itself
        # is never shown, only the characters AWS refuses.
        found: list[str] = []
        values: dict[str, str] = {}
        for k, val in v.items():
            for part, problem in (
                ("the key", tag_text_problem(k, key=True)),
                ("the value of", tag_text_problem(val, key=False)),
            ):
                if problem and len(found) < MAX_TAG_FINDINGS:
                    n = len(found)
                    reason = problem[0].replace("{characters}", f"{{characters{n}}}")
                    found.append(f"{part} {{tag{n}}} {reason}")
                    values[f"tag{n}"] = k
                    values.update({f"{name}{n}": text for name, text in problem[1].items()})
        if found:
            raise reject("has tags AWS refuses: " + "; ".join(found), **values)
        clash = sorted(k for k in v if k.lower() in {r.lower() for r in STACK_TAG_KEYS})
        if clash:
            raise reject("redefines the stack's own tag(s) {clash}; set owner/costCenter instead", clash=clash)
        return v


class NetworkConfig(CamelModel):
    """VPC layout: CIDRs per tier, AZs, NAT strategy, endpoints."""

    cidr: str = Field(description="VPC IPv4 CIDR.", json_schema_extra=allows(ALLOWED_VPC_CIDR))
    az_count: int = Field(ge=2, le=6, description="Availability zones used (RDS subnet groups need 2+).")
    nat_gateways: Literal["none", "single", "perAz"] = Field(
        description="`perAz` keeps egress in each AZ, `single` is cheapest, `none` has no egress."
    )
    public_subnet_cidrs: list[str] | None = Field(
        default=None,
        description="One per AZ; omitted: carved from `cidr`.",
        json_schema_extra=allows(ALLOWED_SUBNETS),
    )
    private_subnet_cidrs: list[str] | None = Field(
        default=None,
        description="One per AZ; omitted: carved from `cidr`.",
        json_schema_extra=allows(ALLOWED_SUBNETS),
    )
    database_subnet_cidrs: list[str] | None = Field(
        default=None,
        description="One per AZ; omitted: carved from `cidr`.",
        json_schema_extra=allows(ALLOWED_SUBNETS),
    )
    interface_endpoints: list[InterfaceEndpoint] = Field(
        default_factory=list, description="Interface VPC endpoints (each costs per AZ-hour)."
    )
    runner_security_group_ids: list[str] = Field(
        default_factory=list,
        description="Security groups of the deploy runners (CI) that reach private APIs in the VPC: the EKS "
        "API endpoint and the interface endpoints.",
        json_schema_extra=allows(SECURITY_GROUP_IDS),
    )

    @field_validator("interface_endpoints")
    @classmethod
    def _endpoints(cls, v: list[str]) -> list[str]:
        if len(set(v)) != len(v):
            raise reject("lists an endpoint twice")
        return v

    @field_validator("runner_security_group_ids")
    @classmethod
    def _security_groups(cls, v: list[str]) -> list[str]:
        return check_security_groups(v)

    @field_validator("cidr")
    @classmethod
    def _vpc_cidr(cls, v: str) -> str:
        check_cidr(v)
        problem = vpc_range_problem(v)
        if problem:
            raise reject(problem)
        prefix = parse_network(v).prefixlen
        if not MIN_PREFIX <= prefix <= MAX_PREFIX:
            raise reject(f"has prefix /{prefix}; AWS VPCs are /{MIN_PREFIX} to /{MAX_PREFIX}")
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
        json_schema_extra=allows("a lower-case DNS name, e.g. app.example.com"),
    )
    hosted_zone_id: str | None = Field(
        default=None,
        description="Route 53 zone for ACM DNS validation.",
        json_schema_extra=allows(
            "a Route 53 hosted zone id, e.g. Z0123456789ABCDEFGHIJ; required unless certificateArn is given"
        ),
    )
    certificate_arn: str | None = Field(
        default=None,
        description="Existing ACM certificate; skips issuing one.",
        json_schema_extra=allows("an ACM certificate ARN, arn:aws:acm:<region>:<account>:certificate/<uuid>"),
    )

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not DOMAIN_RE.match(v):
            raise reject("is not a valid lower-case DNS name")
        return v

    @field_validator("hosted_zone_id")
    @classmethod
    def _zone(cls, v: str | None) -> str | None:
        if v is not None and not ZONE_ID_RE.match(v):
            raise reject("is not a Route 53 hosted zone id")
        return v

    @field_validator("certificate_arn")
    @classmethod
    def _cert(cls, v: str | None) -> str | None:
        if v is not None and not ARN_ACM_RE.match(v):
            raise reject("is not an ACM certificate ARN")
        return v


class DatabaseConfig(CamelModel):
    """The RDS instance."""

    engine: Literal["postgres", "mysql"] = Field(description="RDS engine.")
    engine_version: str = Field(
        description="Major version; minor upgrades are automatic (e.g. 15, 8.0).",
        json_schema_extra=allows(
            "a major version, optionally with its minor: "
            + "; ".join(f"{engine} {', '.join(majors)}" for engine, majors in DB_ENGINE_VERSIONS.items())
        ),
    )
    instance_class: str = Field(
        description="RDS instance class (e.g. db.t3.micro).",
        json_schema_extra=allows("an RDS instance class db.<family>.<size>, e.g. db.t3.micro or db.r6g.large"),
    )
    allocated_storage_gb: int = Field(
        description="Initial gp3 storage (GiB).",
        json_schema_extra=allows(
            "; ".join(f"{engine} {low}-{DB_MAX_STORAGE_GB}" for engine, low in DB_MIN_STORAGE_GB.items())
        ),
    )
    max_allocated_storage_gb: int = Field(
        description="Storage autoscaling ceiling (GiB), >= allocated.",
        json_schema_extra=allows(f"allocatedStorageGb-{DB_MAX_STORAGE_GB}"),
    )
    multi_az: StrictBool = Field(description="Standby in a second AZ.", json_schema_extra=also("true in prod"))
    backup_retention_days: int = Field(
        ge=0,
        le=35,
        description="Automated backup retention (0-35 days).",
        json_schema_extra=also(minimums_text("database.backupRetentionDays")),
    )
    database_name: str = Field(
        default="app",
        pattern=r"^[A-Za-z][A-Za-z0-9_]{0,62}$",
        description="Initial database.",
        json_schema_extra=allows("a letter, then up to 62 letters, digits or _"),
    )
    performance_insights: StrictBool = Field(
        default=True,
        description="Performance Insights, encrypted with the data key.",
        json_schema_extra=also(f"false for mysql on {', '.join(MYSQL_NO_PI_CLASSES)}"),
    )
    monitoring_interval_seconds: int = Field(
        default=60,
        description="Enhanced monitoring interval (0 disables).",
        json_schema_extra=allows(", ".join(map(str, ENHANCED_MONITORING_INTERVALS))),
    )
    backup_window: str = Field(
        default="03:00-04:00",
        description="Daily backup window (UTC, hh:mm-hh:mm).",
        json_schema_extra=allows(
            f"hh:mm-hh:mm in UTC, e.g. 03:00-04:00, at least {WINDOW_MIN_MINUTES} minutes, not overlapping "
            "maintenanceWindow"
        ),
    )
    maintenance_window: str = Field(
        default="sun:04:30-sun:05:30",
        description="Weekly maintenance window (UTC).",
        json_schema_extra=allows(
            f"ddd:hh:mm-ddd:hh:mm in UTC (ddd: mon-sun), e.g. sun:04:30-sun:05:30, at least {WINDOW_MIN_MINUTES} "
            "minutes"
        ),
    )

    @field_validator("instance_class")
    @classmethod
    def _class(cls, v: str) -> str:
        if not DB_CLASS_RE.match(v):
            raise reject("is not an RDS instance class")
        problem = aws_data.unknown_service_class(v, "db")
        if problem:
            raise reject(f"is not an RDS instance class: it {problem}")
        return v

    @field_validator("monitoring_interval_seconds")
    @classmethod
    def _interval(cls, v: int) -> int:
        if v not in ENHANCED_MONITORING_INTERVALS:
            raise reject("is not an enhanced monitoring interval")
        return v

    @field_validator("backup_window")
    @classmethod
    def _bwin(cls, v: str) -> str:
        if not DAILY_WINDOW_RE.match(v):
            raise reject("is not a daily window")
        if window_minutes(v)[1] - window_minutes(v)[0] < WINDOW_MIN_MINUTES:
            raise reject(f"is shorter than the {WINDOW_MIN_MINUTES} minutes RDS requires")
        return v

    @field_validator("maintenance_window")
    @classmethod
    def _mwin(cls, v: str) -> str:
        if not RDS_WINDOW_RE.match(v):
            raise reject("is not a weekly window")
        start, end = window_minutes(v)
        if end - start < WINDOW_MIN_MINUTES:
            raise reject(f"is shorter than the {WINDOW_MIN_MINUTES} minutes RDS requires")
        return v


class CacheConfig(CamelModel):
    """Redis: ElastiCache, in-cluster (EKS) or none."""

    provider: Literal["elasticache", "in-cluster", "none"] = Field(
        default="elasticache",
        description="`in-cluster` (Redis StatefulSet) needs compute.platform eks.",
        json_schema_extra=also("in-cluster only with compute.platform eks"),
    )
    node_type: str = Field(
        default="cache.t4g.micro",
        description="ElastiCache node type.",
        json_schema_extra=allows("an ElastiCache node type cache.<family>.<size>, e.g. cache.t4g.micro"),
    )
    engine_version: str = Field(
        default="7.1",
        description="Redis OSS engine version.",
        json_schema_extra=allows(", ".join(CACHE_ENGINE_VERSIONS)),
    )
    num_cache_clusters: int = Field(
        default=1,
        ge=1,
        le=6,
        description="Primary + replicas; 2+ enables failover.",
        json_schema_extra=also("at least 2 in prod with elasticache"),
    )
    snapshot_retention_days: int = Field(
        default=1,
        ge=0,
        le=35,
        description="Daily snapshots kept.",
        json_schema_extra=also(minimums_text("cache.snapshotRetentionDays") + " with elasticache"),
    )

    @field_validator("engine_version")
    @classmethod
    def _engine(cls, v: str) -> str:
        if v not in CACHE_ENGINE_VERSIONS:
            raise reject("is not a Redis OSS version ElastiCache supports")
        return v

    @field_validator("node_type")
    @classmethod
    def _node(cls, v: str) -> str:
        if not CACHE_CLASS_RE.match(v):
            raise reject("is not an ElastiCache node type")
        problem = aws_data.unknown_service_class(v, "cache")
        if problem:
            raise reject(f"is not an ElastiCache node type: it {problem}")
        return v


class EcrConfig(CamelModel):
    """Image repositories."""

    repositories: list[str] = Field(
        default_factory=lambda: ["frontend", "backend", "api-gateway", "sidecar"],
        min_length=1,
        description="One repository per service.",
        json_schema_extra=allows("one or more distinct names of 2-200 lower-case letters, digits and . _ -"),
    )
    untagged_expiry_days: int = Field(default=7, ge=1, description="Untagged images expire after N days.")
    keep_release_count: int = Field(default=30, ge=1, description="Release tags (v*) kept.")
    scanning: Literal["basic", "enhanced"] = Field(default="basic", description="Scan on push, or Inspector.")

    @field_validator("repositories")
    @classmethod
    def _names(cls, v: list[str]) -> list[str]:
        # ECR repository names are 2-256 characters including the `<project>/<environment>/` path:
        # https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html
        bad = [n for n in v if not ECR_NAME_RE.match(n) or not 2 <= len(n) <= 200]
        if bad:
            raise reject("has invalid repository name(s) {bad}", bad=bad)
        if len(set(v)) != len(v):
            raise reject("lists a repository twice")
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
        description="Replicate the state, log-archive, assets and backups buckets here.",
        json_schema_extra=allows("an AWS region name other than aws:region; required in prod"),
    )


class BackupConfig(CamelModel):
    """AWS Backup plan and vault."""

    retention_days: int = Field(
        default=30,
        ge=1,
        description="AWS Backup recovery point retention.",
        json_schema_extra=also(minimums_text("backup.retentionDays")),
    )
    copy_region: str | None = Field(
        default=None,
        description="Copy recovery points to this region.",
        json_schema_extra=allows("an AWS region name other than aws:region; required in prod"),
    )
    vault_lock: StrictBool = Field(
        default=False, description="WORM vault lock (governance mode).", json_schema_extra=also("true in prod")
    )
    continuous: StrictBool = Field(
        default=True,
        description="Continuous backup (PITR) for RDS and S3: RPO 1 h.",
        json_schema_extra=also("true in prod"),
    )


class AlarmEmailsConfig(CamelModel):
    """Email subscribers per alarm severity."""

    critical: list[str] = Field(
        default_factory=list,
        description="Emails paged on critical alarms.",
        json_schema_extra=allows("email addresses; at least one in prod"),
    )
    warning: list[str] = Field(default_factory=list, json_schema_extra=allows("email addresses"))
    info: list[str] = Field(default_factory=list, json_schema_extra=allows("email addresses"))

    @field_validator("critical", "warning", "info")
    @classmethod
    def _emails(cls, v: list[str]) -> list[str]:
        bad = [e for e in v if not EMAIL_RE.match(e)]
        if bad:
            raise reject("has invalid email address(es) {bad}", bad=bad)
        if len({e.lower() for e in v}) != len(v):
            raise reject("lists an address twice")
        return v


class MonitoringConfig(CamelModel):
    """Logs retention, alarm routing, budget."""

    log_retention_days: int = Field(
        description="CloudWatch log retention (days).",
        json_schema_extra={
            **allows(", ".join(map(str, LOG_RETENTION_DAYS))),
            **also(minimums_text("monitoring.logRetentionDays")),
        },
    )
    alarm_emails: AlarmEmailsConfig = Field(default_factory=AlarmEmailsConfig, description="SNS email subscriptions.")
    monthly_budget_usd: float = Field(gt=0, description="AWS Budgets monthly amount (alerts at 80 % and 100 %).")
    anomaly_detection: StrictBool = Field(default=True, description="Anomaly-detection alarms on requests and latency.")

    @field_validator("log_retention_days")
    @classmethod
    def _ret(cls, v: int) -> int:
        if v not in LOG_RETENTION_DAYS:
            raise reject("is not a CloudWatch Logs retention period")
        return v


class SecurityConfig(CamelModel):
    """WAF and KMS settings."""

    waf_rate_limit: int = Field(default=2000, ge=10, le=2_000_000_000, description="Requests per 5 min per IP.")
    kms_deletion_window_days: int = Field(
        default=30,
        ge=7,
        le=30,
        description="KMS key deletion waiting period.",
        json_schema_extra=also(minimums_text("security.kmsDeletionWindowDays")),
    )
    widest_ingress_prefix: int = Field(
        default=16,
        ge=8,
        le=32,
        description="Widest CIDR admitted to a private API (the EKS endpoint): /16 admits a /16 or narrower.",
    )


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
    allowed_account_ids: tuple[str, ...] = ()
    """`aws:allowedAccountIds`: the accounts every AWS provider of the stack may act in (none: any)."""

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
SECTIONS: dict[str, tuple[type[CamelModel], bool]] = {
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
TOP_LEVEL_KEYS = (*_SCALARS, *SECTIONS)
