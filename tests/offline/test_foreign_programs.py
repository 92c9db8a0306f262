"""Public Pulumi programs that no one here wrote (tests/examples/foreign, see its NOTICE.md) preview
offline under preview semantics without a tool error, and their reports list every type without a
price model and every invoke without an offline answer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from offline_preview.cli import main

FOREIGN = Path(__file__).resolve().parent.parent / "examples" / "foreign"
PROGRAMS = sorted(p.name for p in FOREIGN.iterdir() if (p / "Pulumi.yaml").is_file())


def test_the_corpus_is_the_documented_one():
    notice = (FOREIGN / "NOTICE.md").read_text()
    assert len(PROGRAMS) >= 15
    for name in PROGRAMS:
        assert f"| `{name}` |" in notice, f"{name} has no source line in NOTICE.md"


@pytest.mark.parametrize("name", PROGRAMS)
def test_a_foreign_program_previews_and_its_report_lists_what_is_not_covered(name, tmp_path, capsys):
    program = FOREIGN / name
    out = tmp_path / "report.json"
    args = ["test", "--program", str(program), "--no-policy", "--quiet", "--json", str(out)]
    if (program / "stack-outputs.json").is_file():
        args += ["--stack-outputs", str(program / "stack-outputs.json")]
    code = main(args)
    doc = json.loads(out.read_text())
    assert code == 0, doc["error"]
    assert doc["mode"] == "preview" and doc["error"] is None
    assert "Traceback" not in capsys.readouterr().err

    resources = [r for r in doc["resources"] if r["custom"] and not r["type"].startswith("pulumi:")]
    assert resources, "a program that deploys something registers cloud resources"
    # Every resource is either costed by a line or counted among the types without a price model.
    cost = doc["cost"]
    unpriced = cost.get("unpriced", cost.get("notPriced", {}))
    unpriced_types = set(unpriced) if isinstance(unpriced, dict) else {u["type"] for u in unpriced}
    costed = {line["urn"] for line in cost["lines"] if line.get("basis") != "not priced"}
    for r in resources:
        assert r["urn"] in costed or r["type"] in unpriced_types, r["urn"]
    # Every unanswered invoke is listed with the program's call site.
    for token in doc.get("unansweredInvokes", []):
        sites = doc["unansweredInvokeSites"][token]
        assert sites and all(":" in s for s in sites), token
    # Remote components are counted as modelled or not expanded, never silently.
    remote = {r["urn"] for r in doc["resources"] if r["remote"]}
    listed = set(doc["remoteComponents"]["modelled"]) | set(doc["remoteComponents"]["notExpanded"])
    assert remote == listed
