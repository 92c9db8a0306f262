"""The platform, per environment: config -> components in dependency order -> exports.

tier 0   BackendState                      state bucket + key, log archive
tier 1   Security -> Networking -> Monitoring
tier 2   ECR, Storage -> Compute            (ECS Fargate or EKS, per platform:compute.platform)

Each arrow is a data dependency passed as typed arguments; nothing waits on a whole component.
"""

import pulumi
import pulumi_aws as aws

from components.backend_state import BackendState, BackendStateArgs
from components.compute import Compute, ComputeArgs
from components.config import load_config
from components.ecr import Ecr, EcrArgs
from components.monitoring import Monitoring, MonitoringArgs
from components.networking import Networking, NetworkingArgs, runner_security_groups
from components.replication import regional_providers as regional_providers_for
from components.security import Security, SecurityArgs
from components.storage import Storage, StorageArgs

cfg = load_config()  # raises ConfigError (a RunError: message, no traceback) before anything is registered

# One explicit provider carries the region and the tags every resource gets (CrossGuard's tag
# policy sees `defaultTags` on it); components inherit it from their parent options.
aws_provider = aws.Provider("aws", region=cfg.region, default_tags={"tags": cfg.resource_tags()})
opts = pulumi.ResourceOptions(providers={"aws": aws_provider})
# Deploy runners in the VPC reach the private EKS API and every interface endpoint on 443.
runner_groups = runner_security_groups(cfg)
# Second Regions (replication, backup copies): same tags, passed to BackendState and Storage.
regional_providers = regional_providers_for(cfg)

backend = BackendState("backend", BackendStateArgs.from_config(cfg, providers=regional_providers), opts=opts)
security = Security("security", SecurityArgs.from_config(cfg), opts=opts)
network = Networking(
    "network",
    NetworkingArgs.from_config(
        cfg,
        logs_key=security.keys.logs,
        flow_logs_role=security.roles.flow_logs,
        web_acl_arn=security.web_acl_arn,
        log_archive=backend.log_archive,
        runner_security_group_ids=runner_groups,
    ),
    opts=opts,
)
monitoring = Monitoring(
    "monitoring",
    MonitoringArgs.from_config(
        cfg,
        logs_key=security.keys.logs,
        state_bucket=backend.state_bucket,
        log_archive=backend.log_archive,
        load_balancer=network.alb,
        target_groups=network.target_groups,
        nat_gateway_ids=network.nat_gateway_ids,
        # Compute's EKS platform always runs the CloudWatch Observability add-on (node metrics).
        eks_container_insights=cfg.compute.platform == "eks",
    ),
    opts=opts,
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
        providers=regional_providers,
        regional_log_archive=backend.regional_log_archive,
    ),
    opts=opts,
)
ecr = Ecr(
    "ecr",
    EcrArgs.from_config(
        cfg,
        data_key=security.keys.data,
        pull_roles=[security.roles.ecs_task_execution, security.roles.eks_node],
    ),
    opts=opts,
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
        runner_security_group_ids=runner_groups,
    ),
    opts=opts,
)

pulumi.export("environment", cfg.environment)
pulumi.export("region", cfg.region)
pulumi.export("stateBackendUrl", backend.login_url)
pulumi.export("secretsProvider", backend.secrets_provider)
pulumi.export("logArchiveBucket", backend.log_archive.name)
pulumi.export("vpcId", network.vpc_id)
pulumi.export("publicSubnetIds", network.public_subnet_ids)
pulumi.export("privateSubnetIds", network.private_subnet_ids)
pulumi.export("databaseSubnetIds", network.database_subnet_ids)
pulumi.export("albDnsName", network.alb.dns_name)
pulumi.export("sessionDocument", security.session_document_name)
pulumi.export("dashboardUrl", monitoring.dashboard_url)
pulumi.export("alarmTopicArns", {tier: topic.arn for tier, topic in monitoring.topics.items()})
pulumi.export("databaseEndpoint", storage.database.address)
pulumi.export("databasePort", storage.database.port)
pulumi.export("databaseMasterSecretArn", storage.database.master_secret.arn)  # the ARN, never the value
pulumi.export("cacheEndpoint", storage.cache.address if storage.cache is not None else None)
pulumi.export("assetsBucket", storage.assets_bucket.name)
pulumi.export("backupVault", storage.backup_vault_name)
pulumi.export("ecrRepositoryUrls", {service: repo.url for service, repo in ecr.repositories.items()})
# What must be in ECR before compute starts (`make images` pushes them, preflight checks them).
pulumi.export("imageUris", compute.image_uris)
pulumi.export("computePlatform", compute.platform)
pulumi.export("clusterName", compute.cluster_name)
pulumi.export("backendUrl", compute.backend_url)
pulumi.export("frontendUrl", compute.frontend_url)
