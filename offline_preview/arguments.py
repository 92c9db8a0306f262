"""Checks of command-line arguments, run before any work: a bad path or value is one paragraph
naming the option, the value and what is allowed (exit code 2), never a traceback and never after
a program ran for minutes."""

from __future__ import annotations

import argparse
import math
import os
import re
from pathlib import Path
from typing import Any

from secure_platform.config.stack_files import UserError, load_yaml_file

# Pulumi stack names: letters, digits, `-`, `_` and `.`, optionally `org/project/stack`
# (https://www.pulumi.com/docs/iac/concepts/stacks/#stack-names); offline the name also picks
# `Pulumi.<stack>.yaml`, so no path separators or leading dots.
_STACK = re.compile(r"^(?:[A-Za-z0-9_-][A-Za-z0-9_.-]*/){0,2}[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}$")


class Parser(argparse.ArgumentParser):
    """argparse that reports a usage mistake as a `UserError` (one paragraph, exit 2)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UserError(f"{self.prog}: {message} (see --help)")


def stack_name(value: str) -> str:
    if not _STACK.match(value):
        raise UserError(
            f"stack {value!r} is not a stack name; allowed: letters, digits, - _ and . (e.g. dev), "
            "optionally as org/project/stack"
        )
    return value.rsplit("/", 1)[-1]


def input_file(value: str, option: str, what: str) -> Path:
    """An existing, readable regular file."""
    path = Path(value)
    if not path.exists():
        raise UserError(f"{option} {value}: {what} not found; allowed: an existing {what}")
    if path.is_dir():
        raise UserError(f"{option} {value}: is a directory; allowed: a {what}")
    if not os.access(path, os.R_OK):
        raise UserError(f"{option} {value}: cannot be read (permission denied); allowed: a readable {what}")
    return path


def input_dir(value: str, option: str, what: str) -> Path:
    path = Path(value)
    if not path.exists():
        raise UserError(f"{option} {value}: {what} not found; allowed: an existing {what}")
    if not path.is_dir():
        raise UserError(f"{option} {value}: is a file; allowed: a {what}")
    return path


def output_file(value: str, option: str) -> Path:
    """A file that can be written: not a directory, in an existing, writable directory."""
    path = Path(value)
    if path.is_dir():
        raise UserError(f"{option} {value}: is a directory; allowed: a file path, e.g. {Path(value) / 'report.out'}")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise UserError(
            f"{option} {value}: directory {parent} does not exist; allowed: a file in an existing directory "
            f"(create it first: mkdir -p {parent})"
        )
    if not os.access(parent, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise UserError(f"{option} {value}: cannot be written (permission denied); allowed: a writable location")
    return path


def outputs_apart_from_inputs(outputs: dict[str, str | None], inputs: dict[str, Path | str | None]) -> None:
    """A report path must not be a file the run reads (`--json Pulumi.prod.yaml` would replace
    the stack file with the report), nor the other report's path."""
    seen: dict[Path, str] = {}
    for option, value in inputs.items():
        if value is not None and Path(value).is_file():
            seen.setdefault(Path(value).resolve(), f"{option}, which the run reads")
    for option, value in outputs.items():
        if not value:
            continue
        resolved = Path(value).resolve()
        if resolved in seen:
            raise UserError(
                f"{option} {value}: is also {seen[resolved]}; allowed: a path that is not an input of the run "
                "and not the other report (e.g. report.json)"
            )
        seen[resolved] = option


def finite(value: str) -> float:
    """argparse `type=` for a finite number (float() alone accepts nan and inf)."""
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None
    if not math.isfinite(number):
        raise argparse.ArgumentTypeError(f"{value!r} is not a finite number")
    return number


def positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a positive whole number")
    return number


def policy_pack_manifest(directory: Path) -> dict[str, Any]:
    """`PulumiPolicy.yaml` of a pack, checked the way `pulumi` reads it (a mapping with
    `runtime: python`; https://www.pulumi.com/docs/iac/using-pulumi/crossguard/get-started/)."""
    manifest = directory / "PulumiPolicy.yaml"
    input_file(str(manifest), "--policy-pack", "policy pack manifest (PulumiPolicy.yaml)")
    # The stack files' reader: YAML 1.2 meanings, aliases that refer to themselves or explode, and
    # nesting too deep to read are refused with the file's name, as in every other file.
    data = load_yaml_file(manifest)
    if not isinstance(data, dict):
        raise UserError(f"{manifest}: expected a mapping with runtime: python; got {type(data).__name__}")
    runtime = data.get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if runtime_name != "python":
        raise UserError(f"{manifest}: runtime is {runtime_name!r}; allowed: python (this tool runs Python packs)")
    version = data.get("version")
    if version is not None and not isinstance(version, (str, int, float)):
        raise UserError(f"{manifest}: version {version!r} is not a version; allowed: e.g. 0.1.0")
    return data


# --- every argument error, as data (the docs' error table and a test per row) ---------------------


class CliError:
    """One argument error of an entry point: `argv` uses {missing} (a path that does not exist),
    {dir} (a directory), {binary} (a binary file), {file} (a text file), {program} (a program
    that records that it ran), {nameless} / {runtimeless} (programs whose Pulumi.yaml lacks `name` /
    `runtime`), {broken_pack} / {foreign_pack} (packs with a bad manifest), {deep_json} (JSON nested
    deeper than a reader can follow), {deep_pack} (a pack whose manifest is)."""

    def __init__(self, command: str, argument: str, message: str, fix: str, argv: tuple[str, ...]) -> None:
        self.command, self.argument, self.message, self.fix, self.argv = command, argument, message, fix, argv


PREVIEW = "python -m offline_preview"
COMPARE = "python -m offline_preview.compare"
PR_COMMENT = "python -m tools.pr_comment"
_P = ("test", "--program", "{program}", "--no-policy", "--quiet")

CLI_ERRORS: tuple[CliError, ...] = (
    CliError(PREVIEW, "STACK", "is not a stack name", "a stack name, e.g. dev", ("../x", "--program", "{program}")),
    CliError(PREVIEW, "--bogus", "unrecognized arguments", "an option of --help", (*_P, "--bogus")),
    CliError(PREVIEW, "--program", "program directory not found", "an existing program directory",
             ("test", "--program", "{missing}")),
    CliError(PREVIEW, "--program", "is a file", "a program directory", ("test", "--program", "{file}")),
    CliError(PREVIEW, "--program", "Pulumi.yaml: `name` is missing", "the project's name",
             ("test", "--program", "{nameless}")),
    CliError(PREVIEW, "--program", "Pulumi.yaml: `runtime` is missing", "runtime: python",
             ("test", "--program", "{runtimeless}")),
    CliError(PREVIEW, "--program", "is a policy pack", "a program directory (a pack goes to --policy-pack)",
             ("test", "--program", "{pack}")),
    CliError(PREVIEW, "--config", "stack config file (YAML) not found", "an existing stack file",
             (*_P, "--config", "{missing}")),
    CliError(PREVIEW, "--config", "is a directory", "a stack file", (*_P, "--config", "{dir}")),
    CliError(PREVIEW, "--config", "is not a UTF-8 text file", "a YAML stack file", (*_P, "--config", "{binary}")),
    CliError(PREVIEW, "--config", "values with two meanings", "quote the value", (*_P, "--config", "{ambiguous}")),
    CliError(PREVIEW, "--config", "not valid YAML", "valid YAML", (*_P, "--config", "{bad_yaml}")),
    CliError(PREVIEW, "--stack-outputs", "is a directory", "a JSON file", (*_P, "--stack-outputs", "{dir}")),
    CliError(PREVIEW, "--stack-outputs", "not valid JSON", "a JSON file", (*_P, "--stack-outputs", "{file}")),
    CliError(PREVIEW, "--stack-outputs", "nested too deeply", "a JSON file", (*_P, "--stack-outputs", "{deep_json}")),
    CliError(PREVIEW, "--overrides", "not found", "an existing YAML file", (*_P, "--overrides", "{missing}")),
    CliError(PREVIEW, "--json", "does not exist", "a file in an existing directory",
             (*_P, "--json", "{missing}/report.json")),
    CliError(PREVIEW, "--json", "is a directory", "a file path", (*_P, "--json", "{dir}")),
    CliError(PREVIEW, "--markdown", "is a directory", "a file path", (*_P, "--markdown", "{dir}")),
    CliError(PREVIEW, "--json", "which the run reads", "a path that is not an input of the run",
             (*_P, "--json", "{program}/Pulumi.test.yaml")),
    CliError(PREVIEW, "--markdown", "which the run reads", "a path that is not an input of the run",
             (*_P, "--overrides", "{ambiguous}", "--markdown", "{ambiguous}")),
    CliError(PREVIEW, "--markdown", "is also --json", "not the other report",
             (*_P, "--json", "{dir}/r.txt", "--markdown", "{dir}/r.txt")),
    CliError(PREVIEW, "--markdown", "does not exist", "a file in an existing directory",
             (*_P, "--markdown", "{file}/comment.md")),
    CliError(PREVIEW, "--policy-pack", "policy pack directory not found", "an existing pack directory",
             ("test", "--program", "{program}", "--quiet", "--policy-pack", "{missing}")),
    CliError(PREVIEW, "--policy-pack", "not valid YAML", "a valid PulumiPolicy.yaml",
             ("test", "--program", "{program}", "--quiet", "--policy-pack", "{broken_pack}")),
    CliError(PREVIEW, "--policy-pack", "allowed: python", "a Python policy pack",
             ("test", "--program", "{program}", "--quiet", "--policy-pack", "{foreign_pack}")),
    CliError(PREVIEW, "--policy-pack", "nested too deeply", "a valid PulumiPolicy.yaml",
             ("test", "--program", "{program}", "--quiet", "--policy-pack", "{deep_pack}")),
    CliError(PREVIEW, "--policy-config", "is a directory", "a JSON file",
             ("test", "--program", "{program}", "--quiet", "--policy-pack", "{pack}", "--policy-config", "{dir}")),
    CliError(PREVIEW, "--policy-config", "not valid JSON", "a JSON object",
             ("test", "--program", "{program}", "--quiet", "--policy-pack", "{pack}", "--policy-config", "{file}")),
    CliError(PREVIEW, "--policy-config", "nested too deeply", "a JSON object",
             ("test", "--program", "{program}", "--quiet", "--policy-pack", "{pack}", "--policy-config", "{deep_json}")),
    CliError(COMPARE, "BASE", "no such file or directory", "a report JSON or a directory of them",
             ("{missing}", "{missing}")),
    CliError(COMPARE, "BASE", "holds no *.json report", "a directory of reports", ("{dir}", "{dir}")),
    CliError(COMPARE, "BASE", "not a readable JSON report", "a report written with --json",
             ("{binary}", "{binary}")),
    CliError(COMPARE, "BASE", "nested too deeply", "a report written with --json", ("{deep_json}", "{deep_json}")),
    CliError(COMPARE, "--max-increase", "is not a finite number", "a number of USD",
             ("{dir}", "{dir}", "--max-increase", "nan")),
    CliError(COMPARE, "--json", "is a directory", "a file path", ("{dir}", "{dir}", "--json", "{dir}")),
    CliError(PR_COMMENT, "--limit", "is outside 1,000-65,536", "a limit under GitHub's", ("{dir}", "--limit", "0")),
    CliError(PR_COMMENT, "OUT", "is a file", "a directory", ("{file}",)),
    CliError(PR_COMMENT, "--part", "expected LABEL=FILE", "LABEL=FILE", ("{dir}", "--part", "nolabel")),
)  # fmt: skip
