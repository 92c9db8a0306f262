"""Shared fixtures. Every program run goes through `offline_preview.run_program` (one engine)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = Path(__file__).resolve().parent / "examples"

# The shipped staging and prod files hold placeholders the config refuses; every test previews them
# with the deploy-specific values of tests/stacks/overrides.yaml (see offline_preview.stack_files).
os.environ.setdefault("OFFLINE_PREVIEW_OVERRIDES", str(REPO / "tests" / "stacks" / "overrides.yaml"))


@pytest.fixture
def repo() -> Path:
    return REPO


@pytest.fixture
def examples() -> Path:
    return EXAMPLES
