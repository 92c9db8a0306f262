"""Messages and user data reach the reader unchanged, whatever the checkout's path or the width."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from offline_preview.cli import main
from offline_preview.console import make_console, plain

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("depth", [1, 7, 23, 61])
def test_an_error_with_a_long_path_is_one_unbroken_line(tmp_path, capsys, depth):
    """Paths of many lengths put the line break of an 80-column console at different places of the
    message; none may break it (CI failed only in checkouts a few characters longer)."""
    program = tmp_path / ("d" * depth) / "program"
    program.mkdir(parents=True)
    shutil.copy(REPO / "Pulumi.yaml", program / "Pulumi.yaml")
    (program / "__main__.py").write_text("")
    for stack in ("dev", "prod", "staging"):
        (program / f"Pulumi.{stack}.yaml").write_text("config: {}\n")
    assert main(["nosuch", "--program", str(program), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert f"no Pulumi.nosuch.yaml in {program} (stacks: dev, prod, staging)" in err


def test_user_text_is_printed_verbatim_without_emoji_or_markup(capsys):
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-1a2b3c-AbCdEf [bold]x[/bold] :smile:"
    make_console().print(plain(arn))
    out = capsys.readouterr().out
    assert out.strip() == arn
