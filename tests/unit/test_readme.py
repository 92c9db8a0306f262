"""The README's generated blocks (architecture, config reference, cost per environment) are current."""

from __future__ import annotations

from tools.readme import README, render


def test_readme_generated_blocks_are_current():
    text = README.read_text(encoding="utf-8")
    assert render(text) == text, "run: venv/bin/python -m tools.readme"
