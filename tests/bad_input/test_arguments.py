"""Every argument error of the entry points (the docs' error table): exit 2, one paragraph naming
the option and what is allowed, no traceback, and no program run before a bad file is reported."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from offline_preview import compare
from offline_preview.arguments import CLI_ERRORS, COMPARE, PR_COMMENT, PREVIEW
from offline_preview.cli import main as preview_main
from tools import pr_comment

from .helpers import REPO, assert_user_error

MAINS = {PREVIEW: preview_main, COMPARE: compare.main, PR_COMMENT: pr_comment.main}
PROGRAM = """import pathlib
import pulumi
pathlib.Path(__file__).with_name("ran").write_text("the program ran")
pulumi.export("x", 1)
"""


def fixtures(tmp: Path) -> dict[str, str]:
    program = tmp / "program"
    program.mkdir()
    (program / "Pulumi.yaml").write_text("name: probe\nruntime: python\n")
    (program / "__main__.py").write_text(PROGRAM)
    (program / "Pulumi.test.yaml").write_text("config:\n  aws:region: us-east-1\n")
    for name, manifest in (("nameless", "runtime: python\n"), ("runtimeless", "name: probe\n")):
        (tmp / name).mkdir()
        (tmp / name / "Pulumi.yaml").write_text(manifest)
        (tmp / name / "__main__.py").write_text(PROGRAM)
    (tmp / "dir").mkdir()
    (tmp / "binary").write_bytes(bytes(range(256)) * 4)
    (tmp / "file").write_text("not json, not a report: {\n")
    (tmp / "ambiguous.yaml").write_text("config:\n  aws:region: us-east-1\n  probe:enabled: yes\n")
    (tmp / "bad.yaml").write_text("config: [unclosed\n")
    (tmp / "deep.json").write_text('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}")
    broken = tmp / "broken_pack"
    shutil.copytree(REPO / "tests" / "examples" / "test_pack", broken)
    (broken / "PulumiPolicy.yaml").write_text("runtime: python\nversion: [0.1\n")
    deep_pack = tmp / "deep_pack"
    shutil.copytree(REPO / "tests" / "examples" / "test_pack", deep_pack)
    (deep_pack / "PulumiPolicy.yaml").write_text("runtime: python\nversion: " + "[" * 50_000 + "]" * 50_000 + "\n")
    foreign = tmp / "foreign_pack"
    shutil.copytree(REPO / "tests" / "examples" / "test_pack", foreign)
    (foreign / "PulumiPolicy.yaml").write_text("runtime: nodejs\nversion: 0.1.0\n")
    return {
        "missing": str(tmp / "nope"),
        "dir": str(tmp / "dir"),
        "binary": str(tmp / "binary"),
        "file": str(tmp / "file"),
        "ambiguous": str(tmp / "ambiguous.yaml"),
        "bad_yaml": str(tmp / "bad.yaml"),
        "program": str(program),
        "nameless": str(tmp / "nameless"),
        "runtimeless": str(tmp / "runtimeless"),
        "broken_pack": str(broken),
        "foreign_pack": str(foreign),
        "pack": str(REPO / "tests" / "examples" / "test_pack"),
        "deep_json": str(tmp / "deep.json"),
        "deep_pack": str(deep_pack),
    }


@pytest.mark.parametrize("row", CLI_ERRORS, ids=lambda r: f"{r.command.split()[-1]} {r.argument}: {r.message}")
def test_every_argument_error_is_exit_2_in_one_paragraph_before_the_program_runs(row, tmp_path, capsys):
    values = fixtures(tmp_path)
    argv = [arg.format(**values) for arg in row.argv]
    code = MAINS[row.command](argv)
    out, err = capsys.readouterr()
    text = out + err
    assert_user_error(code, text, row.message)
    assert "\n\n" not in text.strip(), text  # one paragraph (a list of problems is one line each)
    for program in ("program", "nameless", "runtimeless"):
        assert not (tmp_path / program / "ran").exists(), "the program ran before the argument was refused"


def test_each_entry_point_has_rows():
    assert {row.command for row in CLI_ERRORS} == set(MAINS)
    assert len(CLI_ERRORS) >= 25


def test_a_report_path_that_is_an_input_leaves_the_input_untouched(tmp_path, capsys):
    values = fixtures(tmp_path)
    stack_file = Path(values["program"]) / "Pulumi.test.yaml"
    before = stack_file.read_bytes()
    code = preview_main(
        ["test", "--program", values["program"], "--config", str(stack_file), "--json", str(stack_file)]
    )
    assert code == 2 and "which the run reads" in capsys.readouterr().err
    assert stack_file.read_bytes() == before
    assert not (tmp_path / "program" / "ran").exists()
