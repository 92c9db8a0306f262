"""Each service family's planted violations are caught, resource by resource, and its well-built
twin raises nothing of the family's policies and nothing mandatory under the defaults a foreign
program gets (no policy config)."""

from __future__ import annotations

import pytest

from offline_preview import Capture, PolicyReport, evaluate, load_policy_pack
from offline_preview.policy_runner import LoadedPack
from tests.stack_runs import example_capture

from .expectations import EXPECTED
from .families import FAMILIES, FAMILY_DIR, FAMILY_SUPPORTING, INSECURE_CONFIG

PACK_DIR = FAMILY_DIR.parents[2] / "policies"


@pytest.fixture(scope="module")
def pack() -> LoadedPack:
    return load_policy_pack(PACK_DIR)


_RUNS: dict[tuple[str, str, bool], tuple[Capture, PolicyReport]] = {}


def run(pack: LoadedPack, family: str, kind: str, strict: bool) -> tuple[Capture, PolicyReport]:
    key = (family, kind, strict)
    if key not in _RUNS:
        cap = example_capture(f"families/{family}/{kind}", "preview")
        _RUNS[key] = (cap, evaluate(pack, cap, INSECURE_CONFIG if strict else None, cap.config))
    return _RUNS[key]


def names(cap: Capture, report: PolicyReport, policy: str) -> set[str]:
    index = cap.by_urn()
    return {index[v.urn].name for v in report.violations if v.policy == policy}


CASES = sorted((f, p) for f, policies in FAMILIES.items() for p in policies)


@pytest.mark.parametrize(("family", "policy"), CASES, ids=[f"{f}|{p}" for f, p in CASES])
def test_planted_violations_are_caught(pack: LoadedPack, family: str, policy: str) -> None:
    cap, report = run(pack, family, "insecure", strict=True)
    assert names(cap, report, policy) == FAMILIES[family][policy]


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_every_planted_resource_is_a_finding(pack: LoadedPack, family: str) -> None:
    cap, report = run(pack, family, "insecure", strict=True)
    flagged = {v.urn for v in report.violations}
    missed = {r.name for r in cap.resources if r.custom and r.urn not in flagged}
    assert missed == FAMILY_SUPPORTING.get(family, set())


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_compliant_twin_is_clean(pack: LoadedPack, family: str) -> None:
    _, report = run(pack, family, "compliant", strict=False)
    own = set(FAMILIES[family])
    assert [(v.policy, v.message) for v in report.violations if v.policy in own] == []
    assert [(v.policy, v.message) for v in report.mandatory] == []
    assert report.diagnostics == []


def test_every_policy_has_a_planted_case(pack: LoadedPack) -> None:
    covered = set(EXPECTED) | {p for policies in FAMILIES.values() for p in policies}
    assert {p.name for p in pack.policies} - covered == set()


def test_a_website_bucket_is_advice_unless_the_config_forbids_public_buckets(pack: LoadedPack) -> None:
    """By default a public website bucket is public by intent: advice to put CloudFront with origin
    access control in front; Block Public Access turned off anywhere else (a data bucket, a bucket
    created elsewhere, the account, access points) stays mandatory."""
    cap, report = run(pack, "s3", "insecure", strict=False)
    assert names(cap, report, "s3-bucket-not-public") == set()
    assert names(cap, report, "s3-public-access-block-all") == {
        "unblocked-data-pab",
        "external-bucket-pab",
        "computed-bucket-pab",
        "account-pab-off",
        "open-access-point",
        "open-mrap",
    }
    advice = [v for v in report.violations if v.policy == "s3-website-behind-cloudfront"]
    assert names(cap, report, "s3-website-behind-cloudfront") == {"public-website", "legacy-website"}
    assert all(v.enforcement == "advisory" and "CloudFront" in v.message for v in advice)


def test_a_bucket_with_aws_defaults_is_encrypted_and_private(pack: LoadedPack) -> None:
    """SSE-S3 and Block Public Access are on for every new bucket since 2023: no mandatory finding,
    the customer-managed key is advice."""
    _, report = run(pack, "s3", "compliant", strict=False)
    assert report.mandatory == []
    levels = {v.policy: v.enforcement for v in report.violations}
    assert levels.get("s3-bucket-encrypted-with-cmk") == "advisory"
    assert "s3-public-access-block-all" not in levels


def test_the_cli_blocks_planted_programs_and_passes_their_twins_without_a_config() -> None:
    """`python -m offline_preview` on a program with no policy config of its own (foreign defaults)."""
    from offline_preview.cli import main as cli_main

    base = ["test", "--policy-pack", str(PACK_DIR), "--quiet"]
    for family in ("ec2", "lambda", "redshift"):
        assert cli_main([*base, "--program", str(FAMILY_DIR / family / "insecure")]) == 1, family
        assert cli_main([*base, "--program", str(FAMILY_DIR / family / "compliant")]) == 0, family
