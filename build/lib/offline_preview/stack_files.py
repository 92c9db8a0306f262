"""Read a Pulumi project (`Pulumi.yaml`) and a stack's config file the way the CLI does."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


class UserError(Exception):
    """A mistake in what the user gave us (arguments, files, config): exit code 2, no traceback."""

    capture: Any = None
    """What the program registered before the error, when a program run raised it."""


@dataclass(frozen=True)
class Project:
    name: str
    directory: Path
    main: Path
    """The program's entry file (`__main__.py`, or the `main:` of Pulumi.yaml)."""


@dataclass(frozen=True)
class StackSettings:
    config: dict[str, str]
    """`namespace:key` -> value as the Python SDK sees it (objects and lists as JSON text)."""
    secret_keys: list[str] = field(default_factory=list)


SECRET_PLACEHOLDER = "[secret]"  # noqa: S105 - stands in for undecryptable values


def _load_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{path}: file not found") from None
    except yaml.YAMLError as exc:
        raise UserError(f"{path}: not valid YAML ({exc})") from None


def read_project(directory: Path) -> Project:
    directory = directory.resolve()
    if not directory.is_dir():
        raise UserError(f"{directory}: program directory not found")
    manifest = directory / "Pulumi.yaml"
    data = _load_yaml(manifest) if manifest.exists() else None
    if manifest.exists() and not isinstance(data, dict):
        raise UserError(f"{manifest}: expected a mapping with at least `name`")
    name = str((data or {}).get("name") or directory.name)
    runtime = (data or {}).get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if runtime_name not in (None, "python"):
        raise UserError(f"{manifest}: runtime is {runtime_name!r}; the offline preview runs Python programs only")
    main = directory
    if data and data.get("main"):
        main = (directory / str(data["main"])).resolve()
    if main.is_dir():
        main = main / "__main__.py"
    if not main.exists():
        raise UserError(f"{main}: the program's entry file was not found")
    return Project(name=name, directory=directory, main=main)


def _as_sdk_value(value: Any) -> str:
    """The Python SDK receives every config value as a string; objects and lists as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)


def _is_secure(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"secure"}


def _contains_secure(value: Any) -> bool:
    if _is_secure(value):
        return True
    if isinstance(value, dict):
        return any(_contains_secure(v) for v in value.values())
    if isinstance(value, list):
        return any(_contains_secure(v) for v in value)
    return False


def _mask_secure(value: Any) -> Any:
    if _is_secure(value):
        return SECRET_PLACEHOLDER
    if isinstance(value, dict):
        return {k: _mask_secure(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_secure(v) for v in value]
    return value


def stack_names(directory: Path) -> list[str]:
    """Stacks that have a `Pulumi.<stack>.yaml` in the program directory, in file-name order."""
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in directory.glob("Pulumi.*.yaml"))


def read_stack_config(project: Project, stack: str, config_file: Path | None = None) -> StackSettings:
    """Config of `stack` from `Pulumi.<stack>.yaml` (or `config_file`), plus project-level defaults.

    Encrypted (`secure:`) values cannot be decrypted without the stack's secrets provider; they are
    passed to the program as the placeholder "[secret]" and marked secret, as `pulumi preview`
    would mark them.
    """
    path = config_file or project.directory / f"Pulumi.{stack}.yaml"
    if config_file is None and not path.exists():
        others = stack_names(project.directory)
        if others:
            # Offline, the stack files are the only record of which stacks exist: a name with no
            # file is a typo, not a stack without config (which would fail on every required key).
            raise UserError(
                f"no {path.name} in {project.directory} (stacks: {', '.join(others)}); "
                "pass --config FILE to preview with another stack file"
            )
    data = _load_yaml(path) if (config_file is not None or path.exists()) else {}
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise UserError(f"{path}: expected a mapping with a `config:` section")
    values = data.get("config") or {}
    if not isinstance(values, dict):
        raise UserError(f"{path}: `config:` must be a mapping of namespace:key to value")

    # Project-level defaults (Pulumi.yaml `config:` with `default:` or `value:`).
    manifest = project.directory / "Pulumi.yaml"
    defaults: dict[str, Any] = {}
    if manifest.exists():
        proj_cfg = (_load_yaml(manifest) or {}).get("config") or {}
        for key, spec in proj_cfg.items():
            full = key if ":" in key else f"{project.name}:{key}"
            if isinstance(spec, dict) and ("default" in spec or "value" in spec):
                defaults[full] = spec.get("value", spec.get("default"))

    config: dict[str, str] = {}
    secret_keys: list[str] = []
    for key, value in {**defaults, **values}.items():
        key = str(key)
        full = key if ":" in key else f"{project.name}:{key}"
        if full.startswith("pulumi:"):
            continue
        if _contains_secure(value):
            secret_keys.append(full)
        config[full] = _as_sdk_value(_mask_secure(value))
    return StackSettings(config=config, secret_keys=secret_keys)


def read_stack_outputs(path: str | Path) -> dict[str, dict[str, Any]]:
    """`--stack-outputs FILE`: `{"<stack name as the program references it>": {"<output>": value}}`."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{path}: stack outputs file not found") from None
    except ValueError as exc:
        raise UserError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise UserError(
            f'{path}: expected a JSON object of stack name -> {{output: value}}, e.g. {{"org/net/prod": {{"vpcId": "vpc-1"}}}}'
        )
    return {str(k): dict(v) for k, v in data.items()}
