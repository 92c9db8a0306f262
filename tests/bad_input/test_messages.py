"""How a configuration problem reads: the key as the user wrote it, the value as they wrote it
(shortened when long, never when secret) and what is allowed, with separators a reader can parse."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import Any

import pytest
import yaml

from secure_platform.config import ConfigError, parse_config
from secure_platform.config.stack_files import OVERRIDES_ENV

from .helpers import CIPHERTEXT, REPO, assert_user_error, run_cli, stack_values


def _raw(values: Mapping[str, Any]) -> dict[str, str]:
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in values.items()}


def problems(
    change: Mapping[str, Any], *, stack: str = "dev", secret_keys: Collection[str] = (), raw: Mapping[str, str] = {}
) -> list[str]:
    """The problem lines of the shipped stack file with `change` merged over it (and `raw` values
    as the SDK hands them over)."""
    with pytest.raises(ConfigError) as err:
        parse_config({**_raw(stack_values(stack, change)), **raw}, stack=stack, secret_keys=secret_keys)
    return [str(p) for p in err.value.problems]


def test_an_unknown_key_without_a_close_match_separates_the_allowed_keys():
    [line] = problems({"platform:zzz": 1})
    assert line.startswith("platform:zzz: is not a known key; allowed keys: environment, protect")


def test_a_very_long_value_is_shortened_with_its_length():
    [line] = problems({"platform:tags": {"owner": "x" * 100_000}})
    assert line.startswith('platform:tags.owner: "' + "x" * 60 + '…" (100000 characters) is 100000'), line[:200]
    assert len(line) < 600, len(line)


def test_a_long_list_of_bad_values_shows_the_first_few_and_counts_the_rest():
    emails = [f"not-an-email-{i}" for i in range(2000)]
    [line] = problems({"platform:monitoring": {"alarmEmails": {"critical": emails}}})
    assert "and 1995 more]" in line and '"not-an-email-4"' in line and "not-an-email-5" not in line, line
    assert len(line) < 600, len(line)


def test_a_long_key_of_an_object_is_shortened_too():
    [line] = problems({"platform:tags": {"extra": {"k" * 5000: "v"}}})
    assert "5000 characters" in line and len(line) < 800, len(line)


SECRET = "S3cretV@lue#42"
# Values the real engine hands over decrypted, in a section the stack file holds as `secure:`.
DECRYPTED = [
    ("platform:monitoring", {"alarmEmails": {"critical": [SECRET]}}, "alarmEmails.critical", [SECRET, "#"]),
    ("platform:tags", {"owner": SECRET}, "owner", [SECRET, "'#'", '"#"']),
    ("platform:tags", {"extra": {"team": SECRET}}, "extra", [SECRET, "'#'", '"#"', "contains #"]),
    ("platform:network", {"cidr": "10.0.0.1/16"}, "cidr", ["10.0.0.1"]),
    ("platform:ecr", {"repositories": [SECRET]}, "repositories", [SECRET]),
    (
        "platform:compute",
        {"eks": {"systemNodes": {"instanceTypes": ["t3.s3cret"]}}},
        "eks.systemNodes.instanceTypes",
        ["s3cret", "t3.micro"],
    ),
    ("platform:compute", {"ecs": {"minTasks": 9, "maxTasks": 4}}, "ecs.minTasks", ["(4)", "0-4"]),
    ("platform:database", {"engineVersion": 16.1}, "engineVersion", ["16.1"]),
    ("platform:database", {"instanceClass": "db.s3cretclass.large"}, "instanceClass", ["s3cretclass"]),
]


@pytest.mark.parametrize(("section", "change", "key", "hidden"), DECRYPTED, ids=[d[2] for d in DECRYPTED])
def test_a_decrypted_secret_never_reaches_a_message(section, change, key, hidden):
    stack = "prod" if section == "platform:compute" and "eks" in change else "dev"
    lines = problems({section: change}, stack=stack, secret_keys=[section])
    text = "\n".join(lines)
    assert any(line.startswith(f"{section}.{key}: ") for line in lines), text
    for fragment in hidden:
        assert fragment not in text, (fragment, text)


def test_an_object_where_a_single_value_is_expected_says_so():
    [line] = problems({"platform:network": {"natGateways": {"type": "single"}}})
    assert line.startswith("platform:network.natGateways: is an object (a mapping of keys) where a single"), line
    assert "allowed: none, single, perAz" in line, line


def test_a_bad_tag_value_is_blamed_on_the_value_and_the_mapping_is_not_echoed():
    [line] = problems({"platform:tags": {"extra": {"apiToken": "ghp_Secret#Token$Value", "team": "core"}}})
    assert line.startswith('platform:tags.extra: has tags AWS refuses: the value of "apiToken" contains "#$"'), line
    assert "ghp_Secret" not in line and "core" not in line, line


def test_a_bad_tag_key_is_blamed_on_the_key():
    [line] = problems({"platform:tags": {"extra": {"team#1": "core"}}})
    assert 'the key "team#1" contains "#"' in line, line


def _file_with(tmp_path, section: str, yaml_value: str, stack: str = "dev"):
    """The shipped stack file with one `platform:` section written as YAML text."""
    values = stack_values(stack, {})
    lines = [f"  {k}: {json.dumps(v)}" for k, v in values.items() if k != section]
    path = tmp_path / f"Pulumi.{stack}.yaml"
    path.write_text("config:\n" + "\n".join(lines) + f"\n  {section}:\n{yaml_value}", encoding="utf-8")
    return path


def _preview(path, capsys, monkeypatch, stack: str = "dev", *extra: str) -> tuple[int, str]:
    monkeypatch.delenv(OVERRIDES_ENV, raising=False)
    return run_cli([stack, "--program", str(REPO), "--config", str(path), "--no-policy", "--quiet", *extra], capsys)


PLACEHOLDERS = [
    (
        "platform:monitoring",
        "    logRetentionDays: 30\n    monthlyBudgetUsd: 400\n    alarmEmails:\n"
        f"      critical: [{{secure: {CIPHERTEXT}}}]\n",
        "platform:monitoring.alarmEmails.critical[0]",
    ),
    (
        "platform:tags",
        f"    owner: team\n    costCenter: CC-1\n    extra:\n      team:\n        secure: {CIPHERTEXT}\n",
        "platform:tags.extra.team",
    ),
    ("platform:ecr", f"    repositories: [{{secure: {CIPHERTEXT}}}]\n", "platform:ecr.repositories[0]"),
]


@pytest.mark.parametrize(("section", "text", "key"), PLACEHOLDERS, ids=[p[0] for p in PLACEHOLDERS])
def test_an_undecryptable_value_is_only_reported_as_a_secret(section, text, key, tmp_path, capsys, monkeypatch):
    code, out = _preview(_file_with(tmp_path, section, text), capsys, monkeypatch)
    assert_user_error(code, out, f"{key}: is a secret (secure:)")
    assert "[secret]" not in out and "(1 problem)" in out, out


def test_the_other_values_beside_an_undecryptable_one_are_still_checked(tmp_path, capsys, monkeypatch):
    text = (
        "    logRetentionDays: 30\n    monthlyBudgetUsd: 400\n    alarmEmails:\n"
        f"      critical: [{{secure: {CIPHERTEXT}}}, not-an-email]\n"
    )
    code, out = _preview(_file_with(tmp_path, "platform:monitoring", text), capsys, monkeypatch)
    # Checked, but not shown: the engine marks the whole key secret, the plain item with it.
    assert_user_error(code, out, "critical: has invalid email address(es) (secret, not shown)")
    assert "[secret]" not in out and "not-an-email" not in out, out


@pytest.mark.parametrize("key", ["aws:region", "platform:environment", "platform:protect", "platform:network"])
@pytest.mark.parametrize("given", ["null", ""], ids=["nothing after the colon", "empty text"])
def test_an_empty_value_is_named_empty_not_shown_as_null(key, given):
    lines = [line for line in problems({}, raw={key: given}) if line.startswith(f"{key}:")]
    assert len(lines) == 1 and lines[0].startswith(f"{key}: is empty (") and "; allowed: " in lines[0], lines
    assert "null" not in lines[0], lines


@pytest.mark.parametrize(
    ("key", "stack", "fragment"),
    [
        ("platfrom:network", "dev", "has an unknown namespace 'platfrom'"),
        ("platfrom:security", "dev", "did you mean 'platform:security'?"),
        ("platfrom:backup", "prod", "did you mean 'platform:backup'?"),
        ("aws:regoin", "dev", "is not a key of the aws provider; did you mean 'aws:region'?"),
    ],
)
def test_a_misspelled_key_outside_the_platform_section_is_named_with_its_close_match(
    key, stack, fragment, tmp_path, capsys, monkeypatch
):
    path = _file_with(tmp_path, key, "    retentionDays: 30\n" if "platfrom" in key else "", stack)
    code, out = _preview(path, capsys, monkeypatch, stack)
    assert_user_error(code, out, f"{key}: ", fragment)


def test_keys_of_the_programs_own_and_the_providers_namespaces_are_accepted():
    raw = {"kubernetes:context": "x", "aws:profile": "dev", "platform:futureSetting": "1", "aws:someNewKey": "1"}
    lines = problems({}, raw=raw)
    assert [line for line in lines if not line.startswith("platform:futureSetting:")] == [], lines


@pytest.mark.parametrize("key", ["aws:secretKey", "aws:token"])
def test_a_plain_text_aws_credential_is_refused_without_showing_it(key):
    value = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    lines = problems({}, raw={key: value, "aws:accessKey": "AKIAIOSFODNN7EXAMPLE"})
    text = "\n".join(lines)
    assert f"{key}: is an AWS credential in plain text" in text and f"--secret {key}" in text, text
    assert "aws:accessKey: is an AWS credential in plain text" in text, text
    assert value not in text and "AKIAIOSFODNN7EXAMPLE" not in text, text


def test_an_aws_credential_held_as_a_secret_is_accepted():
    raw = {**_raw(stack_values("dev", {})), "aws:secretKey": "decrypted", "aws:accessKey": "AKIA"}
    parse_config(raw, stack="dev", secret_keys=["aws:secretKey", "aws:accessKey"])


def _file_with_value(tmp_path, stack: str, key: str, text: str):
    """The shipped stack file with the value at dotted `key` (under `platform:`) written as YAML text."""
    section, *path = key.split(".")
    doc = {"config": stack_values(stack, {})}
    target = doc["config"][f"platform:{section}"]
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = "@@VALUE@@"
    file = tmp_path / f"Pulumi.{stack}.yaml"
    file.write_text(yaml.safe_dump(doc, sort_keys=False, width=100_000).replace("'@@VALUE@@'", text), encoding="utf-8")
    return file


@pytest.mark.parametrize(
    ("stack", "key", "text"),
    [
        ("prod", "compute.eks.version", "1.30"),
        ("prod", "compute.eks.version", "1.35"),
        ("dev", "database.engineVersion", "15"),
        ("dev", "cache.engineVersion", "7.0"),
    ],
)
def test_an_unquoted_version_is_named_a_number_with_the_text_the_user_wrote(
    stack, key, text, tmp_path, capsys, monkeypatch
):
    code, out = _preview(_file_with_value(tmp_path, stack, key, text), capsys, monkeypatch, stack)
    leaf = key.rsplit(".", 1)[-1]
    assert_user_error(code, out, f'platform:{key}: {text} is a number to YAML, not text; quote it: {leaf}: "{text}"')
    assert "must be a string" not in out, out


@pytest.mark.parametrize(
    ("section", "change", "key"),
    [
        ("platform:database", {"backupRetentionDays": True}, "platform:database.backupRetentionDays"),
        ("platform:backup", {"retentionDays": True}, "platform:backup.retentionDays"),
        ("platform:compute", {"ecs": {"maxTasks": False}}, "platform:compute.ecs.maxTasks"),
    ],
)
def test_true_or_false_is_not_a_number(section, change, key):
    lines = problems({section: change})
    assert any(line.startswith(f"{key}: ") and "is true/false where a number is expected" in line for line in lines), (
        lines
    )


@pytest.mark.parametrize(
    "email", ["oncall-dev\u200b@example.com", "on\u202ecall@example.com", "oncall @example.com", "oncall@example"]
)
def test_an_alarm_address_with_invisible_or_missing_parts_is_refused(email):
    lines = problems({"platform:monitoring": {"alarmEmails": {"critical": [email]}}})
    assert any(line.startswith("platform:monitoring.alarmEmails.critical: ") for line in lines), lines


@pytest.mark.parametrize(
    ("admins", "readers"),
    [
        (["arn:aws:iam::123456789012:role/Admin"], ["arn:aws:iam::123456789012:role/team/Admin"]),
        (["arn:aws:iam::123456789012:role/Admin"], ["arn:aws:iam::123456789012:role/admin"]),
    ],
)
def test_one_role_written_two_ways_is_in_both_eks_lists(admins, readers):
    lines = problems(
        {"platform:compute": {"eks": {"adminRoleArns": admins, "readOnlyRoleArns": readers}}}, stack="prod"
    )
    assert any("also in adminRoleArns" in line for line in lines), lines


@pytest.mark.parametrize(
    "arn",
    [
        "arn:awsx:iam::123456789012:role/Admin",
        "arn:aws:iam::123456789012:role/\u00c4dmin",
        "arn:aws:iam::123456789012:role/team/",
    ],
)
def test_a_role_arn_of_no_partition_or_name_is_refused(arn):
    lines = problems({"platform:compute": {"eks": {"adminRoleArns": [arn]}}}, stack="prod")
    assert any("has invalid IAM role ARN(s)" in line for line in lines), lines


@pytest.mark.parametrize("region", ["cn-north-1", "us-gov-west-1"])
def test_a_copy_region_of_another_partition_says_so(region):
    lines = problems({"platform:backup": {"copyRegion": region}}, stack="prod")
    assert any(line.startswith("platform:backup.copyRegion: ") and "partition" in line for line in lines), lines
    assert not any("did you mean" in line for line in lines), lines
