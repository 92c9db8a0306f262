"""Terminal output that never rewrites what it prints.

Two properties every command of the offline preview relies on:

- Prose is never hard-wrapped by the terminal library. rich wraps at the console width, and when
  stdout/stderr is not a terminal (CI logs, pipes, pytest's capture) that width is 80 columns, so a
  message with a long path was cut mid-sentence and a test's expectation depended on the length of
  the checkout's path. Consoles made here use `soft_wrap=True` (the line is emitted whole and the
  reader's terminal or log viewer wraps it) whenever the stream is not a terminal.
- User data is printed verbatim. rich replaces `:name:` emoji codes (the `:secret:` inside a Secrets
  Manager ARN became "㊙") and interprets `[...]` as markup. Consoles made here turn emoji codes
  off, and user text goes through `plain()` (a `Text`, never parsed as markup).
"""

from __future__ import annotations

import sys
from typing import IO

from rich.console import Console
from rich.text import Text


def is_terminal(stream: IO[str] | None = None) -> bool:
    stream = stream if stream is not None else sys.stdout
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


def make_console(*, stderr: bool = False, record: bool = False, width: int | None = None) -> Console:
    """A console for reports and messages: no emoji codes, no automatic highlighting of numbers and
    paths in user text, and no hard wrap when the stream is not a terminal."""
    stream = sys.stderr if stderr else sys.stdout
    terminal = is_terminal(stream)
    return Console(
        stderr=stderr,
        emoji=False,
        highlight=False,
        soft_wrap=not terminal,
        record=record,
        width=width,
    )


def plain(text: str, style: str = "") -> Text:
    """User data as rich text: printed exactly as given (no markup, no emoji codes)."""
    return Text(text, style=style)


def print_error(console: Console, label: str, message: str) -> None:
    """`label: message` on one logical line; the message is user-facing prose and never wrapped."""
    console.print(Text.assemble((f"{label}: ", "red"), message), soft_wrap=True)
