"""The regional WAF web ACL's rules (pure): a per-IP rate limit first (cheapest to evaluate and
stops floods before the managed groups spend capacity), then AWS managed rule groups."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

RATE_WINDOW_SECONDS = 300
"""The rate limit counts requests per IP over 5 minutes (`security.wafRateLimit`)."""


@dataclass(frozen=True)
class ManagedGroup:
    name: str
    rule_name: str
    why: str


MANAGED_GROUPS: tuple[ManagedGroup, ...] = (
    ManagedGroup("AWSManagedRulesAmazonIpReputationList", "aws-ip-reputation", "known bad actors and bots"),
    ManagedGroup("AWSManagedRulesCommonRuleSet", "aws-common", "OWASP-style common exploits"),
    ManagedGroup(
        "AWSManagedRulesKnownBadInputsRuleSet", "aws-known-bad-inputs", "Log4j, request smuggling and similar"
    ),
)


def _visibility(metric: str) -> dict[str, Any]:
    return {"cloudwatch_metrics_enabled": True, "metric_name": metric, "sampled_requests_enabled": True}


def web_acl_rules(rate_limit: int, metric_prefix: str) -> list[dict[str, Any]]:
    """`aws.wafv2.WebAcl` rules (snake_case args), in priority order."""
    if not 10 <= rate_limit <= 2_000_000_000:
        raise ValueError(f"WAF rate limit {rate_limit} is outside 10-2000000000 requests per 5 minutes")
    rules: list[dict[str, Any]] = [
        {
            "name": "rate-limit-per-ip",
            "priority": 0,
            "action": {"block": {}},
            "statement": {
                "rate_based_statement": {
                    "limit": rate_limit,
                    "aggregate_key_type": "IP",
                    "evaluation_window_sec": RATE_WINDOW_SECONDS,
                }
            },
            "visibility_config": _visibility(f"{metric_prefix}-rate-limit"),
        }
    ]
    for priority, group in enumerate(MANAGED_GROUPS, start=1):
        rules.append(
            {
                "name": group.rule_name,
                "priority": priority,
                "override_action": {"none": {}},
                "statement": {"managed_rule_group_statement": {"name": group.name, "vendor_name": "AWS"}},
                "visibility_config": _visibility(f"{metric_prefix}-{group.rule_name}"),
            }
        )
    return rules


REDACTED_HEADERS: tuple[str, ...] = ("authorization", "cookie")
"""Headers WAF logs must not contain (credentials and session tokens)."""
