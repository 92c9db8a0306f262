"""One meaning per YAML value: refuse plain scalars that PyYAML (YAML 1.1) and Pulumi's Go reader
(YAML 1.2 core schema) read differently.

The program sees a stack file through the real `pulumi` (Go, YAML 1.2: `yes` is a string, `0755`
is 755, `1e3` is a number) and through this offline preview (PyYAML, YAML 1.1: `yes` is true,
`0755` is 493, `1e3` is a string, `19:00` is 1140). Rather than guess which meaning the author had,
every plain scalar whose YAML 1.1 reading differs from its YAML 1.2 core-schema reading is refused
with its file, line and key; quoting it gives the one meaning both readers agree on.
YAML 1.2 core schema: https://yaml.org/spec/1.2.2/#1032-tag-resolution
"""

from __future__ import annotations

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


def ambiguous_scalars(text: str) -> list[str]:
    """`line N: key: problem` for every plain scalar read differently by YAML 1.1 and 1.2, and for
    every key given twice in one mapping."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    constructor = yaml.SafeLoader("")
    problems: list[str] = []

    def check(node: yaml.Node, where: str) -> None:
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
                check(key, where)
                name = key.value if isinstance(key, yaml.ScalarNode) else "?"
                check(value, f"{where}.{name}" if where else str(name))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                check(item, f"{where}[{i}]")
        elif isinstance(node, yaml.ScalarNode) and node.style is None:
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
