"""Rules across fields and sections, run on every value that passed its field's own checks and
before any resource is registered. Each rule has one home: here."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from ..fargate import FARGATE_MEMORY_BY_CPU, memory_choices, valid_fargate_pair
from ..network_plan import TIER_KEYS, PlanError, carve_subnets, check_subnets
from .compute_model import EksConfig
from .limits import (
    DB_ENGINE_VERSIONS,
    DB_MAX_STORAGE_GB,
    DB_MIN_STORAGE_GB,
    MYSQL_NO_PI_CLASSES,
    NAMESPACE,
    REGION_RE,
)
from .problems import MISSING, ConfigProblem
from .schema import aliases, keys_of, model_at


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
        for part in loc:
            value = value[part] if isinstance(value, dict) and part in value else default_of(model, part)
            model = model_at(model, (part,)) if isinstance(model, type) else None
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
        if other is not None and (not REGION_RE.match(other) or other == region):
            add(
                f"{key}.{field}",
                other,
                f"must be another region than aws:region; allowed: an AWS region name other than {region}",
            )
    return out
