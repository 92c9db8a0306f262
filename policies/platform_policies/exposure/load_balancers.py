"""Application Load Balancers: invalid HTTP headers dropped and HTTP desync mitigated on every one,
and a WAF web ACL in front of every internet-facing one.
"""

from __future__ import annotations

from pulumi_policy import ResourceValidationArgs, Severity, StackValidationArgs

from ..helpers import get, of_type, targets, truthy
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


def _waf(args: StackValidationArgs, report: Report) -> None:
    lbs = [
        lb
        for lb in of_type(args.resources, *LOAD_BALANCERS)
        if str(_safe(lb.props, "loadBalancerType") or "application") == "application"
        and not truthy(_safe(lb.props, "internal"))
    ]
    protected: set[str] = set()
    for assoc in of_type(args.resources, "aws:wafv2/webAclAssociation:WebAclAssociation"):
        protected.update(lb.urn for lb in targets(assoc, "resourceArn", lbs, match_props=("arn", "id")))
    for lb in lbs:
        if lb.urn not in protected:
            report(
                f"Internet-facing load balancer '{lb.name}' has no WAF web ACL. Associate one with aws.wafv2.WebAclAssociation"
                "(resource_arn=lb.arn, web_acl_arn=acl.arn) using AWS managed rule groups and a rate limit.",
                lb.urn,
            )


waf = stack_policy(
    "internet-facing-alb-has-waf",
    category="exposure",
    description="Every internet-facing Application Load Balancer is protected by an AWS WAF web ACL.",
    severity=Severity.HIGH,
    controls=Controls(soc2=("CC6.6", "CC6.8"), iso27001=("A.8.20", "A.8.23"), pci=("6.4.2",)),
    remediation="Create an aws.wafv2.WebAcl (scope REGIONAL, managed rule groups, rate-based rule) and an aws.wafv2.WebAclAssociation with the ALB.",
    validate=_waf,
    types=LOAD_BALANCERS,
    links=("aws:wafv2/webAclAssociation:WebAclAssociation",),
    covers=("CKV2_AWS_28",),
)


POLICIES = [alb_headers, waf]
