"""Pulumi state backend: the state bucket, the secrets-provider key and the log archive.

Names are imported on first use (PEP 562), so importing one module of this package never loads
the others: the dynamic-provider host and the pure plans stay light, and no import cycle forms.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .component import BackendState, BackendStateArgs

_EXPORTS = {
    "BackendState": ".component",
    "BackendStateArgs": ".component",
}

__all__ = ["BackendState", "BackendStateArgs"]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name], __name__), name)
