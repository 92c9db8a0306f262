"""S3 default encryption: SSE-KMS (or DSSE-KMS) with a customer-managed key on every bucket, read
from the bucket's encryption configuration resources and its deprecated inline settings; SSE-S3
where AWS delivers logs, which it does only to SSE-S3 buckets; and S3 Bucket Keys on SSE-KMS buckets.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import Severity, StackValidationArgs

from ..helpers import Deferred, as_list, get, key_ref, linked, of_type, peek, targets, truthy
from ..registry import Controls, Report, stack_policy
from .shared import _cmk

BUCKETS = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
SSE_CONFIGS = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
)
KMS_ALGORITHMS = ("aws:kms", "aws:kms:dsse")


def _sse_rules(container: Mapping[str, Any]) -> list[Any]:
    """Rules of a BucketServerSideEncryptionConfiguration (`rules`) or of a bucket's deprecated
    inline `serverSideEncryptionConfiguration` (`rule` / `rules`)."""
    rules = as_list(get(container, "rules")) or as_list(get(container, "rule"))
    return [r for r in rules if isinstance(r, Mapping)]


def _bucket_encryption(bucket: Any, configs: list[Any]) -> list[Any]:
    """Rules from the bucket's configuration resources and its deprecated inline settings
    (`serverSideEncryptionConfiguration` on aws.s3.Bucket, a list `...Configurations` on BucketV2)."""
    rules: list[Any] = []
    for cfg in configs:
        rules += _sse_rules(cfg.props)
    inline = [
        get(bucket.props, "serverSideEncryptionConfiguration"),
        *as_list(get(bucket.props, "serverSideEncryptionConfigurations")),
    ]
    for container in inline:
        if isinstance(container, Mapping):
            rules += _sse_rules(container)
    return rules


def _defaults(rule: Any) -> list[Any]:
    """A rule's default encryption: an object, or a list on BucketV2's inline rules."""
    return [
        d
        for d in [
            get(rule, "applyServerSideEncryptionByDefault"),
            *as_list(get(rule, "applyServerSideEncryptionByDefaults")),
        ]
        if isinstance(d, Mapping)
    ]


def _algorithm(rule: Any) -> Any:
    return next((get(d, "sseAlgorithm") for d in _defaults(rule)), None)


def _kms_rule(rule: Any) -> bool:
    return any(get(d, "sseAlgorithm") in KMS_ALGORITHMS and _cmk(key_ref(d, "kmsMasterKeyId")) for d in _defaults(rule))


def _bucket_rules(args: StackValidationArgs) -> list[tuple[Any, list[Any]]]:
    buckets = list(of_type(args.resources, *BUCKETS))
    configs = list(of_type(args.resources, *SSE_CONFIGS))
    per_bucket: dict[str, list[Any]] = {b.urn: [] for b in buckets}
    for cfg in configs:
        for b in targets(cfg, "bucket", buckets):
            per_bucket[b.urn].append(cfg)
    return [(b, per_bucket[b.urn]) for b in buckets]


LOAD_BALANCERS = (
    "aws:lb/loadBalancer:LoadBalancer",
    "aws:alb/loadBalancer:LoadBalancer",
    "aws:elb/loadBalancer:LoadBalancer",
)
LOGGING_CONFIGS = ("aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2")


def sse_s3_destinations(resources: list[Any], buckets: list[Any]) -> set[str]:
    """Buckets that receive load balancer access logs or S3 server access logs. AWS delivers those
    only to buckets whose default encryption is SSE-S3 (Elastic Load Balancing and Amazon S3
    server access logging docs), so SSE-S3 is the strongest setting they can have."""
    urns = {b.urn for b in buckets}
    out: set[str] = set()
    for cfg in of_type(resources, *LOGGING_CONFIGS):
        out.update(b.urn for b in targets(cfg, "targetBucket", buckets))
    for b in buckets:
        for logging in [peek(b.props, "logging"), *as_list(peek(b.props, "loggings"))]:
            target = peek(logging, "targetBucket")
            out.update(x.urn for x in buckets if isinstance(target, str) and peek(x.props, "bucket") == target)
    for lb in of_type(resources, *LOAD_BALANCERS):
        out.update(d.urn for d in linked(lb, "accessLogs") if d.urn in urns)
        name = peek(peek(lb.props, "accessLogs"), "bucket")
        if isinstance(name, str):
            out.update(b.urn for b in buckets if peek(b.props, "bucket") == name)
    return out


def _sse_s3_rule(rule: Any) -> bool:
    return _algorithm(rule) == "AES256"


def _s3_kms(args: StackValidationArgs, report: Report) -> None:
    pairs = _bucket_rules(args)
    log_destinations = sse_s3_destinations(list(args.resources), [b for b, _ in pairs])
    deferred = Deferred()

    def check(bucket: Any, configs: list[Any]) -> None:
        rules = _bucket_encryption(bucket, configs)
        if len(configs) > 1 and not all(any(_kms_rule(r) for r in _sse_rules(c.props)) for c in configs):
            # S3 keeps one configuration, whichever is written last: every one must hold.
            report(
                f"S3 bucket '{bucket.name}' has {len(configs)} server-side encryption configurations and not all of them use "
                "a customer-managed KMS key; S3 keeps whichever is written last. Keep one "
                "aws.s3.BucketServerSideEncryptionConfiguration per bucket.",
                bucket.urn,
            )
            return
        if any(_kms_rule(r) for r in rules):
            return
        if bucket.urn in log_destinations:
            if not any(_sse_s3_rule(r) for r in rules):
                report(
                    f"S3 bucket '{bucket.name}' receives load balancer or S3 server access logs (which AWS delivers only to SSE-S3 "
                    "buckets) but has no default encryption. Add an aws.s3.BucketServerSideEncryptionConfiguration with sse_algorithm='AES256'.",
                    bucket.urn,
                )
            return
        found = (
            "has no server-side encryption configuration"
            if not rules
            else "is not encrypted with a customer-managed KMS key (SSE-S3 or the aws/s3 key)"
        )
        report(
            f"S3 bucket '{bucket.name}' {found}. Add an aws.s3.BucketServerSideEncryptionConfiguration with "
            f"bucket=<this bucket>, sse_algorithm='aws:kms' and kms_master_key_id=<customer-managed key ARN>.",
            bucket.urn,
        )

    for bucket, configs in pairs:
        deferred.run(check, bucket, configs)
    deferred.finish()


def _s3_bucket_key(args: StackValidationArgs, report: Report) -> None:
    deferred = Deferred()

    def check(bucket: Any, configs: list[Any]) -> None:
        kms_rules = [r for r in _bucket_encryption(bucket, configs) if _kms_rule(r)]
        sse_kms = [r for r in kms_rules if _algorithm(r) == "aws:kms"]
        if sse_kms and not any(truthy(get(r, "bucketKeyEnabled")) for r in sse_kms):
            report(
                f"S3 bucket '{bucket.name}' uses SSE-KMS without an S3 Bucket Key: every object request calls KMS "
                "(cost and throttling). Set bucket_key_enabled=True on its encryption rule.",
                bucket.urn,
            )

    for bucket, configs in _bucket_rules(args):
        deferred.run(check, bucket, configs)
    deferred.finish()


s3_kms = stack_policy(
    "s3-bucket-encrypted-with-cmk",
    category="encryption-at-rest",
    description="Every S3 bucket has default encryption SSE-KMS (or DSSE-KMS) with a customer-managed key; buckets receiving load balancer or S3 server access logs, which AWS delivers only to SSE-S3 buckets, at least SSE-S3.",
    severity=Severity.HIGH,
    controls=Controls(soc2=("CC6.1", "C1.1"), iso27001=("A.8.24",), pci=("3.5.1",), cis=("2.1.1",)),
    remediation="Create aws.s3.BucketServerSideEncryptionConfiguration(bucket=bucket.id, rules=[{apply_server_side_encryption_by_default: {sse_algorithm: 'aws:kms', kms_master_key_id: key.arn}, bucket_key_enabled: True}]).",
    validate=_s3_kms,
    types=BUCKETS,
    links=(*SSE_CONFIGS, *LOGGING_CONFIGS, *LOAD_BALANCERS),
    covers=("CKV_AWS_19", "CKV_AWS_145"),
)

s3_bucket_key = stack_policy(
    "s3-bucket-key-enabled",
    category="encryption-at-rest",
    description="SSE-KMS buckets use an S3 Bucket Key (fewer KMS calls: lower cost, no KMS throttling).",
    severity=Severity.LOW,
    controls=Controls(soc2=("CC6.1",), iso27001=("A.8.24",)),
    remediation="Set bucket_key_enabled=True on the bucket's SSE-KMS rule.",
    validate=_s3_bucket_key,
    types=BUCKETS,
    links=SSE_CONFIGS,
)

POLICIES = [s3_kms, s3_bucket_key]
