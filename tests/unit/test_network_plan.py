"""CIDR and NAT planning: properties over random valid inputs (hypothesis)."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secure_platform.networking.plan import PlanError, carve_subnets, check_subnets, nat_layout, plan_network

vpc_cidrs = st.builds(
    lambda a, b, prefix: str(ipaddress.ip_network(f"10.{a}.{b}.0/{prefix}", strict=False)),
    st.integers(0, 255),
    st.integers(0, 255),
    st.integers(16, 22),
)
az_counts = st.integers(2, 6)
nat_strategies = st.sampled_from(["none", "single", "perAz"])


@given(vpc_cidrs, az_counts, nat_strategies)
@settings(max_examples=200, deadline=None)
def test_carved_plan_is_inside_the_vpc_without_overlap(vpc, azs, nat):
    plan = plan_network(vpc, azs, nat)
    network = ipaddress.IPv4Network(vpc)
    nets = [ipaddress.IPv4Network(s.cidr) for s in plan.subnets]
    assert len(nets) == 3 * azs
    assert all(n.subnet_of(network) for n in nets)
    assert all(not a.overlaps(b) for i, a in enumerate(nets) for b in nets[i + 1 :])
    for tier in ("public", "private", "database"):
        assert sorted(s.az_index for s in plan.tier(tier)) == list(range(azs))


@given(vpc_cidrs, az_counts, nat_strategies)
@settings(max_examples=200, deadline=None)
def test_nat_count_and_each_private_subnet_routes_in_its_own_az(vpc, azs, nat):
    plan = plan_network(vpc, azs, nat)
    expected = {"none": 0, "single": 1, "perAz": azs}[nat]
    assert len(plan.nat_az_indices) == expected
    for subnet, nat_index in zip(plan.tier("private"), plan.private_nat_index, strict=True):
        if nat == "none":
            assert nat_index is None
        elif nat == "perAz":
            assert nat_index is not None
            assert plan.nat_az_indices[nat_index] == subnet.az_index
        else:
            assert nat_index == 0


@given(vpc_cidrs, az_counts, st.data())
@settings(max_examples=200, deadline=None)
def test_any_overlap_or_escape_is_reported(vpc, azs, data):
    tiers = carve_subnets(vpc, azs)
    tier = data.draw(st.sampled_from(["public", "private", "database"]))
    index = data.draw(st.integers(0, azs - 1))
    other_tier = data.draw(st.sampled_from(["public", "private", "database"]))
    other_index = data.draw(st.integers(0, azs - 1))
    if (tier, index) == (other_tier, other_index):
        return
    broken = {t: list(v) for t, v in tiers.items()}
    broken[tier][index] = tiers[other_tier][other_index]
    problems = check_subnets(vpc, azs, broken)
    assert any("overlaps" in p.message for p in problems)


def test_spec_layout_is_accepted_as_given():
    plan = plan_network(
        "10.0.0.0/16",
        3,
        "perAz",
        public=["10.0.48.0/24", "10.0.49.0/24", "10.0.50.0/24"],
        private=["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"],
        database=["10.0.52.0/24", "10.0.53.0/24", "10.0.54.0/24"],
    )
    assert [s.cidr for s in plan.tier("database")] == ["10.0.52.0/24", "10.0.53.0/24", "10.0.54.0/24"]


def test_too_small_vpc_is_a_plan_error():
    with pytest.raises(PlanError) as err:
        carve_subnets("10.0.0.0/26", 3)
    assert err.value.key == "cidr" and "too small" in err.value.message


def test_nat_layout_single_shares_one_gateway():
    assert nat_layout("single", 3) == ((0,), (0, 0, 0))
