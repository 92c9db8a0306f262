"""The pack never raises on what a real preview hands it: unknown values (it lets
`UnknownValueError` reach the host, which reports "can't run during preview") and missing
optional properties (judged as absent, never a crash)."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest
from pulumi_policy import (
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.policy import PolicyCustomTimeouts
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

from offline_preview import Capture
from platform_policies import POLICIES
from tests.stack_runs import example_capture

from .expectations import EXPECTED

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
REPO = Path(__file__).resolve().parents[2]
RESOURCE_POLICIES = [p for p in POLICIES if isinstance(p, ResourceValidationPolicy)]
STACK_POLICIES = [p for p in POLICIES if isinstance(p, StackValidationPolicy)]


def _opts() -> PolicyResourceOptions:
    return PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], None)


@pytest.fixture(scope="module")
def captures() -> list[Capture]:
    return [example_capture(name, "up") for name in ("insecure_program", "compliant_program")]


def _samples(captures: list[Capture]) -> list[tuple[str, dict[str, Any]]]:
    """One resource per type from both example programs (every covered type, both shapes)."""
    seen: dict[tuple[str, bool], dict[str, Any]] = {}
    for i, cap in enumerate(captures):
        for r in cap.resources:
            seen.setdefault((r.type, bool(i)), dict(r.inputs))
    return [(t, props) for (t, _), props in seen.items()]


def _run(policy: ResourceValidationPolicy, type_: str, props: dict[str, Any]) -> list[str]:
    found: list[str] = []
    args = ResourceValidationArgs(
        type_, unknown_checking_proxy(props), f"urn:pulumi:s::p::{type_}::r", "r", _opts(), None, {}
    )
    policy.validate(args, lambda message, urn=None: found.append(message))
    return found


def test_resource_policies_accept_missing_optional_properties(captures: list[Capture]) -> None:
    for type_, _ in _samples(captures):
        for policy in RESOURCE_POLICIES:
            _run(policy, type_, {})  # must not raise


def test_resource_policies_only_ever_raise_unknown_value_error(captures: list[Capture]) -> None:
    checked = 0
    for type_, props in _samples(captures):
        for key in props:
            for policy in RESOURCE_POLICIES:
                try:
                    _run(policy, type_, {**props, key: UNKNOWN})
                except UnknownValueError as exc:
                    assert exc.props[0] == key
                checked += 1
    assert checked > 1000


def test_an_unknown_policy_document_defers_instead_of_passing() -> None:
    [wildcards] = [p for p in RESOURCE_POLICIES if p.name == "iam-no-wildcard-actions"]
    with pytest.raises(UnknownValueError):
        _run(wildcards, "aws:iam/rolePolicy:RolePolicy", {"policy": UNKNOWN, "role": "r"})


def _stack(cap: Capture, transform: Any) -> list[PolicyResource]:
    made = {
        r.urn: PolicyResource(r.type, unknown_checking_proxy(transform(r)), r.urn, r.name, _opts(), None, None, [], {})
        for r in cap.resources
    }
    for r in cap.resources:
        made[r.urn].property_dependencies = {
            k: [made[u] for u in v if u in made] for k, v in r.property_dependencies.items()
        }
    return list(made.values())


def test_stack_policies_accept_missing_properties(captures: list[Capture]) -> None:
    for cap in captures:
        resources = _stack(cap, lambda r: {})
        for policy in STACK_POLICIES:
            policy.validate(StackValidationArgs(resources, {}), lambda message, urn=None: None)


def test_stack_policies_judge_what_is_known_and_defer_the_rest(captures: list[Capture]) -> None:
    """One bucket's encryption settings unknown (computed from a new key in a real preview): the
    other buckets are still judged, then the host is told the policy could not fully run."""
    insecure = captures[0]

    def hide_one(r: Any) -> dict[str, Any]:
        state = {**r.outputs, **r.inputs}
        if r.name == "no-bucket-key-sse":
            return dict.fromkeys(state, UNKNOWN)
        return state

    resources = _stack(insecure, hide_one)
    [policy] = [p for p in STACK_POLICIES if p.name == "s3-bucket-encrypted-with-cmk"]
    found: list[str] = []
    with pytest.raises(UnknownValueError):
        policy.validate(StackValidationArgs(resources, {}), lambda message, urn=None: found.append(urn or ""))
    assert sorted(u.rsplit("::", 1)[-1] for u in found) == sorted(EXPECTED["s3-bucket-encrypted-with-cmk"][0])


def test_every_stack_policy_only_raises_unknown_value_error(captures: list[Capture]) -> None:
    for cap in captures:
        resources = _stack(cap, lambda r: dict.fromkeys({**r.outputs, **r.inputs}, UNKNOWN))
        for policy in STACK_POLICIES:
            with contextlib.suppress(UnknownValueError):
                policy.validate(StackValidationArgs(resources, {}), lambda message, urn=None: None)


def test_lists_whose_items_are_unknown_are_still_counted() -> None:
    """In a preview the ARNs of new policies are unknown, but how many there are is known: a
    non-empty exclusive attachment list is a finding, an empty one is not."""
    [users] = [p for p in RESOURCE_POLICIES if p.name == "iam-users-no-direct-policies"]
    exclusive = "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive"
    assert len(_run(users, exclusive, {"userName": "deployer", "policyArns": [UNKNOWN]})) == 1
    assert _run(users, exclusive, {"userName": "deployer", "policyArns": []}) == []
