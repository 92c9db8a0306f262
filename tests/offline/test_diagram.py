"""The README's architecture diagram is generated from the captured graph and must be current."""

from __future__ import annotations

from pathlib import Path

from offline_preview.diagram import block_of, main
from tests.stack_runs import stack_capture

REPO = Path(__file__).resolve().parents[2]


def test_readme_architecture_diagram_is_current():
    assert main(["dev", "--readme", str(REPO / "README.md"), "--check"]) == 0, (
        "run: venv/bin/python -m offline_preview.diagram dev --readme README.md"
    )


def test_diagram_draws_every_top_level_component_and_its_data_edges():
    block = block_of(stack_capture("dev", "preview"))
    assert block.startswith("```mermaid") and "BackendState (backend)" in block
    assert "security --> network" in block
