"""What compute will pull and run: the image tags in ECR, and the quotas the stack needs."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from secure_platform.preflight.model import Context, Result, Status, call
from secure_platform.preflight.stages import step


def ecr_images(ctx: Context) -> list[Result]:
    check = "ecr-images"
    f = ctx.facts
    if not f.image_tag:
        return [Result(check, Status.FAIL, "platform:compute.imageTag is not set", "set the release tag compute runs")]
    out = []
    for service in f.repositories:
        name = f.naming.ecr_repository(service)
        _, code = call(
            ctx,
            check,
            "ecr",
            "describe_images",
            ("RepositoryNotFoundException", "ImageNotFoundException"),
            repositoryName=name,
            imageIds=[{"imageTag": f.image_tag}],
        )
        if code == "RepositoryNotFoundException":
            status = Status.FAIL if ctx.require_images else Status.WARN
            out.append(
                Result(
                    check,
                    status,
                    f"repository {name} does not exist yet",
                    f"create it (ECR stage: {step('ecr').for_stack(f.stack)}), then make images STACK={f.stack}",
                )
            )
        elif code == "ImageNotFoundException":
            out.append(
                Result(
                    check,
                    Status.FAIL,
                    f"{name}:{f.image_tag} is not in ECR: compute would wait on a pull that cannot succeed",
                    f"make images STACK={f.stack} (or push release {f.image_tag} of {service})",
                )
            )
        else:
            out.append(Result(check, Status.PASS, f"{name}:{f.image_tag} is in ECR"))
    return out


# --- quotas -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quota:
    service_code: str
    quota_code: str
    name: str


# Codes as Service Quotas names them (`aws service-quotas list-service-quotas --service-code ...`);
# L-1216C47A with its AWS/Usage metric is the example in the AWS CLI's Service Quotas reference
# (https://docs.aws.amazon.com/cli/latest/userguide/cli_service-quotas_code_examples.html); the VPC
# ones are listed in https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html; Fargate's in
# https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html.
ELASTIC_IPS = Quota("ec2", "L-0263D0A3", "EC2-VPC Elastic IPs")
NAT_PER_AZ = Quota("vpc", "L-FE5A380F", "NAT gateways per Availability Zone")
VPCS = Quota("vpc", "L-F678F1CE", "VPCs per Region")
EC2_ON_DEMAND = Quota("ec2", "L-1216C47A", "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances (vCPUs)")
EC2_SPOT = Quota("ec2", "L-34B43A08", "All Standard (A, C, D, H, I, M, R, T, Z) Spot Instance Requests (vCPUs)")
FARGATE_ON_DEMAND = Quota("fargate", "L-3032A538", "Fargate On-Demand vCPU resource count")
FARGATE_SPOT = Quota("fargate", "L-36FBB829", "Fargate Spot vCPU resource count")


def _quota(ctx: Context, check: str, quota: Quota) -> dict[str, Any]:
    """The applied quota, else its default (GetServiceQuota has no value for quotas never changed)."""
    kwargs = {"ServiceCode": quota.service_code, "QuotaCode": quota.quota_code}
    response, code = call(ctx, check, "service-quotas", "get_service_quota", ("NoSuchResourceException",), **kwargs)
    if code:
        response, _ = call(ctx, check, "service-quotas", "get_aws_default_service_quota", **kwargs)
    return response["Quota"]


def _pages(ctx: Context, check: str, service: str, operation: str, key: str, **kwargs: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        response, _ = call(ctx, check, service, operation, **kwargs, **({"NextToken": token} if token else {}))
        items += response.get(key, [])
        token = response.get("NextToken")
        if not token:
            return items


def _ours(ctx: Context, item: dict[str, Any]) -> bool:
    """Already this stack's (its provider's default tags), so not a new need."""
    tags = {t.get("Key"): t.get("Value") for t in item.get("Tags", [])}
    return tags.get("Project") == ctx.facts.project and tags.get("Environment") == ctx.facts.environment


def _verdict(check: str, quota: Quota, value: float, used: float | None, need: float, why: str) -> Result:
    increase = (
        f"aws service-quotas request-service-quota-increase --service-code {quota.service_code} "
        f"--quota-code {quota.quota_code} --desired-value {math.ceil((used or 0) + need)}"
    )
    label = f"{quota.name} ({quota.quota_code})"
    if used is None:
        if need > value:
            return Result(check, Status.FAIL, f"{label}: need {need:g} ({why}) > quota {value:g}", increase)
        return Result(
            check,
            Status.WARN,
            f"{label}: need {need:g} ({why}) of quota {value:g}; current usage unknown (no usage metric)",
            f"compare with the Service Quotas console; if short: {increase}",
        )
    if used + need > value:
        return Result(
            check, Status.FAIL, f"{label}: {used:g} used + {need:g} needed ({why}) > quota {value:g}", increase
        )
    return Result(check, Status.PASS, f"{label}: {used:g} used + {need:g} needed ({why}) <= quota {value:g}")


def _nat_count(ctx: Context) -> int:
    return {"perAz": ctx.facts.az_count, "single": 1}.get(ctx.facts.nat_gateways, 0)


def _usage_from_metric(ctx: Context, check: str, quota: dict[str, Any]) -> float | None:
    """Current usage from the quota's own CloudWatch usage metric (AWS/Usage, maximum of the last
    hour); None when the quota names no metric. No datapoint in the hour means none in use."""
    metric = quota.get("UsageMetric") or {}
    if not metric.get("MetricName"):
        return None
    now = datetime.now(UTC)
    response, _ = call(
        ctx,
        check,
        "cloudwatch",
        "get_metric_statistics",
        Namespace=metric["MetricNamespace"],
        MetricName=metric["MetricName"],
        Dimensions=[{"Name": k, "Value": v} for k, v in sorted((metric.get("MetricDimensions") or {}).items())],
        StartTime=now - timedelta(hours=1),
        EndTime=now,
        Period=300,
        Statistics=["Maximum"],
    )
    points = [p["Maximum"] for p in response.get("Datapoints", []) if "Maximum" in p]
    return max(points) if points else 0.0


def quotas(ctx: Context) -> list[Result]:
    check = "quotas"
    f = ctx.facts
    out: list[Result] = []
    nats = _nat_count(ctx)

    addresses = call(ctx, check, "ec2", "describe_addresses")[0].get("Addresses", [])
    ours = sum(1 for a in addresses if _ours(ctx, a))
    value = float(_quota(ctx, check, ELASTIC_IPS)["Value"])
    out.append(_verdict(check, ELASTIC_IPS, value, len(addresses) - ours, max(nats - ours, 0), f"{nats} NAT gateways"))

    vpcs = _pages(ctx, check, "ec2", "describe_vpcs", "Vpcs")
    have_vpc = any(_ours(ctx, v) for v in vpcs)
    value = float(_quota(ctx, check, VPCS)["Value"])
    out.append(_verdict(check, VPCS, value, len(vpcs) - int(have_vpc), 0 if have_vpc else 1, "the stack's VPC"))

    if nats:
        gateways = _pages(
            ctx,
            check,
            "ec2",
            "describe_nat_gateways",
            "NatGateways",
            Filter=[{"Name": "state", "Values": ["pending", "available", "deleting"]}],
        )
        others = [g for g in gateways if not _ours(ctx, g)]
        subnet_ids = sorted({g["SubnetId"] for g in others})
        per_az: dict[str, int] = {}
        if subnet_ids:
            subnets = _pages(ctx, check, "ec2", "describe_subnets", "Subnets", SubnetIds=subnet_ids)
            az_of = {s["SubnetId"]: s["AvailabilityZone"] for s in subnets}
            for g in others:
                az = az_of.get(g["SubnetId"], "?")
                per_az[az] = per_az.get(az, 0) + 1
        busiest = max(per_az.values(), default=0)
        value = float(_quota(ctx, check, NAT_PER_AZ)["Value"])
        out.append(_verdict(check, NAT_PER_AZ, value, busiest, 1, "one per AZ, against the busiest AZ"))

    needs = f.needs
    if f.eks:
        types = sorted({t for t, _ in needs.on_demand_vcpus_by_type})
        per_type: dict[str, int] = {}
        if types:
            described = call(ctx, check, "ec2", "describe_instance_types", InstanceTypes=types)[0]
            per_type = {
                t["InstanceType"]: int(t["VCpuInfo"]["DefaultVCpus"]) for t in described.get("InstanceTypes", [])
            }
        nodes = max((n for _, n in needs.on_demand_vcpus_by_type), default=0)
        largest = max((per_type.get(t, 0) for t in types), default=0)
        specs = [
            (EC2_ON_DEMAND, float(nodes * largest), f"{nodes} system nodes x {largest} vCPUs"),
            (EC2_SPOT, needs.spot_vcpus, "spot node group at maxSize x vcpus.max"),
        ]
    else:
        specs = [
            (FARGATE_ON_DEMAND, needs.fargate_on_demand_vcpus, "maxTasks on FARGATE by the capacity strategy"),
            (FARGATE_SPOT, needs.fargate_spot_vcpus, "maxTasks on FARGATE_SPOT by the capacity strategy"),
        ]
    for quota, need, why in specs:
        applied = _quota(ctx, check, quota)
        out.append(_verdict(check, quota, float(applied["Value"]), _usage_from_metric(ctx, check, applied), need, why))
    return out


CHECKS: dict[str, Callable[[Context], list[Result]]] = {"ecr-images": ecr_images, "quotas": quotas}
