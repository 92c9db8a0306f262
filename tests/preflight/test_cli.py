"""`make preflight STACK=prod`: the whole run against a fresh account with the shipped placeholder
config (fails, naming every missing prerequisite) and against a ready account (passes)."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest

from secure_platform.preflight import account as acct
from secure_platform.preflight.cli import CHECKS, main
from tests.preflight.stubs import (
    ACCOUNT,
    ANY,
    CALLER,
    EC2_OD_USAGE,
    EC2_SPOT_USAGE,
    NAME_SERVERS,
    ROOT,
    RUNNER_SG,
    ZONE,
    StubAccount,
    facts,
    hosted_zone_response,
    network_runner_key_supported,
    quota_response,
    ready_config,
    role_response,
    usage_response,
    write_stack_file,
)

TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:platform-prod-{{}}"


def identity(account: StubAccount) -> None:
    account.add("sts", "get_caller_identity", {"UserId": "AROAEXAMPLE:gh", "Account": ACCOUNT, "Arn": CALLER})


def quotas(account: StubAccount, *, used: int, eip: float, vpcs: float, vcpu: float) -> None:
    addresses = [{"AllocationId": f"eipalloc-{i:08x}", "Domain": "vpc"} for i in range(used)]
    account.add("ec2", "describe_addresses", {"Addresses": addresses})
    account.add("service-quotas", "get_service_quota", quota_response("ec2", "L-0263D0A3", eip))
    account.add("ec2", "describe_vpcs", {"Vpcs": [{"VpcId": f"vpc-{i:08x}"} for i in range(used)]})
    account.add("service-quotas", "get_service_quota", quota_response("vpc", "L-F678F1CE", vpcs))
    account.add("ec2", "describe_nat_gateways", {"NatGateways": []})
    account.add("service-quotas", "get_service_quota", quota_response("vpc", "L-FE5A380F", 5))
    types = [{"InstanceType": t, "VCpuInfo": {"DefaultVCpus": 2}} for t in ("t3.large", "t3.medium")]
    account.add("ec2", "describe_instance_types", {"InstanceTypes": types})
    for code, usage in (("L-1216C47A", EC2_OD_USAGE), ("L-34B43A08", EC2_SPOT_USAGE)):
        account.add("service-quotas", "get_service_quota", quota_response("ec2", code, vcpu, usage))
        account.add("cloudwatch", "get_metric_statistics", usage_response(None))


def fresh_account() -> StubAccount:
    """A new account: no zone, no service-linked roles, tags inactive, the stack never deployed,
    default quotas with the Region's EIPs and VPCs already in use."""
    account = StubAccount()
    identity(account)
    account.error("route53", "get_hosted_zone", "NoSuchHostedZone", 404, {"Id": "Z0123456789EXAMPLEPRD"})
    principal_read = False
    for _, role in acct.required_service_linked_roles("eks", "elasticache", "enhanced"):
        account.error("iam", "get_role", "NoSuchEntity", 404, {"RoleName": role})
        if role in acct.MUST_EXIST:
            continue
        if not principal_read:
            account.add("iam", "get_role", role_response("platform-deploy"), {"RoleName": "platform-deploy"})
            principal_read = True
        denied = {
            "EvaluationResults": [{"EvalActionName": "iam:CreateServiceLinkedRole", "EvalDecision": "implicitDeny"}]
        }
        account.add("iam", "simulate_principal_policy", denied)
    denied = {"EvaluationResults": [{"EvalActionName": "inspector2:Enable", "EvalDecision": "implicitDeny"}]}
    account.add("iam", "simulate_principal_policy", denied)  # prod's ecr.scanning: enhanced
    tags = [{"TagKey": k, "Type": "UserDefined", "Status": "Inactive"} for k in ("Project", "Environment")]
    account.add("ce", "list_cost_allocation_tags", {"CostAllocationTags": tags})
    for tier in ("critical", "warning"):
        account.error("sns", "list_subscriptions_by_topic", "NotFound", 404, {"TopicArn": TOPIC.format(tier)})
    for service in ("frontend", "backend", "api-gateway"):
        params = {"repositoryName": f"platform/prod/{service}", "imageIds": [{"imageTag": "v1.0.0"}]}
        account.error("ecr", "describe_images", "RepositoryNotFoundException", 400, params)
    quotas(account, used=5, eip=5, vpcs=5, vcpu=16)
    return account


def ready_account() -> StubAccount:
    account = StubAccount()
    identity(account)
    account.add("route53", "get_hosted_zone", hosted_zone_response(), {"Id": ZONE})
    for _, role in acct.required_service_linked_roles("eks", "elasticache", "enhanced"):
        account.add("iam", "get_role", role_response(role), {"RoleName": role})
    account.add("iam", "get_role", role_response("platform-deploy"), {"RoleName": "platform-deploy"})
    allowed = [{"EvalActionName": a, "EvalDecision": "allowed"} for a in acct.INSPECTOR_ACTIONS]
    account.add("iam", "simulate_principal_policy", {"EvaluationResults": allowed})
    tags = [{"TagKey": k, "Type": "UserDefined", "Status": "Active"} for k in ("Project", "Environment")]
    account.add("ce", "list_cost_allocation_tags", {"CostAllocationTags": tags})
    emails = {"critical": "oncall@acme-shop.io", "warning": "platform-team@acme-shop.io"}
    for tier, email in emails.items():
        sub = {"SubscriptionArn": f"{TOPIC.format(tier)}:1a2b", "Protocol": "email", "Endpoint": email}
        account.add("sns", "list_subscriptions_by_topic", {"Subscriptions": [sub]}, {"TopicArn": TOPIC.format(tier)})
    group = {"GroupId": RUNNER_SG, "GroupName": "gh-runner", "VpcId": "vpc-0a1b2c3d"}
    account.add("ec2", "describe_security_groups", {"SecurityGroups": [group]}, {"GroupIds": [RUNNER_SG]})
    stack_tags = [{"Name": "tag:Project", "Values": ["platform"]}, {"Name": "tag:Environment", "Values": ["prod"]}]
    account.add("ec2", "describe_vpcs", {"Vpcs": [{"VpcId": "vpc-0a1b2c3d"}]}, {"Filters": stack_tags})
    for service in ("frontend", "backend", "api-gateway"):
        params = {"repositoryName": f"platform/prod/{service}", "imageIds": [{"imageTag": "v1.0.0"}]}
        account.add("ecr", "describe_images", {"imageDetails": [{"imageTags": ["v1.0.0"]}]}, params)
    quotas(account, used=1, eip=10, vpcs=5, vcpu=128)
    return account


def run(argv: list[str], account: StubAccount) -> tuple[int, str]:
    out = io.StringIO()
    code = main(argv, clients=lambda _facts: account, resolve_ns=lambda _name: list(NAME_SERVERS), out=out)
    account.done()
    return code, out.getvalue()


def test_prod_with_the_shipped_placeholders_fails_naming_every_missing_prerequisite():
    code, text = run(["prod", "--runner-security-group-id", RUNNER_SG], fresh_account())
    assert code == 1, text
    failed = [line for line in text.splitlines() if "  FAIL  " in line]
    expected = [
        "platform:domain.name app.example.com",
        "platform:domain.hostedZoneId Z0123456789EXAMPLEPRD",
        "alarmEmails.critical oncall@example.com",
        "alarmEmails.warning platform-team@example.com",
        "hosted zone Z0123456789EXAMPLEPRD does not exist",
        *(f"{role} is missing" for _, role in acct.required_service_linked_roles("eks", "elasticache", "enhanced")),
        "may not call inspector2:Enable, inspector2:ListAccountPermissions",
        "Project is Inactive",
        "Environment is Inactive",
        f"runner group {RUNNER_SG} is not in platform:compute.eks.apiClientSecurityGroupIds",
        "EC2-VPC Elastic IPs (L-0263D0A3): 5 used + 3 needed",
        "VPCs per Region (L-F678F1CE): 5 used + 1 needed",
        "(L-1216C47A): 0 used + 40 needed",
        "(L-34B43A08): 0 used + 80 needed",
    ]
    for finding in expected:
        assert any(finding in line for line in failed), f"not reported as failed: {finding}\n{text}"
    # Before the first deploy the topics and repositories do not exist: warned, not failed.
    assert "topic platform-prod-critical does not exist yet" in text
    assert "repository platform/prod/frontend does not exist yet" in text
    assert text.rstrip().splitlines()[-1].startswith(f"{len(failed)} failed")


def test_prod_passes_against_an_account_that_has_every_prerequisite(tmp_path: Path):
    stack_file = write_stack_file(tmp_path / "Pulumi.prod.yaml", ready_config())
    code, text = run(["prod", "--config", str(stack_file), "--runner-security-group-id", RUNNER_SG], ready_account())
    assert code == 0, text
    assert "  FAIL  " not in text and text.rstrip().splitlines()[-1].startswith("ready: 0 failed")
    statuses = {line.split()[1] for line in text.splitlines()[2:-1]}
    assert statuses <= {"PASS", "WARN", "SKIP"}
    if network_runner_key_supported():
        assert "  WARN  " not in text, text


def test_the_runbook_lists_every_action_the_preflight_calls(tmp_path: Path):
    """The read-only policy the runbook gives the preflight identity covers what it really calls
    (recorded from both whole runs: a fresh account and a ready one)."""
    fresh, ready = fresh_account(), ready_account()
    run(["prod", "--runner-security-group-id", RUNNER_SG], fresh)
    stack_file = write_stack_file(tmp_path / "Pulumi.prod.yaml", ready_config())
    run(["prod", "--config", str(stack_file), "--runner-security-group-id", RUNNER_SG], ready)
    called = fresh.actions | ready.actions
    assert {"route53:GetHostedZone", "iam:SimulatePrincipalPolicy", "servicequotas:GetServiceQuota"} <= called
    assert "cloudwatch:GetMetricStatistics" in called and "sts:GetCallerIdentity" in called
    runbook = (ROOT / "docs" / "runbooks" / "first-deploy.md").read_text()
    missing = sorted(a for a in called if f"`{a}`" not in runbook)
    assert not missing, f"docs/runbooks/first-deploy.md does not list {missing}"


def test_only_the_named_checks_run_and_skipped_ones_do_not():
    account = StubAccount()
    identity(account)
    code, text = run(["prod", "--check", "placeholders", "--runner-cidr", "203.0.113.7"], account)
    assert code == 1 and {line.split()[0] for line in text.splitlines()[2:-1]} == {"placeholders"}
    account = StubAccount()
    identity(account)
    skipped = [c for c in CHECKS if c not in ("config", "placeholders")]
    code, text = run(["dev", *(a for c in skipped for a in ("--skip", c))], account)
    assert {line.split()[0] for line in text.splitlines()[2:-1]} == {"config", "placeholders"}


@pytest.mark.parametrize(
    "argv, message",
    [
        (["nope"], "no Pulumi.nope.yaml"),
        (["prod", "--check", "dns"], "--check/--skip: unknown dns"),
        (["prod", "--skip", "quota"], "--check/--skip: unknown quota"),
        (["prod", "--runner-security-group-id", "sg-1"], "is not sg- then 8 or 17 hex digits"),
        (["prod", "--runner-cidr", "somewhere"], "--runner-cidr: somewhere"),
        (["prod", "--config", "/nonexistent/Pulumi.prod.yaml"], "file not found"),
        ([], ""),
    ],
)
def test_bad_arguments_exit_2_with_a_message(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]):
    account = StubAccount()
    assert main(argv, clients=lambda _f: account, out=io.StringIO()) == 2
    assert message in capsys.readouterr().err
    account.done()  # no AWS call was made


def test_a_check_that_breaks_is_a_failed_row_and_the_others_still_run(monkeypatch: pytest.MonkeyPatch):
    from secure_platform.preflight import cli

    def broken(_ctx):
        raise KeyError("Quota")

    monkeypatch.setitem(cli.CHECKS, "quotas", broken)
    account = StubAccount()
    identity(account)
    code, text = run(["dev", "--check", "config", "--check", "quotas"], account)
    assert code == 1
    rows = {line.split()[0]: line.split()[1] for line in text.splitlines()[2:-1]}
    assert rows == {"config": "PASS", "quotas": "FAIL"} and "KeyError: 'Quota'" in text


def test_no_credentials_is_one_failed_row():
    account = StubAccount()
    account.error("sts", "get_caller_identity", "ExpiredToken", 403)
    out = io.StringIO()
    assert main(["dev", "--check", "config"], clients=lambda _f: account, out=out) == 1
    assert "aws-credentials  FAIL" in out.getvalue()


def test_every_check_is_listed_in_the_runbook_and_the_makefile_runs_the_cli():
    runbook = (ROOT / "docs" / "runbooks" / "first-deploy.md").read_text()
    for name in CHECKS:
        assert f"`{name}`" in runbook, name
    dry = subprocess.run(["make", "-n", "preflight", "STACK=prod"], cwd=ROOT, capture_output=True, text=True)
    assert dry.returncode == 0, dry.stderr
    assert "-m secure_platform.preflight prod" in dry.stdout
    assert facts("prod").stack == "prod"


__all__ = ["ANY"]
