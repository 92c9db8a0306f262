"""The ECS Fargate platform of `Compute`: cluster, task definition, service, autoscaling, grants.

`build(compute, args)` turns the pure plans (`task_plan`, `scaling_plan`) into resources parented
to the `Compute` component and returns typed handles. Decisions worth knowing:

* Capacity: FARGATE + FARGATE_SPOT with base/weights from config, on the cluster (default strategy)
  and on the service itself, so what runs where is explicit in the service's inputs.
* Deployments: rolling, 100 % minimum healthy / 200 % maximum, circuit breaker with rollback,
  `desiredCount` owned by Application Auto Scaling (`ignore_changes`), task definitions kept on
  replacement so a rollback target always exists.
* ECS Exec: enabled on the service; the cluster encrypts sessions with the logs key and streams
  them to Security's encrypted session log group, where Security already lets the task role write
  (with the `ssmmessages` channels and the key use the session needs).
* Container Insights (enhanced): its AWS-named performance log group is created here first, with
  the logs key and the stack's retention, so AWS does not create an unencrypted one.
* Grants (CDK style, `refs.grant_*`): the execution role pulls exactly our three repositories,
  writes exactly the application log group and reads exactly the secrets the task injects; the
  task role sends traces to X-Ray, writes EMF metrics to the application log group and reads and
  writes the assets bucket.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pulumi
import pulumi_aws as aws

from secure_platform.compute.ecs import scaling_plan, task_plan
from secure_platform.compute.errors import ComputeError
from secure_platform.core import iam
from secure_platform.core.options import child
from secure_platform.core.refs import LogGroupRef, RoleRef, grant, grant_pull
from secure_platform.networking import alb_plan

if TYPE_CHECKING:
    from secure_platform.compute.component import ComputeArgs

FARGATE_PLATFORM_VERSION = "1.4.0"
HEALTH_CHECK_GRACE_PERIOD_SECONDS = 120
"""Node start (health start period 30 s), then nginx (it waits for a healthy API), then two passing
ALB checks 15 s apart."""
DEPLOYMENT_MINIMUM_HEALTHY_PERCENT = 100
DEPLOYMENT_MAXIMUM_PERCENT = 200
SCALABLE_DIMENSION = "ecs:service:DesiredCount"


@dataclass(frozen=True, eq=False)
class EcsOutputs:
    cluster_name: pulumi.Output[str]
    cluster_arn: pulumi.Output[str]
    service_name: pulumi.Output[str]
    service_arn: pulumi.Output[str]
    task_definition_arn: pulumi.Output[str]
    task_family: str
    container_insights_log_group: LogGroupRef
    scaling: scaling_plan.ScalingPlan


@dataclass(frozen=True)
class CapacityShare:
    provider: str
    base: int
    weight: int


def capacity_strategy(args: ComputeArgs) -> list[CapacityShare]:
    """FARGATE carries the on-demand base; beyond it, tasks split by weight (dev: mostly spot)."""
    ecs = args.config.ecs
    strategy = [
        CapacityShare("FARGATE", ecs.on_demand_base, ecs.on_demand_weight),
        CapacityShare("FARGATE_SPOT", 0, ecs.spot_weight),
    ]
    if not any(s.weight for s in strategy):
        raise ComputeError(
            "platform:compute.ecs.spotWeight", ecs.spot_weight, "spotWeight and onDemandWeight cannot both be 0"
        )
    return [s for s in strategy if s.weight or s.base]


def _roles(args: ComputeArgs) -> tuple[RoleRef, RoleRef]:
    execution, task = args.roles.ecs_task_execution, args.roles.ecs_task
    if execution is None or task is None:
        raise ComputeError(
            "platform:compute.platform",
            "ecs",
            "needs Security's ECS task and execution roles, but Security was built for another platform; "
            "build Security and Compute from the same stack config",
        )
    return execution, task


def build(compute: pulumi.ComponentResource, args: ComputeArgs) -> EcsOutputs:
    naming, cfg = args.naming, args.config
    region = naming.region
    execution_role, task_role = _roles(args)
    sizes = task_plan.split_task(cfg.ecs.cpu, cfg.ecs.memory)
    scaling = scaling_plan.plan_scaling(cfg.ecs, cfg.timezone, prefix=naming.ecs_service)
    strategy = capacity_strategy(args)
    missing = [c for c in task_plan.CONTAINER_NAMES if c not in args.repositories]
    if missing:
        raise ComputeError(
            "platform:ecr.repositories",
            sorted(args.repositories),
            f"has no repository for {missing}; the ECS task runs {list(task_plan.CONTAINER_NAMES)}",
        )
    targets = {t.name: t for t in alb_plan.TARGETS}
    unknown = sorted(set(targets) - set(args.target_groups))
    if unknown:
        raise ComputeError(
            "target_groups", sorted(args.target_groups), f"lacks {unknown}: every alb_plan target needs a target group"
        )
    for name, tg in args.target_groups.items():
        if name in targets and tg.port != targets[name].port:
            raise ComputeError(
                f"target_groups.{name}.port", tg.port, f"must be {targets[name].port}, the port alb_plan gives {name}"
            )

    # --- cluster -------------------------------------------------------------------------------
    insights_group = aws.cloudwatch.LogGroup(
        "container-insights",
        name=f"/aws/ecs/containerinsights/{naming.ecs_cluster}/performance",
        retention_in_days=args.log_retention_days,
        kms_key_id=args.keys.logs.arn,
        deletion_protection_enabled=args.protect,
        opts=child(compute),
    )
    cluster = aws.ecs.Cluster(
        "cluster",
        name=naming.ecs_cluster,
        settings=[{"name": "containerInsights", "value": "enhanced"}],
        configuration={
            "execute_command_configuration": {
                "kms_key_id": args.keys.logs.arn,
                "logging": "OVERRIDE",
                "log_configuration": {
                    "cloud_watch_log_group_name": args.session_log_group.name,
                    "cloud_watch_encryption_enabled": True,
                },
            }
        },
        # Container Insights writes to the group as soon as tasks run: it must exist, encrypted, first.
        opts=child(compute, depends_on=[insights_group]),
    )
    capacity = aws.ecs.ClusterCapacityProviders(
        "capacity-providers",
        cluster_name=cluster.name,
        capacity_providers=["FARGATE", "FARGATE_SPOT"],
        default_capacity_provider_strategies=[
            aws.ecs.ClusterCapacityProvidersDefaultCapacityProviderStrategyArgs(
                capacity_provider=s.provider, base=s.base, weight=s.weight
            )
            for s in strategy
        ],
        opts=child(compute),
    )

    # --- grants --------------------------------------------------------------------------------
    repos = [args.repositories[c] for c in task_plan.CONTAINER_NAMES]
    execution_grants = [
        grant_pull(compute, "execution-pull-images", execution_role, repos),
        args.application_log_group.grant_write(compute, "execution-write-logs", execution_role),
        args.database.master_secret.grant_read(compute, "execution-read-db-secret", execution_role),
    ]
    if args.cache is not None and args.cache.auth_secret is not None:
        execution_grants.append(
            args.cache.auth_secret.grant_read(compute, "execution-read-cache-secret", execution_role)
        )
    task_grants = [
        grant(compute, "task-send-traces", task_role, [iam.xray_write()]),
        # The collector's EMF exporter writes metrics as log events to the application log group.
        args.application_log_group.grant_write(compute, "task-write-metrics", task_role),
    ]
    if args.assets_bucket is not None:
        task_grants += [
            args.assets_bucket.grant_read(compute, "task-read-assets", task_role),
            args.assets_bucket.grant_write(compute, "task-write-assets", task_role),
        ]

    # --- task definition -----------------------------------------------------------------------
    database, cache = args.database, args.cache
    resolved = pulumi.Output.all(
        args.application_log_group.name,
        database.address,
        database.port,
        database.master_secret.arn,
        cache.address if cache is not None else "",
        cache.auth_secret.arn if cache is not None and cache.auth_secret is not None else "",
        args.assets_bucket.name if args.assets_bucket is not None else "",
        *[args.repositories[c].url for c in task_plan.CONTAINER_NAMES],
    )

    def definitions(values: list[Any]) -> str:
        log_group, db_host, db_port, db_secret, cache_host, cache_secret, bucket, *urls = values
        inputs = task_plan.TaskInputs(
            region=region,
            environment=args.environment,
            project=naming.project,
            image_tag=cfg.image_tag,
            repository_urls=dict(zip(task_plan.CONTAINER_NAMES, (str(u) for u in urls), strict=True)),
            log_group=str(log_group),
            database=task_plan.DatabaseSettings(
                host=str(db_host),
                port=int(db_port),
                name=database.database_name,
                engine=database.engine,
                secret_arn=str(db_secret),
            ),
            cache=task_plan.CacheSettings(str(cache_host), cache.port, str(cache_secret) or None)
            if cache is not None
            else None,
            assets_bucket=str(bucket) or None,
            sizes=sizes,
            metrics_namespace=metrics_namespace(args),
        )
        return task_plan.container_definitions_json(inputs)

    family = naming.ecs_service
    task_definition = aws.ecs.TaskDefinition(
        "task",
        family=family,
        requires_compatibilities=["FARGATE"],
        network_mode="awsvpc",
        cpu=str(cfg.ecs.cpu),
        memory=str(cfg.ecs.memory),
        runtime_platform={"operating_system_family": "LINUX", "cpu_architecture": "X86_64"},
        execution_role_arn=execution_role.arn,
        task_role_arn=task_role.arn,
        container_definitions=resolved.apply(definitions),
        volumes=[{"name": v} for v in task_plan.task_volumes()],
        # Keep superseded revisions registered: the circuit breaker rolls back to the last one.
        skip_destroy=True,
        opts=child(compute),
    )

    # --- service -------------------------------------------------------------------------------
    load_balancers = [
        aws.ecs.ServiceLoadBalancerArgs(
            target_group_arn=args.target_groups[name].arn, container_name=name, container_port=spec.port
        )
        for name, spec in sorted(targets.items())
    ]
    service = aws.ecs.Service(
        "service",
        name=naming.ecs_service,
        cluster=cluster.arn,
        task_definition=task_definition.arn,
        desired_count=scaling.initial_tasks,
        capacity_provider_strategies=[
            aws.ecs.ServiceCapacityProviderStrategyArgs(capacity_provider=s.provider, base=s.base, weight=s.weight)
            for s in strategy
        ],
        platform_version=FARGATE_PLATFORM_VERSION,
        network_configuration={
            "subnets": list(args.private_subnet_ids),
            "security_groups": [args.app_security_group_id],
            "assign_public_ip": False,
        },
        load_balancers=load_balancers,
        health_check_grace_period_seconds=HEALTH_CHECK_GRACE_PERIOD_SECONDS,
        deployment_controller={"type": "ECS"},
        deployment_configuration={"strategy": "ROLLING"},
        deployment_circuit_breaker={"enable": True, "rollback": True},
        deployment_minimum_healthy_percent=DEPLOYMENT_MINIMUM_HEALTHY_PERCENT,
        deployment_maximum_percent=DEPLOYMENT_MAXIMUM_PERCENT,
        # Spot interruptions and AZ outages leave the fleet lopsided; ECS moves tasks back.
        availability_zone_rebalancing="ENABLED",
        enable_execute_command=True,
        enable_ecs_managed_tags=True,
        propagate_tags="SERVICE",
        # Tasks pull images, read secrets and log from the start: the grants must exist before the first.
        opts=child(
            compute,
            depends_on=[capacity, *execution_grants, *task_grants],
            ignore_changes=["desiredCount"],
        ),
    )

    # --- autoscaling ---------------------------------------------------------------------------
    _autoscaling(compute, args, scaling, cluster, service)

    return EcsOutputs(
        cluster_name=cluster.name,
        cluster_arn=cluster.arn,
        service_name=service.name,
        service_arn=service.arn,
        task_definition_arn=task_definition.arn,
        task_family=family,
        container_insights_log_group=LogGroupRef(name=insights_group.name, arn=insights_group.arn),
        scaling=scaling,
    )


def metrics_namespace(args: ComputeArgs) -> str:
    """CloudWatch namespace of the application's own (OTLP) metrics."""
    return f"{args.naming.prefix}/app"


def _autoscaling(
    compute: pulumi.ComponentResource,
    args: ComputeArgs,
    plan: scaling_plan.ScalingPlan,
    cluster: aws.ecs.Cluster,
    service: aws.ecs.Service,
) -> None:
    prefix = args.naming.ecs_service
    target = aws.appautoscaling.Target(
        "scaling-target",
        service_namespace="ecs",
        scalable_dimension=SCALABLE_DIMENSION,
        resource_id=pulumi.Output.concat("service/", cluster.name, "/", service.name),
        min_capacity=plan.min_tasks,
        max_capacity=plan.max_tasks,
        # The schedule moves minCapacity during the day; a `pulumi up` at 10:00 must not drop the
        # business-hours floor until tomorrow. A changed minTasks applies at the next scale-down.
        opts=child(compute, ignore_changes=["minCapacity"] if plan.schedule else None),
    )
    namespace, dimension, resource_id = target.service_namespace, target.scalable_dimension, target.resource_id
    for tracking in plan.target_tracking:
        aws.appautoscaling.Policy(
            f"scale-out-{tracking.name}",
            name=f"{prefix}-{tracking.name}-target-{tracking.target_percent:g}",
            policy_type="TargetTrackingScaling",
            target_tracking_scaling_policy_configuration={
                "target_value": tracking.target_percent,
                "predefined_metric_specification": {"predefined_metric_type": tracking.predefined_metric},
                "scale_out_cooldown": tracking.scale_out_cooldown_seconds,
                "disable_scale_in": tracking.disable_scale_in,
            },
            service_namespace=namespace,
            scalable_dimension=dimension,
            resource_id=resource_id,
            opts=child(compute),
        )

    rule = plan.scale_in
    scale_in = aws.appautoscaling.Policy(
        "scale-in",
        name=f"{prefix}-scale-in",
        policy_type="StepScaling",
        step_scaling_policy_configuration={
            "adjustment_type": "ChangeInCapacity",
            "cooldown": rule.cooldown_seconds,
            "metric_aggregation_type": "Maximum",
            "step_adjustments": [{"metric_interval_lower_bound": "0", "scaling_adjustment": rule.step}],
        },
        service_namespace=namespace,
        scalable_dimension=dimension,
        resource_id=resource_id,
        opts=child(compute),
    )
    dimensions = {"ClusterName": cluster.name, "ServiceName": service.name}
    aws.cloudwatch.MetricAlarm(
        "scale-in",
        name=f"{prefix}-scale-in",
        alarm_description=(
            f"Remove one task while CPU < {rule.cpu_below_percent:g} % and memory < {rule.memory_below_percent:g} % "
            f"for {rule.evaluation_minutes} min (scale-out is target tracking at "
            f"{scaling_plan.CPU_TARGET_PERCENT:g} % / {scaling_plan.MEMORY_TARGET_PERCENT:g} %)"
        ),
        comparison_operator="GreaterThanOrEqualToThreshold",
        threshold=1,
        evaluation_periods=rule.evaluation_minutes,
        datapoints_to_alarm=rule.evaluation_minutes,
        treat_missing_data="notBreaching",
        metric_queries=[
            {
                "id": "cpu",
                "return_data": False,
                "metric": {
                    "namespace": "AWS/ECS",
                    "metric_name": "CPUUtilization",
                    "dimensions": dimensions,
                    "period": 60,
                    "stat": "Average",
                },
            },
            {
                "id": "memory",
                "return_data": False,
                "metric": {
                    "namespace": "AWS/ECS",
                    "metric_name": "MemoryUtilization",
                    "dimensions": dimensions,
                    "period": 60,
                    "stat": "Average",
                },
            },
            {"id": "idle", "expression": rule.expression(), "label": "both below scale-in", "return_data": True},
        ],
        alarm_actions=[scale_in.arn],
        opts=child(compute),
    )

    for action in plan.schedule:
        aws.appautoscaling.ScheduledAction(
            action.name.removeprefix(f"{prefix}-"),
            name=action.name,
            schedule=action.cron,
            timezone=action.timezone,
            scalable_target_action={"min_capacity": action.min_capacity},
            service_namespace=namespace,
            scalable_dimension=dimension,
            resource_id=resource_id,
            opts=child(compute),
        )
