"""The report sections every offline preview shows: monthly cost and deploy time.

`cli.ESTIMATORS` starts from `BUILTIN_ESTIMATORS`; `cli.register_estimator` adds more. An
estimator that fails shows as a section saying so, instead of taking the whole preview (and its
policy findings) down with it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.markup import escape

from .cost import estimate_cost
from .deploy_time import estimate_deploy
from .report import PreviewResult, Section


@dataclass
class FailedSection:
    name: str
    error: str

    def to_json(self) -> dict[str, Any]:
        return {"error": self.error}

    def to_markdown(self) -> str:
        return f"> :warning: the {self.name} estimate failed: {self.error}"

    def __rich__(self) -> Any:
        return f"[yellow]The {escape(self.name)} estimate failed: {escape(self.error)}[/yellow]"


def _guarded(name: str, estimate: Callable[[PreviewResult], Section]) -> Callable[[PreviewResult], Section]:
    def run(result: PreviewResult) -> Section:
        try:
            return estimate(result)
        except Exception as exc:  # noqa: BLE001 - reported in the section; the preview itself stands
            return FailedSection(name, f"{type(exc).__name__}: {exc}")

    return run


def cost_section(result: PreviewResult) -> Section:
    return estimate_cost(result.capture)


def deploy_section(result: PreviewResult) -> Section:
    return estimate_deploy(result.capture)


BUILTIN_ESTIMATORS: dict[str, Callable[[PreviewResult], Section]] = {
    "cost": _guarded("cost", cost_section),
    "deploy": _guarded("deploy", deploy_section),
}
