"""Every `python -m offline_preview` run shows the cost and deploy-time sections."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from offline_preview.cli import ESTIMATORS, main

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
MINIMAL = EXAMPLES / "minimal_program"
PACK = EXAMPLES / "test_pack"


def test_builtin_sections_are_registered():
    assert {"cost", "deploy"} <= set(ESTIMATORS)


def test_json_and_markdown_carry_cost_and_deploy(tmp_path, capsys):
    out, md = tmp_path / "out.json", tmp_path / "comment.md"
    assert (
        main(["test", "--program", str(MINIMAL), "--policy-pack", str(PACK), "--json", str(out), "--markdown", str(md)])
        == 0
    )
    doc = json.loads(out.read_text())
    cost = doc["cost"]
    assert set(cost) >= {"monthlyUsd", "byComponent", "lines", "assumptions", "priceSource"}
    # The example is in eu-west-1, which the price table does not cover: priced at us-east-1, and said so.
    assert cost["monthlyUsd"] == round(1.00 + 20 * 0.023 + 0.40 + 0.05, 2)
    assert cost["warnings"] and "eu-west-1" in cost["warnings"][0]
    assert {ln["type"] for ln in cost["lines"]} >= {"aws:kms/key:Key", "aws:s3/bucket:Bucket"}
    assert set(doc["deploy"]) >= {"criticalPathMinutes", "criticalPath"}
    assert doc["deploy"]["criticalPath"][0].endswith("aws:kms/key:Key::data")
    text = md.read_text()
    assert "Estimated monthly cost" in text and "Deploy-time estimate" in text
    terminal = capsys.readouterr().out
    assert "Cost: " in terminal and "Deploy time: " in terminal


def test_a_failing_estimator_is_reported_not_fatal(monkeypatch, tmp_path):
    import offline_preview.estimators as estimators

    def broken(result):
        raise ValueError("boom")

    monkeypatch.setitem(ESTIMATORS, "cost", estimators._guarded("cost", broken))
    out = tmp_path / "out.json"
    assert main(["test", "--program", str(MINIMAL), "--policy-pack", str(PACK), "--quiet", "--json", str(out)]) == 0
    assert json.loads(out.read_text())["cost"] == {"error": "ValueError: boom"}


REPO = Path(__file__).resolve().parents[2]
INSECURE = EXAMPLES / "insecure_program"
SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-0f1e2d3c-a1b2c3:smile:[bold]x[/bold]"


def _write_program(directory: Path) -> Path:
    directory.mkdir()
    (directory / "Pulumi.yaml").write_text("name: verbatim\nruntime: python\n")
    (directory / "Pulumi.test.yaml").write_text("config:\n  aws:region: us-east-1\n")
    (directory / "__main__.py").write_text(
        "import pulumi\nimport pulumi_aws as aws\n"
        "aws.secretsmanager.Secret('db')\n"
        f"pulumi.export('databaseSecretArn', {SECRET_ARN!r})\n"
    )
    return directory


def test_user_data_is_printed_verbatim_in_every_format(tmp_path, capsys):
    """rich turned `:secret:` into an emoji and would parse `[bold]`: user data must reach the
    reader exactly as written, in text, JSON and Markdown."""
    program = _write_program(tmp_path / "p")
    base = ["test", "--program", str(program), "--no-policy"]
    assert main([*base, "--verbose"]) == 0
    assert f"databaseSecretArn = {SECRET_ARN}" in capsys.readouterr().out
    assert main([*base, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["outputs"]["databaseSecretArn"] == SECRET_ARN
    from offline_preview.report import md_text

    assert md_text("x:secret:y") == "x&#58;secret:y"  # GitHub renders `:secret:` as an emoji otherwise


def test_format_json_and_markdown_print_what_the_files_hold(tmp_path, capsys):
    out, md = tmp_path / "out.json", tmp_path / "comment.md"
    args = ["test", "--program", str(MINIMAL), "--policy-pack", str(PACK)]
    assert main([*args, "--quiet", "--json", str(out), "--markdown", str(md)]) == 0
    capsys.readouterr()
    assert main([*args, "--format", "json"]) == 0
    assert capsys.readouterr().out == out.read_text()
    assert main([*args, "--format", "markdown"]) == 0
    assert capsys.readouterr().out == md.read_text()


@pytest.fixture(scope="module")
def insecure_text() -> tuple[str, str, dict]:
    """The insecure fixture (findings of many policies) printed to a pipe: default and verbose."""
    import contextlib
    import io

    outputs = []
    for extra in ([], ["--verbose"]):
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            main(["test", "--program", str(INSECURE), "--policy-pack", str(REPO / "policies"), *extra])
        outputs.append(buffer.getvalue())
    doc_buffer = io.StringIO()
    with contextlib.redirect_stdout(doc_buffer):
        main(["test", "--program", str(INSECURE), "--policy-pack", str(REPO / "policies"), "--format", "json"])
    return outputs[0], outputs[1], json.loads(doc_buffer.getvalue())


def test_text_off_a_terminal_never_cuts_or_wraps_names(insecure_text):
    default, verbose, doc = insecure_text
    policies = {v["policy"] for v in doc["policy"]["violations"]}
    types = {r["type"] for r in doc["resources"][1:]}
    assert policies and len(types) > 20
    assert all(p in verbose for p in policies)  # no "stateful-resources-…"
    verbose_lines = verbose.splitlines()
    assert all(any(line.split() == [line.split()[0], t] for line in verbose_lines) for t in types), "a type was split"
    assert "…" not in default + verbose and "│" not in default + verbose  # no cut cells, no table borders


def test_findings_are_one_entry_per_policy(insecure_text):
    _default, verbose, doc = insecure_text
    by_policy: dict[str, int] = {}
    for v in doc["policy"]["violations"]:
        by_policy[v["policy"]] = by_policy.get(v["policy"], 0) + 1
    for policy, n in by_policy.items():
        entries = [ln for ln in verbose.splitlines() if ln.split()[1:2] == [policy]]
        assert len(entries) == 1 and f"({n} resource" in entries[0], policy


def test_default_text_fits_a_screen_and_verbose_has_the_details(insecure_text):
    default, verbose, doc = insecure_text
    assert len(doc["policy"]["violations"]) > 100 and len(default.splitlines()) <= 40
    assert re.search(r"\.\.\. and \d+ more policies", default)
    assert "Resource tree:" not in default and "Resource tree:" in verbose
    assert "cost by resource:" in verbose and "critical path:" in verbose


def test_markdown_groups_findings_by_policy(tmp_path):
    from offline_preview import preview
    from offline_preview.report import to_markdown

    result = preview("test", INSECURE, policy_pack=str(REPO / "policies"))
    text = to_markdown(result)
    rows = [ln for ln in text.splitlines() if ln.startswith(("| mandatory |", "| advisory |"))]
    assert len(rows) == len({v.policy for v in result.policy.violations})  # type: ignore[union-attr]


def test_the_headline_states_the_mode_and_what_was_not_covered():
    from offline_preview.capture import Capture
    from offline_preview.report import PreviewResult, text_lines, to_json, to_markdown

    cap = Capture(project="p", stack="s", stack_urn="urn:pulumi:s::p::pulumi:pulumi:Stack::p-s")
    cap.unknown_invokes.append("aws:ec2/getAmi:getAmi")
    cap.mode = "preview"  # type: ignore[attr-defined]  # set by the capture engine when it records the mode
    result = PreviewResult(capture=cap)
    lines = text_lines(result)
    assert lines[0].startswith("Offline preview (preview mode) of p/s")
    assert lines[1] == "Not covered: unanswered invokes: 1; no policy pack run"
    assert to_json(result)["mode"] == "preview" and "Offline preview (preview):" in to_markdown(result)


@pytest.mark.stack
def test_the_same_stack_previewed_twice_gives_byte_identical_json(tmp_path):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    assert main(["dev", "--program", str(REPO), "--quiet", "--json", str(first)]) in (0, 1)
    assert main(["dev", "--program", str(REPO), "--quiet", "--json", str(second)]) in (0, 1)
    assert first.read_bytes() == second.read_bytes()
    doc = json.loads(first.read_text())
    assert all(r["dependencies"] == sorted(r["dependencies"]) for r in doc["resources"])
    assert [r["urn"] for r in doc["resources"][1:]] == sorted(r["urn"] for r in doc["resources"][1:])


def test_reports_of_separate_processes_are_byte_identical(tmp_path):
    """Each process hashes strings with its own seed, and the SDK sends dependencies in set order:
    the reports (and the policy messages that name related resources) must not follow it."""
    reports = []
    for seed in ("1", "2"):
        out = tmp_path / f"seed-{seed}.json"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        args = ["test", "--program", str(INSECURE), "--policy-pack", str(REPO / "policies"), "--json", str(out)]
        proc = subprocess.run(
            [sys.executable, "-m", "offline_preview", *args, "--quiet"],
            cwd=REPO,
            env=env,
            check=False,
            capture_output=True,
            text=True,
        )
        assert proc.returncode == 1  # the insecure program has mandatory findings
        assert proc.stderr == ""  # nothing printed at exit either (an unclosed event loop would)
        reports.append(out.read_bytes())
    assert reports[0] == reports[1]


def test_a_result_carrying_an_error_renders_it_in_every_form():
    from offline_preview.capture import Capture
    from offline_preview.report import PreviewResult, text_lines, to_json, to_markdown

    result = PreviewResult(capture=Capture(project="p", stack="s"))
    result.error = {"kind": "program", "message": "TypeError: boom (at __main__.py:3)", "location": "__main__.py:3"}
    assert text_lines(result)[1] == "Error: TypeError: boom (at __main__.py:3)"
    assert to_json(result)["error"]["message"] == "TypeError: boom (at __main__.py:3)"
    assert "__main__.py&#58;3" not in to_markdown(result)  # user text verbatim, no emoji escapes
    assert ":x: **program error** at `__main__.py:3`: TypeError: boom (at __main__.py:3)" in to_markdown(result)
