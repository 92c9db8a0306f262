"""What the cost tests share: the month's hours, the shipped price table, an exact-enough
comparison, one line of an estimate by name, and a hand-made `CapturedResource` for synthetic captures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from offline_preview.capture import CapturedResource
from offline_preview.cost import CostEstimate, CostLine, PriceTable
from tests.offline.synthetic import captured_resource

HERE = Path(__file__).resolve().parent
"""The program directory the inline programs run in (they have no files of their own)."""
H = 730.0
"""Hours in the month every estimate prices."""
PRICES = PriceTable.load()


def approx(value: float) -> Any:
    return pytest.approx(value, rel=1e-9, abs=1e-9)


def line_of(est: CostEstimate, name: str, type_: str | None = None) -> CostLine:
    [line] = [ln for ln in est.lines if ln.name == name and (type_ is None or ln.type == type_)]
    return line


def resource(type_: str, name: str, inputs: dict[str, Any] | None = None, **kw: Any) -> CapturedResource:
    """A registration built by hand, so a test states exactly the inputs the pricing reads."""
    return captured_resource(type_, name, inputs=inputs or {}, **kw)
