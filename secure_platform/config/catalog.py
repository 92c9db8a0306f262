"""Every configuration error a user can get, as data: the rules' rows (key, message, fix and an
example that triggers it) plus one row per field of the model. The docs' error table is rendered
from it and a test runs every row's example, so the table cannot drift from the code."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from secure_platform.config.limits import NAMESPACE
from secure_platform.config.model import SECTIONS
from secure_platform.config.schema import allowed_text, unwrap_model

_P = f"{NAMESPACE}:"


@dataclass(frozen=True)
class ErrorRow:
    key: str
    """The full key the message names (`platform:...`, `aws:region`)."""
    message: str
    """A fragment every such message contains."""
    fix: str
    stack: str = "dev"
    """The shipped stack file the example starts from."""
    change: Mapping[str, Any] = field(default_factory=dict)
    """`namespace:key` -> value merged over the stack file's (objects key by key; None deletes)."""
    secret_keys: tuple[str, ...] = ()
    """Keys the example marks secret (`secure:` in the stack file)."""
    project: str = "platform"
    """The project name (`name:` of Pulumi.yaml) the example uses."""


def _row(key: str, message: str, fix: str, stack: str = "dev", secret_keys: tuple[str, ...] = (), **change: Any):
    return ErrorRow(f"{_P}{key}" if ":" not in key else key, message, fix, stack, _keys(change), secret_keys)


def _keys(change: Mapping[str, Any]) -> dict[str, Any]:
    """`network={...}` -> `platform:network`; `aws_region=` -> `aws:region`."""
    return {("aws:region" if k == "aws_region" else f"{_P}{k}"): v for k, v in change.items()}


RULE_ERRORS: tuple[ErrorRow, ...] = (
    _row("aws:region", "is not a known AWS region", "an AWS region name, e.g. us-east-1", aws_region="us-moon-7"),
    _row(
        "protect", "must be true when platform:environment is prod", "set platform:protect true", "prod", protect=False
    ),
    _row(
        "environment",
        "does not match stack 'prod'",
        "the environment the stack's name says (prod for prod and prod-eu)",
        "prod",
        environment="dev",
    ),
    _row(
        "environment",
        "does not match stack 'dev'",
        "the environment the stack's name says, or the stack file of that stack",
        "dev",
        environment="prod",
    ),
    _row(
        "ghost", "is not a known key", "remove the key or fix its spelling (the message suggests the closest)", ghost=1
    ),
    _row(
        "database.password",
        "is not a known key",
        "remove it; secrets are never settings of this model (the value is not shown)",
        database={"password": "hunter2"},
    ),
    _row(
        "monitoring",
        "is required but missing",
        "add the section (see the configuration reference)",
        monitoring=None,
    ),
    _row(
        "tags.owner",
        "is a secret (secure:) but this setting is not one",
        "set it in plain text (pulumi config set without --secret)",
        secret_keys=(f"{_P}tags",),
        tags={"owner": "[secret]"},
    ),
    _row("network.cidr", "is a loopback range", "a private range (RFC 1918 or 6598)", network={"cidr": "127.0.0.0/16"}),
    _row(
        "network.cidr", "is a multicast range", "a private range (RFC 1918 or 6598)", network={"cidr": "224.0.0.0/16"}
    ),
    _row(
        "network.cidr",
        "is a link-local range",
        "a private range (RFC 1918 or 6598)",
        network={"cidr": "169.254.0.0/16"},
    ),
    _row(
        "network.cidr", "is not a private range", "a private range (RFC 1918 or 6598)", network={"cidr": "8.8.0.0/16"}
    ),
    _row(
        "network.publicSubnetCidrs[0]",
        "is outside the VPC CIDR",
        "a subnet of network.cidr",
        network={"publicSubnetCidrs": ["10.1.48.0/24", "10.0.49.0/24", "10.0.50.0/24"]},
    ),
    _row(
        "network.databaseSubnetCidrs[2]",
        "overlaps",
        "subnets that overlap no other subnet",
        network={"databaseSubnetCidrs": ["10.0.52.0/24", "10.0.53.0/24", "10.0.1.128/25"]},
    ),
    _row("network.privateSubnetCidrs", "but azCount is", "one subnet per AZ in every tier", network={"azCount": 4}),
    _row(
        "network.runnerSecurityGroupIds",
        "nothing could deploy to the cluster",
        "the deploy runners' security group ids (or compute.eks.apiClientSecurityGroupIds)",
        "prod",
        network={"runnerSecurityGroupIds": []},
    ),
    _row(
        "domain.hostedZoneId",
        "is required when certificateArn is not given",
        "a Route 53 hosted zone id, or domain.certificateArn",
        domain={"hostedZoneId": None},
    ),
    _row(
        "domain.name",
        "is a documentation placeholder",
        "the real DNS name (edit the shipped stack file before the first deploy)",
        "staging",
        domain={"name": "app.example.com"},
    ),
    _row(
        "domain.hostedZoneId",
        "is a documentation placeholder",
        "the id of your Route 53 hosted zone",
        "prod",
        domain={"hostedZoneId": "Z0123456789EXAMPLEPRD"},
    ),
    _row(
        "monitoring.alarmEmails.critical",
        "has placeholder address(es)",
        "real e-mail addresses",
        "prod",
        monitoring={"alarmEmails": {"critical": ["oncall@example.org"]}},
    ),
    _row(
        "database.engineVersion",
        "is not a supported postgres version",
        "a major version in standard support",
        database={"engineVersion": "12"},
    ),
    _row(
        "database.allocatedStorageGb",
        "is below the postgres minimum",
        "at least the engine's minimum",
        database={"allocatedStorageGb": 10},
    ),
    _row(
        "database.maxAllocatedStorageGb",
        "must be between allocatedStorageGb",
        "a ceiling at or above allocatedStorageGb",
        database={"maxAllocatedStorageGb": 10},
    ),
    _row(
        "database.performanceInsights",
        "is not available for mysql",
        "false, or a larger instance class",
        database={
            "engine": "mysql",
            "engineVersion": "8.0",
            "instanceClass": "db.t3.micro",
            "performanceInsights": True,
        },
    ),
    _row("database.multiAz", "must be true in prod", "set multiAz true", "prod", database={"multiAz": False}),
    _row(
        "database.backupRetentionDays",
        "must be at least 7 in prod",
        "7-35 days",
        "prod",
        database={"backupRetentionDays": 3},
    ),
    _row(
        "backup.retentionDays",
        "must be at least 7 in prod",
        "the policy pack's minimum of the environment",
        "prod",
        backup={"retentionDays": 1},
    ),
    _row(
        "cache.snapshotRetentionDays",
        "must be at least 7 in prod",
        "the policy pack's minimum of the environment",
        "prod",
        cache={"snapshotRetentionDays": 0},
    ),
    _row(
        "monitoring.logRetentionDays",
        "must be at least 365 in prod",
        "the policy pack's minimum of the environment",
        "prod",
        monitoring={"logRetentionDays": 1},
    ),
    _row(
        "security.kmsDeletionWindowDays",
        "must be at least 30 in prod",
        "the policy pack's minimum of the environment",
        "prod",
        security={"kmsDeletionWindowDays": 7},
    ),
    _row(
        "database.backupWindow",
        "overlaps maintenanceWindow",
        "windows that do not overlap",
        database={"backupWindow": "04:00-05:00", "maintenanceWindow": "sun:04:30-sun:05:30"},
    ),
    _row(
        "database.backupWindow",
        "is shorter than the 30 minutes",
        "a window of 30 minutes or more",
        database={"backupWindow": "03:00-03:15"},
    ),
    _row(
        "compute.ecs.memory",
        "is not a Fargate memory size for cpu",
        "a memory size valid with the CPU",
        compute={"ecs": {"memory": 8192}},
    ),
    _row("compute.ecs.minTasks", "must be <= maxTasks", "minTasks <= maxTasks", compute={"ecs": {"minTasks": 9}}),
    _row(
        "compute.ecs.spotWeight",
        "cannot both be 0",
        "a positive spotWeight or onDemandWeight",
        compute={"ecs": {"spotWeight": 0, "onDemandWeight": 0}},
    ),
    _row("compute.ecs.onDemandBase", "must be <= maxTasks", "a base <= maxTasks", compute={"ecs": {"onDemandBase": 9}}),
    _row(
        "compute.ecs.schedule.businessHoursMinTasks",
        "must be between minTasks",
        "a floor between minTasks and maxTasks",
        compute={"ecs": {"schedule": {"businessHoursMinTasks": 9}}},
    ),
    _row(
        "compute.ecs.schedule.weekdayScaleDownAt",
        "must be later in the day than weekdayScaleUpAt",
        "scale down after scaling up, the same day",
        compute={"ecs": {"schedule": {"weekdayScaleUpAt": "19:00", "weekdayScaleDownAt": "08:00"}}},
    ),
    _row(
        "compute.eks",
        "is required when compute.platform is eks",
        "add compute.eks",
        compute={"platform": "eks", "eks": None},
    ),
    _row(
        "compute.eks.systemNodes.minSize",
        "must be <= maxSize",
        "minSize <= maxSize",
        "prod",
        compute={"eks": {"systemNodes": {"minSize": 30}}},
    ),
    _row(
        "compute.eks.spotNodes.desiredSize",
        "must be between minSize",
        "minSize <= desiredSize <= maxSize",
        "prod",
        compute={"eks": {"spotNodes": {"desiredSize": 30}}},
    ),
    _row(
        "compute.eks.spotNodes.vcpus.min",
        "must be <= max",
        "min <= max",
        "prod",
        compute={"eks": {"spotNodes": {"vcpus": {"min": 8, "max": 4}}}},
    ),
    _row(
        "compute.eks.spotNodes.architectures",
        "lists several CPU architectures",
        "exactly one architecture per node group",
        "prod",
        compute={"eks": {"spotNodes": {"architectures": ["x86_64", "arm64"]}}},
    ),
    _row(
        "compute.eks.systemNodes.instanceTypes",
        "mixes CPU architectures",
        "instance types of one architecture",
        "prod",
        compute={"eks": {"systemNodes": {"instanceTypes": ["t3.medium", "m6g.large"]}}},
    ),
    _row(
        "compute.eks.systemNodes.instanceTypes",
        "not offered in",
        "instance types offered in aws:region",
        "prod",
        compute={"eks": {"systemNodes": {"instanceTypes": ["dl2q.24xlarge"]}}},
    ),
    _row(
        "compute.eks.endpointPublicAccessCidrs",
        "wider than security.widestIngressPrefix",
        "narrower CIDRs, or a smaller security.widestIngressPrefix",
        "prod",
        compute={"eks": {"endpointPublicAccessCidrs": ["128.0.0.0/1"]}},
    ),
    _row(
        "compute.eks.readOnlyRoleArns",
        "has role(s) also in adminRoleArns",
        "each role in one of adminRoleArns and readOnlyRoleArns",
        "prod",
        compute={
            "eks": {
                "adminRoleArns": ["arn:aws:iam::123456789012:role/platform-admin"],
                "readOnlyRoleArns": ["arn:aws:iam::123456789012:role/platform-admin"],
            }
        },
    ),
    _row(
        "ecr.repositories",
        "has no repository for",
        "a repository per image compute deploys",
        ecr={"repositories": ["frontend", "backend"]},
    ),
    _row(
        "cache.provider",
        "needs compute.platform eks",
        "elasticache or none on ECS",
        cache={"provider": "in-cluster"},
    ),
    _row(
        "cache.numCacheClusters",
        "must be at least 2 in prod",
        "2-6 cache clusters",
        "prod",
        cache={"numCacheClusters": 1},
    ),
    _row(
        "storage.replicationRegion",
        "must be another region than aws:region",
        "a second region",
        storage={"replicationRegion": "us-east-1"},
    ),
    _row(
        "storage.replicationRegion",
        "is required in prod",
        "a second region for the buckets' replicas",
        "prod",
        storage={"replicationRegion": None},
    ),
    _row(
        "backup.copyRegion",
        "is required in prod",
        "a second region for copies of the recovery points",
        "prod",
        backup={"copyRegion": None},
    ),
    _row("backup.vaultLock", "must be true in prod", "set vaultLock true", "prod", backup={"vaultLock": False}),
    _row("backup.continuous", "must be true in prod", "set continuous true", "prod", backup={"continuous": False}),
    _row(
        "monitoring.alarmEmails.critical",
        "is empty in prod",
        "the on-call addresses (or a paging service's e-mail integration)",
        "prod",
        monitoring={"alarmEmails": {"critical": []}},
    ),
    _row("backup.copyRegion", "is not a known AWS region", "an AWS region name", backup={"copyRegion": "us-moon-7"}),
    ErrorRow(
        "platfrom:backup",
        "has an unknown namespace",
        "fix the namespace (the message suggests the closest key); no part of the program reads it",
        change={"platfrom:backup": {"retentionDays": 30}},
    ),
    ErrorRow(
        "aws:regoin",
        "is not a key of the aws provider",
        "fix the key's spelling (the message suggests the closest aws provider key)",
        change={"aws:regoin": "us-east-1"},
    ),
    ErrorRow(
        "aws:secretKey",
        "is an AWS credential in plain text",
        "pulumi config set --secret aws:secretKey, or credentials from the environment (the value is not shown)",
        change={"aws:secretKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},
    ),
    ErrorRow(
        "project (the name in Pulumi.yaml)",
        "makes names longer than AWS allows",
        "a shorter project name",
        "staging",
        project="customer-facing-payments-platform",
    ),
)


@dataclass(frozen=True)
class FieldRow:
    key: str
    allowed: str
    bad_value: Any
    """A value of the wrong shape, which every field refuses with its key and allowed text."""


def field_rows() -> Iterator[FieldRow]:
    """One row per settable field: the errors its type, bounds and validators give."""

    def walk(model: type[BaseModel], prefix: str) -> Iterator[FieldRow]:
        for name, info in model.model_fields.items():
            key = f"{prefix}.{info.alias or name}"
            nested = unwrap_model(info.annotation)
            if nested is not None:
                yield from walk(nested, key)
                continue
            shape = getattr(info.annotation, "__origin__", None)
            bad: Any = 5 if shape in (list, dict) else {"not": "a scalar"}
            yield FieldRow(key, allowed_text(info), bad)

    for section, (model, _) in SECTIONS.items():
        yield from walk(model, f"{_P}{section}")
