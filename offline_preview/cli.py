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

from secure_platform.config.stack_files import UserError

from . import arguments
from .capture import MODES, PREVIEW, Capture, ProgramError, close_event_loop_at_exit, run_program
from .console import make_console, print_error
from .estimators import BUILTIN_ESTIMATORS
from .policy_runner import evaluate, load_policy_pack, read_policy_config
from .report import PreviewResult, Section, dumps_json, print_terminal, to_markdown, write_json

EXIT_OK, EXIT_VIOLATIONS, EXIT_ERROR = 0, 1, 2
FORMATS = ("text", "json", "markdown")
REPO_ROOT = Path(__file__).resolve().parent.parent
# Run from a checkout, the default program is this repository's stack program; installed (the
# parent is site-packages), it is the current directory, as for `pulumi preview`.
DEFAULT_PROGRAM = REPO_ROOT if (REPO_ROOT / "Pulumi.yaml").is_file() else Path()

Estimator = Callable[[PreviewResult], Section]
ESTIMATORS: dict[str, Estimator] = dict(BUILTIN_ESTIMATORS)
"""Report sections computed from a preview (name -> function): cost and deploy time built in; see
`register_estimator`."""


def register_estimator(name: str, estimator: Estimator) -> None:
    """Add a section (e.g. cost, deploy time) to every preview report."""
    ESTIMATORS[name] = estimator


def build_parser() -> argparse.ArgumentParser:
    parser = arguments.Parser(
        prog="python -m offline_preview",
        description="Run a Pulumi Python program offline under the SDK's mocks, evaluate a CrossGuard "
        "policy pack over what it registers, and report.",
    )
    parser.add_argument("stack", help="stack name (reads Pulumi.<stack>.yaml from the program directory)")
    parser.add_argument(
        "--program",
        default=str(DEFAULT_PROGRAM),
        help="program directory (default: this repository's root in a checkout, else the current directory)",
    )
    parser.add_argument("--config", help="stack config file to use instead of Pulumi.<stack>.yaml")
    parser.add_argument(
        "--overrides",
        help="YAML of {stack: {namespace:key: value}} merged over the stack file (default: the file named by "
        "$OFFLINE_PREVIEW_OVERRIDES, if set)",
    )
    parser.add_argument(
        "--policy-pack",
        help="policy pack directory (default: <program>/policies if it holds a PulumiPolicy.yaml, "
        "else ./policies if it does)",
    )
    parser.add_argument("--policy-config", help="policy config JSON (default: <pack>/config/<stack>.json if present)")
    parser.add_argument(
        "--stack-outputs",
        help="JSON file of {stack name: {output: value}} answering pulumi.StackReference reads "
        "(default: a referenced stack's outputs are unknown in preview, none under --mode up; "
        "either way the report names the stack)",
    )
    parser.add_argument("--no-policy", action="store_true", help="do not run a policy pack")
    parser.add_argument("--json", dest="json_path", help="write the full result as JSON to this file")
    parser.add_argument("--markdown", dest="markdown_path", help="write a pull-request comment to this file")
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="what to print on stdout: text (plain lines, readable in a terminal or a CI log), json (the "
        "--json document) or markdown (the --markdown comment); default text",
    )
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="text format: add the resource tree, counts per type, every cost line and the critical path",
    )
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
    overrides: str | None = None,
    mode: str = PREVIEW,
) -> PreviewResult:
    """Capture the program and evaluate the pack; the same path the command line takes.

    Every file is checked, and the pack and its config loaded, before the program runs: a broken
    pack is reported at once, not after the whole program ran."""
    program_dir = arguments.input_dir(str(program), "--program", "Pulumi program directory")
    if config_file is not None:
        arguments.input_file(config_file, "--config", "stack config file (YAML)")
    if stack_outputs is not None:
        arguments.input_file(stack_outputs, "--stack-outputs", "JSON file of stack outputs")
    if overrides is not None:
        arguments.input_file(overrides, "--overrides", "YAML file of config overrides")
    pack_dir = None
    if run_policies:
        pack_dir = (
            arguments.input_dir(policy_pack, "--policy-pack", "policy pack directory")
            if policy_pack
            else default_policy_pack(program_dir)
        )
    pack = file_config = None
    cfg_path = None
    if pack_dir is not None:
        arguments.policy_pack_manifest(pack_dir)
        cfg_path = Path(policy_config) if policy_config else pack_dir / "config" / f"{stack}.json"
        if policy_config or cfg_path.exists():
            arguments.input_file(str(cfg_path), "--policy-config", "policy config file (JSON)")
        file_config = read_policy_config(cfg_path) if (policy_config or cfg_path.exists()) else None
        pack = load_policy_pack(pack_dir)
    capture = run_program(
        program_dir, stack, config_file=config_file, stack_outputs=stack_outputs, overrides=overrides, mode=mode
    )
    result = PreviewResult(capture=capture)
    if pack is not None:
        result.policy = evaluate(pack, capture, file_config, capture.config, source=str(cfg_path))
    for name, estimator in ESTIMATORS.items():
        result.sections[name] = estimator(result)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    close_event_loop_at_exit()
    console = make_console()
    err = make_console(stderr=True)
    args: argparse.Namespace | None = None
    reports_writable = False
    try:
        args = build_parser().parse_args(argv)
        stack = arguments.stack_name(args.stack)
        # Report paths first: a run must not end in a traceback because a directory is missing.
        for path, option in ((args.json_path, "--json"), (args.markdown_path, "--markdown")):
            if path:
                arguments.output_file(path, option)
        program_dir = Path(args.program)
        arguments.outputs_apart_from_inputs(
            {"--json": args.json_path, "--markdown": args.markdown_path},
            {
                "--config": args.config,
                "--stack-outputs": args.stack_outputs,
                "--overrides": args.overrides,
                "--policy-config": args.policy_config,
                "the stack file": program_dir / f"Pulumi.{stack}.yaml",
                "the project file": program_dir / "Pulumi.yaml",
                "the program's entry file": program_dir / "__main__.py",
                "the policy config": program_dir / "policies" / "config" / f"{stack}.json",
            },
        )
        reports_writable = True
        result = preview(
            stack,
            args.program,
            args.config,
            args.policy_pack,
            args.policy_config,
            run_policies=not args.no_policy,
            stack_outputs=args.stack_outputs,
            overrides=args.overrides,
            mode=args.mode,
        )
        return _finish(args, result, console, err)
    except (UserError, ProgramError) as exc:
        print_error(err, "program error" if isinstance(exc, ProgramError) else "error", str(exc))
        if args is not None and args.debug and isinstance(exc, ProgramError):
            err.print(Text("".join(traceback.format_exception(exc.__cause__ or exc))))
        # The reports are written on every outcome: CI comments on a failed run too.
        if args is not None and reports_writable:
            _write_reports(args, _error_result(args, exc), err)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print_error(err, "error", "interrupted")
        return EXIT_ERROR
    except Exception as exc:  # noqa: BLE001 - a bug of this tool: exit 2 with reports, never 1 ("findings")
        print_error(
            err,
            "internal error",
            f"{type(exc).__name__}: {exc} (a failure of the offline preview itself, not of the program; "
            "--debug shows the traceback)",
        )
        if args is not None and args.debug:
            err.print(Text("".join(traceback.format_exception(exc))))
        if args is not None and reports_writable:
            _write_reports(args, _error_result(args, exc), err)
        return EXIT_ERROR


def _finish(args: argparse.Namespace, result: PreviewResult, console: Console, err: Console) -> int:
    """Print the report, write the report files and choose the exit code of a run that completed."""
    if not args.quiet:
        if args.format == "json":
            console.file.write(dumps_json(result))
        elif args.format == "markdown":
            console.file.write(to_markdown(result))
        else:
            print_terminal(result, console, verbose=args.verbose)
    if not _write_reports(args, result, err):
        return EXIT_ERROR
    if result.policy is not None and result.policy.mandatory:
        return EXIT_VIOLATIONS
    return EXIT_OK


def _error_result(args: argparse.Namespace, exc: Exception) -> PreviewResult:
    """The report of a run that failed: what was registered before the failure, and the error."""
    capture = getattr(exc, "capture", None) or Capture(
        project=Path(args.program or ".").name, stack=args.stack, mode=args.mode
    )
    kind = "program" if isinstance(exc, ProgramError) else "configuration" if isinstance(exc, UserError) else "internal"
    error = {
        "kind": kind,
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
    except OSError as exc:  # a report file that became unwritable while the program ran
        print_error(err, "error", f"{exc.filename or 'report'}: cannot be written ({exc.strerror or exc})")
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())
