"""Read a Pulumi project (`Pulumi.yaml`) and a stack's config file the way the CLI does."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from secure_platform.config.yaml_meaning import WrittenLoader, ambiguous_scalars, to_json


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
    stack_dir: Path
    """Where its `Pulumi.<stack>.yaml` files are: Pulumi.yaml's `stackConfigDir` (relative to it),
    else beside Pulumi.yaml."""


@dataclass(frozen=True)
class StackSettings:
    config: dict[str, str]
    """`namespace:key` -> value as the Python SDK sees it (objects and lists as JSON text)."""
    secret_keys: list[str] = field(default_factory=list)
    environments: tuple[str, ...] = ()
    """Pulumi ESC environments the stack file imports (`environment:`): their values come from
    Pulumi Cloud, which the offline preview cannot reach."""


SECRET_PLACEHOLDER = "[secret]"  # noqa: S105 - stands in for undecryptable values


OVERRIDES_ENV = "OFFLINE_PREVIEW_OVERRIDES"
"""A YAML file of `<stack>: {namespace:key: value}` merged over the stack files (`--overrides`)."""


def load_yaml_file(path: Path) -> Any:
    """A YAML file as PyYAML reads it, refused when a plain value means something else to the
    real `pulumi` (see `yaml_meaning`) or when it is not a readable text file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a directory; allowed: a YAML file") from None
    except UnicodeDecodeError:
        raise UserError(f"{path}: is not a UTF-8 text file; allowed: a YAML file") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot be read ({exc.strerror or exc}); allowed: a readable YAML file") from None
    try:
        ambiguous = ambiguous_scalars(text)
        data = yaml.load(text, Loader=WrittenLoader)  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as exc:
        raise UserError(f"{path}: not valid YAML ({yaml_error(exc)})") from None
    except RecursionError:
        raise UserError(f"{path}: values nested too deeply to read; allowed: a YAML file of usual depth") from None
    if ambiguous:
        raise UserError(f"{path}: values with two meanings:\n  - " + "\n  - ".join(ambiguous))
    odd = _not_json(data, "")
    if odd:
        where, kind = odd
        raise UserError(
            f"{path}: {where or '(top)'}: is a YAML {kind}, which a stack's config cannot hold; allowed: "
            "text, numbers, true/false, lists and mappings"
        )
    return data


def _not_json(value: Any, where: str) -> tuple[str, str] | None:
    """The first value (its key path and kind) that is not what JSON holds: `!!set`, `!!binary`,
    `!!timestamp` and `!!omap` values, which pulumi's config cannot carry either."""
    if isinstance(value, dict):
        for k, v in value.items():
            found = _not_json(v, f"{where}.{k}" if where else str(k))
            if found:
                return found
        return None
    if isinstance(value, list):
        for i, v in enumerate(value):
            found = _not_json(v, f"{where}[{i}]")
            if found:
                return found
        return None
    if value is None or isinstance(value, (str, bool, int, float)):
        return None
    kinds = {set: "!!set", bytes: "!!binary", tuple: "!!pairs"}
    return where, kinds.get(type(value), "!!timestamp" if hasattr(value, "isoformat") else type(value).__name__)


def yaml_error(exc: yaml.YAMLError) -> str:
    """PyYAML's error in one line: where, and what it expected."""
    mark = getattr(exc, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    return where + " ".join(str(getattr(exc, "problem", None) or exc).split())


def _merge(base: Any, extra: Any) -> Any:
    """`extra` over `base`: objects merged key by key, anything else replaced."""
    if isinstance(base, dict) and isinstance(extra, dict):
        return {**base, **{k: _merge(base.get(k), v) for k, v in extra.items()}}
    return extra


def read_overrides(path: Path | None, stack: str, *, from_environment: bool = True) -> dict[str, Any]:
    """The values `path` (or the file named by $OFFLINE_PREVIEW_OVERRIDES) sets for `stack`."""
    if path is None and not from_environment:
        return {}
    if path is None:
        env = os.environ.get(OVERRIDES_ENV)
        if not env:
            return {}
        path = Path(env)
    data = load_yaml_file(path) or {}
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise UserError(f"{path}: expected a mapping of stack name -> {{namespace:key: value}}")
    return dict(data.get(stack) or {})


_PROJECT_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")


def read_project(directory: Path) -> Project:
    directory = directory.resolve()
    if not directory.is_dir():
        raise UserError(f"{directory}: program directory not found")
    if (directory / "PulumiPolicy.yaml").exists():
        # A pack's `__main__.py` constructs `PolicyPack(...)`, which serves the analyzer over gRPC
        # and sleeps until it is killed (pulumi_policy/policy.py): run as a program, it never ends.
        raise UserError(
            f"{directory}: is a policy pack (it has PulumiPolicy.yaml), not a Pulumi program; allowed: a "
            "program directory (a pack is given with --policy-pack)"
        )
    manifest = directory / "Pulumi.yaml"
    data = load_yaml_file(manifest) if manifest.exists() else None
    if manifest.exists() and not isinstance(data, dict):
        raise UserError(f"{manifest}: expected a mapping with at least `name`")
    if data is not None:
        # As pulumi reads a project file (its project JSON schema; tokens.ValidateProjectName):
        # `name` and `runtime` are required, and a name is alphanumerics, `-`, `_` and `.`.
        given = data.get("name")
        if not isinstance(given, str) or not _PROJECT_NAME.match(given):
            shown = "missing" if given is None else f"{given!r}"
            raise UserError(
                f"{manifest}: `name` is {shown}; allowed: the project's name (letters, digits, '-', '_', '.', "
                "at most 100 characters)"
            )
        if data.get("runtime") is None:
            raise UserError(f"{manifest}: `runtime` is missing; allowed: runtime: python")
    name = str((data or {}).get("name") or directory.name)
    runtime = (data or {}).get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if runtime_name not in (None, "python"):
        raise UserError(f"{manifest}: runtime is {runtime_name!r}; the offline preview runs Python programs only")
    main = directory
    if data and data.get("main"):
        main = (directory / str(data["main"])).resolve()
        # pulumi's getPwdMain (pkg/engine/project.go): "project 'main' must be a relative path" and
        # "... must be a subfolder".
        if Path(str(data["main"])).is_absolute() or (main != directory and directory not in main.parents):
            raise UserError(
                f"{manifest}: `main` is {data['main']!r}, outside the project or absolute; allowed: a relative "
                "path to a file or folder inside the directory of Pulumi.yaml (pulumi refuses any other)"
            )
    if main.is_dir():
        main = main / "__main__.py"
    if not main.exists():
        raise UserError(f"{main}: the program's entry file was not found")
    configured = (data or {}).get("stackConfigDir")
    if configured is not None and (not isinstance(configured, str) or not configured or Path(configured).is_absolute()):
        raise UserError(f"{manifest}: `stackConfigDir` is {configured!r}; allowed: a folder relative to Pulumi.yaml")
    stack_dir = directory / configured if configured is not None else directory
    return Project(name=name, directory=directory, main=main, stack_dir=stack_dir)


def _as_sdk_value(value: Any) -> str:
    """The Python SDK receives every config value as a string; objects and lists as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return to_json(value)


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


def stack_names(folder: Path) -> list[str]:
    """Stacks that have a `Pulumi.<stack>.yaml` in `folder` (a project's `stack_dir`), in file-name
    order."""
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in folder.glob("Pulumi.*.yaml"))


def stack_file_values(path: Path, stack: str, overrides: Path | None = None) -> dict[str, Any]:
    """The `config:` mapping of a stack file as written (objects stay objects), with the overrides
    for `stack` merged over it."""
    data = load_yaml_file(path) or {}
    values = data.get("config") if isinstance(data, dict) else None
    if not isinstance(values, dict):
        raise UserError(f"{path}: expected a mapping with a `config:` section")
    return _merge(values, read_overrides(overrides, stack))


def read_stack_config(
    project: Project,
    stack: str,
    config_file: Path | None = None,
    overrides: Path | None = None,
    *,
    env_overrides: bool = True,
) -> StackSettings:
    """Config of `stack` from `Pulumi.<stack>.yaml` (or `config_file`), plus project-level defaults.

    Encrypted (`secure:`) values cannot be decrypted without the stack's secrets provider; they are
    passed to the program as the placeholder "[secret]" and marked secret, as `pulumi preview`
    would mark them. `overrides` (else $OFFLINE_PREVIEW_OVERRIDES) is merged over the file: how
    tests preview the shipped staging and prod files, whose deploy-specific values (domain, zone,
    e-mails, runner security groups) are placeholders the config refuses. Tools that act on the
    real stack (preflight) pass `env_overrides=False`: they judge the file as `pulumi` will read it.
    """
    path = config_file or project.stack_dir / f"Pulumi.{stack}.yaml"
    if config_file is None and not path.exists():
        others = stack_names(project.stack_dir)
        if others:
            # Offline, the stack files are the only record of which stacks exist: a name with no
            # file is a typo, not a stack without config (which would fail on every required key).
            raise UserError(
                f"no {path.name} in {path.parent} (stacks: {', '.join(others)}); "
                "pass --config FILE to preview with another stack file"
            )
    data = load_yaml_file(path) if (config_file is not None or path.exists()) else {}
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise UserError(f"{path}: expected a mapping with a `config:` section")
    values = data.get("config") or {}
    if not isinstance(values, dict):
        raise UserError(f"{path}: `config:` must be a mapping of namespace:key to value")
    values = _merge(values, read_overrides(overrides, stack, from_environment=env_overrides))

    # Project-level config (Pulumi.yaml `config:`): a declaration with `default:` or `value:`, or a
    # value written as is (`aws:region: us-west-2`), which every stack gets unless it sets its own.
    manifest = project.directory / "Pulumi.yaml"
    defaults: dict[str, Any] = {}
    if manifest.exists():
        proj_cfg = (load_yaml_file(manifest) or {}).get("config") or {}
        if not isinstance(proj_cfg, dict):
            raise UserError(f"{manifest}: `config:` must be a mapping of key to {{default: value}} or a value")
        for key, spec in proj_cfg.items():
            full = key if ":" in key else f"{project.name}:{key}"
            if isinstance(spec, dict):
                if "default" in spec or "value" in spec:
                    defaults[full] = spec.get("value", spec.get("default"))
            elif spec is not None:
                defaults[full] = spec

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
    imported = data.get("environment")
    environments = tuple(str(e) for e in imported) if isinstance(imported, list) else ()
    return StackSettings(config=config, secret_keys=secret_keys, environments=environments)


def read_stack_outputs(path: str | Path) -> dict[str, dict[str, Any]]:
    """`--stack-outputs FILE`: `{"<stack name as the program references it>": {"<output>": value}}`."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{path}: stack outputs file not found") from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a directory; allowed: a JSON file of stack outputs") from None
    except UnicodeDecodeError:
        raise UserError(f"{path}: is not a UTF-8 text file; allowed: a JSON file of stack outputs") from None
    except RecursionError:
        raise UserError(f"{path}: nested too deeply to read; allowed: a JSON file of stack outputs") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except ValueError as exc:
        raise UserError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise UserError(
            f'{path}: expected a JSON object of stack name -> {{output: value}}, e.g. {{"org/net/prod": {{"vpcId": "vpc-1"}}}}'
        )
    return {str(k): dict(v) for k, v in data.items()}
