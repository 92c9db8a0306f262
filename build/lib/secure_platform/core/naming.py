"""Physical names shared across components (pure).

Some names are a contract between components that must not wait on each other: CloudWatch alarm
and dashboard dimensions (Monitoring) name the database, cache and cluster that Storage and Compute
create later; key policies (Security) scope the CloudWatch Logs service to our log-group prefix
before Monitoring creates the groups. Both sides take the name from here, and the full-stack tests
check that every alarm dimension names a resource that exists.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Naming:
    project: str
    environment: str
    region: str

    @property
    def prefix(self) -> str:
        """`<project>-<environment>`, the stem of every physical name."""
        return f"{self.project}-{self.environment}"

    # --- CloudWatch Logs ---------------------------------------------------------------------
    @property
    def log_group_root(self) -> str:
        return f"/{self.project}/{self.environment}"

    def log_group(self, purpose: str) -> str:
        """e.g. `/platform/dev/application`."""
        return f"{self.log_group_root}/{purpose}"

    def log_group_arn_pattern(self, account_id: str, partition: str = "aws") -> str:
        """Every log group of this stack, for key policies' encryption-context conditions."""
        return f"arn:{partition}:logs:{self.region}:{account_id}:log-group:{self.log_group_root}/*"

    @property
    def waf_log_group(self) -> str:
        """WAF only logs to groups whose name starts with `aws-waf-logs-`."""
        return f"aws-waf-logs-{self.prefix}"

    def aws_log_groups(self) -> tuple[str, ...]:
        """Log groups whose names AWS fixes (EKS control plane, Container Insights, RDS exports)."""
        return (
            f"/aws/eks/{self.eks_cluster}/cluster",
            f"/aws/containerinsights/{self.eks_cluster}/*",
            f"/aws/ecs/containerinsights/{self.ecs_cluster}/*",
            f"/aws/rds/instance/{self.db_identifier}/*",
        )

    # --- data stores -------------------------------------------------------------------------
    @property
    def db_identifier(self) -> str:
        return f"{self.prefix}-db"

    @property
    def cache_replication_group_id(self) -> str:
        # ElastiCache ids: at most 40 characters.
        return f"{self.prefix}-redis"[:40]

    def cache_member_clusters(self, count: int) -> tuple[str, ...]:
        """The node ids ElastiCache gives a cluster-mode-disabled replication group's members
        (`<group>-001`, `-002`, ...): the `CacheClusterId` dimension of their metrics."""
        return tuple(f"{self.cache_replication_group_id}-{i:03d}" for i in range(1, count + 1))

    @property
    def cache_auth_secret(self) -> str:
        return f"{self.prefix}/cache/auth-token"

    @property
    def db_parameter_group(self) -> str:
        return f"{self.prefix}-db".lower()

    def rds_log_group(self, log_type: str) -> str:
        """Where RDS exports a log type; AWS fixes the name (created first, encrypted, with retention)."""
        return f"/aws/rds/instance/{self.db_identifier}/{log_type}"

    @property
    def backup_vault(self) -> str:
        return f"{self.prefix}-vault"

    @property
    def backup_plan(self) -> str:
        return f"{self.prefix}-plan"

    # --- compute -----------------------------------------------------------------------------
    @property
    def ecs_cluster(self) -> str:
        return f"{self.prefix}-cluster"

    @property
    def ecs_service(self) -> str:
        return f"{self.prefix}-web"

    @property
    def eks_cluster(self) -> str:
        return f"{self.prefix}-eks"

    def ecr_repository(self, service: str) -> str:
        return f"{self.project}/{self.environment}/{service}"

    @property
    def trail(self) -> str:
        return f"{self.prefix}-trail"

    def trail_arn(self, account_id: str, partition: str = "aws") -> str:
        return f"arn:{partition}:cloudtrail:{self.region}:{account_id}:trail/{self.trail}"

    # --- buckets and documents ---------------------------------------------------------------
    def bucket(self, purpose: str, account_id: str) -> str:
        """`<prefix>-<purpose>-<account>-<region>`: globally unique, and known before it exists."""
        name = f"{self.prefix}-{purpose}-{account_id}-{self.region}".lower()
        if len(name) > 63:
            raise ValueError(f"bucket name {name!r} is {len(name)} characters; S3 allows 63 (shorten the project name)")
        return name

    def bucket_arn_pattern(self, account_id: str, partition: str = "aws") -> str:
        """Every bucket named by `bucket()` for this stack (log delivery is scoped to them)."""
        return f"arn:{partition}:s3:::{self.prefix}-*-{account_id}-{self.region}".lower()

    @property
    def session_document(self) -> str:
        """Session Manager preferences of this stack (`SSM-SessionManagerRunShell` is one per region)."""
        return f"{self.prefix}-SessionManagerRunShell"

    # --- keys and topics ---------------------------------------------------------------------
    def kms_alias(self, purpose: str) -> str:
        return f"alias/{self.prefix}-{purpose}"

    def sns_topic(self, severity: str) -> str:
        return f"{self.prefix}-{severity}"

    # --- monitoring --------------------------------------------------------------------------
    def alarm(self, key: str) -> str:
        return f"{self.prefix}-{key}"

    def alarm_arn_pattern(self, account_id: str, partition: str = "aws") -> str:
        """Every alarm of this stack (SNS topic policies admit only these)."""
        return f"arn:{partition}:cloudwatch:{self.region}:{account_id}:alarm:{self.prefix}-*"

    @property
    def dashboard(self) -> str:
        return self.prefix

    @property
    def budget(self) -> str:
        return f"{self.prefix}-monthly"

    def budget_arn(self, account_id: str, partition: str = "aws") -> str:
        return f"arn:{partition}:budgets::{account_id}:budget/{self.budget}"
