"""Shared by the packaging tests: the plugin's fixture and one wheel built per session."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from packaging_helpers import REPO, run

from offline_preview.pytest_plugin import offline_pulumi  # noqa: F401 - re-exported as a fixture


@pytest.fixture(scope="session")
def built_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`pip wheel .` of the working tree (setuptools comes from the package index, in pip's
    isolated build environment, at the version build-system.requires allows)."""
    out = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(out), str(REPO)], cwd=out)
    (wheel,) = out.glob("pulumi_secure_platform-*.whl")
    return wheel
