"""Regions and EC2 instance types the stack may name, from the market data bundled with the spot
optimizer (`secure_platform/spot/data`, see its README for sources and dates): a name that is not in
AWS's own catalogue is refused with the closest names it does hold. RDS instance classes and
ElastiCache node types are checked against the same catalogue: each is named after the EC2
instance type it runs on (db.r6g.large, cache.t4g.micro)."""

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


def unknown_service_class(name: str, prefix: str) -> str | None:
    """Why `name` (`db.<type>` or `cache.<type>`, prefix `db` or `cache`) names no EC2 instance
    type the service could run on, with the closest names, or None. Offered-by-the-service is
    not checked: the bundle holds no RDS or ElastiCache catalogue."""
    ec2_type = name.removeprefix(prefix + ".")
    family, _, size = ec2_type.partition(".")
    if f"{_SERVICE_TYPE_NAMES.get(family, family)}.{size}" in instance_types():
        return None
    same_family = sorted(t for t in instance_types() if t.partition(".")[0] == family)
    choices = same_family or sorted(instance_types())
    found = difflib.get_close_matches(ec2_type, choices, n=3, cutoff=0.0 if same_family else 0.6)
    hint = f"; did you mean {', '.join(f'{prefix}.{t}' for t in found)}?" if found else ""
    return f"names no EC2 instance type it could run on{hint}"
