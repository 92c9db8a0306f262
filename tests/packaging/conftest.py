"""Shared by the packaging tests: the plugin's fixture and one wheel built per session."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from packaging_helpers import REPO, run

from offline_preview.pytest_plugin import offline_pulumi  # noqa: F401 - re-exported as a fixture


@pytest.fixture(scope="session")
def built_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`pip wheel .` of the working tree (setuptools comes from the package index, in pip's
    isolated build environment, at the version build-system.requires allows).

    Built from a copy of the files git would commit (tracked and new, not ignored), as a clone
    would have them: the build writes `build/` and `*.egg-info` into its source directory, and
    two test workers may build at once.
    """
    out = tmp_path_factory.mktemp("dist")
    source = tmp_path_factory.mktemp("source")
    listed = run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=REPO).stdout
    for name in filter(None, listed.split("\0")):
        origin = REPO / name
        if origin.is_file():  # deleted but not yet committed files are listed too
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, source / name)
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(out), str(source)], cwd=out)
    (wheel,) = out.glob("pulumi_secure_platform-*.whl")
    return wheel
