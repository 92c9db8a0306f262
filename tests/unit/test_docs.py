"""The README's configuration reference is generated from the model and must be current."""

from __future__ import annotations

from pathlib import Path

from components.config_docs import END, START, render_reference

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_config_reference_is_current():
    text = README.read_text(encoding="utf-8")
    current = text.split(START, 1)[1].split(END, 1)[0].strip()
    assert current == render_reference().strip(), "run: venv/bin/python -m components.config_docs"


def test_reference_documents_every_key_of_the_spec():
    table = render_reference()
    for key in (
        "platform:network.cidr",
        "platform:network.azCount",
        "platform:network.natGateways",
        "platform:network.interfaceEndpoints",
        "platform:database.engine",
        "platform:database.multiAz",
        "platform:database.backupRetentionDays",
        "platform:compute.ecs.cpu",
        "platform:compute.ecs.spotWeight",
        "platform:compute.eks.version",
        "platform:compute.eks.systemNodes.desiredSize",
    ):
        assert f"`{key}`" in table, key
