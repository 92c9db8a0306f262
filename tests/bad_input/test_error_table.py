"""docs/errors.md is generated from the code and current; each of its rows is a test elsewhere in
this package (rules, fields, arguments)."""

from __future__ import annotations

from offline_preview.arguments import CLI_ERRORS
from secure_platform.config.catalog import RULE_ERRORS, field_rows
from tools import errors


def test_the_error_table_is_current():
    assert errors.DOC.read_text(encoding="utf-8") == errors.render(), "run venv/bin/python -m tools.errors"


def test_every_row_of_the_code_is_in_the_table():
    text = errors.DOC.read_text(encoding="utf-8")
    for row in RULE_ERRORS:
        assert f"| `{row.key}` | {errors._cell(row.message)} |" in text
    for field in field_rows():
        assert f"| `{field.key}` |" in text
    for cli in CLI_ERRORS:
        assert f"| `{cli.argument}` |" in text


def test_check_mode_reports_a_stale_table(tmp_path, monkeypatch):
    stale = tmp_path / "errors.md"
    stale.write_text("old\n", encoding="utf-8")
    monkeypatch.setattr(errors, "DOC", stale)
    assert errors.main(["--check"]) == 1
    assert errors.main(["--bogus"]) == 2
