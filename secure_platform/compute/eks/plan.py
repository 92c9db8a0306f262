"""The EKS platform's decisions as data (pure): namespaces, node groups and their launch
templates, the application workloads and the network flows between them.

`eks.py` only turns these plans into resources; everything a reviewer would argue about (hop
limits, taints, which workload may run on spot, which pod may talk to which) is here, with the
reason next to it, and tested on its own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from secure_platform.compute.eks.network_policy_plan import POD_NAME_LABEL, Cidrs, Flow, Pods
from secure_platform.config import EksConfig, NodeGroupConfig, SpotNodeGroupConfig
from secure_platform.core.naming import Naming
from secure_platform.networking import alb_plan

# --- namespaces ----------------------------------------------------------------------------------

APP_NAMESPACE = "app"
MONITORING_NAMESPACE = "monitoring"
NODE_AGENTS_NAMESPACE = "node-agents"
KUBE_SYSTEM = "kube-system"

PssLevel = Literal["restricted", "baseline", "privileged"]


@dataclass(frozen=True)
class NamespacePlan:
    name: str
    enforce: PssLevel
    purpose: str

    def labels(self) -> dict[str, str]:
        """Pod Security Admission labels; audit and warn stay at `restricted` everywhere, so a
        relaxed namespace still reports every pod that would not pass the strict profile."""
        return {
            "pod-security.kubernetes.io/enforce": self.enforce,
            "pod-security.kubernetes.io/enforce-version": "latest",
            "pod-security.kubernetes.io/audit": "restricted",
            "pod-security.kubernetes.io/warn": "restricted",
        }


NAMESPACES: tuple[NamespacePlan, ...] = (
    NamespacePlan(APP_NAMESPACE, "restricted", "application workloads"),
    NamespacePlan(MONITORING_NAMESPACE, "restricted", "Prometheus, Alertmanager, Grafana, OpenTelemetry collector"),
    # Node agents read the host (Fluent Bit tails /var/log and keeps its offset DB there; the node
    # exporter reads /proc, /sys and shares the host network). No Pod Security level admits that
    # except `privileged`, so they get a namespace of their own instead of relaxing `monitoring`.
    NamespacePlan(
        NODE_AGENTS_NAMESPACE,
        "privileged",
        "node-level agents that read the host: Fluent Bit (/var/log), Prometheus node exporter (/proc, /sys)",
    ),
)

# --- control plane -------------------------------------------------------------------------------

CONTROL_PLANE_LOG_TYPES: tuple[str, ...] = ("api", "audit", "authenticator", "controllerManager", "scheduler")
CLUSTER_ADMIN_ACCESS_POLICY = "AmazonEKSClusterAdminPolicy"


def access_policy_arn(policy: str, partition: str = "aws") -> str:
    return f"arn:{partition}:eks::aws:cluster-access-policy/{policy}"


# Read-only access (CI preview and drift roles): EKS's view policy (Kubernetes `view`: no Secrets,
# no custom resources) plus what a Pulumi preview/refresh of this program reads beyond it: the CRDs
# and custom resources it manages, and Secrets where Helm keeps its releases and where the program
# manages a Secret (in-cluster Redis). Nothing here can write.
CLUSTER_VIEW_ACCESS_POLICY = "AmazonEKSViewPolicy"
READ_ONLY_GROUP = "platform:read-only"
READ_VERBS: tuple[str, ...] = ("get", "list", "watch")
SECRET_READ_NAMESPACES: tuple[str, ...] = (APP_NAMESPACE, KUBE_SYSTEM, MONITORING_NAMESPACE, NODE_AGENTS_NAMESPACE)


def read_only_cluster_rules() -> list[dict[str, list[str]]]:
    verbs = list(READ_VERBS)
    return [
        {"apiGroups": ["apiextensions.k8s.io"], "resources": ["customresourcedefinitions"], "verbs": verbs},
        {
            "apiGroups": ["monitoring.coreos.com"],
            "resources": ["servicemonitors", "podmonitors", "prometheusrules"],
            "verbs": verbs,
        },
        {"apiGroups": ["elbv2.k8s.aws"], "resources": ["targetgroupbindings"], "verbs": verbs},
    ]


def read_only_secret_rules() -> list[dict[str, list[str]]]:
    return [{"apiGroups": [""], "resources": ["secrets"], "verbs": list(READ_VERBS)}]


# --- Container Insights --------------------------------------------------------------------------

# The `amazon-cloudwatch-observability` add-on's agent (DaemonSet `cloudwatch-agent` in namespace
# `amazon-cloudwatch`) publishes the `ContainerInsights` node metrics Monitoring alarms on; EKS
# itself publishes no node CPU or memory metric CloudWatch can name. Container logs stay with our
# Fluent Bit (application log group, our key and retention), so the add-on's own Fluent Bit is off,
# and Application Signals is not enabled (the workloads send traces through the OTel collector).
CONTAINER_INSIGHTS_ADDON = "amazon-cloudwatch-observability"
CONTAINER_INSIGHTS_NAMESPACE = "amazon-cloudwatch"
CONTAINER_INSIGHTS_SERVICE_ACCOUNT = "cloudwatch-agent"
CONTAINER_INSIGHTS_CONFIGURATION: dict[str, object] = {
    "agent": {"config": {"logs": {"metrics_collected": {"kubernetes": {"enhanced_container_insights": True}}}}},
    "containerLogs": {"enabled": False},
}


SYSTEM_LOG_NAMESPACES: tuple[str, ...] = (
    KUBE_SYSTEM,
    MONITORING_NAMESPACE,
    NODE_AGENTS_NAMESPACE,
    CONTAINER_INSIGHTS_NAMESPACE,
)
"""Namespaces of the cluster services whose container logs Fluent Bit ships to the system group."""


def container_insights_log_group(cluster_name: str) -> str:
    """Where the agent writes its embedded-metric performance events (AWS-named)."""
    return f"/aws/containerinsights/{cluster_name}/performance"


# --- nodes ---------------------------------------------------------------------------------------

# IMDSv2 with a hop limit of 1: the token answer cannot cross into a pod's network namespace, so
# pods cannot borrow the node role (ECR pull, SSM, EKS worker permissions). Every pod that calls AWS
# has its own IRSA role instead, and the add-ons that used to read IMDS get what they need
# explicitly (the load balancer controller its region and VPC id, the cluster autoscaler and Fluent
# Bit their region; the EBS CSI node plugin falls back to Kubernetes node metadata). Host-network
# agents (aws-node, kube-proxy) are one hop away and keep working. This is the EKS Best Practices
# guide's recommendation for IRSA clusters; EKS's own default of 2 exists for pods without IRSA.
IMDS_HOP_LIMIT = 1
ROOT_DEVICE_NAME = "/dev/xvda"
"""Root device of the EKS-optimized Amazon Linux 2023 AMIs the node groups use."""

WORKLOAD_CLASS_LABEL = "platform/workload-class"
SYSTEM_CLASS = "system"
NON_CRITICAL_CLASS = "non-critical"
CAPACITY_TYPE_LABEL = "eks.amazonaws.com/capacityType"
"""Set by EKS on every managed node (ON_DEMAND / SPOT)."""

# Families the spot group may use: general purpose, compute and memory optimized, generations 5-7,
# Intel, AMD and Graviton. Left out on purpose: `d` (local NVMe the nodes would not use), `n`
# (network premium), `flex` (full CPU only part of the time: wrong for pods scaled at 70 % CPU),
# burstable `t` (CPU credits) and everything accelerated or storage optimized. The list matches
# the default `allowed-instance-types` allow-list of the policy pack, so a selection never trips it.
SPOT_INSTANCE_FAMILIES: tuple[str, ...] = (
    "c5", "c5a", "c6i", "c6a", "c6g", "c7i", "c7a", "c7g",
    "m5", "m5a", "m6i", "m6a", "m6g", "m7i", "m7a", "m7g",
    "r5", "r5a", "r6i", "r6a", "r6g", "r7i", "r7a", "r7g",
)  # fmt: skip

_GRAVITON = re.compile(r"^[a-z]+\d+g[a-z-]*\.")
AMI_TYPES = {"x86_64": "AL2023_x86_64_STANDARD", "arm64": "AL2023_ARM_64_STANDARD"}


class NodePlanError(ValueError):
    """Node group settings that cannot work (e.g. two CPU architectures in one group)."""


def architecture_of(instance_type: str) -> Literal["x86_64", "arm64"]:
    return "arm64" if _GRAVITON.match(instance_type) else "x86_64"


@dataclass(frozen=True)
class Taint:
    key: str
    value: str
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] = "NoSchedule"

    @property
    def eks_effect(self) -> str:
        """The EKS API spells effects in upper snake case."""
        return re.sub(r"(?<!^)(?=[A-Z])", "_", self.effect).upper()

    def toleration(self) -> dict[str, str]:
        return {"key": self.key, "operator": "Equal", "value": self.value, "effect": self.effect}


SPOT_TAINT = Taint(WORKLOAD_CLASS_LABEL, NON_CRITICAL_CLASS)


@dataclass(frozen=True)
class NodeGroupPlan:
    key: Literal["system", "spot"]
    capacity_type: Literal["ON_DEMAND", "SPOT"]
    min_size: int
    max_size: int
    desired_size: int
    disk_size_gb: int
    ami_type: str
    instance_types: tuple[str, ...]
    """On-demand types from config; empty for spot (the SpotInstanceSelection decides)."""
    labels: Mapping[str, str]
    taints: tuple[Taint, ...] = ()

    def name_prefix(self, naming: Naming) -> str:
        """A prefix, not a name: changing instance types replaces a managed node group, and the
        replacement must exist before the old group is drained (create-before-delete)."""
        return f"{naming.prefix}-{self.key}-"

    def tags(self, cluster_name: str) -> dict[str, str]:
        """Cluster-autoscaler auto-discovery tags, plus the node-template hints it needs to scale
        a group up from zero (EKS also tags the group's ASG with the first two itself)."""
        tags = {
            "k8s.io/cluster-autoscaler/enabled": "true",
            f"k8s.io/cluster-autoscaler/{cluster_name}": "owned",
        }
        template = "k8s.io/cluster-autoscaler/node-template"
        labels = {**self.labels, CAPACITY_TYPE_LABEL: self.capacity_type}
        for key, value in sorted(labels.items()):
            tags[f"{template}/label/{key}"] = value
        for taint in self.taints:
            tags[f"{template}/taint/{taint.key}"] = f"{taint.value}:{taint.effect}"
        return tags


def _single_architecture(architectures: Sequence[str], key: str) -> str:
    unique = sorted(set(architectures))
    if len(unique) != 1:
        raise NodePlanError(
            f"{key} {unique} mixes CPU architectures; a managed node group runs one AMI type, so list exactly one "
            "(add a second node group for the other architecture)"
        )
    return unique[0]


def system_node_group(cfg: NodeGroupConfig) -> NodeGroupPlan:
    arch = _single_architecture(
        [architecture_of(t) for t in cfg.instance_types], "platform:compute.eks.systemNodes.instanceTypes"
    )
    return NodeGroupPlan(
        key="system",
        capacity_type="ON_DEMAND",
        min_size=cfg.min_size,
        max_size=cfg.max_size,
        desired_size=cfg.desired_size,
        disk_size_gb=cfg.disk_size_gb,
        ami_type=AMI_TYPES[arch],
        instance_types=tuple(cfg.instance_types),
        labels={WORKLOAD_CLASS_LABEL: SYSTEM_CLASS},
    )


def spot_node_group(cfg: SpotNodeGroupConfig) -> NodeGroupPlan:
    arch = _single_architecture(cfg.architectures, "platform:compute.eks.spotNodes.architectures")
    return NodeGroupPlan(
        key="spot",
        capacity_type="SPOT",
        min_size=cfg.min_size,
        max_size=cfg.max_size,
        desired_size=cfg.desired_size,
        disk_size_gb=cfg.disk_size_gb,
        ami_type=AMI_TYPES[arch],
        instance_types=(),
        labels={WORKLOAD_CLASS_LABEL: NON_CRITICAL_CLASS},
        taints=(SPOT_TAINT,),
    )


def node_group_plans(eks: EksConfig) -> tuple[NodeGroupPlan, NodeGroupPlan]:
    return system_node_group(eks.system_nodes), spot_node_group(eks.spot_nodes)


def launch_template_args(
    plan: NodeGroupPlan,
    *,
    naming: Naming,
    cluster_name: str,
    kms_key_arn: Any,
    security_group_ids: Sequence[Any],
    tags: Mapping[str, str],
) -> dict[str, Any]:
    """Keyword arguments of the group's `aws.ec2.LaunchTemplate` (pulumi-aws 7 names).

    No `image_id` and no user data: EKS then supplies its AMI for `ami_type` and the node
    bootstrap, and still applies everything set here. No `key_name`: access is Session Manager.
    Security groups: the EKS cluster group (control plane <-> kubelet) and the platform's `app`
    group that the database, cache and ALB rules admit; EKS adds nothing when a template names them.
    """
    resource_tags = {
        **tags,
        "Name": f"{naming.prefix}-eks-{plan.key}",
        f"kubernetes.io/cluster/{cluster_name}": "owned",
    }
    return {
        "name_prefix": f"{naming.prefix}-eks-{plan.key}-",
        "description": f"{plan.key} nodes of EKS cluster {cluster_name}",
        "update_default_version": True,
        "metadata_options": {
            "http_endpoint": "enabled",
            "http_tokens": "required",
            "http_put_response_hop_limit": IMDS_HOP_LIMIT,
            "instance_metadata_tags": "disabled",
        },
        "block_device_mappings": [
            {
                "device_name": ROOT_DEVICE_NAME,
                "ebs": {
                    "volume_size": plan.disk_size_gb,
                    "volume_type": "gp3",
                    "encrypted": "true",
                    "kms_key_id": kms_key_arn,
                    "delete_on_termination": "true",
                },
            }
        ],
        "monitoring": {"enabled": True},
        "vpc_security_group_ids": list(security_group_ids),
        "tag_specifications": [
            {"resource_type": kind, "tags": resource_tags} for kind in ("instance", "volume", "network-interface")
        ],
    }


# --- workloads -----------------------------------------------------------------------------------

CPU_TARGET_PERCENT = 70
MEMORY_TARGET_PERCENT = 80
BACKEND_PORT = 3001
"""The Node API's port, as on ECS."""
CACHE_PORT = 6379
DNS_PORT = 53
OTLP_GRPC_PORT = 4317
HTTPS_PORT = 443
APP_UID = 10001
"""Non-root uid/gid of the application containers (no user of that id exists in base images)."""


@dataclass(frozen=True)
class WorkloadSpec:
    name: str
    component: str
    repository: str
    """Key in the ECR repositories (`platform:ecr.repositories`)."""
    port: int
    health_path: str
    min_replicas: int
    max_replicas: int
    cpu_request_m: int
    memory_request_mi: int
    target_group: str | None
    """The Networking target group whose targets are this workload's pods (TargetGroupBinding)."""
    spot: bool
    """Tolerates and prefers the spot node group (stateless, replicated, restarts cheaply)."""
    calls_aws: bool = False
    """Gets an IRSA role (and egress to the AWS APIs)."""
    traces: bool = True
    writable_paths: tuple[str, ...] = ("/tmp",)  # noqa: S108 - a per-pod emptyDir, not a shared /tmp
    """emptyDir mounts: the root filesystem is read-only."""

    @property
    def cpu_limit_m(self) -> int:
        return self.cpu_request_m * 2

    @property
    def memory_limit_mi(self) -> int:
        # Headroom above the request (the HPA scales at 80 % of the request), as the design gives
        # Redis (256Mi request / 512Mi limit).
        return self.memory_request_mi * 2


TARGET_SERVICES: dict[str, str] = {
    "frontend": "frontend",
    # The ALB's `/api/*` target group is served by the api-gateway on EKS (the design's request path
    # is browser -> frontend/api-gateway -> backend): rate limiting and authentication sit in front
    # of the backend, which no load balancer reaches directly. It listens on that target group's
    # port so the `app` security group's rules (ALB -> 80/3001) hold unchanged.
    "backend": "api-gateway",
}
CALLS: tuple[tuple[str, str], ...] = (("frontend", "api-gateway"), ("api-gateway", "backend"))
"""Pod-to-pod calls (frontend -> api-gateway -> backend)."""


def _target(name: str) -> alb_plan.TargetSpec:
    for t in alb_plan.TARGETS:
        if t.name == name:
            return t
    raise KeyError(f"alb_plan has no target group {name!r}")


def workload_specs() -> tuple[WorkloadSpec, ...]:
    """The three application tiers; ports and health paths of ALB-bound tiers follow `alb_plan`."""
    frontend, api = _target("frontend"), _target("backend")
    return (
        WorkloadSpec(
            name="frontend",
            component="web",
            repository="frontend",
            port=frontend.port,
            health_path=frontend.health_path,
            min_replicas=3,
            max_replicas=10,
            cpu_request_m=100,
            memory_request_mi=128,
            target_group="frontend",
            spot=True,
            traces=False,
        ),
        WorkloadSpec(
            name="api-gateway",
            component="api-gateway",
            repository="api-gateway",
            port=api.port,
            health_path=api.health_path,
            min_replicas=2,
            max_replicas=15,
            cpu_request_m=250,
            memory_request_mi=256,
            target_group="backend",
            spot=True,
        ),
        # On-demand only: the backend holds database transactions and sessions, and a spot
        # reclaim mid-request costs more there than the saving.
        WorkloadSpec(
            name="backend",
            component="api",
            repository="backend",
            port=BACKEND_PORT,
            health_path="/health",
            min_replicas=3,
            max_replicas=20,
            cpu_request_m=250,
            memory_request_mi=256,
            target_group=None,
            spot=False,
            calls_aws=True,
        ),
    )


@dataclass(frozen=True)
class RedisSpec:
    name: str = "redis"
    port: int = CACHE_PORT
    memory_request_mi: int = 256
    memory_limit_mi: int = 512
    cpu_request_m: int = 100
    cpu_limit_m: int = 500
    storage_gi: int = 5
    maxmemory_mb: int = 384
    """Below the 512Mi limit: Redis evicts (allkeys-lru) before the kernel OOM-kills it."""


REDIS = RedisSpec()

CacheMode = Literal["in-cluster", "elasticache", "none"]

# Peers outside the application namespace, selected by the labels their charts give them.
PROMETHEUS = Pods("monitoring/prometheus", MONITORING_NAMESPACE, ((POD_NAME_LABEL, "prometheus"),))
OTEL_COLLECTOR = Pods("monitoring/otel-collector", MONITORING_NAMESPACE, ((POD_NAME_LABEL, "opentelemetry-collector"),))
KUBE_DNS = Pods("kube-system/kube-dns", KUBE_SYSTEM, (("k8s-app", "kube-dns"),))
AWS_APIS = Cidrs("aws-apis", ("0.0.0.0/0",))
"""STS (IRSA) and Secrets Manager: interface endpoints in the VPC or, without them, through NAT."""


def workload_pods(spec: WorkloadSpec | RedisSpec, namespace: str = APP_NAMESPACE) -> Pods:
    return Pods.app(spec.name, namespace)


@dataclass(frozen=True)
class FlowLayout:
    alb_cidrs: tuple[str, ...]
    database_cidrs: tuple[str, ...]
    database_port: int
    cache: CacheMode
    namespace: str = APP_NAMESPACE
    specs: tuple[WorkloadSpec, ...] = field(default_factory=workload_specs)


def documented_flows(layout: FlowLayout) -> list[Flow]:
    """Every connection the application namespace allows; everything else is denied.

    ALB -> the pods of its target groups; frontend -> api-gateway -> backend -> Redis and the
    database; workloads with IRSA -> AWS APIs (443); every pod -> cluster DNS; Prometheus -> each
    tier's HTTP port (metrics); traced tiers -> the OpenTelemetry collector (OTLP gRPC).
    """
    specs = {s.name: s for s in layout.specs}
    pods = {name: workload_pods(s, layout.namespace) for name, s in specs.items()}
    alb = Cidrs("alb", layout.alb_cidrs)
    database = Cidrs("database", layout.database_cidrs)
    flows: list[Flow] = []
    for tg, service in TARGET_SERVICES.items():
        spec = specs[service]
        flows.append(Flow(alb, pods[service], spec.port, why=f"ALB target group {tg}"))
    for src, dst in CALLS:
        flows.append(Flow(pods[src], pods[dst], specs[dst].port, why=f"{src} calls {dst}"))
    backend = pods["backend"]
    if layout.cache == "in-cluster":
        redis = workload_pods(REDIS, layout.namespace)
        flows.append(Flow(backend, redis, REDIS.port, why="backend -> in-cluster Redis"))
    elif layout.cache == "elasticache":
        cache = Cidrs("elasticache", layout.database_cidrs)
        flows.append(Flow(backend, cache, CACHE_PORT, why="backend -> ElastiCache (database subnets)"))
    flows.append(Flow(backend, database, layout.database_port, why="backend -> RDS"))
    for name, spec in specs.items():
        if spec.calls_aws:
            flows.append(Flow(pods[name], AWS_APIS, HTTPS_PORT, why=f"{name}: IRSA token exchange and AWS APIs"))
        flows.append(Flow(PROMETHEUS, pods[name], spec.port, why=f"Prometheus scrapes {name}"))
        if spec.traces:
            flows.append(Flow(pods[name], OTEL_COLLECTOR, OTLP_GRPC_PORT, why=f"{name} sends traces"))
    every_pod = [*pods.values(), *([workload_pods(REDIS, layout.namespace)] if layout.cache == "in-cluster" else [])]
    for p in every_pod:
        flows.append(Flow(p, KUBE_DNS, DNS_PORT, "UDP", why="cluster DNS"))
        flows.append(Flow(p, KUBE_DNS, DNS_PORT, "TCP", why="cluster DNS (large answers)"))
    return flows


def policed_workloads(layout: FlowLayout) -> list[Pods]:
    """The pods of the application namespace (each gets its own NetworkPolicy)."""
    out = [workload_pods(s, layout.namespace) for s in layout.specs]
    if layout.cache == "in-cluster":
        out.append(workload_pods(REDIS, layout.namespace))
    return out
