"""How configuration problems are reported: one line per problem naming the full key, the bad
value (never a secret) and what is allowed; all of a stack's problems in one `ConfigError`."""

from __future__ import annotations

import dataclasses
import difflib
import json
import re
import types
import typing
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, get_args, get_origin

import pulumi
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from secure_platform.config.schema import (
    Text,
    aliases,
    allowed_text,
    field_at,
    keys_of,
    model_at,
    number_text,
    unwrap_model,
)

MAX_TEXT = 60
"""Characters of a value shown in a message; the rest is counted, not printed."""
MAX_ITEMS = 5
"""Items of a list (or entries of an object) shown in a message; the rest are counted."""


def shown(value: Any) -> str:
    """A value as a message shows it: JSON-like, long text and long lists shortened, so one bad
    value cannot flood a log."""
    if isinstance(value, str):
        text = value if len(value) <= MAX_TEXT else value[:MAX_TEXT]
        quoted = text if isinstance(value, Text) else json.dumps(text)
        if len(value) <= MAX_TEXT:
            return quoted
        return (quoted[:-1] + "…" + quoted[-1:] if not isinstance(value, Text) else quoted + "…") + (
            f" ({len(value)} characters)"
        )
    if isinstance(value, (list, tuple)):
        items = [shown(v) for v in value[:MAX_ITEMS]]
        more = f" and {len(value) - MAX_ITEMS} more" if len(value) > MAX_ITEMS else ""
        return "[" + ", ".join(items) + more + "]"
    if isinstance(value, dict):
        entries = [f"{shown(str(k))}: {shown(v)}" for k, v in list(value.items())[:MAX_ITEMS]]
        more = f" and {len(value) - MAX_ITEMS} more" if len(value) > MAX_ITEMS else ""
        return "{" + ", ".join(entries) + more + "}"
    return json.dumps(value, default=str)


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class ConfigProblem:
    """One problem: the full key, the bad value (`MISSING`: none shown) and the message.

    A message that names values (the bad items of a list, a character) writes `{name}` for each and
    passes them in `values`: they are rendered here, shortened, and hidden when the value is secret,
    so no check formats a value itself."""

    key: str
    value: Any
    message: str
    deploy_blocker: bool = False
    """A well-formed value that cannot work in a real deployment (a documentation placeholder, no
    way to reach a private API): `pulumi up` refuses it before registering anything; a preview
    reports it as a warning, so the stack can still be explored and reviewed."""
    values: Mapping[str, Any] = field(default_factory=dict)
    secret: bool = False
    """The key (or its section) is secret: neither its value nor the values its message names are
    shown."""
    templated: bool = False
    """The message writes no value as text: every value it names is in `values`. A message built
    otherwise (a rule that formats other fields' values into its text) has secret values cut out."""

    def __str__(self) -> str:
        value = "" if self.value is MISSING or self.secret else f" {shown(self.value)}"
        return f"{self.key}:{value} {self.text()}"

    def text(self) -> str:
        """The message with its values filled in (or hidden)."""
        if not self.values:
            return self.message
        fill = (lambda v: "" if isinstance(v, Text) else HIDDEN) if self.secret else shown
        return _PLACEHOLDER.sub(lambda m: fill(self.values[m[1]]) if m[1] in self.values else m[0], self.message)

    def hiding(self, secret_keys: Collection[str], secrets: Collection[str]) -> ConfigProblem:
        """This problem as a log may show it: secret when its key is (or is inside) one of
        `secret_keys`, and `secrets` (the text of every secret value) cut out of its message
        wherever a check wrote one in as text (a rule naming another field's value)."""
        secret = (
            self.secret
            or any(self.key == k or self.key.startswith((k + ".", k + "[")) for k in secret_keys)
            # A plain key whose value equals a secret one (a copy Region equal to a secret region).
            or (isinstance(self.value, (str, int, float)) and str(self.value) in secrets)
        )
        message = self.message
        for pattern in () if self.templated else _secret_patterns(secrets):
            # Placeholders stay: the values they stand for are hidden by `text()`.
            message = "".join(
                part if _PLACEHOLDER.fullmatch(part) else pattern.sub(HIDDEN, part)
                for part in re.split(r"(\{\w+\})", message)
            )
        return dataclasses.replace(self, message=message, secret=secret)


def _secret_patterns(secrets: Collection[str]) -> list[re.Pattern[str]]:
    """Whole-word patterns for secret texts; a number is also cut out of a range (`0-4`)."""
    numbers = sorted((s for s in secrets if _NUMBER.fullmatch(s)), key=len, reverse=True)
    words = sorted((s for s in secrets if not _NUMBER.fullmatch(s)), key=len, reverse=True)
    patterns = []
    if words:
        patterns.append(re.compile(rf"(?<![\w.@-])(?:{'|'.join(map(re.escape, words))})(?![\w.@-])"))
    if numbers:
        patterns.append(re.compile(rf"(?<![\w.])(?:{'|'.join(map(re.escape, numbers))})(?![\w.])"))
    return patterns


_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")

HIDDEN = "(secret, not shown)"
"""What a message shows instead of a secret value."""


def secret_texts(value: Any) -> set[str]:
    """Every piece of a (decrypted) secret value as a message could show it: its text and numbers
    (object keys are names, not values)."""
    if isinstance(value, dict):
        return {t for v in value.values() for t in secret_texts(v)}
    if isinstance(value, list):
        return {t for v in value for t in secret_texts(v)}
    if isinstance(value, bool) or value is None:
        return set()
    text = number_text(value) if isinstance(value, (int, float)) else str(value)
    return {text, json.dumps(value)} if text else set()


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()
"""Stands for a value the user did not give (shown as nothing, not as null)."""


class ConfigError(pulumi.RunError):
    """All problems with a stack's configuration, as one user-facing message."""

    def __init__(self, problems: list[ConfigProblem], stack: str = "") -> None:
        self.problems = problems
        where = f" of stack '{stack}'" if stack else ""
        lines = [f"Invalid configuration{where} ({len(problems)} problem{'s' if len(problems) != 1 else ''}):"]
        lines += [f"  - {p}" for p in problems]
        super().__init__("\n".join(lines))


# --- parsing -----------------------------------------------------------------------------------


def _path(prefix: str, loc: tuple[Any, ...]) -> str:
    out = prefix
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def unknown_key(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    hint = f"; did you mean '{close[0]}'? " if close else "; "
    return f"is not a known key{hint}allowed keys: {', '.join(choices)}"


def _expects(field: FieldInfo | None) -> str:
    """What to give for `field`: its allowed text, else its shape."""
    if field is None:
        return ""
    text = allowed_text(field)
    if text:
        return text
    nested = unwrap_model(field.annotation)
    if nested is not None:
        return f"an object with keys {keys_of(nested)}"
    annotation = field.annotation
    if get_origin(annotation) in (typing.Union, types.UnionType):
        annotation = next((a for a in get_args(annotation) if a is not type(None)), annotation)
    if get_origin(annotation) is list:
        return "a list"
    if get_origin(annotation) is dict:
        return "an object of strings"
    return {int: "a whole number", float: "a number", bool: "true or false", str: "a non-empty string"}.get(
        annotation, ""
    )


def _with_allowed(message: str, allowed: str) -> str:
    return f"{message}; allowed: {allowed}" if allowed and "allowed:" not in message else message


def problem_from_pydantic(prefix: str, model: type[BaseModel], err: Any) -> ConfigProblem:
    """One pydantic error as a problem naming the full key, the bad value and what is allowed."""
    loc = tuple(err["loc"])
    key = _path(prefix, loc)
    kind = err["type"]
    value = err.get("input", MISSING)
    if isinstance(value, dict):
        # An object is not echoed whole (it may hold anything, a token among tags): the key names
        # it, and the message the entries at fault.
        value = MISSING
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        parent = model_at(model, loc[:-1])
        # The key is the bad input; its value is not shown (a mistyped `password` must not reach logs).
        return ConfigProblem(
            key, MISSING, unknown_key(str(loc[-1]), list(aliases(parent)) if parent else []), templated=True
        )
    field = field_at(model, loc)
    if kind == "missing":
        # The field's description says what it is when its allowed text is only a shape.
        desc = (field.description or "") if field is not None and not allowed_text(field) else ""
        message = _with_allowed("is required but missing", _expects(field))
        return ConfigProblem(key, MISSING, message + (f" ({desc.rstrip('.')})" if desc else ""), templated=True)
    values: Mapping[str, Any] = {}
    bounds = {"greater_than_equal": ">=", "greater_than": ">", "less_than_equal": "<=", "less_than": "<"}
    if kind == "literal_error":
        message = "is not allowed"
        allowed = str(ctx.get("expected", ""))
    elif kind == "platform":
        message = str(ctx.get("reason", err["msg"]))
        values = ctx.get("values") or {}
        allowed = ""
    elif kind in bounds:
        message = "is out of range"
        allowed = f"{bounds[kind]} {number_text(next(iter(ctx.values())))}"
    else:
        message = {
            "int_parsing": "must be a whole number",
            "int_type": "must be a whole number",
            "int_from_float": "must be a whole number",
            "bool_parsing": "must be true or false",
            "bool_type": "must be true or false",
            "float_parsing": "must be a number",
            "float_type": "must be a number",
            "finite_number": "must be a finite number (.inf and .nan are not)",
            "string_type": "must be a string",
            "list_type": "must be a list",
            "model_type": "must be an object with camelCase keys",
            "dict_type": "must be an object with camelCase keys",
            "model_attributes_type": "must be an object with camelCase keys",
            "too_short": "is too short",
            "string_too_short": "is too short",
            "too_long": "is too long",
            "string_too_long": "is too long",
            "string_pattern_mismatch": "is not allowed",
        }.get(kind, str(err["msg"]))
        allowed = ""
    if kind == "string_type" and isinstance(value, (int, float)) and not isinstance(value, bool):
        # YAML reads an unquoted 1.30 as a number (1.3): say so, in the user's own text (a value,
        # so a secret one stays hidden).
        written = getattr(value, "written", None) or number_text(value)
        name = str(loc[-1]) if loc and isinstance(loc[-1], str) else "key"
        value = Text(written)
        message = f"is a number to YAML, not text; quote it: {name}: {{written}}"
        values = {"written": str(written)}
    elif kind in ("string_type", "literal_error", "int_type", "float_type", "bool_type") and isinstance(
        err.get("input"), dict
    ):
        # The object itself is not echoed; say what was written instead of text.
        message = f"is an object (a mapping of keys) where a single value is expected; {message}"
    if field is not None:
        allowed = _expects(field) or allowed
    return ConfigProblem(key, value, _with_allowed(message, allowed), values=values, templated=True)
