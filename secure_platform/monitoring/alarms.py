"""Every CloudWatch alarm of the stack, and its dashboard, from one table of metric definitions (pure).

`alarm_specs(inventory)` turns a description of what the stack has (load balancer, NAT gateways,
database, cache, container platform) into `AlarmSpec`s; `metric_alarm_args` turns one spec into
the arguments of an `aws.cloudwatch.MetricAlarm`, and `dashboard_body` draws the same metrics
(with the alarm thresholds as annotations) so the dashboard can never show something the alarms
do not watch, or the other way round.

This module is the table (thresholds, what the stack has, the alarms for each part); the spec
types and `metric_alarm_args` live in `alarm_spec` and the drawing in `dashboard`, and are
re-exported here so `alarms` stays the one import for the Monitoring component and tests.

Dimension values may be `pulumi.Output`s (the load balancer's ARN suffix) or names that are a
contract with components created later (`Naming.db_identifier`, ...): this module never looks
inside them. Thresholds are the platform's SLOs: 5xx rate and healthy hosts are
critical, p95 latency > 200 ms, CPU > 70 % and memory > 80 % are warnings.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from secure_platform.monitoring.alarm_spec import TIERS as TIERS
from secure_platform.monitoring.alarm_spec import AlarmSpec as AlarmSpec
from secure_platform.monitoring.alarm_spec import AlarmTableError as AlarmTableError
from secure_platform.monitoring.alarm_spec import Dim as Dim
from secure_platform.monitoring.alarm_spec import Metric as Metric
from secure_platform.monitoring.alarm_spec import Tier as Tier
from secure_platform.monitoring.alarm_spec import metric_alarm_args as metric_alarm_args
from secure_platform.monitoring.dashboard import dashboard_body as dashboard_body
from secure_platform.monitoring.dashboard import dashboard_metrics as dashboard_metrics
from secure_platform.monitoring.dashboard import widget as widget

# --- thresholds --------------------------------------------------------------------------------

ERROR_RATE_PERCENT = 5.0
"""5xx responses (load balancer + targets) as a share of requests."""
LATENCY_P95_SECONDS = 0.2
CPU_PERCENT = 70.0
MEMORY_PERCENT = 80.0
DB_CPU_PERCENT = 80.0
DB_FREE_STORAGE_FRACTION = 0.10
"""Storage autoscaling grows the volume below 10 % free; staying there means it hit the ceiling."""
DB_CONNECTIONS_FRACTION = 0.80
CACHE_ENGINE_CPU_PERCENT = 80.0
CACHE_REPLICATION_LAG_SECONDS = 30.0
ANOMALY_BAND_STDDEV = 2.0


# --- what the stack has ------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadBalancerWatch:
    arn_suffix: Dim
    """The `LoadBalancer` dimension (`app/<name>/<id>`)."""
    target_groups: tuple[tuple[str, Dim], ...]
    """Target group name -> its `TargetGroup` dimension (`targetgroup/<name>/<id>`)."""


@dataclass(frozen=True)
class DatabaseWatch:
    identifier: str
    engine: Literal["postgres", "mysql"]
    instance_class: str
    allocated_storage_gb: int


@dataclass(frozen=True)
class CacheWatch:
    member_clusters: tuple[str, ...]
    """`CacheClusterId` of each node; with 2+ nodes the replicas report `ReplicationLag`."""


@dataclass(frozen=True)
class ContainerWatch:
    platform: Literal["ecs", "eks"]
    cluster: str
    service: str | None = None
    """ECS service name (ECS only)."""
    container_insights: bool = False
    """EKS only: the cluster runs the CloudWatch Observability add-on, so `ContainerInsights`
    node metrics exist. ECS services publish CPU and memory to `AWS/ECS` without it."""


@dataclass(frozen=True)
class StackInventory:
    load_balancer: LoadBalancerWatch | None = None
    nat_gateways: tuple[Dim, ...] = ()
    database: DatabaseWatch | None = None
    cache: CacheWatch | None = None
    containers: ContainerWatch | None = None
    anomaly_detection: bool = False
    security_namespace: str | None = None
    """Namespace of the metrics filtered from the trail's log group (`SECURITY_EVENTS`), if any."""
    extra: tuple[AlarmSpec, ...] = field(default_factory=tuple)


# --- security events from CloudTrail (CIS AWS Foundations Benchmark, section "Monitoring") -------


@dataclass(frozen=True)
class SecurityEvent:
    key: str
    tier: Tier
    description: str
    pattern: str
    """CloudWatch Logs filter pattern over CloudTrail's JSON events."""
    threshold: int = 1
    """Events per 5 minutes that raise the alarm."""

    @property
    def metric_name(self) -> str:
        return "".join(part.capitalize() for part in self.key.split("-"))


SECURITY_EVENTS: tuple[SecurityEvent, ...] = (
    SecurityEvent(
        "root-account-usage",
        "critical",
        "The account's root user made an API call",
        '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
    ),
    SecurityEvent(
        "trail-configuration-changed",
        "critical",
        "A CloudTrail trail was created, changed, stopped or deleted",
        "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail)"
        " || ($.eventName = StartLogging) || ($.eventName = StopLogging) }",
    ),
    SecurityEvent(
        "kms-key-disabled-or-deleted",
        "critical",
        "A KMS key was disabled or scheduled for deletion",
        "{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion)) }",
    ),
    SecurityEvent(
        "console-login-without-mfa",
        "warning",
        "Console sign-in without MFA",
        '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes")'
        ' && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
    ),
    SecurityEvent(
        "unauthorized-api-calls",
        "warning",
        "Repeated unauthorized API calls (10 or more in 5 minutes)",
        '{ (($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*"))'
        ' && ($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }',
        threshold=10,
    ),
    SecurityEvent(
        "iam-policy-changed",
        "info",
        "An IAM policy was created, changed, attached or detached (deployments do this too)",
        "{ ($.eventSource = iam.amazonaws.com) && (($.eventName = PutRolePolicy) || ($.eventName = PutUserPolicy)"
        " || ($.eventName = PutGroupPolicy) || ($.eventName = DeleteRolePolicy) || ($.eventName = DeleteUserPolicy)"
        " || ($.eventName = DeleteGroupPolicy) || ($.eventName = CreatePolicy) || ($.eventName = DeletePolicy)"
        " || ($.eventName = CreatePolicyVersion) || ($.eventName = DeletePolicyVersion)"
        " || ($.eventName = AttachRolePolicy) || ($.eventName = DetachRolePolicy) || ($.eventName = AttachUserPolicy)"
        " || ($.eventName = DetachUserPolicy) || ($.eventName = AttachGroupPolicy) || ($.eventName = DetachGroupPolicy)) }",
    ),
)


def _security_alarms(namespace: str) -> list[AlarmSpec]:
    return [
        AlarmSpec(
            key=event.key,
            tier=event.tier,
            section="Security",
            description=event.description,
            comparison="GreaterThanOrEqualToThreshold",
            threshold=float(event.threshold),
            # No data means no such event (the filters publish only on a match).
            metrics=(("m1", Metric(namespace, event.metric_name, (), "Sum", period=300, label="events")),),
            evaluation_periods=1,
            datapoints_to_alarm=1,
            unit="events",
        )
        for event in SECURITY_EVENTS
    ]


# --- the table ---------------------------------------------------------------------------------


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _lb_alarms(lb: LoadBalancerWatch, anomaly: bool) -> list[AlarmSpec]:
    ns, dims = "AWS/ApplicationELB", (("LoadBalancer", lb.arn_suffix),)
    out = [
        AlarmSpec(
            key="alb-5xx-rate",
            tier="critical",
            section="Load balancer",
            description=f"5xx responses (load balancer and targets) above {ERROR_RATE_PERCENT:g} % of requests",
            comparison="GreaterThanThreshold",
            threshold=ERROR_RATE_PERCENT,
            metrics=(
                ("elb5xx", Metric(ns, "HTTPCode_ELB_5XX_Count", dims, "Sum", label="load balancer 5xx")),
                ("target5xx", Metric(ns, "HTTPCode_Target_5XX_Count", dims, "Sum", label="target 5xx")),
                ("requests", Metric(ns, "RequestCount", dims, "Sum", label="requests")),
            ),
            # No requests is no error; FILL because the 5xx metrics are absent when there are none.
            expression="IF(requests > 0, 100 * (FILL(elb5xx, 0) + FILL(target5xx, 0)) / requests, 0)",
            evaluation_periods=5,
            datapoints_to_alarm=3,
            unit="%",
        ),
        AlarmSpec(
            key="alb-p95-latency",
            tier="warning",
            section="Load balancer",
            description=f"p95 target response time above {LATENCY_P95_SECONDS * 1000:g} ms",
            comparison="GreaterThanThreshold",
            threshold=LATENCY_P95_SECONDS,
            metrics=(("m1", Metric(ns, "TargetResponseTime", dims, "p95", label="p95 response time")),),
            evaluation_periods=5,
            datapoints_to_alarm=3,
            unit="s",
        ),
    ]
    for name, tg in lb.target_groups:
        tg_dims = (("TargetGroup", tg), ("LoadBalancer", lb.arn_suffix))
        out.append(
            AlarmSpec(
                key=f"{_slug(name)}-no-healthy-targets",
                tier="critical",
                section="Load balancer",
                description=f"Target group {name} has no healthy target (service down)",
                comparison="LessThanThreshold",
                threshold=1,
                metrics=(("m1", Metric(ns, "HealthyHostCount", tg_dims, "Minimum", label=f"{name} healthy")),),
                evaluation_periods=3,
                datapoints_to_alarm=2,
                # No data from a target group attached to the load balancer means no target at all.
                treat_missing_data="breaching",
                unit="hosts",
            )
        )
    if anomaly:
        out += [
            AlarmSpec(
                key="alb-requests-anomaly",
                tier="info",
                section="Load balancer",
                description="Request count outside its expected band (traffic drop or surge)",
                comparison="LessThanLowerOrGreaterThanUpperThreshold",
                anomaly_band=ANOMALY_BAND_STDDEV,
                metrics=(("m1", Metric(ns, "RequestCount", dims, "Sum", period=300, label="requests")),),
                evaluation_periods=3,
                datapoints_to_alarm=2,
                treat_missing_data="ignore",
                unit="requests",
            ),
            AlarmSpec(
                key="alb-latency-anomaly",
                tier="warning",
                section="Load balancer",
                description="Average response time above its expected band",
                comparison="GreaterThanUpperThreshold",
                anomaly_band=ANOMALY_BAND_STDDEV,
                metrics=(("m1", Metric(ns, "TargetResponseTime", dims, "Average", period=300, label="response time")),),
                evaluation_periods=3,
                datapoints_to_alarm=2,
                treat_missing_data="ignore",
                unit="s",
            ),
        ]
    return out


def _container_alarms(c: ContainerWatch) -> list[AlarmSpec]:
    if c.platform == "ecs":
        if c.service is None:
            raise AlarmTableError("ECS alarms need the service name")
        ns, dims = "AWS/ECS", (("ClusterName", c.cluster), ("ServiceName", c.service))
        cpu, memory, what = "CPUUtilization", "MemoryUtilization", f"ECS service {c.service}"
    elif c.container_insights:
        ns, dims = "ContainerInsights", (("ClusterName", c.cluster),)
        cpu, memory, what = "node_cpu_utilization", "node_memory_utilization", f"EKS cluster {c.cluster} nodes"
    else:
        # Without Container Insights an EKS cluster publishes no CPU or memory metric CloudWatch can
        # name (node group instances are in ASGs named by EKS): the in-cluster Prometheus alerts.
        return []
    return [
        AlarmSpec(
            key="compute-cpu-high",
            tier="warning",
            section="Containers",
            description=f"{what}: CPU above {CPU_PERCENT:g} %",
            comparison="GreaterThanThreshold",
            threshold=CPU_PERCENT,
            metrics=(("m1", Metric(ns, cpu, dims, "Average", period=300, label="CPU %")),),
            unit="%",
        ),
        AlarmSpec(
            key="compute-memory-high",
            tier="warning",
            section="Containers",
            description=f"{what}: memory above {MEMORY_PERCENT:g} %",
            comparison="GreaterThanThreshold",
            threshold=MEMORY_PERCENT,
            metrics=(("m1", Metric(ns, memory, dims, "Average", period=300, label="memory %")),),
            unit="%",
        ),
    ]


# Memory (GiB) of burstable classes; other families scale with vCPUs (GiB per vCPU by family).
_BURSTABLE_GIB = {"nano": 0.5, "micro": 1, "small": 2, "medium": 4, "large": 8, "xlarge": 16, "2xlarge": 32}
_GIB_PER_VCPU = {"m": 4, "r": 8, "x": 16, "z": 8}


def instance_memory_gib(instance_class: str) -> float | None:
    """Memory of an RDS class (`db.t3.micro` -> 1), or None when the family is unknown."""
    m = re.fullmatch(r"db\.([a-z]+)(\d+)[a-z-]*\.(\w+)", instance_class)
    if not m:
        return None
    family, size = m.group(1), m.group(3)
    if family == "t":
        return _BURSTABLE_GIB.get(size)
    per_vcpu = _GIB_PER_VCPU.get(family[0])
    if per_vcpu is None:
        return None
    if size == "large":
        vcpus = 2
    elif size == "xlarge":
        vcpus = 4
    elif (n := re.fullmatch(r"(\d+)xlarge", size)) is not None:
        vcpus = 4 * int(n.group(1))
    else:
        return None
    return float(vcpus * per_vcpu)


CLASS_MEMORY_FRACTION = 0.75
"""DBInstanceClassMemory (what is left after the OS and RDS's own processes) as a share of the
class's memory. The smallest classes keep the smallest share (db.t3.micro: about 78 %, from its
MySQL default of 66 connections), so 75 % keeps the estimate below the engine's real limit."""


def default_max_connections(engine: str, memory_gib: float) -> int:
    """The engine's default `max_connections` in RDS's default parameter groups: PostgreSQL
    LEAST(DBInstanceClassMemory/9531392, 5000), MySQL DBInstanceClassMemory/12582880."""
    memory = memory_gib * 2**30 * CLASS_MEMORY_FRACTION
    if engine == "postgres":
        return int(min(memory / 9531392, 5000))
    return int(memory / 12582880)


def _database_alarms(db: DatabaseWatch) -> list[AlarmSpec]:
    ns, dims = "AWS/RDS", (("DBInstanceIdentifier", db.identifier),)
    free_bytes = db.allocated_storage_gb * 2**30 * DB_FREE_STORAGE_FRACTION
    out = [
        AlarmSpec(
            key="db-cpu-high",
            tier="warning",
            section="Database",
            description=f"Database {db.identifier}: CPU above {DB_CPU_PERCENT:g} %",
            comparison="GreaterThanThreshold",
            threshold=DB_CPU_PERCENT,
            metrics=(("m1", Metric(ns, "CPUUtilization", dims, "Average", period=300, label="CPU %")),),
            unit="%",
        ),
        AlarmSpec(
            key="db-free-storage-low",
            tier="warning",
            section="Database",
            description=(
                f"Database {db.identifier}: free storage below {DB_FREE_STORAGE_FRACTION:.0%} of the initial "
                f"{db.allocated_storage_gb} GiB (storage autoscaling has reached its ceiling or cannot keep up)"
            ),
            comparison="LessThanThreshold",
            threshold=float(math.floor(free_bytes)),
            metrics=(("m1", Metric(ns, "FreeStorageSpace", dims, "Minimum", period=300, label="free bytes")),),
            unit="bytes",
        ),
    ]
    memory = instance_memory_gib(db.instance_class)
    if memory is not None:
        limit = default_max_connections(db.engine, memory)
        out.append(
            AlarmSpec(
                key="db-connections-high",
                tier="warning",
                section="Database",
                description=(
                    f"Database {db.identifier}: connections above {DB_CONNECTIONS_FRACTION:.0%} of the "
                    f"default max_connections of {db.instance_class} (~{limit})"
                ),
                comparison="GreaterThanThreshold",
                threshold=float(math.floor(limit * DB_CONNECTIONS_FRACTION)),
                metrics=(("m1", Metric(ns, "DatabaseConnections", dims, "Maximum", period=300, label="connections")),),
                unit="connections",
            )
        )
    return out


def _cache_alarms(cache: CacheWatch) -> list[AlarmSpec]:
    ns = "AWS/ElastiCache"
    out: list[AlarmSpec] = []
    for node in cache.member_clusters:
        dims = (("CacheClusterId", node),)
        suffix = node.rsplit("-", 1)[-1]
        out += [
            AlarmSpec(
                key=f"cache-{suffix}-engine-cpu-high",
                tier="warning",
                section="Cache",
                description=f"Cache node {node}: Redis engine CPU above {CACHE_ENGINE_CPU_PERCENT:g} %",
                comparison="GreaterThanThreshold",
                threshold=CACHE_ENGINE_CPU_PERCENT,
                metrics=(
                    ("m1", Metric(ns, "EngineCPUUtilization", dims, "Average", period=300, label="engine CPU %")),
                ),
                unit="%",
            ),
            AlarmSpec(
                key=f"cache-{suffix}-evictions",
                tier="warning",
                section="Cache",
                description=f"Cache node {node}: keys evicted for memory for 15 minutes",
                comparison="GreaterThanThreshold",
                threshold=0,
                metrics=(("m1", Metric(ns, "Evictions", dims, "Sum", period=300, label="evictions")),),
                unit="keys",
            ),
        ]
        if len(cache.member_clusters) > 1:
            # Only replicas report it; after a failover the roles swap, so every node is watched.
            out.append(
                AlarmSpec(
                    key=f"cache-{suffix}-replication-lag",
                    tier="warning",
                    section="Cache",
                    description=f"Cache node {node}: replica more than {CACHE_REPLICATION_LAG_SECONDS:g} s behind",
                    comparison="GreaterThanThreshold",
                    threshold=CACHE_REPLICATION_LAG_SECONDS,
                    metrics=(("m1", Metric(ns, "ReplicationLag", dims, "Maximum", label="lag s")),),
                    evaluation_periods=5,
                    datapoints_to_alarm=3,
                    unit="s",
                )
            )
    return out


def _nat_alarms(nat_gateways: Sequence[Dim]) -> list[AlarmSpec]:
    return [
        AlarmSpec(
            key=f"nat-{i}-port-allocation-errors",
            tier="warning",
            section="Network",
            description=f"NAT gateway {i}: connections failing for lack of source ports",
            comparison="GreaterThanThreshold",
            threshold=0,
            metrics=(
                (
                    "m1",
                    Metric("AWS/NATGateway", "ErrorPortAllocation", (("NatGatewayId", nat),), "Sum", label="errors"),
                ),
            ),
            evaluation_periods=3,
            datapoints_to_alarm=2,
            unit="errors",
        )
        for i, nat in enumerate(nat_gateways)
    ]


def alarm_specs(inventory: StackInventory) -> list[AlarmSpec]:
    """Every alarm of the stack, for what it has (nothing is watched that does not exist)."""
    specs: list[AlarmSpec] = []
    if inventory.load_balancer is not None:
        specs += _lb_alarms(inventory.load_balancer, inventory.anomaly_detection)
    if inventory.containers is not None:
        specs += _container_alarms(inventory.containers)
    if inventory.database is not None:
        specs += _database_alarms(inventory.database)
    if inventory.cache is not None:
        specs += _cache_alarms(inventory.cache)
    specs += _nat_alarms(inventory.nat_gateways)
    if inventory.security_namespace is not None:
        specs += _security_alarms(inventory.security_namespace)
    specs += list(inventory.extra)
    keys = [s.key for s in specs]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise AlarmTableError(f"duplicate alarm key(s) {duplicates}")
    return specs
