"""One YAML meaning, and secrets that stay secret: a plain value PyYAML and pulumi read
differently is refused with its file, line and key; a `secure:` value is never shown, never fails
a format check as "[secret]", and a setting that is not a secret refuses one."""

from __future__ import annotations

import json

import pytest

from secure_platform.config import ConfigError, parse_config
from secure_platform.config.stack_files import OVERRIDES_ENV, UserError, load_yaml_file

from .helpers import CIPHERTEXT, REPO, assert_user_error, run_cli, stack_values

AMBIGUOUS = [
    ("yes", "platform:protect: yes"),
    ("no", "platform:protect: no"),
    ("on", "platform:protect: on"),
    ("Off", "platform:protect: Off"),
    ("NO", "platform:protect: NO"),
    ("0755", "platform:tags: {owner: team, costCenter: 0755}"),
    ("1_000", "platform:tags: {owner: team, costCenter: 1_000}"),
    ("19:00", "platform:tags: {owner: team, costCenter: 19:00}"),
    ("1e3", "platform:tags: {owner: team, costCenter: 1e3}"),
    ("0o17", "platform:tags: {owner: team, costCenter: 0o17}"),
    ("2026-12-07", "platform:tags: {owner: team, costCenter: 2026-12-07}"),
    ("0b101", "platform:tags: {owner: team, costCenter: 0b101}"),
]


def _dev_text(line: str) -> str:
    """The dev stack file (as YAML text) with one top-level line replaced or added."""
    values = stack_values("dev", {})
    key = line.split(":", 2)[0] + ":" + line.split(":", 2)[1]
    body = "\n".join(f"  {k}: {json.dumps(v)}" for k, v in values.items() if k != key)
    return f"config:\n{body}\n  {line}\n"


@pytest.mark.parametrize(("scalar", "line"), AMBIGUOUS, ids=[a[0] for a in AMBIGUOUS])
def test_a_value_with_two_yaml_meanings_is_refused_with_file_line_and_key(scalar, line, tmp_path, capsys, monkeypatch):
    file = tmp_path / "Pulumi.dev.yaml"
    file.write_text(_dev_text(line), encoding="utf-8")
    monkeypatch.delenv(OVERRIDES_ENV, raising=False)
    code, text = run_cli(["dev", "--program", str(REPO), "--config", str(file), "--no-policy", "--quiet"], capsys)
    assert_user_error(code, text, str(file), f"`{scalar}`", "YAML 1.1", "YAML 1.2", f'quote it ("{scalar}")')
    assert "line " in text and line.split(":", 2)[1].strip() in text


def test_a_key_given_twice_is_refused(tmp_path, capsys, monkeypatch):
    # PyYAML keeps the last value silently; pulumi refuses such a file.
    file = tmp_path / "Pulumi.dev.yaml"
    file.write_text(_dev_text("platform:protect: false") + "  platform:protect: true\n", encoding="utf-8")
    monkeypatch.delenv(OVERRIDES_ENV, raising=False)
    code, text = run_cli(["dev", "--program", str(REPO), "--config", str(file), "--no-policy", "--quiet"], capsys)
    assert_user_error(code, text, str(file), "key `platform:protect` is given twice")


@pytest.mark.parametrize("quoted", ['"yes"', '"0755"', '"19:00"', "true", "10", "1.5", '"1e3"'])
def test_the_same_values_quoted_or_unambiguous_are_accepted_by_the_reader(quoted, tmp_path):
    from secure_platform.config.yaml_meaning import ambiguous_scalars

    assert ambiguous_scalars(f"config:\n  a: {quoted}\n") == []


def _raw(values: dict) -> dict[str, str]:
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in values.items()}


def test_a_secure_value_in_a_plain_setting_is_refused_without_showing_it(tmp_path, capsys, monkeypatch):
    values = stack_values("dev", {})
    text_lines = [f"  {k}: {json.dumps(v)}" for k, v in values.items() if k != "platform:domain"]
    text_lines.append(f"  platform:domain:\n    name:\n      secure: {CIPHERTEXT}\n    hostedZoneId: Z0123EXAMPLEDEV")
    file = tmp_path / "Pulumi.dev.yaml"
    file.write_text("config:\n" + "\n".join(text_lines) + "\n", encoding="utf-8")
    monkeypatch.delenv(OVERRIDES_ENV, raising=False)
    code, text = run_cli(["dev", "--program", str(REPO), "--config", str(file), "--no-policy", "--quiet"], capsys)
    assert_user_error(code, text, "platform:domain.name:", "is a secret (secure:) but this setting is not one")
    assert CIPHERTEXT not in text
    # Never the placeholder failing a format check: one clear problem, not "[secret] is not a valid DNS name".
    assert "not a valid lower-case DNS name" not in text and '"[secret]"' not in text


def test_a_secure_top_level_value_is_refused_without_showing_it(tmp_path, capsys, monkeypatch):
    values = stack_values("dev", {})
    lines = [f"  {k}: {json.dumps(v)}" for k, v in values.items() if k != "aws:region"]
    lines.append(f"  aws:region:\n    secure: {CIPHERTEXT}")
    file = tmp_path / "Pulumi.dev.yaml"
    file.write_text("config:\n" + "\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.delenv(OVERRIDES_ENV, raising=False)
    code, text = run_cli(["dev", "--program", str(REPO), "--config", str(file), "--no-policy", "--quiet"], capsys)
    assert_user_error(code, text, "aws:region:", "is a secret (secure:)")
    assert CIPHERTEXT not in text


def test_a_decrypted_secret_that_fails_validation_is_named_but_never_shown():
    # Under the real engine the program receives the decrypted value: it must not reach the log.
    raw = _raw(stack_values("dev", {"platform:domain": {"name": "Not_A_Domain_s3cr3t"}}))
    with pytest.raises(ConfigError) as err:
        parse_config(raw, stack="dev", secret_keys=["platform:domain"])
    message = str(err.value)
    assert "platform:domain.name" in message and "s3cr3t" not in message


def test_an_unknown_key_never_shows_its_value():
    raw = _raw(stack_values("dev", {"platform:database": {"masterPassword": "hunter2"}}))
    with pytest.raises(ConfigError) as err:
        parse_config(raw, stack="dev")
    assert "platform:database.masterPassword: is not a known key" in str(err.value)
    assert "hunter2" not in str(err.value)


LAUGHS = "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 10 if prev else ['lol'] * 10)}]\n"
    for prev, name in zip(["", "a", "b", "c", "d", "e"], ["a", "b", "c", "d", "e", "f"], strict=True)
)


@pytest.mark.parametrize(
    ("yaml_text", "fragment"),
    [
        ("config:\n  platform:tags: &t {owner: [*t]}\n", "an alias refers to a value that contains it"),
        (
            LAUGHS + "config:\n  platform:tags: *f\n",
            "stands for more than 100,000 values once its aliases are expanded",
        ),
        ("config:\n  platform:tags: " + "[" * 3000 + "]" * 3000 + "\n", "nested too deeply"),
    ],
    ids=["self-alias", "billion-laughs", "deep-nesting"],
)
def test_a_hostile_stack_file_is_refused_without_hanging_or_a_traceback(
    yaml_text, fragment, tmp_path, capsys, monkeypatch
):
    """A pull request may carry any stack file; the preview it triggers ends with a clear error."""
    file = tmp_path / "Pulumi.dev.yaml"
    file.write_text(yaml_text, encoding="utf-8")
    monkeypatch.delenv(OVERRIDES_ENV, raising=False)
    code, text = run_cli(["dev", "--program", str(REPO), "--config", str(file), "--no-policy", "--quiet"], capsys)
    assert_user_error(code, text, str(file), fragment)


def test_aliases_that_expand_modestly_are_read(tmp_path):
    from secure_platform.config.yaml_meaning import ambiguous_scalars

    assert ambiguous_scalars("a: &a {k: v}\nb: *a\nc: [*a, *a]\n") == []
    assert ambiguous_scalars("base: &b {x: 1}\nc:\n  <<: *b\n  y: 2\n") == []  # a merge key


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("  platform:x: !!set {logs, sts}\n", "!!set"),
        ("  platform:x: !!binary aGVsbG8=\n", "!!binary"),
        ("  platform:x: !!timestamp '2024-01-01'\n", "!!timestamp"),
    ],
)
def test_yaml_values_config_cannot_hold_are_refused_naming_the_key(tmp_path, text, kind):
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text("config:\n  aws:region: us-east-1\n" + text, encoding="utf-8")
    with pytest.raises(UserError, match=rf"config\.platform:x: is a YAML {kind}, which a stack's config cannot hold"):
        load_yaml_file(path)


def test_an_explicitly_tagged_value_means_the_same_to_both_readers(tmp_path):
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text("config:\n  platform:version: !!str 1.30\n", encoding="utf-8")
    assert load_yaml_file(path) == {"config": {"platform:version": "1.30"}}
