"""Rules that tie settings to the environment, checked before any resource is registered: the
stack deploys the environment its name says."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from secure_platform.config.limits import ENVIRONMENTS, NAMESPACE
from secure_platform.config.problems import ConfigProblem

if TYPE_CHECKING:
    from secure_platform.config.rules import View


def stack_environment(stack: str) -> str | None:
    """The environment a stack's name names: `prod` for `prod` and `prod-eu` (the name, or its
    first part before `-`), None for other names (`qa`, `alice`), which may deploy any."""
    head = stack.rpartition("/")[2].partition("-")[0]
    return head if head in ENVIRONMENTS else None


def environment_checks(v: dict[str, View], environment: Any, stack: str, region: str) -> list[ConfigProblem]:
    """The rules of this module on the sections' views (see `rules.View`)."""
    ns = f"{NAMESPACE}:"
    out: list[ConfigProblem] = []

    def add(key: str, value: Any, message: str) -> None:
        out.append(ConfigProblem(f"{ns}{key}", value, message))

    named = stack_environment(stack)
    if named is not None and environment in ENVIRONMENTS and environment != named:
        add(
            "environment",
            environment,
            f"does not match stack '{stack}', which deploys {named} (a stack named {named} or {named}-<suffix> "
            f"is that environment; the policy pack and the protections follow platform:environment); "
            f"allowed in stack {stack}: {named}",
        )

    return out
