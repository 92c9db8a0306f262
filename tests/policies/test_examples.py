"""The pack judged through the same path `python -m offline_preview` takes (run_program + evaluate):
every policy catches the insecure example resource by resource, with the right URN and a message
naming the fix, and passes the compliant twin."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from pulumi_policy import ResourceValidationPolicy

from offline_preview import Capture, PolicyReport, evaluate, load_policy_pack, servicer_calls
from offline_preview.cli import main as cli_main
from offline_preview.policy_runner import LoadedPack, read_policy_config
from platform_policies import REGISTRY
from tests.stack_runs import example_capture

from .expectations import EXPECTED, SUPPORTING
from .families import FAMILIES, INSECURE_CONFIG

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


def _results(report: PolicyReport) -> tuple[list[tuple[str, ...]], list[str], list[tuple[str, str, str]]]:
    """Everything a report says: findings, unknown-value notes, not-applicable results."""
    return (
        sorted((v.policy, v.urn, v.message, v.enforcement) for v in report.violations),
        sorted(report.diagnostics),
        sorted(report.not_applicable),
    )


def _all_policies_called(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the CLI does: every policy gets every resource."""
    monkeypatch.setattr(servicer_calls, "judges", lambda policy, resource_type: True)


EXAMPLE_PROGRAMS = ["insecure_program", "compliant_program"] + [
    f"families/{family}/{kind}" for family in sorted(FAMILIES) for kind in ("insecure", "compliant")
]


@pytest.mark.parametrize("program", EXAMPLE_PROGRAMS)
def test_calling_only_the_judging_policies_gives_the_results_of_calling_all(
    program: str, pack: LoadedPack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The preview sends a resource only to the resource policies whose `judges_type` accepts it;
    the CLI calls every policy. Both must agree, under preview semantics (unknown values, hence
    the "can't run policy" notes) and under the strictest config."""
    cap = example_capture(program, "preview")
    scoped = evaluate(pack, cap, INSECURE_CONFIG, cap.config)
    _all_policies_called(monkeypatch)
    full = evaluate(pack, cap, INSECURE_CONFIG, cap.config)
    assert _results(scoped) == _results(full)
    assert all(
        callable(getattr(p, "judges_type", None)) for p in pack.policies if isinstance(p, ResourceValidationPolicy)
    )


def test_a_stack_policy_whose_config_widens_its_types_still_judges_them(
    insecure: tuple[Capture, PolicyReport], pack: LoadedPack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`stateful-resources-protected` judges the types its config lists, beyond its declared ones:
    stack policies are never left out, so a widened list is honoured as the CLI honours it."""
    cap, _ = insecure
    declared = {t for i in REGISTRY if i.name == "stateful-resources-protected" for t in i.resource_types}
    extra = sorted(
        {r.type for r in cap.resources if r.custom and not r.protect and r.type.startswith("aws:")} - declared
    )
    assert extra
    config = {**INSECURE_CONFIG, "stateful-resources-protected": {"statefulTypes": [extra[0]]}}
    # Only resources of that type (and the stack and providers): none of the declared types is present.
    cap = dataclasses.replace(
        cap, resources=[r for r in cap.resources if r.type in (extra[0],) or r.type.startswith("pulumi:")]
    )
    assert not {r.type for r in cap.resources} & declared
    scoped = evaluate(pack, cap, config, cap.config)
    caught = {v.urn for v in scoped.violations if v.policy == "stateful-resources-protected"}
    assert caught and all(cap.by_urn()[u].type == extra[0] for u in caught)
    _all_policies_called(monkeypatch)
    assert _results(scoped) == _results(evaluate(pack, cap, config, cap.config))
