"""The platform, wired once: config -> components in dependency order -> exports.

    tier 0   BackendState                      state bucket + key, log archive
    tier 1   Security -> Networking -> Monitoring
    tier 2   ECR, Storage -> Compute            (ECS Fargate or EKS, per compute.platform)

Each arrow is a data dependency passed as typed arguments; nothing waits on a whole component.
The stack program (`__main__.py`), the multi-language component and the tests all build the
platform through `build_platform`, so there is one wiring to keep right. Resource names do not
depend on the caller: run as the stack program, every URN is exactly the stack's.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from secure_platform.backend.component import BackendState, BackendStateArgs
from secure_platform.compute.component import Compute, ComputeArgs
from secure_platform.config import StackConfig
from secure_platform.ecr.component import Ecr, EcrArgs
from secure_platform.monitoring.component import Monitoring, MonitoringArgs
from secure_platform.networking.component import Networking, NetworkingArgs, runner_security_groups
from secure_platform.security.component import Security, SecurityArgs
from secure_platform.storage.component import Storage, StorageArgs


@dataclass(frozen=True, eq=False)
class Foundation:
    """Tier 0 and the start of tier 1: what every other component builds on."""

    config: StackConfig
    opts: pulumi.ResourceOptions
    """Carries the stack's explicit AWS provider; pass it to anything built beside the platform."""
    regional_providers: dict[str, aws.Provider]
    """Providers of the second Regions (replication, backup copies), by Region."""
    backend: BackendState
    security: Security
    network: Networking


@dataclass(frozen=True, eq=False)
class Platform(Foundation):
    """Every component of one environment."""

    monitoring: Monitoring
    storage: Storage
    ecr: Ecr
    compute: Compute


def build_foundation(cfg: StackConfig, opts: pulumi.ResourceOptions | None = None) -> Foundation:
    """BackendState, Security and Networking with the stack's providers.

    One explicit provider carries the region and the tags every resource gets (CrossGuard's tag
    policy sees `defaultTags` on it); components inherit it from their parent options. `opts` may
    name a parent (the multi-language component does); the stack program passes none.
    """
    parent = opts or pulumi.ResourceOptions()
    tags: aws.ProviderDefaultTagsArgsDict = {"tags": cfg.resource_tags()}
    accounts = list(cfg.allowed_account_ids) or None
    aws_provider = aws.Provider("aws", region=cfg.region, default_tags=tags, allowed_account_ids=accounts, opts=parent)
    component_opts = pulumi.ResourceOptions.merge(parent, pulumi.ResourceOptions(providers={"aws": aws_provider}))
    second_regions = {r for r in (cfg.storage.replication_region, cfg.backup.copy_region) if r is not None}
    regional_providers = {
        region: aws.Provider(
            f"aws-{region}", region=region, default_tags=tags, allowed_account_ids=accounts, opts=parent
        )
        for region in sorted(second_regions)
    }
    backend = BackendState(
        "backend", BackendStateArgs.from_config(cfg, providers=regional_providers), opts=component_opts
    )
    security = Security("security", SecurityArgs.from_config(cfg), opts=component_opts)
    network = Networking(
        "network",
        NetworkingArgs.from_config(
            cfg,
            logs_key=security.keys.logs,
            flow_logs_role=security.roles.flow_logs,
            web_acl_arn=security.web_acl_arn,
            log_archive=backend.log_archive,
            # Deploy runners in the VPC reach the private EKS API and every interface endpoint on 443.
            runner_security_group_ids=runner_security_groups(cfg),
        ),
        opts=component_opts,
    )
    return Foundation(cfg, component_opts, regional_providers, backend, security, network)


def build_platform(cfg: StackConfig, opts: pulumi.ResourceOptions | None = None) -> Platform:
    """Every component of the environment `cfg` describes (validated config: see `load_config`)."""
    base = build_foundation(cfg, opts)
    backend, security, network, component_opts = base.backend, base.security, base.network, base.opts
    monitoring = Monitoring(
        "monitoring",
        MonitoringArgs.from_config(
            cfg,
            logs_key=security.keys.logs,
            state_bucket=backend.state_bucket,
            log_archive=backend.log_archive,
            log_archive_replication=backend.log_archive_replication,
            load_balancer=network.alb,
            target_groups=network.target_groups,
            nat_gateway_ids=network.nat_gateway_ids,
            # Compute's EKS platform always runs the CloudWatch Observability add-on (node metrics).
            eks_container_insights=cfg.compute.platform == "eks",
        ),
        opts=component_opts,
    )
    storage = Storage(
        "storage",
        StorageArgs.from_config(
            cfg,
            keys=security.keys,
            rds_monitoring_role=security.roles.rds_monitoring,
            db_subnet_group_name=network.db_subnet_group_name,
            cache_subnet_group_name=network.cache_subnet_group_name,
            database_security_group_id=network.security_groups.database,
            cache_security_group_id=network.security_groups.cache,
            log_archive=backend.log_archive,
            providers=base.regional_providers,
            regional_log_archive=backend.regional_log_archive,
        ),
        opts=component_opts,
    )
    ecr = Ecr(
        "ecr",
        EcrArgs.from_config(
            cfg,
            data_key=security.keys.data,
            pull_roles=[security.roles.ecs_task_execution, security.roles.eks_node],
        ),
        opts=component_opts,
    )
    compute = Compute(
        "compute",
        ComputeArgs.from_config(
            cfg,
            network=network,
            security=security,
            database=storage.database,
            cache=storage.cache,
            assets_bucket=storage.assets_bucket,
            repositories=ecr.repositories,
            application_log_group=monitoring.application_log_group,
            alert_topics=monitoring.topics,
            system_log_group=monitoring.log_groups.system,
            runner_security_group_ids=runner_security_groups(cfg),
        ),
        opts=component_opts,
    )
    return Platform(
        cfg,
        component_opts,
        base.regional_providers,
        backend,
        security,
        network,
        monitoring,
        storage,
        ecr,
        compute,
    )


def stack_outputs(platform: Platform) -> dict[str, object]:
    """The stack's outputs (names are the runbooks' and CI's contract). Secrets appear only as
    ARNs, never as values."""
    cfg, backend, network = platform.config, platform.backend, platform.network
    storage, monitoring, compute = platform.storage, platform.monitoring, platform.compute
    return {
        "environment": cfg.environment,
        "region": cfg.region,
        "stateBackendUrl": backend.login_url,
        "secretsProvider": backend.secrets_provider,
        "logArchiveBucket": backend.log_archive.name,
        "vpcId": network.vpc_id,
        "publicSubnetIds": network.public_subnet_ids,
        "privateSubnetIds": network.private_subnet_ids,
        "databaseSubnetIds": network.database_subnet_ids,
        "albDnsName": network.alb.dns_name,
        "sessionDocument": platform.security.session_document_name,
        "dashboardUrl": monitoring.dashboard_url,
        "alarmTopicArns": {tier: topic.arn for tier, topic in monitoring.topics.items()},
        "databaseEndpoint": storage.database.address,
        "databasePort": storage.database.port,
        "databaseMasterSecretArn": storage.database.master_secret.arn,
        "cacheEndpoint": storage.cache.address if storage.cache is not None else None,
        "assetsBucket": storage.assets_bucket.name,
        "backupVault": storage.backup_vault_name,
        "ecrRepositoryUrls": {service: repo.url for service, repo in platform.ecr.repositories.items()},
        # What must be in ECR before compute starts (`make images` pushes them, preflight checks them).
        "imageUris": compute.image_uris,
        "computePlatform": compute.platform,
        "clusterName": compute.cluster_name,
        "backendUrl": compute.backend_url,
        "frontendUrl": compute.frontend_url,
    }
