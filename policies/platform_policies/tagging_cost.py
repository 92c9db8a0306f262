"""Tagging and cost: ownership tags (counting the provider's defaultTags), instance sizes per
environment, current-generation storage, lifecycle rules that stop unbounded growth; plus the
image supply-chain checks on ECR."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from pulumi_policy import ResourceValidationArgs, Severity, StackValidationArgs

from .helpers import Deferred, as_list, effective_tags, get, matches_any, of_type, peek, targets, truthy
from .registry import Controls, Report, config_value, resource_policy, stack_policy

DATA = Path(__file__).resolve().parent / "data"
INVENTORY = Controls(soc2=("CC6.1", "CC3.2"), iso27001=("A.5.9",), pci=("12.5.1",))
COST = Controls(soc2=("A1.1",), iso27001=("A.8.6",))

DEFAULT_REQUIRED_TAGS: list[str] = []
"""No tag is required unless the stack's policy config names it (a program's tagging scheme is its
own); this repository's stacks ask for Environment, Project, Owner and CostCenter."""
_LISTED = 8


@cache
def taggable_types() -> frozenset[str]:
    data = json.loads((DATA / "aws_taggable_types.json").read_text(encoding="utf-8"))
    return frozenset(data["types"])


def _required_tags(args: StackValidationArgs, report: Report) -> None:
    """One finding per missing key (on the first resource that lacks it, naming the others), not
    one per resource: a tag missing from the provider's default_tags is one fix."""
    required = list(config_value(args, "requiredTags", DEFAULT_REQUIRED_TAGS))
    allowed_values: dict[str, list[str]] = dict(config_value(args, "allowedValues", {}))
    if not required and not allowed_values:
        return
    missing: dict[str, list[Any]] = {key: [] for key in required}
    deferred = Deferred()

    def check(r: Any) -> None:
        tags = effective_tags(r.props, r.provider)
        for key in required:
            if not str(tags.get(key, "")).strip():
                missing[key].append(r)
        for key, values in allowed_values.items():
            if key in tags and tags[key] not in values:
                report(f"'{r.name}' has tag {key}={tags[key]!r}; allowed values are {values}.", r.urn)

    taggable = taggable_types()
    for r in sorted(args.resources, key=lambda r: r.urn):
        if r.resource_type in taggable:
            deferred.run(check, r)
    for key, lacking in missing.items():
        if not lacking:
            continue
        names = ", ".join(f"'{r.name}'" for r in lacking[:_LISTED])
        more = f" and {len(lacking) - _LISTED} more" if len(lacking) > _LISTED else ""
        report(
            f"Required tag '{key}' is missing on {len(lacking)} resource(s): {names}{more} (own tags plus the provider's default_tags). "
            "Set it once in aws.Provider(default_tags={'tags': {...}}) and pass that provider to every resource.",
            lacking[0].urn,
        )
    deferred.finish()


required_tags = stack_policy(
    "required-tags",
    category="tagging-cost",
    description="Every taggable AWS resource carries the tag keys the stack's policy config requires (none by default), by its own tags or the provider's defaultTags; one finding per missing key.",
    severity=Severity.MEDIUM,
    controls=INVENTORY,
    remediation="Create one aws.Provider with default_tags={'tags': {'Environment': ..., 'Project': ..., 'Owner': ..., 'CostCenter': ...}} and use it for every resource.",
    validate=_required_tags,
    types=("aws:*",),
    config={
        "requiredTags": {
            "type": "array",
            "items": {"type": "string"},
            "default": DEFAULT_REQUIRED_TAGS,
            "description": "Tag keys every taggable resource needs (none unless configured).",
        },
        "allowedValues": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "default": {},
            "description": 'Optional allowed values per tag key, e.g. {"Environment": ["dev", "staging", "prod"]}.',
        },
    },
)

# Current and previous general-purpose/compute/memory families (spot diversification needs the
# previous generation too); sizes are capped per environment in policies/config/<stack>.json.
DEFAULT_INSTANCE_TYPES = [
    f"{family}.*"
    for family in (
        "t3", "t3a", "t4g",
        "m5", "m5a", "m5n", "m6i", "m6a", "m6g", "m7i", "m7a", "m7g",
        "c5", "c5a", "c5n", "c6i", "c6a", "c6g", "c7i", "c7a", "c7g",
        "r5", "r5a", "r6i", "r6a", "r6g", "r7i", "r7a", "r7g",
    )
]  # fmt: skip
DEFAULT_DB_CLASSES = ["db.t3.*", "db.t4g.*", "db.m6i.*", "db.m6g.*", "db.m7g.*", "db.r6i.*", "db.r6g.*", "db.r7g.*"]
INSTANCES = ("aws:ec2/instance:Instance", "aws:ec2/spotInstanceRequest:SpotInstanceRequest")
LAUNCH_CONFIGURATION = "aws:ec2/launchConfiguration:LaunchConfiguration"
SELF_MANAGED_NODE_GROUPS = ("eks:index:NodeGroup", "eks:index:NodeGroupV2")
DEFAULT_CACHE_TYPES = ["cache.t3.*", "cache.t4g.*", "cache.m6g.*", "cache.m7g.*", "cache.r6g.*", "cache.r7g.*"]


def _sizes(args: ResourceValidationArgs) -> list[tuple[str, str, str]]:
    """(kind, value, config key) for each size the resource asks for."""
    p = args.props
    t = args.resource_type
    out: list[tuple[str, str, str]] = []
    if t in (*INSTANCES, "aws:ec2/launchTemplate:LaunchTemplate", LAUNCH_CONFIGURATION):
        out += [("instance type", str(v), "allowedInstanceTypes") for v in as_list(get(p, "instanceType"))]
    elif t in SELF_MANAGED_NODE_GROUPS:  # pulumi-eks's default instance type
        out.append(("instance type", str(get(p, "instanceType", default="t3.medium")), "allowedInstanceTypes"))
    elif t in ("aws:eks/nodeGroup:NodeGroup", "eks:index:ManagedNodeGroup"):
        out += [("instance type", str(v), "allowedInstanceTypes") for v in as_list(get(p, "instanceTypes"))]
    elif t == "eks:index:Cluster":
        if not truthy(get(p, "skipDefaultNodeGroup")) and get(p, "fargate") is None and get(p, "autoMode") is None:
            out.append(("instance type", str(get(p, "instanceType", default="t3.medium")), "allowedInstanceTypes"))
    elif t == "aws:autoscaling/group:Group":
        for o in as_list(get(p, "mixedInstancesPolicy", "launchTemplate", "overrides")):
            if get(o, "instanceType"):
                out.append(("instance type", str(get(o, "instanceType")), "allowedInstanceTypes"))
    elif t in ("aws:rds/instance:Instance", "aws:rds/clusterInstance:ClusterInstance"):
        out += [("DB instance class", str(v), "allowedDbInstanceClasses") for v in as_list(get(p, "instanceClass"))]
    elif t == "aws:rds/cluster:Cluster":  # Multi-AZ DB clusters size their instances on the cluster
        out += [
            ("DB instance class", str(v), "allowedDbInstanceClasses") for v in as_list(get(p, "dbClusterInstanceClass"))
        ]
    elif t in ("aws:elasticache/replicationGroup:ReplicationGroup", "aws:elasticache/cluster:Cluster"):
        out += [("cache node type", str(v), "allowedCacheNodeTypes") for v in as_list(get(p, "nodeType"))]
    return out


def _allowed_sizes(args: ResourceValidationArgs, report: Report) -> None:
    defaults = {
        "allowedInstanceTypes": DEFAULT_INSTANCE_TYPES,
        "allowedDbInstanceClasses": DEFAULT_DB_CLASSES,
        "allowedCacheNodeTypes": DEFAULT_CACHE_TYPES,
    }
    for kind, value, key in _sizes(args):
        allowed = list(config_value(args, key, defaults[key]))
        if not matches_any(value, allowed):
            report(
                f"'{args.name}' asks for {kind} '{value}', which this environment does not allow ({key}: {allowed}). Pick an allowed size or change the policy config for this stack."
            )


allowed_sizes = resource_policy(
    "allowed-instance-types",
    category="tagging-cost",
    description="EC2 instance types (instances, spot requests, launch templates and configurations, node groups, ASGs), RDS classes and ElastiCache node types are on the environment's allow-list.",
    severity=Severity.MEDIUM,
    controls=COST,
    remediation="Use a size allowed by policies/config/<stack>.json, or widen the allow-list there with a reviewed change.",
    validate=_allowed_sizes,
    types=(
        *INSTANCES,
        "aws:ec2/launchTemplate:LaunchTemplate",
        LAUNCH_CONFIGURATION,
        "aws:eks/nodeGroup:NodeGroup",
        "eks:index:ManagedNodeGroup",
        "eks:index:Cluster",
        *SELF_MANAGED_NODE_GROUPS,
        "aws:autoscaling/group:Group",
        "aws:rds/instance:Instance",
        "aws:rds/clusterInstance:ClusterInstance",
        "aws:rds/cluster:Cluster",
        "aws:elasticache/replicationGroup:ReplicationGroup",
        "aws:elasticache/cluster:Cluster",
    ),
    config={
        "allowedInstanceTypes": {
            "type": "array",
            "items": {"type": "string"},
            "default": DEFAULT_INSTANCE_TYPES,
            "description": "Shell patterns of allowed EC2 instance types.",
        },
        "allowedDbInstanceClasses": {
            "type": "array",
            "items": {"type": "string"},
            "default": DEFAULT_DB_CLASSES,
            "description": "Shell patterns of allowed RDS instance classes.",
        },
        "allowedCacheNodeTypes": {
            "type": "array",
            "items": {"type": "string"},
            "default": DEFAULT_CACHE_TYPES,
            "description": "Shell patterns of allowed ElastiCache node types.",
        },
    },
)


def _gp3(args: ResourceValidationArgs, report: Report) -> None:
    p = args.props
    t = args.resource_type
    found: list[str] = []
    if t == "aws:ebs/volume:Volume" and get(p, "type") == "gp2":
        found.append("the volume")
    elif t in (*INSTANCES, LAUNCH_CONFIGURATION):
        if get(p, "rootBlockDevice", "volumeType") == "gp2":
            found.append("the root volume")
        found += [
            f"device {get(d, 'deviceName', default='?')}"
            for d in as_list(get(p, "ebsBlockDevices"))
            if get(d, "volumeType") == "gp2"
        ]
    elif t == "aws:ec2/launchTemplate:LaunchTemplate":
        found += [
            f"device {get(m, 'deviceName', default='?')}"
            for m in as_list(get(p, "blockDeviceMappings"))
            if get(m, "ebs", "volumeType") == "gp2"
        ]
    elif t in SELF_MANAGED_NODE_GROUPS:
        volume_type = get(p, "nodeRootVolumeType")
        if volume_type == "gp2":
            found.append("the nodes' root volumes (node_root_volume_type)")
        elif volume_type is None and get(p, "operatingSystem") == "AL2":
            found.append("the nodes' root volumes (pulumi-eks's default for AL2 nodes; set node_root_volume_type)")
    elif t == "aws:rds/instance:Instance" and get(p, "storageType") == "gp2":
        found.append("the database storage")
    if found:
        report(
            f"'{args.name}': {', '.join(found)} use(s) gp2. gp3 costs about 20% less per GB with 3,000 IOPS baseline regardless of size; set the volume/storage type to 'gp3'."
        )


gp3 = resource_policy(
    "prefer-gp3-storage",
    category="tagging-cost",
    description="EBS volumes and RDS storage use gp3 rather than the older, dearer gp2.",
    severity=Severity.LOW,
    controls=COST,
    remediation="Set type/volume_type/storage_type='gp3' (node_root_volume_type='gp3' on pulumi-eks self-managed node groups).",
    validate=_gp3,
    types=(
        "aws:ebs/volume:Volume",
        *INSTANCES,
        "aws:ec2/launchTemplate:LaunchTemplate",
        LAUNCH_CONFIGURATION,
        *SELF_MANAGED_NODE_GROUPS,
        "aws:rds/instance:Instance",
    ),
)

BUCKETS = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
LIFECYCLES = (
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
)


def _s3_lifecycle(args: StackValidationArgs, report: Report) -> None:
    buckets = list(of_type(args.resources, *BUCKETS))
    covered: set[str] = set()
    for lc in of_type(args.resources, *LIFECYCLES):
        if any(str(get(r, "status", default="Enabled")) == "Enabled" for r in as_list(get(lc.props, "rules"))):
            covered.update(b.urn for b in targets(lc, "bucket", buckets))
    deferred = Deferred()

    def check(b: Any) -> None:
        inline = [r for r in as_list(get(b.props, "lifecycleRules")) if truthy(get(r, "enabled"))]
        if b.urn not in covered and not inline:
            report(
                f"S3 bucket '{b.name}' has no lifecycle rules: noncurrent versions and incomplete multipart uploads accumulate forever. "
                "Add aws.s3.BucketLifecycleConfiguration with noncurrent_version_expiration and abort_incomplete_multipart_upload (and transitions for cold data).",
                b.urn,
            )

    for b in buckets:
        deferred.run(check, b)
    deferred.finish()


s3_lifecycle = stack_policy(
    "s3-lifecycle-configured",
    category="tagging-cost",
    description="Every S3 bucket has an enabled lifecycle configuration (expire noncurrent versions, abort incomplete uploads, tier cold data).",
    severity=Severity.LOW,
    controls=Controls(soc2=("A1.1", "C1.2"), iso27001=("A.8.10", "A.8.6")),
    remediation="aws.s3.BucketLifecycleConfiguration(bucket=bucket.id, rules=[...noncurrent_version_expiration..., abort_incomplete_multipart_upload...]).",
    validate=_s3_lifecycle,
    types=BUCKETS,
    links=LIFECYCLES,
    covers=("CKV2_AWS_61", "CKV_AWS_300"),
)


def _ecr_lifecycle(args: StackValidationArgs, report: Report) -> None:
    repos = list(of_type(args.resources, "aws:ecr/repository:Repository"))
    covered: set[str] = set()
    for lp in of_type(args.resources, "aws:ecr/lifecyclePolicy:LifecyclePolicy"):
        covered.update(r.urn for r in targets(lp, "repository", repos, match_props=("name", "id")))
    for r in repos:
        if r.urn not in covered:
            report(
                f"ECR repository '{r.name}' has no lifecycle policy: every image ever pushed is stored (and scanned) forever. Add aws.ecr.LifecyclePolicy expiring untagged images and keeping the last N releases.",
                r.urn,
            )


ecr_lifecycle = stack_policy(
    "ecr-lifecycle-policy",
    category="tagging-cost",
    description="Every ECR repository has a lifecycle policy (expire untagged images, keep the last N releases).",
    severity=Severity.LOW,
    controls=COST,
    remediation="aws.ecr.LifecyclePolicy(repository=repo.name, policy=<rules expiring untagged images and old releases>).",
    validate=_ecr_lifecycle,
    types=("aws:ecr/repository:Repository",),
    links=("aws:ecr/lifecyclePolicy:LifecyclePolicy",),
)


# --- image supply chain --------------------------------------------------------------------------


def _immutable(args: ResourceValidationArgs, report: Report) -> None:
    if str(get(args.props, "imageTagMutability", default="MUTABLE")).upper() not in (
        "IMMUTABLE",
        "IMMUTABLE_WITH_EXCLUSION",
    ):
        report(
            f"ECR repository '{args.name}' allows tags to be overwritten, so a deployed tag can silently change. Set image_tag_mutability='IMMUTABLE'."
        )


immutable = resource_policy(
    "ecr-image-tags-immutable",
    category="supply-chain",
    description="ECR repositories make image tags immutable.",
    severity=Severity.MEDIUM,
    controls=Controls(soc2=("CC8.1",), iso27001=("A.8.32",), pci=("6.3.2",)),
    remediation="Set image_tag_mutability='IMMUTABLE' on aws.ecr.Repository.",
    validate=_immutable,
    types=("aws:ecr/repository:Repository",),
    covers=("CKV_AWS_51",),
)


def _filter_matches(filter_value: str, repo_name: str | None) -> bool:
    return filter_value == "*" or (repo_name is not None and matches_any(repo_name, [filter_value]))


def _scanning(args: StackValidationArgs, report: Report) -> None:
    registry_rules: list[tuple[str, list[str]]] = []
    for cfg in of_type(args.resources, "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration"):
        scan_type = str(get(cfg.props, "scanType", default="BASIC"))
        for rule in as_list(get(cfg.props, "rules")):
            if scan_type == "ENHANCED" or get(rule, "scanFrequency") == "SCAN_ON_PUSH":
                registry_rules.append(
                    (scan_type, [str(get(f, "filter", default="")) for f in as_list(get(rule, "repositoryFilters"))])
                )
    for repo in of_type(args.resources, "aws:ecr/repository:Repository"):
        if truthy(peek(get(repo.props, "imageScanningConfiguration") or {}, "scanOnPush")):
            continue
        name = peek(repo.props, "name")
        if any(
            _filter_matches(f, name if isinstance(name, str) else None)
            for _, filters in registry_rules
            for f in filters
        ):
            continue
        report(
            f"ECR repository '{repo.name}' does not scan images on push. Set image_scanning_configuration={{scan_on_push: True}}, "
            "or (better) enable Inspector enhanced scanning with aws.ecr.RegistryScanningConfiguration(scan_type='ENHANCED', rules=[...filter '*'...]).",
            repo.urn,
        )


scanning = stack_policy(
    "ecr-image-scanning",
    category="supply-chain",
    description="ECR images are scanned for vulnerabilities on push (repository setting or a registry scanning rule that matches the repository).",
    severity=Severity.MEDIUM,
    controls=Controls(soc2=("CC7.1",), iso27001=("A.8.8",), pci=("6.3.1", "11.3.1")),
    remediation="image_scanning_configuration={scan_on_push: True} on the repository, or aws.ecr.RegistryScanningConfiguration with ENHANCED scanning for '*'.",
    validate=_scanning,
    types=("aws:ecr/repository:Repository",),
    links=("aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration",),
    covers=("CKV_AWS_163",),
)

POLICIES = [required_tags, allowed_sizes, gp3, s3_lifecycle, ecr_lifecycle, immutable, scanning]
