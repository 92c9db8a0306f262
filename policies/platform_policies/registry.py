"""Policy metadata in one place: category, severity, default enforcement, compliance controls,
remediation and the anchor checks (cdk-nag, checkov, awsguard) each policy covers.

`resource_policy` / `stack_policy` build the pulumi-policy objects with this metadata set the
way the service shows it (`severity`, `remediation_steps`, `framework`, `tags`) and record a
`PolicyInfo` for the catalog and the README table.
"""

from __future__ import annotations

import dataclasses
import fnmatch
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

from pulumi_policy import (
    EnforcementLevel,
    PolicyComplianceFramework,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)


class Report(Protocol):
    """The host's `report_violation`: the URN defaults to the resource being validated."""

    def __call__(self, message: str, urn: str | None = None, /) -> None: ...


CATEGORIES: dict[str, str] = {
    "encryption-at-rest": "Encryption at rest (at all, and with customer-managed KMS keys)",
    "encryption-in-transit": "Encryption in transit",
    "least-privilege": "Least privilege (IAM policy documents, trust, attachments)",
    "exposure": "Network and public exposure",
    "workload-hardening": "Container and instance hardening (ECS, EC2)",
    "kubernetes": "Kubernetes workloads",
    "logging": "Logging and audit",
    "data-protection": "Data protection (deletion protection, backups, versioning)",
    "resilience": "Resilience (Multi-AZ data stores)",
    "supply-chain": "Image supply chain",
    "tagging-cost": "Tagging and cost",
    "governance": "Governance (infrastructure the pack can judge)",
}

FRAMEWORKS = {
    "soc2": ("SOC 2", "2017 TSC (rev. 2022)"),
    "iso27001": ("ISO/IEC 27001", "2022 Annex A"),
    "pci": ("PCI DSS", "4.0.1"),
    "cis": ("CIS AWS Foundations Benchmark", "3.0.0"),
    "fsbp": ("AWS Foundational Security Best Practices", "v1.0.0"),
}
_KEYS = ("soc2", "iso27001", "pci", "cis", "fsbp")


@dataclass(frozen=True)
class Controls:
    """Compliance controls a policy provides evidence for."""

    soc2: tuple[str, ...] = ()
    iso27001: tuple[str, ...] = ()
    pci: tuple[str, ...] = ()
    cis: tuple[str, ...] = ()
    fsbp: tuple[str, ...] = ()
    """AWS Security Hub Foundational Security Best Practices control ids (`Lambda.1`, `EC2.9`)."""

    def tags(self) -> list[str]:
        out: list[str] = []
        for key in _KEYS:
            out += [f"{key}:{c}" for c in getattr(self, key)]
        return out

    def framework(self) -> PolicyComplianceFramework | None:
        """The most specific framework reference (CIS, else PCI DSS); all are in `tags`."""
        for key in ("cis", "fsbp", "pci", "iso27001", "soc2"):
            refs = getattr(self, key)
            if refs:
                name, version = FRAMEWORKS[key]
                return PolicyComplianceFramework(name=name, version=version, reference=", ".join(refs))
        return None

    def as_dict(self) -> dict[str, list[str]]:
        return {k: list(getattr(self, k)) for k in _KEYS if getattr(self, k)}

    def with_fsbp(self, *ids: str) -> Controls:
        return dataclasses.replace(self, fsbp=tuple(ids))


@dataclass(frozen=True)
class PolicyInfo:
    name: str
    kind: str  # "resource" | "stack"
    category: str
    description: str
    severity: Severity
    enforcement: EnforcementLevel
    controls: Controls
    remediation: str
    covers: tuple[str, ...]
    resource_types: tuple[str, ...]
    """Types the policy judges: findings are reported on resources of these types (exact tokens,
    or shell patterns such as `aws:*`)."""
    config: Mapping[str, Any] = field(default_factory=dict)
    links: tuple[str, ...] = ()
    """Types a stack policy only reads to judge others (a bucket's encryption configuration, the
    cluster instances of an Aurora cluster); their defects are reported on the judged resource."""


REGISTRY: list[PolicyInfo] = []

FSBP_IDS: dict[str, tuple[str, ...]] = {
    "s3-bucket-encrypted-with-cmk": ("S3.17",),
    "rds-storage-encrypted-with-cmk": ("RDS.3", "RDS.27"),
    "elasticache-encrypted-at-rest-with-cmk": ("ElastiCache.4",),
    "ebs-encrypted-with-cmk": ("EC2.3", "EC2.7"),
    "eks-secrets-encrypted-with-cmk": ("EKS.3",),
    "sns-topic-encrypted-with-cmk": ("SNS.1",),
    "sqs-queue-encrypted-with-cmk": ("SQS.1",),
    "efs-encrypted-with-cmk": ("EFS.1",),
    "cloudtrail-encrypted-with-cmk": ("CloudTrail.2",),
    "kms-key-rotation-enabled": ("KMS.4",),
    "lb-http-redirects-to-https": ("ELB.1",),
    "elasticache-encrypted-in-transit": ("ElastiCache.5",),
    "s3-bucket-denies-insecure-transport": ("S3.5",),
    "iam-no-wildcard-actions": ("IAM.1", "IAM.21"),
    "iam-users-no-direct-policies": ("IAM.2",),
    "security-group-no-world-sensitive-ports": ("EC2.13", "EC2.14", "EC2.19"),
    "security-group-world-ingress-only-on-load-balancers": ("EC2.18",),
    "vpc-default-security-group-closed": ("EC2.2",),
    "rds-not-publicly-accessible": ("RDS.2",),
    "eks-endpoint-not-public": ("EKS.1",),
    "ec2-imdsv2-required": ("EC2.8", "AutoScaling.3"),
    "compute-no-public-ip": ("EC2.9", "ECS.2", "AutoScaling.5"),
    "alb-drops-invalid-headers": ("ELB.4",),
    "ecs-no-privileged-containers": ("ECS.4",),
    "ecs-containers-read-only-root-filesystem": ("ECS.5",),
    "ecs-task-no-host-namespaces": ("ECS.3",),
    "ecs-no-plaintext-secrets": ("ECS.8",),
    "vpc-flow-logs-enabled": ("EC2.6",),
    "cloudtrail-multi-region-with-validation": ("CloudTrail.1", "CloudTrail.4"),
    "lb-access-logs-enabled": ("ELB.5",),
    "eks-control-plane-logging": ("EKS.8",),
    "rds-log-exports-enabled": ("RDS.9",),
    "s3-access-logging-enabled": ("S3.9",),
    "ecs-container-insights-enabled": ("ECS.12",),
    "database-deletion-protection": ("RDS.7", "RDS.8"),
    "s3-versioning-enabled": ("S3.14",),
    "dynamodb-point-in-time-recovery": ("DynamoDB.2",),
    "data-stores-multi-az": ("RDS.5", "RDS.15", "ElastiCache.3"),
    "ecr-image-scanning": ("ECR.1",),
    "ecr-image-tags-immutable": ("ECR.2",),
    "ecr-lifecycle-policy": ("ECR.3",),
}
"""AWS Security Hub Foundational Security Best Practices controls of policies whose module does not
name them (https://docs.aws.amazon.com/securityhub/latest/userguide/fsbp-standard.html)."""

_DEFAULT_LEVEL = {
    Severity.CRITICAL: EnforcementLevel.MANDATORY,
    Severity.HIGH: EnforcementLevel.MANDATORY,
    Severity.MEDIUM: EnforcementLevel.ADVISORY,
    Severity.LOW: EnforcementLevel.ADVISORY,
}


def _common(
    name: str,
    category: str,
    description: str,
    severity: Severity,
    controls: Controls,
    remediation: str,
    covers: tuple[str, ...],
    types: tuple[str, ...],
    enforcement: EnforcementLevel | None,
    config: Mapping[str, dict[str, Any]] | None,
    kind: str,
    links: tuple[str, ...] = (),
) -> dict[str, Any]:
    if category not in CATEGORIES:
        raise ValueError(f"policy {name}: unknown category {category!r}")
    if any(p.name == name for p in REGISTRY):
        raise ValueError(f"policy {name}: registered twice")
    if overlap := set(types) & set(links):
        raise ValueError(f"policy {name}: {sorted(overlap)} both judged and linked")
    level = enforcement or _DEFAULT_LEVEL[severity]
    if not controls.fsbp and name in FSBP_IDS:
        controls = controls.with_fsbp(*FSBP_IDS[name])
    REGISTRY.append(
        PolicyInfo(
            name,
            kind,
            category,
            description,
            severity,
            level,
            controls,
            remediation,
            covers,
            types,
            config or {},
            links,
        )
    )
    return {
        "name": name,
        "description": description,
        "enforcement_level": level,
        "config_schema": PolicyConfigSchema(properties=dict(config)) if config else None,
        "severity": severity,
        "framework": controls.framework(),
        "tags": [f"category:{category}", *controls.tags()],
        "remediation_steps": remediation,
    }


def resource_policy(
    name: str,
    *,
    category: str,
    description: str,
    severity: Severity,
    controls: Controls,
    remediation: str,
    validate: Callable[[ResourceValidationArgs, Report], None],
    types: tuple[str, ...],
    covers: tuple[str, ...] = (),
    enforcement: EnforcementLevel | None = None,
    config: Mapping[str, dict[str, Any]] | None = None,
) -> ResourceValidationPolicy:
    """A resource policy that only runs `validate` for the listed resource types (exact tokens,
    or shell patterns such as `aws:*`)."""
    judges = type_matcher(types)

    def run(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if judges(args.resource_type):
            validate(args, cast(Report, report))

    kw = _common(
        name, category, description, severity, controls, remediation, covers, types, enforcement, config, "resource"
    )
    policy = ResourceValidationPolicy(validate=run, **kw)
    policy.judges_type = judges  # type: ignore[attr-defined]
    return policy


def type_matcher(types: tuple[str, ...]) -> Callable[[str], bool]:
    """Whether a resource type is one of `types` (exact tokens, or shell patterns such as `aws:*`).

    A resource policy carries it as `judges_type`: it is the filter its `run` applies before
    anything else, so a host may leave out the calls it would turn away (the offline preview does:
    with a hundred policies, building every policy's view of every resource is most of an
    evaluation), and the pulumi CLI, which calls every policy, gets the same results."""
    wanted = frozenset(t for t in types if "*" not in t)
    patterns = tuple(t for t in types if "*" in t)

    def judges(resource_type: str) -> bool:
        return resource_type in wanted or any(fnmatch.fnmatchcase(resource_type, p) for p in patterns)

    return judges


def stack_policy(
    name: str,
    *,
    category: str,
    description: str,
    severity: Severity,
    controls: Controls,
    remediation: str,
    validate: Callable[[StackValidationArgs, Report], None],
    types: tuple[str, ...],
    links: tuple[str, ...] = (),
    covers: tuple[str, ...] = (),
    enforcement: EnforcementLevel | None = None,
    config: Mapping[str, dict[str, Any]] | None = None,
) -> StackValidationPolicy:
    """A stack policy that reports on resources of `types`, reading resources of `links` (and of
    `types`) to decide."""
    kw = _common(
        name, category, description, severity, controls, remediation, covers, types, enforcement, config, "stack", links
    )

    def run_stack(args: StackValidationArgs, report: ReportViolation) -> None:
        validate(args, cast(Report, report))

    policy = StackValidationPolicy(validate=run_stack, **kw)
    # The types it reports on and reads (the offline preview says which resources no policy reads).
    policy.judges_type = type_matcher((*types, *links))  # type: ignore[attr-defined]
    return policy


def config_value(args: ResourceValidationArgs | StackValidationArgs, key: str, default: Any) -> Any:
    """A policy property from `--policy-pack-config`, else the schema default (the CLI fills
    defaults in, but a host that does not must not change the verdict)."""
    value = (args.get_config() or {}).get(key)
    return default if value is None else value


STRICT_FOR_FOREIGN = ("encryption-at-rest", "encryption-in-transit", "exposure", "least-privilege")
ADVICE_FOR_FOREIGN = frozenset(
    {
        # AWS FSBP EC2.18 authorizes 80/443 from anywhere on any group; world-open sensitive ports
        # stay mandatory (security-group-no-world-sensitive-ports).
        "security-group-world-ingress-only-on-load-balancers",
        # Defence in depth beyond AWS defaults (TLS-only bucket policies, TLS forced by a DB
        # parameter group, WAF in front of an ALB, subnet groups of a non-public database).
        "s3-bucket-denies-insecure-transport",
        "rds-enforces-tls",
        "internet-facing-alb-has-waf",
        "data-stores-in-private-subnets",
    }
)


def customer_managed_key_only(info: PolicyInfo) -> bool:
    """Policies that ask for a customer-managed key on data AWS already encrypts with its own key
    (the stack's choice, not a defect of a program that has not made it)."""
    return info.name.endswith("-with-cmk") or info.name == "s3-bucket-key-enabled"


def foreign_level(info: PolicyInfo) -> EnforcementLevel:
    """The level for a program without a policy config of its own: encryption (at all, not by a
    customer-managed key), exposure and least-privilege findings of high or critical severity are
    mandatory; advice, customer-managed-key preferences and hygiene (logging, data protection,
    tagging, cost, supply chain, hardening) are advisory."""
    strict = (
        info.category in STRICT_FOR_FOREIGN
        and info.severity in (Severity.HIGH, Severity.CRITICAL)
        and not customer_managed_key_only(info)
        and info.name not in ADVICE_FOR_FOREIGN
    )
    return EnforcementLevel.MANDATORY if strict else EnforcementLevel.ADVISORY


def foreign_initial_config() -> dict[str, EnforcementLevel | dict[str, Any]]:
    """The pack's `initial_config`: what `pulumi preview --policy-pack` (and the offline preview)
    applies when no `--policy-pack-config` is given; a config file naming a policy overrides it."""
    return {info.name: foreign_level(info) for info in REGISTRY}
