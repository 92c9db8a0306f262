"""Helpers of the packaging tests: child processes that cannot reach the checkout by accident."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def clean_env() -> dict[str, str]:
    """The environment for child processes: no PYTHONPATH (nothing reaches the checkout through
    it) and no pytest variables of this run (an inner pytest must not think it is an xdist worker)."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("PYTEST_")}


def run(args: list[str], cwd: Path, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    """Run a command; its output is part of the failure message when it fails."""
    done = subprocess.run(args, cwd=cwd, env=clean_env(), capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        pytest.fail(
            f"{' '.join(args)} exited {done.returncode}\nstdout:\n{done.stdout[-4000:]}\nstderr:\n{done.stderr[-4000:]}"
        )
    return done
