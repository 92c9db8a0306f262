"""What counts as open to the world: 0.0.0.0/0 and ::/0, and ranges so wide that only the internet
at large fits them (0.0.0.0/1 with 128.0.0.0/1 is the world in two rules)."""

from __future__ import annotations

from pathlib import Path

import pulumi_aws as aws
import pytest

from offline_preview import evaluate, load_policy_pack, run_program
from platform_policies.helpers import is_world

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "cidr", ["0.0.0.0/0", "::/0", "0.0.0.0/1", "128.0.0.0/1", "64.0.0.0/2", "2000::/3", "1.2.3.4/0"]
)
def test_world_wide_ranges(cidr: str) -> None:
    assert is_world(cidr)


@pytest.mark.parametrize(
    "cidr", ["10.0.0.0/8", "203.0.113.0/24", "17.0.0.0/8", "fd00::/8", "2001:db8::/32", "bogus", None]
)
def test_private_or_organisation_sized_ranges(cidr: object) -> None:
    assert not is_world(cidr)


def test_ssh_open_to_the_world_in_two_halves_is_found(tmp_path: Path) -> None:
    def program() -> None:
        vpc = aws.ec2.Vpc("v", cidr_block="10.0.0.0/16")
        group = aws.ec2.SecurityGroup("g", vpc_id=vpc.id, description="halves")
        for half in ("0.0.0.0/1", "128.0.0.0/1"):
            aws.vpc.SecurityGroupIngressRule(
                f"ssh-{half.split('.')[0]}",
                security_group_id=group.id,
                cidr_ipv4=half,
                ip_protocol="tcp",
                from_port=22,
                to_port=22,
            )

    cap = run_program(tmp_path, "test", config={"aws:region": "us-east-1"}, program=program)
    report = evaluate(load_policy_pack(REPO / "policies"), cap, {"all": "mandatory"}, cap.config)
    index = cap.by_urn()
    fired = {index[v.urn].name for v in report.violations if v.policy == "security-group-no-world-sensitive-ports"}
    assert fired == {"ssh-0", "ssh-128"}
