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


def test_ssh_open_to_the_world_through_a_prefix_list_is_found(tmp_path: Path) -> None:
    """A customer-managed prefix list holding 0.0.0.0/0 is the world under another name; rules
    that reference it (by the engine's property dependencies: its id is unknown in a preview) are
    world ingress. The same rule through a list of office ranges is not."""

    def program() -> None:
        vpc = aws.ec2.Vpc("v", cidr_block="10.0.0.0/16")
        group = aws.ec2.SecurityGroup("g", vpc_id=vpc.id, description="admin")
        anyone = aws.ec2.ManagedPrefixList(
            "anyone", address_family="IPv4", max_entries=2, entries=[{"cidr": "0.0.0.0/0"}]
        )
        later = aws.ec2.ManagedPrefixList("later", address_family="IPv4", max_entries=2)
        aws.ec2.ManagedPrefixListEntry("later-world", prefix_list_id=later.id, cidr="0.0.0.0/0")
        office = aws.ec2.ManagedPrefixList(
            "office", address_family="IPv4", max_entries=2, entries=[{"cidr": "203.0.113.0/24"}]
        )
        for name, plist in (("via-anyone", anyone), ("via-office", office)):
            aws.vpc.SecurityGroupIngressRule(
                name, security_group_id=group.id, prefix_list_id=plist.id, ip_protocol="tcp", from_port=22, to_port=22
            )
        aws.ec2.SecurityGroupRule(
            "via-later",
            type="ingress",
            security_group_id=group.id,
            prefix_list_ids=[later.id],
            protocol="tcp",
            from_port=3389,
            to_port=3389,
        )
        aws.ec2.SecurityGroup(
            "inline",
            vpc_id=vpc.id,
            description="inline",
            ingress=[{"protocol": "tcp", "from_port": 22, "to_port": 22, "prefix_list_ids": [anyone.id]}],
        )

    cap = run_program(tmp_path, "test", config={"aws:region": "us-east-1"}, program=program)
    report = evaluate(load_policy_pack(REPO / "policies"), cap, {"all": "mandatory"}, cap.config)
    index = cap.by_urn()
    policy = "security-group-world-ingress-only-on-load-balancers"
    found = [v for v in report.violations if v.policy == policy]
    assert {index[v.urn].name for v in found} == {"via-anyone", "via-later", "inline"}
    assert any("prefix list 'anyone' (0.0.0.0/0)" in v.message for v in found)


def test_prefix_lists_with_unknown_ranges_or_mixed_inline_rules_are_judged_rule_by_rule(tmp_path: Path) -> None:
    """An inline rule through an office list is not blamed on a world list the same group also
    names, and a prefix list whose range is computed (unknown in a preview) never stops the
    policy: the world-open SSH rule beside it is still found."""

    def program() -> None:
        vpc = aws.ec2.Vpc("v", cidr_block="10.0.0.0/16")
        world = aws.ec2.ManagedPrefixList(
            "world", address_family="IPv4", max_entries=1, entries=[{"cidr": "0.0.0.0/0"}]
        )
        office = aws.ec2.ManagedPrefixList(
            "office", address_family="IPv4", max_entries=1, entries=[{"cidr": "203.0.113.0/24"}]
        )
        aws.ec2.ManagedPrefixList(
            "computed", address_family="IPv4", max_entries=1, entries=[{"cidr": vpc.cidr_block.apply(lambda c: c)}]
        )
        aws.ec2.SecurityGroup(
            "mixed",
            vpc_id=vpc.id,
            description="mixed",
            ingress=[
                {"protocol": "tcp", "from_port": 443, "to_port": 443, "prefix_list_ids": [world.id]},
                {"protocol": "tcp", "from_port": 22, "to_port": 22, "prefix_list_ids": [office.id]},
            ],
        )
        aws.ec2.SecurityGroup(
            "ssh-open",
            vpc_id=vpc.id,
            description="ssh",
            ingress=[{"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"]}],
        )

    cap = run_program(tmp_path, "test", config={"aws:region": "us-east-1"}, program=program)
    report = evaluate(load_policy_pack(REPO / "policies"), cap, {"all": "mandatory"}, cap.config)
    index = cap.by_urn()
    policy = "security-group-world-ingress-only-on-load-balancers"
    found = {index[v.urn].name: v.message for v in report.violations if v.policy == policy}
    assert "ssh-open" in found
    assert "port 22 from prefix list" not in found.get("mixed", "")
