"""The CI/CD workflows keep their safety properties (actionlint checks their syntax in `make test`)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from secure_platform.backend.component import login_url
from secure_platform.core.naming import Naming

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
    [pulumi] = [s for s in preview["steps"] if "pulumi/actions@" in s.get("uses", "")]
    assert pulumi["with"]["command"] == "preview" and pulumi["with"]["stack-name"] == "dev"
    assert pulumi["with"]["comment-on-pr"] is True


def test_a_pull_request_is_judged_by_the_base_branchs_policy_pack_and_config():
    """A pull request that weakens a policy or its config must not pass by its own rules: both
    the offline gate and the real preview load the pack and config checked out from the base
    branch's commit."""
    jobs = load("pull-request.yml")["jobs"]
    for job_id in ("offline-preview", "pulumi-preview"):
        [base] = [s for s in jobs[job_id]["steps"] if s.get("with", {}).get("path") == "base"]
        assert base["with"]["ref"] == "${{ github.event.pull_request.base.sha }}", job_id
    gate = next(s["run"] for s in jobs["offline-preview"]["steps"] if s.get("id") == "preview")
    assert '--policy-pack base/policies --policy-config "base/policies/config/$stack.json"' in gate
    [pulumi] = [s for s in jobs["pulumi-preview"]["steps"] if "pulumi/actions@" in s.get("uses", "")]
    assert pulumi["with"]["policyPacks"] == "base/policies"
    assert pulumi["with"]["policyPackConfigs"] == "base/policies/config/dev.json"


def test_no_pull_request_job_gets_staging_or_prod_credentials_or_their_runners():
    """A pull request's code (its own version of the workflow included) never gets a role that can
    decrypt staging or prod secrets, nor a runner inside their VPCs."""
    text = (WORKFLOWS / "pull-request.yml").read_text()
    for stack in ("STAGING", "PROD"):
        assert f"AWS_PREVIEW_ROLE_ARN_{stack}" not in text and f"PULUMI_STATE_URL_{stack}" not in text
    assert "self-hosted" not in text and "platform-" not in text.replace("platform-prod", "").replace(
        "platform-staging", ""
    )
    for job_id, job in load("pull-request.yml")["jobs"].items():
        assert labels(job["runs-on"]) == ["ubuntu-24.04"], job_id
        assert "environment" not in job, job_id


def test_comment_workflow_only_reads_the_artifact():
    doc = load("pull-request-comment.yml")
    assert list(doc["on"]) == ["workflow_run"]
    [job] = doc["jobs"].values()
    assert job["permissions"] == {"actions": "read", "pull-requests": "write"}
    assert not any("actions/checkout" in s.get("uses", "") for s in job["steps"])  # runs no PR code
    assert "pr.head.sha !== process.env.HEAD_SHA" in job["steps"][-1]["with"]["script"]


def test_deploy_goes_dev_staging_prod_with_policies_enforced_and_one_group_per_stack():
    jobs = load("deploy.yml")["jobs"]
    assert [jobs[s]["needs"] for s in STACKS] == ["test", "dev", ["staging", "preview-prod"]]
    for stack in STACKS:
        job = jobs[stack]
        assert job["environment"].split(" #")[0] == stack and job["env"]["STACK"] == stack
        assert job["concurrency"] == {"group": f"pulumi-{stack}", "cancel-in-progress": False}
        [up] = [s for s in job["steps"] if s.get("id") == "up"]
        assert (
            'pulumi up --stack "$STACK" --policy-pack policies --policy-pack-config "policies/config/$STACK.json"'
            in up["run"]
        )
        assert "--yes" in up["run"] and "--skip-preview" not in up["run"]


def test_prod_reviewers_see_a_real_preview_of_prod_before_they_approve():
    jobs = load("deploy.yml")["jobs"]
    preview = jobs["preview-prod"]
    assert preview["needs"] == "staging" and "preview-prod" in jobs["prod"]["needs"]
    assert preview["environment"] == "preview-prod" and preview["env"]["STACK"] == "prod"
    script = next(s["run"] for s in preview["steps"] if "pulumi preview" in s.get("run", ""))
    assert '--policy-pack-config "policies/config/$STACK.json"' in script and "GITHUB_STEP_SUMMARY" in script
    assert 'exit "$rc"' in script  # a failed preview stops the deployment before the approval


def test_drift_previews_every_stack_with_refresh_and_never_queues_in_a_deploy_group():
    jobs = load("drift.yml")["jobs"]
    job = jobs["drift"]
    assert [e["stack"] for e in matrix_entries(job)] == STACKS
    # A job queued in a group cancels the pending one: drift must not share deploy.yml's groups.
    deploy_groups = {j["concurrency"]["group"] for j in load("deploy.yml")["jobs"].values() if "concurrency" in j}
    assert job["concurrency"]["group"] == "drift-${{ matrix.stack }}"
    assert not any(g.startswith("drift-") for g in deploy_groups)
    # ... and it does not run while a deployment is unfinished.
    assert job["needs"] == "deploys" and job["if"] == "needs.deploys.outputs.idle == 'true'"
    check = jobs["deploys"]
    assert check["permissions"] == {"actions": "read"}
    assert (
        "--workflow deploy.yml" in check["steps"][0]["run"]
        and 'select(.status != "completed")' in check["steps"][0]["run"]
    )
    # Its own main-only environment, never the stack's: prod's reviewers must not hold a read-only check.
    assert job["environment"].split(" #")[0] == "preview-${{ matrix.stack }}"
    assert check["needs"] == "default-branch"
    script = next(s["run"] for s in job["steps"] if s.get("id") == "preview")
    assert "--refresh --expect-no-changes" in script and "no changes were expected" in script


# --- runners: where each stack's cloud jobs run --------------------------------------------------

ACTIONLINT_CONFIG = ROOT / ".github" / "actionlint.yaml"
STACK_FILES = {s: yaml.safe_load((ROOT / f"Pulumi.{s}.yaml").read_text())["config"] for s in STACKS}
# Labels GitHub gives its hosted runners (what a job without `self-hosted` lands on).
GITHUB_HOSTED = re.compile(r"^(ubuntu|windows|macos)-[\w.-]+$")
EXPR = re.compile(r"^\$\{\{\s*(.+?)\s*\}\}$")
CLOUD_WORKFLOWS = ["deploy.yml", "drift.yml", "pull-request.yml"]


def matrix_entries(job: dict[str, Any]) -> list[dict[str, Any]]:
    """The job's matrix combinations (only `include` lists and plain axes are used here)."""
    matrix = (job.get("strategy") or {}).get("matrix")
    if not matrix:
        return [{}]
    axes = {k: v for k, v in matrix.items() if k not in ("include", "exclude")}
    assert not axes or "include" not in matrix, "mixing axes and include: extend the test's resolver"
    if "include" in matrix:
        return list(matrix["include"])
    [(axis, values)] = axes.items()
    return [{axis: v} for v in values]


def resolve(value: Any, entry: dict[str, Any]) -> Any:
    """Substitute `${{ matrix.x }}` and `vars[matrix.x]` of one matrix combination."""
    if isinstance(value, list):
        return [resolve(v, entry) for v in value]
    if not isinstance(value, str):
        return value
    for key, val in entry.items():
        if isinstance(val, str):
            value = value.replace(f"vars[matrix.{key}]", f"vars.{val}")
    whole = EXPR.match(value.strip())
    if whole and whole.group(1).startswith("matrix.") and whole.group(1)[7:] in entry:
        return entry[whole.group(1)[7:]]
    for key, val in entry.items():
        if isinstance(val, str):
            value = re.sub(r"\$\{\{\s*matrix\." + re.escape(key) + r"\s*\}\}", val, value)
    return value


def labels(runs_on: Any) -> list[str]:
    labels = [runs_on] if isinstance(runs_on, str) else list(runs_on)
    assert all(isinstance(label, str) and "${{" not in label for label in labels), f"unresolved runs-on: {runs_on}"
    return labels


def job_stack(job_id: str, job: dict[str, Any], entry: dict[str, Any]) -> str | None:
    return entry.get("stack") or (job.get("env") or {}).get("STACK") or (job_id if job_id in STACKS else None)


def cloud_jobs() -> list[tuple[str, str, str, dict[str, Any], dict[str, Any]]]:
    """(workflow, job id, stack, job, matrix combination) of every job that gets AWS credentials."""
    out = []
    for name in CLOUD_WORKFLOWS:
        for job_id, job in load(name)["jobs"].items():
            if job["permissions"].get("id-token") != "write":
                continue
            for entry in matrix_entries(job):
                stack = job_stack(job_id, job, entry)
                assert stack in STACKS, f"{name}:{job_id} gets credentials without naming its stack"
                out.append((name, job_id, stack, job, entry))
    return out


CLOUD_JOBS = [pytest.param(*c, id=f"{c[0]}:{c[1]}:{c[2]}") for c in cloud_jobs()]


def private_eks(stack: str) -> bool:
    compute = STACK_FILES[stack]["platform:compute"]
    eks = compute.get("eks") or {}
    return compute["platform"] == "eks" and not eks.get("endpointPublicAccessCidrs")


def test_every_stack_has_its_cloud_jobs_in_each_cloud_workflow():
    found = {(name, stack) for name, _job_id, stack, _job, _entry in cloud_jobs()}
    expected = {(name, stack) for name in ("deploy.yml", "drift.yml") for stack in STACKS}
    assert found == expected | {("pull-request.yml", "dev")}  # staging and prod: never from a pull request


def test_staging_and_prod_are_private_eks_stacks():
    """The premise of the runner split: their cluster API is reachable only from their VPC."""
    assert [s for s in STACKS if private_eks(s)] == ["staging", "prod"]


@pytest.mark.parametrize("workflow, job_id, stack, job, entry", CLOUD_JOBS)
def test_cloud_jobs_of_a_private_eks_stack_never_land_on_a_github_hosted_runner(workflow, job_id, stack, job, entry):
    runner = labels(resolve(job["runs-on"], entry))
    if private_eks(stack) or stack in ("staging", "prod"):
        # `self-hosted` is a label GitHub-hosted runners never carry; platform-<stack> is the runner
        # inside that stack's VPC (a prod job must not land on the staging runner either).
        assert "self-hosted" in runner, f"{workflow}:{job_id} ({stack}) may run on a GitHub-hosted runner: {runner}"
        assert f"platform-{stack}" in runner, f"{workflow}:{job_id} ({stack}) is not pinned to the {stack} runner"
        assert not any(GITHUB_HOSTED.match(label) for label in runner)
    else:
        assert runner == ["ubuntu-24.04"], f"{workflow}:{job_id} ({stack}): {runner}"


def test_self_hosted_labels_are_declared_for_actionlint():
    declared = set(yaml.safe_load(ACTIONLINT_CONFIG.read_text())["self-hosted-runner"]["labels"])
    used = set()
    for _workflow, _job_id, _stack, job, entry in cloud_jobs():
        used |= {label for label in labels(resolve(job["runs-on"], entry)) if label.startswith("platform-")}
    assert used == declared == {"platform-staging", "platform-prod"}


@pytest.mark.parametrize("name", ALL)
def test_fork_pull_requests_never_reach_self_hosted_runners(name: str):
    doc = load(name)
    triggers = set(doc["on"])
    assert not triggers & {"pull_request_target", "issue_comment", "pull_request_review_comment"}, name
    for job_id, job in doc["jobs"].items():
        runners = [labels(resolve(job["runs-on"], entry)) for entry in matrix_entries(job)]
        self_hosted = any("self-hosted" in r for r in runners)
        if not self_hosted:
            assert all(len(r) == 1 and GITHUB_HOSTED.match(r[0]) for r in runners), f"{name}:{job_id}: {runners}"
            continue
        if "pull_request" in triggers:
            # The job runs only for branches of this repository: one condition of an `&&` chain.
            condition = job.get("if", "")
            assert "github.event.pull_request.head.repo.full_name == github.repository" in condition, job_id
            assert "||" not in condition and "!" not in condition.replace("!=", ""), f"{name}:{job_id}: {condition}"
        else:
            # Workflows on self-hosted runners otherwise run only trusted code of the default branch.
            assert triggers <= {"push", "schedule", "workflow_dispatch"}, f"{name}: {triggers}"
            if "push" in triggers:
                assert doc["on"]["push"] == {"branches": ["main"]}, name


def test_jobs_that_run_fork_code_are_github_hosted():
    for job_id, job in load("pull-request.yml")["jobs"].items():
        if "head.repo.full_name == github.repository" not in job.get("if", ""):
            assert labels(job["runs-on"]) == ["ubuntu-24.04"], job_id


# --- per-stack settings: state URL and roles -----------------------------------------------------


def step_with(job: dict[str, Any], uses: str) -> list[dict[str, Any]]:
    return [s for s in job["steps"] if s.get("uses", "").startswith(uses)]


def test_no_workflow_uses_a_single_state_bucket_or_preview_role():
    for path in WORKFLOWS.glob("*.yml"):
        text = path.read_text()
        assert "PULUMI_STATE_BUCKET" not in text, path.name
        assert "vars.AWS_PREVIEW_ROLE_ARN }}" not in text, path.name


@pytest.mark.parametrize("workflow, job_id, stack, job, entry", CLOUD_JOBS)
def test_cloud_jobs_use_their_own_stacks_state_and_role_after_checking_them(workflow, job_id, stack, job, entry):
    state = f"${{{{ vars.PULUMI_STATE_URL_{stack.upper()} }}}}"
    deploy = workflow == "deploy.yml" and job_id == stack
    role = "${{ vars.AWS_DEPLOY_ROLE_ARN }}" if deploy else f"${{{{ vars.AWS_PREVIEW_ROLE_ARN_{stack.upper()} }}}}"
    environment = resolve(job.get("environment", ""), entry).split(" #")[0]
    if deploy:
        assert environment == stack  # AWS_DEPLOY_ROLE_ARN comes from the stack's environment
    elif workflow == "pull-request.yml":
        assert stack == "dev" and environment == ""
    else:
        # Read-only work on main runs in preview-<stack> (main only, no reviewers): the preview
        # role trusts that environment's subject, so no other ref can assume it.
        assert environment == f"preview-{stack}"
    [check] = step_with(job, "./.github/actions/stack-settings")
    [creds] = step_with(job, "aws-actions/configure-aws-credentials@")
    steps = job["steps"]
    assert steps.index(check) < steps.index(creds), "settings are checked before credentials are requested"
    assert resolve(check["with"]["stack"], entry) == stack
    assert resolve(check["with"]["state-url"], entry) == state
    assert resolve(check["with"]["role-arn"], entry) == role
    assert resolve(check["with"]["state-url-variable"], entry) == f"PULUMI_STATE_URL_{stack.upper()}"
    assert resolve(creds["with"]["role-to-assume"], entry) == role
    urls = [
        resolve(s["with"]["cloud-url"], entry) for s in step_with(job, "pulumi/actions@") if "cloud-url" in s["with"]
    ]
    urls += [resolve(s["env"]["STATE_URL"], entry) for s in steps if "STATE_URL" in s.get("env", {})]
    urls += [resolve(job["env"]["STATE_URL"], entry)] if "STATE_URL" in job.get("env", {}) else []
    assert urls and set(urls) == {state}, f"{workflow}:{job_id} ({stack}) logs in to {urls}"
    for step in step_with(job, "pulumi/actions@"):
        if "stack-name" in step["with"]:
            assert resolve(step["with"]["stack-name"], entry) == stack


def test_readme_names_every_variable_the_workflows_read():
    readme = (ROOT / "README.md").read_text()
    names = set()
    for path in WORKFLOWS.glob("*.yml"):
        names |= set(re.findall(r"vars\.([A-Z0-9_]+)", path.read_text()))
    for _workflow, _job_id, _stack, _job, entry in cloud_jobs():
        names |= {v for k, v in entry.items() if k.endswith("variable")}
    assert {"AWS_REGION", "AWS_DEPLOY_ROLE_ARN", "PULUMI_STATE_URL_PROD", "AWS_PREVIEW_ROLE_ARN_STAGING"} <= names
    for name in sorted(names):
        assert f"`{name}`" in readme, f"README's CI/CD settings do not name {name}"


# --- the settings check and the replace input (the composite actions' scripts) ------------------

CHECK = ROOT / ".github" / "actions" / "stack-settings" / "check.sh"
URNS = ROOT / ".github" / "actions" / "replace-urns" / "urns.sh"


def run_script(script: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(script)], env={"PATH": os.environ["PATH"], **env}, capture_output=True, text=True)


def state_url(stack: str, account: str = "123456789012", region: str = "us-east-1") -> str:
    """What the bootstrap prints as `stateBackendUrl`: the component's own naming and URL."""
    return login_url(Naming(project="platform", environment=stack, region=region).bucket("state", account), region)


def check(
    stack: str, url: str, role: str = "arn:aws:iam::123456789012:role/platform-ci"
) -> subprocess.CompletedProcess[str]:
    return run_script(
        CHECK,
        STACK=stack,
        STATE_URL=url,
        STATE_URL_VARIABLE=f"PULUMI_STATE_URL_{stack.upper()}",
        ROLE_ARN=role,
        ROLE_VARIABLE=f"AWS_PREVIEW_ROLE_ARN_{stack.upper()}",
    )


@pytest.mark.parametrize("script", sorted((ROOT / ".github" / "actions").glob("*/*.sh")), ids=lambda p: p.parent.name)
def test_action_scripts_pass_shellcheck(script: Path):
    proc = subprocess.run([str(ROOT / "venv" / "bin" / "shellcheck"), str(script)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout


@pytest.mark.parametrize("stack", STACKS)
def test_settings_check_accepts_the_bootstrap_state_url_of_its_own_stack_only(stack: str):
    proc = check(stack, state_url(stack))
    assert proc.returncode == 0, proc.stdout
    for other in STACKS:
        if other != stack:
            proc = check(stack, state_url(other))
            assert proc.returncode == 1
            assert f"PULUMI_STATE_URL_{stack.upper()}=" in proc.stdout and "is not the state bucket" in proc.stdout


def test_settings_check_names_missing_and_mismatched_variables():
    missing = check("prod", "", role="")
    assert missing.returncode == 1
    assert (
        "PULUMI_STATE_URL_PROD is not set" in missing.stdout
        and "AWS_PREVIEW_ROLE_ARN_PROD is not set" in missing.stdout
    )
    other_account = check("prod", state_url("prod"), role="arn:aws:iam::210987654321:role/platform-ci")
    assert other_account.returncode == 1 and "account 210987654321" in other_account.stdout
    region = check("prod", state_url("prod").replace("region=us-east-1", "region=eu-west-1"))
    assert region.returncode == 1 and "the bucket is in us-east-1" in region.stdout
    assert check("prod", state_url("prod"), role="platform-ci").returncode == 1
    assert check("prod", "s3://my-bucket").returncode == 1


def replace_urns(tmp_path: Path, stack: str, resources: str) -> tuple[int, list[str], str]:
    output = tmp_path / "github_output"
    output.write_text("")
    proc = run_script(URNS, STACK=stack, PROJECT="platform", RESOURCES=resources, GITHUB_OUTPUT=str(output))
    text = output.read_text()
    urns = text.split("urns<<URNS_END\n", 1)[1].split("URNS_END\n", 1)[0].splitlines() if text else []
    return proc.returncode, urns, proc.stdout


def test_replace_input_becomes_each_stacks_urns(tmp_path: Path):
    token = "platform:index:Storage$random:index/randomPassword:RandomPassword::cache-auth-token"
    rc, urns, _ = replace_urns(tmp_path, "prod", f"  {token}  \n\n")
    assert rc == 0 and urns == [f"urn:pulumi:prod::platform::{token}"]
    rc, urns, _ = replace_urns(tmp_path, "dev", "")
    assert rc == 0 and urns == []
    for bad in (f"urn:pulumi:prod::platform::{token}", "cache-auth-token", "x::y; rm -rf /"):
        rc, _, out = replace_urns(tmp_path, "prod", bad)
        assert rc == 1 and "::error" in out, bad


def test_deploy_passes_the_replace_input_to_every_stack():
    doc = load("deploy.yml")
    assert doc["on"]["workflow_dispatch"]["inputs"]["replace"]["default"] == ""
    for stack in STACKS:
        job = doc["jobs"][stack]
        [replace] = step_with(job, "./.github/actions/replace-urns")
        assert replace["with"] == {"stack": stack, "resources": "${{ inputs.replace }}"}
        [up] = [s for s in job["steps"] if s.get("id") == "up"]
        assert up["env"]["REPLACE"] == f"${{{{ steps.{replace['id']}.outputs.urns }}}}"
        assert 'replace+=(--replace "$urn")' in up["run"] and '"${replace[@]}"' in up["run"]
        assert job["steps"].index(replace) < job["steps"].index(up)


# --- drift runs on the default branch only ----------------------------------------------------------


def guard_script() -> tuple[dict[str, Any], str]:
    job = load("drift.yml")["jobs"]["default-branch"]
    [step] = job["steps"]
    return job, step["run"]


@pytest.mark.parametrize(
    "event, ref, default, allowed",
    [
        ("schedule", "refs/heads/main", "", True),
        ("workflow_dispatch", "refs/heads/main", "main", True),
        ("workflow_dispatch", "refs/heads/trunk", "trunk", True),
        ("workflow_dispatch", "refs/heads/feature/x", "main", False),
        ("workflow_dispatch", "refs/tags/v1.0.0", "main", False),
        ("workflow_dispatch", "refs/heads/main-old", "main", False),
    ],
)
def test_drift_refuses_any_ref_but_the_default_branch(event: str, ref: str, default: str, allowed: bool):
    job, script = guard_script()
    assert job["permissions"] == {} and labels(job["runs-on"]) == ["ubuntu-24.04"]
    env = {"PATH": os.environ["PATH"], "EVENT": event, "REF": ref, "DEFAULT_BRANCH": default}
    proc = subprocess.run(["bash", "-euo", "pipefail", "-c", script], env=env, capture_output=True, text=True)
    assert (proc.returncode == 0) is allowed, proc.stdout
    if not allowed:
        assert "::error::drift runs only on the default branch" in proc.stdout


def test_every_drift_job_waits_for_the_branch_guard():
    jobs = load("drift.yml")["jobs"]

    def ancestors(job_id: str) -> set[str]:
        needs = jobs[job_id].get("needs", [])
        needs = [needs] if isinstance(needs, str) else needs
        return set(needs).union(*(ancestors(n) for n in needs)) if needs else set()

    for job_id in jobs:
        if job_id != "default-branch":
            assert "default-branch" in ancestors(job_id), job_id
    assert set(load("drift.yml")["on"]) == {"schedule", "workflow_dispatch"}


# --- the deploy workflow follows the runbook's order ------------------------------------------------

RUNBOOK = ROOT / "docs" / "runbooks" / "first-deploy.md"


def unquoted(text: str) -> str:
    return " ".join(text.replace('"', "").replace("'", "").split())


def test_each_deploy_job_runs_the_ci_steps_in_the_deploy_order_with_the_same_commands():
    from secure_platform.preflight.stages import STEPS

    ci = [s for s in STEPS if s.ci]
    for stack in STACKS:
        job = load("deploy.yml")["jobs"][stack]
        ids = [s.get("id") for s in job["steps"] if s.get("id") in {c.key for c in ci}]
        assert ids == [c.key for c in ci], stack
        by_id = {s.get("id"): s for s in job["steps"]}
        for c in ci:
            assert unquoted(c.for_stack("$STACK")) in unquoted(by_id[c.key]["run"]), (stack, c.key)
        # Credentials and the state login come before the first AWS call, the tools before images.
        steps = job["steps"]
        [creds] = step_with(job, "aws-actions/configure-aws-credentials@")
        [tools] = step_with(job, "./.github/actions/deploy-tools")
        assert steps.index(creds) < steps.index(by_id["preflight"]) and steps.index(tools) < steps.index(
            by_id["images"]
        )
        assert steps.index(by_id["login"]) < steps.index(by_id["ecr"])


def test_the_runbook_walks_every_step_in_the_same_order_with_the_same_commands():
    from secure_platform.preflight.stages import STEPS

    text = unquoted(RUNBOOK.read_text())
    positions = []
    for s in STEPS:
        command = unquoted(s.for_stack("prod"))
        assert command in text, f"the runbook does not run step {s.key}: {command}"
        positions.append(text.index(command))
    assert positions == sorted(positions), "the runbook's order differs from the deploy order"


def test_workflow_and_runbook_agree_on_the_runner_table():
    table = (ROOT / "docs" / "runbooks" / "ci.md").read_text()
    for label in ("platform-staging", "platform-prod", "ubuntu-24.04"):
        assert f"`{label}`" in table
    for name in (
        "AWS_DEPLOY_ROLE_ARN",
        "AWS_PREVIEW_ROLE_ARN_DEV",
        "AWS_PREVIEW_ROLE_ARN_STAGING",
        "AWS_PREVIEW_ROLE_ARN_PROD",
    ):
        assert f"`{name}`" in table
    for environment in ("dev", "staging", "prod", "preview-dev", "preview-staging", "preview-prod"):
        assert f"`{environment}`" in table
    for sub in ("environment:prod", "environment:preview-prod", "pull_request"):
        assert sub in table


# --- zizmor -------------------------------------------------------------------------------------


def test_zizmor_is_pinned_run_by_make_test_and_finds_nothing():
    assert re.search(r"^zizmor==\d+\.\d+\.\d+$", (ROOT / "requirements-dev.txt").read_text(), re.M)
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^TEST_STEPS = .*\bzizmor\b", makefile, re.M)
    assert "$(TEST_STEPS)" in makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    zizmor = ROOT / "venv" / "bin" / "zizmor"
    proc = subprocess.run(
        [str(zizmor), "--offline", "--no-progress", str(ROOT / ".github")], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # Every rule switched off says why.
    config = yaml.safe_load((ROOT / ".github" / "zizmor.yml").read_text())
    text = (ROOT / ".github" / "zizmor.yml").read_text()
    for rule in config["rules"]:
        before = text.split(f"  {rule}:")[0].rstrip().splitlines()[-1]
        assert before.strip().startswith("#"), f"{rule} is ignored without a reason"
