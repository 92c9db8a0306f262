"""`python -m offline_preview.compare`: per-stack and per-component deltas, added/removed resources."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pulumi
import pulumi_aws as aws
import pytest

from offline_preview import run_program
from offline_preview.cli import ESTIMATORS
from offline_preview.compare import compare, load_reports, main
from offline_preview.report import PreviewResult, to_json

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
NAT_MONTH = 0.045 * 730


class Network(pulumi.ComponentResource):
    def __init__(self, name: str, nat_count: int, db_class: str) -> None:
        super().__init__("test:index:Network", name, None)
        child = pulumi.ResourceOptions(parent=self)
        for i in range(nat_count):
            eip = aws.ec2.Eip(f"nat-{i}", domain="vpc", opts=child)
            aws.ec2.NatGateway(f"nat-{i}", allocation_id=eip.allocation_id, subnet_id=f"subnet-{i}", opts=child)
        aws.rds.Instance(
            "db", engine="postgres", instance_class=db_class, allocated_storage=20, username="app", opts=child
        )
        self.register_outputs({})


def write_report(path: Path, stack: str, nat_count: int, db_class: str = "db.t3.micro", kms: bool = False) -> Path:
    def program() -> None:
        Network("network", nat_count, db_class)
        if kms:
            aws.kms.Key("extra")

    capture = run_program(HERE, stack, program=program, config={"aws:region": "us-east-1"})
    result = PreviewResult(capture=capture)
    for name, estimator in ESTIMATORS.items():
        result.sections[name] = estimator(result)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(to_json(result)))
    return path


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("reports")
    write_report(root / "base" / "dev.json", "dev", nat_count=1)
    write_report(root / "base" / "prod.json", "prod", nat_count=1)
    write_report(root / "head" / "dev.json", "dev", nat_count=1, kms=True)
    write_report(root / "head" / "prod.json", "prod", nat_count=3, db_class="db.t3.small")
    write_report(root / "head" / "staging.json", "staging", nat_count=1)
    return root / "base", root / "head"


def test_per_stack_and_per_component_deltas(reports):
    diffs = {d.stack: d for d in compare(load_reports(reports[0]), load_reports(reports[1]))}
    assert set(diffs) == {"dev", "prod", "staging"}
    prod = diffs["prod"]
    eip_month = 0.005 * 730
    db_change = (0.036 - 0.018) * 730
    nat_data = 200 * 0.045
    expected = 2 * (NAT_MONTH + nat_data) + 2 * eip_month + db_change
    assert prod.delta == pytest.approx(expected, abs=0.02)
    [(component, base, head)] = prod.components
    assert component == "network" and head - base == pytest.approx(expected, abs=0.02)
    added = {r.urn.rsplit("::", 1)[-1] for r in prod.added}
    assert added == {"nat-1", "nat-2"} and len(prod.added) == 4  # two NAT gateways and their EIPs
    assert not prod.removed
    [(urn, _type, before, after)] = prod.changed
    assert urn.endswith("::db") and after - before == pytest.approx(db_change, abs=0.01)
    dev = diffs["dev"]
    assert dev.delta == pytest.approx(1.0, abs=0.01) and dev.components == [("(stack)", 0.0, 1.0)]
    assert diffs["staging"].notes == ["new stack (no report on the base branch)"]
    assert diffs["staging"].base_total is None and diffs["staging"].head_total is not None


def test_markdown_comment_and_exit_codes(reports, tmp_path):
    md = tmp_path / "diff.md"
    out = tmp_path / "diff.json"
    assert main([str(reports[0]), str(reports[1]), "--markdown", str(md), "--json", str(out), "--quiet"]) == 0
    text = md.read_text()
    assert "### Cost and deploy-time difference against the base branch" in text
    assert "| `prod` |" in text and "**Added** (4)" in text and "new stack" in text
    doc = json.loads(out.read_text())
    assert [d["stack"] for d in doc] == ["dev", "prod", "staging"]
    assert main([str(reports[0]), str(reports[1]), "--max-increase", "10", "--quiet"]) == 1
    assert main([str(reports[0]), str(reports[1]), "--max-increase", "100000", "--quiet"]) == 0


def test_single_files_compare_too(reports):
    assert main([str(reports[0] / "prod.json"), str(reports[1] / "prod.json"), "--quiet"]) == 0


def test_bad_input_is_a_message_not_a_traceback(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    proc = subprocess.run(
        [sys.executable, "-m", "offline_preview.compare", str(bad), str(tmp_path / "missing")],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert proc.returncode == 2
    assert "not a readable JSON report" in proc.stderr and "Traceback" not in proc.stderr
    other = tmp_path / "other.json"
    other.write_text("{}")
    assert main([str(other), str(other), "--quiet"]) == 2


def _report(stack: str, resources: dict[str, float]) -> dict[str, object]:
    """A minimal report: resource name -> monthly cost."""
    urns = {name: f"urn:pulumi:{stack}::p::test:index:Thing::{name}" for name in resources}
    return {
        "stack": stack,
        "resources": [{"urn": u, "type": "test:index:Thing", "custom": True} for u in urns.values()],
        "cost": {
            "monthlyUsd": sum(resources.values()),
            "byComponent": {"(stack)": sum(resources.values())},
            "lines": [{"urn": urns[n], "type": "test:index:Thing", "monthlyUsd": c} for n, c in resources.items()],
        },
    }


def test_resources_without_a_monthly_cost_are_counted_not_listed(tmp_path):
    from rich.console import Console

    from offline_preview.compare import print_terminal, to_markdown

    free = {f"role-{i}": 0.0 for i in range(300)}
    head = {"staging": _report("staging", {"nat": 32.85, "alarm": 0.1, **free})}
    base = {"staging": _report("staging", {"gone-1": 0.0, "gone-2": 0.0})}
    diffs = compare(base, head)
    [diff] = diffs
    assert len(diff.added) == 302 and len(diff.removed) == 2  # the data keeps every resource
    text = to_markdown(diffs)
    assert "**Added** (302):" in text and "`test:index:Thing::nat` $32.85" in text and "::alarm` $0.10" in text
    assert "role-" not in text and "- _300 more at $0.00 a month (not listed)_" in text
    assert "**Removed** (2):" in text and "- _all at $0.00 a month (not listed)_" in text and "gone-" not in text
    assert len(text) < 3_000
    console = Console(record=True, width=200)
    print_terminal(diffs, console)
    out = console.export_text()
    assert "added test:index:Thing::nat $32.85" in out and "role-" not in out
    assert "added: 300 more at $0.00 a month (not listed)" in out
    assert "removed: all at $0.00 a month (not listed)" in out
    doc = diff.to_json()
    assert len(doc["added"]) == 302 and len(doc["removed"]) == 2


def test_unpriced_resources_are_shown_as_unpriced_and_totals_as_lower_bounds():
    from offline_preview.compare import text_lines, to_markdown

    head = _report("prod", {"nat": 32.85, "graph": 0.0})
    lines = head["cost"]["lines"]  # type: ignore[index]
    lines[1].update(kind="unpriced", monthlyUsd=None)
    head["cost"].update(unpricedCount=1, complete=False)  # type: ignore[union-attr]
    [diff] = compare({"prod": _report("prod", {})}, {"prod": head})
    graph = next(r for r in diff.added if r.urn.endswith("::graph"))
    assert not graph.priced and diff.to_json()["added"][0]["monthlyUsd"] is None  # unpriced first
    assert diff.head_lower_bound and "this branch: 1 unpriced resource, so its total is a lower bound" in diff.notes
    text = to_markdown([diff])
    assert "`test:index:Thing::graph` unpriced" in text and "| ≥ $32.85 |" in text
    assert "  added test:index:Thing::graph unpriced" in text_lines([diff])


def test_an_error_naming_a_long_path_is_one_line(tmp_path, capsys):
    missing = tmp_path / ("x" * 90) / "report.json"
    assert main([str(missing), str(missing)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{missing}: no such file or directory" in err
