"""ECR lifecycle policies and repository policies (pure), checked against ECR's rule grammar.

`LIFECYCLE_SCHEMA` is written from the ECR User Guide ("Lifecycle policy properties"): each rule
has a unique `rulePriority` >= 1, a `selection` (`tagStatus` tagged/untagged/any; a tag pattern or
prefix list only with `tagged`, and then exactly one of them; `countType` `imageCountMoreThan`
without a unit or `sinceImagePushed` with `countUnit: days`; `countNumber` >= 1) and an `action`
of type `expire`. Rules that span rules (priorities unique, an `any` rule evaluated last) are
checked by `check_lifecycle`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import jsonschema
import pulumi
import pulumi_aws as aws
from jsonschema.exceptions import best_match

from secure_platform.core import iam

RELEASE_TAG_PATTERNS: tuple[str, ...] = ("v*",)
"""Release images: tags starting with `v` (`compute.imageTag` values without it are never expired)."""

_TAG_LIST = {"type": "array", "minItems": 1, "maxItems": 100, "items": {"type": "string", "minLength": 1}}

LIFECYCLE_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Amazon ECR lifecycle policy",
    "type": "object",
    "required": ["rules"],
    "additionalProperties": False,
    "properties": {
        "rules": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["rulePriority", "selection", "action"],
                "additionalProperties": False,
                "properties": {
                    "rulePriority": {"type": "integer", "minimum": 1},
                    "description": {"type": "string"},
                    "selection": {
                        "type": "object",
                        "required": ["tagStatus", "countType", "countNumber"],
                        "additionalProperties": False,
                        "properties": {
                            "tagStatus": {"enum": ["tagged", "untagged", "any"]},
                            "tagPatternList": _TAG_LIST,
                            "tagPrefixList": _TAG_LIST,
                            "countType": {"enum": ["imageCountMoreThan", "sinceImagePushed"]},
                            "countUnit": {"enum": ["days"]},
                            "countNumber": {"type": "integer", "minimum": 1},
                        },
                        "allOf": [
                            {
                                "if": {"properties": {"tagStatus": {"const": "tagged"}}},
                                "then": {
                                    "oneOf": [
                                        {"required": ["tagPatternList"], "not": {"required": ["tagPrefixList"]}},
                                        {"required": ["tagPrefixList"], "not": {"required": ["tagPatternList"]}},
                                    ]
                                },
                                "else": {
                                    "not": {
                                        "anyOf": [{"required": ["tagPatternList"]}, {"required": ["tagPrefixList"]}]
                                    }
                                },
                            },
                            {
                                "if": {"properties": {"countType": {"const": "sinceImagePushed"}}},
                                "then": {"required": ["countUnit"]},
                                "else": {"not": {"required": ["countUnit"]}},
                            },
                        ],
                    },
                    "action": {
                        "type": "object",
                        "required": ["type"],
                        "additionalProperties": False,
                        "properties": {"type": {"const": "expire"}},
                    },
                },
            },
        }
    },
}


class LifecyclePolicyError(ValueError):
    """A lifecycle policy ECR would reject."""


_VALIDATOR = jsonschema.Draft202012Validator(LIFECYCLE_SCHEMA)


def check_lifecycle(policy: dict[str, Any]) -> None:
    """Raise `LifecyclePolicyError` unless ECR would accept `policy`."""
    error = best_match(_VALIDATOR.iter_errors(policy))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(root)"
        raise LifecyclePolicyError(f"lifecycle policy at {where}: {error.message}")
    rules = policy["rules"]
    priorities = [r["rulePriority"] for r in rules]
    if len(set(priorities)) != len(priorities):
        raise LifecyclePolicyError(f"rulePriority values must be unique, got {priorities}")
    highest = max(priorities)
    for r in rules:
        if r["selection"]["tagStatus"] == "any" and r["rulePriority"] != highest:
            raise LifecyclePolicyError("a rule with tagStatus 'any' must have the highest rulePriority")
        for pattern in r["selection"].get("tagPatternList", []):
            if pattern.count("*") > 4:
                raise LifecyclePolicyError(f"tag pattern {pattern!r} has more than 4 wildcards")


def lifecycle_policy(untagged_expiry_days: int, keep_release_count: int) -> dict[str, Any]:
    """Untagged images (superseded layers of re-pushed builds) expire after N days; of the
    release-tagged images only the newest M are kept."""
    policy = {
        "rules": [
            {
                "rulePriority": 1,
                "description": f"Expire untagged images after {untagged_expiry_days} days",
                "selection": {
                    "tagStatus": "untagged",
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": untagged_expiry_days,
                },
                "action": {"type": "expire"},
            },
            {
                "rulePriority": 2,
                "description": f"Keep the last {keep_release_count} release images ({', '.join(RELEASE_TAG_PATTERNS)})",
                "selection": {
                    "tagStatus": "tagged",
                    "tagPatternList": list(RELEASE_TAG_PATTERNS),
                    "countType": "imageCountMoreThan",
                    "countNumber": keep_release_count,
                },
                "action": {"type": "expire"},
            },
        ]
    }
    check_lifecycle(policy)
    return policy


def lifecycle_policy_json(untagged_expiry_days: int, keep_release_count: int) -> str:
    return json.dumps(lifecycle_policy(untagged_expiry_days, keep_release_count), indent=2)


PULL_ACTIONS: tuple[str, ...] = iam.ECR_PULL


def pull_policy(role_arns: Sequence[pulumi.Input[str]]) -> iam.Document:
    """Repository policy: the named roles may pull (the registry token is an IAM permission of the
    role, granted by Compute). Within the account this adds to IAM; it grants nobody else."""
    if not role_arns:
        raise ValueError("a repository pull policy needs at least one role")
    return iam.document(
        [
            {
                "Sid": "PullByPlatformRoles",
                "Effect": "Allow",
                "Principal": {"AWS": list(role_arns)},
                "Action": list(PULL_ACTIONS),
            }
        ]
    )


def enhanced_scanning_rules(project: str) -> list[aws.ecr.RegistryScanningConfigurationRuleArgsDict]:
    """Registry-wide (per account and Region) enhanced scanning: continuous Inspector scans of every
    repository of the project, whichever stack created it (`<project>/*`)."""
    return [
        {
            "scan_frequency": "CONTINUOUS_SCAN",
            "repository_filters": [{"filter": f"{project}/*", "filter_type": "WILDCARD"}],
        }
    ]
