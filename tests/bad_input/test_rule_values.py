"""Rules across fields see the values the model accepted, whatever their spelling in the stack
file, and refuse what AWS or the environment would refuse: exit 2 naming the key, the value and
what is allowed, with nothing registered first."""

from __future__ import annotations

import json

import pytest

from secure_platform.config import ConfigError, parse_config
from secure_platform.config.stack_files import OVERRIDES_ENV

from .helpers import REPO, assert_user_error, registrations_before_config_error, run_cli, stack_values, write_stack_file

# (id, stack, change under `platform:` merged over the shipped stack file, key, message, allowed)
CASES = [
    ("cpu as quoted text", "dev", {"compute": {"ecs": {"cpu": "512", "memory": 99}}}, "compute.ecs.memory", "is not a Fargate memory size for cpu 512", "1024, 2048"),
    ("cpu as a float", "dev", {"compute": {"ecs": {"cpu": 512.0, "memory": 99}}}, "compute.ecs.memory", "is not a Fargate memory size for cpu 512", "1024, 2048"),
    ("EKS API CIDR without a prefix", "prod", {"compute": {"eks": {"endpointPublicAccessCidrs": ["203.0.113.5"]}}}, "compute.eks.endpointPublicAccessCidrs", "no prefix length; one address is written with /32", "203.0.113.5/32 for one address"),
    ("EKS API IPv6 CIDR", "prod", {"compute": {"eks": {"endpointPublicAccessCidrs": ["2001:db8::/64"]}}}, "compute.eks.endpointPublicAccessCidrs", "only IPv4 CIDRs", "IPv4 CIDRs other than /0"),
    ("subnet without a prefix", "prod", {"network": {"publicSubnetCidrs": ["10.0.48.0", "10.0.49.0/24", "10.0.50.0/24"]}}, "network.publicSubnetCidrs[0]", "no prefix length", "subnet of the VPC CIDR"),
    ("the machine's own time zone", "dev", {"compute": {"timezone": "localtime"}}, "compute.timezone", "is not an IANA time zone", "an IANA time zone"),
    ("a posix copy of a time zone", "dev", {"compute": {"timezone": "posix/Europe/Berlin"}}, "compute.timezone", "is not an IANA time zone", "an IANA time zone"),
    ("a misspelt time zone", "dev", {"compute": {"timezone": "Europe/Berln"}}, "compute.timezone", "did you mean Europe/Berlin", "an IANA time zone"),
    ("misspelt RDS instance class", "dev", {"database": {"instanceClass": "db.t3.mirco"}}, "database.instanceClass", "names no EC2 instance type it could run on; did you mean db.t3.micro", "db.<family>.<size>"),
    ("misspelt ElastiCache node type", "prod", {"cache": {"nodeType": "cache.t4g.mirco"}}, "cache.nodeType", "did you mean cache.t4g.micro", "cache.<family>.<size>"),
    ("unknown RDS family", "dev", {"database": {"instanceClass": "db.q9.large"}}, "database.instanceClass", "is not an RDS instance class", "db.<family>.<size>"),
    ("an EC2 size RDS does not sell", "dev", {"database": {"instanceClass": "db.t3.nano"}}, "database.instanceClass", "is not a size RDS offers for db.t3: micro, small", "db.<family>.<size>"),
    ("an EC2 family RDS does not run", "dev", {"database": {"instanceClass": "db.c5.large"}}, "database.instanceClass", "is not a family RDS offers (db.c5); did you mean", "db.<family>.<size>"),
    ("a medium size of a non-burstable RDS family", "dev", {"database": {"instanceClass": "db.m6g.medium"}}, "database.instanceClass", "its sizes start at large", "db.<family>.<size>"),
    ("a Multi-AZ DB cluster class", "dev", {"database": {"instanceClass": "db.c6gd.large"}}, "database.instanceClass", "Multi-AZ DB clusters only", "db.<family>.<size>"),
    ("an EC2 size ElastiCache does not sell", "prod", {"cache": {"nodeType": "cache.t3.nano"}}, "cache.nodeType", "is not a size ElastiCache offers for cache.t3: micro, small, medium", "cache.<family>.<size>"),
    ("an EC2 family ElastiCache does not run", "prod", {"cache": {"nodeType": "cache.m6i.large"}}, "cache.nodeType", "is not a family ElastiCache offers (cache.m6i); did you mean cache.m6g.large", "cache.<family>.<size>"),
    ("postgres minor that is not a number", "dev", {"database": {"engineVersion": "15.x"}}, "database.engineVersion", "is not a supported postgres version", "optionally with a minor number"),
    ("postgres version with two minors", "dev", {"database": {"engineVersion": "15.4.1"}}, "database.engineVersion", "is not a supported postgres version", "optionally with a minor number"),
    ("storage as quoted text", "dev", {"database": {"allocatedStorageGb": "20", "maxAllocatedStorageGb": 10}}, "database.maxAllocatedStorageGb", "must be between allocatedStorageGb (20)", "20-65536"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("stack", "change", "key", "message", "allowed"), [pytest.param(*c[1:], id=c[0]) for c in CASES]
)
def test_rule_input_is_exit_2_naming_key_and_allowed_with_nothing_registered(
    stack, change, key, message, allowed, tmp_path, capsys, monkeypatch
):
    values = stack_values(stack, {f"platform:{k}": v for k, v in change.items()})
    file = write_stack_file(tmp_path, stack, values)
    monkeypatch.delenv(OVERRIDES_ENV, raising=False)  # the file holds exactly what is previewed
    code, out = run_cli([stack, "--program", str(REPO), "--config", str(file), "--no-policy", "--quiet"], capsys)
    assert_user_error(code, out)
    lines = [line for line in out.splitlines() if line.strip().startswith(f"- platform:{key}:")]
    assert any(message in line and "allowed" in line and allowed in line for line in lines), out
    assert registrations_before_config_error(stack, values) == 0


def _raw(values):
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in values.items()}


@pytest.mark.parametrize(
    ("stack", "environment", "named"),
    [
        ("prod", "staging", "prod"),
        ("prod-eu", "dev", "prod"),
        ("dev-alice", "prod", "dev"),
        ("org/platform/prod", "dev", "prod"),
    ],
)
def test_a_stack_named_after_an_environment_deploys_that_environment(stack, environment, named):
    values = stack_values("prod", {"platform:environment": environment, "platform:protect": True})
    with pytest.raises(ConfigError) as err:
        parse_config(_raw(values), stack=stack, deploying=False)
    [problem] = [p for p in err.value.problems if p.key == "platform:environment"]
    assert f"does not match stack '{stack}'" in str(problem) and f"allowed in stack {stack}: {named}" in str(problem)


@pytest.mark.parametrize("stack", ["prod-eu", "qa", "production", ""])
def test_other_stack_names_may_deploy_the_environment_they_set(stack):
    parse_config(_raw(stack_values("prod", {})), stack=stack, deploying=False)


@pytest.mark.parametrize("stack", ["Prod", "PROD", "prod.eu", "prod_eu", "production", "org/platform/prod"])
def test_a_stack_named_prod_in_any_spelling_deploys_prod(stack):
    from secure_platform.config.environment_rules import stack_environment

    assert stack_environment(stack) == "prod"


@pytest.mark.parametrize("stack", ["qa", "dev2", "alice", "preprod"])
def test_other_stack_names_may_deploy_any_environment(stack):
    from secure_platform.config.environment_rules import stack_environment

    assert stack_environment(stack) is None
