"""The stack's configuration (namespace `platform`, camelCase keys).

`load_config()` reads `pulumi.Config`, validates everything and raises one `ConfigError` listing
every problem (full key, bad value, what is allowed) before any resource is registered.
`ConfigError` is a `pulumi.RunError`, so `pulumi up` prints the message without a traceback.

Modules: `limits` (AWS's limits and bundled tables), `schema` (model building blocks), `model`
(the sections), `problems` (error reporting), `rules` (rules across fields), `loader` (parsing).
"""

from secure_platform.config.compute_model import (
    ComputeConfig,
    EcsConfig,
    EksConfig,
    NodeGroupConfig,
    RangeConfig,
    ScheduleConfig,
    SpotNodeGroupConfig,
)
from secure_platform.config.limits import (
    ALLOWED_REGION,
    DB_ENGINE_VERSIONS,
    DB_MAX_STORAGE_GB,
    DB_MIN_STORAGE_GB,
    EKS_VERSIONS,
    ENHANCED_MONITORING_INTERVALS,
    LOG_RETENTION_DAYS,
    MYSQL_NO_PI_CLASSES,
    NAMESPACE,
)
from secure_platform.config.loader import load_config, parse_config, read_raw_config
from secure_platform.config.model import (
    SECTIONS,
    TOP_LEVEL_KEYS,
    AlarmEmailsConfig,
    BackupConfig,
    CacheConfig,
    DatabaseConfig,
    DomainConfig,
    EcrConfig,
    MonitoringConfig,
    NetworkConfig,
    SecurityConfig,
    StackConfig,
    StorageConfig,
    TagsConfig,
)
from secure_platform.config.problems import MISSING, ConfigError, ConfigProblem
from secure_platform.config.schema import CamelModel, allowed_text

__all__ = [
    "ALLOWED_REGION",
    "DB_ENGINE_VERSIONS",
    "DB_MAX_STORAGE_GB",
    "DB_MIN_STORAGE_GB",
    "EKS_VERSIONS",
    "ENHANCED_MONITORING_INTERVALS",
    "LOG_RETENTION_DAYS",
    "MISSING",
    "MYSQL_NO_PI_CLASSES",
    "NAMESPACE",
    "SECTIONS",
    "TOP_LEVEL_KEYS",
    "AlarmEmailsConfig",
    "BackupConfig",
    "CacheConfig",
    "CamelModel",
    "ComputeConfig",
    "ConfigError",
    "ConfigProblem",
    "DatabaseConfig",
    "DomainConfig",
    "EcrConfig",
    "EcsConfig",
    "EksConfig",
    "MonitoringConfig",
    "NetworkConfig",
    "NodeGroupConfig",
    "RangeConfig",
    "ScheduleConfig",
    "SecurityConfig",
    "SpotNodeGroupConfig",
    "StackConfig",
    "StorageConfig",
    "TagsConfig",
    "allowed_text",
    "load_config",
    "parse_config",
    "read_raw_config",
]
