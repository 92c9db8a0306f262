"""Compute: ECS Fargate (`ecs/`) or EKS (`eks/`) behind the platform's load balancer.

Names are imported on first use (PEP 562), so importing one module of this package never loads
the others: the dynamic-provider host and the pure plans stay light, and no import cycle forms.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .component import Compute, ComputeArgs

_EXPORTS = {
    "Compute": ".component",
    "ComputeArgs": ".component",
}

__all__ = ["Compute", "ComputeArgs"]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name], __name__), name)
