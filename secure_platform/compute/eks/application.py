"""The application's Kubernetes workloads on the EKS platform: NetworkPolicies, and per workload
its ServiceAccount (with an IRSA role when it calls AWS), Deployment, Service, autoscaler,
disruption budget, ServiceMonitor and `TargetGroupBinding`; plus the cache (in-cluster Redis or
the ElastiCache endpoint) the backend reads.

Split from `component` because the workloads are the application's concern, built from the
plans in `eks_plan` and `k8s.workloads`, while `component` owns the cluster they run on. `deploy`
takes the `_EksBuilder` of `component` and runs after the cluster services, whose load balancer
controller and Prometheus the bindings and monitors wait for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random

from secure_platform.compute.eks import plan as eks_plan
from secure_platform.compute.eks import versions as eks_versions
from secure_platform.compute.eks.cluster_services import STORAGE_CLASS
from secure_platform.compute.eks.k8s import workloads
from secure_platform.compute.eks.network_policy_plan import network_policies
from secure_platform.compute.eks.plan import APP_NAMESPACE, MONITORING_NAMESPACE, REDIS, FlowLayout, WorkloadSpec

if TYPE_CHECKING:
    from secure_platform.compute.eks.component import _EksBuilder


def deploy(b: _EksBuilder) -> None:
    """Create the application's workloads in its namespace."""
    args = b.args
    ns = APP_NAMESPACE
    ns_dep = [b.namespaces[ns]]
    cache = "in-cluster" if args.in_cluster_cache else ("elasticache" if args.cache is not None else "none")
    layout = FlowLayout(
        alb_cidrs=tuple(args.public_subnet_cidrs),
        database_cidrs=tuple(args.database_subnet_cidrs),
        database_port=5432 if args.database.engine == "postgres" else 3306,
        cache=cache,
        specs=b.specs,
    )
    policies = network_policies(
        ns,
        eks_plan.policed_workloads(layout),
        eks_plan.documented_flows(layout),
        labels=workloads.common_labels(b.project),
    )
    for policy in policies:
        k8s.networking.v1.NetworkPolicy(
            f"netpol-{policy['metadata']['name']}",
            metadata=policy["metadata"],
            spec=policy["spec"],
            opts=b.k8s_opts(ns_dep),
        )
    redis_env = _redis(b, ns_dep) if args.in_cluster_cache else _elasticache_env(b)
    for spec in b.specs:
        role = b.irsa_role(spec.name, ns, spec.name) if spec.calls_aws else None
        if role is not None:
            args.database.master_secret.grant_read(b.compute, f"irsa-{spec.name}-db-secret", role)
            if args.cache is not None and args.cache.auth_secret is not None:
                args.cache.auth_secret.grant_read(b.compute, f"irsa-{spec.name}-cache-secret", role)
        sa = workloads.service_account(spec.name, ns, b.project, role_arn=role.arn if role else None)
        account = k8s.core.v1.ServiceAccount(
            f"sa-{spec.name}",
            metadata=sa["metadata"],
            automount_service_account_token=sa["automountServiceAccountToken"],
            opts=b.k8s_opts(ns_dep),
        )
        repo = args.repositories[spec.repository]
        image = pulumi.Output.concat(repo.url, ":", args.config.image_tag)
        env = _env(b, spec, redis_env if spec.name == "backend" else [])
        dep = workloads.deployment(spec, ns=ns, project=b.project, image=image, env=env, service_account_name=spec.name)
        deployment = k8s.apps.v1.Deployment(
            spec.name,
            metadata=dep["metadata"],
            spec=dep["spec"],
            opts=b.k8s_opts([*b.ready, account], ignore_changes=["spec.replicas"]),
        )
        svc = workloads.service(spec, ns=ns, project=b.project)
        service = k8s.core.v1.Service(spec.name, metadata=svc["metadata"], spec=svc["spec"], opts=b.k8s_opts(ns_dep))
        hpa = workloads.horizontal_pod_autoscaler(spec, ns=ns, project=b.project)
        k8s.autoscaling.v2.HorizontalPodAutoscaler(
            spec.name, metadata=hpa["metadata"], spec=hpa["spec"], opts=b.k8s_opts([deployment])
        )
        pdb = workloads.pod_disruption_budget(spec.name, ns=ns, project=b.project)
        k8s.policy.v1.PodDisruptionBudget(
            spec.name, metadata=pdb["metadata"], spec=pdb["spec"], opts=b.k8s_opts(ns_dep)
        )
        monitor = workloads.service_monitor(spec, ns=ns, project=b.project)
        k8s.apiextensions.CustomResource(
            f"{spec.name}-metrics",
            api_version="monitoring.coreos.com/v1",
            kind="ServiceMonitor",
            metadata=monitor["metadata"],
            spec=monitor["spec"],
            opts=b.k8s_opts([b.prometheus, service]),
        )
        if spec.target_group is not None:
            tgb = workloads.target_group_binding(
                spec, ns=ns, project=b.project, target_group_arn=args.target_groups[spec.target_group].arn
            )
            k8s.apiextensions.CustomResource(
                f"{spec.name}-{spec.target_group}-binding",
                api_version="elbv2.k8s.aws/v1beta1",
                kind="TargetGroupBinding",
                metadata=tgb["metadata"],
                spec=tgb["spec"],
                opts=b.k8s_opts([b.lbc, service]),
            )


def _env(b: _EksBuilder, spec: WorkloadSpec, extra: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    args = b.args
    env: list[dict[str, Any]] = [{"name": "PORT", "value": str(spec.port)}]
    if spec.name == "frontend":
        env.append({"name": "API_UPSTREAM", "value": _url(b, "api-gateway")})
    if spec.name == "api-gateway":
        env.append({"name": "BACKEND_URL", "value": _url(b, "backend")})
    if spec.calls_aws:
        env += [
            {"name": "AWS_REGION", "value": b.region},
            {"name": "AWS_STS_REGIONAL_ENDPOINTS", "value": "regional"},
        ]
    if spec.name == "backend":
        db = args.database
        env += [
            {"name": "DB_ENGINE", "value": db.engine},
            {"name": "DB_HOST", "value": db.address},
            {"name": "DB_PORT", "value": db.port.apply(str)},
            {"name": "DB_NAME", "value": db.database_name},
            # The ARN, never the value: the backend reads the RDS-managed secret with its IRSA role.
            {"name": "DB_SECRET_ARN", "value": db.master_secret.arn},
            *extra,
        ]
    if spec.traces:
        env += [
            {"name": "OTEL_SERVICE_NAME", "value": spec.name},
            {
                "name": "OTEL_EXPORTER_OTLP_ENDPOINT",
                "value": f"http://otel-collector.{MONITORING_NAMESPACE}.svc.cluster.local:{eks_plan.OTLP_GRPC_PORT}",
            },
        ]
    return env


def _url(b: _EksBuilder, name: str) -> str:
    spec = next(s for s in b.specs if s.name == name)
    return f"http://{name}.{APP_NAMESPACE}.svc.cluster.local:{spec.port}"


def _elasticache_env(b: _EksBuilder) -> list[dict[str, Any]]:
    cache = b.args.cache
    if cache is None:
        return []
    env: list[dict[str, Any]] = [
        {"name": "REDIS_HOST", "value": cache.address},
        {"name": "REDIS_PORT", "value": str(cache.port)},
        {"name": "REDIS_TLS", "value": "true"},
    ]
    if cache.auth_secret is not None:
        env.append({"name": "REDIS_AUTH_SECRET_ARN", "value": cache.auth_secret.arn})
    return env


def _redis(b: _EksBuilder, ns_dep: Sequence[pulumi.Resource]) -> list[dict[str, Any]]:
    """Redis in the cluster (`cache.provider: in-cluster`): password generated into state
    (encrypted as a secret) and a Kubernetes Secret (envelope-encrypted by EKS)."""
    ns = APP_NAMESPACE
    password = random.RandomPassword("redis-auth", length=32, special=False, opts=b.opts())
    config = password.result.apply(lambda pw: workloads.redis_config(REDIS, pw))
    secret = k8s.core.v1.Secret(
        "redis",
        metadata={"name": "redis", "namespace": ns, "labels": workloads.common_labels(b.project)},
        type="Opaque",
        string_data={
            workloads.REDIS_CONFIG_KEY: pulumi.Output.secret(config),
            workloads.REDIS_PASSWORD_KEY: password.result,
        },
        opts=b.k8s_opts(ns_dep),
    )
    sa = workloads.service_account(REDIS.name, ns, b.project)
    account = k8s.core.v1.ServiceAccount(
        "sa-redis",
        metadata=sa["metadata"],
        automount_service_account_token=False,
        opts=b.k8s_opts(ns_dep),
    )
    svc = workloads.redis_service(REDIS, ns=ns, project=b.project)
    k8s.core.v1.Service("redis", metadata=svc["metadata"], spec=svc["spec"], opts=b.k8s_opts(ns_dep))
    sts = workloads.redis_statefulset(
        REDIS,
        ns=ns,
        project=b.project,
        image=eks_versions.REDIS_IMAGE,
        uid=eks_versions.REDIS_UID,
        secret_name=REDIS.name,
        storage_class=STORAGE_CLASS,
        service_account_name=REDIS.name,
    )
    k8s.apps.v1.StatefulSet(
        "redis",
        metadata=sts["metadata"],
        spec=sts["spec"],
        opts=b.k8s_opts([*b.ready, b.ebs_csi, b.storage_class, secret, account]),
    )
    return [
        {"name": "REDIS_HOST", "value": f"{REDIS.name}.{ns}.svc.cluster.local"},
        {"name": "REDIS_PORT", "value": str(REDIS.port)},
        {"name": "REDIS_TLS", "value": "false"},
        {
            "name": "REDIS_PASSWORD",
            "valueFrom": {"secretKeyRef": {"name": "redis", "key": workloads.REDIS_PASSWORD_KEY}},
        },
    ]
