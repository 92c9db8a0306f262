"""The platform, per environment: config -> seven components in the seed's dependency graph -> exports.

BackendState (global)
   ├─> Networking ──┐
   ├─> Security  ───┼─> Storage, Compute, ECR
   └─> Monitoring ──┘
"""

import pulumi
import pulumi_aws as aws

from components.config import load_config

cfg = load_config()  # raises ConfigError (a RunError: message, no traceback) before anything is registered

# One explicit provider carries the region and the tags every resource gets (CrossGuard's tag
# policy sees `defaultTags` on it); components inherit it from their parent options.
aws_provider = aws.Provider("aws", region=cfg.region, default_tags={"tags": cfg.resource_tags()})
opts = pulumi.ResourceOptions(providers={"aws": aws_provider})

pulumi.export("environment", cfg.environment)
pulumi.export("region", cfg.region)
