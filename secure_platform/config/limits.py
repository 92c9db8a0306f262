"""AWS's own limits and the bundled tables the schema checks values against.

Every number here is a limit AWS documents (the source is cited next to it) or a table the
components depend on; the model's fields and the cross-field rules read them from here.
"""

from __future__ import annotations

import re
from typing import Literal

from secure_platform.networking.plan import MAX_PREFIX, MIN_PREFIX

NAMESPACE = "platform"

Environment = Literal["dev", "staging", "prod"]
ENVIRONMENTS: tuple[str, ...] = ("dev", "staging", "prod")
InterfaceEndpoint = Literal[
    "ecr.api", "ecr.dkr", "logs", "sts", "secretsmanager", "ssm", "ssmmessages", "ec2messages", "kms"
]
Architecture = Literal["x86_64", "arm64"]

# CloudWatch Logs accepts only these retention periods (days):
# https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
LOG_RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)
# Engine major versions RDS supports in standard support, from the release calendars:
# https://docs.aws.amazon.com/AmazonRDS/latest/PostgreSQLReleaseNotes/postgresql-release-calendar.html
# https://docs.aws.amazon.com/AmazonRDS/latest/MySQLReleaseNotes/mysql-release-calendar.html
# Storage minimums (GiB, gp3) and the 64 TiB maximum:
# https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Storage.html#gp3-storage
DB_ENGINE_VERSIONS = {"postgres": ("13", "14", "15", "16", "17"), "mysql": ("8.0", "8.4")}
DB_MIN_STORAGE_GB = {"postgres": 20, "mysql": 20}
DB_MAX_STORAGE_GB = 65536
# Kubernetes versions in EKS standard support (update when AWS releases or retires one):
# https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html
EKS_VERSIONS = ("1.32", "1.33", "1.34", "1.35")
# MonitoringInterval of CreateDBInstance:
# https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html
ENHANCED_MONITORING_INTERVALS = (0, 1, 5, 10, 15, 30, 60)
# ElastiCache for Redis OSS engine versions in standard support:
# https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/supported-engine-versions.html
CACHE_ENGINE_VERSIONS = ("6.2", "7.0", "7.1")
# Instance classes for which RDS for MySQL has no Performance Insights.
MYSQL_NO_PI_CLASSES = ("db.t2.micro", "db.t2.small", "db.t3.micro", "db.t3.small", "db.t4g.micro", "db.t4g.small")

# Printable ASCII without spaces (RFC 5321's dot-atom; SNS e-mail endpoints): an invisible
# character (zero-width space, right-to-left override) would make an address nobody receives at.
EMAIL_RE = re.compile(r"^[!-?A-~]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?\.[A-Za-z]{2,63}$")
DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
ARN_ACM_RE = re.compile(r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[0-9a-f-]{36}$")
# IAM names and paths are ASCII (IAM API reference, CreateRole: `[\w+=,.@-]+`); the partitions AWS has.
ARN_IAM_ROLE_RE = re.compile(
    r"^arn:(?:aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc):iam::\d{12}:"
    r"role/(?:[\w+=,.@-]+/)*[\w+=,.@-]{1,64}$",
    re.ASCII,
)


def iam_role_identity(arn: str) -> tuple[str, str, str]:
    """What makes two role ARNs one role: the partition, the account and the name in any case (IAM
    role names are unique per account regardless of case and path)."""
    head, _, resource = arn.partition(":role/")
    parts = head.split(":")
    return parts[1] if len(parts) > 1 else "", parts[-1], resource.rsplit("/", 1)[-1].lower()


ZONE_ID_RE = re.compile(r"^Z[A-Z0-9]{1,31}$")
REGION_RE = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$")
ACCOUNT_ID_RE = re.compile(r"\d{12}")
ECR_NAME_RE = re.compile(r"^[a-z0-9]+(?:[._-][a-z0-9]+)*$")
IMAGE_TAG_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
HHMM_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
DB_CLASS_RE = re.compile(r"^db\.[a-z0-9]+\.[a-z0-9]+$")
CACHE_CLASS_RE = re.compile(r"^cache\.[a-z0-9]+\.[a-z0-9]+$")
EC2_TYPE_RE = re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9]+$")
RDS_WINDOW_RE = re.compile(
    r"^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d$"
)
DAILY_WINDOW_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")


ALLOWED_VPC_CIDR = f"an IPv4 CIDR of /{MIN_PREFIX} to /{MAX_PREFIX} with no host bits set, e.g. 10.0.0.0/16"
ALLOWED_SUBNETS = (
    f"azCount IPv4 CIDRs (one per AZ), each a /{MIN_PREFIX}-/{MAX_PREFIX} subnet of `cidr` overlapping no other subnet"
)
ALLOWED_REGION = "an AWS region name, e.g. us-east-1"


MAX_EXTRA_TAGS = 40
"""AWS allows 50 tags per resource; the stack's own (Project, Environment, Owner, CostCenter and
the provider's) and AWS services' need the rest."""


# --- tags: https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html -------------------
TAG_KEY_MAX = 128
TAG_VALUE_MAX = 256
TAG_CHARACTERS = "letters, digits, spaces and _ . : / = + - @"
"""What AWS allows in tag keys and values (Unicode letters and digits count as letters and digits)."""


def tag_text_problem(text: str, *, key: bool) -> tuple[str, dict[str, str]] | None:
    """Why AWS refuses `text` as a tag key (`key`) or value, or None: a reason that writes the
    characters it names as `{characters}`, and those characters (for `reject`)."""
    limit = TAG_KEY_MAX if key else TAG_VALUE_MAX
    if key and not text:
        return "is empty", {}
    if len(text) > limit:
        return f"is {len(text)} characters (AWS allows {limit})", {}
    bad = sorted({c for c in text if not (c.isalnum() or c == " " or c in "_.:/=+-@")})
    if bad:
        return f"contains {{characters}} (AWS allows {TAG_CHARACTERS})", {"characters": "".join(bad)}
    if key and text.lower().startswith("aws:"):
        return "starts with aws: (reserved for AWS)", {}
    return None


# --- VPC address space ---------------------------------------------------------------------------
# A VPC's IPv4 block should come from the private ranges of RFC 1918, or the shared address space of
# RFC 6598 (100.64.0.0/10), which AWS lists as usable for VPCs:
# https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html
PRIVATE_RANGES = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10")
ALLOWED_PRIVATE = "inside 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 (RFC 1918) or 100.64.0.0/10 (RFC 6598)"

# --- counts and capacities -----------------------------------------------------------------------
# Tasks per ECS service (service quota, not adjustable):
# https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html
ECS_MAX_TASKS_PER_SERVICE = 5000
# Nodes per EKS managed node group:
# https://docs.aws.amazon.com/eks/latest/userguide/service-quotas.html
EKS_MAX_NODES_PER_GROUP = 450
# Instance types per managed node group (CreateNodegroup instanceTypes):
# https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateNodegroup.html
EKS_MAX_INSTANCE_TYPES = 20

# --- RDS windows: https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html
# PreferredBackupWindow: hh24:mi-hh24:mi, UTC, at least 30 minutes, not overlapping the maintenance
# window. PreferredMaintenanceWindow: ddd:hh24:mi-ddd:hh24:mi, UTC, at least 30 minutes.
WINDOW_MIN_MINUTES = 30
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEK_MINUTES = 7 * 24 * 60

# --- the policy pack's minimums per environment ---------------------------------------------
# Settings the pack judges against a minimum, and the policy and its setting that holds it.
POLICY_MINIMUMS: dict[str, tuple[str, str]] = {
    "monitoring.logRetentionDays": ("cloudwatch-log-group-retention", "minimumRetentionDays"),
    "security.kmsDeletionWindowDays": ("kms-key-deletion-window", "minimumDays"),
    "database.backupRetentionDays": ("backup-retention-minimum", "minimumDays"),
    "backup.retentionDays": ("backup-retention-minimum", "minimumDays"),
    "cache.snapshotRetentionDays": ("backup-retention-minimum", "minimumCacheSnapshotDays"),
}
# The minimum of each where prod's pack configuration (policies/config/prod.json) makes the
# policy mandatory: the config refuses a smaller value before any resource is registered, rather
# than the pack after the registrations. tests/unit/test_policy_minimums.py proves these numbers
# are the pack's. dev and staging are left to the pack's judgement.
ENVIRONMENT_MINIMUMS: dict[str, dict[str, int]] = {
    "prod": {
        "monitoring.logRetentionDays": 365,
        "security.kmsDeletionWindowDays": 30,
        "database.backupRetentionDays": 7,
        "backup.retentionDays": 7,
        "cache.snapshotRetentionDays": 7,
    },
}


def minimums_text(key: str) -> str:
    """`at least 7 in prod` for the reference and the field's allowed text."""
    by_value: dict[int, list[str]] = {}
    for environment, minimums in ENVIRONMENT_MINIMUMS.items():
        if key in minimums:
            by_value.setdefault(minimums[key], []).append(environment)
    return "at least " + ", ".join(f"{n} in {' and '.join(envs)}" for n, envs in by_value.items())


# --- placeholders that must not reach staging or prod -------------------------------------------
# Names reserved for documentation and testing: RFC 2606 and RFC 6761.
RESERVED_DOMAINS = ("example.com", "example.net", "example.org")
RESERVED_TLDS = ("example", "test", "invalid", "localhost")
