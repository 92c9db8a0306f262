"""ECR under the SDK mocks: one immutable, encrypted, scanned repository per service, a lifecycle
policy ECR accepts, pull only for the platform's pulling role."""

from __future__ import annotations

import functools
import json
import runpy

import pytest

from offline_preview import run_program
from secure_platform.config import parse_config
from secure_platform.ecr.plan import check_lifecycle
from tests.components.helpers import (
    ECR,
    KEY,
    REPO,
    REPOSITORY,
    ROLE,
    ROLE_POLICY,
    SECURITY,
    of_type,
    ref,
    referencing,
    stack_capture,
    stack_file_config,
    statements,
    variant_capture,
)

STACKS = ("dev", "staging", "prod")


@functools.cache
def config(stack: str):
    return parse_config(stack_file_config(stack), stack=stack)


@pytest.mark.parametrize("stack", STACKS)
def test_one_immutable_encrypted_scanned_repository_per_service(stack):
    capture = stack_capture(stack)
    cfg = config(stack)
    repos = {r.name: r for r in of_type(capture, REPOSITORY, ECR)}
    assert set(repos) == set(cfg.ecr.repositories)
    (data_key,) = [k for k in of_type(capture, KEY, SECURITY) if k.name == "data"]
    for service, repo in repos.items():
        assert repo.inputs["name"] == cfg.naming.ecr_repository(service)
        assert repo.inputs["imageTagMutability"] == "IMMUTABLE"
        assert repo.inputs["imageScanningConfiguration"] == {"scanOnPush": True}
        (encryption,) = repo.inputs["encryptionConfigurations"]
        assert encryption["encryptionType"] == "KMS"
        assert ref(capture, repo, "encryptionConfigurations").urn == data_key.urn
        assert repo.protect is cfg.protect and repo.inputs["forceDelete"] is (not cfg.protect)
    assert capture.outputs["ecrRepositoryUrls"] == {s: r.outputs["repositoryUrl"] for s, r in repos.items()}


@pytest.mark.parametrize("stack", STACKS)
def test_lifecycle_policies_are_valid_for_ecr_and_use_the_configured_counts(stack):
    capture = stack_capture(stack)
    cfg = config(stack)
    for repo in of_type(capture, REPOSITORY, ECR):
        (lifecycle,) = list(referencing(capture, repo, "aws:ecr/lifecyclePolicy:LifecyclePolicy", "repository"))
        policy = json.loads(lifecycle.inputs["policy"])
        check_lifecycle(policy)  # the JSON schema of ECR's rule grammar, and the cross-rule rules
        by_status = {r["selection"]["tagStatus"]: r["selection"] for r in policy["rules"]}
        assert by_status["untagged"]["countNumber"] == cfg.ecr.untagged_expiry_days
        assert by_status["tagged"]["countNumber"] == cfg.ecr.keep_release_count


def _pull_principals(capture) -> set[str]:
    found = set()
    for policy in capture.of_type("aws:ecr/repositoryPolicy:RepositoryPolicy"):
        for stmt in statements(policy.inputs["policy"]):
            assert stmt["Effect"] == "Allow"
            assert not any(a.startswith(("ecr:Put", "ecr:Delete", "ecr:Upload")) for a in stmt["Action"])
            found.update(stmt["Principal"]["AWS"])
    return found


def test_only_the_ecs_task_execution_role_may_pull_on_ecs():
    capture = stack_capture("dev")
    (execution,) = [r for r in of_type(capture, ROLE, SECURITY) if r.name == "ecs-task-execution"]
    assert _pull_principals(capture) == {execution.outputs["arn"]}


def test_only_the_node_role_may_pull_on_eks():
    capture = variant_capture("dev", "compute", platform="eks")
    (node,) = [r for r in of_type(capture, ROLE, SECURITY) if r.name == "eks-node"]
    assert _pull_principals(capture) == {node.outputs["arn"]}


def test_enhanced_scanning_is_set_once_by_the_stack_that_asks_for_it_and_covers_the_project():
    assert stack_capture("dev").of_type("aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration") == []
    (scanning,) = stack_capture("prod").of_type("aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration")
    assert scanning.inputs["scanType"] == "ENHANCED"
    (rule,) = scanning.inputs["rules"]
    assert rule["repositoryFilters"] == [{"filter": "platform/*", "filterType": "WILDCARD"}]


def pull_grant_program() -> None:
    platform = runpy.run_path(str(REPO / "__main__.py"))["platform"]
    ecr, security = platform.ecr, platform.security
    from secure_platform.core.refs import grant_pull

    grant_pull(ecr, "exec-pulls", security.roles.ecs_task_execution, list(ecr.repositories.values()))


def test_repository_handles_grant_pull_on_exactly_these_repositories():
    capture = run_program(REPO, "dev", program=pull_grant_program, mode="up")
    (policy,) = [p for p in capture.of_type(ROLE_POLICY) if p.name == "exec-pulls"]
    pull, token = statements(policy.inputs["policy"])
    assert sorted(pull["Resource"]) == sorted(r.outputs["arn"] for r in of_type(capture, REPOSITORY, ECR))
    assert token["Action"] == "ecr:GetAuthorizationToken" and token["Resource"] == "*"
