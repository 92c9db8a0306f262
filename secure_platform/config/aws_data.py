"""Regions and EC2 instance types the stack may name, from the market data bundled with the spot
optimizer (`secure_platform/spot/data`, see its README for sources and dates): a name that is not in
AWS's own catalogue is refused with the closest names it does hold. RDS instance classes and
ElastiCache node types are checked against the same catalogue (each is named after the EC2
instance type it runs on: db.r6g.large, cache.t4g.micro) and against the families and sizes each
service offers (`SERVICE_FAMILIES`, from the services' documentation)."""

from __future__ import annotations

import difflib
import functools
import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent.parent / "spot" / "data"


@functools.cache
def _read(name: str) -> dict[str, Any]:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


@functools.cache
def regions() -> tuple[str, ...]:
    """Regions with a per-region instance-type catalogue (DescribeInstanceTypeOfferings)."""
    return tuple(sorted(_read("instance-type-offerings.json")["regions"]))


@functools.cache
def instance_types() -> dict[str, dict[str, Any]]:
    """EC2 instance type -> DescribeInstanceTypes facts (architecture, vCPUs, memory ...)."""
    return dict(_read("instance-types.json")["types"])


def offered_in(region: str) -> frozenset[str] | None:
    """Instance types offered in `region`, or None when the bundle does not know the region."""
    table = _read("instance-type-offerings.json")["regions"].get(region)
    return frozenset(table["types"]) if table else None


def architecture(instance_type: str) -> str | None:
    """`x86_64` or `arm64` from the catalogue (types listing both, e.g. i386/x86_64, are x86_64)."""
    facts = instance_types().get(instance_type)
    if facts is None:
        return None
    arch = facts.get("architecture")
    return arch if isinstance(arch, str) else None


def close_matches(word: str, choices: tuple[str, ...] | list[str], n: int = 3) -> str:
    """`; did you mean a, b?` for the closest of `choices`, else empty."""
    found = difflib.get_close_matches(word, list(choices), n=n, cutoff=0.6)
    return f"; did you mean {', '.join(found)}?" if found else ""


# Regions of AWS's other partitions (China, GovCloud, isolated): real, but a stack of the
# commercial partition cannot copy to them (separate accounts and credentials).
_OTHER_PARTITIONS = (("cn-", "aws-cn"), ("us-gov-", "aws-us-gov"), ("us-iso", "aws-iso"), ("eusc-", "aws-eusc"))


def unknown_region(region: str) -> str:
    for prefix, partition in _OTHER_PARTITIONS:
        if region.startswith(prefix):
            return (
                f"is a region of the {partition} partition, which needs accounts and credentials of its own; "
                "this stack's regions are those of the aws partition"
            )
    return f"is not a known AWS region{close_matches(region, regions())}"


def unknown_instance_type(instance_type: str) -> str:
    """Close matches among the same family's sizes first (m5.gigantic -> m5.large ...), else any type."""
    family = instance_type.partition(".")[0]
    sizes = sorted(t for t in instance_types() if t.partition(".")[0] == family)
    if sizes:
        found = difflib.get_close_matches(instance_type, sizes, n=3, cutoff=0.0)
        return f"is an unknown instance type; did you mean {', '.join(found)}?"
    return f"is an unknown instance type{close_matches(instance_type, sorted(instance_types()))}"


# RDS names its Graviton2 memory-optimized class db.x2g; the EC2 type is x2gd:
# https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.Types.html
_SERVICE_TYPE_NAMES = {"x2g": "x2gd"}

SERVICE_NAMES = {"db": "RDS", "cache": "ElastiCache"}
"""The service behind each class prefix."""
SERVICE_FAMILIES: dict[str, frozenset[str]] = {
    # RDS for MySQL, MariaDB and PostgreSQL instance classes, current and previous generation
    # (read 2026-12 from https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.Types.html
    # and Concepts.DBInstanceClass.Support.html); db.c6gd serves Multi-AZ DB clusters only.
    "db": frozenset(
        [
            "t2",
            "t3",
            "t4g",
            "m4",
            "m5",
            "m5d",
            "m6g",
            "m6gd",
            "m6i",
            "m6id",
            "m6idn",
            "m6in",
            "m7g",
            "m7i",
            "m8g",
            "r4",
            "r5",
            "r5b",
            "r5d",
            "r6g",
            "r6gd",
            "r6i",
            "r6id",
            "r6idn",
            "r6in",
            "r7g",
            "r7i",
            "r8g",
            "x1",
            "x1e",
            "x2g",
            "x2idn",
            "x2iedn",
            "x2iezn",
            "z1d",
        ]
    ),
    # ElastiCache node types, current and previous generation still offered (read 2026-12 from
    # https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheNodes.SupportedTypes.html).
    "cache": frozenset(["t2", "t3", "t4g", "m4", "m5", "m6g", "m7g", "r4", "r5", "r6g", "r6gd", "r7g", "c7gn"]),
}
"""Instance families each service offers; an EC2 family outside its list (db.c5, cache.m6i) is
not a class of the service."""
BURSTABLE_SIZES = {
    "db": ("micro", "small", "medium", "large", "xlarge", "2xlarge"),
    "cache": ("micro", "small", "medium"),
}
"""Sizes of the burstable (t) families each service offers: no nano anywhere, and ElastiCache
stops at medium (same sources)."""
SMALL_SIZES = frozenset({"nano", "micro", "small", "medium"})
"""Sizes below large that only burstable families offer (db.x2g starts at medium)."""


def unknown_service_class(name: str, prefix: str) -> str | None:
    """Why `name` (`db.<type>` or `cache.<type>`, prefix `db` or `cache`) is not a class the
    service offers, with the closest names, or None: the EC2 type it runs on must exist, its
    family must be one the service runs (SERVICE_FAMILIES) and its size one the service sells in
    that family (burstable sizes, no metal). Availability per Region and engine version
    is AWS's to answer (describe-orderable-db-instance-options) at deploy time."""
    service = SERVICE_NAMES[prefix]
    ec2_type = name.removeprefix(prefix + ".")
    family, _, size = ec2_type.partition(".")
    if f"{_SERVICE_TYPE_NAMES.get(family, family)}.{size}" not in instance_types():
        offered = [t for t in instance_types() if _size_problem(prefix, *t.split(".", 1)) is None]
        same_family = sorted(t for t in offered if t.partition(".")[0] == family)
        choices = same_family or sorted(offered)
        found = difflib.get_close_matches(ec2_type, choices, n=3, cutoff=0.0 if same_family else 0.6)
        hint = f"; did you mean {', '.join(f'{prefix}.{t}' for t in found)}?" if found else ""
        return f"names no EC2 instance type it could run on{hint}"
    families = SERVICE_FAMILIES[prefix]
    if family == "c6gd" and prefix == "db":
        return "is a class of Multi-AZ DB clusters only, not of a DB instance; choose e.g. db.m6g.large"
    if family not in families:
        near = difflib.get_close_matches(family, sorted(families), n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(f'{prefix}.{f}.{size}' for f in near)}?" if near else ""
        return f"is not a family {service} offers ({prefix}.{family}){hint}"
    return _size_problem(prefix, family, size)


def _size_problem(prefix: str, family: str, size: str) -> str | None:
    """Why the service sells no `size` in `family` (or no size at all, for a family it does not
    offer), or None."""
    service = SERVICE_NAMES[prefix]
    if family not in SERVICE_FAMILIES[prefix]:
        return f"is not a family {service} offers"
    sizes = BURSTABLE_SIZES[prefix] if family.startswith("t") else None
    if sizes is not None and size not in sizes:
        return f"is not a size {service} offers for {prefix}.{family}: {', '.join(sizes)}"
    if sizes is None and (size.startswith("metal") or (size in SMALL_SIZES and family != "x2g")):
        return f"is not a size {service} offers for {prefix}.{family} (its sizes start at large and have no metal)"
    return None
