"""RDS Extended Support and Aurora: what an engine version past its standard support adds per
vCPU-hour, and Aurora clusters and their instances.

An RDS or Aurora database on a major version past the end of standard support (MySQL 5.7,
PostgreSQL 11 and 12, Aurora MySQL 2, ...) is enrolled in RDS Extended Support automatically and
billed per vCPU-hour on top of the instance (Multi-AZ standbys too), unless it was created with
`engineLifecycleSupport = "open-source-rds-extended-support-disabled"`. See
https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/extended-support-charges.html.
"""

from __future__ import annotations

import re
from datetime import date

from ..capture import CapturedResource
from .context import NOT_PRICED, Context, Priced, Pricer, num, rate

_AURORA_MYSQL = re.compile(r"^\d+\.\d+\.mysql_aurora\.(\d+)\.")
OPTED_OUT = "open-source-rds-extended-support-disabled"


def major_version(engine: str, version: str) -> str | None:
    """The major version RDS bills support by: MySQL `8.0`, PostgreSQL `12`, Aurora MySQL `2`."""
    version = version.strip()
    if not version:
        return None
    if engine == "aurora-mysql" or engine == "aurora":
        m = _AURORA_MYSQL.match(version)
        if m:
            return m.group(1)
        return {"5.7": "2", "8.0": "3"}.get(".".join(version.split(".")[:2]))
    if engine in ("mysql", "mariadb"):
        return ".".join(version.split(".")[:2])
    if engine in ("postgres", "aurora-postgresql"):
        head = version.split(".")[0]
        return head if int(head or 0) >= 10 else ".".join(version.split(".")[:2])  # 9.6 is a major version
    return None


def extended_support(
    r: CapturedResource, c: Context, engine: str, vcpus: float, factor: int = 1
) -> tuple[float, str] | None:
    """(monthly charge, basis) when `r`'s engine version is in Extended Support on `c.on`, else None."""
    version = r.inputs.get("engineVersion")
    if not isinstance(version, str) or not version:
        return None  # AWS creates the engine's default version, which is in standard support
    try:
        major = major_version(engine, version)
    except ValueError:
        return None
    table = c.prices.tables.get("rds.extendedSupport", {})
    entry = next(
        (v for v in table.get("versions", []) if v["engine"] == engine and v["major"] == major),
        None,
    )
    if entry is None or c.on <= date.fromisoformat(entry["standardEnds"]):
        return None
    label = f"{engine} {major}"
    if r.inputs.get("engineLifecycleSupport") == OPTED_OUT:
        return 0.0, f"; {label} is past standard support and Extended Support is disabled (AWS refuses to create it)"
    year3 = entry.get("year3From")
    in_year3 = bool(year3) and c.on >= date.fromisoformat(year3)
    per = float(table["year3Usd"] if in_year3 else table["year12Usd"])
    period = f"year 3 since {year3}" if in_year3 else f"years 1-2 since {entry['standardEnds']}"
    monthly = per * vcpus * factor * c.hours
    standby = " x 2 (Multi-AZ standby)" if factor == 2 else ""
    return monthly, (
        f" + RDS Extended Support for {label} ({period}): {vcpus:g} vCPU{standby} x {rate(per)}/vCPU-h x {c.hours:g} h"
    )


def vcpus_of(c: Context, instance_class: str) -> int | None:
    return c.prices.vcpus(instance_class.removeprefix("db."))


def _cluster_of(r: CapturedResource, c: Context) -> CapturedResource | None:
    return next((d for d in c.deps_of(r, "clusterIdentifier") if d.type == "aws:rds/cluster:Cluster"), None)


def _aurora_instance(r: CapturedResource, c: Context) -> Priced:
    klass = str(r.inputs.get("instanceClass") or "")
    if klass == "db.serverless":
        return Priced(0.0, "free here: Aurora Serverless v2 capacity is priced on the cluster (its minimum ACUs)")
    hour = c.prices.hourly("aurora.instanceHour", klass)
    if hour is None:
        return Priced(0.0, f"{NOT_PRICED}: {klass or 'class?'} not in the Aurora table", priced=False)
    monthly = hour * c.hours
    basis = f"{klass} Aurora {rate(hour)}/h x {c.hours:g} h"
    cluster = _cluster_of(r, c)
    engine = str(r.inputs.get("engine") or (cluster.inputs.get("engine") if cluster else "") or "")
    source = r if r.inputs.get("engineVersion") else cluster
    vcpus = vcpus_of(c, klass)
    if source is not None and vcpus:
        found = extended_support(source, c, engine, vcpus)
        if found:
            monthly += found[0]
            basis += found[1]
    return Priced(monthly, basis)


def _aurora_cluster(r: CapturedResource, c: Context) -> Priced:
    usage = (
        f"{rate(c.p('aurora.storageGbMonth'))} per GB-month stored",
        f"{rate(c.p('aurora.ioRequestsMillion'))} per million I/O requests (Aurora Standard)",
    )
    engine = str(r.inputs.get("engine") or "")
    if not engine.startswith("aurora"):
        return Priced(
            0.0,
            f"{NOT_PRICED}: Multi-AZ DB cluster of {engine or 'engine?'} (only Aurora clusters are modelled)",
            priced=False,
        )
    scaling = r.inputs.get("serverlessv2ScalingConfiguration") or {}
    minimum = num(scaling.get("minCapacity"))
    if minimum:
        acu = c.p("aurora.acuHour")
        monthly = minimum * acu * c.hours
        basis = f"Serverless v2 floor {minimum:g} ACU x {rate(acu)}/ACU-h x {c.hours:g} h (more under load)"
        return Priced(monthly, basis, usage=usage)
    return Priced(0.0, "billed by use: Aurora storage and I/O (instances are priced one by one)", usage=usage)


PRICERS: dict[str, Pricer] = {
    "aws:rds/cluster:Cluster": _aurora_cluster,
    "aws:rds/clusterInstance:ClusterInstance": _aurora_instance,
}
