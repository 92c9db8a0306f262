"""The CI/CD workflows keep their safety properties (actionlint checks their syntax in `make test`)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
PINNED = re.compile(r"^\s*(?:-\s*)?uses:\s*([\w.-]+/[\w./-]+)@([0-9a-f]{40}) # v\d+\.\d+\.\d+\s*$")
STACKS = ["dev", "staging", "prod"]


def load(name: str) -> dict[str, Any]:
    doc = yaml.safe_load((WORKFLOWS / name).read_text())
    if True in doc:  # YAML 1.1 reads the `on:` key as a boolean
        doc["on"] = doc.pop(True)
    return doc


ALL = sorted(p.name for p in WORKFLOWS.glob("*.yml"))


def test_the_four_workflows_exist():
    assert ALL == ["deploy.yml", "drift.yml", "pull-request-comment.yml", "pull-request.yml"]


@pytest.mark.parametrize("path", [*WORKFLOWS.glob("*.yml"), ROOT / ".github/actions/setup/action.yml"], ids=str)
def test_remote_actions_are_pinned_to_a_commit_with_its_version(path: Path):
    for line in path.read_text().splitlines():
        if "uses:" in line and "uses: ./" not in line:
            assert PINNED.match(line), f"{path.name}: not pinned to a full SHA with a version comment: {line.strip()}"


@pytest.mark.parametrize("name", ALL)
def test_permissions_are_empty_by_default_and_granted_per_job(name: str):
    doc = load(name)
    assert doc["permissions"] == {}
    for job_id, job in doc["jobs"].items():
        assert "permissions" in job, f"{name}:{job_id} has no explicit permissions"
        assert "write-all" not in str(job["permissions"])


def test_pull_request_credentials_never_reach_forks():
    doc = load("pull-request.yml")
    assert list(doc["on"]) == ["pull_request"]  # never pull_request_target
    for job_id, job in doc["jobs"].items():
        if job["permissions"].get("id-token") == "write":
            assert "github.event.pull_request.head.repo.full_name == github.repository" in job["if"], job_id
        else:
            assert job["permissions"] == {"contents": "read"}, job_id


def test_pull_request_runs_make_test_offline_previews_and_the_cost_diff():
    text = (WORKFLOWS / "pull-request.yml").read_text()
    assert "run: make test" in text
    assert "for stack in dev staging prod" in text
    assert "python -m offline_preview.compare out/base out/head --markdown" in text
    preview = load("pull-request.yml")["jobs"]["pulumi-preview"]
    assert preview["strategy"]["matrix"]["stack"] == STACKS
    [pulumi] = [s for s in preview["steps"] if "pulumi/actions@" in s.get("uses", "")]
    assert pulumi["with"]["command"] == "preview"
    assert pulumi["with"]["policyPacks"] == "policies"
    assert pulumi["with"]["policyPackConfigs"] == "policies/config/${{ matrix.stack }}.json"
    assert pulumi["with"]["comment-on-pr"] is True


def test_comment_workflow_only_reads_the_artifact():
    doc = load("pull-request-comment.yml")
    assert list(doc["on"]) == ["workflow_run"]
    [job] = doc["jobs"].values()
    assert job["permissions"] == {"actions": "read", "pull-requests": "write"}
    assert not any("actions/checkout" in s.get("uses", "") for s in job["steps"])  # runs no PR code
    assert "pr.head.sha !== process.env.HEAD_SHA" in job["steps"][-1]["with"]["script"]


def test_deploy_goes_dev_staging_prod_with_policies_enforced_and_one_group_per_stack():
    jobs = load("deploy.yml")["jobs"]
    assert [jobs[s]["needs"] for s in STACKS] == ["test", "dev", "staging"]
    for stack in STACKS:
        job = jobs[stack]
        assert job["environment"] == stack
        assert job["concurrency"] == {"group": f"pulumi-{stack}", "cancel-in-progress": False}
        [up] = [s for s in job["steps"] if "pulumi/actions@" in s.get("uses", "")]
        assert up["with"]["command"] == "up" and up["with"]["stack-name"] == stack
        assert up["with"]["policyPackConfigs"] == f"policies/config/{stack}.json"


def test_drift_previews_every_stack_with_refresh_and_shares_the_stack_lock_group():
    job = load("drift.yml")["jobs"]["drift"]
    assert job["strategy"]["matrix"]["stack"] == STACKS
    assert job["concurrency"]["group"] == "pulumi-${{ matrix.stack }}"
    assert "environment" not in job  # prod's required reviewers must not block a read-only check
    script = next(s["run"] for s in job["steps"] if s.get("id") == "preview")
    assert "--refresh --expect-no-changes" in script and "no changes were expected" in script
