"""One ECR repository per service, with its lifecycle and pull grants.

Names are imported on first use (PEP 562), so importing one module of this package never loads
the others: the dynamic-provider host and the pure plans stay light, and no import cycle forms.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .component import Ecr, EcrArgs

_EXPORTS = {
    "Ecr": ".component",
    "EcrArgs": ".component",
}

__all__ = ["Ecr", "EcrArgs"]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name], __name__), name)
