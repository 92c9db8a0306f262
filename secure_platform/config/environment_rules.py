"""Rules that tie settings to the environment, checked before any resource is registered: the
stack deploys the environment its name says, settings the policy pack judges against a minimum
keep the pack's minimum of the environment, and prod keeps what "Nothing is lost" needs (copies
in a second Region, recovery points nobody can delete, an RPO of 1 h, someone paged)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from secure_platform.config.limits import (
    ENVIRONMENT_MINIMUMS,
    ENVIRONMENTS,
    LOG_RETENTION_DAYS,
    NAMESPACE,
    POLICY_MINIMUMS,
)
from secure_platform.config.problems import MISSING, ConfigProblem

if TYPE_CHECKING:
    from secure_platform.config.rules import View


def stack_environment(stack: str) -> str | None:
    """The environment a stack's name names: `prod` for `prod`, `Prod`, `prod-eu`, `prod_eu` and
    `prod.eu` (the name, or its first part before `-`, `_` or `.`, in any case; `production` and
    `development` too), None for other names (`qa`, `alice`, `dev2`), which may deploy any."""
    head = re.split(r"[-_.]", stack.rpartition("/")[2].lower(), maxsplit=1)[0]
    head = _LONG_NAMES.get(head, head)
    return head if head in ENVIRONMENTS else None


_LONG_NAMES = {"production": "prod", "development": "dev"}


def environment_checks(v: dict[str, View], environment: Any, stack: str, region: str) -> list[ConfigProblem]:
    """The rules of this module on the sections' views (see `rules.View`)."""
    ns = f"{NAMESPACE}:"
    out: list[ConfigProblem] = []

    def add(key: str, value: Any, message: str) -> None:
        out.append(ConfigProblem(f"{ns}{key}", value, message))

    named = stack_environment(stack)
    if named is not None and environment in ENVIRONMENTS and environment != named:
        add(
            "environment",
            environment,
            f"does not match stack '{stack}', which deploys {named} (a stack named {named} or {named}-<suffix> "
            f"is that environment; the policy pack and the protections follow platform:environment); "
            f"allowed in stack {stack}: {named}",
        )

    for key, minimum in ENVIRONMENT_MINIMUMS.get(environment, {}).items():
        section, _, field = key.partition(".")
        view = v.get(section)
        if view is None or (section == "cache" and view.get("provider", str) != "elasticache"):
            continue  # only ElastiCache keeps snapshots
        value = view.get(field, int)
        if value is not None and value < minimum:
            add(
                key,
                value,
                f"must be at least {minimum} in {environment} (the policy pack's {POLICY_MINIMUMS[key][0]} "
                f"minimum); allowed: {_allowed_from(key, minimum)}",
            )

    if environment == "prod":
        out += _prod_checks(v, region)
    return out


# The model's upper bounds of the fields with a minimum, for the allowed text.
_UPPER = {"database.backupRetentionDays": 35, "cache.snapshotRetentionDays": 35, "security.kmsDeletionWindowDays": 30}


def _allowed_from(key: str, minimum: int) -> str:
    if key == "monitoring.logRetentionDays":
        return ", ".join(str(d) for d in LOG_RETENTION_DAYS if d >= minimum)
    upper = _UPPER.get(key)
    if upper is None:
        return f">= {minimum}"
    return str(minimum) if upper == minimum else f"{minimum}-{upper}"


def _prod_checks(v: dict[str, View], region: str) -> list[ConfigProblem]:
    """SPEC: backups copied to a second Region in prod, RPO 1 h; README: vault lock and
    cross-Region copy in prod. Each is refused when left out or turned off: no silent default."""
    ns = f"{NAMESPACE}:"
    out: list[ConfigProblem] = []
    other_region = f"an AWS region name other than {region or 'aws:region'}"

    storage, backup, monitoring = v.get("storage"), v.get("backup"), v.get("monitoring")
    for view, key, what in (
        (storage, "storage.replicationRegion", "the state, log-archive, assets and backups buckets replicate there"),
        (backup, "backup.copyRegion", "recovery points are copied there"),
    ):
        if view is not None and not view.present(key.partition(".")[2]):
            out.append(ConfigProblem(f"{ns}{key}", MISSING, f"is required in prod ({what}); allowed: {other_region}"))
    for field, why in (
        ("vaultLock", "recovery points nobody can delete before they expire"),
        ("continuous", "point-in-time recovery for an RPO of 1 h"),
    ):
        if backup is not None and backup.get(field, bool) is False:
            out.append(ConfigProblem(f"{ns}backup.{field}", False, f"must be true in prod ({why}); allowed: true"))
    if monitoring is not None and monitoring.get("alarmEmails.critical", list) == []:
        out.append(
            ConfigProblem(
                f"{ns}monitoring.alarmEmails.critical",
                [],
                "is empty in prod, so no one is paged when the service is down; allowed: one or more e-mail "
                "addresses (an on-call list or a paging service's e-mail integration)",
            )
        )
    return out
