"""Bad stack configuration is a user error: one message per problem naming the full key, the bad
value and what is allowed, all problems together, and nothing registered."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from offline_preview import UserError, run_program
from secure_platform.config import ConfigError, StackConfig, parse_config
from secure_platform.config.stack_files import read_project, read_stack_config

REPO = Path(__file__).resolve().parents[2]


def stack_raw(stack: str = "dev") -> dict[str, str]:
    return dict(read_stack_config(read_project(REPO), stack).config)


def with_section(section: str, **changes: Any) -> dict[str, str]:
    raw = stack_raw()
    value = json.loads(raw[f"platform:{section}"])
    for dotted, new in changes.items():
        target = value
        *path, last = dotted.split("__")
        for part in path:
            target = target[part]
        if new is _DELETE:
            del target[last]
        else:
            target[last] = new
    raw[f"platform:{section}"] = json.dumps(value)
    return raw


_DELETE = object()


def problems_of(raw: dict[str, str]) -> list[str]:
    with pytest.raises(ConfigError) as err:
        parse_config(raw, stack="dev")
    return [str(p) for p in err.value.problems]


def one_problem(raw: dict[str, str], key: str) -> str:
    found = [p for p in problems_of(raw) if p.startswith(key + ":")]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_the_three_stack_files_are_valid_and_complete(stack):
    cfg = parse_config(stack_raw(stack), stack=stack)
    assert isinstance(cfg, StackConfig)
    assert cfg.environment == stack
    raw = stack_raw(stack)
    # Complete: every section is spelled out in the file, not left to a default.
    for section in (
        "tags",
        "network",
        "domain",
        "database",
        "cache",
        "compute",
        "ecr",
        "storage",
        "backup",
        "monitoring",
        "security",
        "environment",
        "protect",
    ):
        assert f"platform:{section}" in raw, section


def test_environment_table_of_the_spec():
    dev, staging, prod = (parse_config(stack_raw(s), stack=s) for s in ("dev", "staging", "prod"))
    assert (dev.network.nat_gateways, staging.network.nat_gateways, prod.network.nat_gateways) == (
        "single",
        "perAz",
        "perAz",
    )
    assert (dev.database.instance_class, dev.database.allocated_storage_gb, dev.database.multi_az) == (
        "db.t3.micro",
        20,
        False,
    )
    assert (staging.database.instance_class, staging.database.allocated_storage_gb) == ("db.t3.small", 50)
    assert (prod.database.instance_class, prod.database.allocated_storage_gb, prod.database.multi_az) == (
        "db.t3.small",
        100,
        True,
    )
    assert (dev.protect, staging.protect, prod.protect) == (False, True, True)
    assert dev.compute.ecs.spot_weight > dev.compute.ecs.on_demand_weight and dev.compute.ecs.on_demand_base == 0
    assert prod.compute.ecs.on_demand_base > 0


def test_all_problems_are_reported_together():
    raw = with_section("network", cidr="10.0.0.0/33", natGateways="x")
    raw["platform:database"] = json.dumps({**json.loads(raw["platform:database"]), "backupRetentionDays": 99})
    found = problems_of(raw)
    keys = {p.split(":", 2)[0] + ":" + p.split(":", 2)[1] for p in found}
    assert {"platform:network.cidr", "platform:network.natGateways", "platform:database.backupRetentionDays"} <= keys


def test_cross_field_rules_still_run_when_another_field_is_broken():
    raw = with_section("database", backupRetentionDays=99, allocatedStorageGb=5)
    found = problems_of(raw)
    assert any(p.startswith("platform:database.allocatedStorageGb:") for p in found)
    assert any(p.startswith("platform:database.backupRetentionDays:") for p in found)


def test_prod_requires_protection_and_multi_az():
    raw = stack_raw("prod")
    raw["platform:protect"] = "false"
    raw["platform:database"] = json.dumps({**json.loads(raw["platform:database"]), "multiAz": False})
    found = problems_of(raw)
    assert any(p.startswith("platform:protect:") for p in found)
    assert any(p.startswith("platform:database.multiAz:") for p in found)


# --- every bad-input class of the issue, through the real program ------------------------------
#
# Each row feeds one bad value to `__main__.py` (the stack program) via the offline preview and
# asserts: a UserError (exit 2, no traceback), one line naming the full key, the bad value as the
# user wrote it (JSON), what is allowed, and that nothing was registered.


def section(name: str, **changes: Any) -> dict[str, Any]:
    """The dev stack's `platform:<name>` object with `a__b=value` changes (`_DELETE` removes)."""
    return {f"platform:{name}": json.loads(with_section(name, **changes)[f"platform:{name}"])}


BAD_INPUT = [
    # (class, config overrides or keys to drop, full key, bad value as shown, allowed text)
    (
        "security group id",
        section("compute", eks__apiClientSecurityGroupIds=["sg-12"]),
        "platform:compute.eks.apiClientSecurityGroupIds",
        '["sg-12"]',
        'has invalid security group id(s) ["sg-12"]; allowed: security group ids, sg- then 8 or 17 hex digits',
    ),
    (
        "tag AWS refuses",
        section("tags", extra={"aws:team": "x"}),
        "platform:tags.extra",
        "has tags AWS refuses:",  # an object is not echoed: the message names the tag at fault
        'the key "aws:team" starts with aws: (reserved for AWS); allowed: up to 40 tags; keys 1-128 characters, not starting with aws:',
    ),
    (
        "malformed CIDR",
        section("network", cidr="10.0.0.0/33"),
        "platform:network.cidr",
        '"10.0.0.0/33"',
        "allowed: an IPv4 CIDR of /16 to /28 with no host bits set, e.g. 10.0.0.0/16",
    ),
    (
        "CIDR with host bits",
        section("network", cidr="10.0.0.1/16"),
        "platform:network.cidr",
        '"10.0.0.1/16"',
        "allowed: an IPv4 CIDR of /16 to /28 with no host bits set",
    ),
    (
        "VPC larger than AWS allows",
        section("network", cidr="10.0.0.0/8"),
        "platform:network.cidr",
        '"10.0.0.0/8"',
        "allowed: an IPv4 CIDR of /16 to /28",
    ),
    (
        "subnet outside the VPC",
        section("network", publicSubnetCidrs=["10.1.48.0/24", "10.0.49.0/24", "10.0.50.0/24"]),
        "platform:network.publicSubnetCidrs[0]",
        '"10.1.48.0/24"',
        "is outside the VPC CIDR 10.0.0.0/16; allowed: a /16-/28 subnet of the VPC CIDR 10.0.0.0/16",
    ),
    (
        "overlapping subnets",
        section("network", databaseSubnetCidrs=["10.0.52.0/24", "10.0.53.0/24", "10.0.1.128/25"]),
        "platform:network.databaseSubnetCidrs[2]",
        '"10.0.1.128/25"',
        "overlaps privateSubnetCidrs[1] (10.0.1.0/24); allowed: a /16-/28 subnet of the VPC CIDR 10.0.0.0/16 "
        "that overlaps no other subnet",
    ),
    (
        "more AZs than subnets",
        section("network", azCount=4),
        "platform:network.privateSubnetCidrs",
        '["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"]',
        "lists 3 CIDR(s) but azCount is 4; allowed: exactly 4 CIDRs (one subnet per AZ)",
    ),
    (
        "unknown enum value",
        section("network", natGateways="perAZ"),
        "platform:network.natGateways",
        '"perAZ"',
        "is not allowed; allowed: none, single, perAz",
    ),
    (
        "unknown enum value (top level)",
        {"platform:environment": "qa"},
        "platform:environment",
        '"qa"',
        "allowed: dev, staging, prod",
    ),
    (
        "unknown enum value in a list",
        section("network", interfaceEndpoints=["ecr.api", "s3"]),
        "platform:network.interfaceEndpoints[1]",
        '"s3"',
        "allowed: ecr.api, ecr.dkr, logs, sts, secretsmanager, ssm, ssmmessages, ec2messages, kms",
    ),
    (
        "invalid Fargate CPU/memory pair",
        section("compute", ecs__memory=8192),
        "platform:compute.ecs.memory",
        "8192",
        "allowed with cpu 512: 1024, 2048, 3072, 4096 MiB",
    ),
    (
        "invalid Fargate CPU",
        section("compute", ecs__cpu=300),
        "platform:compute.ecs.cpu",
        "300",
        "allowed: 256, 512, 1024, 2048, 4096, 8192, 16384",
    ),
    (
        "min > max (tasks)",
        section("compute", ecs__minTasks=9),
        "platform:compute.ecs.minTasks",
        "9",
        "must be <= maxTasks (4); allowed: 0-4",
    ),
    (
        "min > max (node group)",
        section("compute", eks__systemNodes__minSize=5),
        "platform:compute.eks.systemNodes.minSize",
        "5",
        "must be <= maxSize (3); allowed: 0-3",
    ),
    (
        "desired outside min..max",
        section("compute", eks__spotNodes__desiredSize=9),
        "platform:compute.eks.spotNodes.desiredSize",
        "9",
        "allowed: 0-4",
    ),
    (
        "storage below the engine minimum",
        section("database", allocatedStorageGb=10),
        "platform:database.allocatedStorageGb",
        "10",
        "is below the postgres minimum of 20 GiB; allowed: 20-65536",
    ),
    (
        "backup retention above 35",
        section("database", backupRetentionDays=40),
        "platform:database.backupRetentionDays",
        "40",
        "is out of range; allowed: 0-35",
    ),
    (
        "backup retention below 0",
        section("database", backupRetentionDays=-1),
        "platform:database.backupRetentionDays",
        "-1",
        "is out of range; allowed: 0-35",
    ),
    (
        "unknown key (typo)",
        section("network", azcount=3),
        "platform:network.azcount",
        None,
        "is not a known key; did you mean 'azCount'? allowed keys: cidr, azCount, natGateways",
    ),
    (
        "unknown top-level key (typo)",
        {"platform:netwrok": {"cidr": "10.0.0.0/16"}},
        "platform:netwrok",
        None,
        "is not a known key; did you mean 'network'? allowed keys: environment, protect, tags, network",
    ),
    (
        "missing required key",
        section("database", instanceClass=_DELETE),
        "platform:database.instanceClass",
        None,
        "is required but missing; allowed: an RDS instance class db.<family>.<size>, e.g. db.t3.micro",
    ),
    (
        "missing required section",
        ("platform:monitoring",),
        "platform:monitoring",
        None,
        "is required but missing; allowed: an object with keys logRetentionDays, alarmEmails, monthlyBudgetUsd",
    ),
    (
        "missing region",
        ("aws:region",),
        "aws:region",
        None,
        "is required but missing; allowed: an AWS region name, e.g. us-east-1",
    ),
    (
        "wrong type",
        section("network", azCount="three"),
        "platform:network.azCount",
        '"three"',
        "must be a whole number; allowed: 2-6",
    ),
]


@pytest.mark.parametrize(
    ("overrides", "key", "shown", "allowed"),
    [pytest.param(*row[1:], id=row[0]) for row in BAD_INPUT],
)
def test_bad_input_is_one_clear_message_and_registers_nothing(overrides, key, shown, allowed, tmp_path):
    if isinstance(overrides, tuple):  # keys to leave out: a stack file without them
        data = yaml.safe_load((REPO / "Pulumi.dev.yaml").read_text())
        for dropped in overrides:
            del data["config"][dropped]
        stack_file = tmp_path / "Pulumi.dev.yaml"
        stack_file.write_text(yaml.safe_dump(data))
        run = functools.partial(run_program, REPO, "dev", config_file=stack_file)
    else:
        run = functools.partial(run_program, REPO, "dev", config=overrides)
    with pytest.raises(UserError) as err:
        run()
    message = str(err.value)
    assert "Traceback" not in message
    assert message.startswith("Invalid configuration of stack 'dev'")
    lines = [line.strip() for line in message.splitlines() if line.strip().startswith(f"- {key}:")]
    assert len(lines) == 1, message
    [line] = lines
    if shown is None:  # nothing to show (missing, or an unknown key's value): the key, then the reason
        assert line.startswith(f"- {key}: is "), line
    else:
        assert line.startswith(f"- {key}: {shown} "), line
    assert allowed in line, line
    assert err.value.capture.resources == []


def test_every_bad_input_class_of_the_issue_has_a_row():
    classes = {row[0] for row in BAD_INPUT}
    assert {
        "malformed CIDR",
        "subnet outside the VPC",
        "overlapping subnets",
        "more AZs than subnets",
        "unknown enum value",
        "invalid Fargate CPU/memory pair",
        "min > max (tasks)",
        "storage below the engine minimum",
        "backup retention above 35",
        "backup retention below 0",
        "unknown key (typo)",
        "missing required key",
    } <= classes


def test_an_unknown_keys_value_never_reaches_the_message():
    # A mistyped secret (`password` instead of a secret reference) must not be printed into CI logs.
    with pytest.raises(UserError) as err:
        run_program(REPO, "dev", config=section("database", password="hunter2"))
    assert "platform:database.password: is not a known key" in str(err.value)
    assert "hunter2" not in str(err.value)


def test_an_invalid_eks_block_is_not_also_reported_missing():
    staging = yaml.safe_load((REPO / "Pulumi.staging.yaml").read_text())["config"]["platform:compute"]["eks"]
    with pytest.raises(UserError) as err:
        run_program(REPO, "dev", config=section("compute", platform="eks", eks={**staging, "version": "1.20"}))
    message = str(err.value)
    assert "platform:compute.eks.version" in message
    assert "is required when compute.platform is eks" not in message
