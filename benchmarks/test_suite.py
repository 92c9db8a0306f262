"""Wall time of the test suite (what `make test` spends in pytest), per directory and in total.

Run: venv/bin/python benchmarks/test_suite.py. Prints figures; asserts nothing.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

REPO = Path(__file__).resolve().parent.parent
PARTS = ("tests/unit", "tests/offline", "tests/policies", "tests/spot", "tests/components", "tests/stack", "tests")


def timed(path: str) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-n", "2", "-p", "no:cacheprovider", path],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    summary = (proc.stdout.strip().splitlines() or ["?"])[-1]
    return time.perf_counter() - start, summary


def main() -> None:
    table = Table(title="Test suite wall time (pytest -n 2)")
    table.add_column("path")
    table.add_column("seconds", justify="right")
    table.add_column("result")
    for part in PARTS:
        seconds, summary = timed(part)
        table.add_row(part if part != "tests" else "[bold]all[/bold]", f"{seconds:.1f}", summary)
    Console().print(table)


if __name__ == "__main__":
    main()
