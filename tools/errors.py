"""Render docs/errors.md, the table of every error a user can get, from the code:
`python -m tools.errors [--check]`.

Rows come from `secure_platform.config.catalog` (the rules' errors and one row per config field) and
`offline_preview.arguments.CLI_ERRORS` (the entry points' argument errors); the tests run every
row's example, and `--check` (and a test) fail when this file is stale.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from offline_preview import arguments
from secure_platform.config.catalog import RULE_ERRORS, field_rows
from secure_platform.config.stack_files import UserError

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "errors.md"

HEADER = """# Errors you can get, and how to fix them

Generated from the code by `python -m tools.errors` (do not edit by hand); every row is a test in
`tests/bad_input/`. Every error exits with code 2 before anything is registered or written, names
the key, file or option and what is allowed, and never shows a secret value.
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;")


def render() -> str:
    lines = [
        HEADER,
        "## Stack configuration: rules",
        "",
        "| key | message | fix | example stack |",
        "|---|---|---|---|",
    ]
    for row in RULE_ERRORS:
        lines.append(f"| `{row.key}` | {_cell(row.message)} | {_cell(row.fix)} | {row.stack} |")
    lines += [
        "",
        "## Stack configuration: every field",
        "",
        "A value of the wrong type, out of its bounds or not one of its values gives "
        "`<key>: <value> <what is wrong>; allowed: <allowed>`.",
        "",
        "| key | allowed |",
        "|---|---|",
    ]
    for field in field_rows():
        lines.append(f"| `{field.key}` | {_cell(field.allowed) or 'any text'} |")
    lines += [
        "",
        "## Stack files",
        "",
        "| file | message | fix |",
        "|---|---|---|",
        "| any stack or project file | values with two meanings | quote the value: PyYAML (YAML 1.1) and "
        "pulumi (YAML 1.2) read `yes`, `0755`, `1_000`, `19:00`, `1e3`, dates differently |",
        "| any stack or project file | not valid YAML | fix the syntax at the line and column named |",
        "| `Pulumi.<stack>.yaml` | no Pulumi.<stack>.yaml | a stack that has a file, or --config FILE |",
        "",
        "## Command line",
        "",
        "| command | argument | message | fix |",
        "|---|---|---|---|",
    ]
    for cli in arguments.CLI_ERRORS:
        lines.append(f"| `{cli.command}` | `{cli.argument}` | {_cell(cli.message)} | {_cell(cli.fix)} |")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = arguments.Parser(prog="python -m tools.errors", description=__doc__)
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when docs/errors.md is stale")
    try:
        args = parser.parse_args(argv)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    text = render()
    if args.check:
        if not DOC.exists() or DOC.read_text(encoding="utf-8") != text:
            print("docs/errors.md is stale: run venv/bin/python -m tools.errors", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
