"""Every configuration error of the catalog (the docs' error table), given as a user would: a
stack file and the command line. Each is exit 2 with the key and what is allowed, no traceback, no
secret, and raised before the program registers anything."""

from __future__ import annotations

import json
import re

import pytest

from secure_platform.config import ConfigError, parse_config
from secure_platform.config.catalog import RULE_ERRORS, field_rows
from secure_platform.config.stack_files import OVERRIDES_ENV
from secure_platform.config_docs import render_reference

from .helpers import (
    CIPHERTEXT,
    REPO,
    assert_user_error,
    registrations_before_config_error,
    run_cli,
    stack_values,
    write_stack_file,
)


@pytest.mark.parametrize("row", RULE_ERRORS, ids=lambda r: f"{r.key}:{r.message}")
def test_every_rule_error_is_exit_2_with_the_key_before_any_registration(row, tmp_path, capsys, monkeypatch):
    values = stack_values(row.stack, row.change)
    if row.project != "platform":
        program = _program_named(tmp_path, row.project)
        path = write_stack_file(program, row.stack, values, row.secret_keys)
        monkeypatch.delenv(OVERRIDES_ENV, raising=False)
        code, text = run_cli([row.stack, "--program", str(program), "--no-policy", "--quiet"], capsys)
        assert_user_error(code, text, f"{row.key}:", row.message, "allowed")
        assert path.exists()
        assert registrations_before_config_error(row.stack, values, project=row.project) == 0
        return
    path = write_stack_file(tmp_path, row.stack, values, row.secret_keys)
    monkeypatch.delenv(OVERRIDES_ENV, raising=False)  # the file holds exactly what is previewed
    args = [row.stack, "--program", str(REPO), "--config", str(path), "--no-policy", "--quiet"]
    if _deploy_blocker(row.stack, values):
        # Well-formed but unusable for a real deployment: a preview runs and warns (the shipped
        # prod file holds every kind; see the test below), `pulumi up` refuses it before
        # registering anything.
        args += ["--mode", "up"]
    code, text = run_cli(args, capsys)
    assert_user_error(code, text, f"{row.key}:", row.message, "allowed")
    assert CIPHERTEXT not in text and "hunter2" not in text
    assert registrations_before_config_error(row.stack, values, row.secret_keys) == 0


def _deploy_blocker(stack: str, values: dict) -> bool:
    """Whether the only problems of `values` are deploy blockers (accepted by a preview)."""
    raw = {k: v if isinstance(v, str) else json.dumps(v) for k, v in values.items()}
    try:
        parse_config(raw, stack=stack, deploying=False)
    except ConfigError:
        return False
    return True


def test_the_shipped_prod_file_previews_with_every_deploy_blocker_as_a_warning(capsys, monkeypatch):
    """Every deploy blocker of the catalog, as the shipped prod file holds them: a preview exits 0
    and names each key, an update refuses them all before registering anything."""
    monkeypatch.delenv(OVERRIDES_ENV, raising=False)
    blockers = {
        row.key
        for row in RULE_ERRORS
        if row.project == "platform" and _deploy_blocker(row.stack, stack_values(row.stack, row.change))
    }
    assert len(blockers) >= 4
    args = ["prod", "--program", str(REPO), "--no-policy"]
    code, text = run_cli(args, capsys)
    assert code == 0, text
    for key in blockers:
        assert f"Program warning: {key}:" in text, key
    code, text = run_cli([*args, "--quiet", "--mode", "up"], capsys)
    assert code == 2
    for key in blockers:
        assert f"{key}:" in text, key
    assert registrations_before_config_error("prod", stack_values("prod", {})) == 0


ROWS = list(field_rows())


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.key)
def test_every_field_refuses_a_value_of_the_wrong_shape_naming_key_and_allowed(row):
    section, _, rest = row.key.partition(".")
    change: dict = {}
    target = change
    *parents, last = rest.split(".")
    for part in parents:
        target = target.setdefault(part, {})
    target[last] = row.bad_value
    values = stack_values("dev", {section: change})
    raw = {k: v if isinstance(v, str) else json.dumps(v) for k, v in values.items()}
    with pytest.raises(Exception) as err:
        parse_config(raw, stack="dev")
    lines = [str(p) for p in getattr(err.value, "problems", []) if p.key == row.key]
    assert lines, str(err.value)
    if row.allowed:
        assert any("allowed:" in line for line in lines), lines


def test_the_field_rows_cover_every_key_of_the_config_reference():
    documented = set(re.findall(r"^\| `(platform:[^`]+)` \|", render_reference(), re.MULTILINE))
    documented -= {"platform:environment", "platform:protect"}  # top-level scalars: rows of RULE_ERRORS
    assert documented == {r.key for r in ROWS}
    assert len({r.key for r in ROWS}) == len(ROWS)


def _program_named(tmp_path, project):
    """The stack program under another project name (names derive from it)."""
    program = tmp_path / project
    program.mkdir()
    (program / "Pulumi.yaml").write_text(f"name: {project}\nruntime: python\n", encoding="utf-8")
    (program / "__main__.py").write_text(
        "import runpy, sys\n"
        f"sys.path.insert(0, {str(REPO)!r})\n"
        f"runpy.run_path({str(REPO / '__main__.py')!r}, run_name='__main__')\n",
        encoding="utf-8",
    )
    return program
