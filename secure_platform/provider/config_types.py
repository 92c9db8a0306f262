"""Argument types of the `SecurePlatform` multi-language component: one TypedDict per stack-config
section, with the same keys (camelCase in the schema) and the same rules as `Pulumi.<stack>.yaml`.

Generated from `secure_platform.config` by `python -m secure_platform.provider.generate`; do not edit.
No `from __future__ import annotations`: the SDK's analyzer reads these annotations as real types.
"""

from typing import NotRequired, TypedDict


class TagsArgs(TypedDict):
    """Ownership tags; Project and Environment are added from the stack."""

    owner: str
    """Team that owns the stack (tag `Owner`). Allowed: 1-256 of letters, digits, spaces and _ . : / = + - @."""
    cost_center: str
    """Cost center billed (tag `CostCenter`). Allowed: 1-256 of letters, digits, spaces and _ . : / = + - @."""
    extra: NotRequired[dict[str, str]]
    """More tags applied to every resource. Allowed: up to 40 tags; keys 1-128 characters, not starting with aws:, other than Project, Environment, Owner, CostCenter, ManagedBy; values up to 256 characters; letters, digits, spaces and _ . : / = + - @. Default: {}."""


class NetworkArgs(TypedDict):
    """VPC layout: CIDRs per tier, AZs, NAT strategy, endpoints."""

    cidr: str
    """VPC IPv4 CIDR. Allowed: an IPv4 CIDR of /16 to /28 with no host bits set, e.g. 10.0.0.0/16."""
    az_count: int
    """Availability zones used (RDS subnet groups need 2+). Allowed: 2-6."""
    nat_gateways: str
    """`perAz` keeps egress in each AZ, `single` is cheapest, `none` has no egress. Allowed: none, single, perAz."""
    public_subnet_cidrs: NotRequired[list[str]]
    """One per AZ; omitted: carved from `cidr`. Allowed: azCount IPv4 CIDRs (one per AZ), each a /16-/28 subnet of `cidr` overlapping no other subnet."""
    private_subnet_cidrs: NotRequired[list[str]]
    """One per AZ; omitted: carved from `cidr`. Allowed: azCount IPv4 CIDRs (one per AZ), each a /16-/28 subnet of `cidr` overlapping no other subnet."""
    database_subnet_cidrs: NotRequired[list[str]]
    """One per AZ; omitted: carved from `cidr`. Allowed: azCount IPv4 CIDRs (one per AZ), each a /16-/28 subnet of `cidr` overlapping no other subnet."""
    interface_endpoints: NotRequired[list[str]]
    """Interface VPC endpoints (each costs per AZ-hour). Allowed: ecr.api, ecr.dkr, logs, sts, secretsmanager, ssm, ssmmessages, ec2messages, kms. Default: []."""
    runner_security_group_ids: NotRequired[list[str]]
    """Security groups of the deploy runners (CI) that reach private APIs in the VPC: the EKS API endpoint and the interface endpoints. Allowed: security group ids, sg- then 8 or 17 hex digits. Default: []."""


class DomainArgs(TypedDict):
    """DNS name and TLS certificate of the load balancer."""

    name: str
    """DNS name served by the load balancer (e.g. app.example.com). Allowed: a lower-case DNS name, e.g. app.example.com."""
    hosted_zone_id: NotRequired[str]
    """Route 53 zone for ACM DNS validation. Allowed: a Route 53 hosted zone id, e.g. Z0123456789ABCDEFGHIJ; required unless certificateArn is given."""
    certificate_arn: NotRequired[str]
    """Existing ACM certificate; skips issuing one. Allowed: an ACM certificate ARN, arn:aws:acm:<region>:<account>:certificate/<uuid>."""


class DatabaseArgs(TypedDict):
    """The RDS instance."""

    engine: str
    """RDS engine. Allowed: postgres, mysql."""
    engine_version: str
    """Major version; minor upgrades are automatic (e.g. 15, 8.0). Allowed: a major version, optionally with its minor: postgres 13, 14, 15, 16, 17; mysql 8.0, 8.4."""
    instance_class: str
    """RDS instance class (e.g. db.t3.micro). Allowed: an RDS instance class db.<family>.<size>, e.g. db.t3.micro or db.r6g.large."""
    allocated_storage_gb: int
    """Initial gp3 storage (GiB). Allowed: postgres 20-65536; mysql 20-65536."""
    max_allocated_storage_gb: int
    """Storage autoscaling ceiling (GiB), >= allocated. Allowed: allocatedStorageGb-65536."""
    multi_az: bool
    """Standby in a second AZ. Allowed: true, false; true in prod."""
    backup_retention_days: int
    """Automated backup retention (0-35 days). Allowed: 0-35; at least 7 in prod."""
    database_name: NotRequired[str]
    """Initial database. Allowed: a letter, then up to 62 letters, digits or _. Default: "app"."""
    performance_insights: NotRequired[bool]
    """Performance Insights, encrypted with the data key. Allowed: true, false; false for mysql on db.t2.micro, db.t2.small, db.t3.micro, db.t3.small, db.t4g.micro, db.t4g.small. Default: true."""
    monitoring_interval_seconds: NotRequired[int]
    """Enhanced monitoring interval (0 disables). Allowed: 0, 1, 5, 10, 15, 30, 60. Default: 60."""
    backup_window: NotRequired[str]
    """Daily backup window (UTC, hh:mm-hh:mm). Allowed: hh:mm-hh:mm in UTC, e.g. 03:00-04:00, at least 30 minutes, not overlapping maintenanceWindow. Default: "03:00-04:00"."""
    maintenance_window: NotRequired[str]
    """Weekly maintenance window (UTC). Allowed: ddd:hh:mm-ddd:hh:mm in UTC (ddd: mon-sun), e.g. sun:04:30-sun:05:30, at least 30 minutes. Default: "sun:04:30-sun:05:30"."""


class CacheArgs(TypedDict):
    """Redis: ElastiCache, in-cluster (EKS) or none."""

    provider: NotRequired[str]
    """`in-cluster` (Redis StatefulSet) needs compute.platform eks. Allowed: elasticache, in-cluster, none; in-cluster only with compute.platform eks. Default: "elasticache"."""
    node_type: NotRequired[str]
    """ElastiCache node type. Allowed: an ElastiCache node type cache.<family>.<size>, e.g. cache.t4g.micro. Default: "cache.t4g.micro"."""
    engine_version: NotRequired[str]
    """Redis OSS engine version. Allowed: 6.2, 7.0, 7.1. Default: "7.1"."""
    num_cache_clusters: NotRequired[int]
    """Primary + replicas; 2+ enables failover. Allowed: 1-6; at least 2 in prod with elasticache. Default: 1."""
    snapshot_retention_days: NotRequired[int]
    """Daily snapshots kept. Allowed: 0-35; at least 7 in prod with elasticache. Default: 1."""


class ScheduleArgs(TypedDict):
    """Weekday business-hours floor; weekends stay at minTasks."""

    enabled: NotRequired[bool]
    """Scheduled scaling on weekdays. Allowed: true, false. Default: true."""
    weekday_scale_up_at: NotRequired[str]
    """Local time the business-hours floor starts. Allowed: hh:mm (24 h), e.g. 07:30. Default: "07:30"."""
    weekday_scale_down_at: NotRequired[str]
    """Local time the floor returns to minTasks. Allowed: hh:mm (24 h), e.g. 19:30. Default: "19:30"."""
    business_hours_min_tasks: NotRequired[int]
    """Task floor during business hours. Allowed: minTasks-maxTasks. Default: 2."""


class EcsArgs(TypedDict):
    """Fargate task size, scaling bounds and capacity-provider split."""

    cpu: int
    """Task CPU units (1024 = 1 vCPU). Allowed: 256, 512, 1024, 2048, 4096, 8192, 16384."""
    memory: int
    """Task memory (MiB), a valid Fargate pair with cpu. Allowed: cpu 256: 512, 1024, 2048 MiB; cpu 512: 1024, 2048, 3072, 4096 MiB; cpu 1024: 2048-8192 MiB in steps of 1024 MiB; cpu 2048: 4096-16384 MiB in steps of 1024 MiB; cpu 4096: 8192-30720 MiB in steps of 1024 MiB; cpu 8192: 16384-61440 MiB in steps of 4096 MiB; cpu 16384: 32768-122880 MiB in steps of 8192 MiB."""
    min_tasks: int
    """Autoscaling minimum. Allowed: 0-maxTasks."""
    max_tasks: int
    """Autoscaling maximum (ECS runs at most 5,000 tasks per service). Allowed: 1-5000."""
    spot_weight: int
    """FARGATE_SPOT share of tasks beyond the base. Allowed: >= 0; spotWeight and onDemandWeight not both 0."""
    on_demand_weight: int
    """FARGATE share of tasks beyond the base. Allowed: >= 0; spotWeight and onDemandWeight not both 0."""
    on_demand_base: int
    """Tasks always on FARGATE (on-demand). Allowed: 0-maxTasks."""
    schedule: NotRequired[ScheduleArgs]
    """Scheduled scaling."""


class NodeGroupArgs(TypedDict):
    """An on-demand managed node group."""

    instance_types: list[str]
    """On-demand instance types. Allowed: 1-20 EC2 instance types of one CPU architecture offered in aws:region, e.g. t3.medium."""
    min_size: int
    """Minimum nodes. Allowed: 0-maxSize."""
    max_size: int
    """Maximum nodes (EKS allows 450 per managed node group). Allowed: 1-450."""
    desired_size: int
    """Initial nodes (then owned by the cluster autoscaler). Allowed: minSize-maxSize."""
    disk_size_gb: NotRequired[int]
    """gp3 root volume (GiB). Allowed: 20-16384. Default: 50."""


class RangeArgs(TypedDict):
    """An inclusive numeric range."""

    min: float
    """Lower bound. Allowed: > 0; <= max."""
    max: float
    """Upper bound. Allowed: > 0."""


class SpotNodeGroupArgs(TypedDict):
    """The spot node group; its instance types come from the spot optimizer."""

    min_size: int
    """Minimum nodes. Allowed: 0-maxSize."""
    max_size: int
    """Maximum nodes (EKS allows 450 per managed node group). Allowed: 1-450."""
    desired_size: int
    """Initial nodes. Allowed: minSize-maxSize."""
    vcpus: RangeArgs
    """vCPU range of candidate types."""
    memory_gib: RangeArgs
    """Memory range (GiB) of candidate types."""
    architectures: NotRequired[list[str]]
    """Allowed: x86_64, arm64. Default: ["x86_64"]."""
    max_interruption_bucket: NotRequired[int]
    """Spot Advisor interruption bucket tolerated. Allowed: 0-4; Spot Advisor buckets: 0 <5 %, 1 5-10 %, 2 10-15 %, 3 15-20 %, 4 >20 %. Default: 2."""
    type_count: NotRequired[int]
    """Instance types to diversify over (3+ for placement scores). Allowed: 1-20. Default: 4."""
    burstable: NotRequired[bool]
    """Allow burstable (t*) types. Allowed: true, false. Default: false."""
    excluded_families: NotRequired[list[str]]
    """Families never chosen (e.g. t2). Allowed: EC2 instance families, e.g. t2, m5a. Default: []."""
    savings_threshold_percent: NotRequired[float]
    """Re-select only above this saving. Allowed: 0-100. Default: 10.0."""
    savings_threshold_usd_per_hour: NotRequired[float]
    """...and above this $/h. Allowed: >= 0. Default: 0.05."""
    disk_size_gb: NotRequired[int]
    """gp3 root volume (GiB). Allowed: 20-16384. Default: 50."""


class EksArgs(TypedDict):
    """The EKS cluster and its node groups."""

    version: str
    """Kubernetes version in EKS standard support. Allowed: 1.32, 1.33, 1.34, 1.35."""
    endpoint_public_access_cidrs: NotRequired[list[str]]
    """CIDRs allowed to the public API endpoint; empty: private only. Allowed: IPv4 CIDRs other than /0, e.g. 203.0.113.0/24, or 203.0.113.5/32 for one address. Default: []."""
    admin_role_arns: NotRequired[list[str]]
    """IAM roles given cluster-admin access entries. Allowed: IAM role ARNs, arn:aws:iam::<account>:role/<name>. Default: []."""
    api_client_security_group_ids: NotRequired[list[str]]
    """Security groups (CI runners, bastions in the VPC) allowed to reach the private API endpoint. Allowed: security group ids, sg- then 8 or 17 hex digits. Default: []."""
    read_only_role_arns: NotRequired[list[str]]
    """IAM roles given read-only access entries (CI preview and drift roles). Allowed: IAM role ARNs, arn:aws:iam::<account>:role/<name>, none of them in adminRoleArns. Default: []."""
    system_nodes: NodeGroupArgs
    """On-demand node group for cluster services."""
    spot_nodes: SpotNodeGroupArgs
    """Spot node group for non-critical workloads."""


class ComputeArgs(TypedDict):
    """Container platform and workload settings."""

    platform: str
    """Container platform. Allowed: ecs, eks."""
    image_tag: str
    """Image tag deployed from the ECR repositories (immutable tags). Allowed: 1-128 of A-Z a-z 0-9 _ . - (not starting with . or -), not latest; e.g. 1.4.2."""
    timezone: NotRequired[str]
    """IANA time zone for scheduled scaling. Allowed: an IANA time zone, e.g. UTC or Europe/Berlin. Default: "UTC"."""
    ecs: EcsArgs
    """ECS Fargate settings (used when platform is ecs)."""
    eks: NotRequired[EksArgs]
    """EKS settings (required when platform is eks)."""


class EcrArgs(TypedDict):
    """Image repositories."""

    repositories: NotRequired[list[str]]
    """One repository per service. Allowed: one or more distinct names of 2-200 lower-case letters, digits and . _ -. Default: ["frontend", "backend", "api-gateway", "sidecar"]."""
    untagged_expiry_days: NotRequired[int]
    """Untagged images expire after N days. Allowed: >= 1. Default: 7."""
    keep_release_count: NotRequired[int]
    """Release tags (v*) kept. Allowed: >= 1. Default: 30."""
    scanning: NotRequired[str]
    """Scan on push, or Inspector. Allowed: basic, enhanced. Default: "basic"."""


class StorageArgs(TypedDict):
    """S3 buckets: log expiry, version expiry, replication."""

    log_expiry_days: int
    """Objects in the logs bucket expire after N days. Allowed: >= 1."""
    backups_expiry_days: int
    """Objects in the backups bucket (and its replica) expire after N days. Allowed: >= 1."""
    noncurrent_expiry_days: NotRequired[int]
    """Noncurrent object versions expire. Allowed: >= 1. Default: 90."""
    replication_region: NotRequired[str]
    """Replicate the state, log-archive, assets and backups buckets here. Allowed: an AWS region name other than aws:region; required in prod."""


class BackupArgs(TypedDict):
    """AWS Backup plan and vault."""

    retention_days: NotRequired[int]
    """AWS Backup recovery point retention. Allowed: >= 1; at least 7 in prod. Default: 30."""
    copy_region: NotRequired[str]
    """Copy recovery points to this region. Allowed: an AWS region name other than aws:region; required in prod."""
    vault_lock: NotRequired[bool]
    """WORM vault lock (governance mode). Allowed: true, false; true in prod. Default: false."""
    continuous: NotRequired[bool]
    """Continuous backup (PITR) for RDS and S3: RPO 1 h. Allowed: true, false; true in prod. Default: true."""


class AlarmEmailsArgs(TypedDict):
    """Email subscribers per alarm severity."""

    critical: NotRequired[list[str]]
    """Emails paged on critical alarms. Allowed: email addresses; at least one in prod. Default: []."""
    warning: NotRequired[list[str]]
    """Allowed: email addresses. Default: []."""
    info: NotRequired[list[str]]
    """Allowed: email addresses. Default: []."""


class MonitoringArgs(TypedDict):
    """Logs retention, alarm routing, budget."""

    log_retention_days: int
    """CloudWatch log retention (days). Allowed: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653; at least 365 in prod."""
    alarm_emails: NotRequired[AlarmEmailsArgs]
    """SNS email subscriptions."""
    monthly_budget_usd: float
    """AWS Budgets monthly amount (alerts at 80 % and 100 %). Allowed: > 0."""
    anomaly_detection: NotRequired[bool]
    """Anomaly-detection alarms on requests and latency. Allowed: true, false. Default: true."""


class SecurityArgs(TypedDict):
    """WAF and KMS settings."""

    waf_rate_limit: NotRequired[int]
    """Requests per 5 min per IP. Allowed: 10-2000000000. Default: 2000."""
    kms_deletion_window_days: NotRequired[int]
    """KMS key deletion waiting period. Allowed: 7-30; at least 30 in prod. Default: 30."""
    widest_ingress_prefix: NotRequired[int]
    """Widest CIDR admitted to a private API (the EKS endpoint): /16 admits a /16 or narrower. Allowed: 8-32. Default: 16."""


class SecurePlatformArgs(TypedDict):
    """The whole platform of one environment: the stack configuration, section by section."""

    region: str
    """AWS Region of every resource (the provider's region). Allowed: a Region name such as eu-west-1."""
    environment: str
    """Environment name; prod enforces protection and Multi-AZ. Allowed: dev, staging, prod."""
    protect: NotRequired[bool]
    """`protect`, deletion protection and final snapshots on stateful resources. Allowed: true, false (true in prod). Default: false."""
    tags: TagsArgs
    """Ownership tags; Project and Environment are added from the stack (`platform:tags`)."""
    network: NetworkArgs
    """VPC layout: CIDRs per tier, AZs, NAT strategy, endpoints (`platform:network`)."""
    domain: DomainArgs
    """DNS name and TLS certificate of the load balancer (`platform:domain`)."""
    database: DatabaseArgs
    """The RDS instance (`platform:database`)."""
    cache: NotRequired[CacheArgs]
    """Redis: ElastiCache, in-cluster (EKS) or none (`platform:cache`)."""
    compute: ComputeArgs
    """Container platform and workload settings (`platform:compute`)."""
    ecr: NotRequired[EcrArgs]
    """Image repositories (`platform:ecr`)."""
    storage: StorageArgs
    """S3 buckets: log expiry, version expiry, replication (`platform:storage`)."""
    backup: NotRequired[BackupArgs]
    """AWS Backup plan and vault (`platform:backup`)."""
    monitoring: MonitoringArgs
    """Logs retention, alarm routing, budget (`platform:monitoring`)."""
    security: NotRequired[SecurityArgs]
    """WAF and KMS settings (`platform:security`)."""
