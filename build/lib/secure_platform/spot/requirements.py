"""The selection's inputs: one typed, validated model (camelCase on the wire, like the stack config).

The same model validates the dynamic resource's inputs (`check`), the CLI's flags and the
program-side args, so a bad value gets the same message everywhere: the key, the value, and what
is allowed.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from pydantic import Field, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from ..config import MISSING as _MISSING
from ..config import CamelModel as _Model
from ..config import ConfigProblem
from .model import ARCHITECTURES, Architecture

_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$")
_FAMILY_PATTERN = re.compile(r"^[a-z0-9*?-]+$")
_ZONE = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d[a-z](-[a-z0-9-]+)?$")

DataSource = Literal["aws", "bundled"]


def _bad(reason: str) -> PydanticCustomError:
    return PydanticCustomError("spot", "{reason}", {"reason": reason})


class Range(_Model):
    """An inclusive range; both ends > 0."""

    min: float = Field(gt=0)
    max: float = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.min > self.max:
            raise _bad(f"min ({_num(self.min)}) must be <= max ({_num(self.max)})")
        return self

    def __str__(self) -> str:
        return f"{_num(self.min)}-{_num(self.max)}"

    def contains(self, value: float) -> bool:
        return self.min <= value <= self.max


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


class SpotRequirements(_Model):
    """What the spot capacity must look like, and how eagerly a selection may change."""

    region: str = Field(description="AWS region (e.g. us-east-1).")
    vcpus: Range = Field(description="vCPU range of candidate types.")
    memory_gib: Range = Field(description="Memory range (GiB) of candidate types.")
    architectures: list[str] = Field(default_factory=lambda: ["x86_64"], min_length=1)
    capacity: int = Field(default=3, ge=1, le=10000, description="Instances the group runs (cost, placement).")
    max_interruption_bucket: int = Field(default=2, ge=0, le=4, description="Spot Advisor bucket tolerated (0: <5 %).")
    type_count: int = Field(default=4, ge=1, le=20, description="Instance types to diversify over.")
    burstable: bool = Field(default=False, description="Allow burstable (t*) types.")
    allowed_families: list[str] = Field(
        default_factory=list, description="Family patterns allowed (m*, c6i); empty: all."
    )
    excluded_families: list[str] = Field(default_factory=list, description="Family patterns never chosen (t2, x*).")
    min_generation: int = Field(
        default=5, ge=0, le=20, description="Oldest generation allowed (5: m5 and newer; 0: any)."
    )
    current_generation_only: bool = Field(
        default=False, description="Only types DescribeInstanceTypes flags as current generation."
    )
    allowed_availability_zones: list[str] = Field(
        default_factory=list, description="AZ names the group's subnets are in; empty: every AZ of the region."
    )
    min_availability_zones: int = Field(default=2, ge=1, le=10, description="Zones a type must be offered in.")
    price_history_days: int = Field(default=14, ge=1, le=90, description="Spot price history read (days).")
    savings_threshold_percent: float = Field(default=10.0, ge=0, le=100, description="Re-select only above this %...")
    savings_threshold_usd_per_hour: float = Field(default=0.05, ge=0, description="...and above this $/h.")
    min_placement_score: int = Field(default=3, ge=1, le=10, description="AZs scoring lower are not used.")
    data_source: DataSource = Field(default="aws", description="`aws` (falls back to bundled) or `bundled` only.")

    @field_validator("region")
    @classmethod
    def _region(cls, v: str) -> str:
        if not _REGION.match(v):
            raise _bad("is not an AWS region name; expected e.g. us-east-1")
        return v

    @field_validator("architectures")
    @classmethod
    def _archs(cls, v: list[str]) -> list[str]:
        unknown = [a for a in v if a not in ARCHITECTURES]
        if unknown:
            hint = " (Kubernetes calls x86_64 'amd64'; EC2 does not)" if "amd64" in unknown else ""
            raise _bad(f"has unknown architecture(s) {unknown}; allowed: {', '.join(ARCHITECTURES)}{hint}")
        return list(dict.fromkeys(v))

    @field_validator("allowed_families", "excluded_families")
    @classmethod
    def _families(cls, v: list[str]) -> list[str]:
        bad = [f for f in v if not _FAMILY_PATTERN.match(f)]
        if bad:
            raise _bad(f"has invalid family pattern(s) {bad}; expected family names or globs like m6i, m*, c7*")
        return v

    @field_validator("allowed_availability_zones")
    @classmethod
    def _zones(cls, v: list[str], info: ValidationInfo) -> list[str]:
        bad = [z for z in v if not _ZONE.match(z)]
        if bad:
            raise _bad(f"has invalid availability zone name(s) {bad}; expected e.g. us-east-1a")
        region = info.data.get("region")  # validated first (declared first); absent when invalid
        foreign = [z for z in v if region and not z.startswith(str(region))]
        if foreign:
            raise _bad(f"has zone(s) {foreign} outside region {region}")
        return list(dict.fromkeys(v))

    @property
    def arch_list(self) -> list[Architecture]:
        return [a for a in ARCHITECTURES if a in self.architectures]

    def to_inputs(self) -> dict[str, Any]:
        """The normalized camelCase inputs (defaults filled in), as recorded in the resource's state."""
        return self.model_dump(mode="json", by_alias=True)

    def fingerprint(self) -> str:
        return json.dumps(self.to_inputs(), sort_keys=True)


INPUT_KEYS: tuple[str, ...] = tuple((f.alias or name) for name, f in SpotRequirements.model_fields.items())


# One bad input: the camelCase key path, the value and what is allowed (the stack config's type).
InputProblem = ConfigProblem


class RequirementsError(ValueError):
    """Every problem with a set of inputs, as one message."""

    def __init__(self, problems: list[InputProblem]) -> None:
        self.problems = problems
        lines = [f"Invalid spot selection input ({len(problems)} problem{'s' if len(problems) != 1 else ''}):"]
        lines += [f"  - {p}" for p in problems]
        super().__init__("\n".join(lines))


def _key(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "inputs"


def _problem(err: Any) -> InputProblem:
    loc = tuple(err["loc"])
    key = _key(loc)
    kind = err["type"]
    value = err.get("input", _MISSING)
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        allowed = ", ".join(sorted(INPUT_KEYS)) if len(loc) == 1 else "min, max"
        return InputProblem(key, value, f"is not a known input; known: {allowed}")
    if kind == "missing":
        return InputProblem(key, _MISSING, "is required but missing")
    if kind == "literal_error":
        return InputProblem(key, value, f"is not allowed; allowed values: {ctx.get('expected')}")
    if kind == "spot":
        return InputProblem(key, value, err["msg"])
    bounds = {"greater_than_equal": ">=", "greater_than": ">", "less_than_equal": "<=", "less_than": "<"}
    if kind in bounds:
        return InputProblem(key, value, f"is out of range; must be {bounds[kind]} {next(iter(ctx.values()))}")
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return InputProblem(key, value, "must be a whole number")
    if kind in ("bool_parsing", "bool_type"):
        return InputProblem(key, value, "must be true or false")
    if kind in ("float_parsing", "float_type"):
        return InputProblem(key, value, "must be a number")
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return InputProblem(key, value, "must be an object with min and max" if loc else "must be an object")
    return InputProblem(key, value, err["msg"])


def parse_requirements(raw: dict[str, Any]) -> SpotRequirements:
    """Validate camelCase inputs; raises `RequirementsError` listing every problem."""
    try:
        return SpotRequirements.model_validate(raw)
    except ValidationError as exc:
        raise RequirementsError([_problem(e) for e in exc.errors()]) from None


def parse_range(text: str) -> dict[str, float]:
    """`2-4` or `4` -> {"min": 2, "max": 4}; raises ValueError with a usable message."""
    parts = text.split("-")
    try:
        if len(parts) == 1:
            low = high = float(parts[0])
        elif len(parts) == 2:
            low, high = float(parts[0]), float(parts[1])
        else:
            raise ValueError
    except ValueError:
        raise ValueError(f"'{text}' is not a range; expected MIN-MAX (e.g. 2-4) or a single number") from None
    return {"min": low, "max": high}
