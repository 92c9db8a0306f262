"""Generate the README's configuration reference from the config model and the stack files.

`python -m secure_platform.config_docs` rewrites the table between the README's markers; a test fails
when the README is stale, so the documented API cannot drift from the code.
"""

from __future__ import annotations

import json
import re
import sys
import types
import typing
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import yaml
from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from secure_platform.config import ALLOWED_REGION, NAMESPACE, SECTIONS, allowed_text
from secure_platform.config.loader import ALLOWED_ACCOUNTS

START = "<!-- config-reference:start -->"
END = "<!-- config-reference:end -->"
STACKS = ("dev", "staging", "prod")
REPO = Path(__file__).resolve().parent.parent


def _type_name(annotation: Any) -> str:
    origin = get_origin(annotation)
    if origin is Literal:
        return "string"
    if origin in (typing.Union, types.UnionType):
        parts = [a for a in get_args(annotation) if a is not type(None)]
        return f"{_type_name(parts[0])} (optional)"
    if origin is list:
        return f"list of {_type_name(get_args(annotation)[0])}"
    if origin is dict:
        return "map of string"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "object"
    return {int: "integer", float: "number", bool: "boolean", str: "string"}.get(annotation, str(annotation))


def _cell(text: str) -> str:
    """Table-safe: pipes escaped, and `<name>` placeholders not taken for HTML tags."""
    return re.sub(r"<(?=[A-Za-z/])", "&lt;", text.replace("|", "\\|"))


def _default(field: Any) -> str:
    if field.default_factory is not None:
        value = field.default_factory()
        if isinstance(value, BaseModel):
            return "(see below)"
        return f"`{json.dumps(value)}`"
    if field.default is PydanticUndefined:
        return "**required**"
    if field.default is None:
        return "none"
    return f"`{json.dumps(field.default)}`"


def _stack_values() -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for stack in STACKS:
        data = yaml.safe_load((REPO / f"Pulumi.{stack}.yaml").read_text()) or {}
        out[stack] = data.get("config") or {}
    return out


def _lookup(values: dict[str, Any], key: str) -> str:
    section, _, rest = key.partition(".")
    value: Any = values.get(f"{NAMESPACE}:{section}")
    for part in rest.split(".") if rest else []:
        value = value.get(part) if isinstance(value, dict) else None
    if value is None:
        return ""
    if isinstance(value, dict):
        return ""
    text = json.dumps(value) if not isinstance(value, str) else value
    return f"`{text}`"


def _rows(model: type[BaseModel], prefix: str, values: dict[str, dict[str, Any]]) -> list[str]:
    rows: list[str] = []
    for name, field in model.model_fields.items():
        key = f"{prefix}.{field.alias or name}"
        type_name = _type_name(field.annotation)
        # The same text the validation errors show (literal values, bounds, the validators' rules).
        allowed = _cell(allowed_text(field, code=True))
        env = " / ".join(_lookup(values[s], key) or "-" for s in STACKS)
        nested = next(
            (
                a
                for a in (field.annotation, *get_args(field.annotation))
                if isinstance(a, type) and issubclass(a, BaseModel)
            ),
            None,
        )
        if nested is not None:
            rows += _rows(nested, key, values)
            continue
        desc = (field.description or "").replace("|", "\\|")
        rows.append(f"| `{NAMESPACE}:{key}` | {type_name} | {_default(field)} | {allowed} | {env} | {desc} |")
    return rows


def _account_cell(value: object) -> str:
    return f"`{value}`" if value else "-"


def render_reference() -> str:
    values = _stack_values()
    lines = [
        "| key | type | default | allowed | dev / staging / prod | description |",
        "|---|---|---|---|---|---|",
        f"| `aws:region` | string | **required** | {_cell(ALLOWED_REGION)} | "
        + " / ".join(f"`{values[s].get('aws:region', '')}`" for s in STACKS)
        + " | AWS region of the stack. |",
        f"| `aws:allowedAccountIds` | list of string | any account | {_cell(ALLOWED_ACCOUNTS)} | "
        + " / ".join(_account_cell(values[s].get("aws:allowedAccountIds")) for s in STACKS)
        + " | The accounts every AWS provider of the stack may act in: a run with another account's "
        "credentials stops before it changes anything, and the policy pack trusts these accounts "
        "(`no-untrusted-account-access`). Set it to the stack's account before the first deploy. |",
        "| `platform:environment` | string | **required** | `dev`, `staging`, `prod` | "
        + " / ".join(f"`{values[s].get('platform:environment', '')}`" for s in STACKS)
        + " | Environment name; prod enforces protection and Multi-AZ. A stack named `dev`, `staging` or `prod`, "
        "or one of them then `-`, `_` or `.` and a suffix (`prod-eu`), in any case, or `production`/`development`, must set that environment; other stack names "
        "(`qa`) may set any. |",
        "| `platform:protect` | boolean | `false` | `true` in prod | "
        + " / ".join(f"`{json.dumps(values[s].get('platform:protect'))}`" for s in STACKS)
        + " | `protect`, deletion protection and final snapshots on stateful resources. |",
    ]
    for section, (model, required) in SECTIONS.items():
        marker = "" if required else " (optional section)"
        lines.append(f"| **`{NAMESPACE}:{section}`**{marker} | object | | | | {(model.__doc__ or '').strip()} |")
        lines += _rows(model, section, values)
    return "\n".join(lines)


def update_readme(readme: Path = REPO / "README.md") -> bool:
    """Rewrite the reference in place; True if the file changed."""
    text = readme.read_text(encoding="utf-8")
    if START not in text or END not in text:
        raise SystemExit(f"{readme}: markers {START} / {END} not found")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    new = f"{head}{START}\n{render_reference()}\n{END}{tail}"
    if new != text:
        readme.write_text(new, encoding="utf-8")
        return True
    return False


if __name__ == "__main__":
    changed = update_readme()
    print("README config reference updated" if changed else "README config reference is current")
    sys.exit(0)
