"""The config's prod minimums are the policy pack's: for every setting the pack judges against a
minimum, the config refuses a smaller value in prod exactly where prod's pack configuration makes
that policy mandatory, with the same number."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from platform_policies import POLICIES
from secure_platform.config.limits import ENVIRONMENT_MINIMUMS, POLICY_MINIMUMS

PACK_CONFIG = Path(__file__).resolve().parents[2] / "policies" / "config"


def _pack_minimum(config: dict, policy: str, setting: str) -> int | None:
    """The minimum the pack enforces as mandatory in this configuration, or None."""
    entry = config.get(policy, config.get("all", "advisory"))
    level = entry.get("enforcementLevel", config.get("all")) if isinstance(entry, dict) else entry
    if level != "mandatory":
        return None
    if isinstance(entry, dict) and setting in entry:
        return int(entry[setting])
    [schema] = [p.config_schema for p in POLICIES if p.name == policy]
    assert schema is not None
    return int(schema.properties[setting]["default"])


@pytest.mark.parametrize("environment", ["prod"])
def test_each_minimum_is_the_pack_minimum_of_the_environment(environment):
    config = json.loads((PACK_CONFIG / f"{environment}.json").read_text(encoding="utf-8"))
    expected = {
        key: minimum
        for key, (policy, setting) in POLICY_MINIMUMS.items()
        if (minimum := _pack_minimum(config, policy, setting)) is not None
    }
    assert ENVIRONMENT_MINIMUMS[environment] == expected
