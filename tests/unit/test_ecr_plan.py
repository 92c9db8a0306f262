"""ECR lifecycle policies against a JSON schema of ECR's rule grammar (written from the ECR User
Guide), the pull-only repository policy and the registry-wide scanning rule."""

from __future__ import annotations

import copy
import fnmatch
from typing import Any, cast

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secure_platform.core.naming import Naming
from secure_platform.ecr import plan as ecr_plan
from secure_platform.ecr.plan import LIFECYCLE_SCHEMA, LifecyclePolicyError, check_lifecycle, lifecycle_policy


def test_the_schema_is_itself_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(LIFECYCLE_SCHEMA)


def test_policy_expires_untagged_after_n_days_and_keeps_the_last_m_releases():
    policy = lifecycle_policy(7, 50)
    untagged, releases = sorted(policy["rules"], key=lambda r: r["rulePriority"])
    assert untagged["selection"] == {
        "tagStatus": "untagged",
        "countType": "sinceImagePushed",
        "countUnit": "days",
        "countNumber": 7,
    }
    assert releases["selection"] == {
        "tagStatus": "tagged",
        "tagPatternList": ["v*"],
        "countType": "imageCountMoreThan",
        "countNumber": 50,
    }
    assert {r["action"]["type"] for r in policy["rules"]} == {"expire"}


@settings(deadline=None)
@given(days=st.integers(1, 3650), keep=st.integers(1, 10_000))
def test_every_configurable_policy_is_valid_for_ecr(days, keep):
    jsonschema.validate(lifecycle_policy(days, keep), LIFECYCLE_SCHEMA)


def _break(mutate):
    policy = copy.deepcopy(lifecycle_policy(7, 10))
    mutate(policy)
    return policy


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda p: p["rules"][1]["selection"].update(countUnit="days"), "countUnit"),
        (lambda p: p["rules"][0]["selection"].pop("countUnit"), "countUnit"),
        (lambda p: p["rules"][1]["selection"].pop("tagPatternList"), "(tagPatternList|valid under)"),
        (lambda p: p["rules"][0]["selection"].update(tagPrefixList=["v"]), "should not be valid"),
        (lambda p: p["rules"][1]["selection"].update(tagPrefixList=["v"]), "rules/1/selection"),
        (lambda p: p["rules"][0]["selection"].update(countNumber=0), "less than the minimum"),
        (lambda p: p["rules"][0].update(rulePriority=0), "less than the minimum"),
        (lambda p: p["rules"][0].update(action={"type": "archive"}), "expire"),
        (lambda p: p["rules"][0].pop("action"), "action"),
        (lambda p: p["rules"][0]["selection"].update(tagStatus="some"), "tagStatus|is not one of"),
        (lambda p: p["rules"][0]["selection"].update(countType="sinceImagePulledTwice"), "rules/0/selection"),
        (lambda p: p["rules"][0].update(unknown=1), "Additional properties"),
        (lambda p: p.update(rules=[]), "should be non-empty|too short"),
    ],
)
def test_schema_refuses_what_ecr_refuses(mutate, message):
    with pytest.raises(LifecyclePolicyError, match=message):
        check_lifecycle(_break(mutate))


def test_rules_across_rules_are_checked():
    with pytest.raises(LifecyclePolicyError, match="unique"):
        check_lifecycle(_break(lambda p: p["rules"][1].update(rulePriority=1)))
    any_first = {
        "rulePriority": 1,
        "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 100},
        "action": {"type": "expire"},
    }
    with pytest.raises(LifecyclePolicyError, match="highest rulePriority"):
        check_lifecycle(_break(lambda p: p["rules"].insert(0, any_first) or p["rules"][1].update(rulePriority=3)))
    with pytest.raises(LifecyclePolicyError, match="wildcards"):
        check_lifecycle(_break(lambda p: p["rules"][1]["selection"].update(tagPatternList=["*a*b*c*d*"])))


def test_repository_policy_lets_only_the_named_roles_pull():
    roles = ["arn:aws:iam::123456789012:role/exec"]
    (stmt,) = ecr_plan.pull_policy(roles)["Statement"]
    assert stmt["Effect"] == "Allow" and stmt["Principal"] == {"AWS": roles}
    assert set(stmt["Action"]) == {"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"}
    assert not any(a.startswith(("ecr:Put", "ecr:Delete", "ecr:Upload", "ecr:Initiate")) for a in stmt["Action"])
    with pytest.raises(ValueError, match="at least one role"):
        ecr_plan.pull_policy([])


def test_enhanced_scanning_rule_covers_every_stack_of_the_project_and_nothing_else():
    (rule,) = cast(Any, ecr_plan.enhanced_scanning_rules("platform"))
    (flt,) = rule["repository_filters"]
    assert flt["filter_type"] == "WILDCARD"
    for env in ("dev", "staging", "prod"):
        repo = Naming("platform", env, "us-east-1").ecr_repository("backend")
        assert fnmatch.fnmatchcase(repo, flt["filter"])
    assert not fnmatch.fnmatchcase("other/prod/backend", flt["filter"])
