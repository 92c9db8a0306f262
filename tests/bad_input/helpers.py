"""Run bad input the way a user gives it: a stack file on disk and the command line, then check
the answer (exit 2, one message naming the key or file and what is allowed, no traceback, no
secret) and that nothing was registered before a configuration error."""

from __future__ import annotations

import contextlib
import contextvars
import json
import runpy
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pulumi
import yaml
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime.stack import wait_for_rpcs
from pulumi.runtime.sync_await import _sync_await

from offline_preview.cli import main
from secure_platform.config import ConfigError
from secure_platform.config.stack_files import stack_file_values

REPO = Path(__file__).resolve().parents[2]
CIPHERTEXT = "AAABAKxhbXBsZS1jaXBoZXJ0ZXh0"  # a `secure:` value as the stack file stores it


def merge(base: Any, change: Any) -> Any:
    """`change` over `base`: objects key by key; None deletes the key."""
    if isinstance(base, dict) and isinstance(change, dict):
        out = dict(base)
        for k, v in change.items():
            if v is None:
                out.pop(k, None)
            else:
                out[k] = merge(base.get(k), v)
        return out
    return change


def stack_values(stack: str, change: Mapping[str, Any]) -> dict[str, Any]:
    """The shipped stack file (with the test overrides) and `change` merged over it."""
    return merge(stack_file_values(REPO / f"Pulumi.{stack}.yaml", stack), dict(change))


def _encrypt(value: Any) -> Any:
    if value == "[secret]":
        return {"secure": CIPHERTEXT}
    if isinstance(value, dict):
        return {k: _encrypt(v) for k, v in value.items()}
    return value


def write_stack_file(directory: Path, stack: str, values: Mapping[str, Any], secret_keys: tuple[str, ...] = ()) -> Path:
    data = {k: (_encrypt(v) if k in secret_keys else v) for k, v in values.items()}
    path = directory / f"Pulumi.{stack}.yaml"
    path.write_text(yaml.safe_dump({"config": data}, sort_keys=False), encoding="utf-8")
    return path


def run_cli(argv: list[str], capsys: Any) -> tuple[int, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out + err


def assert_user_error(code: int, text: str, *fragments: str) -> None:
    assert code == 2, text
    assert "Traceback" not in text and 'File "' not in text, text
    # A location, when given, is the program's own line, never the library's validator or the tool.
    assert "(at secure_platform/" not in text and "(at offline_preview/" not in text, text
    for fragment in fragments:
        assert fragment in text, (fragment, text)


class CountingMonitor(pulumi_mocks.MockMonitor):
    """The SDK's mock monitor, counting every resource registration request."""

    registrations = 0

    def RegisterResource(self, request: Any) -> Any:
        CountingMonitor.registrations += 1
        return super().RegisterResource(request)


class _Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict]:
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list | None]:
        return {}, None


def _settled() -> int:
    """Registrations are asynchronous: count once every request the program made has arrived."""
    with contextlib.suppress(Exception):
        _sync_await(wait_for_rpcs())
    return CountingMonitor.registrations


def registrations_before_config_error(
    stack: str,
    values: Mapping[str, Any],
    secret_keys: tuple[str, ...] = (),
    *,
    expect_error: bool = True,
    project: str = "platform",
) -> int:
    """Run the stack program under a counting mock monitor; it must raise ConfigError. Returns
    how many resources it asked to register first (`expect_error=False`: however it ends).
    The SDK keeps its settings in context variables: a fresh context leaves no state behind."""
    return contextvars.Context().run(_count, stack, values, secret_keys, expect_error, project)


def _count(
    stack: str, values: Mapping[str, Any], secret_keys: tuple[str, ...], expect_error: bool, project: str
) -> int:
    mocks = _Mocks()
    CountingMonitor.registrations = 0
    # `pulumi up` semantics: the update run refuses deploy blockers too (a preview only warns).
    pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=False, monitor=CountingMonitor(mocks))
    flat = {k: v if isinstance(v, str) else json.dumps(v) for k, v in values.items()}
    pulumi.runtime.set_all_config(flat, list(secret_keys))
    sys.path.insert(0, str(REPO))
    try:
        runpy.run_path(str(REPO / "__main__.py"), run_name="__main__")
    except ConfigError:
        return CountingMonitor.registrations
    except Exception:
        if expect_error:
            raise
        return CountingMonitor.registrations
    finally:
        sys.path.remove(str(REPO))
        pulumi.runtime.set_all_config({}, [])
    if not expect_error:
        return _settled()
    raise AssertionError("the program ran without a ConfigError")
