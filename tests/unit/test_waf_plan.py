"""The web ACL's rules: the per-IP rate limit first, then the three AWS managed groups."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from secure_platform.config import ConfigError, parse_config
from secure_platform.config.stack_files import read_project, read_stack_config
from secure_platform.security.waf_plan import MANAGED_GROUPS, web_acl_rules

REPO = Path(__file__).resolve().parents[2]


def test_rate_limit_is_evaluated_first_and_blocks_per_ip():
    first = web_acl_rules(2000, "platform-dev")[0]
    assert first["priority"] == 0
    assert first["action"] == {"block": {}}
    rate = first["statement"]["rate_based_statement"]
    assert rate == {"limit": 2000, "aggregate_key_type": "IP", "evaluation_window_sec": 300}


def test_common_known_bad_inputs_and_ip_reputation_groups_are_enforced():
    rules = web_acl_rules(2000, "platform-dev")
    groups = {r["statement"]["managed_rule_group_statement"]["name"]: r for r in rules[1:]}
    assert set(groups) == {
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesKnownBadInputsRuleSet",
        "AWSManagedRulesAmazonIpReputationList",
    }
    for rule in groups.values():
        assert rule["override_action"] == {"none": {}}  # the group's own block actions apply, not count
        assert rule["statement"]["managed_rule_group_statement"]["vendor_name"] == "AWS"
    assert len(MANAGED_GROUPS) == 3


def test_priorities_and_metric_names_are_unique():
    rules = web_acl_rules(100, "p")
    assert len({r["priority"] for r in rules}) == len(rules)
    assert len({r["visibility_config"]["metric_name"] for r in rules}) == len(rules)


@pytest.mark.parametrize("limit", [0, 9, 2_000_000_001])
def test_rate_limit_outside_what_waf_accepts_is_a_config_error(limit):
    # The plan trusts validated config; the range is the config field's (one home per rule).
    raw = dict(read_stack_config(read_project(REPO), "dev").config)
    raw["platform:security"] = json.dumps({**json.loads(raw["platform:security"]), "wafRateLimit": limit})
    with pytest.raises(ConfigError, match=rf"platform:security\.wafRateLimit: {limit} is out of range"):
        parse_config(raw, stack="dev")
