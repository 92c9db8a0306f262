"""Shared fixtures. Every program run goes through `offline_preview.run_program` (one engine)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.stack_runs import SESSION_DIR_VARIABLE

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = Path(__file__).resolve().parent / "examples"

# The shipped staging and prod files hold placeholders the config refuses; every test previews them
# with the deploy-specific values of tests/stacks/overrides.yaml (see secure_platform.config.stack_files).
os.environ.setdefault("OFFLINE_PREVIEW_OVERRIDES", str(REPO / "tests" / "stacks" / "overrides.yaml"))


@pytest.fixture
def repo() -> Path:
    return REPO


@pytest.fixture
def examples() -> Path:
    return EXAMPLES


# Modules whose tests run whole programs (the stacks, their variants, the example programs, the
# benchmarks) through the offline preview: `make check` leaves them out (`-m "not slow"`),
# `make test` and CI run them. Everything else is pure plans, config, policies on hand-made
# resources and the spot engine on fixed data.
SLOW_MODULES = (
    "tests/stack/",
    "tests/components/",
    "tests/offline/test_benchmarks.py",
    "tests/offline/test_capture.py",
    "tests/offline/test_stack_estimates.py",
    "tests/offline/test_diagram.py",
    "tests/offline/test_cli.py",
    "tests/policies/test_stacks.py",
    "tests/policies/test_coverage.py",
    "tests/policies/test_examples.py",
    "tests/policies/test_robustness.py",
    "tests/unit/test_docs.py",
    "tests/unit/test_readme.py",
    "tests/unit/test_pr_comment.py",
    "tests/bad_input/",
    "tests/packaging/",
    "tests/offline/test_preview_semantics.py",
    "tests/offline/test_foreign_programs.py",
    "tests/offline/test_outcomes.py",
    "tests/offline/test_report_sections.py",
    "tests/policies/test_preview_verdicts.py",
    "tests/policies/test_families.py",
    "tests/preflight/test_stages.py",
    "tests/spot/test_spot_aws.py",
    "tests/spot/test_spot_market_corpus.py",
    "tests/spot/test_spot_cli.py",
)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """First, so the `-m` selection that runs after this hook sees the marker."""
    for item in items:
        path = item.path.relative_to(REPO).as_posix() if item.path.is_relative_to(REPO) else ""
        if path.startswith(SLOW_MODULES) or item.get_closest_marker("stack") is not None:
            item.add_marker(pytest.mark.slow)


def pytest_configure(config: pytest.Config) -> None:
    """The controlling process (not an xdist worker, which inherits the variable) makes the
    directory in which tests/stack_runs.py shares the stacks' runs for this session."""
    if not hasattr(config, "workerinput"):
        os.environ[SESSION_DIR_VARIABLE] = tempfile.mkdtemp(prefix="stack-runs-")


def pytest_unconfigure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):
        shutil.rmtree(os.environ.pop(SESSION_DIR_VARIABLE, ""), ignore_errors=True)
