"""ECR: one image repository per service (tier 2).

Tags are immutable (a deployed tag never changes under the service), images are encrypted with
the data key and scanned on push, a lifecycle policy expires untagged images and old releases,
and the repository policy lets the platform's pulling role (ECS task execution role or EKS node
role) pull. Compute grants that role the matching IAM permissions with `RepositoryRef.grant_pull`.

Enhanced (Inspector) scanning is a registry setting, one per account and Region: the stack
configured with `ecr.scanning: enhanced` owns it, with a rule covering every repository of the
project (`<project>/*`), so stacks sharing the account keep being scanned whichever created the
setting; stacks with `basic` never touch it and rely on scan-on-push per repository. Only one
stack per account and Region may say `enhanced`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import pulumi
import pulumi_aws as aws

from secure_platform.config import StackConfig
from secure_platform.core import iam
from secure_platform.core.naming import Naming
from secure_platform.core.options import child
from secure_platform.core.refs import KeyRef, RepositoryRef, RoleRef
from secure_platform.ecr import plan as ecr_plan


@dataclass(frozen=True, eq=False)
class EcrArgs:
    naming: Naming
    protect: bool
    services: tuple[str, ...]
    untagged_expiry_days: int
    keep_release_count: int
    scanning: Literal["basic", "enhanced"]
    data_key: KeyRef
    pull_roles: Sequence[RoleRef]
    """Roles the repository policy lets pull (Security's ECS task execution or EKS node role)."""

    def __post_init__(self) -> None:
        if not self.services:
            raise ValueError("ECR needs at least one repository")
        if not self.pull_roles:
            raise ValueError("ECR needs the role that pulls images (ECS task execution role or EKS node role)")

    @classmethod
    def from_config(cls, cfg: StackConfig, *, data_key: KeyRef, pull_roles: Sequence[RoleRef | None]) -> EcrArgs:
        return cls(
            naming=cfg.naming,
            protect=cfg.protect,
            services=tuple(cfg.ecr.repositories),
            untagged_expiry_days=cfg.ecr.untagged_expiry_days,
            keep_release_count=cfg.ecr.keep_release_count,
            scanning=cfg.ecr.scanning,
            data_key=data_key,
            pull_roles=[r for r in pull_roles if r is not None],
        )


class Ecr(pulumi.ComponentResource):
    repositories: dict[str, RepositoryRef]

    def __init__(self, name: str, args: EcrArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:index:Ecr", name, None, opts)
        naming = args.naming
        lifecycle = ecr_plan.lifecycle_policy_json(args.untagged_expiry_days, args.keep_release_count)
        pull_policy = iam.policy_json(ecr_plan.pull_policy([r.arn for r in args.pull_roles]))
        self.repositories = {}
        for service in args.services:
            repo = aws.ecr.Repository(
                service,
                name=naming.ecr_repository(service),
                image_tag_mutability="IMMUTABLE",
                # Basic scanning on push; with enhanced registry scanning Inspector takes over.
                image_scanning_configuration={"scan_on_push": True},
                encryption_configurations=[{"encryption_type": "KMS", "kms_key": args.data_key.arn}],
                force_delete=not args.protect,
                opts=child(self, stateful=args.protect),
            )
            aws.ecr.LifecyclePolicy(service, repository=repo.name, policy=lifecycle, opts=child(self))
            aws.ecr.RepositoryPolicy(service, repository=repo.name, policy=pull_policy, opts=child(self))
            self.repositories[service] = RepositoryRef(
                arn=repo.arn, name=repo.name, url=repo.repository_url, kms_key=args.data_key
            )
        if args.scanning == "enhanced":
            # ENHANCED turns on Amazon Inspector with the caller's rights: the deploy identity
            # needs inspector2:Enable and iam:CreateServiceLinkedRole for inspector2.amazonaws.com
            # (ECR User Guide, "IAM permissions required for enhanced scanning in Amazon ECR");
            # preflight's service-linked-roles check simulates both.
            aws.ecr.RegistryScanningConfiguration(
                "registry-scanning",
                scan_type="ENHANCED",
                rules=ecr_plan.enhanced_scanning_rules(naming.project),
                opts=child(self),
            )
        self.register_outputs({"repositoryUrls": {s: r.url for s, r in self.repositories.items()}})
