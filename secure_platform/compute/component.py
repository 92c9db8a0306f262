"""The Compute component: the application's containers on ECS Fargate or EKS (per stack config).

`ComputeArgs` is everything Compute takes from the components above it (typed handles only);
`ecs.py` and `eks.py` turn it into resources parented to the `Compute` component.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi

from secure_platform.compute.errors import ComputeError
from secure_platform.config import ComputeConfig, StackConfig
from secure_platform.core.naming import Naming
from secure_platform.core.refs import BucketRef, CacheEndpoint, DatabaseEndpoint, LogGroupRef, RepositoryRef, TopicRef
from secure_platform.monitoring.alarms import Tier
from secure_platform.networking.component import LoadBalancerRef, Networking, TargetGroupRef
from secure_platform.security.component import Security, SecurityKeys, SecurityRoles

__all__ = ["Compute", "ComputeArgs", "ComputeError"]


@dataclass(frozen=True, eq=False)
class ComputeArgs:
    naming: Naming
    environment: str
    protect: bool
    config: ComputeConfig
    log_retention_days: int
    # Networking
    vpc_id: pulumi.Output[str]
    private_subnet_ids: Sequence[pulumi.Output[str]]
    availability_zones: Sequence[pulumi.Output[str]]
    app_security_group_id: pulumi.Output[str]
    alb: LoadBalancerRef
    target_groups: Mapping[str, TargetGroupRef]
    # Security
    keys: SecurityKeys
    roles: SecurityRoles
    web_acl_arn: pulumi.Output[str]
    # Storage
    database: DatabaseEndpoint
    cache: CacheEndpoint | None
    assets_bucket: BucketRef | None
    # ECR
    repositories: Mapping[str, RepositoryRef]
    # Monitoring
    application_log_group: LogGroupRef
    # ECS Exec and the backend URL
    domain_name: str
    """The public DNS name the ALB serves (`platform:domain.name`): the backend URL's host."""
    session_log_group: LogGroupRef
    """Security's encrypted Session Manager log group: ECS Exec sessions are streamed there too."""

    # Used by the EKS platform (ECS ignores them); defaults keep ECS callers unchanged.
    public_subnet_cidrs: Sequence[str] = ()
    """Subnets of the ALB's nodes: the source the application pods' NetworkPolicies admit."""
    database_subnet_cidrs: Sequence[str] = ()
    """Subnets of RDS and ElastiCache: the destinations the backend's egress policy allows."""
    in_cluster_cache: bool = False
    """`cache.provider: in-cluster`: Redis runs in the cluster as a StatefulSet (`cache` is None)."""
    resource_tags: Mapping[str, str] = field(default_factory=dict)
    """The stack's tags, for what AWS launches on our behalf (node instances, their volumes and
    network interfaces), which the provider's default tags do not reach."""
    alert_topics: Mapping[Tier, TopicRef] = field(default_factory=dict)
    """Monitoring's alarm topics by tier: the EKS cluster's Alertmanager publishes its critical
    and warning alerts to them, so in-cluster alerts page the same people as CloudWatch alarms."""
    system_log_group: LogGroupRef | None = None
    """Monitoring's system group: the EKS cluster services' container logs."""
    runner_security_group_ids: Sequence[str] = ()
    """Deploy runners (CI, bastions) in the VPC: the private EKS API admits them on 443 (the same
    groups Networking's interface endpoints admit)."""

    @classmethod
    def from_config(
        cls,
        cfg: StackConfig,
        *,
        network: Networking,
        security: Security,
        database: DatabaseEndpoint,
        cache: CacheEndpoint | None,
        assets_bucket: BucketRef | None,
        repositories: Mapping[str, RepositoryRef],
        application_log_group: LogGroupRef,
        alert_topics: Mapping[Tier, TopicRef] | None = None,
        system_log_group: LogGroupRef | None = None,
        runner_security_group_ids: Sequence[str] = (),
    ) -> ComputeArgs:
        """The args from the stack config and the typed attributes of the upstream components."""
        return cls(
            naming=cfg.naming,
            environment=cfg.environment,
            protect=cfg.protect,
            config=cfg.compute,
            log_retention_days=cfg.monitoring.log_retention_days,
            vpc_id=network.vpc_id,
            private_subnet_ids=network.private_subnet_ids,
            availability_zones=network.availability_zones,
            app_security_group_id=network.security_groups.app,
            alb=network.alb,
            target_groups=network.target_groups,
            keys=security.keys,
            roles=security.roles,
            web_acl_arn=security.web_acl_arn,
            database=database,
            cache=cache,
            assets_bucket=assets_bucket,
            repositories=repositories,
            application_log_group=application_log_group,
            domain_name=cfg.domain.name,
            session_log_group=security.session_log_group,
            public_subnet_cidrs=tuple(cfg.network.subnet_cidrs()["public"]),
            database_subnet_cidrs=tuple(cfg.network.subnet_cidrs()["database"]),
            in_cluster_cache=cfg.cache.provider == "in-cluster",
            resource_tags=cfg.resource_tags(),
            alert_topics=dict(alert_topics or {}),
            system_log_group=system_log_group,
            runner_security_group_ids=tuple(runner_security_group_ids),
        )


class Compute(pulumi.ComponentResource):
    """The application platform of the stack: `platform:compute.platform` picks ECS or EKS."""

    platform: str
    backend_url: str
    """`https://<domain>/api`: where the ALB routes the API (`alb_plan`)."""
    frontend_url: str
    cluster_name: pulumi.Output[str]
    cluster_arn: pulumi.Output[str] | None
    service_name: pulumi.Output[str] | None
    """The ECS service (alarms and dashboards use `naming.ecs_service`, the same name); None on EKS."""
    image_uris: dict[str, pulumi.Output[str]]
    """`<repository URL>:<compute.imageTag>` of every image of ours the platform runs, by
    repository: what must be in ECR before compute starts (the deploy's image step and preflight
    check these; the stack exports them as `imageUris`)."""
    ecs: Any
    """`ecs.EcsOutputs` on ECS, else None."""
    eks: Any
    """What `eks.build` returns on EKS, else None."""

    def __init__(self, name: str, args: ComputeArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:index:Compute", name, None, opts)
        platform = args.config.platform
        self.platform = platform
        self.frontend_url = f"https://{args.domain_name}/"
        self.backend_url = f"https://{args.domain_name}/api"
        self.ecs = self.eks = None
        self.service_name = None
        outputs: dict[str, Any] = {"platform": platform, "backendUrl": self.backend_url}
        self.image_uris = image_uris(args)
        if platform == "ecs":
            from secure_platform.compute.ecs import component as ecs

            built = ecs.build(self, args)
            self.ecs = built
            self.cluster_name, self.cluster_arn = built.cluster_name, built.cluster_arn
            self.service_name = built.service_name
            outputs |= {
                "clusterName": built.cluster_name,
                "clusterArn": built.cluster_arn,
                "serviceName": built.service_name,
                "taskDefinitionArn": built.task_definition_arn,
            }
        elif platform == "eks":
            from secure_platform.compute.eks import component as eks

            self.eks = eks.build(self, args)
            self.cluster_name = self.eks.cluster_name
            self.cluster_arn = self.eks.cluster_arn
            outputs |= {"clusterName": self.cluster_name}
        else:
            raise ComputeError("platform:compute.platform", platform, "is not allowed; allowed values: ecs, eks")
        outputs["imageUris"] = self.image_uris
        self.register_outputs(outputs)


def image_uris(args: ComputeArgs) -> dict[str, pulumi.Output[str]]:
    """The images of ours the configured platform runs (ECS: the task's containers; EKS: the
    workloads' repositories), tagged `compute.imageTag`."""
    if args.config.platform == "ecs":
        from secure_platform.compute.ecs import task_plan

        names: Sequence[str] = task_plan.CONTAINER_NAMES
    else:
        from secure_platform.compute.eks import component as eks

        names = eks.REQUIRED_REPOSITORIES
    return {
        name: pulumi.Output.concat(args.repositories[name].url, ":", args.config.image_tag)
        for name in names
        if name in args.repositories
    }
