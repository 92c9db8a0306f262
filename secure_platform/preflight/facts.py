"""What the preflight needs to know about a stack, read from its stack file (pure).

The stack file is read as the offline preview reads it (`secure_platform.config.stack_files`: the
`config:` section plus the project's defaults, `secure:` values masked) and validated with the
same `parse_config` the program runs. The facts themselves are read from the raw values, with the
model's defaults, so that a stack whose configuration is refused (a placeholder domain, a missing
runner group) still gets every account check: one run names every missing prerequisite.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from secure_platform.compute.ecs.task_plan import CONTAINER_NAMES
from secure_platform.compute.eks.plan import workload_specs
from secure_platform.config import NAMESPACE, CacheConfig, ConfigError, EcrConfig, parse_config
from secure_platform.core.naming import Naming

ROOT = Path(__file__).resolve().parents[2]


class PreflightUsageError(Exception):
    """A mistake in the arguments (unknown stack, unreadable file): exit code 2, no traceback."""


@dataclass(frozen=True)
class NodeNeeds:
    """vCPUs the stack may run at its configured maxima."""

    on_demand_vcpus_by_type: tuple[tuple[str, int], ...] = ()
    """(instance type, nodes) of the on-demand group: the vCPUs per type come from EC2."""
    spot_vcpus: float = 0.0
    fargate_on_demand_vcpus: float = 0.0
    fargate_spot_vcpus: float = 0.0


@dataclass(frozen=True)
class StackFacts:
    stack: str
    project: str
    region: str
    environment: str
    domain_name: str | None
    hosted_zone_id: str | None
    certificate_arn: str | None
    alarm_emails: dict[str, list[str]]
    platform: str
    image_tag: str | None
    repositories: tuple[str, ...]
    endpoint_public_access_cidrs: tuple[str, ...]
    runner_security_group_ids: tuple[str, ...]
    runner_key: str
    """The config key `runner_security_group_ids` came from (named in fixes)."""
    interface_endpoints: tuple[str, ...]
    nat_gateways: str
    az_count: int
    cache_provider: str
    ecr_scanning: str = "basic"
    """`ecr.scanning`: `enhanced` turns on Amazon Inspector with the deploy identity's rights."""
    role_arns: dict[str, list[str]] = field(default_factory=dict)
    """`<key>` -> IAM role ARNs the stack names (placeholder check)."""
    needs: NodeNeeds = NodeNeeds()
    config_problems: tuple[str, ...] = ()

    @property
    def naming(self) -> Naming:
        return Naming(project=self.project, environment=self.environment, region=self.region)

    @property
    def eks(self) -> bool:
        return self.platform == "eks"


def _decode(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _section(raw: Mapping[str, Any], key: str) -> dict[str, Any]:
    return _obj(_decode(raw.get(f"{NAMESPACE}:{key}")))


def _strings(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _number(value: Any, default: float) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else default


def compute_repositories(platform: str, configured: tuple[str, ...]) -> tuple[str, ...]:
    """The ECR repositories whose images compute runs (ECS: the task's containers; EKS: the
    workloads' repositories), in the configured order; only those the stack creates."""
    used = {spec.repository for spec in workload_specs()} if platform == "eks" else set(CONTAINER_NAMES)
    return tuple(r for r in configured if r in used)


def _node_needs(compute: Mapping[str, Any]) -> NodeNeeds:
    if compute.get("platform") == "eks":
        eks = _obj(compute.get("eks"))
        system = _obj(eks.get("systemNodes"))
        spot = _obj(eks.get("spotNodes"))
        vcpus = _obj(spot.get("vcpus"))
        system_max = int(_number(system.get("maxSize"), 0))
        return NodeNeeds(
            on_demand_vcpus_by_type=tuple((t, system_max) for t in _strings(system.get("instanceTypes"))),
            spot_vcpus=_number(spot.get("maxSize"), 0) * _number(vcpus.get("max"), 0),
        )
    ecs = _obj(compute.get("ecs"))
    per_task = _number(ecs.get("cpu"), 0) / 1024
    max_tasks = _number(ecs.get("maxTasks"), 0)
    base = min(_number(ecs.get("onDemandBase"), 0), max_tasks)
    od_weight, spot_weight = _number(ecs.get("onDemandWeight"), 0), _number(ecs.get("spotWeight"), 0)
    beyond = max_tasks - base
    total_weight = od_weight + spot_weight
    # The capacity provider strategy: `base` tasks on FARGATE, the rest split by weight
    # (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html).
    od_tasks = base + (math.ceil(beyond * od_weight / total_weight) if total_weight else 0)
    spot_tasks = math.ceil(beyond * spot_weight / total_weight) if total_weight else 0
    return NodeNeeds(fargate_on_demand_vcpus=od_tasks * per_task, fargate_spot_vcpus=spot_tasks * per_task)


def facts_from_raw(raw: Mapping[str, Any], *, project: str, stack: str) -> StackFacts:
    """Facts from raw config (`namespace:key` -> SDK string), plus the validation problems."""
    problems: tuple[str, ...] = ()
    try:
        parse_config(raw, project=project, stack=stack)
    except ConfigError as exc:
        problems = tuple(str(p) for p in exc.problems)
    network = _section(raw, "network")
    domain = _section(raw, "domain")
    compute = _section(raw, "compute")
    eks = _obj(compute.get("eks"))
    monitoring = _section(raw, "monitoring")
    emails = _obj(monitoring.get("alarmEmails"))
    ecr = _section(raw, "ecr")
    cache = _section(raw, "cache")
    platform = str(compute.get("platform") or "ecs")
    # The runner's groups: the network-wide key when the stack has it (EKS API and interface
    # endpoints), else the EKS API's client groups.
    if "runnerSecurityGroupIds" in network:
        runner_key, runner_groups = "platform:network.runnerSecurityGroupIds", network["runnerSecurityGroupIds"]
    else:
        runner_key, runner_groups = (
            "platform:compute.eks.apiClientSecurityGroupIds",
            eks.get("apiClientSecurityGroupIds"),
        )
    configured_repos = tuple(_strings(ecr.get("repositories"))) or tuple(EcrConfig().repositories)
    tag = compute.get("imageTag")
    return StackFacts(
        stack=stack,
        project=project,
        region=str(raw.get("aws:region") or ""),
        environment=str(_decode(raw.get(f"{NAMESPACE}:environment")) or stack),
        domain_name=str(domain["name"]) if domain.get("name") else None,
        hosted_zone_id=str(domain["hostedZoneId"]) if domain.get("hostedZoneId") else None,
        certificate_arn=str(domain["certificateArn"]) if domain.get("certificateArn") else None,
        alarm_emails={tier: _strings(emails.get(tier)) for tier in ("critical", "warning", "info")},
        platform=platform,
        image_tag=str(tag) if tag is not None else None,
        repositories=compute_repositories(platform, configured_repos),
        endpoint_public_access_cidrs=tuple(_strings(eks.get("endpointPublicAccessCidrs"))),
        runner_security_group_ids=tuple(_strings(runner_groups)),
        runner_key=runner_key,
        interface_endpoints=tuple(_strings(network.get("interfaceEndpoints"))),
        nat_gateways=str(network.get("natGateways") or "none"),
        az_count=int(_number(network.get("azCount"), 0)),
        cache_provider=str(cache.get("provider") or CacheConfig().provider),
        ecr_scanning=str(ecr.get("scanning") or EcrConfig().scanning),
        role_arns={
            "platform:compute.eks.adminRoleArns": _strings(eks.get("adminRoleArns")),
            "platform:compute.eks.readOnlyRoleArns": _strings(eks.get("readOnlyRoleArns")),
        },
        needs=_node_needs(compute),
        config_problems=problems,
    )


def load_facts(stack: str, config_file: Path | None = None, program: Path = ROOT) -> StackFacts:
    """Facts of `stack` from `Pulumi.<stack>.yaml` (or `config_file`) of the program directory."""
    from secure_platform.config.stack_files import UserError, read_project, read_stack_config

    try:
        project = read_project(program)
        # As `pulumi` reads it: never the offline preview's test overrides.
        settings = read_stack_config(project, stack, config_file, env_overrides=False)
    except UserError as exc:
        raise PreflightUsageError(str(exc)) from None
    if not settings.config.get("aws:region") and not any(k.startswith(f"{NAMESPACE}:") for k in settings.config):
        where = config_file or program / f"Pulumi.{stack}.yaml"
        raise PreflightUsageError(f"{where}: no stack configuration (aws:region, {NAMESPACE}:*) found")
    return facts_from_raw(settings.config, project=project.name, stack=stack)
