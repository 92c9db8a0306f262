"""The multi-language component provider: the schema the SDK's analyzer infers (checked in as
secure_platform/provider/schema.json), and the components it would construct for another language."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from pulumi.provider.experimental.component import ComponentProvider

from offline_preview.pytest_plugin import OfflinePulumi
from secure_platform.config import SECTIONS
from secure_platform.provider import COMPONENTS, PACKAGE_NAME, PACKAGE_VERSION, SecurePlatform
from secure_platform.provider.generate import SCHEMA_FILE, TYPES_FILE, render_schema, render_types

REPO = Path(__file__).resolve().parents[2]
PROVIDER_DIR = REPO / "secure_platform" / "provider"
REGENERATE = "run `venv/bin/python -m secure_platform.provider.generate`"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def test_the_checked_in_argument_types_follow_the_config_model() -> None:
    assert TYPES_FILE.read_text(encoding="utf-8") == render_types(), f"config_types.py is stale: {REGENERATE}"


def test_the_checked_in_schema_is_what_the_analyzer_infers(schema: dict[str, Any]) -> None:
    assert json.loads(render_schema()) == schema, f"schema.json is stale: {REGENERATE}"
    assert schema["name"] == PACKAGE_NAME and schema["version"] == PACKAGE_VERSION


def _properties(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    for token, resource in schema["resources"].items():
        for kind in ("inputProperties", "properties"):
            found += [(f"{token}.{kind}.{name}", prop) for name, prop in resource.get(kind, {}).items()]
    for token, type_ in schema["types"].items():
        found += [(f"{token}.{name}", prop) for name, prop in type_.get("properties", {}).items()]
    return found


def test_every_input_and_output_is_typed_and_documented_and_none_is_any(schema: dict[str, Any]) -> None:
    properties = _properties(schema)
    assert len(properties) > 100
    for where, prop in properties:
        assert prop.get("description", "").strip(), f"{where} has no description"
        assert "type" in prop or "$ref" in prop, f"{where} has no type"
    assert "pulumi.json#/Any" not in json.dumps(schema)
    for token, resource in schema["resources"].items():
        assert resource.get("description", "").strip(), token
        assert resource.get("isComponent") is True, token


def test_the_platform_takes_the_stack_configuration_sections(schema: dict[str, Any]) -> None:
    platform = schema["resources"][f"{PACKAGE_NAME}:index:SecurePlatform"]
    assert set(platform["inputProperties"]) == {"region", "environment", "protect", *SECTIONS}
    required = {s for s, (_, needed) in SECTIONS.items() if needed} | {"region", "environment"}
    assert set(platform["requiredInputs"]) == required
    network = schema["types"][f"{PACKAGE_NAME}:index:NetworkArgs"]["properties"]
    # Same keys as a Pulumi.<stack>.yaml (camelCase), with the config model's allowed values.
    assert {"cidr", "azCount", "natGateways", "publicSubnetCidrs"} <= set(network)
    assert "Allowed: none, single, perAz." in network["natGateways"]["description"]


def test_the_plugin_directory_is_a_python_component_package() -> None:
    manifest = yaml.safe_load((PROVIDER_DIR / "PulumiPlugin.yaml").read_text(encoding="utf-8"))
    assert manifest["runtime"]["name"] == "python"
    assert (PROVIDER_DIR / "__main__.py").is_file()
    assert "-r ../../requirements.txt" in (PROVIDER_DIR / "requirements.txt").read_text(encoding="utf-8")


def _stack_file_inputs(stack: str) -> dict[str, Any]:
    """What a TypeScript program passes to `new SecurePlatform(...)`: the stack file's values."""
    config = yaml.safe_load((REPO / f"Pulumi.{stack}.yaml").read_text(encoding="utf-8"))["config"]
    inputs: dict[str, Any] = {"region": config["aws:region"]}
    for key, value in config.items():
        if key.startswith("platform:"):
            inputs[key.removeprefix("platform:")] = value
    return inputs


@pytest.mark.slow
def test_the_component_builds_the_same_platform_as_the_stack_program(offline_pulumi: OfflinePulumi) -> None:
    """Inputs mapped exactly as the provider maps them in `construct`, then the component under
    the SDK's mocks: every resource of the dev stack's golden inventory, under the component."""
    provider = ComponentProvider(list(COMPONENTS), PACKAGE_NAME, version=PACKAGE_VERSION)
    args = provider.map_inputs(_stack_file_inputs("dev"), provider._component_defs["SecurePlatform"])
    run = offline_pulumi.component(lambda: SecurePlatform("dev", args), project="platform", stack="dev")  # type: ignore[arg-type]

    component = run.one(f"{PACKAGE_NAME}:index:SecurePlatform")
    inside = run.descendants(component)
    golden = json.loads((REPO / "tests" / "stack" / "golden" / "dev.json").read_text(encoding="utf-8"))
    expected = {t: n for t, n in golden["countsByType"].items() if t != "pulumi:pulumi:Stack"}
    assert dict(sorted(Counter(r.type for r in inside).items())) == expected
    assert len(inside) == len(run.resources) - 1  # nothing of the platform outside the component
    assert run.mandatory_violations() == []


def test_invalid_arguments_are_reported_by_key_before_anything_is_registered(offline_pulumi: OfflinePulumi) -> None:
    provider = ComponentProvider(list(COMPONENTS), PACKAGE_NAME, version=PACKAGE_VERSION)
    inputs = _stack_file_inputs("dev")
    inputs["network"] = {**inputs["network"], "azCount": 9}
    args = provider.map_inputs(inputs, provider._component_defs["SecurePlatform"])
    from offline_preview import UserError

    with pytest.raises(UserError, match=r"platform:network\.azCount") as raised:
        offline_pulumi.component(lambda: SecurePlatform("dev", args), policy_pack=None)  # type: ignore[arg-type]
    assert "9" in str(raised.value)
    assert [r.type for r in raised.value.capture.resources] == [f"{PACKAGE_NAME}:index:SecurePlatform"]  # type: ignore[attr-defined]
