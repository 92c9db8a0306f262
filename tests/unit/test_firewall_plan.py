"""Security-group and network-ACL plans: each tier admits only the tier in front of it."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secure_platform.networking import alb_plan
from secure_platform.networking.firewall_plan import (
    ANYWHERE,
    CACHE_PORT,
    EPHEMERAL,
    NACL_RULE_QUOTA,
    blocks,
    db_port,
    nacl_rules,
    security_group_rules,
)
from secure_platform.networking.plan import plan_network

APP_PORTS = alb_plan.app_ports()
SPEC = plan_network(
    "10.0.0.0/16",
    3,
    "perAz",
    public=["10.0.48.0/24", "10.0.49.0/24", "10.0.50.0/24"],
    private=["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"],
    database=["10.0.52.0/24", "10.0.53.0/24", "10.0.54.0/24"],
)


def full_rules(**kw):
    return security_group_rules(APP_PORTS, 5432, cache=True, interface_endpoints=True, **kw)


def test_every_ingress_names_a_source_group_except_the_albs_internet_listeners():
    for rule in full_rules():
        if rule.direction != "ingress":
            continue
        if rule.group == "alb":
            assert rule.cidr == ANYWHERE and rule.port in (80, 443)
        else:
            assert rule.peer_group is not None and rule.cidr is None and rule.prefix_list is None, rule


def test_each_tier_admits_only_the_tier_in_front_of_it():
    sources = {(r.group, r.peer_group, r.port) for r in full_rules() if r.direction == "ingress" and r.peer_group}
    assert sources == {
        *(("app", "alb", p) for p in APP_PORTS),
        ("database", "app", 5432),
        ("cache", "app", CACHE_PORT),
        ("endpoints", "app", 443),
    }


def test_database_port_follows_the_engine():
    assert db_port("postgres") == 5432
    assert db_port("mysql") == 3306
    rules = security_group_rules(APP_PORTS, db_port("mysql"))
    assert {r.port for r in rules if r.group == "database"} == {3306}
    with pytest.raises(ValueError, match="unknown database engine 'oracle'"):
        db_port("oracle")


def test_data_tiers_and_endpoints_have_no_egress():
    assert not [r for r in full_rules() if r.direction == "egress" and r.group in ("database", "cache", "endpoints")]


def test_internet_egress_only_for_the_app_tier_on_https_and_only_with_nat():
    internet = [r for r in full_rules() if r.cidr == ANYWHERE and r.direction == "egress"]
    assert [(r.group, r.port) for r in internet] == [("app", 443)]
    without_nat = [r for r in full_rules(internet_egress=False) if r.cidr == ANYWHERE and r.direction == "egress"]
    assert without_nat == []


def test_gateway_endpoints_are_reached_through_their_prefix_lists():
    lists = {r.prefix_list for r in full_rules(internet_egress=False) if r.prefix_list}
    assert lists == {"s3", "dynamodb"}


def test_optional_groups_disappear_with_their_feature():
    rules = security_group_rules(APP_PORTS, 5432, cache=False, interface_endpoints=False)
    groups = {r.group for r in rules} | {r.peer_group for r in rules if r.peer_group}
    assert groups == {"alb", "app", "database"}


def test_rule_names_are_unique():
    names = [r.name for r in full_rules()]
    assert len(names) == len(set(names))


# --- network ACLs ---------------------------------------------------------------------------------


def _covered(cidr: str, tier_cidrs: list[str]) -> bool:
    net = ipaddress.IPv4Network(cidr)
    return any(net.subnet_of(ipaddress.IPv4Network(t)) for t in blocks(tier_cidrs))


def _check_database_acl(plan, database_port):
    private = [s.cidr for s in plan.tier("private")]
    database = [s.cidr for s in plan.tier("database")]
    rules = [r for r in nacl_rules(plan, APP_PORTS, database_port) if r.tier == "database"]
    for rule in rules:
        assert rule.protocol == "tcp", rule
        assert rule.cidr != ANYWHERE, rule
        assert _covered(rule.cidr, private + database), rule
    ingress = [r for r in rules if not r.egress]
    from_app = [r for r in ingress if _covered(r.cidr, private)]
    assert from_app, "the app tier must reach the database tier"
    for rule in from_app:
        assert (rule.from_port, rule.to_port) in {(database_port, database_port), (CACHE_PORT, CACHE_PORT)}, rule
    # Within the tier only replication: the data ports and its return traffic.
    for rule in ingress:
        if not _covered(rule.cidr, private):
            assert _covered(rule.cidr, database)
            assert (rule.from_port, rule.to_port) in {(database_port,) * 2, (CACHE_PORT,) * 2, EPHEMERAL}


def test_database_acl_accepts_only_the_app_tier_on_database_and_cache_ports():
    _check_database_acl(SPEC, 5432)


def test_public_acl_admits_the_internet_on_https_http_and_return_ports_only():
    ingress = [r for r in nacl_rules(SPEC, APP_PORTS, 5432) if r.tier == "public" and not r.egress]
    assert {(r.cidr, r.from_port, r.to_port) for r in ingress} == {
        (ANYWHERE, 443, 443),
        (ANYWHERE, 80, 80),
        (ANYWHERE, *EPHEMERAL),
    }


def test_private_acl_admits_the_load_balancer_subnets_on_the_app_ports():
    ingress = [r for r in nacl_rules(SPEC, APP_PORTS, 5432) if r.tier == "private" and not r.egress]
    public = blocks(s.cidr for s in SPEC.tier("public"))
    from_public = {(r.cidr, r.from_port) for r in ingress if r.cidr in public}
    assert from_public == {(c, p) for c in public for p in APP_PORTS}


def test_adjacent_subnets_merge_without_widening():
    assert blocks(["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"]) == ["10.0.0.0/23", "10.0.2.0/24"]
    assert blocks(["10.0.1.0/24", "10.0.2.0/24"]) == ["10.0.1.0/24", "10.0.2.0/24"]


def test_rule_numbers_are_unique_per_acl_and_direction():
    rules = nacl_rules(SPEC, APP_PORTS, 5432)
    keys = [(r.tier, r.egress, r.number) for r in rules]
    assert len(keys) == len(set(keys))


def test_too_many_scattered_subnets_is_a_clear_error():
    scattered = plan_network(
        "10.0.0.0/16",
        6,
        "perAz",
        public=[f"10.0.{i}.0/24" for i in range(100, 112, 2)],
        private=[f"10.0.{i}.0/24" for i in range(0, 12, 2)],
        database=[f"10.0.{i}.0/24" for i in range(50, 62, 2)],
    )
    with pytest.raises(ValueError, match=f"default quota of {NACL_RULE_QUOTA}"):
        nacl_rules(scattered, APP_PORTS, 5432)


@given(
    st.integers(0, 255),
    st.integers(16, 20),
    st.integers(2, 6),
    st.sampled_from(["none", "single", "perAz"]),
    st.sampled_from([5432, 3306]),
)
@settings(max_examples=150, deadline=None)
def test_carved_plans_fit_the_quota_and_keep_the_database_tier_closed(second, prefix, azs, nat, port):
    vpc = str(ipaddress.ip_network(f"10.{second}.0.0/{prefix}", strict=False))
    plan = plan_network(vpc, azs, nat)
    rules = nacl_rules(plan, APP_PORTS, port)
    for tier in ("public", "private", "database"):
        for egress in (False, True):
            assert sum(1 for r in rules if r.tier == tier and r.egress == egress) <= NACL_RULE_QUOTA
    _check_database_acl(plan, port)
