"""Shared fixtures. Every program run goes through `offline_preview.run_program` (one engine)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = Path(__file__).resolve().parent / "examples"


@pytest.fixture
def repo() -> Path:
    return REPO


@pytest.fixture
def examples() -> Path:
    return EXAMPLES


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Full-stack previews are `slow` too (`-m "not slow"` skips them; `make test` runs everything).
    First, so the `-m` selection that runs after this hook sees the marker."""
    for item in items:
        if item.get_closest_marker("stack") is not None or item.path.parent.name == "stack":
            item.add_marker(pytest.mark.slow)
