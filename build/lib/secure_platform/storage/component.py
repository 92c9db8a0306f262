"""Storage: the application's data (tier 2) — assets and backups buckets, the RDS database, the
ElastiCache Redis replication group and AWS Backup.

* Buckets are `SecureBucket`s encrypted with the data key, logging to the log archive. In prod the
  backups bucket replicates to a bucket (and key) in `storage.replicationRegion`, through the
  second-Region provider `__main__.py` passes in; that Region gets its own access-log bucket,
  since S3 delivers server access logs only within a Region.
* RDS: identifier `Naming.db_identifier` (Monitoring's alarms watch that name), database subnets
  and security group from Networking, gp3 with storage autoscaling, encrypted with the data key,
  master password managed by RDS in Secrets Manager under the secrets key (never in config, state
  or outputs), IAM authentication, TLS forced by its parameter group, Performance Insights with
  the data key, enhanced monitoring with Security's role, engine logs to encrypted log groups,
  deletion protection + final snapshot + `protect` when protected.
* ElastiCache (cache provider `elasticache`): at rest with the data key, TLS required, an AUTH
  token generated here and kept in Secrets Manager under the secrets key (the token is in the
  Pulumi state only as a secret), Multi-AZ with automatic failover from two nodes.
* AWS Backup: a vault under the data key (locked when `backup.vaultLock`), daily and weekly
  snapshots and continuous backup for RDS and S3, copies to `backup.copyRegion`, selected by the
  `Backup=true` tag Storage puts on what must be backed up (and the stack's tags).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from secure_platform.config import BackupConfig, CacheConfig, DatabaseConfig, StackConfig
from secure_platform.core import iam, key_policies, log_delivery
from secure_platform.core.aws_context import AwsContext
from secure_platform.core.log_delivery import log_lifecycle
from secure_platform.core.naming import Naming
from secure_platform.core.options import child
from secure_platform.core.refs import BucketRef, CacheEndpoint, DatabaseEndpoint, KeyRef, RoleRef, SecretRef
from secure_platform.core.secure_bucket import (
    AccessLogTarget,
    KmsEncryption,
    S3ManagedEncryption,
    SecureBucket,
    SecureBucketArgs,
)
from secure_platform.security.component import SecurityKeys
from secure_platform.storage import plan as storage_plan

ASSETS_PURPOSE = "assets"
BACKUPS_PURPOSE = "backups"
LOGS_PURPOSE = "logs"


@dataclass(frozen=True, eq=False)
class RegionalProvider:
    """An `aws.Provider` for a second Region (created in `__main__.py` with the stack's tags)."""

    region: str
    provider: pulumi.ProviderResource


@dataclass(frozen=True, eq=False)
class StorageArgs:
    naming: Naming
    protect: bool
    database: DatabaseConfig
    cache: CacheConfig | None
    """None unless `cache.provider` is `elasticache`."""
    backup: BackupConfig
    noncurrent_expiry_days: int
    backups_expiry_days: int
    """Objects in the backups bucket (and its replica) expire after this many days."""
    log_expiry_days: int
    """Access logs in the replica Region's log bucket."""
    log_retention_days: int
    kms_deletion_window_days: int
    """Of the data keys Storage creates in second Regions."""
    stack_tags: Mapping[str, str]
    """Project and Environment: AWS Backup selects only resources carrying them (and Backup=true)."""
    # Security
    keys: SecurityKeys
    rds_monitoring_role: RoleRef | None
    # Networking
    db_subnet_group_name: pulumi.Input[str]
    cache_subnet_group_name: pulumi.Input[str] | None
    database_security_group_id: pulumi.Input[str]
    cache_security_group_id: pulumi.Input[str] | None
    # BackendState
    log_archive: BucketRef
    # Second Regions
    replication: RegionalProvider | None = None
    """Replicate the backups bucket here (`storage.replicationRegion`)."""
    backup_copy: RegionalProvider | None = None
    """Copy recovery points here (`backup.copyRegion`)."""

    def __post_init__(self) -> None:
        if self.database.monitoring_interval_seconds > 0 and self.rds_monitoring_role is None:
            raise ValueError("database.monitoringIntervalSeconds > 0 needs Security's rds_monitoring role")
        if self.cache is not None and (self.cache_subnet_group_name is None or self.cache_security_group_id is None):
            raise ValueError("an ElastiCache cache needs Networking's cache subnet group and security group")
        for what, target in (("replication", self.replication), ("backup copy", self.backup_copy)):
            if target is not None and target.region == self.naming.region:
                raise ValueError(f"the {what} Region must differ from the stack's Region {self.naming.region}")

    @classmethod
    def from_config(
        cls,
        cfg: StackConfig,
        *,
        keys: SecurityKeys,
        rds_monitoring_role: RoleRef | None,
        db_subnet_group_name: pulumi.Input[str],
        cache_subnet_group_name: pulumi.Input[str] | None,
        database_security_group_id: pulumi.Input[str],
        cache_security_group_id: pulumi.Input[str] | None,
        log_archive: BucketRef,
        providers: Mapping[str, pulumi.ProviderResource] | None = None,
    ) -> StorageArgs:
        """`providers`: second-Region providers by Region; those named by `storage.replicationRegion`
        and `backup.copyRegion` must be present."""
        providers = providers or {}

        def regional(key: str, region: str | None) -> RegionalProvider | None:
            if region is None:
                return None
            if region not in providers:
                raise ValueError(f"platform:{key} is {region!r} but no provider for that Region was passed to Storage")
            return RegionalProvider(region, providers[region])

        elasticache = cfg.cache.provider == "elasticache"
        return cls(
            naming=cfg.naming,
            protect=cfg.protect,
            database=cfg.database,
            cache=cfg.cache if elasticache else None,
            backup=cfg.backup,
            noncurrent_expiry_days=cfg.storage.noncurrent_expiry_days,
            backups_expiry_days=cfg.storage.backups_expiry_days,
            log_expiry_days=cfg.storage.log_expiry_days,
            log_retention_days=cfg.monitoring.log_retention_days,
            kms_deletion_window_days=cfg.security.kms_deletion_window_days,
            stack_tags={"Project": cfg.project, "Environment": cfg.environment},
            keys=keys,
            rds_monitoring_role=rds_monitoring_role,
            db_subnet_group_name=db_subnet_group_name,
            cache_subnet_group_name=cache_subnet_group_name if elasticache else None,
            database_security_group_id=database_security_group_id,
            cache_security_group_id=cache_security_group_id if elasticache else None,
            log_archive=log_archive,
            replication=regional("storage.replicationRegion", cfg.storage.replication_region),
            backup_copy=regional("backup.copyRegion", cfg.backup.copy_region),
        )


class Storage(pulumi.ComponentResource):
    assets_bucket: BucketRef
    backups_bucket: BucketRef
    backups_replica: BucketRef | None
    database: DatabaseEndpoint
    database_arn: pulumi.Output[str]
    cache: CacheEndpoint | None
    backup_vault_name: pulumi.Output[str]
    backup_vault_arn: pulumi.Output[str]
    backup_copy_vault_arn: pulumi.Output[str] | None
    regional_keys: dict[str, KeyRef]
    """Data keys created in second Regions (by Region)."""

    def __init__(self, name: str, args: StorageArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:index:Storage", name, None, opts)
        self._args = args
        naming = args.naming
        self._ctx = AwsContext.lookup(self, naming.region)
        for purpose in (ASSETS_PURPOSE, BACKUPS_PURPOSE):
            naming.bucket(purpose, "0" * 12)  # a too-long name fails here, not inside an apply

        self.regional_keys = {}
        for target in (args.replication, args.backup_copy):
            if target is not None and target.region not in self.regional_keys:
                self.regional_keys[target.region] = self._regional_key(target)

        self._buckets()
        self._database()
        self.cache = self._cache() if args.cache is not None else None
        self._backup()

        self.register_outputs(
            {
                "assetsBucket": self.assets_bucket.name,
                "backupsBucket": self.backups_bucket.name,
                "databaseAddress": self.database.address,
                "databaseMasterSecretArn": self.database.master_secret.arn,
                "cacheAddress": self.cache.address if self.cache is not None else None,
                "backupVault": self.backup_vault_name,
            }
        )

    # --- keys in other Regions ------------------------------------------------------------------

    def _regional_key(self, target: RegionalProvider) -> KeyRef:
        """A data key in `target.region`, with the data key's policy for that Region."""
        args, ctx = self._args, self._ctx
        regional = Naming(args.naming.project, args.naming.environment, target.region)
        policy = pulumi.Output.all(ctx.account_id, ctx.partition).apply(
            lambda v: json.dumps(
                key_policies.purpose_key_policy("data", key_policies.KeyPolicyContext(str(v[0]), str(v[1]), regional))
            )
        )
        opts = pulumi.ResourceOptions.merge(
            child(self, stateful=args.protect), pulumi.ResourceOptions(provider=target.provider)
        )
        key = aws.kms.Key(
            f"data-{target.region}",
            description=f"data key of {args.naming.prefix} in {target.region} (replicas and backup copies)",
            enable_key_rotation=True,
            rotation_period_in_days=365,
            deletion_window_in_days=args.kms_deletion_window_days,
            policy=policy,
            opts=opts,
        )
        alias = regional.kms_alias("data")
        aws.kms.Alias(
            f"data-{target.region}",
            name=alias,
            target_key_id=key.key_id,
            opts=pulumi.ResourceOptions(parent=self, provider=target.provider),
        )
        return KeyRef(arn=key.arn, key_id=key.key_id, alias=alias, region=target.region)

    # --- buckets ------------------------------------------------------------------------------

    def _buckets(self) -> None:
        args, ctx, naming = self._args, self._ctx, self._args.naming
        keys = args.keys

        def access_logs(purpose: str) -> AccessLogTarget:
            return AccessLogTarget(args.log_archive, f"{log_delivery.S3_ACCESS_PREFIX}/{naming.prefix}-{purpose}")

        assets = SecureBucket(
            ASSETS_PURPOSE,
            SecureBucketArgs(
                bucket_name=ctx.account_id.apply(lambda a: naming.bucket(ASSETS_PURPOSE, a)),
                region=naming.region,
                encryption=KmsEncryption(keys.data),
                lifecycle=storage_plan.assets_lifecycle(args.noncurrent_expiry_days),
                protect=args.protect,
                access_logs=access_logs(ASSETS_PURPOSE),
                extra_tags=dict([storage_plan.BACKUP_TAG]),
            ),
            opts=child(self),
        )
        backups = SecureBucket(
            BACKUPS_PURPOSE,
            SecureBucketArgs(
                bucket_name=ctx.account_id.apply(lambda a: naming.bucket(BACKUPS_PURPOSE, a)),
                region=naming.region,
                encryption=KmsEncryption(keys.data),
                lifecycle=storage_plan.backups_lifecycle(args.backups_expiry_days, args.noncurrent_expiry_days),
                protect=args.protect,
                access_logs=access_logs(BACKUPS_PURPOSE),
            ),
            opts=child(self),
        )
        self.assets_bucket = assets.ref
        self.backups_bucket = backups.ref
        self.backups_replica = self._replicate(backups) if args.replication is not None else None

    def _replicate(self, source: SecureBucket) -> BucketRef:
        args, ctx = self._args, self._ctx
        target = args.replication
        assert target is not None
        region = target.region
        regional = Naming(args.naming.project, args.naming.environment, region)
        for purpose in (LOGS_PURPOSE, BACKUPS_PURPOSE):
            regional.bucket(purpose, "0" * 12)  # a too-long name fails here, not inside an apply
        key = self.regional_keys[region]
        in_region = pulumi.ResourceOptions(parent=self, providers={"aws": target.provider})
        log_bucket_name = ctx.account_id.apply(lambda a: regional.bucket(LOGS_PURPOSE, a))
        stack_buckets = pulumi.Output.all(ctx.account_id, ctx.partition).apply(
            lambda v: regional.bucket_arn_pattern(str(v[0]), str(v[1]))
        )
        logs = SecureBucket(
            f"{LOGS_PURPOSE}-{region}",
            SecureBucketArgs(
                bucket_name=log_bucket_name,
                region=region,
                encryption=S3ManagedEncryption("S3 server access logs support only SSE-S3 destination buckets"),
                lifecycle=log_lifecycle(args.log_expiry_days, args.noncurrent_expiry_days),
                protect=args.protect,
                policy_statements=lambda arn: [
                    log_delivery.s3_server_access_logs(arn, ctx.account_id, [stack_buckets])
                ],
            ),
            opts=in_region,
        )
        replica = SecureBucket(
            f"{BACKUPS_PURPOSE}-{region}",
            SecureBucketArgs(
                bucket_name=ctx.account_id.apply(lambda a: regional.bucket(BACKUPS_PURPOSE, a)),
                region=region,
                encryption=KmsEncryption(key),
                lifecycle=storage_plan.backups_lifecycle(args.backups_expiry_days, args.noncurrent_expiry_days),
                protect=args.protect,
                access_logs=AccessLogTarget(
                    logs.ref, f"{log_delivery.S3_ACCESS_PREFIX}/{regional.prefix}-{BACKUPS_PURPOSE}"
                ),
            ),
            opts=in_region,
        )
        trust = pulumi.Output.all(ctx.account_id, source.arn).apply(
            lambda v: json.dumps(
                iam.document(
                    [iam.service_trust("s3.amazonaws.com", source_account=str(v[0]), source_arn_like=str(v[1]))]
                )
            )
        )
        role = aws.iam.Role(
            "backups-replication",
            description=f"S3 replication of the backups bucket of {args.naming.prefix} to {region}",
            assume_role_policy=trust,
            opts=child(self),
        )
        permissions = aws.iam.RolePolicy(
            "backups-replication",
            role=role.name,
            policy=iam.policy_json(
                storage_plan.replication_statements(
                    source.arn, replica.arn, args.keys.data.arn, args.naming.region, key.arn, region
                )
            ),
            opts=child(self),
        )
        aws.s3.BucketReplicationConfig(
            BACKUPS_PURPOSE,
            bucket=source.bucket_name,
            role=role.arn,
            rules=[storage_plan.replication_rule(replica.arn, key.arn)],
            # Both buckets must be versioned first, and S3 checks the role when the rule is saved.
            opts=child(self, depends_on=[source, replica, permissions]),
        )
        return replica.ref

    # --- RDS ------------------------------------------------------------------------------------

    def _database(self) -> None:
        args, naming = self._args, self._args.naming
        db, keys = args.database, args.keys
        family = storage_plan.parameter_group_family(db.engine, db.engine_version)
        parameters = aws.rds.ParameterGroup(
            "database",
            family=family,
            description=f"{naming.db_identifier}: TLS required, slow queries logged",
            parameters=[p.args() for p in storage_plan.db_parameters(db.engine)],
            opts=child(self),
        )
        # Created first, so RDS exports into encrypted groups with retention instead of its own.
        log_groups = [
            aws.cloudwatch.LogGroup(
                f"rds-{log_type}",
                name=naming.rds_log_group(log_type),
                retention_in_days=args.log_retention_days,
                kms_key_id=keys.logs.arn,
                deletion_protection_enabled=args.protect,
                opts=child(self),
            )
            for log_type in storage_plan.log_exports(db.engine)
        ]
        monitoring = db.monitoring_interval_seconds > 0
        instance = aws.rds.Instance(
            "database",
            identifier=naming.db_identifier,
            engine=db.engine,
            engine_version=db.engine_version,
            instance_class=db.instance_class,
            db_name=db.database_name,
            username=storage_plan.MASTER_USERNAME,
            manage_master_user_password=True,
            master_user_secret_kms_key_id=keys.secrets.arn,
            iam_database_authentication_enabled=True,
            allocated_storage=db.allocated_storage_gb,
            max_allocated_storage=db.max_allocated_storage_gb,
            storage_type="gp3",
            storage_encrypted=True,
            kms_key_id=keys.data.arn,
            multi_az=db.multi_az,
            db_subnet_group_name=args.db_subnet_group_name,
            vpc_security_group_ids=[args.database_security_group_id],
            publicly_accessible=False,
            network_type="IPV4",
            parameter_group_name=parameters.name,
            ca_cert_identifier="rds-ca-rsa2048-g1",
            backup_retention_period=db.backup_retention_days,
            backup_window=db.backup_window,
            maintenance_window=db.maintenance_window,
            copy_tags_to_snapshot=True,
            delete_automated_backups=not args.protect,
            auto_minor_version_upgrade=True,
            allow_major_version_upgrade=False,
            performance_insights_enabled=db.performance_insights,
            performance_insights_kms_key_id=keys.data.arn if db.performance_insights else None,
            performance_insights_retention_period=7 if db.performance_insights else None,
            monitoring_interval=db.monitoring_interval_seconds,
            monitoring_role_arn=args.rds_monitoring_role.arn if monitoring and args.rds_monitoring_role else None,
            enabled_cloudwatch_logs_exports=storage_plan.log_exports(db.engine),
            deletion_protection=args.protect,
            skip_final_snapshot=not args.protect,
            final_snapshot_identifier=(
                storage_plan.final_snapshot_identifier(naming.db_identifier) if args.protect else None
            ),
            tags={"Name": naming.db_identifier, storage_plan.BACKUP_TAG[0]: storage_plan.BACKUP_TAG[1]},
            # AWS Backup's continuous rule manages the automated-backup retention and window.
            opts=child(
                self,
                stateful=args.protect,
                depends_on=log_groups,
                ignore_changes=["backupRetentionPeriod", "backupWindow"] if args.backup.continuous else None,
            ),
        )
        secret_arn = instance.master_user_secrets.apply(_master_secret_arn)
        self.database_arn = instance.arn
        self.database = DatabaseEndpoint(
            address=instance.address,
            port=instance.port,
            engine=db.engine,
            database_name=db.database_name,
            master_secret=SecretRef(arn=secret_arn, kms_key=keys.secrets),
        )

    # --- ElastiCache ------------------------------------------------------------------------------

    def _cache(self) -> CacheEndpoint:
        args, naming = self._args, self._args.naming
        cache, keys = args.cache, args.keys
        assert cache is not None and args.cache_subnet_group_name is not None
        assert args.cache_security_group_id is not None
        token = random.RandomPassword(
            "cache-auth-token", length=storage_plan.AUTH_TOKEN_LENGTH, special=False, opts=child(self)
        )
        secret = aws.secretsmanager.Secret(
            "cache-auth-token",
            name=naming.cache_auth_secret,
            description=f"AUTH token of the Redis replication group {naming.cache_replication_group_id}",
            kms_key_id=keys.secrets.arn,
            # Unprotected stacks are disposable: delete at once so the name can be reused.
            recovery_window_in_days=30 if args.protect else 0,
            opts=child(self, stateful=args.protect),
        )
        version = aws.secretsmanager.SecretVersion(
            "cache-auth-token", secret_id=secret.id, secret_string=token.result, opts=child(self)
        )
        failover = storage_plan.cache_failover(cache.num_cache_clusters)
        group_id = naming.cache_replication_group_id
        group = aws.elasticache.ReplicationGroup(
            "cache",
            replication_group_id=group_id,
            description=f"Redis of {naming.prefix}",
            engine="redis",
            engine_version=cache.engine_version,
            node_type=cache.node_type,
            num_cache_clusters=cache.num_cache_clusters,
            port=storage_plan.CACHE_PORT,
            subnet_group_name=args.cache_subnet_group_name,
            security_group_ids=[args.cache_security_group_id],
            at_rest_encryption_enabled=True,
            kms_key_id=keys.data.arn,
            transit_encryption_enabled=True,
            transit_encryption_mode="required",
            auth_token=token.result,
            auth_token_update_strategy="ROTATE",  # noqa: S106 - a strategy name, not a password
            automatic_failover_enabled=failover,
            multi_az_enabled=failover,
            snapshot_retention_limit=cache.snapshot_retention_days,
            snapshot_window=storage_plan.CACHE_SNAPSHOT_WINDOW,
            maintenance_window=storage_plan.CACHE_MAINTENANCE_WINDOW,
            auto_minor_version_upgrade=True,
            apply_immediately=False,
            final_snapshot_identifier=f"{group_id}-final" if args.protect else None,
            tags={"Name": group_id},
            opts=child(self, stateful=args.protect),
        )
        # The ARN resolves once the token is stored: nothing reads an empty secret.
        ready_arn = pulumi.Output.all(secret.arn, version.id).apply(lambda v: str(v[0]))
        return CacheEndpoint(
            address=group.primary_endpoint_address,
            port=storage_plan.CACHE_PORT,
            auth_secret=SecretRef(arn=ready_arn, kms_key=keys.secrets),
        )

    # --- AWS Backup -----------------------------------------------------------------------------

    def _backup(self) -> None:
        args, ctx, naming = self._args, self._ctx, self._args.naming
        vault = self._vault("vault", args.keys.data, None)
        self.backup_vault_name = vault.name
        self.backup_vault_arn = vault.arn
        copy_arn: pulumi.Output[str] | None = None
        if args.backup_copy is not None:
            copy_vault = self._vault(
                f"vault-{args.backup_copy.region}", self.regional_keys[args.backup_copy.region], args.backup_copy
            )
            copy_arn = copy_vault.arn
        self.backup_copy_vault_arn = copy_arn

        trust = ctx.account_id.apply(
            lambda a: json.dumps(iam.document([iam.service_trust("backup.amazonaws.com", source_account=a)]))
        )
        role = aws.iam.Role(
            "backup",
            description=f"AWS Backup jobs of {naming.prefix}",
            assume_role_policy=trust,
            opts=child(self),
        )
        attachments = [
            aws.iam.RolePolicyAttachment(
                f"backup-{policy.rsplit('/', 1)[-1]}",
                role=role.name,
                policy_arn=ctx.partition.apply(lambda p, policy=policy: iam.managed_policy_arn(policy, p)),
                opts=child(self),
            )
            for policy in storage_plan.BACKUP_MANAGED_POLICIES
        ]
        plan = aws.backup.Plan(
            "plan",
            name=naming.backup_plan,
            rules=storage_plan.backup_rules(
                vault.name,
                args.backup.retention_days,
                continuous=args.backup.continuous,
                copy_vault_arn=copy_arn,
            ),
            opts=child(self),
        )
        aws.backup.Selection(
            "tagged",
            name=f"{naming.prefix}-tagged",
            plan_id=plan.id,
            iam_role_arn=role.arn,
            resources=["*"],
            conditions=storage_plan.backup_selection_conditions(args.stack_tags),
            opts=child(self, depends_on=attachments),
        )

    def _vault(self, logical: str, key: KeyRef, target: RegionalProvider | None) -> aws.backup.Vault:
        args = self._args
        in_region = pulumi.ResourceOptions(provider=target.provider) if target is not None else pulumi.ResourceOptions()
        vault = aws.backup.Vault(
            logical,
            name=args.naming.backup_vault,
            kms_key_arn=key.arn,
            force_destroy=not args.protect,
            opts=pulumi.ResourceOptions.merge(child(self, stateful=args.protect), in_region),
        )
        plain = pulumi.ResourceOptions.merge(child(self), in_region)
        if args.backup.vault_lock:
            low, high = storage_plan.vault_lock_retention(args.backup.retention_days)
            # Governance mode (no changeable_for_days): a compliance lock could never be lifted.
            aws.backup.VaultLockConfiguration(
                logical, backup_vault_name=vault.name, min_retention_days=low, max_retention_days=high, opts=plain
            )
        if args.protect:
            aws.backup.VaultPolicy(
                logical,
                backup_vault_name=vault.name,
                policy=iam.policy_json([storage_plan.protect_recovery_points(vault.arn)]),
                opts=plain,
            )
        return vault


def _master_secret_arn(secrets: Sequence[aws.rds.outputs.InstanceMasterUserSecret]) -> str:
    """The secret RDS created for the master password (it manages exactly one)."""
    arns = [s.secret_arn for s in secrets if s.secret_arn]
    if len(arns) != 1:
        raise ValueError(f"expected one RDS-managed master user secret, got {len(arns)}")
    return arns[0]
