"""Manifests of the application tiers, Redis and the cluster's storage class (pure).

Every container gets: requests and limits, startup/readiness/liveness probes, a non-root user,
a read-only root filesystem (writable emptyDirs where a tier needs them), no privilege
escalation, all capabilities dropped and the runtime's default seccomp profile: the Pod Security
Standards `restricted` profile, which the namespaces enforce.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from secure_platform.compute.eks.network_policy_plan import POD_NAME_LABEL
from secure_platform.compute.eks.plan import (
    APP_UID,
    CAPACITY_TYPE_LABEL,
    CPU_TARGET_PERCENT,
    MEMORY_TARGET_PERCENT,
    SPOT_TAINT,
    NamespacePlan,
    RedisSpec,
    WorkloadSpec,
)

Manifest = dict[str, Any]
IRSA_ANNOTATION = "eks.amazonaws.com/role-arn"
ZONE_KEY = "topology.kubernetes.io/zone"
HOSTNAME_KEY = "kubernetes.io/hostname"
UNPRIVILEGED_PORT_SYSCTL = "net.ipv4.ip_unprivileged_port_start"
"""A `safe` sysctl (allowed by every Pod Security level): lets a non-root process bind a low port."""


def common_labels(project: str) -> dict[str, str]:
    return {"app.kubernetes.io/part-of": project, "app.kubernetes.io/managed-by": "pulumi"}


def selector(name: str) -> dict[str, str]:
    return {POD_NAME_LABEL: name}


def _meta(name: str, namespace: str | None, labels: Mapping[str, str], **extra: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "labels": dict(labels)}
    if namespace is not None:
        meta["namespace"] = namespace
    meta.update({k: v for k, v in extra.items() if v})
    return meta


def namespace(plan: NamespacePlan, project: str) -> Manifest:
    labels = {**common_labels(project), **plan.labels()}
    return {"metadata": _meta(plan.name, None, labels, annotations={"platform/purpose": plan.purpose})}


def service_account(name: str, ns: str, project: str, *, role_arn: Any = None) -> Manifest:
    """No API token in the pods (none of them talks to the Kubernetes API); IRSA still works, the
    EKS pod identity webhook projects its own web-identity token for annotated accounts."""
    annotations = {IRSA_ANNOTATION: role_arn} if role_arn is not None else None
    return {
        "metadata": _meta(name, ns, {**common_labels(project), **selector(name)}, annotations=annotations),
        "automountServiceAccountToken": False,
    }


# --- pod building blocks -------------------------------------------------------------------------


def pod_security_context(uid: int, *, low_port: int | None = None) -> dict[str, Any]:
    ctx: dict[str, Any] = {
        "runAsNonRoot": True,
        "runAsUser": uid,
        "runAsGroup": uid,
        "fsGroup": uid,
        "fsGroupChangePolicy": "OnRootMismatch",
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    if low_port is not None and low_port < 1024:
        ctx["sysctls"] = [{"name": UNPRIVILEGED_PORT_SYSCTL, "value": str(low_port)}]
    return ctx


def container_security_context() -> dict[str, Any]:
    return {
        "allowPrivilegeEscalation": False,
        "privileged": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def resources(cpu_request_m: int, memory_request_mi: int, cpu_limit_m: int, memory_limit_mi: int) -> dict[str, Any]:
    return {
        "requests": {"cpu": f"{cpu_request_m}m", "memory": f"{memory_request_mi}Mi"},
        "limits": {"cpu": f"{cpu_limit_m}m", "memory": f"{memory_limit_mi}Mi"},
    }


def http_probes(path: str, port: str | int = "http") -> dict[str, Any]:
    """Startup gives a slow start 2 minutes; readiness takes a pod out of the Service (and the
    target group) after 30 s of failures; liveness restarts it after 60 s."""
    get = {"path": path, "port": port}
    return {
        "startupProbe": {"httpGet": get, "periodSeconds": 5, "timeoutSeconds": 2, "failureThreshold": 24},
        "readinessProbe": {"httpGet": get, "periodSeconds": 10, "timeoutSeconds": 2, "failureThreshold": 3},
        "livenessProbe": {"httpGet": get, "periodSeconds": 20, "timeoutSeconds": 2, "failureThreshold": 3},
    }


def tcp_probes(port: str | int) -> dict[str, Any]:
    sock = {"tcpSocket": {"port": port}}
    return {
        "startupProbe": {**sock, "periodSeconds": 5, "failureThreshold": 24},
        "readinessProbe": {**sock, "periodSeconds": 10, "failureThreshold": 3},
        "livenessProbe": {**sock, "periodSeconds": 20, "failureThreshold": 3},
    }


def spread_across_zones(labels: Mapping[str, str]) -> list[dict[str, Any]]:
    """Zones strictly (one zone's loss leaves the others serving), nodes best effort.

    `nodeTaintsPolicy: Honor`: only nodes the pod tolerates count as domains. With the default
    (`Ignore`) a zone holding only tainted spot nodes would count, with zero pods, for the backend
    that does not tolerate them, and the strict zone skew would leave its pods Pending."""
    return [
        {
            "maxSkew": 1,
            "topologyKey": ZONE_KEY,
            "whenUnsatisfiable": "DoNotSchedule",
            "nodeTaintsPolicy": "Honor",
            "labelSelector": {"matchLabels": dict(labels)},
        },
        {
            "maxSkew": 1,
            "topologyKey": HOSTNAME_KEY,
            "whenUnsatisfiable": "ScheduleAnyway",
            "nodeTaintsPolicy": "Honor",
            "labelSelector": {"matchLabels": dict(labels)},
        },
    ]


def prefer_spot() -> dict[str, Any]:
    """Tolerate the spot group's taint and prefer its nodes; on-demand nodes stay allowed, so a
    spot shortage degrades cost, not availability."""
    return {
        "tolerations": [SPOT_TAINT.toleration()],
        "affinity": {
            "nodeAffinity": {
                "preferredDuringSchedulingIgnoredDuringExecution": [
                    {
                        "weight": 100,
                        "preference": {
                            "matchExpressions": [{"key": CAPACITY_TYPE_LABEL, "operator": "In", "values": ["SPOT"]}]
                        },
                    }
                ]
            }
        },
    }


def _volumes(paths: Sequence[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    volumes, mounts = [], []
    for i, path in enumerate(paths):
        name = f"scratch-{i}"
        volumes.append({"name": name, "emptyDir": {"sizeLimit": "256Mi"}})
        mounts.append({"name": name, "mountPath": path})
    return volumes, mounts


# --- application tiers ---------------------------------------------------------------------------


def deployment(
    spec: WorkloadSpec,
    *,
    ns: str,
    project: str,
    image: Any,
    env: Sequence[Mapping[str, Any]],
    service_account_name: str,
) -> Manifest:
    """`replicas` starts at the HPA minimum; the HPA owns it afterwards (the resource ignores it)."""
    labels = {**common_labels(project), **selector(spec.name), "app.kubernetes.io/component": spec.component}
    volumes, mounts = _volumes(spec.writable_paths)
    container: dict[str, Any] = {
        "name": spec.name,
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        "ports": [{"name": "http", "containerPort": spec.port, "protocol": "TCP"}],
        "env": [dict(e) for e in env],
        "resources": resources(spec.cpu_request_m, spec.memory_request_mi, spec.cpu_limit_m, spec.memory_limit_mi),
        "securityContext": container_security_context(),
        "volumeMounts": mounts,
        **http_probes(spec.health_path),
    }
    pod: dict[str, Any] = {
        "serviceAccountName": service_account_name,
        "automountServiceAccountToken": False,
        "enableServiceLinks": False,
        "securityContext": pod_security_context(APP_UID, low_port=spec.port),
        "containers": [container],
        "volumes": volumes,
        "topologySpreadConstraints": spread_across_zones(selector(spec.name)),
        "terminationGracePeriodSeconds": 30,
    }
    if spec.spot:
        pod.update(prefer_spot())
    return {
        "metadata": _meta(spec.name, ns, labels),
        "spec": {
            "replicas": spec.min_replicas,
            "revisionHistoryLimit": 5,
            "selector": {"matchLabels": selector(spec.name)},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0}},
            "template": {"metadata": {"labels": labels}, "spec": pod},
        },
    }


def service(spec: WorkloadSpec, *, ns: str, project: str) -> Manifest:
    return {
        "metadata": _meta(spec.name, ns, {**common_labels(project), **selector(spec.name)}),
        "spec": {
            "type": "ClusterIP",
            "selector": selector(spec.name),
            "ports": [{"name": "http", "port": spec.port, "targetPort": "http", "protocol": "TCP"}],
        },
    }


def horizontal_pod_autoscaler(spec: WorkloadSpec, *, ns: str, project: str) -> Manifest:
    """CPU 70 % and memory 80 % of the requests (the platform's targets); scale up fast, down slowly."""

    def metric(name: str, percent: int) -> dict[str, Any]:
        return {
            "type": "Resource",
            "resource": {"name": name, "target": {"type": "Utilization", "averageUtilization": percent}},
        }

    return {
        "metadata": _meta(spec.name, ns, {**common_labels(project), **selector(spec.name)}),
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": spec.name},
            "minReplicas": spec.min_replicas,
            "maxReplicas": spec.max_replicas,
            "metrics": [metric("cpu", CPU_TARGET_PERCENT), metric("memory", MEMORY_TARGET_PERCENT)],
            "behavior": {
                "scaleUp": {
                    "stabilizationWindowSeconds": 0,
                    "selectPolicy": "Max",
                    "policies": [
                        {"type": "Percent", "value": 100, "periodSeconds": 60},
                        {"type": "Pods", "value": 4, "periodSeconds": 60},
                    ],
                },
                "scaleDown": {
                    "stabilizationWindowSeconds": 300,
                    "selectPolicy": "Min",
                    "policies": [{"type": "Percent", "value": 50, "periodSeconds": 60}],
                },
            },
        },
    }


def pod_disruption_budget(name: str, *, ns: str, project: str) -> Manifest:
    """One pod of a tier at a time during drains (node upgrades, spot reclaims, scale-in)."""
    return {
        "metadata": _meta(name, ns, {**common_labels(project), **selector(name)}),
        "spec": {
            "maxUnavailable": 1,
            "selector": {"matchLabels": selector(name)},
            "unhealthyPodEvictionPolicy": "AlwaysAllow",
        },
    }


def target_group_binding(spec: WorkloadSpec, *, ns: str, project: str, target_group_arn: Any) -> Manifest:
    """Pod IPs of the tier's Service registered in Networking's target group (no second ALB)."""
    return {
        "metadata": _meta(f"{spec.name}-{spec.target_group}", ns, {**common_labels(project), **selector(spec.name)}),
        "spec": {
            "targetGroupARN": target_group_arn,
            "targetType": "ip",
            "serviceRef": {"name": spec.name, "port": spec.port},
        },
    }


def service_monitor(spec: WorkloadSpec, *, ns: str, project: str) -> Manifest:
    return {
        "metadata": _meta(spec.name, ns, {**common_labels(project), **selector(spec.name)}),
        "spec": {
            "selector": {"matchLabels": selector(spec.name)},
            "endpoints": [{"port": "http", "path": "/metrics", "interval": "30s"}],
        },
    }


# --- Redis (in-cluster cache) --------------------------------------------------------------------

REDIS_CONFIG_KEY = "redis.conf"
REDIS_PASSWORD_KEY = "password"  # noqa: S105 - the key's name in the Secret, not a password


def redis_config(spec: RedisSpec, password: str) -> str:
    """redis.conf: authentication on, append-only persistence on the volume, LRU eviction below
    the memory limit. Kept in a Secret (it carries the password) and mounted read-only."""
    return "\n".join(
        [
            f"port {spec.port}",
            "bind 0.0.0.0",
            "protected-mode yes",
            f"requirepass {password}",
            "dir /data",
            "appendonly yes",
            "appendfsync everysec",
            f"maxmemory {spec.maxmemory_mb}mb",
            "maxmemory-policy allkeys-lru",
            "",
        ]
    )


def redis_statefulset(
    spec: RedisSpec,
    *,
    ns: str,
    project: str,
    image: str,
    uid: int,
    secret_name: str,
    storage_class: str,
    service_account_name: str,
) -> Manifest:
    """One replica with a persistent volume (256Mi request / 512Mi limit). It does not
    tolerate the spot taint: a reclaimed node would take the cache's volume's AZ with it."""
    labels = {**common_labels(project), **selector(spec.name), "app.kubernetes.io/component": "cache"}
    container = {
        "name": spec.name,
        "image": image,
        "command": ["redis-server"],
        "args": [f"/etc/redis/{REDIS_CONFIG_KEY}"],
        "ports": [{"name": "redis", "containerPort": spec.port, "protocol": "TCP"}],
        "resources": resources(spec.cpu_request_m, spec.memory_request_mi, spec.cpu_limit_m, spec.memory_limit_mi),
        "securityContext": container_security_context(),
        "volumeMounts": [
            {"name": "data", "mountPath": "/data"},
            {"name": "config", "mountPath": "/etc/redis", "readOnly": True},
            {"name": "scratch-0", "mountPath": "/tmp"},  # noqa: S108 - a per-pod emptyDir
        ],
        **tcp_probes("redis"),
    }
    return {
        "metadata": _meta(spec.name, ns, labels),
        "spec": {
            "serviceName": spec.name,
            "replicas": 1,
            "selector": {"matchLabels": selector(spec.name)},
            "podManagementPolicy": "OrderedReady",
            "updateStrategy": {"type": "RollingUpdate"},
            "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "serviceAccountName": service_account_name,
                    "automountServiceAccountToken": False,
                    "enableServiceLinks": False,
                    "securityContext": pod_security_context(uid),
                    "containers": [container],
                    "volumes": [
                        {
                            "name": "config",
                            "secret": {
                                "secretName": secret_name,
                                "items": [{"key": REDIS_CONFIG_KEY, "path": REDIS_CONFIG_KEY}],
                                "defaultMode": 0o440,
                            },
                        },
                        {"name": "scratch-0", "emptyDir": {"sizeLimit": "64Mi"}},
                    ],
                    "terminationGracePeriodSeconds": 30,
                },
            },
            "volumeClaimTemplates": [
                {
                    "metadata": {"name": "data", "labels": selector(spec.name)},
                    "spec": {
                        "accessModes": ["ReadWriteOnce"],
                        "storageClassName": storage_class,
                        "resources": {"requests": {"storage": f"{spec.storage_gi}Gi"}},
                    },
                }
            ],
        },
    }


def redis_service(spec: RedisSpec, *, ns: str, project: str) -> Manifest:
    """Headless: the StatefulSet's governing Service; `redis.<ns>.svc` resolves to the pod."""
    return {
        "metadata": _meta(spec.name, ns, {**common_labels(project), **selector(spec.name)}),
        "spec": {
            "clusterIP": "None",
            "selector": selector(spec.name),
            "ports": [{"name": "redis", "port": spec.port, "targetPort": "redis", "protocol": "TCP"}],
        },
    }


# --- storage -------------------------------------------------------------------------------------


def encrypted_storage_class(name: str, *, kms_key_arn: Any, retain: bool) -> Manifest:
    """The cluster's default class: gp3 through the EBS CSI driver, encrypted with our data key,
    bound in the pod's AZ. Volumes of protected stacks outlive their claims (Retain)."""
    return {
        "metadata": {"name": name, "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
        "provisioner": "ebs.csi.aws.com",
        "parameters": {
            "type": "gp3",
            "encrypted": "true",
            "kmsKeyId": kms_key_arn,
            "csi.storage.k8s.io/fstype": "ext4",
        },
        "reclaimPolicy": "Retain" if retain else "Delete",
        "volumeBindingMode": "WaitForFirstConsumer",
        "allowVolumeExpansion": True,
    }
