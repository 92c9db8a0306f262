"""The report sections every offline preview shows: monthly cost and deploy time.

`cli.ESTIMATORS` starts from `BUILTIN_ESTIMATORS`; `cli.register_estimator` adds more.
"""

from __future__ import annotations

from collections.abc import Callable

from .cost import estimate_cost
from .deploy_time import estimate_deploy
from .report import PreviewResult, Section


def cost_section(result: PreviewResult) -> Section:
    return estimate_cost(result.capture)


def deploy_section(result: PreviewResult) -> Section:
    return estimate_deploy(result.capture)


BUILTIN_ESTIMATORS: dict[str, Callable[[PreviewResult], Section]] = {
    "cost": cost_section,
    "deploy": deploy_section,
}
