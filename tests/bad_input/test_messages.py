"""How a configuration problem reads: the key as the user wrote it, the value as they wrote it
(shortened when long, never when secret) and what is allowed, with separators a reader can parse."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import Any

import pytest

from secure_platform.config import ConfigError, parse_config

from .helpers import stack_values


def _raw(values: Mapping[str, Any]) -> dict[str, str]:
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in values.items()}


def problems(
    change: Mapping[str, Any], *, stack: str = "dev", secret_keys: Collection[str] = (), raw: Mapping[str, str] = {}
) -> list[str]:
    """The problem lines of the shipped stack file with `change` merged over it (and `raw` values
    as the SDK hands them over)."""
    with pytest.raises(ConfigError) as err:
        parse_config({**_raw(stack_values(stack, change)), **raw}, stack=stack, secret_keys=secret_keys)
    return [str(p) for p in err.value.problems]


def test_an_unknown_key_without_a_close_match_separates_the_allowed_keys():
    [line] = problems({"platform:zzz": 1})
    assert line.startswith("platform:zzz: is not a known key; allowed keys: environment, protect")
