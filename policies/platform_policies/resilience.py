"""Resilience beyond one Region and beyond one secret value: stateful buckets of production
stacks keep a copy in another Region, and secrets rotate.

* `s3-stateful-bucket-replicated-cross-region`: a bucket the stack marks as holding data that must
  survive (its effective tags carry the backup marker, `Backup=true` by default: what AWS Backup
  selections pick) in an environment listed in `environments` (effective `Environment` tag,
  default `prod`) is the source of an enabled S3 replication rule whose destination bucket lives in
  another Region (the destination bucket's provider Region, when the stack has it). When the
  bucket holds SSE-KMS objects (its default encryption is `aws:kms`/`aws:kms:dsse`, or a CloudTrail
  trail with `kms_key_id` delivers into it, whatever the bucket's default), that rule also opts in
  to them (`source_selection_criteria.sse_kms_encrypted_objects` Enabled and
  `destination.encryption_configuration.replica_kms_key_id`): S3 skips SSE-KMS objects otherwise,
  silently (S3 User Guide, "Replicating encrypted objects (SSE-S3, SSE-KMS, DSSE-KMS, SSE-C)").
* `secrets-rotated`: every Secrets Manager secret rotates: an `aws.secretsmanager.SecretRotation`
  for it at most `maxRotationDays` apart, or a value the stack itself regenerates on a schedule
  (its `SecretVersion` takes the value from a `random.RandomPassword` whose `keepers` carry a
  `rotation` period, and the secret's `RotationDays` tag says how often, within the maximum).
  RDS-managed master passwords (`manage_master_user_password=True`) are rotated by RDS every 7 days
  and are not `Secret` resources of the program, so they pass by construction.
"""

from __future__ import annotations

from pulumi_policy import PolicyResource, Severity, StackValidationArgs

from .helpers import (
    Deferred,
    as_list,
    effective_tags,
    get,
    given,
    is_set,
    number,
    of_type,
    peek,
    provider_region,
    targets,
)
from .registry import Controls, Report, config_value, stack_policy

BUCKET = "aws:s3/bucket:Bucket"
LEGACY_BUCKET = "aws:s3/bucketV2:BucketV2"
REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
LEGACY_SSE = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
TRAIL = "aws:cloudtrail/trail:Trail"
SECRET = "aws:secretsmanager/secret:Secret"  # noqa: S105 - a type token
ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"
VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword"  # noqa: S105 - a type token

DEFAULT_ENVIRONMENTS = ["prod"]
DEFAULT_MARKER = "Backup=true"
DEFAULT_MAX_ROTATION_DAYS = 90


def _enabled_rules(config: PolicyResource) -> list[tuple[str, object]]:
    """(destination bucket ARN, rule) of the enabled rules (unknown ARNs read as "")."""
    out: list[tuple[str, object]] = []
    for rule in as_list(get(config.props, "rules")):
        if str(get(rule, "status", default="")) != "Enabled":
            continue
        arn = peek(get(rule, "destination", default={}), "bucket")
        out.append((arn if isinstance(arn, str) else "", rule))
    return out


def _kms_algorithm(rules: object) -> str | None:
    for rule in as_list(rules):
        algorithm = peek(get(rule, "applyServerSideEncryptionByDefault", default={}), "sseAlgorithm")
        if isinstance(algorithm, str) and algorithm.startswith("aws:kms"):
            return algorithm
    return None


def _kms_writers(bucket: PolicyResource, resources: list[PolicyResource], buckets: list[PolicyResource]) -> str | None:
    """Why `bucket` holds SSE-KMS objects, or None: its default encryption (a settings resource or
    the legacy inline block), or a trail that encrypts its files with a KMS key (CloudTrail names
    the key on every PUT, whatever the bucket's default)."""
    for sse in of_type(resources, SSE, LEGACY_SSE):
        if bucket.urn in {t.urn for t in targets(sse, "bucket", buckets)}:
            algorithm = _kms_algorithm(get(sse.props, "rules"))
            if algorithm:
                return f"its default encryption is {algorithm}"
    inline = get(bucket.props, "serverSideEncryptionConfiguration", "rule")
    algorithm = _kms_algorithm(inline) if inline is not None else None
    if algorithm:
        return f"its default encryption is {algorithm}"
    for trail in of_type(resources, TRAIL):
        if is_set(trail, "kmsKeyId") and bucket.urn in {t.urn for t in targets(trail, "s3BucketName", buckets)}:
            return f"trail '{trail.name}' writes its files there encrypted with its kms_key_id"
    return None


def _copies_kms_objects(rule: object) -> bool:
    return str(get(rule, "sourceSelectionCriteria", "sseKmsEncryptedObjects", "status", default="")) == (
        "Enabled"
    ) and given(rule, "destination", "encryptionConfiguration", "replicaKmsKeyId")


def _replication_problem(
    bucket: PolicyResource, configs: list[PolicyResource], buckets: list[PolicyResource], kms: str | None
) -> str | None:
    if not configs:
        return "has no replication configuration"
    source_region = provider_region(bucket)
    for config in configs:
        for arn, rule in _enabled_rules(config):
            # By ARN when known, else through the rule's dependencies (a preview's unknown ARN).
            linked = {d.urn for d in config.property_dependencies.get("rules", [])}
            candidates = [b for b in buckets if arn and peek(b.props, "arn") == arn] or [
                b for b in buckets if b.urn != bucket.urn and b.urn in linked
            ]
            if not candidates and not arn:
                continue
            # A bucket outside this stack (a known ARN, no candidate): its Region is not ours to check.
            elsewhere = not candidates or any(
                provider_region(d) is None or source_region is None or provider_region(d) != source_region
                for d in candidates
            )
            if not elsewhere:
                return f"replicates only within {source_region}"
            if kms is not None and not _copies_kms_objects(rule):
                return (
                    f"its replication rule '{get(rule, 'id', default='')}' skips its SSE-KMS objects ({kms}): "
                    "S3 replicates them only when the rule sets source_selection_criteria.sse_kms_encrypted_objects "
                    "and destination.encryption_configuration.replica_kms_key_id"
                )
            return None
    return "has no enabled replication rule"


def _replicated(args: StackValidationArgs, report: Report) -> None:
    environments = {str(e) for e in config_value(args, "environments", DEFAULT_ENVIRONMENTS)}
    marker = str(config_value(args, "markerTag", DEFAULT_MARKER))
    key, _, value = marker.partition("=")
    resources = list(args.resources)
    buckets = list(of_type(resources, BUCKET, LEGACY_BUCKET))
    configs = list(of_type(resources, REPLICATION))
    deferred = Deferred()

    def check(bucket: PolicyResource) -> None:
        tags = effective_tags(bucket.props, bucket.provider)
        if tags.get(key) != value or tags.get("Environment") not in environments:
            return
        own = [c for c in configs if bucket.urn in {t.urn for t in targets(c, "bucket", buckets)}]
        problem = _replication_problem(bucket, own, buckets, _kms_writers(bucket, resources, buckets))
        if problem is not None:
            report(
                f"S3 bucket '{bucket.name}' holds data the stack backs up ({marker}) in {tags.get('Environment')} but {problem}: "
                "a Regional outage or a deleted key leaves no copy. Add an aws.s3.BucketReplicationConfig with an enabled rule "
                "to a versioned bucket in another Region (SSE-KMS: source_selection_criteria.sse_kms_encrypted_objects and "
                "destination.encryption_configuration.replica_kms_key_id with a key in that Region).",
                bucket.urn,
            )

    for bucket in buckets:
        deferred.run(check, bucket)
    deferred.finish()


replicated = stack_policy(
    "s3-stateful-bucket-replicated-cross-region",
    category="resilience",
    description="In production, every bucket the stack marks for backup replicates to a bucket in another Region, its SSE-KMS objects included.",
    severity=Severity.MEDIUM,
    controls=Controls(soc2=("A1.2", "A1.3"), iso27001=("A.8.13", "A.8.14")),
    remediation="aws.s3.BucketReplicationConfig on the bucket with an Enabled rule to a versioned bucket created through a provider for another Region (with replica_kms_key_id and sse_kms_encrypted_objects for buckets that hold SSE-KMS objects: SSE-KMS default encryption, or a trail with kms_key_id delivering there).",
    validate=_replicated,
    types=(BUCKET, LEGACY_BUCKET),
    links=(REPLICATION, SSE, LEGACY_SSE, TRAIL),
    config={
        "environments": {
            "type": "array",
            "items": {"type": "string"},
            "default": DEFAULT_ENVIRONMENTS,
            "description": "Values of the Environment tag whose marked buckets must replicate.",
        },
        "markerTag": {
            "type": "string",
            "default": DEFAULT_MARKER,
            "description": "KEY=VALUE tag that marks a bucket holding data that must survive.",
        },
    },
    covers=("CKV_AWS_144", "awsguard:s3-bucket-replication-enabled"),
)


def _rotation_problem(
    secret: PolicyResource,
    rotations: list[PolicyResource],
    versions: list[PolicyResource],
    secrets: list[PolicyResource],
    max_days: float,
) -> str | None:
    for rotation in rotations:
        if secret.urn not in {t.urn for t in targets(rotation, "secretId", secrets, match_props=("id", "arn", "name"))}:
            continue
        days = number(get(rotation.props, "rotationRules", "automaticallyAfterDays"))
        schedule = get(rotation.props, "rotationRules", "scheduleExpression")
        if schedule or (days is not None and days <= max_days):
            return None
        return f"rotates only every {int(days) if days else '?'} days (more than {int(max_days)})"
    tagged = number(get(secret.props, "tags", "RotationDays"))
    for version in versions:
        if secret.urn not in {t.urn for t in targets(version, "secretId", secrets, match_props=("id", "arn", "name"))}:
            continue
        sources = [
            d for d in version.property_dependencies.get("secretString", []) if d.resource_type == RANDOM_PASSWORD
        ]
        if any(get(s.props, "keepers", "rotation") is not None for s in sources):
            if tagged is not None and tagged <= max_days:
                return None
            return "is regenerated by the stack but its RotationDays tag is missing or above the maximum"
    return "has no rotation"


def _rotated(args: StackValidationArgs, report: Report) -> None:
    max_days = float(config_value(args, "maxRotationDays", DEFAULT_MAX_ROTATION_DAYS))
    resources = list(args.resources)
    secrets = list(of_type(resources, SECRET))
    rotations = list(of_type(resources, ROTATION))
    versions = list(of_type(resources, VERSION))
    deferred = Deferred()

    def check(secret: PolicyResource) -> None:
        problem = _rotation_problem(secret, rotations, versions, secrets, max_days)
        if problem is not None:
            report(
                f"Secrets Manager secret '{secret.name}' {problem}: a leaked value stays valid. Add an "
                f"aws.secretsmanager.SecretRotation (rotation_rules.automatically_after_days <= {int(max_days)}), or let the "
                "stack regenerate it (random.RandomPassword with keepers={'rotation': <period>}, tag RotationDays).",
                secret.urn,
            )

    for secret in secrets:
        deferred.run(check, secret)
    deferred.finish()


rotated = stack_policy(
    "secrets-rotated",
    category="resilience",
    description="Secrets Manager secrets rotate (a SecretRotation, or a stack-regenerated value with a declared period); RDS-managed master passwords rotate by design.",
    severity=Severity.MEDIUM,
    controls=Controls(soc2=("CC6.1",), iso27001=("A.5.17",), pci=("8.3.9",)),
    remediation="aws.secretsmanager.SecretRotation with rotation_rules.automatically_after_days within the maximum; for RDS use manage_master_user_password=True.",
    validate=_rotated,
    types=(SECRET,),
    links=(ROTATION, VERSION, RANDOM_PASSWORD),
    config={
        "maxRotationDays": {
            "type": "number",
            "default": DEFAULT_MAX_ROTATION_DAYS,
            "description": "Longest time between two rotations of one secret.",
        }
    },
    covers=("AwsSolutions-SMG4", "CKV2_AWS_57", "awsguard:secretsmanager-rotation-enabled-check"),
)

POLICIES = [replicated, rotated]
