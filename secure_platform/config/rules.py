"""Rules across fields and sections, run on every value that passed its field's own checks and
before any resource is registered. Each rule has one home: here."""

from __future__ import annotations

import functools
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError
from pydantic_core import PydanticUndefined

from secure_platform.compute.ecs.fargate import FARGATE_MEMORY_BY_CPU, memory_choices, valid_fargate_pair
from secure_platform.config import aws_data
from secure_platform.config.compute_model import EksConfig
from secure_platform.config.limits import (
    ALLOWED_REGION,
    DB_ENGINE_VERSIONS,
    DB_MAX_STORAGE_GB,
    DB_MIN_STORAGE_GB,
    MYSQL_NO_PI_CLASSES,
    NAMESPACE,
    RESERVED_DOMAINS,
    RESERVED_TLDS,
    WEEK_MINUTES,
    iam_role_identity,
)
from secure_platform.config.problems import MISSING, ConfigProblem
from secure_platform.config.schema import aliases, keys_of, model_at, unwrap_model, window_minutes
from secure_platform.networking.plan import TIER_KEYS, PlanError, carve_subnets, check_subnets, parse_network


class View:
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
        annotation: Any = None
        for part in loc:
            value = value[part] if isinstance(value, dict) and part in value else default_of(model, part)
            annotation = field_annotation(model, part)
            model = model_at(model, (part,)) if isinstance(model, type) else None
        if annotation is not None and value is not None and unwrap_model(annotation) is None:
            # The field accepted the value, maybe after coercion ("512" or 512.0 for an integer):
            # a rule reads the value the model holds, so it never skips a value the model took.
            value = coerced(annotation, value)
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


def field_annotation(model: Any, alias: str) -> Any:
    """The type of the field `alias` of `model`, or None."""
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return None
    name = aliases(model).get(alias)
    return model.model_fields[name].annotation if name is not None else None


@functools.cache
def _adapter(annotation: Any) -> TypeAdapter[Any]:
    return TypeAdapter(annotation, config=ConfigDict(allow_inf_nan=False))


def coerced(annotation: Any, value: Any) -> Any:
    """`value` as the field's type makes it (the field's own validators already passed it)."""
    try:
        return _adapter(annotation).validate_python(value)
    except (ValidationError, TypeError):
        return value


def default_of(model: Any, alias: str) -> Any:
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return None
    name = aliases(model).get(alias)
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


def cross_checks(v: dict[str, View], environment: Any, protect: bool, region: str) -> list[ConfigProblem]:
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
            # A minor is one number after the major (postgres 15.4, mysql 8.0.35). Which minors RDS
            # offers is not checked: no catalogue of them is bundled.
            if not any(version == m or re.fullmatch(re.escape(m) + r"\.\d{1,3}", version) for m in majors):
                add(
                    "database.engineVersion",
                    version,
                    f"is not a supported {engine} version; allowed: {', '.join(majors)}, optionally with a minor number "
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
                MISSING,
                f"is required when compute.platform is eks; allowed: an object with keys {keys_of(EksConfig)}",
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
                MISSING,
                "is required when certificateArn is not given (ACM DNS validation); "
                "allowed: a Route 53 hosted zone id, e.g. Z0123456789ABCDEFGHIJ",
            )

    for key, view, field in (
        ("storage", v.get("storage"), "replicationRegion"),
        ("backup", v.get("backup"), "copyRegion"),
    ):
        other = view.get(field, str) if view is not None else None
        if other is not None and other not in aws_data.regions():
            add(f"{key}.{field}", other, aws_data.unknown_region(other) + f"; allowed: {ALLOWED_REGION}")
        elif other is not None and other == region:
            add(
                f"{key}.{field}",
                other,
                f"must be another region than aws:region; allowed: an AWS region name other than {region}",
            )
    return out


def _placeholder_domain(name: str) -> bool:
    name = name.lower().rstrip(".")
    return any(name == d or name.endswith("." + d) for d in RESERVED_DOMAINS) or name.rsplit(".", 1)[-1] in (
        RESERVED_TLDS
    )


def platform_checks(v: dict[str, View], environment: Any, region: str) -> list[ConfigProblem]:
    """Rules that tie a setting to what the components build from it (images deployed, node
    architectures, pinned add-ons, network reachability) and to the environment."""
    ns = f"{NAMESPACE}:"
    out: list[ConfigProblem] = []

    def add(key: str, value: Any, message: str, *, deploy_blocker: bool = False) -> None:
        out.append(ConfigProblem(f"{ns}{key}", value, message, deploy_blocker))

    compute, ecr, network, security = (v.get(k) for k in ("compute", "ecr", "network", "security"))
    platform = compute.get("platform", str) if compute else None

    if compute is not None and platform == "ecs" and compute.get("ecs.schedule.enabled", bool):
        up, down = (
            compute.get("ecs.schedule.weekdayScaleUpAt", str),
            compute.get("ecs.schedule.weekdayScaleDownAt", str),
        )
        if up is not None and down is not None and down <= up:
            # A scale-down after midnight would leave Friday's raised floor in place all weekend.
            add(
                "compute.ecs.schedule.weekdayScaleDownAt",
                down,
                f"must be later in the day than weekdayScaleUpAt ({up}) so weekends stay at minTasks; "
                f"allowed: a time of day after {up}",
            )

    # The images the platform deploys come from the stack's ECR repositories (one per image).
    repositories = ecr.get("repositories", list) if ecr is not None else None
    if repositories is not None and platform in ("ecs", "eks"):
        from secure_platform.compute.ecs import task_plan
        from secure_platform.compute.eks import component as eks_component  # the compute package imports this one

        needed = task_plan.CONTAINER_NAMES if platform == "ecs" else eks_component.REQUIRED_REPOSITORIES
        missing = [r for r in needed if r not in repositories]
        if missing:
            add(
                "ecr.repositories",
                repositories,
                f"has no repository for {missing}, which compute.platform {platform} deploys; "
                f"allowed: a list that includes {', '.join(needed)}",
            )

    if compute is not None and platform == "eks":
        out += _eks_checks(compute, network, security, region)

    database = v.get("database")
    backup_window = database.get("backupWindow", str) if database else None
    maintenance = database.get("maintenanceWindow", str) if database else None
    if backup_window is not None and maintenance is not None and _overlaps(backup_window, maintenance):
        add(
            "database.backupWindow",
            backup_window,
            f"overlaps maintenanceWindow ({maintenance}); RDS refuses overlapping windows; allowed: a daily "
            "window that ends before or starts after the maintenance window on every day",
        )

    if environment in ("staging", "prod"):
        domain, monitoring = v.get("domain"), v.get("monitoring")
        name = domain.get("name", str) if domain else None
        if name is not None and _placeholder_domain(name):
            add(
                "domain.name",
                name,
                f"is a documentation placeholder, not a domain you own; allowed in {environment}: the real DNS "
                "name of the service (edit the stack file before the first deploy)",
                deploy_blocker=True,
            )
        zone = domain.get("hostedZoneId", str) if domain else None
        if zone is not None and "EXAMPLE" in zone.upper():
            add(
                "domain.hostedZoneId",
                zone,
                f"is a documentation placeholder; allowed in {environment}: the id of your Route 53 hosted zone",
                deploy_blocker=True,
            )
        for tier in ("critical", "warning", "info"):
            emails = monitoring.get(f"alarmEmails.{tier}", list) if monitoring else None
            fake = [e for e in emails or [] if isinstance(e, str) and _placeholder_domain(e.rpartition("@")[2])]
            if fake:
                add(
                    f"monitoring.alarmEmails.{tier}",
                    fake,
                    f"has placeholder address(es) nobody reads; allowed in {environment}: real e-mail addresses",
                    deploy_blocker=True,
                )
    return out


def _eks_checks(compute: View, network: View | None, security: View | None, region: str) -> list[ConfigProblem]:
    ns = f"{NAMESPACE}:"
    out: list[ConfigProblem] = []

    def add(key: str, value: Any, message: str, *, deploy_blocker: bool = False) -> None:
        out.append(ConfigProblem(f"{ns}{key}", value, message, deploy_blocker))

    types = compute.get("eks.systemNodes.instanceTypes", list)
    if types is not None:
        archs = sorted({a for a in (aws_data.architecture(t) for t in types) if a})
        if len(archs) > 1:
            add(
                "compute.eks.systemNodes.instanceTypes",
                types,
                f"mixes CPU architectures {archs}; a managed node group runs one AMI type; allowed: instance "
                "types of one architecture (add a second node group for the other)",
            )
        offered = aws_data.offered_in(region)
        absent = [t for t in types if offered is not None and t in aws_data.instance_types() and t not in offered]
        if absent:
            add(
                "compute.eks.systemNodes.instanceTypes",
                types,
                f"has {absent}, not offered in {region}; allowed: instance types offered in aws:region",
            )

    spot_archs = compute.get("eks.spotNodes.architectures", list)
    if spot_archs is not None and len(set(spot_archs)) > 1:
        add(
            "compute.eks.spotNodes.architectures",
            spot_archs,
            "lists several CPU architectures; a managed node group runs one AMI type; allowed: exactly one of "
            "x86_64, arm64 (add a second node group for the other)",
        )

    public = compute.get("eks.endpointPublicAccessCidrs", list)
    widest = security.get("widestIngressPrefix", int) if security is not None else None
    if public is not None and widest is not None:
        # The field accepted each CIDR: parse it, never split the text by hand.
        wide = [c for c in public if isinstance(c, str) and parse_network(c).prefixlen < widest]
        if wide:
            add(
                "compute.eks.endpointPublicAccessCidrs",
                public,
                f"has {wide}, wider than security.widestIngressPrefix (/{widest}); allowed: CIDRs of /{widest} "
                "or narrower",
            )

    admins, readers = compute.get("eks.adminRoleArns", list), compute.get("eks.readOnlyRoleArns", list)
    admin_roles = {iam_role_identity(a) for a in admins or []}
    both = sorted(r for r in readers or [] if iam_role_identity(r) in admin_roles)
    if both:
        # EKS keeps one access entry per principal ARN (CreateAccessEntry refuses a second one).
        add(
            "compute.eks.readOnlyRoleArns",
            both,
            "has role(s) also in adminRoleArns; EKS allows one access entry per principal ARN; allowed: roles not "
            "in adminRoleArns (a role in both is an admin: list it there only)",
        )

    clients = compute.get("eks.apiClientSecurityGroupIds", list)
    runners = network.get("runnerSecurityGroupIds", list) if network is not None else None
    if public == [] and clients == [] and runners == []:
        add(
            "network.runnerSecurityGroupIds",
            [],
            "is empty and the EKS API endpoint is private (compute.eks.endpointPublicAccessCidrs is empty), so "
            "nothing could deploy to the cluster; allowed: the security group id(s) of the deploy runners "
            "(or set compute.eks.apiClientSecurityGroupIds)",
            deploy_blocker=True,
        )
    return out


def _overlaps(daily: str, weekly: str) -> bool:
    """Whether a daily window meets a weekly one on any day (both in UTC, either may wrap)."""
    start, end = window_minutes(daily)
    w_start, w_end = window_minutes(weekly)
    spans = [(w_start + k * WEEK_MINUTES, w_end + k * WEEK_MINUTES) for k in (-1, 0, 1)]
    return any(day * 1440 + start < b and a < day * 1440 + end for day in range(7) for a, b in spans)


# Name limits: S3 bucket names 3-63 characters
# (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html), RDS DB instance
# identifiers 1-63 (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html),
# EKS cluster names 1-100 (https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateCluster.html).
_NAME_LIMITS = (("db_identifier", 63), ("eks_cluster", 100))


def name_checks(project: str, environment: Any, region: str) -> list[ConfigProblem]:
    """Physical names derived from the project, environment and region fit AWS's limits, so a long
    project name is refused here rather than inside an apply after registrations."""
    from secure_platform.backend.component import LOGS_PURPOSE, STATE_PURPOSE  # the components import this package
    from secure_platform.core.naming import Naming
    from secure_platform.storage.component import ASSETS_PURPOSE, BACKUPS_PURPOSE

    if environment not in ("dev", "staging", "prod") or not region:
        return []
    naming = Naming(project=project, environment=environment, region=region)
    too_long: list[str] = []
    for purpose in (STATE_PURPOSE, LOGS_PURPOSE, ASSETS_PURPOSE, BACKUPS_PURPOSE):
        try:
            naming.bucket(purpose, "0" * 12)
        except ValueError:
            too_long.append(f"S3 bucket {naming.prefix}-{purpose}-<account>-{region} (max 63)")
    for attribute, limit in _NAME_LIMITS:
        name = getattr(naming, attribute)
        if len(name) > limit:
            too_long.append(f"{name} (max {limit})")
    if not too_long:
        return []
    spare = min(63 - len(f"-{environment}-backups-000000000000-{region}"), 63 - len(f"-{environment}-db"))
    return [
        ConfigProblem(
            "project (the name in Pulumi.yaml)",
            project,
            f"makes names longer than AWS allows: {'; '.join(too_long)}; allowed: a project name of at most "
            f"{spare} characters",
        )
    ]
