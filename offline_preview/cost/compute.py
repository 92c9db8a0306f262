"""Pricers for compute: EKS control planes and node groups, auto scaling groups, instances, volumes."""

from __future__ import annotations

import re
from typing import Any

from ..capture import CapturedResource
from ..capture_model import UNKNOWN
from .context import NOT_PRICED, Context, Priced, Pricer, has_children, num, rate


def _eks_control_plane(r: CapturedResource, c: Context) -> Priced:
    hour = c.p("eks.clusterHour")
    support = (r.inputs.get("upgradePolicy") or {}).get("supportType")
    note = (
        "; versions past standard support then cost "
        f"{rate(c.p('eks.extendedClusterHour'))}/h (upgradePolicy.supportType is not STANDARD)"
        if support != "STANDARD"
        else ""
    )
    return Priced(hour * c.hours, f"EKS control plane {rate(hour)}/h x {c.hours:g} h{note}")


def _eks_remote_cluster(r: CapturedResource, c: Context) -> Priced:
    """pulumi-eks `Cluster`: one registration offline (its children appear only under the real engine,
    where they are priced one by one instead)."""
    if has_children(r, c):
        return Priced(0.0, "free here: its child resources are priced one by one")
    control = _eks_control_plane(r, c)
    fargate = r.inputs.get("fargate")
    auto = (r.inputs.get("autoMode") or {}).get("enabled")
    if r.inputs.get("skipDefaultNodeGroup") or fargate or auto:
        return Priced(control.monthly, control.basis + "; no default node group")
    count = num(r.inputs.get("desiredCapacity"), 2.0) or 0.0
    itype = str(r.inputs.get("instanceType") or "t3.medium")
    price = c.prices.on_demand(itype)
    if price is None:
        return Priced(control.monthly, control.basis + f"; default node group {itype}: {NOT_PRICED}")
    nodes = count * price * c.hours
    return Priced(
        control.monthly + nodes,
        control.basis + f" + default node group {count:g} x {itype} {rate(price)}/h x {c.hours:g} h",
    )


def field_of(d: dict[str, Any], camel: str) -> Any:
    """A dynamic resource's output by its camelCase name (the spot optimizer's output contract), or its snake_case twin."""
    if camel in d:
        return d[camel]
    return d.get(re.sub(r"(?<!^)(?=[A-Z])", "_", camel).lower())


def _is_spot_selection(r: CapturedResource) -> bool:
    if not r.type.startswith("pulumi-python:dynamic"):
        return False
    details = field_of(r.outputs, "details")
    has_prices = isinstance(details, list) and any(
        isinstance(d, dict) and field_of(d, "spotPrice") is not None for d in details
    )
    return has_prices or field_of(r.outputs, "expectedHourlyUsd") is not None


def _spot_selection_for(r: CapturedResource, c: Context) -> CapturedResource | None:
    urns = [*r.property_dependencies.get("instanceTypes", []), *r.dependencies]
    for urn in urns:
        dep = c.index.get(urn)
        if dep is not None and _is_spot_selection(dep):
            return dep
    return None


def spot_price_from_selection(selection: CapturedResource, types: list[str]) -> tuple[float, str] | None:
    """Per-node hourly spot price from a `SpotInstanceSelection`'s outputs: its expected hourly cost
    for the capacity it was asked about, else the mean expected price of the node group's types."""
    expected = num(field_of(selection.outputs, "expectedHourlyUsd"))
    capacity = num(selection.inputs.get("capacity")) or num(selection.outputs.get("capacity"))
    if expected is not None and capacity:
        per = expected / capacity
        return per, (
            f"SpotInstanceSelection '{selection.name}' expects {rate(expected)}/h for {capacity:g} nodes "
            f"= {rate(round(per, 6))}/node-h"
        )
    details = [d for d in field_of(selection.outputs, "details") or [] if isinstance(d, dict)]
    chosen = [d for d in details if not types or field_of(d, "instanceType") in types]
    prices = [p for p in (num(field_of(d, "spotPrice")) for d in chosen) if p is not None]
    if not prices:
        return None
    per = sum(prices) / len(prices)
    return per, (
        f"SpotInstanceSelection '{selection.name}' expected spot prices of {len(prices)} types, "
        f"mean {rate(round(per, 6))}/node-h"
    )


def _node_group(r: CapturedResource, c: Context) -> Priced:
    if r.remote and has_children(r, c):
        return Priced(0.0, "free here: its child resources are priced one by one")
    scaling = r.inputs.get("scalingConfig") or {}
    desired = num(scaling.get("desiredSize"), None)
    if desired is None:
        desired = num(scaling.get("minSize"), 1.0) or 0.0
    types = [str(t) for t in r.inputs.get("instanceTypes") or []]
    capacity = str(r.inputs.get("capacityType") or "ON_DEMAND")
    region = c.region_of(r)
    if capacity == "SPOT":
        selection = _spot_selection_for(r, c)
        found = spot_price_from_selection(selection, types) if selection is not None else None
        if found is None:
            found = _advisor_spot_price(c, region, types or ["t3.medium"])
        if found is None:
            return Priced(0.0, f"{NOT_PRICED}: no spot price for {', '.join(types) or 't3.medium'}", priced=False)
        per, how = found
        basis = f"SPOT {desired:g} nodes x {how} x {c.hours:g} h"
    else:
        itype = types[0] if types else "t3.medium"
        price = c.prices.on_demand(itype)
        if price is None:
            return Priced(0.0, f"{NOT_PRICED}: {itype} not in the EC2 on-demand table", priced=False)
        per = price
        basis = (
            f"ON_DEMAND {desired:g} nodes x {itype} {rate(price)}/h x {c.hours:g} h "
            "(On-Demand capacity launches the first listed type)"
        )
    monthly = desired * per * c.hours
    gb = c.p("ebs.gp3.gbMonth")
    if not r.inputs.get("launchTemplate"):
        disk = num(r.inputs.get("diskSize"), 20.0) or 0.0
        monthly += desired * disk * gb
        basis += f" + {desired:g} x {disk:g} GB root volume x {rate(gb)}/GB-month"
    else:
        disk = _launch_template_volume_gb(r, c)
        if disk:
            monthly += desired * disk * gb
            basis += f" + {desired:g} x {disk:g} GB volumes (launch template) x {rate(gb)}/GB-month"
    return Priced(monthly, basis)


def _launch_template_volume_gb(r: CapturedResource, c: Context) -> float:
    """EBS volumes a node gets from the group's launch template (gp3 price assumed)."""
    total = 0.0
    for template in c.deps_of(r, "launchTemplate"):
        if template.type != "aws:ec2/launchTemplate:LaunchTemplate":
            continue
        for mapping in template.inputs.get("blockDeviceMappings") or []:
            ebs = mapping.get("ebs") if isinstance(mapping, dict) else None
            if isinstance(ebs, dict):
                total += num(ebs.get("volumeSize"), 0.0) or 0.0
    return total


def _advisor_spot_price(c: Context, region: str, types: list[str]) -> tuple[float, str] | None:
    prices: list[float] = []
    for t in types:
        od, saving = c.prices.on_demand(t), c.prices.spot_savings(region, t)
        if od is not None and saving is not None:
            prices.append(od * (1 - saving / 100))
    if not prices:
        return None
    per = sum(prices) / len(prices)
    return (
        per,
        f"Spot Advisor estimate (on-demand x (1 - saving)) over {len(prices)} types, mean {rate(round(per, 6))}/h",
    )


def _self_managed_node_group(r: CapturedResource, c: Context) -> Priced:
    """pulumi-eks `NodeGroup`/`NodeGroupV2` (an auto scaling group of one instance type)."""
    if has_children(r, c):
        return Priced(0.0, "free here: its child resources are priced one by one")
    count = num(r.inputs.get("desiredCapacity"), 2.0) or 0.0
    itype = str(r.inputs.get("instanceType") or "t3.medium")
    if r.inputs.get("spotPrice"):
        found = _advisor_spot_price(c, c.region_of(r), [itype])
        if found is None:
            return Priced(0.0, f"{NOT_PRICED}: no spot estimate for {itype}", priced=False)
        per, how = found
        return Priced(count * per * c.hours, f"SPOT {count:g} x {itype}: {how} x {c.hours:g} h")
    price = c.prices.on_demand(itype)
    if price is None:
        return Priced(0.0, f"{NOT_PRICED}: {itype} not in the EC2 on-demand table", priced=False)
    return Priced(count * price * c.hours, f"{count:g} x {itype} {rate(price)}/h x {c.hours:g} h")


def _autoscaling_group(r: CapturedResource, c: Context) -> Priced:
    """An auto scaling group runs `desiredCapacity` instances (its `minSize` when unset) of the
    type its launch template or launch configuration names; a mixed instances policy's first
    override is the type On-Demand capacity launches first."""
    count = num(r.inputs.get("desiredCapacity"))
    if count is None:
        count = num(r.inputs.get("minSize"), 0.0) or 0.0
    itype = _launch_instance_type(r, c)
    mixed = r.inputs.get("mixedInstancesPolicy") or {}
    overrides = ((mixed.get("launchTemplate") or {}).get("overrides")) or []
    if overrides and isinstance(overrides[0], dict) and overrides[0].get("instanceType"):
        itype = overrides[0]["instanceType"]
    price = c.prices.on_demand(str(itype)) if itype else None
    if price is None:
        what = f"{itype} not in the EC2 on-demand table" if itype else "instance type of the launch template unknown"
        return Priced(0.0, f"{NOT_PRICED}: {what}", priced=False)
    return Priced(
        count * price * c.hours,
        f"{count:g} x {itype} {rate(price)}/h x {c.hours:g} h (on-demand; volumes not included)",
    )


_LAUNCH_SOURCES = {
    "aws:ec2/launchTemplate:LaunchTemplate": ("launchTemplate", "mixedInstancesPolicy"),
    "aws:ec2/launchConfiguration:LaunchConfiguration": ("launchConfiguration",),
}


def _launch_instance_type(r: CapturedResource, c: Context) -> str | None:
    """The instance type of the launch template or launch configuration the group launches from:
    found through the property it is passed in (its id is unknown in a preview), else by the name
    a launch configuration is given as."""
    for type_, props in _LAUNCH_SOURCES.items():
        for prop in props:
            for source in c.deps_of(r, prop):
                if source.type == type_ and source.inputs.get("instanceType"):
                    return str(source.inputs["instanceType"])
    named = r.inputs.get("launchConfiguration")
    if isinstance(named, str) and named != UNKNOWN:
        for source in c.capture.resources:
            if source.type == "aws:ec2/launchConfiguration:LaunchConfiguration" and named in (
                source.inputs.get("name"),
                source.outputs.get("name"),
                source.outputs.get("id"),
            ):
                return str(source.inputs.get("instanceType") or "") or None
    return None


def _ec2_instance(r: CapturedResource, c: Context) -> Priced:
    itype = str(r.inputs.get("instanceType") or "")
    price = c.prices.on_demand(itype)
    if price is None:
        return Priced(0.0, f"{NOT_PRICED}: {itype or 'unknown type'} not in the EC2 on-demand table", priced=False)
    monthly = price * c.hours
    basis = f"{itype} {rate(price)}/h x {c.hours:g} h"
    root = r.inputs.get("rootBlockDevice") or {}
    size = num(root.get("volumeSize"), 8.0) or 0.0
    vtype = str(root.get("volumeType") or "gp3")
    gb = c.prices.usd(f"ebs.{vtype}.gbMonth") if f"ebs.{vtype}" in _EBS_TYPES else c.p("ebs.gp3.gbMonth")
    monthly += size * gb
    basis += f" + {size:g} GB {vtype} root x {rate(gb)}/GB-month"
    if r.inputs.get("associatePublicIpAddress"):
        ip = c.p("publicIpv4.hour")
        monthly += ip * c.hours
        basis += f" + public IPv4 {rate(ip)}/h"
    return Priced(monthly, basis)


_EBS_TYPES = {f"ebs.{t}" for t in ("gp3", "gp2", "io1", "io2", "st1", "sc1", "standard")}


def _ebs_volume(r: CapturedResource, c: Context) -> Priced:
    vtype = str(r.inputs.get("type") or "gp3")
    size = num(r.inputs.get("size"), 0.0) or 0.0
    if f"ebs.{vtype}" not in _EBS_TYPES:
        return Priced(0.0, f"{NOT_PRICED}: volume type {vtype}", priced=False)
    gb = c.prices.usd(f"ebs.{vtype}.gbMonth")
    return Priced(size * gb, f"{size:g} GB {vtype} x {rate(gb)}/GB-month")


def _spot_instance_request(r: CapturedResource, c: Context) -> Priced:
    itype = str(r.inputs.get("instanceType") or "")
    found = _advisor_spot_price(c, c.region_of(r), [itype]) if itype else None
    if found is None:
        return Priced(0.0, f"{NOT_PRICED}: no Spot Advisor estimate for {itype or 'unknown type'}", priced=False)
    per, how = found
    return Priced(per * c.hours, f"SPOT 1 x {itype}: {how} x {c.hours:g} h (root volume not included)")


PRICERS: dict[str, Pricer] = {
    "aws:ec2/spotInstanceRequest:SpotInstanceRequest": _spot_instance_request,
    "aws:eks/cluster:Cluster": _eks_control_plane,
    "eks:index:Cluster": _eks_remote_cluster,
    "aws:eks/nodeGroup:NodeGroup": _node_group,
    "eks:index:ManagedNodeGroup": _node_group,
    "eks:index:NodeGroup": _self_managed_node_group,
    "eks:index:NodeGroupV2": _self_managed_node_group,
    "aws:autoscaling/group:Group": _autoscaling_group,
    "aws:ec2/instance:Instance": _ec2_instance,
    "aws:ebs/volume:Volume": _ebs_volume,
}
