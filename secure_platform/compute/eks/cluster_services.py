"""The cluster services of the EKS platform: the pinned Helm releases (cluster autoscaler, AWS
Load Balancer Controller, metrics-server, kube-prometheus-stack, OpenTelemetry Collector, Fluent
Bit), each with its least-privilege IRSA role.

Split from `component` because these releases are one concern with their own constants (chart
timeout, Prometheus retention and volume size) and change with the chart pins in `eks_versions`,
not with the cluster or node groups. The functions take the `_EksBuilder` of `component`, whose
cluster, namespaces, provider and IRSA helper they build on; `component` calls `install` once the
Kubernetes provider and namespaces exist.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pulumi
import pulumi_kubernetes as k8s

from secure_platform.compute.eks import iam as eks_iam
from secure_platform.compute.eks import plan as eks_plan
from secure_platform.compute.eks import versions as eks_versions
from secure_platform.compute.eks.k8s import charts
from secure_platform.compute.eks.plan import APP_NAMESPACE, KUBE_SYSTEM, MONITORING_NAMESPACE, NODE_AGENTS_NAMESPACE
from secure_platform.core.refs import grant

if TYPE_CHECKING:
    from secure_platform.compute.eks.component import _EksBuilder

STORAGE_CLASS = "gp3-encrypted"
"""The encrypted gp3 StorageClass `component` creates; Prometheus and in-cluster Redis claim it."""
PROMETHEUS_RETENTION_DAYS = 15
PROMETHEUS_STORAGE_GI = 50
HELM_TIMEOUT_SECONDS = 900


@dataclass(frozen=True, eq=False)
class ClusterServices:
    """The releases the application's resources depend on."""

    load_balancer_controller: k8s.helm.v3.Release
    """Serves the `TargetGroupBinding`s."""
    prometheus: k8s.helm.v3.Release
    """kube-prometheus-stack: serves the `ServiceMonitor`s."""


def release(
    b: _EksBuilder,
    name: str,
    namespace: str,
    values: Mapping[str, Any],
    depends_on: Sequence[pulumi.Resource] = (),
    *,
    chart: str | None = None,
) -> k8s.helm.v3.Release:
    """A pinned Helm release (`eks_versions.CHARTS`) after the nodes, DNS, CNI and its namespace."""
    pin = eks_versions.CHARTS[chart or name]
    ns = b.namespaces.get(namespace)
    return k8s.helm.v3.Release(
        name,
        name=name,
        chart=pin.chart,
        version=pin.version,
        repository_opts={"repo": pin.repository},
        namespace=namespace,
        create_namespace=False,
        values=dict(values),
        atomic=True,
        cleanup_on_fail=True,
        max_history=5,
        timeout=HELM_TIMEOUT_SECONDS,
        opts=b.k8s_opts([*b.ready, *([ns] if ns is not None else []), *depends_on]),
    )


def install(b: _EksBuilder) -> ClusterServices:
    """Create the cluster services' releases and IRSA roles."""
    args = b.args
    system, spot = eks_plan.node_group_plans(b.cfg)
    ca_role = b.irsa_role("cluster-autoscaler", KUBE_SYSTEM, "cluster-autoscaler")
    ca_policy = grant(
        b.compute,
        "irsa-cluster-autoscaler",
        ca_role,
        eks_iam.cluster_autoscaler(
            b.cluster_name, region=b.region, account_id=b.ctx.account_id, partition=b.ctx.partition
        ),
    )
    release(
        b,
        "cluster-autoscaler",
        KUBE_SYSTEM,
        charts.cluster_autoscaler(
            cluster_name=b.cluster_name,
            region=b.region,
            role_arn=ca_role.arn,
            image_tag=eks_versions.cluster_autoscaler_tag(b.cfg.version),
            spot_group_prefix=spot.name_prefix(b.naming),
            system_group_prefix=system.name_prefix(b.naming),
        ),
        [ca_policy],
    )
    lbc_role = b.irsa_role("load-balancer-controller", KUBE_SYSTEM, "aws-load-balancer-controller")
    lbc_policy = grant(
        b.compute,
        "irsa-load-balancer-controller",
        lbc_role,
        eks_iam.load_balancer_controller([args.target_groups[tg].arn for tg in eks_plan.TARGET_SERVICES]),
    )
    lbc = release(
        b,
        "aws-load-balancer-controller",
        KUBE_SYSTEM,
        charts.load_balancer_controller(
            cluster_name=b.cluster_name, region=b.region, vpc_id=args.vpc_id, role_arn=lbc_role.arn
        ),
        [lbc_policy],
    )
    release(b, "metrics-server", KUBE_SYSTEM, charts.metrics_server())
    am_role = b.irsa_role("alertmanager", MONITORING_NAMESPACE, charts.ALERTMANAGER_SERVICE_ACCOUNT)
    am_grants = [
        args.alert_topics[tier].grant_publish(b.compute, f"irsa-alertmanager-{tier}", am_role)
        for tier in charts.ALERT_SEVERITIES
    ]
    topic_arns = pulumi.Output.all(*[args.alert_topics[t].arn for t in charts.ALERT_SEVERITIES])
    prometheus = release(
        b,
        "kube-prometheus-stack",
        MONITORING_NAMESPACE,
        charts.kube_prometheus_stack(
            storage_class=STORAGE_CLASS,
            retention_days=PROMETHEUS_RETENTION_DAYS,
            prometheus_storage_gi=PROMETHEUS_STORAGE_GI,
            node_agents_namespace=NODE_AGENTS_NAMESPACE,
            alertmanager=topic_arns.apply(
                lambda arns: charts.alertmanager_config(
                    region=b.region, topic_arns=dict(zip(charts.ALERT_SEVERITIES, arns, strict=True))
                )
            ),
            alertmanager_role_arn=am_role.arn,
        ),
        [b.ebs_csi, b.storage_class, b.namespaces[NODE_AGENTS_NAMESPACE], *am_grants],
    )
    otel_role = b.irsa_role("otel-collector", MONITORING_NAMESPACE, "otel-collector")
    otel_policy = grant(b.compute, "irsa-otel-collector", otel_role, eks_iam.xray_writer())
    release(
        b,
        "otel-collector",
        MONITORING_NAMESPACE,
        charts.otel_collector(region=b.region, role_arn=otel_role.arn),
        [otel_policy],
        chart="opentelemetry-collector",
    )
    assert args.system_log_group is not None  # checked in _check
    fluent_role = b.irsa_role("fluent-bit", NODE_AGENTS_NAMESPACE, "fluent-bit")
    fluent_policies = [
        args.application_log_group.grant_write(b.compute, "irsa-fluent-bit", fluent_role),
        args.system_log_group.grant_write(b.compute, "irsa-fluent-bit-system", fluent_role),
    ]
    system_sections = args.system_log_group.name.apply(
        lambda group: charts.system_logs_config(
            region=b.region, log_group_name=group, namespaces=eks_plan.SYSTEM_LOG_NAMESPACES
        )
    )
    release(
        b,
        "fluent-bit",
        NODE_AGENTS_NAMESPACE,
        charts.fluent_bit(
            region=b.region,
            log_group_name=args.application_log_group.name,
            role_arn=fluent_role.arn,
            app_namespace=APP_NAMESPACE,
            system_inputs=system_sections.apply(lambda sections: sections[0]),
            system_outputs=system_sections.apply(lambda sections: sections[1]),
        ),
        fluent_policies,
        chart="aws-for-fluent-bit",
    )
    return ClusterServices(load_balancer_controller=lbc, prometheus=prometheus)
