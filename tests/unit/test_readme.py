"""The README's generated blocks (architecture, config reference, cost per environment) are current."""

from __future__ import annotations

import json
import re

import pytest
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from secure_platform import config_docs
from secure_platform.compute.ecs.fargate import FARGATE_MEMORY_BY_CPU, memory_choices
from secure_platform.config import (
    EKS_VERSIONS,
    ENHANCED_MONITORING_INTERVALS,
    LOG_RETENTION_DAYS,
    SECTIONS,
    ConfigError,
    allowed_text,
    parse_config,
)
from secure_platform.config.schema import literal_values, unwrap_model
from secure_platform.config.stack_files import read_project, read_stack_config
from tests.stack_runs import stack_capture
from tools.readme import README, REPO, render


def test_readme_generated_blocks_are_current():
    text = README.read_text(encoding="utf-8")
    assert render(text, stack_capture) == text, "run: venv/bin/python -m tools.readme"


# --- the config reference's "allowed" column ---------------------------------------------------


def _reference_rows() -> dict[str, list[str]]:
    """key -> cells (type, default, allowed, per-environment values, description) of the README."""
    text = README.read_text(encoding="utf-8")
    block = text.split(config_docs.START, 1)[1].split(config_docs.END, 1)[0]
    rows: dict[str, list[str]] = {}
    for line in block.splitlines():
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        if cells and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = cells[1:]
    return rows


def _allowed(key: str) -> str:
    return _reference_rows()[key][2]


@pytest.mark.parametrize(
    ("key", "allowed"),
    [
        ("platform:database.backupRetentionDays", "0-35; at least 7 in prod"),
        ("platform:network.azCount", "2-6"),
        (
            "platform:monitoring.logRetentionDays",
            ", ".join(map(str, LOG_RETENTION_DAYS)) + "; at least 365 in prod",
        ),
        ("platform:database.monitoringIntervalSeconds", ", ".join(map(str, ENHANCED_MONITORING_INTERVALS))),
        ("platform:compute.ecs.cpu", ", ".join(map(str, FARGATE_MEMORY_BY_CPU))),
        ("platform:compute.eks.version", ", ".join(EKS_VERSIONS)),
        ("platform:compute.eks.systemNodes.desiredSize", "minSize-maxSize"),
        ("platform:compute.ecs.minTasks", "0-maxTasks"),
        ("platform:security.kmsDeletionWindowDays", "7-30; at least 30 in prod"),
        ("platform:cache.numCacheClusters", "1-6; at least 2 in prod with elasticache"),
        ("platform:network.natGateways", "`none`, `single`, `perAz`"),
        ("platform:environment", "`dev`, `staging`, `prod`"),
    ],
)
def test_a_constrained_keys_allowed_cell_states_its_constraint(key, allowed):
    assert _allowed(key) == allowed


def test_the_fargate_memory_cell_is_the_official_table():
    cell = _allowed("platform:compute.ecs.memory")
    for cpu in FARGATE_MEMORY_BY_CPU:
        assert f"cpu {cpu}: {memory_choices(cpu)}" in cell
    assert _allowed("platform:compute.eks.spotNodes.maxInterruptionBucket").startswith("0-4; Spot Advisor buckets")


def _leaf_fields(model: type[BaseModel], prefix: str) -> list[tuple[str, type[BaseModel], str, FieldInfo]]:
    out = []
    for name, field in model.model_fields.items():
        key = f"{prefix}.{field.alias or name}"
        nested = unwrap_model(field.annotation)
        if nested is not None:
            out += _leaf_fields(nested, key)
        else:
            out.append((key, model, name, field))
    return out


LEAVES = [leaf for section, (model, _) in SECTIONS.items() for leaf in _leaf_fields(model, section)]


@pytest.mark.parametrize(("key", "model", "name", "field"), LEAVES, ids=[leaf[0] for leaf in LEAVES])
def test_every_constrained_key_documents_what_is_allowed(key, model, name, field):
    """A key with bounds, literal values, a length or pattern, or a validator has an allowed cell."""
    validated = any(name in v.info.fields for v in model.__pydantic_decorators__.field_validators.values())
    constrained = bool(field.metadata) or validated or bool(literal_values(field.annotation))
    cell = _allowed(f"platform:{key}")
    assert cell == config_docs._cell(allowed_text(field, code=True))
    if constrained:
        assert cell, f"platform:{key} is constrained but its README allowed cell is empty"


@pytest.mark.parametrize(
    ("section", "path"),
    [
        ("database", "backupRetentionDays"),
        ("cache", "snapshotRetentionDays"),
        ("security", "kmsDeletionWindowDays"),
        ("compute", "eks.spotNodes.maxInterruptionBucket"),
        ("compute", "eks.spotNodes.typeCount"),
    ],
)
def test_a_documented_range_is_exactly_what_validation_accepts(section, path):
    low, high = (int(x) for x in _allowed(f"platform:{section}.{path}").split(";")[0].split("-"))
    raw = dict(read_stack_config(read_project(REPO), "dev").config)

    def problems(value: int) -> list[str]:
        doc = json.loads(raw[f"platform:{section}"])
        target = doc
        *parents, last = path.split(".")
        for part in parents:
            target = target[part]
        target[last] = value
        try:
            parse_config({**raw, f"platform:{section}": json.dumps(doc)}, stack="dev")
        except ConfigError as exc:
            return [str(p) for p in exc.problems if p.key == f"platform:{section}.{path}"]
        return []

    assert problems(low) == [] and problems(high) == []
    assert problems(low - 1) and problems(high + 1)
    assert f"allowed: {low}-{high}" in problems(high + 1)[0]
