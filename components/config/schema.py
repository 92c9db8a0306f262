"""Building blocks of the config model: the camelCase base model, rejection and allowed-text
helpers, and the walk from a pydantic error location back to the field it names."""

from __future__ import annotations

from typing import Any, Literal, get_args, get_origin

from annotated_types import Ge, Gt, Le, Lt, MinLen
from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel
from pydantic.config import JsonDict
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from ..network_plan import parse_network


def reject(reason: str) -> PydanticCustomError:
    """A field validator's rejection; the field's allowed text is added to the message."""
    return PydanticCustomError("platform", "{reason}", {"reason": reason})


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


def check_cidr(value: str) -> str:
    try:
        parse_network(value)
    except ValueError as exc:
        raise reject(f"is not a valid IPv4 CIDR ({exc})") from None
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
