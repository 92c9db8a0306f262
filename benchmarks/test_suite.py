"""Wall time of the two loops: `make check` (while working) and `make test` (CI's command).

Run: venv/bin/python benchmarks/test_suite.py [--steps] [--parts]. Prints figures measured in this
run on this machine (with its current load, which it reports); asserts nothing. `--steps` adds the
time of each step `make test` runs (lint, type check, workflow audits, the tests); `--parts` adds
pytest's time per test directory. Both make targets run against the warm virtualenv (`make install` first).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

REPO = Path(__file__).resolve().parent.parent
PARTS = ("tests/unit", "tests/offline", "tests/policies", "tests/spot", "tests/components", "tests/stack")
TARGETS = {"check": 60.0, "test": 90.0}
STEPS = tuple(
    next(line for line in (REPO / "Makefile").read_text().splitlines() if line.startswith("TEST_STEPS ="))
    .split("=", 1)[1]
    .split()
)
"""The steps of `make test` (`TEST_STEPS` in the Makefile)."""
"""The budgets, in seconds on a quiet 2-core machine."""


def timed(command: list[str]) -> tuple[float, int, str]:
    start = time.perf_counter()
    proc = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    lines = [line for line in proc.stdout.strip().splitlines() if line.strip()]
    return time.perf_counter() - start, proc.returncode, (lines or ["?"])[-1][:90]


def main() -> None:
    parser = argparse.ArgumentParser(description="Wall time of make check and make test against their budgets.")
    parser.add_argument("--steps", action="store_true", help="also time each step of make test")
    parser.add_argument("--parts", action="store_true", help="also time pytest per test directory")
    args = parser.parse_args()
    subprocess.run(["make", "install"], cwd=REPO, check=True, capture_output=True)
    load_before = os.getloadavg()[0]
    table = Table(title=f"Wall time on {os.cpu_count()} cores (load average before: {load_before:.1f})")
    for column in ("command", "seconds", "budget", "ratio", "exit", "last line"):
        table.add_column(column, justify="right" if column in ("seconds", "budget", "ratio", "exit") else "left")
    for target, budget in TARGETS.items():
        seconds, code, last = timed(["make", target])
        table.add_row(f"make {target}", f"{seconds:.1f}", f"{budget:.0f}", f"{seconds / budget:.2f}", str(code), last)
    if args.steps:
        for step in STEPS:
            seconds, code, last = timed(["make", "--no-print-directory", step])
            table.add_row(f"make {step}", f"{seconds:.1f}", "", "", str(code), last)
    if args.parts:
        for part in PARTS:
            seconds, code, last = timed(
                [sys.executable, "-m", "pytest", "-q", "-n", "2", "-p", "no:cacheprovider", part]
            )
            table.add_row(f"pytest {part}", f"{seconds:.1f}", "", "", str(code), last)
    console = Console(width=160)
    console.print(table)
    console.print(f"load average after: {os.getloadavg()[0]:.1f} (a loaded machine inflates every figure)")


if __name__ == "__main__":
    main()
