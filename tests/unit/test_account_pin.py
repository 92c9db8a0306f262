"""`aws:allowedAccountIds`: the accounts a stack may deploy into, given to every AWS provider the
platform creates, and the accounts the policy pack trusts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from secure_platform.config import ConfigError, parse_config
from secure_platform.config.stack_files import read_project, read_stack_config
from tests.stack_runs import stack_capture

REPO = Path(__file__).resolve().parents[2]


def raw_with(value: object) -> dict[str, str]:
    raw = dict(read_stack_config(read_project(REPO), "dev").config)
    raw["aws:allowedAccountIds"] = value if isinstance(value, str) else json.dumps(value)
    return raw


def test_a_pin_is_read_and_an_unquoted_id_keeps_its_leading_zero() -> None:
    assert parse_config(raw_with(["210987654321", 12345678901]), stack="dev").allowed_account_ids == (
        "210987654321",
        "012345678901",
    )


def test_no_pin_allows_any_account() -> None:
    raw = dict(read_stack_config(read_project(REPO), "dev").config)
    raw.pop("aws:allowedAccountIds", None)
    assert parse_config(raw, stack="dev").allowed_account_ids == ()


@pytest.mark.parametrize(
    ("value", "key", "message"),
    [
        (["12345"], "aws:allowedAccountIds[0]", "is not an AWS account id"),
        (["arn:aws:iam::210987654321:root"], "aws:allowedAccountIds[0]", "is not an AWS account id"),
        ([True], "aws:allowedAccountIds[0]", "is not an AWS account id"),
        ([], "aws:allowedAccountIds", "must be a non-empty list"),
        ("210987654321", "aws:allowedAccountIds", "must be a non-empty list"),
    ],
    ids=["short", "an-arn", "a-bool", "empty", "not-a-list"],
)
def test_a_bad_pin_names_the_key_and_what_is_allowed(value: object, key: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config(raw_with(value), stack="dev")
    found = [str(p) for p in err.value.problems if str(p).startswith(key + ":")]
    assert len(found) == 1 and message in found[0] and "12-digit AWS account ids" in found[0], found


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_every_provider_the_platform_creates_carries_the_pin(stack: str) -> None:
    providers = stack_capture(stack, "preview").of_type("pulumi:providers:aws")
    assert providers
    for provider in providers:
        assert json.loads(provider.inputs["allowedAccountIds"]) == ["123456789012"], provider.name


def test_the_pack_judges_the_stack_against_its_pin() -> None:
    """Pinned to an account other than the one it grants to (the offline caller's), the stack's
    own key and role policies reach an untrusted account: the pack reads the pin from the
    providers, so a real stack is judged against the account it deploys into."""
    from offline_preview import evaluate, load_policy_pack, run_program
    from offline_preview.policy_runner import read_policy_config

    cap = run_program(REPO, "prod", mode="preview", config={"aws:allowedAccountIds": '["210987654321"]'})
    report = evaluate(
        load_policy_pack(REPO / "policies"), cap, read_policy_config(REPO / "policies/config/prod.json"), cap.config
    )
    reached = [v.message for v in report.violations if v.policy == "no-untrusted-account-access"]
    assert reached and all("123456789012" in m and "210987654321" in m for m in reached)
