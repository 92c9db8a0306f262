"""Helm values of the cluster services (pure): one typed function per chart.

Common rules: every Deployment runs on the on-demand `system` nodes (node selector; the spot
taint keeps them off spot anyway), has requests and limits, and gets AWS access only through its
IRSA service account. DaemonSets tolerate every taint so that logs and node metrics cover spot
nodes too. Nothing is exposed outside the cluster (no Ingress, no LoadBalancer Service).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from secure_platform.compute.eks.k8s.workloads import IRSA_ANNOTATION
from secure_platform.compute.eks.plan import SYSTEM_CLASS, WORKLOAD_CLASS_LABEL
from secure_platform.compute.eks.versions import OTEL_COLLECTOR_IMAGE
from secure_platform.monitoring.alarms import Tier

Values = dict[str, Any]

ON_SYSTEM_NODES: dict[str, str] = {WORKLOAD_CLASS_LABEL: SYSTEM_CLASS}
TOLERATE_EVERYTHING: list[dict[str, str]] = [{"operator": "Exists"}]
RESTRICTED_CONTAINER: dict[str, Any] = {
    "allowPrivilegeEscalation": False,
    "readOnlyRootFilesystem": True,
    "runAsNonRoot": True,
    "capabilities": {"drop": ["ALL"]},
    "seccompProfile": {"type": "RuntimeDefault"},
}


def _res(cpu: str, memory: str, cpu_limit: str, memory_limit: str) -> dict[str, Any]:
    return {"requests": {"cpu": cpu, "memory": memory}, "limits": {"cpu": cpu_limit, "memory": memory_limit}}


def _irsa(role_arn: Any) -> dict[str, Any]:
    return {IRSA_ANNOTATION: role_arn}


def priority_expander_config(priorities: dict[int, list[str]]) -> str:
    """The priority expander's ConfigMap text: `<priority>:` then the ASG name regexes."""
    lines: list[str] = []
    for priority in sorted(priorities, reverse=True):
        lines.append(f"{priority}:")
        lines += [f"  - {pattern}" for pattern in priorities[priority]]
    return "\n".join(lines) + "\n"


def cluster_autoscaler(
    *,
    cluster_name: str,
    region: str,
    role_arn: Any,
    image_tag: str,
    spot_group_prefix: str,
    system_group_prefix: str,
) -> Values:
    """Auto-discovers the cluster's managed node groups by tag; the priority expander grows the
    spot group first (the pods that tolerate spot prefer it), on-demand when spot cannot."""
    return {
        "cloudProvider": "aws",
        "awsRegion": region,
        "autoDiscovery": {
            "clusterName": cluster_name,
            "tags": ["k8s.io/cluster-autoscaler/enabled", f"k8s.io/cluster-autoscaler/{cluster_name}"],
        },
        "image": {"tag": image_tag},
        "rbac": {
            "serviceAccount": {"create": True, "name": "cluster-autoscaler", "annotations": _irsa(role_arn)},
        },
        "extraArgs": {
            "expander": "priority",
            "balance-similar-node-groups": "true",
            "skip-nodes-with-system-pods": "false",
            "scale-down-unneeded-time": "10m",
            "scale-down-delay-after-add": "10m",
        },
        # Managed node group ASGs are named eks-<node group name>-<uuid>. Given as text: the
        # expander reads integer keys, which a YAML map rendered from Python would quote.
        "expanderPriorities": priority_expander_config(
            {50: [f".*{spot_group_prefix}.*"], 10: [f".*{system_group_prefix}.*"]}
        ),
        "replicaCount": 1,
        "nodeSelector": ON_SYSTEM_NODES,
        "resources": _res("100m", "300Mi", "500m", "600Mi"),
        "containerSecurityContext": RESTRICTED_CONTAINER,
    }


def load_balancer_controller(*, cluster_name: str, region: Any, vpc_id: Any, role_arn: Any) -> Values:
    """Only TargetGroupBinding: no IngressClass, no Service mutation webhook, no WAF/Shield
    management (Networking owns the ALB, its WAF association and its security groups). Region
    and VPC are given because pods cannot read the instance metadata (hop limit 1)."""
    return {
        "clusterName": cluster_name,
        "region": region,
        "vpcId": vpc_id,
        "serviceAccount": {"create": True, "name": "aws-load-balancer-controller", "annotations": _irsa(role_arn)},
        "createIngressClassResource": False,
        "enableServiceMutatorWebhook": False,
        "enableShield": False,
        "enableWaf": False,
        "enableWafv2": False,
        "enableBackendSecurityGroup": False,
        "replicaCount": 2,
        "podDisruptionBudget": {"maxUnavailable": 1},
        "nodeSelector": ON_SYSTEM_NODES,
        "resources": _res("50m", "128Mi", "500m", "256Mi"),
        "securityContext": RESTRICTED_CONTAINER,
    }


def metrics_server() -> Values:
    """Resource metrics for the HPAs (CPU and memory of every pod)."""
    return {
        "replicas": 2,
        "podDisruptionBudget": {"enabled": True, "maxUnavailable": 1},
        "nodeSelector": ON_SYSTEM_NODES,
        "resources": _res("50m", "96Mi", "500m", "256Mi"),
    }


ALERTMANAGER_SERVICE_ACCOUNT = "alertmanager"
ALERT_SEVERITIES: tuple[Tier, ...] = ("critical", "warning")
"""Prometheus rule severities Alertmanager forwards, each to the SNS topic of the same tier
(Monitoring's); `info` and the chart's heartbeat alerts (`Watchdog`, `InfoInhibitor`) go nowhere."""


def alertmanager_config(*, region: str, topic_arns: Mapping[Tier, Any]) -> Values:
    """Route the cluster's alerts to the stack's alarm topics, so in-cluster alerts reach the same
    people as CloudWatch alarms. SNS is signed with the pod's IRSA credentials (SigV4, explicit
    region: pods have no IMDS)."""
    missing = [s for s in ALERT_SEVERITIES if s not in topic_arns]
    if missing:
        raise ValueError(f"alertmanager needs a topic for severities {missing}")
    return {
        "global": {"resolve_timeout": "5m"},
        "route": {
            "receiver": "null",
            "group_by": ["alertname", "namespace"],
            "group_wait": "30s",
            "group_interval": "5m",
            "repeat_interval": "12h",
            "routes": [
                {"receiver": "null", "matchers": ['alertname=~"Watchdog|InfoInhibitor"']},
                *({"receiver": f"sns-{s}", "matchers": [f'severity="{s}"']} for s in ALERT_SEVERITIES),
            ],
        },
        "receivers": [
            {"name": "null"},
            *(
                {
                    "name": f"sns-{s}",
                    "sns_configs": [{"topic_arn": topic_arns[s], "sigv4": {"region": region}, "send_resolved": True}],
                }
                for s in ALERT_SEVERITIES
            ),
        ],
    }


def kube_prometheus_stack(
    *,
    storage_class: str,
    retention_days: int,
    prometheus_storage_gi: int,
    node_agents_namespace: str,
    alertmanager: Any = None,
    alertmanager_role_arn: Any = None,
) -> Values:
    """Prometheus, Alertmanager and Grafana on encrypted volumes; the node exporter (host access)
    in the privileged node-agents namespace; scrapers of control-plane components EKS does not
    expose switched off. Grafana's admin password is generated by the chart into a Secret (never
    in config or state); it is reached with `kubectl port-forward`, not exposed. `alertmanager`
    (`alertmanager_config`) replaces the chart's receiver-less default, with its IRSA role."""

    def volume(size_gi: int) -> dict[str, Any]:
        return {
            "volumeClaimTemplate": {
                "spec": {
                    "storageClassName": storage_class,
                    "accessModes": ["ReadWriteOnce"],
                    "resources": {"requests": {"storage": f"{size_gi}Gi"}},
                }
            }
        }

    return {
        "fullnameOverride": "kps",
        "kubeEtcd": {"enabled": False},
        "kubeControllerManager": {"enabled": False},
        "kubeScheduler": {"enabled": False},
        "kubeProxy": {"enabled": False},
        "defaultRules": {"rules": {"etcd": False, "kubeControllerManager": False, "kubeSchedulerAlerting": False}},
        "prometheus": {
            "prometheusSpec": {
                "retention": f"{retention_days}d",
                "retentionSize": f"{int(prometheus_storage_gi * 0.85)}GB",
                "storageSpec": volume(prometheus_storage_gi),
                "serviceMonitorSelectorNilUsesHelmValues": False,
                "podMonitorSelectorNilUsesHelmValues": False,
                "ruleSelectorNilUsesHelmValues": False,
                "nodeSelector": ON_SYSTEM_NODES,
                "resources": _res("250m", "1Gi", "1", "2Gi"),
            }
        },
        "alertmanager": {
            "alertmanagerSpec": {
                "storage": volume(5),
                "nodeSelector": ON_SYSTEM_NODES,
                "resources": _res("25m", "64Mi", "200m", "128Mi"),
            },
            **({"config": alertmanager} if alertmanager is not None else {}),
            **(
                {
                    "serviceAccount": {
                        "create": True,
                        "name": ALERTMANAGER_SERVICE_ACCOUNT,
                        "annotations": _irsa(alertmanager_role_arn),
                    }
                }
                if alertmanager_role_arn is not None
                else {}
            ),
        },
        "grafana": {
            "persistence": {"enabled": False},
            "initChownData": {"enabled": False},
            "ingress": {"enabled": False},
            "service": {"type": "ClusterIP"},
            "nodeSelector": ON_SYSTEM_NODES,
            "resources": _res("50m", "128Mi", "500m", "256Mi"),
        },
        "prometheusOperator": {
            "nodeSelector": ON_SYSTEM_NODES,
            "resources": _res("50m", "128Mi", "500m", "256Mi"),
        },
        "kube-state-metrics": {
            "nodeSelector": ON_SYSTEM_NODES,
            "resources": _res("25m", "64Mi", "200m", "256Mi"),
        },
        "prometheus-node-exporter": {
            "namespaceOverride": node_agents_namespace,
            "tolerations": TOLERATE_EVERYTHING,
            "resources": _res("25m", "32Mi", "200m", "64Mi"),
        },
    }


def otel_collector(*, region: str, role_arn: Any) -> Values:
    """A gateway collector: OTLP in, batches, X-Ray out. `alternateConfig` replaces the chart's
    default pipelines (no Jaeger/Zipkin receivers, no debug exporter) instead of merging into them."""
    repository, tag = OTEL_COLLECTOR_IMAGE
    return {
        "mode": "deployment",
        "fullnameOverride": "otel-collector",
        "image": {"repository": repository, "tag": tag},
        "replicaCount": 2,
        "serviceAccount": {"create": True, "name": "otel-collector", "annotations": _irsa(role_arn)},
        "alternateConfig": {
            "extensions": {"health_check": {"endpoint": "${env:MY_POD_IP}:13133"}},
            "receivers": {
                "otlp": {
                    "protocols": {
                        "grpc": {"endpoint": "${env:MY_POD_IP}:4317"},
                        "http": {"endpoint": "${env:MY_POD_IP}:4318"},
                    }
                }
            },
            "processors": {
                "memory_limiter": {"check_interval": "5s", "limit_percentage": 80, "spike_limit_percentage": 25},
                "batch": {},
            },
            "exporters": {"awsxray": {"region": region}},
            "service": {
                "extensions": ["health_check"],
                "pipelines": {
                    "traces": {
                        "receivers": ["otlp"],
                        "processors": ["memory_limiter", "batch"],
                        "exporters": ["awsxray"],
                    }
                },
            },
        },
        "ports": {
            "jaeger-compact": {"enabled": False},
            "jaeger-thrift": {"enabled": False},
            "jaeger-grpc": {"enabled": False},
            "zipkin": {"enabled": False},
        },
        "podSecurityContext": {
            "runAsNonRoot": True,
            "runAsUser": 10001,
            "runAsGroup": 10001,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "securityContext": RESTRICTED_CONTAINER,
        "nodeSelector": ON_SYSTEM_NODES,
        "podDisruptionBudget": {"enabled": True, "maxUnavailable": 1},
        "resources": _res("100m", "256Mi", "500m", "512Mi"),
    }


APP_LOGS_TAG = "kube.*"
SYSTEM_LOGS_TAG = "system.*"


def system_logs_config(*, region: str, log_group_name: str, namespaces: tuple[str, ...]) -> tuple[str, str]:
    """Fluent Bit `[INPUT]` and `[OUTPUT]` sections (the chart's `additionalInputs` and
    `additionalOutputs`) that ship the cluster services' container logs to the system log group."""
    if not namespaces:
        raise ValueError("no system namespaces to ship")
    paths = ",".join(f"/var/log/containers/*_{ns}_*.log" for ns in namespaces)
    inputs = "\n".join(
        [
            "[INPUT]",
            "    Name              tail",
            f"    Tag               {SYSTEM_LOGS_TAG}",
            f"    Path              {paths}",
            "    DB                /var/log/flb_system.db",
            "    multiline.parser  docker, cri",
            "    Mem_Buf_Limit     5MB",
            "    Skip_Long_Lines   On",
            "    Refresh_Interval  10",
        ]
    )
    outputs = "\n".join(
        [
            "[OUTPUT]",
            "    Name               cloudwatch_logs",
            f"    Match              {SYSTEM_LOGS_TAG}",
            f"    region             {region}",
            f"    log_group_name     {log_group_name}",
            "    log_stream_prefix  eks-",
            "    auto_create_group  false",
        ]
    )
    return inputs, outputs


def fluent_bit(
    *,
    region: str,
    log_group_name: Any,
    role_arn: Any,
    app_namespace: str,
    system_inputs: Any = None,
    system_outputs: Any = None,
) -> Values:
    """Container logs of the application namespace to the application log group (which
    Monitoring owns, encrypted and with retention): the group is never created by the agent, and
    only the files of `<pod>_<app namespace>_<container>` are tailed and matched to it. The
    cluster services' logs go to the system group through `system_logs_config`'s sections."""
    return {
        "serviceAccount": {"create": True, "name": "fluent-bit", "annotations": _irsa(role_arn)},
        "input": {"tag": APP_LOGS_TAG, "path": f"/var/log/containers/*_{app_namespace}_*.log"},
        **({"additionalInputs": system_inputs} if system_inputs is not None else {}),
        "cloudWatchLogs": {
            "enabled": True,
            "match": APP_LOGS_TAG,
            "region": region,
            "logGroupName": log_group_name,
            # The chart's default template would send each namespace to a group of its own
            # (`/aws/eks/fluentbit-cloudwatch/workload/<ns>`), which does not exist; empty = off.
            "logGroupTemplate": "",
            "logStreamPrefix": "eks-",
            "autoCreateGroup": False,
        },
        **({"additionalOutputs": system_outputs} if system_outputs is not None else {}),
        "cloudWatch": {"enabled": False},
        "firehose": {"enabled": False},
        "kinesis": {"enabled": False},
        "kinesis_streams": {"enabled": False},
        "elasticsearch": {"enabled": False},
        "s3": {"enabled": False},
        "opensearch": {"enabled": False},
        "tolerations": TOLERATE_EVERYTHING,
        "priorityClassName": "system-node-critical",
        "resources": _res("50m", "64Mi", "250m", "256Mi"),
    }
