"""`python -m offline_preview.diagram STACK [--program DIR] [--readme FILE]`: the component graph of a
program as a Mermaid flowchart, derived from what it registers (not drawn by hand).

With `--readme`, the chart replaces the text between `<!-- architecture:start -->` and
`<!-- architecture:end -->`; `--check` exits 1 instead of writing when the file is stale (CI).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from secure_platform.config.stack_files import UserError

from .capture import Capture, ProgramError, run_program
from .graph import component_graph, to_mermaid, top_level_components

START = "<!-- architecture:start -->"
END = "<!-- architecture:end -->"
REPO_ROOT = Path(__file__).resolve().parent.parent


def render(program: Path, stack: str) -> str:
    return block_of(run_program(program, stack))


def block_of(capture: Capture) -> str:
    """The mermaid block of a capture's top-level components and the data edges between them."""
    graph = component_graph(capture)
    tops = top_level_components(capture)
    labels = {c.name: f"{c.type.rsplit(':', 1)[-1]} ({c.name})" for c in tops}
    order = [c.name for c in tops]
    # Providers first: a component is listed after every component it takes outputs from.
    ordered: list[str] = []
    while len(ordered) < len(order):
        ready = [n for n in order if n not in ordered and graph[n] <= set(ordered)]
        ordered += ready or [n for n in order if n not in ordered]
    return "```mermaid\n" + to_mermaid(graph, labels, ordered) + "\n```"


def replace_block(text: str, block: str) -> str:
    if START not in text or END not in text:
        raise UserError(f"markers {START} / {END} not found")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{block}\n{END}{tail}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m offline_preview.diagram", description=__doc__)
    parser.add_argument("stack")
    parser.add_argument("--program", default=str(REPO_ROOT))
    parser.add_argument("--readme", help="file whose architecture block is replaced")
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale, write nothing")
    args = parser.parse_args(argv)
    try:
        block = render(Path(args.program), args.stack)
        if not args.readme:
            print(block)
            return 0
        path = Path(args.readme)
        text = path.read_text(encoding="utf-8")
        new = replace_block(text, block)
        if args.check:
            if new != text:
                print(
                    f"{path}: architecture diagram is stale; run python -m offline_preview.diagram {args.stack} --readme {path}",
                    file=sys.stderr,
                )
                return 1
            return 0
        path.write_text(new, encoding="utf-8")
        return 0
    except (UserError, ProgramError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
