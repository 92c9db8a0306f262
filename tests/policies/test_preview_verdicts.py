"""A real `pulumi preview --policy-pack` sees unknowns where the provider computes values on
create; the pack must reach the same mandatory verdicts there as on an `up` with every value known.
Relating resources follows the engine's property dependencies, never ids or ARNs."""

from __future__ import annotations

from pathlib import Path

import pytest

from offline_preview import evaluate, load_policy_pack
from offline_preview.analyzer_wire import UNKNOWN
from offline_preview.policy_runner import PolicyReport, read_policy_config
from tests.stack_runs import EXAMPLES, example_capture, stack_preview

from .families import FAMILIES, FAMILY_DIR, INSECURE_CONFIG

REPO = Path(__file__).resolve().parents[2]
PACK_DIR = REPO / "policies"
FIXTURES = {
    "insecure": (REPO / "tests" / "examples" / "insecure_program", INSECURE_CONFIG),
    "compliant": (REPO / "tests" / "examples" / "compliant_program", None),
    **{
        f"{family}/{kind}": (FAMILY_DIR / family / kind, INSECURE_CONFIG if kind == "insecure" else {})
        for family in FAMILIES
        for kind in ("insecure", "compliant")
    },
}


def _verdicts(report: PolicyReport | None) -> set[tuple[str, str]]:
    assert report is not None
    return {(v.policy, v.urn) for v in report.mandatory}


def _findings(report: PolicyReport) -> set[tuple[str, str, str]]:
    return {(v.policy, v.urn, v.enforcement) for v in report.violations}


def _has_unknowns(value: object) -> bool:
    if isinstance(value, dict):
        return any(_has_unknowns(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_unknowns(v) for v in value)
    return value == UNKNOWN


@pytest.mark.stack
@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_stack_verdicts_are_the_same_in_preview_and_up(stack: str) -> None:
    """The stacks have no mandatory finding in either mode (tests/policies/test_stacks.py), so the
    comparison covers every finding at every level: a preview's unknowns must not hide or add one."""
    up = stack_preview(stack, "up")
    dry = stack_preview(stack, "preview")
    assert any(_has_unknowns(r.inputs) for r in dry.capture.resources)  # really a preview
    assert dry.policy is not None and up.policy is not None
    assert any("can't be known during preview" in note for note in dry.policy.diagnostics)
    assert _findings(dry.policy) == _findings(up.policy)
    if stack == "dev":  # the comparison is not vacuous: dev keeps advisory findings
        assert _findings(up.policy)


@pytest.mark.parametrize("fixture", sorted(FIXTURES))
def test_fixture_verdicts_are_the_same_in_preview_and_up(fixture: str) -> None:
    directory, config = FIXTURES[fixture]
    if config is None:
        config = read_policy_config(PACK_DIR / "config" / "prod.json")
    pack = load_policy_pack(PACK_DIR)
    program = directory.relative_to(EXAMPLES).as_posix()
    up_cap = example_capture(program, "up")
    dry_cap = example_capture(program, "preview")
    assert len(dry_cap.resources) == len(up_cap.resources)
    if "/" not in fixture:  # the big fixtures really relate resources through unknown values
        assert any(_has_unknowns(r.inputs) for r in dry_cap.resources)
    up = evaluate(pack, up_cap, config, up_cap.config)
    dry = evaluate(pack, dry_cap, config, dry_cap.config)
    assert sorted(_verdicts(up) - _verdicts(dry)) == []
    assert sorted(_verdicts(dry) - _verdicts(up)) == []
