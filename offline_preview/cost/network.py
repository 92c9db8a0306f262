"""Pricers for networking: NAT gateways, public IPv4, load balancers, endpoints, flow logs,
transit gateway attachments, VPN connections and AWS Network Firewall."""

from __future__ import annotations

from ..capture import CapturedResource
from .context import Context, Priced, Pricer, count, rate


def _nat_gateway(r: CapturedResource, c: Context) -> Priced:
    hour, per_gb, gb = c.p("natGateway.hour"), c.p("natGateway.dataGb"), c.a("natDataGbPerGateway")
    ip_note = "" if r.inputs.get("connectivityType") == "private" else "; its public IPv4 is priced on the EIP"
    if r.inputs.get("availabilityMode") == "regional":
        azs = count(r.inputs.get("availabilityZoneAddresses"))
        mode = f"regional NAT gateway in {azs} AZ" if azs else "regional NAT gateway (auto mode: counted as 1 AZ)"
        azs = azs or 1
        return Priced(
            azs * hour * c.hours + gb * per_gb,
            f"{mode} x {rate(hour)}/h x {c.hours:g} h + {gb:g} GB processed x {rate(per_gb)}/GB; "
            "its public IPv4 addresses are priced on the EIPs",
            assumed=gb * per_gb,
        )
    monthly = hour * c.hours + gb * per_gb
    return Priced(
        monthly,
        f"{rate(hour)}/h x {c.hours:g} h + {gb:g} GB processed x {rate(per_gb)}/GB{ip_note}",
        assumed=gb * per_gb,
    )


def _public_ip(r: CapturedResource, c: Context) -> Priced:
    hour = c.p("publicIpv4.hour")
    return Priced(hour * c.hours, f"public IPv4 {rate(hour)}/h x {c.hours:g} h (charged in use or idle)")


def load_balancer_price(kind: str, public_ips: int, where: str, c: Context) -> Priced:
    """An application or network load balancer: its hours with the stated capacity units, and
    `public_ips` public IPv4 addresses (`where` says how they were counted)."""
    if kind == "network":
        hour, unit, units, unit_name = c.p("nlb.hour"), c.p("nlb.nlcuHour"), c.a("nlbNlcu"), "NLCU"
    else:
        hour, unit, units, unit_name = c.p("alb.hour"), c.p("alb.lcuHour"), c.a("albLcu"), "LCU"
    monthly = (hour + unit * units) * c.hours
    basis = f"({rate(hour)}/h + {units:g} {unit_name} x {rate(unit)}/h) x {c.hours:g} h"
    if public_ips:
        ip = c.p("publicIpv4.hour")
        monthly += public_ips * ip * c.hours
        basis += f" + {public_ips} public IPv4 ({where}) x {rate(ip)}/h"
    return Priced(monthly, basis, assumed=unit * units * c.hours)


def _load_balancer(r: CapturedResource, c: Context) -> Priced:
    kind = r.inputs.get("loadBalancerType") or "application"
    if kind == "gateway":
        return Priced(c.p("gwlb.hour") * c.hours, f"GWLB {rate(c.p('gwlb.hour'))}/h x {c.hours:g} h")
    subnets = 0
    if not r.inputs.get("internal") and r.inputs.get("ipAddressType") != "dualstack-without-public-ipv4":
        subnets = count(r.inputs.get("subnets")) or count(r.inputs.get("subnetMappings"))
    return load_balancer_price(kind, subnets, "one per subnet", c)


def _vpc_endpoint(r: CapturedResource, c: Context) -> Priced:
    kind = r.inputs.get("vpcEndpointType") or "Gateway"
    if kind == "Gateway":
        return Priced(0.0, "free: gateway endpoint (S3/DynamoDB)")
    azs = count(r.inputs.get("subnetIds")) or count(r.inputs.get("subnetConfigurations")) or 1
    hour, per_gb, gb = c.p("interfaceEndpoint.azHour"), c.p("interfaceEndpoint.dataGb"), c.a("interfaceEndpointDataGb")
    monthly = azs * hour * c.hours + gb * per_gb
    return Priced(
        monthly,
        f"{kind} endpoint in {azs} AZ x {rate(hour)}/h x {c.hours:g} h + {gb:g} GB x {rate(per_gb)}/GB",
        assumed=gb * per_gb,
    )


def _flow_log(r: CapturedResource, c: Context) -> Priced:
    if r.inputs.get("logDestinationType") == "s3":
        gb, per_gb = c.a("flowLogGbToS3"), c.p("logs.vendedToS3Gb")
        return Priced(gb * per_gb, f"{gb:g} GB delivered to S3 x {rate(per_gb)}/GB (vended logs)", assumed=gb * per_gb)
    return Priced(0.0, "free here: delivery to CloudWatch Logs is priced as ingestion of its log group")


def _classic_load_balancer(r: CapturedResource, c: Context) -> Priced:
    hour = c.p("clb.hour")
    return Priced(hour * c.hours, f"Classic Load Balancer {rate(hour)}/h x {c.hours:g} h (data processed not included)")


def _tgw_attachment(r: CapturedResource, c: Context) -> Priced:
    hour = c.p("transitGateway.attachmentHour")
    return Priced(
        hour * c.hours,
        f"attachment {rate(hour)}/h x {c.hours:g} h",
        usage=(f"{rate(c.p('transitGateway.dataGb'))} per GB processed",),
    )


def _vpn_connection(r: CapturedResource, c: Context) -> Priced:
    hour = c.p("vpn.connectionHour")
    return Priced(hour * c.hours, f"Site-to-Site VPN {rate(hour)}/h x {c.hours:g} h (data transfer out not included)")


def _network_firewall(r: CapturedResource, c: Context) -> Priced:
    """An AWS Network Firewall runs one endpoint in each subnet it maps (one per Availability Zone),
    or in each Availability Zone it maps when attached to a transit gateway; each is billed by the
    hour whatever the traffic, and every GB it inspects on top (traffic: a unit price)."""
    endpoints = count(r.inputs.get("subnetMappings")) or count(r.inputs.get("availabilityZoneMappings"))
    hour, per_gb = c.p("networkFirewall.endpointHour"), c.p("networkFirewall.dataGb")
    counted = f"{endpoints} endpoint(s), one per mapped subnet or AZ" if endpoints else "1 endpoint (no mapping known)"
    endpoints = endpoints or 1
    return Priced(
        endpoints * hour * c.hours,
        f"{counted} x {rate(hour)}/h x {c.hours:g} h",
        usage=(f"{rate(per_gb)} per GB processed",),
    )


PRICERS: dict[str, Pricer] = {
    "aws:networkfirewall/firewall:Firewall": _network_firewall,
    "aws:ec2transitgateway/vpcAttachment:VpcAttachment": _tgw_attachment,
    "aws:ec2/vpnConnection:VpnConnection": _vpn_connection,
    "aws:elb/loadBalancer:LoadBalancer": _classic_load_balancer,
    "aws:ec2/natGateway:NatGateway": _nat_gateway,
    "aws:ec2/eip:Eip": _public_ip,
    "aws:lb/loadBalancer:LoadBalancer": _load_balancer,
    "aws:alb/loadBalancer:LoadBalancer": _load_balancer,
    "aws:ec2/vpcEndpoint:VpcEndpoint": _vpc_endpoint,
    "aws:ec2/flowLog:FlowLog": _flow_log,
}
