"""The pack judged through the same path `python -m offline_preview` takes (run_program + evaluate):
every policy catches the insecure example resource by resource, with the right URN and a message
naming the fix, and passes the compliant twin."""

from __future__ import annotations

from pathlib import Path

import pytest

from offline_preview import Capture, PolicyReport, evaluate, load_policy_pack, servicer_calls
from offline_preview.cli import main as cli_main
from offline_preview.policy_runner import LoadedPack, read_policy_config
from tests.stack_runs import example_capture

from .expectations import EXPECTED, SUPPORTING
from .families import INSECURE_CONFIG

REPO = Path(__file__).resolve().parents[2]
PACK_DIR = REPO / "policies"
INSECURE = REPO / "tests" / "examples" / "insecure_program"
COMPLIANT = REPO / "tests" / "examples" / "compliant_program"


@pytest.fixture(scope="module")
def pack() -> LoadedPack:
    return load_policy_pack(PACK_DIR)


@pytest.fixture(scope="module")
def insecure(pack: LoadedPack) -> tuple[Capture, PolicyReport]:
    cap = example_capture("insecure_program", "preview")
    return cap, evaluate(pack, cap, INSECURE_CONFIG, cap.config)


@pytest.fixture(scope="module")
def compliant(pack: LoadedPack) -> tuple[Capture, PolicyReport]:
    cap = example_capture("compliant_program", "up")
    return cap, evaluate(pack, cap, read_policy_config(PACK_DIR / "config" / "prod.json"), cap.config)


POLICY_NAMES = sorted(EXPECTED)


def test_every_expectation_names_a_policy(pack: LoadedPack) -> None:
    """The policies this program does not show have a family program (test_families.py)."""
    assert set(EXPECTED) <= {p.name for p in pack.policies}
    assert len(pack.policies) >= 100


@pytest.mark.parametrize("policy", POLICY_NAMES)
def test_policy_catches_insecure_resources(policy: str, insecure: tuple[Capture, PolicyReport]) -> None:
    cap, report = insecure
    names, fragment = EXPECTED[policy]
    index = cap.by_urn()
    found = [v for v in report.violations if v.policy == policy]
    assert {index[v.urn].name for v in found} == names
    for v in found:
        assert fragment in v.message, v.message
        assert index[v.urn].name in v.message or v.urn.endswith(index[v.urn].name), v.message


@pytest.mark.parametrize("policy", POLICY_NAMES)
def test_policy_passes_compliant_resources(policy: str, compliant: tuple[Capture, PolicyReport]) -> None:
    _, report = compliant
    assert [v.message for v in report.violations if v.policy == policy] == []


def test_compliant_twin_has_no_findings_at_all(compliant: tuple[Capture, PolicyReport]) -> None:
    _, report = compliant
    assert report.violations == []
    assert report.diagnostics == []


def test_every_insecure_resource_is_caught(insecure: tuple[Capture, PolicyReport]) -> None:
    """Except the documented supporting and link resources (tests/policies/test_coverage.py proves
    the links are followed)."""
    cap, report = insecure
    flagged = {v.urn for v in report.violations}
    missed = [r.name for r in cap.resources if r.custom and r.urn not in flagged and r.name not in SUPPORTING]
    assert missed == []


def test_the_cli_exits_1_on_the_insecure_program_and_0_on_the_twin() -> None:
    base = ["test", "--policy-pack", str(PACK_DIR), "--quiet", "--mode", "up"]
    assert cli_main([*base, "--program", str(INSECURE)]) == 1
    assert cli_main([*base, "--program", str(COMPLIANT)]) == 0


@pytest.mark.parametrize("fixture", ["insecure", "compliant"])
def test_calling_only_the_judging_policies_gives_the_verdicts_of_calling_all(
    fixture: str, pack: LoadedPack, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The preview sends a resource only to the policies whose `judges_type` accepts it (and skips
    stack policies judging nothing present); the CLI calls every policy. Both must agree: findings,
    unknown-value notes, not-applicable results."""
    cap, scoped = request.getfixturevalue(fixture)
    config = INSECURE_CONFIG if fixture == "insecure" else read_policy_config(PACK_DIR / "config" / "prod.json")
    monkeypatch.setattr(servicer_calls, "judges", lambda policy, resource_type: True)
    full = evaluate(pack, cap, config, cap.config)

    def seen(report: PolicyReport) -> tuple[list[tuple[str, ...]], list[str], list[tuple[str, str, str]]]:
        return (
            sorted((v.policy, v.urn, v.message, v.enforcement) for v in report.violations),
            sorted(report.diagnostics),
            sorted(report.not_applicable),
        )

    assert seen(scoped) == seen(full)
    assert full.violations if fixture == "insecure" else not full.mandatory
    assert all(callable(getattr(p, "judges_type", None)) for p in pack.policies)
