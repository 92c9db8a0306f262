"""Small policies used to test the in-process runner: a resource policy with config, an advisory
one, a stack policy that follows dependencies, and one that reads the provider's default tags."""

import json

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)


def _bucket_prefix(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != "aws:s3/bucket:Bucket":
        return
    wanted = args.get_config()["prefix"]
    if not str(args.props.get("bucketPrefix", "")).startswith(wanted):
        report(f"bucket prefix must start with {wanted!r}", None)


def _key_rotation(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == "aws:kms/key:Key" and not args.props.get("enableKeyRotation"):
        report("enable key rotation", None)


def _bucket_encrypted(args: StackValidationArgs, report: ReportViolation) -> None:
    encrypted = set()
    for r in args.resources:
        if r.resource_type == "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration":
            for dep in r.property_dependencies.get("bucket", []):
                encrypted.add(dep.urn)
    for r in args.resources:
        if r.resource_type == "aws:s3/bucket:Bucket" and r.urn not in encrypted:
            report("bucket has no server-side encryption configuration", r.urn)


def _owner_tag(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if not args.resource_type.startswith("aws:s3/bucket:"):
        return
    tags = dict(args.props.get("tags") or {})
    if args.provider is not None:
        default = args.provider.props.get("defaultTags") or {}
        if isinstance(default, str):
            default = json.loads(default)
        tags.update(default.get("tags") or {})
    if "Owner" not in tags:
        report("missing Owner tag", None)


POLICIES = [
    ResourceValidationPolicy(
        name="bucket-prefix",
        description="Buckets are named with the team prefix.",
        enforcement_level=EnforcementLevel.MANDATORY,
        severity=Severity.HIGH,
        config_schema=PolicyConfigSchema(properties={"prefix": {"type": "string", "default": "example"}}),
        validate=_bucket_prefix,
    ),
    ResourceValidationPolicy(name="key-rotation", description="KMS keys rotate.", validate=_key_rotation),
    StackValidationPolicy(
        name="bucket-encrypted",
        description="Every bucket has an encryption configuration.",
        enforcement_level=EnforcementLevel.MANDATORY,
        validate=_bucket_encrypted,
    ),
    ResourceValidationPolicy(name="owner-tag", description="Buckets carry an Owner tag.", validate=_owner_tag),
]
