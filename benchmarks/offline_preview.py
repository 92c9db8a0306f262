"""Offline preview figures: `venv/bin/python benchmarks/offline_preview.py [--repeat N] [--plain N] [--stacks S,..] [--suite]`.

Prints, for this repository's stacks (dev, staging, prod), under preview semantics (the default;
`--mode up` for plausible values everywhere):
  * whole-process: `python -m offline_preview prod` (what `make preview STACK=prod` runs; the last
    of --stacks) against the same command on a plain program registering as many minimal
    resources, each a fresh process
    (imports included), median of --repeat runs in the same session; target <= 1.15x;
  * offline preview time (capture) against registering the same number of plain resources under
    the same engine: a minimal custom resource type with one input, so the ratio is what the
    program costs over the engine's own per-registration cost (components, typed provider
    arguments, invokes, applies); a typed provider resource is itself slower per registration than
    the minimal type, and the synthetic line shows by how much (an `aws.s3.Bucket`);
  * policy evaluation throughput (resources per second) with the repository's `policies/` pack, on
    each stack and on a synthetic capture of buckets (a type the pack judges);
  * the cost estimate and deploy critical path per environment, and how long they take to compute;
  * with --suite, the wall time of the test suite (`pytest -q -n 2`).
The in-process overhead (capture time over the plain registrations') has a target of <= 2x.

Figures are medians of --repeat runs on this machine, in CPU seconds (user + system, children
included), so that other jobs on a shared machine do not distort them; they are printed, never
asserted.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pulumi
import pulumi_aws as aws
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from offline_preview import Capture, evaluate, load_policy_pack, run_program  # noqa: E402
from offline_preview.cost import estimate_cost  # noqa: E402
from offline_preview.deploy_time import estimate_deploy  # noqa: E402
from offline_preview.policy_runner import read_policy_config  # noqa: E402

STACKS = ("dev", "staging", "prod")


def cpu_seconds() -> float:
    """CPU seconds (user + system) of this process and its finished children. On a machine shared
    with other jobs, wall time measures the neighbours as much as the code; CPU time does not."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    """Median CPU seconds of `repeat` calls, and the last result."""
    times: list[float] = []
    result: object = None
    for _ in range(repeat):
        start = cpu_seconds()
        result = fn()
        times.append(cpu_seconds() - start)
    return statistics.median(times), result


class Plain(pulumi.CustomResource):
    """The smallest registration: one untyped input, no provider SDK types to translate."""

    def __init__(self, name: str) -> None:
        super().__init__("bench:index:Plain", name, {"value": name})


def plain_program(count: int) -> Callable[[], None]:
    def program() -> None:
        for i in range(count):
            Plain(f"plain-{i}")

    return program


PLAIN_PROGRAM = """import importlib

import pulumi

for module in filter(None, (pulumi.Config().get("imports") or "").split(",")):
    getattr(importlib.import_module(module), "__all__", None)  # loads a lazily imported SDK module


class Plain(pulumi.CustomResource):
    def __init__(self, name: str) -> None:
        super().__init__("bench:index:Plain", name, {"value": name})


for i in range(int(pulumi.Config().require("count"))):
    Plain(f"plain-{i}")
"""


def whole_process(args: list[str], repeat: int) -> float:
    """Median CPU seconds of `python -m offline_preview ARGS` as a fresh process, from ROOT."""

    def run() -> None:
        proc = subprocess.run(
            [sys.executable, "-m", "offline_preview", *args, "--quiet"], cwd=ROOT, capture_output=True, text=True
        )
        if proc.returncode not in (0, 1):
            raise SystemExit(f"offline_preview {' '.join(args)} failed: {proc.stderr[-800:]}")

    seconds, _ = timed(run, repeat)
    return seconds


def write_plain_program(directory: Path, count: int, imports: list[str] | None = None) -> None:
    """A program of `count` minimal registrations; with `imports`, it first imports those modules
    (the provider SDK modules the stack program loads), so the comparison leaves their import out."""
    (directory / "Pulumi.yaml").write_text("name: bench\nruntime: python\n", encoding="utf-8")
    (directory / "Pulumi.plain.yaml").write_text(
        f"config:\n  bench:count: '{count}'\n  bench:imports: '{','.join(imports or [])}'\n", encoding="utf-8"
    )
    (directory / "__main__.py").write_text(PLAIN_PROGRAM, encoding="utf-8")


def bucket_program(count: int) -> Callable[[], None]:
    def program() -> None:
        for i in range(count):
            aws.s3.Bucket(f"bucket-{i}")

    return program


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Offline preview, policy and estimate figures (printed, not asserted)."
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median reported)")
    parser.add_argument("--plain", type=int, default=500, help="plain resources in the synthetic capture")
    parser.add_argument("--suite", action="store_true", help="also time the test suite (pytest -q -n 2)")
    parser.add_argument("--mode", choices=("preview", "up"), default="preview", help="capture semantics")
    parser.add_argument(
        "--stacks", default=",".join(STACKS), help="stacks to measure, comma-separated; the last is run whole-process"
    )
    args = parser.parse_args(argv)
    mode = args.mode
    stacks = [s for s in args.stacks.split(",") if s]
    if not stacks or any(s not in STACKS for s in stacks):
        parser.error(f"--stacks: {args.stacks!r}; allowed: a comma-separated subset of {', '.join(STACKS)}")
    whole = stacks[-1]
    console = Console()
    # Inline programs run from a directory without a Pulumi.yaml (project and stack are then
    # their own); under ROOT they would need a `Pulumi.plain.yaml`.
    scratch = tempfile.TemporaryDirectory(prefix="bench-plain-")
    plain_dir = Path(scratch.name)
    pack_dir = ROOT / "policies"
    pack = load_policy_pack(pack_dir)
    warm = run_program(ROOT, whole, mode=mode)  # warm-up: imports and the first engine start are not measured

    program_dir = Path(scratch.name) / "program"
    program_dir.mkdir()
    write_plain_program(program_dir, len(warm.resources))
    # Provider SDK modules the stack really loaded (pulumi_aws registers the rest as lazy stubs).
    sdk_modules = sorted(
        name
        for name, module in list(sys.modules.items())
        if name.startswith("pulumi_") and type(module).__name__ != "_LazyModule"
    )
    sdk_dir = Path(scratch.name) / "program-sdk"
    sdk_dir.mkdir()
    write_plain_program(sdk_dir, len(warm.resources), sdk_modules)
    stack_seconds = whole_process([whole, "--mode", mode], args.repeat)
    plain_process = whole_process(["plain", "--program", str(program_dir), "--mode", mode], args.repeat)
    sdk_process = whole_process(["plain", "--program", str(sdk_dir), "--mode", mode], args.repeat)
    ratio = stack_seconds / plain_process if plain_process else float("nan")
    sdk_ratio = stack_seconds / sdk_process if sdk_process else float("nan")
    console.print(
        f"Whole process ({mode}, CPU): `python -m offline_preview {whole}` {stack_seconds:.2f} s vs a plain program of "
        f"{len(warm.resources)} minimal resources {plain_process:.2f} s: [bold]{ratio:.2f}x[/bold] "
        f"(target <= 1.15x; median of {args.repeat}); vs the same plain program importing the "
        f"{len(sdk_modules)} provider SDK modules the stack loads {sdk_process:.2f} s: [bold]{sdk_ratio:.2f}x[/bold]"
    )

    previews = Table(title=f"Offline preview ({mode}): this repository's stacks vs plain resources, same engine")
    # plain s: the same number of minimal registrations; ms/res: preview milliseconds per registration.
    for col in ("stack", "resources", "preview s", "plain s", "overhead", "ms/res", "policy res/s"):
        previews.add_column(col, justify="left" if col == "stack" else "right")
    captures: dict[str, Capture] = {}
    overheads: dict[str, float] = {}
    preview_seconds: dict[str, float] = {}
    for stack in stacks:
        seconds, cap = timed(lambda s=stack: run_program(ROOT, s, mode=mode), args.repeat)
        assert isinstance(cap, Capture)
        captures[stack] = cap
        count = len(cap.resources)
        plain_seconds, _ = timed(
            lambda n=count: run_program(plain_dir, "plain", program=plain_program(n), mode=mode), args.repeat
        )
        overheads[stack] = seconds / plain_seconds if plain_seconds else float("nan")
        preview_seconds[stack] = seconds
        cfg_path = pack_dir / "config" / f"{stack}.json"
        file_config = read_policy_config(cfg_path) if cfg_path.exists() else None
        policy_seconds, _ = timed(lambda c=cap, f=file_config: evaluate(pack, c, f, c.config), args.repeat)
        previews.add_row(
            stack,
            str(count),
            f"{seconds:.3f}",
            f"{plain_seconds:.3f}",
            f"{seconds / plain_seconds:.2f}x" if plain_seconds else "-",
            f"{1000 * seconds / count:.2f}",
            f"{count / policy_seconds:,.0f}" if policy_seconds else "-",
        )
    console.print(previews)
    worst = max(overheads, key=lambda k: overheads[k])
    console.print(
        f"In-process overhead of the components over minimal registrations: up to [bold]{overheads[worst]:.2f}x[/bold] "
        f"({worst}; target <= 2x)"
    )

    plain_seconds, _ = timed(
        lambda: run_program(plain_dir, "plain", program=plain_program(args.plain), mode=mode), args.repeat
    )
    synthetic_seconds, synthetic = timed(
        lambda: run_program(plain_dir, "plain", program=bucket_program(args.plain), mode=mode), args.repeat
    )
    assert isinstance(synthetic, Capture)
    policy_seconds, _ = timed(lambda: evaluate(pack, synthetic, None, synthetic.config), args.repeat)
    console.print(
        f"Synthetic captures of {args.plain} resources: the minimal type registers in {plain_seconds:.3f} s "
        f"({1000 * plain_seconds / args.plain:.2f} ms each), aws.s3.Bucket in {synthetic_seconds:.3f} s "
        f"({1000 * synthetic_seconds / args.plain:.2f} ms each: the typed SDK's own cost); policy pack "
        f"[cyan]{pack.name}[/cyan] ({len(pack.policies)} policies, from {pack_dir.relative_to(ROOT)}) "
        f"evaluated {args.plain / policy_seconds:,.0f} bucket resources/s."
    )
    # What the components add beyond the typed SDK's own per-registration cost, which any program
    # registering provider resources pays (a bucket has more properties than most resources).
    typed = {s: preview_seconds[s] / (len(c.resources) * synthetic_seconds / args.plain) for s, c in captures.items()}
    console.print(
        "Against as many typed registrations (aws.s3.Bucket each): "
        + ", ".join(f"{s} {ratio:.2f}x" for s, ratio in typed.items())
    )

    estimates = Table(title="Estimates per environment")
    for col in ("stack", "monthly cost", "top component", "critical path", "slow waits", "estimate s"):
        estimates.add_column(col, justify="left" if col in ("stack", "top component") else "right")
    for stack, cap in captures.items():
        seconds, pair = timed(lambda c=cap: (estimate_cost(c), estimate_deploy(c)), args.repeat)
        cost, deploy = pair  # type: ignore[misc]
        top = next(iter(cost.by_component.items()), ("-", 0.0))
        estimates.add_row(
            stack,
            f"${cost.monthly_usd:,.2f}",
            f"{top[0]} (${top[1]:,.2f})",
            f"{deploy.critical_path_minutes:.1f} min",
            str(len(deploy.waits)),
            f"{seconds:.3f}",
        )
    console.print(estimates)

    if args.suite:
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-n", "2"], cwd=ROOT, capture_output=True, text=True
        )
        elapsed = time.perf_counter() - start
        summary = (proc.stdout.strip().splitlines() or ["(no output)"])[-1]
        console.print(f"Test suite: {elapsed:.1f} s wall ({summary})")
    scratch.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
