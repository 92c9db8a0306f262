"""Pack Markdown report parts into pull-request comments that GitHub accepts (standard library only).

`python -m tools.pr_comment OUT --part "LABEL=FILE" ... [--run-url URL] [--artifact-url URL]`

GitHub rejects a comment body over 65,536 characters, and the offline reports of three stacks plus
a new stack's cost difference come close to that or pass it. The parts (the cost difference, then
one report per stack) are kept whole and packed, in order, into as few comments as fit under
`--limit`; a part too large for a comment of its own is cut at a line boundary, with its open code
fences and `<details>` closed and a link to the full reports (the uploaded artifact). A missing part
file (its step failed) becomes one line pointing at the run.

Writes `OUT/comment.md` (everything, uncut: the job summary) and `OUT/comment-1.md` ... `-N.md`,
each starting with the marker `<!-- offline-preview:i -->` that pull-request-comment.yml uses to
update the same comments on the next push.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

GITHUB_LIMIT = 65_536
DEFAULT_LIMIT = 60_000  # characters per comment: room for the marker, header and GitHub's own counting
MARKER = "<!-- offline-preview:{index} -->"
TITLE = "## Offline preview"


@dataclass(frozen=True)
class Part:
    label: str
    text: str


def read_parts(specs: Sequence[str], run_url: str) -> list[Part]:
    """`LABEL=FILE` pairs, in order; a missing or unreadable file becomes a one-line notice."""
    parts = []
    for spec in specs:
        label, sep, file = spec.partition("=")
        if not sep or not label or not file:
            raise ValueError(f"--part {spec!r}: expected LABEL=FILE")
        path = Path(file)
        try:
            text = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            text = f"_{label}: no report (the step that writes `{file}` failed), see the [run]({run_url})._"
        parts.append(Part(label, text))
    return parts


def _closing(fences: int, opened: int) -> list[str]:
    """Lines that close a code fence and `<details>` blocks a cut leaves open."""
    return (["```"] if fences % 2 else []) + ["", "</details>"] * max(opened, 0)


def cut(part: Part, budget: int, link: str) -> str:
    """The part's text, cut at a line boundary so that it and the notice fit in `budget` characters."""
    if len(part.text) <= budget:
        return part.text
    lines = part.text.splitlines()
    kept: list[str] = []
    size = fences = opened = 0
    for line in lines:
        next_fences = fences + line.lstrip().startswith("```")
        next_opened = opened + line.count("<details") - line.count("</details>")
        tail = "\n".join(_closing(next_fences, next_opened))
        notice = _notice(part.label, len(kept) + 1, len(lines), link)
        if size + len(line) + 1 + len(tail) + 2 + len(notice) > budget:
            break
        kept.append(line)
        size += len(line) + 1
        fences, opened = next_fences, next_opened
    notice = _notice(part.label, len(kept), len(lines), link)
    return "\n".join([*kept, *_closing(fences, opened), "", notice])


def _notice(label: str, shown: int, total: int, link: str) -> str:
    return f"_{label}: cut after {shown} of {total} lines to fit a GitHub comment; the full report is in {link}._"


def pack(parts: Sequence[Part], limit: int = DEFAULT_LIMIT, link: str = "the workflow run") -> list[str]:
    """Comment bodies, each at most `limit` characters, with the parts in order and whole when possible."""
    overhead = len(MARKER.format(index=99)) + len(TITLE) + len(" (99/99)") + 4  # marker, title, blank lines
    budget = limit - overhead
    if budget < 1_000:
        raise ValueError(f"--limit {limit}: too small for a comment (at least {overhead + 1_000})")
    bodies: list[list[str]] = [[]]
    used = 0
    for part in parts:
        text = cut(part, budget, link)
        needed = len(text) + (2 if bodies[-1] else 0)
        if bodies[-1] and used + needed > budget:
            bodies.append([])
            used = 0
            needed = len(text)
        bodies[-1].append(text)
        used += needed
    count = len(bodies)
    out = []
    for index, texts in enumerate(bodies, start=1):
        title = TITLE if count == 1 else f"{TITLE} ({index}/{count})"
        out.append("\n".join([MARKER.format(index=index), title, "", "\n\n".join(texts)]) + "\n")
    return out


class _Parser(argparse.ArgumentParser):
    """A usage mistake is one line on stderr and exit code 2 (argparse prints the usage too)."""

    def error(self, message: str) -> NoReturn:
        print(f"error: {self.prog}: {message} (see --help)", file=sys.stderr)
        raise SystemExit(2)


def _limit(value: str) -> int:
    try:
        limit = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if not 1_000 <= limit <= GITHUB_LIMIT:
        raise argparse.ArgumentTypeError(f"{limit} is outside 1,000-{GITHUB_LIMIT:,} characters (GitHub's limit)")
    return limit


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m tools.pr_comment",
        description="Pack Markdown report parts into PR comments under GitHub's limit.",
    )
    parser.add_argument("out", help="directory to write comment.md and comment-<i>.md into")
    parser.add_argument("--part", action="append", default=[], metavar="LABEL=FILE", help="a report part, in order")
    parser.add_argument("--run-url", default="", help="the workflow run (linked when a part is missing)")
    parser.add_argument("--artifact-url", default="", help="the uploaded full reports (linked when a part is cut)")
    parser.add_argument(
        "--limit", type=_limit, default=DEFAULT_LIMIT, help=f"characters per comment (1,000-{GITHUB_LIMIT:,})"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage mistake (2, already reported)
        return exc.code if isinstance(exc.code, int) else 2
    if args.artifact_url:
        link = f"the [`offline-preview-reports` artifact]({args.artifact_url})"
    elif args.run_url:
        link = f"the `offline-preview-reports` artifact of the [run]({args.run_url})"
    else:
        link = "the `offline-preview-reports` artifact of the workflow run"
    try:
        parts = read_parts(args.part, args.run_url or "the workflow run")
        bodies = pack(parts, args.limit, link)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        print(f"error: {out}: is a file; allowed: a directory to write comment.md into", file=sys.stderr)
        return 2
    except OSError as exc:
        print(
            f"error: {out}: cannot be created ({exc.strerror or exc}); allowed: a writable directory", file=sys.stderr
        )
        return 2
    for stale in out.glob("comment-*.md"):
        stale.unlink()
    (out / "comment.md").write_text("\n".join([TITLE, "", "\n\n".join(p.text for p in parts)]) + "\n", encoding="utf-8")
    for index, body in enumerate(bodies, start=1):
        (out / f"comment-{index}.md").write_text(body, encoding="utf-8")
    print(f"{len(bodies)} comment(s): " + ", ".join(f"{len(b):,} characters" for b in bodies))
    return 0


if __name__ == "__main__":
    sys.exit(main())
