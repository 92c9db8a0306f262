"""The repository's three stacks and its example programs, run once per test session and shared
by every test and worker.

A dozen test modules read the unchanged stacks (dev, staging, prod) in preview or up semantics,
and the policy tests read the same example programs (tests/examples: the insecure program, its
compliant twin, the policy families); running a program (and the pack, for a full preview) again in
each module and in each xdist worker was a large share of the suite. Within a session a run
depends only on the repository's files, the settings named in its key and the session's
environment (OFFLINE_PREVIEW_OVERRIDES, set by tests/conftest.py before any test runs; a test that
changes it must not use these runs), so its result is pickled into a directory the controlling
pytest process creates for the session (`SESSION_DIR_VARIABLE`, see tests/conftest.py) and loaded
by whoever asks next; a file lock makes the first asker compute it and the others wait. Without
that directory (a test module run some other way) each process computes its own, once.

Tests must not modify what they get: it is shared, as a module-scoped fixture's value is.
"""

from __future__ import annotations

import fcntl
import functools
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from offline_preview import Capture, preview, run_program
from offline_preview.report import PreviewResult

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "tests" / "examples"
SESSION_DIR_VARIABLE = "SECURE_PLATFORM_TEST_RUNS"
STACKS = ("dev", "staging", "prod")
T = TypeVar("T")


def _shared(key: str, compute: Callable[[], T]) -> T:
    directory = os.environ.get(SESSION_DIR_VARIABLE)
    if not directory or not Path(directory).is_dir():
        return compute()
    target = Path(directory) / f"{key}.pickle"
    with open(Path(directory) / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if target.exists():
            with open(target, "rb") as stored:
                return pickle.load(stored)
        value = compute()
        partial = target.with_suffix(".partial")
        partial.write_bytes(pickle.dumps(value))
        partial.replace(target)
        return value


def _check(stack: str, mode: str) -> None:
    if stack not in STACKS or mode not in ("preview", "up"):
        raise ValueError(f"not a shared stack run: {stack!r} in mode {mode!r}")


@functools.cache
def stack_preview(stack: str, mode: str) -> PreviewResult:
    """`preview(stack, REPO, mode=mode)`: what `python -m offline_preview STACK` computes (capture,
    the repository's pack with the stack's policy config, cost and deploy estimates)."""
    _check(stack, mode)
    return _shared(f"preview-{stack}-{mode}", lambda: preview(stack, REPO, mode=mode))


def stack_capture(stack: str, mode: str) -> Capture:
    """`run_program(REPO, stack, mode=mode)`: the stack program's registrations (the preview's
    capture is exactly that run)."""
    return stack_preview(stack, mode).capture


@functools.cache
def example_capture(program: str, mode: str) -> Capture:
    """`run_program(tests/examples/<program>, "test", mode=mode)`: `program` is a directory under
    tests/examples (`insecure_program`, `compliant_program`, `families/<family>/<kind>`)."""
    directory = EXAMPLES / program
    if not (directory / "Pulumi.yaml").is_file() or mode not in ("preview", "up"):
        raise ValueError(f"not a shared example run: {program!r} in mode {mode!r}")
    key = "example-" + program.replace("/", "-") + f"-{mode}"
    return _shared(key, lambda: run_program(directory, "test", mode=mode))
