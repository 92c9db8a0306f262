"""Building blocks of the config model: the camelCase base model, rejection and allowed-text
helpers, and the walk from a pydantic error location back to the field it names."""

from __future__ import annotations

import ipaddress
import re
from typing import Any, Literal, get_args, get_origin

from annotated_types import Ge, Gt, Le, Lt, MinLen
from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator
from pydantic.alias_generators import to_camel
from pydantic.config import JsonDict
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from secure_platform.config.limits import ALLOWED_PRIVATE, DAYS, PRIVATE_RANGES, WEEK_MINUTES
from secure_platform.networking.plan import parse_network


class Text(str):
    """Text derived from a value (close matches, a parser's reason): a message shows it as is, not
    quoted, and leaves it out when the value is secret."""


def reject(reason: str, **values: Any) -> PydanticCustomError:
    """A field validator's rejection; the field's allowed text is added to the message. A value
    the reason names is written `{name}` and passed as `name=value`: the problem reporter shows it
    (shortened, or hidden when secret), never the validator."""
    return PydanticCustomError("platform", "{reason}", {"reason": reason, "values": values})


def allows(text: str) -> JsonDict:
    """What a field accepts when its type and bounds do not say it all (a validator or a rule across
    fields checks it). Error messages and the README's config reference both show this text."""
    return {"allowed": text}


def also(text: str) -> JsonDict:
    """A rule added to what the field's bounds or values say (e.g. a stricter floor in prod)."""
    return {"also": text}


def number_text(value: Any) -> str:
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
        values = literal_values(field.annotation)
        if values:
            text = ", ".join(f"`{v}`" if code else str(v) for v in values)
        else:
            low = next((m for m in field.metadata if isinstance(m, (Ge, Gt))), None)
            high = next((m for m in field.metadata if isinstance(m, (Le, Lt))), None)
            length = next((m for m in field.metadata if isinstance(m, MinLen)), None)
            if isinstance(low, Ge) and isinstance(high, Le):
                text = f"{number_text(low.ge)}-{number_text(high.le)}"
            elif low is not None or high is not None:
                parts = [
                    f">= {number_text(low.ge)}" if isinstance(low, Ge) else f"> {number_text(low.gt)}" if low else "",
                    f"<= {number_text(high.le)}"
                    if isinstance(high, Le)
                    else f"< {number_text(high.lt)}"
                    if high
                    else "",
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


def literal_values(annotation: Any) -> tuple[Any, ...]:
    """The values of a Literal, also inside Optional[...] and list[...]."""
    origin = get_origin(annotation)
    if origin is Literal:
        return get_args(annotation)
    for arg in get_args(annotation) if origin is not None else ():
        values = literal_values(arg)
        if values:
            return values
    return ()


def keys_of(model: type[BaseModel]) -> str:
    return ", ".join(aliases(model))


def _numeric(annotation: Any) -> bool:
    """Whether a field takes a number and not true/false (int, float, or an optional one)."""
    if annotation in (int, float):
        return True
    args = [a for a in get_args(annotation) if a is not type(None)]
    return bool(args) and all(a in (int, float) for a in args) and get_origin(annotation) is not Literal


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
        # .inf and .nan parse as numbers in YAML; no AWS limit or price is infinite.
        allow_inf_nan=False,
    )

    @field_validator("*", mode="before")
    @classmethod
    def _no_booleans_for_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        """`retentionDays: true` is not the number 1 (pydantic's lax mode would take it as 1)."""
        field = cls.model_fields.get(info.field_name or "")
        if isinstance(value, bool) and field is not None and _numeric(field.annotation):
            raise reject("is true/false where a number is expected")
        return value


def check_cidr(value: str) -> str:
    try:
        parse_network(value)
    except ValueError as exc:
        why = str(exc).replace(repr(value), "it").replace(value, "it")
        raise reject("is not a valid IPv4 CIDR{why}", why=Text(f" ({why})")) from None
    return value


def aliases(model: type[BaseModel]) -> dict[str, str]:
    return {(f.alias or name): name for name, f in model.model_fields.items()}


def model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """Follow a pydantic error location through nested models (skipping list indexes)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        name = aliases(current).get(str(part))
        if name is None:
            return None
        annotation = current.model_fields[name].annotation
        current = unwrap_model(annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def unwrap_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = unwrap_model(arg)
        if found is not None:
            return found
    return None


def field_at(model: type[BaseModel], loc: tuple[Any, ...]) -> FieldInfo | None:
    """The field a pydantic error location names (list indexes after it skipped)."""
    names = list(loc)
    while names and isinstance(names[-1], int):
        names.pop()
    if not names:
        return None
    parent = model_at(model, tuple(names[:-1]))
    name = aliases(parent).get(str(names[-1])) if parent is not None else None
    return parent.model_fields[name] if parent is not None and name else None


SECURITY_GROUP_IDS = "security group ids, sg- then 8 or 17 hex digits"
_SG_RE = re.compile(r"sg-(?:[0-9a-f]{8}|[0-9a-f]{17})")


def check_security_groups(v: list[str]) -> list[str]:
    bad = [g for g in v if not _SG_RE.fullmatch(g)]
    if bad:
        raise reject("has invalid security group id(s) {bad}", bad=bad)
    if len(set(v)) != len(v):
        raise reject("lists a security group twice")
    return v


def vpc_range_problem(cidr: str) -> str | None:
    """Why `cidr` (a valid IPv4 network) cannot be a VPC's address space, or None."""
    net = parse_network(cidr)
    for what, flag in (
        ("loopback", net.is_loopback),
        ("multicast", net.is_multicast),
        ("link-local", net.is_link_local),
        ("reserved", net.is_reserved),
    ):
        if flag:
            return f"is a {what} range; allowed: {ALLOWED_PRIVATE}"
    if not any(net.subnet_of(ipaddress.IPv4Network(r)) for r in PRIVATE_RANGES):
        return f"is not a private range; allowed: {ALLOWED_PRIVATE}"
    return None


def window_minutes(window: str) -> tuple[int, int]:
    """A `hh:mm-hh:mm` (daily) or `ddd:hh:mm-ddd:hh:mm` (weekly) window as minutes from its start's
    day (daily) or from Monday 00:00 (weekly); an end before the start wraps past midnight / Sunday."""
    start, end = window.split("-")

    def minutes(part: str) -> int:
        *day, hh, mm = part.split(":")
        return (DAYS.index(day[0]) * 1440 if day else 0) + int(hh) * 60 + int(mm)

    first, last = minutes(start), minutes(end)
    if last <= first:
        last += WEEK_MINUTES if ":" in start[:4] and start[:3].isalpha() else 1440
    return first, last
