"""Generate `config_types.py` (the multi-language component's argument types) from the config model,
and `schema.json` from the SDK's analyzer.

    python -m secure_platform.provider.generate          # rewrite both
    python -m secure_platform.provider.generate --check  # exit 1 if either is stale

Pulumi's analyzer infers a component's schema from the *source* of its argument types (TypedDicts
with attribute docstrings, read with `inspect.getsource`), so the types must be a real module; they
are derived from the pydantic stack-config model (one TypedDict per section, field for field, the
descriptions and allowed values as docstrings) so a TypeScript or Go program sets exactly the keys
a `Pulumi.<stack>.yaml` sets, and validation stays the config model's.
"""

from __future__ import annotations

import argparse
import json
import sys
import types
import typing
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from secure_platform.config import SECTIONS, allowed_text

HERE = Path(__file__).resolve().parent
TYPES_FILE = HERE / "config_types.py"
SCHEMA_FILE = HERE / "schema.json"

_HEADER = '''"""Argument types of the `SecurePlatform` multi-language component: one TypedDict per stack-config
section, with the same keys (camelCase in the schema) and the same rules as `Pulumi.<stack>.yaml`.

Generated from `secure_platform.config` by `python -m secure_platform.provider.generate`; do not edit.
No `from __future__ import annotations`: the SDK's analyzer reads these annotations as real types.
"""

from typing import NotRequired, TypedDict
'''


def args_name(model: type[BaseModel]) -> str:
    """`NetworkConfig` -> `NetworkArgs` (schema type names are global in the package)."""
    return model.__name__.removesuffix("Config") + "Args"


def _unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    if get_origin(annotation) in (typing.Union, types.UnionType):
        parts = [a for a in get_args(annotation) if a is not type(None)]
        if len(parts) != 1:
            raise TypeError(f"unions other than X | None have no schema type: {annotation}")
        return parts[0], True
    return annotation, False


def python_type(annotation: Any, nested: list[type[BaseModel]]) -> str:
    """The TypedDict annotation (as source) for a config-model annotation."""
    annotation, _ = _unwrap_optional(annotation)
    origin = get_origin(annotation)
    if origin is Annotated:
        return python_type(get_args(annotation)[0], nested)
    if origin is Literal:
        kinds = {type(v) for v in get_args(annotation)}
        if len(kinds) != 1:
            raise TypeError(f"mixed literal types have no schema type: {annotation}")
        return kinds.pop().__name__
    if origin is list:
        return f"list[{python_type(get_args(annotation)[0], nested)}]"
    if origin is dict:
        key, value = get_args(annotation)
        if key is not str:
            raise TypeError(f"map keys must be strings: {annotation}")
        return f"dict[str, {python_type(value, nested)}]"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation not in nested:
            nested.append(annotation)
        return args_name(annotation)
    if annotation in (str, int, float, bool):
        return annotation.__name__
    raise TypeError(f"no schema type for {annotation!r}")


def _default_text(field: FieldInfo) -> str:
    if field.default_factory is not None:
        value = field.default_factory()  # type: ignore[call-arg]
        return "" if isinstance(value, BaseModel) else f"Default: {json.dumps(value)}."
    if field.default is PydanticUndefined or field.default is None:
        return ""
    return f"Default: {json.dumps(field.default)}."


def field_doc(model: type[BaseModel], name: str, field: FieldInfo) -> str:
    parts = [(field.description or "").strip()]
    allowed = allowed_text(field)
    if allowed:
        parts.append(f"Allowed: {allowed}.")
    parts.append(_default_text(field))
    text = " ".join(p for p in parts if p)
    if not text:
        raise ValueError(f"{model.__name__}.{name}: no description and no allowed values; document the field")
    return text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')


def _class_source(model: type[BaseModel], nested: list[type[BaseModel]]) -> str:
    doc = (model.__doc__ or "").strip() or f"The `{model.__name__}` settings."
    lines = [f"class {args_name(model)}(TypedDict):", f'    """{doc}"""', ""]
    for name, field in model.model_fields.items():
        if (field.alias or name) != _camel(name):
            raise ValueError(f"{model.__name__}.{name}: alias {field.alias!r} is not the schema name {_camel(name)!r}")
        annotation = python_type(field.annotation, nested)
        required = field.is_required() and not _unwrap_optional(field.annotation)[1]
        lines.append(f"    {name}: {annotation if required else f'NotRequired[{annotation}]'}")
        lines.append(f'    """{field_doc(model, name, field)}"""')
    return "\n".join(lines)


def _camel(name: str) -> str:
    """The analyzer's `camel_case` (pulumi/provider/experimental/util.py)."""
    head, *rest = name.split("_")
    return head + "".join(w[:1].upper() + w[1:] for w in rest)


def render_types() -> str:
    """The module source: nested types first (the analyzer resolves annotations at import)."""
    blocks: list[str] = []
    done: set[type[BaseModel]] = set()

    def emit(model: type[BaseModel]) -> None:
        if model in done:
            return
        nested: list[type[BaseModel]] = []
        source = _class_source(model, nested)
        for inner in nested:
            emit(inner)
        done.add(model)
        blocks.append(source)

    for model, _ in SECTIONS.values():
        emit(model)
    top = [
        "class SecurePlatformArgs(TypedDict):",
        '    """The whole platform of one environment: the stack configuration, section by section."""',
        "",
        "    region: str",
        '    """AWS Region of every resource (the provider\'s region). Allowed: a Region name such as eu-west-1."""',
        "    environment: str",
        '    """Environment name; prod enforces protection and Multi-AZ. Allowed: dev, staging, prod."""',
        "    protect: NotRequired[bool]",
        '    """`protect`, deletion protection and final snapshots on stateful resources. Allowed: true, false'
        ' (true in prod). Default: false."""',
    ]
    for section, (model, required) in SECTIONS.items():
        annotation = args_name(model) if required else f"NotRequired[{args_name(model)}]"
        doc = (model.__doc__ or "").strip().rstrip(".")
        top.append(f"    {section}: {annotation}")
        top.append(f'    """{doc} (`platform:{section}`)."""')
    blocks.append("\n".join(top))
    return _HEADER + "\n\n" + "\n\n\n".join(blocks) + "\n"


def render_schema() -> str:
    """The schema the SDK's analyzer infers for the hosted components (what `pulumi package add` sees)."""
    from pulumi.provider.experimental.analyzer import Analyzer
    from pulumi.provider.experimental.schema import generate_schema

    from secure_platform.provider import COMPONENTS, PACKAGE_NAME, PACKAGE_VERSION

    result = Analyzer(PACKAGE_NAME).analyze(list(COMPONENTS))
    schema = generate_schema(
        PACKAGE_NAME,
        PACKAGE_VERSION,
        None,
        result["component_definitions"],
        result["type_definitions"],
        sorted(result["dependencies"], key=lambda d: f"{d.name}{d.version}"),
    )
    return json.dumps(schema.to_json(), indent=2, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m secure_platform.provider.generate", description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if config_types.py or schema.json is stale")
    args = parser.parse_args(argv)
    types_text = render_types()
    if args.check:
        stale = [p.name for p, text in ((TYPES_FILE, types_text),) if p.read_text(encoding="utf-8") != text]
        if not stale and SCHEMA_FILE.read_text(encoding="utf-8") != render_schema():
            stale.append(SCHEMA_FILE.name)
        if stale:
            print(f"stale: {', '.join(stale)}; run python -m secure_platform.provider.generate", file=sys.stderr)
            return 1
        return 0
    TYPES_FILE.write_text(types_text, encoding="utf-8")
    # The schema depends on the freshly written types: analyze them in a new interpreter.
    import subprocess

    subprocess.run(
        [
            sys.executable,
            "-c",
            "from secure_platform.provider.generate import SCHEMA_FILE, render_schema; "
            "SCHEMA_FILE.write_text(render_schema(), encoding='utf-8')",
        ],
        check=True,
    )
    print(f"wrote {TYPES_FILE.name} and {SCHEMA_FILE.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
