"""Bad stack configuration is a user error: one message per problem naming the full key, the bad
value and what is allowed, all problems together, and nothing registered."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from components.config import ConfigError, StackConfig, parse_config
from offline_preview import UserError, run_program
from offline_preview.stack_files import read_project, read_stack_config

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


def test_malformed_cidr():
    msg = one_problem(with_section("network", cidr="10.0.0.0/33"), "platform:network.cidr")
    assert '"10.0.0.0/33"' in msg and "valid IPv4 CIDR" in msg and "e.g. 10.0.0.0/16" in msg


def test_subnet_outside_the_vpc():
    raw = with_section("network", publicSubnetCidrs=["10.1.48.0/24", "10.0.49.0/24", "10.0.50.0/24"])
    msg = one_problem(raw, "platform:network.publicSubnetCidrs[0]")
    assert '"10.1.48.0/24"' in msg and "outside the VPC CIDR 10.0.0.0/16" in msg


def test_overlapping_subnets():
    raw = with_section("network", databaseSubnetCidrs=["10.0.52.0/24", "10.0.53.0/24", "10.0.1.128/25"])
    msg = one_problem(raw, "platform:network.databaseSubnetCidrs[2]")
    assert '"10.0.1.128/25"' in msg and "overlaps privateSubnetCidrs[1] (10.0.1.0/24)" in msg


def test_more_azs_than_subnets():
    raw = with_section("network", azCount=4)
    found = problems_of(raw)
    assert any(
        p.startswith("platform:network.publicSubnetCidrs:") and "lists 3 CIDR(s) but azCount is 4" in p for p in found
    )


def test_unknown_enum_value():
    msg = one_problem(with_section("network", natGateways="perAZ"), "platform:network.natGateways")
    assert '"perAZ"' in msg and "'none', 'single' or 'perAz'" in msg


def test_invalid_fargate_pair_uses_the_official_table():
    msg = one_problem(with_section("compute", ecs__memory=8192), "platform:compute.ecs.memory")
    assert "8192" in msg and "cpu 512" in msg and "1024, 2048, 3072, 4096" in msg


def test_min_greater_than_max():
    msg = one_problem(with_section("compute", ecs__minTasks=9), "platform:compute.ecs.minTasks")
    assert "9" in msg and "<= maxTasks (4)" in msg
    msg = one_problem(with_section("compute", eks__systemNodes__minSize=5), "platform:compute.eks.systemNodes.minSize")
    assert "<= maxSize (3)" in msg


def test_storage_below_engine_minimum():
    msg = one_problem(with_section("database", allocatedStorageGb=10), "platform:database.allocatedStorageGb")
    assert "10" in msg and "postgres minimum is 20 GiB" in msg


def test_backup_retention_outside_0_to_35():
    msg = one_problem(with_section("database", backupRetentionDays=40), "platform:database.backupRetentionDays")
    assert "40" in msg and "<= 35" in msg
    msg = one_problem(with_section("database", backupRetentionDays=-1), "platform:database.backupRetentionDays")
    assert ">= 0" in msg


def test_unknown_key_suggests_the_closest_valid_key():
    msg = one_problem(with_section("network", azcount=3), "platform:network.azcount")
    assert "did you mean 'azCount'?" in msg
    raw = stack_raw()
    raw["platform:netwrok"] = raw["platform:network"]
    msg = one_problem(raw, "platform:netwrok")
    assert "did you mean 'network'?" in msg


def test_missing_required_key():
    msg = one_problem(with_section("database", instanceClass=_DELETE), "platform:database.instanceClass")
    assert "required but missing" in msg
    raw = stack_raw()
    del raw["platform:monitoring"]
    assert "required but missing" in one_problem(raw, "platform:monitoring")


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


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        (
            "platform:network",
            {"cidr": "10.0.0.0/16", "azCount": 3, "natGateways": "sideways"},
            "platform:network.natGateways",
        ),
        (
            "platform:compute",
            {
                "platform": "ecs",
                "imageTag": "1.0",
                "ecs": {
                    "cpu": 300,
                    "memory": 512,
                    "minTasks": 1,
                    "maxTasks": 2,
                    "spotWeight": 1,
                    "onDemandWeight": 0,
                    "onDemandBase": 0,
                },
            },
            "platform:compute.ecs.cpu",
        ),
        ("platform:environment", "qa", "platform:environment"),
    ],
)
def test_bad_config_through_the_program_registers_nothing(key, value, expected):
    with pytest.raises(UserError) as err:
        run_program(REPO, "dev", config={key: value})
    assert expected in str(err.value)
    assert "Traceback" not in str(err.value)
    assert err.value.capture.resources == []
