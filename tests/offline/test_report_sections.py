"""Every `python -m offline_preview` run shows the cost and deploy-time sections."""

from __future__ import annotations

import json
from pathlib import Path

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
    assert "Cost: " in terminal and "Deploy-time estimate" in terminal


def test_a_failing_estimator_is_reported_not_fatal(monkeypatch, tmp_path):
    import offline_preview.estimators as estimators

    def broken(result):
        raise ValueError("boom")

    monkeypatch.setitem(ESTIMATORS, "cost", estimators._guarded("cost", broken))
    out = tmp_path / "out.json"
    assert main(["test", "--program", str(MINIMAL), "--policy-pack", str(PACK), "--quiet", "--json", str(out)]) == 0
    assert json.loads(out.read_text())["cost"] == {"error": "ValueError: boom"}
