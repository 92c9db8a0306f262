"""Shared by the packaging tests: the plugin's fixture and one wheel built per session."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from offline_preview.pytest_plugin import offline_pulumi  # noqa: F401 - re-exported as a fixture

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


@pytest.fixture(scope="session")
def built_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`pip wheel .` of the working tree (setuptools comes from the package index, in pip's
    isolated build environment, at the version build-system.requires allows)."""
    out = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(out), str(REPO)], cwd=out)
    (wheel,) = out.glob("pulumi_secure_platform-*.whl")
    return wheel
