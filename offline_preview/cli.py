"""`python -m offline_preview STACK ...`: a `pulumi preview` that needs no cloud and no CLI.

Exit codes: 0 the program ran and no mandatory policy is violated, 1 mandatory policy violations,
2 user error (bad arguments, files, config) or program error (an exception, `sys.exit`/`os._exit`
or any other way out part-way, duplicate URNs, nothing registered), always with a message naming
the program's file:line and never a traceback of the tool's own frames (`--debug` shows one). The
`--json`/`--markdown` reports are written on every outcome, an error included.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from rich.console import Console
from rich.text import Text

from .capture import MODES, PREVIEW, Capture, ProgramError, run_program
from .estimators import BUILTIN_ESTIMATORS
from .policy_runner import evaluate, load_policy_pack, read_policy_config
from .report import PreviewResult, Section, print_terminal, to_markdown, write_json
from .stack_files import UserError

EXIT_OK, EXIT_VIOLATIONS, EXIT_ERROR = 0, 1, 2
REPO_ROOT = Path(__file__).resolve().parent.parent

Estimator = Callable[[PreviewResult], Section]
ESTIMATORS: dict[str, Estimator] = dict(BUILTIN_ESTIMATORS)
"""Report sections computed from a preview (name -> function): cost and deploy time built in; see
`register_estimator`."""


def register_estimator(name: str, estimator: Estimator) -> None:
    """Add a section (e.g. cost, deploy time) to every preview report."""
    ESTIMATORS[name] = estimator


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UserError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m offline_preview",
        description="Run a Pulumi Python program offline under the SDK's mocks, evaluate a CrossGuard "
        "policy pack over what it registers, and report.",
    )
    parser.add_argument("stack", help="stack name (reads Pulumi.<stack>.yaml from the program directory)")
    parser.add_argument("--program", default=str(REPO_ROOT), help="program directory (default: this repository's root)")
    parser.add_argument("--config", help="stack config file to use instead of Pulumi.<stack>.yaml")
    parser.add_argument(
        "--policy-pack",
        help="policy pack directory (default: <program>/policies if it holds a PulumiPolicy.yaml, "
        "else ./policies if it does)",
    )
    parser.add_argument("--policy-config", help="policy config JSON (default: <pack>/config/<stack>.json if present)")
    parser.add_argument(
        "--stack-outputs",
        help="JSON file of {stack name: {output: value}} answering pulumi.StackReference reads "
        "(default: every referenced stack has no outputs)",
    )
    parser.add_argument("--no-policy", action="store_true", help="do not run a policy pack")
    parser.add_argument("--json", dest="json_path", help="write the full result as JSON to this file")
    parser.add_argument("--markdown", dest="markdown_path", help="write a pull-request comment to this file")
    parser.add_argument("--quiet", action="store_true", help="no terminal report (files and exit code only)")
    parser.add_argument(
        "--mode",
        choices=MODES,
        default=PREVIEW,
        help="preview (default): as `pulumi preview`, provider-computed outputs unknown; "
        "up: plausible values for every output",
    )
    parser.add_argument("--debug", action="store_true", help="on a program error, also print the full traceback")
    return parser


def default_policy_pack(program_dir: Path, cwd: Path | None = None) -> Path | None:
    """The pack used when `--policy-pack` is not given: the program's own `policies/` if it holds a
    `PulumiPolicy.yaml`, else `policies/` of the current directory if it does (this repository's
    pack judging a foreign program, as `pulumi preview --policy-pack policies` would from here),
    else none."""
    for candidate in (program_dir / "policies", (cwd or Path.cwd()) / "policies"):
        if (candidate / "PulumiPolicy.yaml").is_file():
            return candidate
    return None


def preview(
    stack: str,
    program: str | Path = ".",
    config_file: str | None = None,
    policy_pack: str | None = None,
    policy_config: str | None = None,
    run_policies: bool = True,
    stack_outputs: str | None = None,
    mode: str = PREVIEW,
) -> PreviewResult:
    """Capture the program and evaluate the pack; the same path the command line takes."""
    program_dir = Path(program)
    pack_dir = (Path(policy_pack) if policy_pack else default_policy_pack(program_dir)) if run_policies else None
    capture = run_program(program_dir, stack, config_file=config_file, stack_outputs=stack_outputs, mode=mode)
    result = PreviewResult(capture=capture)
    if pack_dir is not None:
        pack = load_policy_pack(pack_dir)
        cfg_path = Path(policy_config) if policy_config else pack_dir / "config" / f"{stack}.json"
        file_config = read_policy_config(cfg_path) if (policy_config or cfg_path.exists()) else None
        result.policy = evaluate(pack, capture, file_config, capture.config, source=str(cfg_path))
    for name, estimator in ESTIMATORS.items():
        result.sections[name] = estimator(result)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    console = Console(stderr=False)
    err = Console(stderr=True)
    args: argparse.Namespace | None = None
    try:
        args = build_parser().parse_args(argv)
        result = preview(
            args.stack,
            args.program,
            args.config,
            args.policy_pack,
            args.policy_config,
            run_policies=not args.no_policy,
            stack_outputs=args.stack_outputs,
            mode=args.mode,
        )
    except (UserError, ProgramError) as exc:
        kind = "program error" if isinstance(exc, ProgramError) else "error"
        err.print(Text.assemble((f"{kind}: ", "red"), str(exc)))
        if args is not None and args.debug and isinstance(exc, ProgramError):
            err.print(Text("".join(traceback.format_exception(exc.__cause__ or exc))))
        if args is not None:
            _write_reports(args, _error_result(args, exc), err)
        return EXIT_ERROR
    except KeyboardInterrupt:
        err.print(Text.assemble(("error: ", "red"), "interrupted"))
        return EXIT_ERROR
    if not args.quiet:
        print_terminal(result, console)
    if not _write_reports(args, result, err):
        return EXIT_ERROR
    if result.policy is not None and result.policy.mandatory:
        return EXIT_VIOLATIONS
    return EXIT_OK


def _error_result(args: argparse.Namespace, exc: UserError | ProgramError) -> PreviewResult:
    """The report of a run that failed: what was registered before the failure, and the error."""
    capture = exc.capture or Capture(project=Path(args.program).name, stack=args.stack, mode=args.mode)
    error = {
        "kind": "program" if isinstance(exc, ProgramError) else "configuration",
        "message": str(exc),
        "location": getattr(exc, "location", "") or None,
        "resource": getattr(exc, "resource", "") or None,
    }
    return PreviewResult(capture=capture, error=error)


def _write_reports(args: argparse.Namespace, result: PreviewResult, err: Console) -> bool:
    try:
        if args.json_path:
            write_json(result, args.json_path)
        if args.markdown_path:
            Path(args.markdown_path).write_text(to_markdown(result), encoding="utf-8")
    except OSError as exc:
        err.print(Text.assemble(("error: ", "red"), f"cannot write the report: {exc}"))
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())
