"""The public Application Load Balancer of the Networking component: target groups (one per
`alb_plan.TARGETS` entry), the HTTP-to-HTTPS redirect, the HTTPS listener and its path rules, the
certificate, the WAF association and the alias record.

Split from `component` because the load balancer is a self-contained piece built last on the
VPC, public subnets and ALB security group that `component` creates; the security groups stay
there (each tier references the one in front of it). `component` re-exports `LoadBalancerRef`
and `TargetGroupRef`, which other components import from it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pulumi
import pulumi_aws as aws

from secure_platform.core.log_delivery import ALB_PREFIX
from secure_platform.core.options import child
from secure_platform.networking import alb_plan, firewall_plan

if TYPE_CHECKING:
    from secure_platform.networking.component import DomainSettings, NetworkingArgs


@dataclass(frozen=True, eq=False)
class TargetGroupRef:
    arn: pulumi.Output[str]
    """Resolves once the HTTPS listener (or its rule) forwards to the group."""
    arn_suffix: pulumi.Output[str]
    """The CloudWatch `TargetGroup` dimension."""
    port: int
    health_path: str


@dataclass(frozen=True, eq=False)
class LoadBalancerRef:
    arn: pulumi.Output[str]
    arn_suffix: pulumi.Output[str]
    """The CloudWatch `LoadBalancer` dimension."""
    dns_name: pulumi.Output[str]
    zone_id: pulumi.Output[str]
    https_listener_arn: pulumi.Output[str]


def _certificate_arn(parent: pulumi.Resource, domain: DomainSettings) -> pulumi.Input[str]:
    """The HTTPS listener's certificate: the configured one, or an ACM certificate validated in the
    hosted zone."""
    if domain.certificate_arn is not None:
        return domain.certificate_arn
    assert domain.hosted_zone_id is not None  # checked by DomainSettings
    cert = aws.acm.Certificate(
        "alb",
        domain_name=domain.name,
        validation_method="DNS",
        key_algorithm="EC_prime256v1",
        tags={"Name": domain.name},
        opts=child(parent),
    )
    option = cert.domain_validation_options[0]
    record = aws.route53.Record(
        "certificate-validation",
        zone_id=domain.hosted_zone_id,
        name=option.resource_record_name.apply(lambda v: str(v)),
        type=option.resource_record_type.apply(lambda v: str(v)),
        records=[option.resource_record_value.apply(lambda v: str(v))],
        ttl=60,
        allow_overwrite=True,
        opts=child(parent),
    )
    validation = aws.acm.CertificateValidation(
        "alb", certificate_arn=cert.arn, validation_record_fqdns=[record.fqdn], opts=child(parent)
    )
    return validation.certificate_arn


def build(
    parent: pulumi.Resource,
    args: NetworkingArgs,
    vpc: aws.ec2.Vpc,
    public_subnet_ids: Sequence[pulumi.Output[str]],
    alb_group_id: pulumi.Output[str],
) -> tuple[LoadBalancerRef, dict[str, TargetGroupRef]]:
    """The ALB in `public_subnet_ids` with its target groups, listeners, WAF association and alias
    record, every resource parented to `parent` (the Networking component)."""
    lb = aws.lb.LoadBalancer(
        "alb",
        load_balancer_type="application",
        internal=False,
        ip_address_type="ipv4",
        subnets=list(public_subnet_ids),
        security_groups=[alb_group_id],
        drop_invalid_header_fields=True,
        desync_mitigation_mode="defensive",
        enable_deletion_protection=args.protect,
        access_logs={"bucket": args.log_archive.name, "prefix": ALB_PREFIX, "enabled": True},
        tags={"Name": f"{args.naming.prefix}-alb"},
        opts=child(parent),
    )
    target_groups: dict[str, aws.lb.TargetGroup] = {}
    refs: dict[str, TargetGroupRef] = {}
    for spec in alb_plan.TARGETS:
        tg = aws.lb.TargetGroup(
            spec.name,
            vpc_id=vpc.id,
            port=spec.port,
            protocol="HTTP",
            # Fargate tasks (awsvpc) and pods behind the AWS Load Balancer Controller are IPs.
            target_type="ip",
            deregistration_delay=30,
            health_check={
                "enabled": True,
                "path": spec.health_path,
                "protocol": "HTTP",
                "port": "traffic-port",
                "matcher": "200-399",
                "interval": 15,
                "timeout": 5,
                "healthy_threshold": 2,
                "unhealthy_threshold": 3,
            },
            tags={"Name": f"{args.naming.prefix}-{spec.name}"},
            opts=child(parent),
        )
        target_groups[spec.name] = tg
    aws.lb.Listener(
        "http",
        load_balancer_arn=lb.arn,
        port=firewall_plan.HTTP,
        protocol="HTTP",
        default_actions=[
            {
                "type": "redirect",
                "redirect": {"port": str(firewall_plan.HTTPS), "protocol": "HTTPS", "status_code": "HTTP_301"},
            }
        ],
        opts=child(parent),
    )
    https = aws.lb.Listener(
        "https",
        load_balancer_arn=lb.arn,
        port=firewall_plan.HTTPS,
        protocol="HTTPS",
        ssl_policy=alb_plan.TLS_POLICY,
        certificate_arn=_certificate_arn(parent, args.domain),
        default_actions=[{"type": "forward", "target_group_arn": target_groups[alb_plan.default_target().name].arn}],
        # Response headers set by the load balancer itself, for every target.
        routing_http_response_strict_transport_security_header_value="max-age=31536000; includeSubDomains",
        routing_http_response_x_content_type_options_header_value="nosniff",
        routing_http_response_server_enabled=False,
        opts=child(parent),
    )
    attached_by: dict[str, pulumi.Output[str]] = {alb_plan.default_target().name: https.arn}
    for spec in alb_plan.TARGETS:
        if not spec.path_patterns:
            continue
        rule = aws.lb.ListenerRule(
            f"{spec.name}-paths",
            listener_arn=https.arn,
            priority=spec.priority,
            conditions=[{"path_pattern": {"values": list(spec.path_patterns)}}],
            actions=[{"type": "forward", "target_group_arn": target_groups[spec.name].arn}],
            opts=child(parent),
        )
        attached_by[spec.name] = rule.arn
    for spec in alb_plan.TARGETS:
        tg = target_groups[spec.name]
        # The ARN handed out resolves only once the listener (rule) forwards to the group: ECS
        # refuses to create a service on a target group no load balancer uses yet.
        refs[spec.name] = TargetGroupRef(
            arn=pulumi.Output.all(tg.arn, attached_by[spec.name]).apply(lambda v: str(v[0])),
            arn_suffix=tg.arn_suffix,
            port=spec.port,
            health_path=spec.health_path,
        )
    aws.wafv2.WebAclAssociation("alb", resource_arn=lb.arn, web_acl_arn=args.web_acl_arn, opts=child(parent))
    if args.domain.hosted_zone_id is not None:
        aws.route53.Record(
            "alb-alias",
            zone_id=args.domain.hosted_zone_id,
            name=args.domain.name,
            type="A",
            aliases=[{"name": lb.dns_name, "zone_id": lb.zone_id, "evaluate_target_health": True}],
            opts=child(parent),
        )
    alb = LoadBalancerRef(
        arn=lb.arn, arn_suffix=lb.arn_suffix, dns_name=lb.dns_name, zone_id=lb.zone_id, https_listener_arn=https.arn
    )
    return alb, refs
