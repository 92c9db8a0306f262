"""Policies run in-process exactly as the analyzer host runs them (proven with a tiny test pack)."""

from __future__ import annotations

from pathlib import Path

import pytest

from offline_preview import UserError, evaluate, load_policy_pack, run_program

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
MINIMAL = EXAMPLES / "minimal_program"
PACK = EXAMPLES / "test_pack"


@pytest.fixture(scope="module")
def pack():
    return load_policy_pack(PACK)


@pytest.fixture(scope="module")
def clean():
    return run_program(MINIMAL, "test")


def test_loading_a_pack_records_its_policies_without_serving(pack):
    assert pack.name == "test-pack"
    assert [p.name for p in pack.policies] == ["bucket-prefix", "key-rotation", "bucket-encrypted", "owner-tag"]
    assert pack.version == "0.0.1"


def test_compliant_program_has_no_mandatory_findings(pack, clean):
    report = evaluate(pack, clean, stack_config=clean.config)
    assert report.policies_run == 4
    assert report.mandatory == []
    # The provider has no default tags in this program, so the advisory tag policy fires.
    assert [(v.policy, v.enforcement) for v in report.violations] == [("owner-tag", "advisory")]


def test_resource_policy_reports_the_resource_urn_and_uses_schema_default(pack):
    cap = run_program(MINIMAL, "test", config={"minimal:bucketPrefix": "other"})
    report = evaluate(pack, cap, stack_config=cap.config)
    [finding] = [v for v in report.violations if v.policy == "bucket-prefix"]
    assert finding.urn == cap.of_type("aws:s3/bucket:Bucket")[0].urn
    assert finding.enforcement == "mandatory" and finding.severity == "high"
    assert "'example'" in finding.message


def test_stack_policy_follows_property_dependencies(pack):
    cap = run_program(MINIMAL, "test", config={"minimal:skipEncryption": True})
    report = evaluate(pack, cap, stack_config=cap.config)
    [finding] = [v for v in report.violations if v.policy == "bucket-encrypted"]
    assert finding.urn == cap.of_type("aws:s3/bucket:Bucket")[0].urn


def test_config_file_levels_all_then_per_policy(pack):
    cap = run_program(MINIMAL, "test", config={"minimal:bucketPrefix": "other"})
    relaxed = evaluate(pack, cap, {"all": "advisory"}, cap.config)
    assert relaxed.mandatory == []
    strict_one = evaluate(
        pack, cap, {"all": "advisory", "bucket-prefix": {"enforcementLevel": "mandatory"}}, cap.config
    )
    assert [v.policy for v in strict_one.mandatory] == ["bucket-prefix"]
    disabled = evaluate(pack, cap, {"bucket-prefix": "disabled"}, cap.config)
    assert disabled.policies_run == 3
    assert all(v.policy != "bucket-prefix" for v in disabled.violations)


def test_policy_properties_come_from_the_config_file(pack):
    cap = run_program(MINIMAL, "test")
    report = evaluate(pack, cap, {"bucket-prefix": {"prefix": "team-"}}, cap.config)
    assert [v.policy for v in report.mandatory] == ["bucket-prefix"]


def test_default_provider_props_come_from_stack_config(pack):
    cap = run_program(MINIMAL, "test", config={"aws:defaultTags": {"tags": {"Owner": "team"}}})
    report = evaluate(pack, cap, stack_config=cap.config)
    assert all(v.policy != "owner-tag" for v in report.violations)


def test_bad_policy_config_is_a_user_error(pack, clean):
    with pytest.raises(UserError, match="unknown policy 'bucket-prefx'; did you mean 'bucket-prefix'"):
        evaluate(pack, clean, {"bucket-prefx": "mandatory"})
    with pytest.raises(UserError, match="config of policy 'bucket-prefix' is invalid"):
        evaluate(pack, clean, {"bucket-prefix": {"prefix": 3}})
    with pytest.raises(UserError, match="enforcement level 'strict'"):
        evaluate(pack, clean, {"all": "strict"})


def test_default_providers_are_named_as_the_engine_names_them():
    import importlib.metadata

    from offline_preview.policy_runner import default_provider_name

    aws_version = importlib.metadata.version("pulumi_aws")
    assert default_provider_name("aws") == "default_" + aws_version.replace(".", "_")  # e.g. default_7_51_1
    assert default_provider_name("not-a-package") == "default"


def test_requests_carry_unknowns_and_secrets_as_the_engine_serializes_them(pack):
    """An input the engine does not know yet arrives as its unknown sentinel: the servicer's proxy
    turns a read of it into the advisory "can't run policy ... during preview" note. A secret input
    travels wrapped and reaches the policy as its plain value."""
    import dataclasses

    from offline_preview.analyzer_wire import SECRET_SIG, SECRET_SIG_KEY, UNKNOWN, analyze_request, from_struct

    cap = run_program(MINIMAL, "test")
    [version] = cap.of_type("aws:secretsmanager/secretVersion:SecretVersion")
    wire_props = analyze_request(version, version.inputs, None).properties
    assert dict(wire_props["secretString"]) == {SECRET_SIG_KEY: SECRET_SIG, "value": "[secret]"}
    assert from_struct(wire_props)["secretString"] == version.inputs["secretString"]

    [key] = cap.of_type("aws:kms/key:Key")
    unknown_key = dataclasses.replace(key, inputs={**key.inputs, "enableKeyRotation": UNKNOWN})
    report = evaluate(pack, dataclasses.replace(cap, resources=[unknown_key]), stack_config=cap.config)
    assert all(v.policy != "key-rotation" for v in report.violations)
    assert any("can't run policy 'key-rotation'" in d and "during preview" in d for d in report.diagnostics)


def test_the_pack_is_served_by_pulumi_policys_own_analyzer(pack):
    from google.protobuf import empty_pb2

    info = pack.servicer().GetAnalyzerInfo(empty_pb2.Empty(), None)
    assert info.name == "test-pack" and [p.name for p in info.policies] == [p.name for p in pack.policies]


def test_findings_group_by_policy_for_the_reports(pack):
    """One group per policy and level, mandatory first; each group lists every resource."""
    cap = run_program(MINIMAL, "test", config={"minimal:bucketPrefix": "other", "minimal:skipEncryption": True})
    report = evaluate(pack, cap, stack_config=cap.config)
    groups = report.grouped()
    assert groups[0].enforcement == "mandatory" and groups[-1].enforcement == "advisory"
    assert sum(len(g.findings) for g in groups) == len(report.violations)
    assert len({(g.policy, g.enforcement) for g in groups}) == len(groups)
    for g in groups:
        assert g.urns == sorted(set(g.urns)) and all(v.policy == g.policy for v in g.findings)


def test_the_sdks_unknown_object_travels_as_the_engines_sentinel():
    from pulumi.output import UNKNOWN as SDK_UNKNOWN

    from offline_preview.analyzer_wire import UNKNOWN, wire_value

    assert wire_value({"a": [SDK_UNKNOWN, 1], "b": SDK_UNKNOWN}) == {"a": [UNKNOWN, 1], "b": UNKNOWN}


def test_event_loops_the_servicer_opens_for_async_policies_are_closed_after_the_calls():
    """The servicer closes an async policy's loop only when the policy returns; one that raises
    (an unknown value in a preview) would leave it to the collector, which may finalize it at
    interpreter shutdown and print an ignored exception after a clean run."""
    import asyncio

    import pulumi_policy.policy as policy_module

    from offline_preview.servicer_calls import closing_policy_loops

    with closing_policy_loops():
        left_open = vars(policy_module)["asyncio"].new_event_loop()  # what the servicer calls
        assert not left_open.is_closed()
    assert left_open.is_closed()
    assert vars(policy_module)["asyncio"] is asyncio
