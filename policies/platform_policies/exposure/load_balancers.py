"""Application Load Balancers: invalid HTTP headers dropped and HTTP desync mitigated on every one,
and a WAF web ACL in front of every internet-facing one.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import ResourceValidationArgs, Severity, StackValidationArgs
from pulumi_policy.proxy import UnknownValueError

from ..helpers import as_list, get, of_type, targets, truthy
from ..registry import Controls, Report, resource_policy, stack_policy
from .shared import LOAD_BALANCERS, _safe


def _alb_headers(args: ResourceValidationArgs, report: Report) -> None:
    p = args.props
    if str(get(p, "loadBalancerType", default="application")) != "application":
        return
    problems: list[str] = []
    if not truthy(get(p, "dropInvalidHeaderFields")):
        problems.append("it forwards requests with invalid HTTP header fields (set drop_invalid_header_fields=True)")
    if str(get(p, "desyncMitigationMode", default="defensive")) == "monitor":
        problems.append("desync_mitigation_mode is 'monitor' (use 'defensive' or 'strictest')")
    if problems:
        report(
            f"Application load balancer '{args.name}': "
            + "; ".join(problems)
            + ". These stop HTTP request smuggling and header injection."
        )


alb_headers = resource_policy(
    "alb-drops-invalid-headers",
    category="exposure",
    description="Application load balancers drop invalid HTTP headers and mitigate HTTP desync (request smuggling).",
    severity=Severity.MEDIUM,
    controls=Controls(soc2=("CC6.6",), iso27001=("A.8.20",), pci=("6.4.1",)),
    remediation="Set drop_invalid_header_fields=True and desync_mitigation_mode='defensive' (or 'strictest') on aws.lb.LoadBalancer.",
    validate=_alb_headers,
    types=LOAD_BALANCERS,
    covers=("CKV_AWS_131", "CKV_AWS_328"),
)


WEB_ACL = "aws:wafv2/webAcl:WebAcl"
_STOPS = ("block", "captcha", "challenge")


def blocks_nothing(acl: Any) -> bool:
    """Whether a web ACL lets every request through: it allows by default and every rule only
    counts (`action.count`, or `override_action.count` on a rule group, which turns each of the
    group's actions into a count: https://docs.aws.amazon.com/waf/latest/developerguide/web-acl-rule-group-override-options.html).
    A part unknown at preview is read as blocking, so a preview never reports what it cannot see."""
    try:
        default = get(acl.props, "defaultAction", default={}) or {}
        rules = as_list(get(acl.props, "rules"))
        if any(get(default, k) is not None for k in _STOPS):
            return False
        for rule in rules:
            action = get(rule, "action", default={}) or {}
            override = get(rule, "overrideAction", default={}) or {}
            if any(get(action, k) is not None for k in _STOPS) or get(override, "none") is not None:
                return False
    except UnknownValueError:
        return False
    return True


def _waf(args: StackValidationArgs, report: Report) -> None:
    lbs = [
        lb
        for lb in of_type(args.resources, *LOAD_BALANCERS)
        if str(_safe(lb.props, "loadBalancerType") or "application") == "application"
        and not truthy(_safe(lb.props, "internal"))
    ]
    acls = list(of_type(args.resources, WEB_ACL))
    protected: set[str] = set()
    counting: dict[str, str] = {}
    for assoc in of_type(args.resources, "aws:wafv2/webAclAssociation:WebAclAssociation"):
        guarded = {lb.urn for lb in targets(assoc, "resourceArn", lbs, match_props=("arn", "id"))}
        idle = [acl for acl in targets(assoc, "webAclArn", acls, match_props=("arn", "id")) if blocks_nothing(acl)]
        if idle:
            counting.update(dict.fromkeys(guarded, idle[0].name))
        else:
            protected.update(guarded)
    for lb in lbs:
        if lb.urn in protected:
            continue
        if lb.urn in counting:
            report(
                f"Internet-facing load balancer '{lb.name}' is associated (aws.wafv2.WebAclAssociation) with web ACL "
                f"'{counting[lb.urn]}', which blocks nothing: it allows by default and every rule only counts. Set "
                "the rules' action to block, and override_action none on AWS managed rule groups.",
                lb.urn,
            )
            continue
        report(
            f"Internet-facing load balancer '{lb.name}' has no WAF web ACL. Associate one with aws.wafv2.WebAclAssociation"
            "(resource_arn=lb.arn, web_acl_arn=acl.arn) using AWS managed rule groups and a rate limit.",
            lb.urn,
        )


waf = stack_policy(
    "internet-facing-alb-has-waf",
    category="exposure",
    description="Every internet-facing Application Load Balancer is protected by an AWS WAF web ACL that blocks something (not every rule in count mode).",
    severity=Severity.HIGH,
    controls=Controls(soc2=("CC6.6", "CC6.8"), iso27001=("A.8.20", "A.8.23"), pci=("6.4.2",)),
    remediation="Create an aws.wafv2.WebAcl (scope REGIONAL, managed rule groups, rate-based rule) and an aws.wafv2.WebAclAssociation with the ALB.",
    validate=_waf,
    types=LOAD_BALANCERS,
    links=("aws:wafv2/webAclAssociation:WebAclAssociation", WEB_ACL),
    covers=("CKV2_AWS_28",),
)


POLICIES = [alb_headers, waf]
