"""Per-stack enforcement (policies/config/<stack>.json) in the --policy-pack-config format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pulumi_policy import EnforcementLevel

from offline_preview import load_policy_pack
from offline_preview.policy_runner import LoadedPack, resolve_config
from platform_policies import REGISTRY

CONFIG = Path(__file__).resolve().parents[2] / "policies" / "config"
STRICT = {"encryption-at-rest", "encryption-in-transit", "least-privilege", "exposure", "data-protection"}


@pytest.fixture(scope="module")
def pack() -> LoadedPack:
    return load_policy_pack(CONFIG.parent)


def levels(pack: LoadedPack, stack: str) -> dict[str, EnforcementLevel]:
    data = json.loads((CONFIG / f"{stack}.json").read_text())
    return {r.policy.name: r.enforcement for r in resolve_config(pack, data, stack)}


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_config_names_every_policy_and_validates_against_the_schemas(pack: LoadedPack, stack: str) -> None:
    data = json.loads((CONFIG / f"{stack}.json").read_text())
    assert set(data) - {"all"} == {p.name for p in pack.policies}
    assert len(levels(pack, stack)) == len(pack.policies)  # resolve_config validates with jsonschema


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_protected_stacks_make_security_and_data_protection_mandatory(pack: LoadedPack, stack: str) -> None:
    resolved = levels(pack, stack)
    loose = [i.name for i in REGISTRY if i.category in STRICT and resolved[i.name] != EnforcementLevel.MANDATORY]
    assert loose == []


def test_dev_relaxes_only_data_protection_resilience_and_cost_hints(pack: LoadedPack) -> None:
    resolved = levels(pack, "dev")
    advisory = {i.category for i in REGISTRY if resolved[i.name] == EnforcementLevel.ADVISORY}
    assert advisory <= {"data-protection", "resilience", "tagging-cost"}
    security = [
        i.name
        for i in REGISTRY
        if i.category in STRICT - {"data-protection"} and resolved[i.name] != EnforcementLevel.MANDATORY
    ]
    assert security == []


def test_every_configurable_policy_declares_a_schema_with_defaults() -> None:
    for info in REGISTRY:
        for prop, spec in info.config.items():
            assert "default" in spec and "description" in spec, (info.name, prop)


def test_a_program_without_a_config_gets_the_foreign_defaults(pack: LoadedPack) -> None:
    """No --policy-pack-config: the pack's initial_config makes encryption, exposure and
    least-privilege findings of high/critical severity mandatory, except customer-managed-key
    preferences and defence-in-depth advice; logging, data protection, hardening, tagging and cost
    are advisory."""
    resolved = {r.policy.name: r.enforcement for r in resolve_config(pack, None)}
    infos = {i.name: i for i in REGISTRY}
    mandatory = {n for n, level in resolved.items() if level == EnforcementLevel.MANDATORY}
    assert {infos[n].category for n in mandatory} == STRICT - {"data-protection"}
    assert not any(n.endswith("-with-cmk") for n in mandatory)
    for name in (
        "encryption-at-rest-enabled",
        "s3-bucket-not-public",
        "security-group-no-world-sensitive-ports",
        "iam-no-admin-managed-policies",
        "compute-no-implicit-public-ip",
        "lambda-not-public",
    ):
        assert resolved[name] == EnforcementLevel.MANDATORY, name
    for name in (
        "s3-bucket-encrypted-with-cmk",
        "dynamodb-table-encrypted-with-cmk",
        "required-tags",
        "s3-website-behind-cloudfront",
        "lambda-dlq-and-tracing",
        "stateful-resources-protected",
    ):
        assert resolved[name] == EnforcementLevel.ADVISORY, name
