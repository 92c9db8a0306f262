"""One meaning per YAML value: refuse plain scalars that PyYAML (YAML 1.1) and Pulumi's Go reader
(YAML 1.2 core schema) read differently.

The program sees a stack file through the real `pulumi` (Go, YAML 1.2: `yes` is a string, `0755`
is 755, `1e3` is a number) and through this offline preview (PyYAML, YAML 1.1: `yes` is true,
`0755` is 493, `1e3` is a string, `19:00` is 1140). Rather than guess which meaning the author had,
every plain scalar whose YAML 1.1 reading differs from its YAML 1.2 core-schema reading is refused
with its file, line and key; quoting it gives the one meaning both readers agree on.
YAML 1.2 core schema: https://yaml.org/spec/1.2.2/#1032-tag-resolution

Aliases are read as pulumi's reader (gopkg.in/yaml.v3) reads them: one that refers to a value
containing it, or aliases that expand to an excessive number of values (a "billion laughs" in a
pull request's stack file), make the file invalid rather than hang or crash the preview.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import yaml

_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)

_TAG = "tag:yaml.org,2002:"


class WrittenFloat(float):
    """A number as the stack file wrote it: `1.30` stays `1.30` (a float alone would say `1.3`),
    so a message can show the user's own text, and tell them to quote it."""

    written: str

    def __new__(cls, value: float, written: str) -> WrittenFloat:
        number = super().__new__(cls, value)
        number.written = written
        return number


_JSON_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")


class WrittenLoader(yaml.SafeLoader):
    """PyYAML's safe loader, keeping the text of every plain float (`WrittenFloat`)."""

    def construct_yaml_float(self, node: yaml.Node) -> Any:  # type: ignore[override]
        value = super().construct_yaml_float(node)  # type: ignore[arg-type]
        text = str(node.value)
        return WrittenFloat(value, text) if math.isfinite(value) and _JSON_NUMBER.fullmatch(text) else value


WrittenLoader.add_constructor(_TAG + "float", WrittenLoader.construct_yaml_float)


def to_json(value: Any) -> str:
    """`value` as JSON, a `WrittenFloat` as its text (JSON keeps `1.30` as written; the program's
    reader, `json.loads(..., parse_float=...)`, gets it back)."""
    if isinstance(value, WrittenFloat):
        return value.written
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))}: {to_json(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(to_json(v) for v in value) + "]"
    return json.dumps(value)


def from_json(text: str) -> Any:
    """JSON text, each non-integer number a `WrittenFloat` of its text."""
    return json.loads(text, parse_float=lambda written: WrittenFloat(float(written), written))


def _core(text: str) -> tuple[str, Any]:
    """The YAML 1.2 core-schema reading of a plain scalar: (tag, value)."""
    if _NULL.match(text):
        return "null", None
    if _BOOL.match(text):
        return "bool", text.lower() == "true"
    if _INT.match(text):
        return "int", int(text, 0) if text.startswith(("0o", "0x")) else int(text)
    if _FLOAT.match(text):
        lowered = text.lower()
        return "float", float(lowered.replace(".inf", "inf").replace(".nan", "nan"))
    return "str", text


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


def _describe(tag: str, value: Any) -> str:
    return {"str": f"the string {value!r}", "null": "null"}.get(tag, f"the {tag} {value!r}")


MAX_EXPANDED_VALUES = 100_000
"""Values a document may stand for once its aliases are expanded; real stack files hold hundreds."""


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def check_aliases(root: yaml.Node) -> None:
    """Raise `yaml.MarkedYAMLError` for an alias to a value that contains it, or for aliases that
    expand past `MAX_EXPANDED_VALUES`. Each distinct node is visited once (no expansion here)."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            on_path.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            if sizes[key] > MAX_EXPANDED_VALUES:
                raise yaml.MarkedYAMLError(
                    problem=f"this value stands for more than {MAX_EXPANDED_VALUES:,} values once its aliases "
                    "are expanded (excessive aliasing; pulumi's YAML reader refuses it too)",
                    problem_mark=node.start_mark,
                )
            continue
        if key in sizes:
            continue
        on_path.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in on_path:
                raise yaml.MarkedYAMLError(
                    problem="an alias refers to a value that contains it (it would never end)",
                    problem_mark=child.start_mark,
                )
            if id(child) not in sizes:
                stack.append((child, False))


def ambiguous_scalars(text: str) -> list[str]:
    """`line N: key: problem` for every plain scalar read differently by YAML 1.1 and 1.2, and for
    every key given twice in one mapping. Raises `yaml.YAMLError` for invalid YAML, including
    aliases that `check_aliases` refuses."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if root is not None:
        check_aliases(root)
    constructor = yaml.SafeLoader("")
    problems: list[str] = []
    checked: set[int] = set()

    def check(node: yaml.Node, where: str) -> None:
        if id(node) in checked:
            return  # an alias: its value was checked where it was anchored
        checked.add(id(node))
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value in seen:
                    # PyYAML keeps the last value silently; pulumi's Go reader refuses the file.
                    problems.append(
                        f"line {key.start_mark.line + 1}: {where or '(top)'}: key `{key.value}` is given twice; "
                        "give it once"
                    )
                if isinstance(key, yaml.ScalarNode):
                    seen.add(key.value)
                if key.tag != _TAG + "merge":  # `<<: *base` merges a mapping; yaml.v3 reads it too
                    check(key, where)
                name = key.value if isinstance(key, yaml.ScalarNode) else "?"
                check(value, f"{where}.{name}" if where else str(name))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                check(item, f"{where}[{i}]")
        elif (
            isinstance(node, yaml.ScalarNode)
            and node.style is None
            # An explicit tag (`!!str 1.35`) means the same to both readers.
            and node.tag == constructor.resolve(yaml.ScalarNode, node.value, (True, False))
        ):
            old_tag = node.tag.removeprefix(_TAG)
            old_value = constructor.construct_object(node, deep=True)
            new_tag, new_value = _core(node.value)
            if old_tag != new_tag or not _same(old_value, new_value):
                problems.append(
                    f"line {node.start_mark.line + 1}: {where or '(top)'}: `{node.value}` is "
                    f"{_describe(old_tag, old_value)} to YAML 1.1 (PyYAML) but {_describe(new_tag, new_value)} "
                    f'to YAML 1.2 (pulumi); quote it ("{node.value}") or write it unambiguously'
                )

    if root is not None:
        check(root, "")
    return problems
