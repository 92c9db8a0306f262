"""The one error type of the Compute component: bad input named by its config key."""

from __future__ import annotations

from typing import Any

from secure_platform.config import ConfigError, ConfigProblem


class ComputeError(ConfigError, ValueError):
    """Bad Compute input: which key, which value, what is allowed.

    A `ConfigError` (a `pulumi.RunError`: `pulumi up` prints the message, no traceback) and a
    `ValueError` (for callers that build `ComputeArgs` by hand).
    """

    def __init__(self, key: str, value: Any, message: str) -> None:
        super().__init__([ConfigProblem(key, value, message)])
        self.key = key
        self.value = value
