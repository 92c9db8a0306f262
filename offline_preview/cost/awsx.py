"""Pricers for Pulumi's multi-language AWS components (pulumi-awsx, pulumi-aws-apigateway), from
their inputs and the packages' own defaults.

Offline an awsx component is one registration without children (its provider builds them under the
real engine, where they are priced one by one instead), but what it will create is decided by its
inputs and the defaults of awsx's source (github.com/pulumi/pulumi-awsx, `awsx/`): an `ec2.Vpc`
spans 3 Availability Zones with a NAT gateway in each (`vpc.ts`: `azCount ?? 3`, `natGateways
.strategy ?? "OnePerAz"`); a `ecs.FargateService` runs 1 task (`fargateService.ts`: `desiredCount:
1`) of the cheapest Fargate size that fits its containers (`fargateMemoryAndCpu.ts`); a load
balancer without subnets uses the default VPC's, one per Availability Zone (`applicationLoadBalancer
.ts`). Anything else the component may add (VPC endpoints of `vpcEndpointSpecs`, log groups) is
named as not included. A pulumi-aws-apigateway `RestAPI` builds a REST API with its deployment,
stage and Lambda permissions (github.com/pulumi/pulumi-aws-apigateway, `provider/cmd/.../restAPI.ts`):
billed by use as the REST API is, the stage without a cache.
"""

from __future__ import annotations

from typing import Any

from ..capture import CapturedResource
from ..capture_model import input_object
from ..invokes import zones_of
from .context import NOT_PRICED, Context, Priced, Pricer, count, has_children, num, rate
from .network import load_balancer_price
from .serverless import rest_api_price

_CHILDREN_PRICED = "free here: its child resources are priced one by one"


def _fargate_sizes() -> list[tuple[float, float]]:
    """(vCPU, GB) of every task size Fargate supports (Amazon ECS Developer Guide, "Task CPU and
    memory"), as awsx lists them."""
    sizes = [(0.25, m) for m in (0.5, 1.0, 2.0)]
    sizes += [(0.5, float(m)) for m in range(1, 5)]
    sizes += [(1.0, float(m)) for m in range(2, 9)]
    sizes += [(2.0, float(m)) for m in range(4, 17)]
    sizes += [(4.0, float(m)) for m in range(8, 31)]
    sizes += [(8.0, float(m)) for m in range(16, 61)]
    sizes += [(16.0, float(m)) for m in range(32, 121)]
    sizes += [(32.0, m) for m in (60.0, 120.0, 244.0)]
    return sizes


def fargate_task_size(containers: list[dict[str, Any]], c: Context) -> tuple[float, float] | None:
    """The task size awsx gives containers without a task-level cpu/memory: the cheapest Fargate
    size with at least the sum of their cpu units and memory (memoryReservation first)."""
    cpu_units = sum(num(x.get("cpu"), 0.0) or 0.0 for x in containers)
    memory_mb = sum(num(x.get("memoryReservation")) or num(x.get("memory"), 0.0) or 0.0 for x in containers)
    want_vcpu, want_gb = cpu_units / 1024, memory_mb / 1024
    v, g = c.p("fargate.vcpuHour"), c.p("fargate.gbHour")
    fits = [(vcpu, gb) for vcpu, gb in _fargate_sizes() if vcpu >= want_vcpu and gb >= want_gb]
    return min(fits, key=lambda s: s[0] * v + s[1] * g) if fits else None


def _task_vcpu(value: Any) -> float | None:
    """A task's `cpu` as ECS takes it: CPU units ("1024", 1024) or vCPU ("1 vCPU")."""
    if isinstance(value, str) and value.strip().lower().endswith("vcpu"):
        return num(value.strip()[:-4].strip())
    units = num(value)
    return units / 1024 if units is not None else None


def _task_gb(value: Any) -> float | None:
    """A task's `memory` as ECS takes it: MiB ("2048", 2048) or GB ("2 GB")."""
    if isinstance(value, str) and value.strip().lower().endswith("gb"):
        return num(value.strip()[:-2].strip())
    mib = num(value)
    return mib / 1024 if mib is not None else None


def _containers(task: dict[str, Any]) -> list[dict[str, Any]]:
    single = task.get("container")
    many = task.get("containers")
    if isinstance(single, dict):
        return [single]
    if isinstance(many, dict):
        return [x for x in many.values() if isinstance(x, dict)]
    return []


def _fargate_service(r: CapturedResource, c: Context) -> Priced:
    if has_children(r, c):
        return Priced(0.0, _CHILDREN_PRICED)
    task = r.inputs.get("taskDefinitionArgs")
    if not isinstance(task, dict):
        return Priced(0.0, f"{NOT_PRICED}: runs a task definition given by ARN", priced=False)
    given_vcpu, given_gb = _task_vcpu(task.get("cpu")), _task_gb(task.get("memory"))
    if given_vcpu is not None and given_gb is not None:
        vcpu, gb, how = given_vcpu, given_gb, "task size as given"
    else:
        size = fargate_task_size(_containers(task), c)
        if size is None:
            return Priced(0.0, f"{NOT_PRICED}: its containers need more than Fargate's largest task", priced=False)
        # awsx fills in only what the task does not give (fargateTaskDefinition.ts).
        vcpu, gb = given_vcpu or size[0], given_gb or size[1]
        how = "the cheapest Fargate size that fits its containers, as awsx picks"
    tasks = num(r.inputs.get("desiredCount"), 1.0) or 0.0
    arm = str(input_object(task.get("runtimePlatform")).get("cpuArchitecture") or "X86_64") == "ARM64"
    suffix = ".arm" if arm else ""
    v, g = c.p(f"fargate{suffix}.vcpuHour"), c.p(f"fargate{suffix}.gbHour")
    monthly = tasks * (vcpu * v + gb * g) * c.hours
    basis = (
        f"{tasks:g} task(s) on FARGATE{' (ARM)' if arm else ''} x ({vcpu:g} vCPU x {rate(v)} + {gb:g} GB x "
        f"{rate(g)})/h x {c.hours:g} h ({how})"
    )
    if r.inputs.get("assignPublicIp"):
        ip = c.p("publicIpv4.hour")
        monthly += tasks * ip * c.hours
        basis += f" + {tasks:g} public IPv4 x {rate(ip)}/h"
    return Priced(monthly, basis)


def _load_balancer(kind: str) -> Pricer:
    def price(r: CapturedResource, c: Context) -> Priced:
        if has_children(r, c):
            return Priced(0.0, _CHILDREN_PRICED)
        if r.inputs.get("internal") is True:
            return load_balancer_price(kind, 0, "", c)
        given = count(r.inputs.get("subnetIds")) or count(r.inputs.get("subnets"))
        if given:
            where = "one per subnet"
        elif r.inputs.get("subnetIds") is not None or r.inputs.get("subnets") is not None:
            where = "subnets unknown at preview: counted one per AZ of the Region"
        else:
            where = "one per subnet of the default VPC, one per AZ"
        return load_balancer_price(kind, given or len(zones_of(c.region_of(r))), where, c)

    return price


def _vpc(r: CapturedResource, c: Context) -> Priced:
    if has_children(r, c):
        return Priced(0.0, _CHILDREN_PRICED)
    names = r.inputs.get("availabilityZoneNames")
    azs = count(names) or int(num(r.inputs.get("numberOfAvailabilityZones"), 3.0) or 3)
    strategy = str(input_object(r.inputs.get("natGateways")).get("strategy") or "OnePerAz").lower()
    gateways = {"none": 0, "single": 1, "oneperaz": azs}.get(strategy)
    if gateways is None:
        return Priced(0.0, f"{NOT_PRICED}: NAT gateway strategy {strategy!r}", priced=False)
    endpoints = "; endpoints of vpcEndpointSpecs not included" if r.inputs.get("vpcEndpointSpecs") else ""
    if not gateways:
        return Priced(
            0.0, f"free: {azs} AZ(s) without NAT gateways (subnets and route tables have no charge){endpoints}"
        )
    hour, per_gb, gb = c.p("natGateway.hour"), c.p("natGateway.dataGb"), c.a("natDataGbPerGateway")
    ip = c.p("publicIpv4.hour")
    monthly = gateways * ((hour + ip) * c.hours + gb * per_gb)
    return Priced(
        monthly,
        f"{gateways} NAT gateway(s) ({strategy} over {azs} AZs) x (({rate(hour)}/h + public IPv4 {rate(ip)}/h) "
        f"x {c.hours:g} h + {gb:g} GB processed x {rate(per_gb)}/GB){endpoints}",
        assumed=gateways * gb * per_gb,
    )


def _apigateway_rest_api(r: CapturedResource, c: Context) -> Priced:
    if has_children(r, c):
        return Priced(0.0, _CHILDREN_PRICED)
    return rest_api_price(c)


PRICERS: dict[str, Pricer] = {
    "aws-apigateway:index:RestAPI": _apigateway_rest_api,
    "awsx:ecs:FargateService": _fargate_service,
    "awsx:lb:ApplicationLoadBalancer": _load_balancer("application"),
    "awsx:lb:NetworkLoadBalancer": _load_balancer("network"),
    "awsx:ec2:Vpc": _vpc,
}
