"""The benchmark scripts run end to end (figures are printed, never asserted; only that they run)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "script, args",
    [
        ("benchmarks/offline_preview.py", ["--repeat", "1", "--plain", "5", "--stacks", "dev"]),
        ("benchmarks/spot_selection.py", ["--days", "3"]),
    ],
)
def test_benchmark_runs_and_prints_its_tables(script, args):
    proc = subprocess.run(
        [sys.executable, script, *args], cwd=REPO, capture_output=True, text=True, check=False, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    assert "┃" in proc.stdout or "│" in proc.stdout  # a rich table was printed
    assert not list(REPO.glob("Pulumi.plain.yaml"))
