"""The mistaken and hostile inputs users tried, written into a stack file as YAML text (so YAML's
own readings, such as `.inf`, are part of the test): each is exit 2 naming the key and what is
allowed, with nothing registered first."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml

from secure_platform.config import parse_config
from secure_platform.config.stack_files import OVERRIDES_ENV

from .helpers import REPO, assert_user_error, registrations_before_config_error, run_cli, stack_values

# (id, stack, dotted key under `platform:`, YAML text of the value, message fragment, allowed fragment)
CASES = [
    ("savings over 100 %", "prod", "compute.eks.spotNodes.savingsThresholdPercent", "150", "out of range", "0-100"),
    ("infinite budget", "dev", "monitoring.monthlyBudgetUsd", ".inf", "finite", "> 0"),
    ("NaN budget", "dev", "monitoring.monthlyBudgetUsd", ".nan", "finite", "> 0"),
    ("negative budget", "dev", "monitoring.monthlyBudgetUsd", "-5", "out of range", "> 0"),
    ("infinite vCPU bound", "prod", "compute.eks.spotNodes.vcpus.max", ".inf", "finite", "> 0"),
    ("5,000-character owner tag", "dev", "tags.owner", "x" * 5000, "5000 characters", "1-256"),
    ("owner tag with a bad character", "dev", "tags.owner", "'team<script>'", "contains", "letters, digits"),
    ("tag key with aws: prefix", "dev", "tags.extra", "{'aws:team': x}", "starts with aws:", "not starting with aws:"),
    ("129-character tag key", "dev", "tags.extra", "{" + "k" * 129 + ": v}", "129 characters", "keys 1-128"),
    ("loopback VPC", "dev", "network.cidr", "127.0.0.0/16", "loopback", "RFC 1918"),
    ("multicast VPC", "dev", "network.cidr", "224.0.0.0/16", "multicast", "RFC 1918"),
    ("link-local VPC", "dev", "network.cidr", "169.254.0.0/16", "link-local", "RFC 1918"),
    ("public VPC", "dev", "network.cidr", "52.0.0.0/16", "not a private range", "RFC 6598"),
    ("VPC /8", "dev", "network.cidr", "10.0.0.0/8", "/16 to /28", "/16 to /28"),
    ("EKS API open to a /1", "prod", "compute.eks.endpointPublicAccessCidrs", "['128.0.0.0/1']", "wider than", "/16"),
    ("EKS API open to the internet", "prod", "compute.eks.endpointPublicAccessCidrs", "['0.0.0.0/0']", "whole internet", "other than /0"),
    ("overlapping RDS windows", "dev", "database.backupWindow", "'04:00-05:00'", "overlaps maintenanceWindow", "allowed"),
    ("malformed maintenance window", "dev", "database.maintenanceWindow", "'sunday:04:00-sunday:05:00'", "weekly window", "ddd:hh:mm"),
    ("10-minute maintenance window", "dev", "database.maintenanceWindow", "'sun:04:00-sun:04:10'", "30 minutes", "ddd:hh:mm"),
    ("unknown instance type", "prod", "compute.eks.systemNodes.instanceTypes", "[m5.gigantic]", "unknown instance type", "did you mean m5."),
    ("node group over the EKS maximum", "prod", "compute.eks.systemNodes.maxSize", "451", "out of range", "1-450"),
    ("ECS tasks over the service quota", "dev", "compute.ecs.maxTasks", "5001", "out of range", "1-5000"),
    ("Fargate CPU/memory pair", "dev", "compute.ecs.memory", "16384", "Fargate memory size", "allowed with cpu 512"),
    ("unsupported Redis version", "dev", "cache.engineVersion", "'5.0'", "ElastiCache supports", "7.1"),
    ("unsupported postgres version", "dev", "database.engineVersion", "'11'", "supported postgres version", "17"),
    ("EKS version out of support", "prod", "compute.eks.version", "'1.20'", "EKS standard support", "1.35"),
    ("schedule scale-down before scale-up", "dev", "compute.ecs.schedule.weekdayScaleDownAt", "'07:00'", "later in the day", "allowed"),
    ("ECR list missing a deployed service", "dev", "ecr.repositories", "[frontend, backend]", "has no repository for ['sidecar']", "allowed"),
    ("bad security group id", "prod", "network.runnerSecurityGroupIds", "[sg-xyz]", "invalid security group", "sg-"),
    ("extra tag redefining Owner", "dev", "tags.extra", "{Owner: someone-else}", "redefines the stack's own tag", "other than Project"),
    ("unknown excluded family", "prod", "compute.eks.spotNodes.excludedFamilies", "[m5x]", "unknown instance family", "did you mean"),
    ("one-letter ECR repository", "dev", "ecr.repositories", "[frontend, backend, sidecar, a]", "invalid repository name", "2-200"),
    ("VPC in the reserved class E", "dev", "network.cidr", "240.0.0.0/16", "reserved range", "RFC 1918"),
    ("region with a typo", "prod", "storage.replicationRegion", "us-wset-2", "not a known AWS region", "did you mean us-west-2"),
    ("quoted yes for a boolean", "dev", "database.multiAz", "'yes'", "must be true or false", "true, false"),
    ("an interface endpoint twice", "dev", "network.interfaceEndpoints", "[logs, logs]", "lists an endpoint twice", "ecr.api"),
    ("an alarm address twice", "dev", "monitoring.alarmEmails.critical", "[a@acme.io, A@acme.io]", "lists an address twice", "email"),
    ("CIDR without a prefix", "dev", "network.cidr", "10.0.0.0", "no prefix length", "/16 to /28"),
    ("percent as text", "prod", "compute.eks.spotNodes.savingsThresholdPercent", "'ten'", "must be a number", "0-100"),
]  # fmt: skip


def _write(tmp_path, stack, key, text):
    section, *path = key.split(".")
    values = stack_values(stack, {})
    data = yaml.safe_dump({"config": values}, sort_keys=False)
    doc = yaml.safe_load(data)
    target = doc["config"][f"platform:{section}"]
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = "@@VALUE@@"
    rendered = yaml.safe_dump(doc, sort_keys=False, width=100_000).replace("'@@VALUE@@'", text)
    file = tmp_path / f"Pulumi.{stack}.yaml"
    file.write_text(rendered, encoding="utf-8")
    return file, yaml.safe_load(rendered)["config"]


@pytest.mark.parametrize(("stack", "key", "text", "message", "allowed"), [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_issue_input_is_exit_2_naming_key_and_allowed_with_nothing_registered(
    stack, key, text, message, allowed, tmp_path, capsys, monkeypatch
):
    file, values = _write(tmp_path, stack, key, text)
    monkeypatch.delenv(OVERRIDES_ENV, raising=False)  # the file holds exactly what is previewed
    code, out = run_cli([stack, "--program", str(REPO), "--config", str(file), "--no-policy", "--quiet"], capsys)
    [line] = [line for line in out.splitlines() if line.strip().startswith(f"- platform:{key}")]
    assert_user_error(code, out, message, allowed)
    assert message in line and allowed in line, line
    assert registrations_before_config_error(stack, values) == 0


def test_the_counting_monitor_counts_a_valid_stack():
    # The control for "nothing registered": the same harness sees the registrations of a valid
    # stack. In a process of its own: a valid program leaves work on the SDK's event loop.
    script = (
        "from tests.bad_input.helpers import registrations_before_config_error, stack_values\n"
        "print(registrations_before_config_error('dev', stack_values('dev', {}), expect_error=False))\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout.strip().splitlines()[-1]) > 10


def test_an_unknown_region_lists_close_matches():
    raw = {k: v if isinstance(v, str) else json.dumps(v) for k, v in stack_values("dev", {}).items()}
    raw["aws:region"] = "us-eats-1"
    with pytest.raises(Exception, match=r"aws:region: \"us-eats-1\" is not a known AWS region; did you mean us-east-1"):
        parse_config(raw, stack="dev")
