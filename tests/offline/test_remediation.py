"""Foreign packs with remediation policies run as the engine runs them in a preview: remediations of
`remediate`-level policies first (reported, and the rest of the run sees the remediated inputs),
then validation, where a remediation-only policy is "not applicable" instead of crashing the run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from offline_preview import evaluate, load_policy_pack, run_program
from offline_preview.cli import main

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
MINIMAL = EXAMPLES / "minimal_program"

PACK_MAIN = '''
from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy


class ForceNoDestroy(ResourceValidationPolicy):
    """Remediation-only by subclassing: its inherited `validate` raises NotImplementedError."""

    def __init__(self):
        super().__init__("bucket-no-force-destroy", "buckets keep their objects on delete")

    def remediate(self, args):
        if args.resource_type != "aws:s3/bucket:Bucket":
            return None
        props = args.props
        props["forceDestroy"] = False
        return props


def _owner_tag(args):
    if args.resource_type != "aws:s3/bucket:Bucket":
        return None
    return {**args.props, "tags": {**(args.props.get("tags") or {}), "Owner": "platform"}}


def _tag_seen(args, report):
    # Validation sees the inputs after the remediations above.
    if args.resource_type == "aws:s3/bucket:Bucket" and (args.props.get("tags") or {}).get("Owner") != "platform":
        report("bucket has no Owner tag")


def _never_runs(args):
    raise AssertionError("an advisory remediation must not run")


PolicyPack(
    name="remediating-pack",
    enforcement_level=EnforcementLevel.REMEDIATE,
    policies=[
        ForceNoDestroy(),
        ResourceValidationPolicy("owner-tag-remediation", "buckets carry an Owner tag", remediate=_owner_tag),
        ResourceValidationPolicy(
            "advisory-remediation", "not remediate-level", remediate=_never_runs,
            enforcement_level=EnforcementLevel.ADVISORY,
        ),
        ResourceValidationPolicy("owner-tag-present", "checks the remediated tags", _tag_seen),
    ],
)
'''


@pytest.fixture
def pack_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "remediating_pack"
    directory.mkdir()
    (directory / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 1.2.3\n")
    (directory / "__main__.py").write_text(PACK_MAIN)
    return directory


def test_remediation_only_policies_do_not_crash_and_are_reported(pack_dir):
    capture = run_program(MINIMAL, "test")
    report = evaluate(load_policy_pack(pack_dir), capture, stack_config=capture.config)
    bucket = capture.of_type("aws:s3/bucket:Bucket")[0].urn
    # Both remediate-level remediations ran on the bucket, in pack order, and were reported.
    assert [(m.policy, m.urn, m.changed) for m in report.remediations] == [
        ("bucket-no-force-destroy", bucket, ["forceDestroy"]),
        ("owner-tag-remediation", bucket, ["tags"]),
    ]
    # The validation pass judged the remediated inputs: the tag the remediation added is seen.
    assert report.violations == []
    # Remediation-only policies are not applicable in the validation pass, and a validation-only
    # policy at the remediate level in the remediation pass, on every resource (as the analyzer says).
    reasons = {(policy, reason) for policy, reason, _ in report.not_evaluated()}
    assert reasons == {
        ("bucket-no-force-destroy", "Policy does not implement validate"),
        ("owner-tag-remediation", "Policy does not implement validate"),
        ("advisory-remediation", "Policy does not implement validate"),
        ("owner-tag-present", "Policy does not implement remediate"),
    }
    assert all(n == len(capture.resources) for _, _, n in report.not_evaluated())


def test_a_failing_validation_after_remediation_is_mandatory(pack_dir):
    """Without the Owner remediation (disabled), the validation policy, at the pack's `remediate`
    level, reports a violation the engine downgrades to mandatory."""
    capture = run_program(MINIMAL, "test")
    report = evaluate(load_policy_pack(pack_dir), capture, {"owner-tag-remediation": "disabled"}, capture.config)
    assert [(v.policy, v.enforcement) for v in report.violations] == [("owner-tag-present", "mandatory")]
    assert [m.policy for m in report.remediations] == ["bucket-no-force-destroy"]


def test_cli_reports_remediations_and_not_evaluated_policies(pack_dir, tmp_path):
    out = tmp_path / "out.json"
    md = tmp_path / "comment.md"
    args = ["test", "--program", str(MINIMAL), "--policy-pack", str(pack_dir), "--quiet"]
    code = main([*args, "--json", str(out), "--markdown", str(md)])
    assert code == 0
    policy = json.loads(out.read_text())["policy"]
    assert {r["policy"] for r in policy["remediations"]} == {"bucket-no-force-destroy", "owner-tag-remediation"}
    assert {"policy": "bucket-no-force-destroy", "reason": "Policy does not implement validate"} in [
        {k: v for k, v in entry.items() if k != "resources"} for entry in policy["notApplicable"]
    ]
    text = md.read_text()
    assert "Remediated" in text and "`owner-tag-remediation`" in text and "Not evaluated" in text
