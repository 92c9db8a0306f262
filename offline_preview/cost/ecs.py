"""Pricers for ECS: services on Fargate (capacity provider split, autoscaling floors, schedules)
and clusters."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from ..capture import CapturedResource
from .context import NOT_PRICED, Context, Priced, Pricer, num, rate
from .kubernetes import container_insights


def split_tasks(count: float, strategy: list[tuple[str, float, float]]) -> dict[str, float]:
    """Expected tasks per capacity provider, as ECS places them: each provider's `base` first (in
    order), the rest in proportion to `weight`."""
    out: dict[str, float] = defaultdict(float)
    remaining = count
    for provider, _weight, base in strategy:
        take = min(base, remaining)
        out[provider] += take
        remaining -= take
    total = sum(weight for _p, weight, _b in strategy)
    if remaining > 0 and strategy:
        if total <= 0:
            out[strategy[0][0]] += remaining
        else:
            for provider, weight, _base in strategy:
                out[provider] += remaining * weight / total
    return dict(out)


_CRON = re.compile(r"^cron\((\S+) (\S+) (\S+) (\S+) (\S+)(?: (\S+))?\)$")


_DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]


def _cron_days(field: str) -> int | None:
    if field in ("*", "?"):
        return 7
    total = 0
    for part in field.upper().split(","):
        if "-" in part:
            start, end = part.split("-", 1)
            if start not in _DAYS or end not in _DAYS:
                return None
            span = (_DAYS.index(end) - _DAYS.index(start)) % 7 + 1
            total += span
        elif part in _DAYS or part.isdigit():
            total += 1
        else:
            return None
    return total


def parse_cron(expression: str) -> tuple[float, int] | None:
    """`cron(M H ? * DAYS *)` of Application Auto Scaling -> (hour of day, days per week)."""
    m = _CRON.match(expression.strip())
    if not m:
        return None
    minute, hour, _dom, _month, dow = m.group(1), m.group(2), m.group(3), m.group(4), m.group(5)
    if not (minute.isdigit() and hour.isdigit()):
        return None
    days = _cron_days(dow)
    if days is None:
        return None
    return int(hour) + int(minute) / 60, days


def scheduled_floor(base_min: float, actions: list[tuple[str, float]]) -> tuple[float, str] | None:
    """Time-weighted task floor from a raise/lower pair of scheduled actions (schedule, minCapacity).

    With a weekday business-hours window (e.g. up at 07:30, down at 20:00, MON-FRI), the floor is the
    business-hours minimum for that share of the week and `base_min` otherwise.
    """
    parsed = [(parse_cron(s), m) for s, m in actions]
    if len(parsed) != 2 or any(p is None for p, _ in parsed):
        return None
    (up, up_min), (down, _down_min) = sorted(parsed, key=lambda x: -x[1])
    assert up is not None and down is not None
    if up[1] != down[1]:
        return None
    hours_per_day = (down[0] - up[0]) % 24
    share = hours_per_day * up[1] / (24 * 7)
    floor = base_min + share * max(up_min - base_min, 0)
    return floor, f"scheduled floor {up_min:g} for {hours_per_day:g} h x {up[1]} days/week ({share:.0%} of the time)"


def _ecs_service(r: CapturedResource, c: Context) -> Priced:
    task = next(
        (d for d in c.deps_of(r, "taskDefinition") if d.type == "aws:ecs/taskDefinition:TaskDefinition"), None
    ) or _find_by_output(c, "aws:ecs/taskDefinition:TaskDefinition", r.inputs.get("taskDefinition"))
    if task is None:
        return Priced(0.0, f"{NOT_PRICED}: its task definition is not in the capture", priced=False)
    cpu = num(task.inputs.get("cpu"))
    memory = num(task.inputs.get("memory"))
    strategy = _capacity_strategy(r, c)
    if not strategy:
        launch = str(r.inputs.get("launchType") or "EC2")
        if launch == "FARGATE":
            strategy = [("FARGATE", 1.0, 0.0)]
        else:
            return Priced(0.0, f"free here: {launch} launch type runs on instances priced on their own")
    if cpu is None or memory is None:
        return Priced(0.0, f"{NOT_PRICED}: task definition without cpu/memory", priced=False)

    count, count_basis = _task_count(r, c)
    split = split_tasks(count, strategy)
    arm = str((task.inputs.get("runtimePlatform") or {}).get("cpuArchitecture") or "X86_64") == "ARM64"
    suffix = ".arm" if arm else ""
    vcpu, gib = cpu / 1024, memory / 1024
    monthly, parts = 0.0, []
    for provider, tasks in sorted(split.items()):
        if provider == "FARGATE":
            v, g = c.p(f"fargate{suffix}.vcpuHour"), c.p(f"fargate{suffix}.gbHour")
        elif provider == "FARGATE_SPOT":
            v, g = c.p(f"fargateSpot{suffix}.vcpuHour"), c.p(f"fargateSpot{suffix}.gbHour")
        else:
            parts.append(f"{tasks:g} on {provider} (priced on its instances)")
            continue
        per_task = vcpu * v + gib * g
        monthly += tasks * per_task * c.hours
        parts.append(f"{tasks:.2f} on {provider} x ({vcpu:g} vCPU x {rate(v)} + {gib:g} GB x {rate(g)})/h")
    public = (r.inputs.get("networkConfiguration") or {}).get("assignPublicIp")
    basis = f"{count_basis}; " + " + ".join(parts) + f" x {c.hours:g} h"
    if public:
        ip = c.p("publicIpv4.hour")
        monthly += count * ip * c.hours
        basis += f"; + {count:g} public IPv4 x {rate(ip)}/h"
    return Priced(monthly, basis + (" (Linux/ARM)" if arm else ""))


def _find_by_output(c: Context, type_: str, value: Any) -> CapturedResource | None:
    if not isinstance(value, str) or not value:
        return None
    for r in c.capture.of_type(type_):
        if value in (r.id, r.outputs.get("arn"), r.outputs.get("arnWithoutRevision")):
            return r
    return None


def _capacity_strategy(r: CapturedResource, c: Context) -> list[tuple[str, float, float]]:
    items = r.inputs.get("capacityProviderStrategies")
    if not items and not r.inputs.get("launchType"):
        for cluster in c.deps_of(r, "cluster"):
            for cp in c.dependants(cluster.urn):
                if cp.type == "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders":
                    items = cp.inputs.get("defaultCapacityProviderStrategies")
                    break
    return [
        (str(i.get("capacityProvider")), num(i.get("weight"), 0.0) or 0.0, num(i.get("base"), 0.0) or 0.0)
        for i in items or []
        if isinstance(i, dict)
    ]


def _task_count(r: CapturedResource, c: Context) -> tuple[float, str]:
    desired = num(r.inputs.get("desiredCount"), 0.0) or 0.0
    target = next(
        (
            d
            for d in c.dependants(r.urn)
            if d.type == "aws:appautoscaling/target:Target"
            and d.inputs.get("scalableDimension") == "ecs:service:DesiredCount"
        ),
        None,
    )
    if target is None:
        return desired, f"{desired:g} tasks (desiredCount)"
    base_min = num(target.inputs.get("minCapacity"), 0.0) or 0.0
    count = max(desired, base_min)
    basis = f"{count:g} tasks (autoscaling minimum {base_min:g}, desiredCount {desired:g})"
    actions = [
        (str(a.inputs.get("schedule", "")), num((a.inputs.get("scalableTargetAction") or {}).get("minCapacity"), 0.0))
        for a in c.dependants(target.urn)
        if a.type == "aws:appautoscaling/scheduledAction:ScheduledAction"
    ]
    if actions:
        floor = scheduled_floor(base_min, [(s, m or 0.0) for s, m in actions])
        if floor is not None and floor[0] > count:
            count = floor[0]
            basis = f"{count:.2f} tasks on average (autoscaling minimum {base_min:g}; {floor[1]})"
    return count, basis


def _ecs_cluster(r: CapturedResource, c: Context) -> Priced:
    settings = {s.get("name"): s.get("value") for s in r.inputs.get("settings") or [] if isinstance(s, dict)}
    if settings.get("containerInsights") in ("enabled", "enhanced"):
        return container_insights("the cluster has no charge (tasks are priced on the service)")
    return Priced(0.0, "free: ECS clusters have no charge (tasks are priced on the service)")


PRICERS: dict[str, Pricer] = {
    "aws:ecs/service:Service": _ecs_service,
    "aws:ecs/cluster:Cluster": _ecs_cluster,
}
