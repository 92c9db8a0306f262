"""The Compute component: the application's containers on ECS Fargate or EKS (per stack config).

`ComputeArgs` is everything Compute takes from the components above it (typed handles only);
`ecs.py` and `eks.py` turn it into resources parented to the `Compute` component.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

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
