"""Type coverage of the example programs, computed from the policies themselves.

Each policy declares the types it judges (its type filter: findings land on these) and, for stack
policies, the types it only reads to judge others (links). The insecure program must hold a
resource of every declared type, and every judged type must be caught by every policy that judges
it, resource by resource. The compliant twin must hold a resource of every declared type too
(except the two that are findings by construction), so that no policy passes it vacuously. Each
link is proven: removing a link resource from an example changes what its policy reports.
"""

from __future__ import annotations

import dataclasses
import fnmatch
from collections import defaultdict
from pathlib import Path

import pytest

from offline_preview import Capture, PolicyReport, evaluate, load_policy_pack
from offline_preview.policy_runner import LoadedPack, read_policy_config
from platform_policies import REGISTRY
from tests.stack_runs import EXAMPLES, example_capture

from .expectations import LINK_PROOFS, NO_SECURE_TWIN, SUPPORTING
from .families import FAMILIES, FAMILY_DIR, INSECURE_CONFIG, WEBSITE_LINKS

REPO = Path(__file__).resolve().parents[2]
PACK_DIR = REPO / "policies"
PROGRAMS = {
    "insecure": REPO / "tests" / "examples" / "insecure_program",
    "compliant": REPO / "tests" / "examples" / "compliant_program",
}
for _family in FAMILIES:
    for _kind in ("insecure", "compliant"):
        PROGRAMS[f"{_family}/{_kind}"] = FAMILY_DIR / _family / _kind
CONFIGS = {name: INSECURE_CONFIG if name.endswith("insecure") else None for name in PROGRAMS} | {
    "compliant": read_policy_config(PACK_DIR / "config" / "prod.json")
}
"""The insecure programs under every policy at `mandatory`; the compliant twin under prod's config
and the families' compliant twins under the defaults a foreign program gets."""
SHOWCASES = {"s3/compliant"}
"""Compliant programs that show AWS defaults passing the mandatory policies while keeping advice
(a bucket with nothing but SSE-S3 and Block Public Access): not part of the clean union."""

JUDGED: dict[str, set[str]] = defaultdict(set)
"""Exact type -> the policies whose filter selects it (findings are reported on it)."""
LINKED: dict[str, set[str]] = defaultdict(set)
"""Exact type -> the stack policies that read it to judge other resources."""
for _info in REGISTRY:
    for _t in _info.resource_types:
        if "*" not in _t:
            JUDGED[_t].add(_info.name)
    for _t in _info.links:
        LINKED[_t].add(_info.name)
DECLARED = set(JUDGED) | set(LINKED)
PAIRS = sorted((p, t) for t, policies in JUDGED.items() for p in policies)
LINK_PAIRS = sorted((p, t) for t, policies in LINKED.items() for p in policies)


@pytest.fixture(scope="module")
def pack() -> LoadedPack:
    return load_policy_pack(PACK_DIR)


@pytest.fixture(scope="module")
def runs(pack: LoadedPack) -> dict[str, tuple[Capture, PolicyReport]]:
    out = {}
    for name, directory in PROGRAMS.items():
        cap = example_capture(directory.relative_to(EXAMPLES).as_posix(), "up")
        out[name] = (cap, evaluate(pack, cap, CONFIGS[name], cap.config))
    return out


def union(runs: dict[str, tuple[Capture, PolicyReport]], kind: str) -> tuple[Capture, PolicyReport]:
    """All programs of a kind as one capture and one report (their URNs differ by project)."""
    parts = [v for k, v in runs.items() if k.endswith(kind) and k not in SHOWCASES]
    cap = dataclasses.replace(parts[0][0], resources=[r for c, _ in parts for r in c.resources])
    report = dataclasses.replace(parts[0][1], violations=[v for _, r in parts for v in r.violations])
    return cap, report


def test_the_pack_declares_what_it_judges() -> None:
    """The figures the report quotes; a policy without an exact type would escape this file."""
    assert len(JUDGED) >= 85 and len(LINKED) >= 20
    assert all(info.resource_types for info in REGISTRY)
    for info in REGISTRY:
        if info.kind == "resource":
            assert info.links == (), info.name


def test_findings_land_only_on_judged_types(runs: dict[str, tuple[Capture, PolicyReport]]) -> None:
    """The declared types are the policies' real filters: no policy reports on anything else."""
    declared = {info.name: info.resource_types for info in REGISTRY}
    cap, report = union(runs, "insecure")
    index = cap.by_urn()
    stray = [
        (v.policy, index[v.urn].type)
        for v in report.violations
        if not any(fnmatch.fnmatchcase(index[v.urn].type, t) for t in declared[v.policy])
    ]
    assert stray == []


def test_insecure_program_has_every_declared_type(runs: dict[str, tuple[Capture, PolicyReport]]) -> None:
    cap, _ = union(runs, "insecure")
    assert sorted(DECLARED - {r.type for r in cap.resources}) == []


@pytest.mark.parametrize(("policy", "type_"), PAIRS, ids=[f"{p}|{t}" for p, t in PAIRS])
def test_every_judged_type_is_caught_by_each_policy_judging_it(
    policy: str, type_: str, runs: dict[str, tuple[Capture, PolicyReport]]
) -> None:
    cap, report = union(runs, "insecure")
    index = cap.by_urn()
    caught = {index[v.urn].name for v in report.violations if v.policy == policy and index[v.urn].type == type_}
    assert caught, f"no {type_} in insecure_program is caught by {policy}"


def test_compliant_twin_has_every_declared_type(runs: dict[str, tuple[Capture, PolicyReport]]) -> None:
    cap, _ = union(runs, "compliant")
    assert sorted(DECLARED - {r.type for r in cap.resources} - set(NO_SECURE_TWIN) - set(WEBSITE_LINKS)) == []
    assert set(NO_SECURE_TWIN) <= DECLARED


def test_types_without_a_secure_twin_are_always_findings(runs: dict[str, tuple[Capture, PolicyReport]]) -> None:
    cap, report = union(runs, "insecure")
    for type_, (policy, _) in NO_SECURE_TWIN.items():
        flagged = {v.urn for v in report.violations if v.policy == policy}
        instances = cap.of_type(type_)
        assert instances and all(r.urn in flagged for r in instances), type_


@pytest.mark.parametrize("policy", sorted(i.name for i in REGISTRY))
def test_every_policy_sees_compliant_resources_of_its_types(
    policy: str, runs: dict[str, tuple[Capture, PolicyReport]]
) -> None:
    """The compliant twin's "no findings" is not vacuous: each policy judged something there,
    unless every type it judges is a finding by construction (NO_SECURE_TWIN)."""
    [info] = [i for i in REGISTRY if i.name == policy]
    cap, report = union(runs, "compliant")
    seen = [r.name for r in cap.resources if any(fnmatch.fnmatchcase(r.type, t) for t in info.resource_types)]
    only_findings = all(t in NO_SECURE_TWIN for t in info.resource_types)
    assert seen or only_findings, f"{policy} sees no resource of {info.resource_types} in compliant_program"
    assert [v.message for v in report.violations if v.policy == policy] == []


def test_unflagged_insecure_resources_are_documented(runs: dict[str, tuple[Capture, PolicyReport]]) -> None:
    cap, report = runs["insecure"]
    flagged = {v.urn for v in report.violations}
    unflagged = {r.name for r in cap.resources if r.custom and r.urn not in flagged}
    assert unflagged == set(SUPPORTING)


def test_every_link_has_a_proof() -> None:
    assert sorted(LINK_PROOFS) == LINK_PAIRS


def _without(cap: Capture, name: str) -> Capture:
    """The program as if it never created `name`: the resource is gone, and so are the
    properties other resources computed from it (the engine's property dependencies)."""
    [gone] = [r for r in cap.resources if r.name == name and r.custom]
    kept = []
    for r in cap.resources:
        if r.urn == gone.urn:
            continue
        lost = {k for k, urns in r.property_dependencies.items() if gone.urn in urns}
        kept.append(
            dataclasses.replace(
                r,
                inputs={k: v for k, v in r.inputs.items() if k not in lost},
                outputs={k: v for k, v in r.outputs.items() if k not in lost},
                dependencies=[d for d in r.dependencies if d != gone.urn],
                property_dependencies={k: v for k, v in r.property_dependencies.items() if k not in lost},
            )
        )
    return dataclasses.replace(cap, resources=kept)


@pytest.mark.parametrize(("policy", "type_"), LINK_PAIRS, ids=[f"{p}|{t}" for p, t in LINK_PAIRS])
def test_link_is_followed(
    policy: str, type_: str, pack: LoadedPack, runs: dict[str, tuple[Capture, PolicyReport]]
) -> None:
    program, name = LINK_PROOFS[(policy, type_)]
    cap, _ = runs[program]
    [link] = [r for r in cap.resources if r.name == name]
    assert link.type == type_
    only = {"all": "disabled", policy: "mandatory"}

    def findings(c: Capture) -> set[tuple[str, str]]:
        report = evaluate(pack, c, only, c.config)
        assert report.diagnostics == []
        return {(v.urn, v.message) for v in report.violations}

    assert findings(_without(cap, name)) != findings(cap)
