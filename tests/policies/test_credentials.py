"""What counts as a secret written out in user data or a parameter value (the planted cases are
the credentials family, tests/examples/families/credentials)."""

from __future__ import annotations

import pytest

from platform_policies.credentials import secrets_in_text


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE", ["an AWS access key id"]),
        ("aws configure set aws_session_token x ASIAIOSFODNN7EXAMPLE", ["an AWS access key id"]),
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIE", ["a private key"]),
        ('export GITHUB_TOKEN="ghp_abc"', ["GITHUB_TOKEN=<literal>"]),
        ("DB_PASSWORD='hunter2'", ["DB_PASSWORD=<literal>"]),
        ("export DJANGO_SECRET_KEY=hunter2", ["DJANGO_SECRET_KEY=<literal>"]),
        # Read at boot, not written out.
        ("DB_PASSWORD=$(aws ssm get-parameter --with-decryption --name /db)", []),
        ("DB_PASSWORD=`cat /run/secrets/db`", []),
        ("DB_PASSWORD={{resolve:secretsmanager:db}}", []),
        # Not secret-named, or a name that only refers to one.
        ("LOG_LEVEL=debug\nPASSWORD_FILE=/run/secrets/db", []),
        ("-----BEGIN CERTIFICATE-----\nMIIB", []),
    ],
)
def test_secrets_written_out_are_named_never_echoed(text: str, found: list[str]) -> None:
    result = secrets_in_text(text)
    assert result == found
    assert not any(value in " ".join(result) for value in ("hunter2", "ghp_abc", "AKIAIOSFODNN7EXAMPLE"))
