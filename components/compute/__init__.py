"""The Compute component: the application's containers on ECS Fargate or EKS (per stack config).

`ComputeArgs` is everything Compute takes from the components above it (typed handles only);
`ecs.py` and `eks.py` turn it into resources parented to the `Compute` component.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi

from ..config import ComputeConfig
from ..naming import Naming
from ..networking import LoadBalancerRef, TargetGroupRef
from ..refs import BucketRef, CacheEndpoint, DatabaseEndpoint, LogGroupRef, RepositoryRef
from ..security import SecurityKeys, SecurityRoles


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
