"""The platform, per environment: config -> components in dependency order -> exports.

tier 0   BackendState                      state bucket + key, log archive
tier 1   Security -> Networking            keys, roles, WAF -> VPC, security groups, ALB
         (Monitoring follows Networking; Storage, ECR and Compute form tier 2)

Each arrow is a data dependency passed as typed arguments; nothing waits on a whole component.
"""

import pulumi
import pulumi_aws as aws

from components.backend_state import BackendState, BackendStateArgs
from components.config import load_config
from components.monitoring import Monitoring, MonitoringArgs
from components.networking import Networking, NetworkingArgs
from components.security import Security, SecurityArgs

cfg = load_config()  # raises ConfigError (a RunError: message, no traceback) before anything is registered

# One explicit provider carries the region and the tags every resource gets (CrossGuard's tag
# policy sees `defaultTags` on it); components inherit it from their parent options.
aws_provider = aws.Provider("aws", region=cfg.region, default_tags={"tags": cfg.resource_tags()})
opts = pulumi.ResourceOptions(providers={"aws": aws_provider})

backend = BackendState("backend", BackendStateArgs.from_config(cfg), opts=opts)
security = Security("security", SecurityArgs.from_config(cfg), opts=opts)
network = Networking(
    "network",
    NetworkingArgs.from_config(
        cfg,
        logs_key=security.keys.logs,
        flow_logs_role=security.roles.flow_logs,
        web_acl_arn=security.web_acl_arn,
        log_archive=backend.log_archive,
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
