"""Filtering, ranking and diversification (pure), on small made-up markets and on the real bundled data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spot_fakes import NOW, requirements

from secure_platform.spot.engine import Live, gather
from secure_platform.spot.filters import EmptySelectionError
from secure_platform.spot.market import FileMarket
from secure_platform.spot.model import AdvisorEntry, InstanceType, MarketSnapshot, Zone
from secure_platform.spot.requirements import INPUT_KEYS
from secure_platform.spot.selection import group_shapes, price_candidates, select

ZONES = [Zone("us-east-1a", "use1-az1"), Zone("us-east-1b", "use1-az2"), Zone("us-east-1c", "use1-az3")]
ALL = frozenset(z.name for z in ZONES)


def t(name: str, vcpus: int, gib: float, arch: str = "x86_64", maker: str = "Intel", **kw) -> InstanceType:
    return InstanceType(name, vcpus, gib, arch, manufacturer=maker, **kw)


def market(
    types: list[tuple[InstanceType, float, int]],
    offerings: dict[str, frozenset[str]] | None = None,
    history: dict | None = None,
) -> MarketSnapshot:
    """`types`: (type, on-demand $/h, bucket); Spot Advisor savings fixed at 60 %."""
    return MarketSnapshot(
        region="us-east-1",
        now=NOW,
        history_days=14,
        zones=list(ZONES),
        catalogue={i.name: i for i, _, _ in types},
        offerings=offerings if offerings is not None else {i.name: ALL for i, _, _ in types},
        history=history,
        history_end=NOW if history is not None else None,
        on_demand={i.name: od for i, od, _ in types},
        on_demand_proxied=False,
        advisor={i.name: AdvisorEntry(60, bucket) for i, _, bucket in types},
    )


SMALL = [
    (t("m5.large", 2, 8), 0.096, 1),
    (t("m5a.large", 2, 8, maker="AMD"), 0.086, 1),
    (t("m6i.large", 2, 8), 0.096, 0),
    (t("m6a.large", 2, 8, maker="AMD"), 0.0864, 0),
    (t("m7i.large", 2, 8), 0.1008, 0),
    (t("c5.large", 2, 4), 0.085, 2),
    (t("c6i.large", 2, 4), 0.085, 1),
    (t("r5.large", 2, 16), 0.126, 0),
    (t("m5.xlarge", 4, 16), 0.192, 1),
]


def test_a_group_never_mixes_vcpu_counts_or_memory_sizes():
    sel = select(requirements(typeCount=4), market(SMALL))
    shapes = {(c.info.vcpus, c.info.memory_gib) for c in sel.members}
    assert len({v for v, _ in shapes}) == 1
    memories = [m for _, m in shapes]
    assert max(memories) <= min(memories) * 1.1


def test_the_cheapest_risk_adjusted_shape_wins_and_its_types_are_distinct_families():
    sel = select(requirements(typeCount=4), market(SMALL))
    # 2 vCPU / 8 GiB has five types; c5/c6i (4 GiB) are cheaper per vCPU but only two (depth penalty).
    assert sel.shape.vcpus == 2 and sel.shape.memory_gib == 8
    assert len(sel.instance_types) == 4
    assert len({c.info.family for c in sel.members}) == 4
    assert "m7i.large" not in sel.instance_types  # the dearest of the five


def test_the_cheapest_pool_loses_to_slightly_dearer_much_safer_ones():
    risky = [*SMALL[:5], (t("m5n.large", 2, 8), 0.084, 2)]  # cheapest spot price, but 10-15 %/month
    sel = select(requirements(typeCount=2), market(risky))
    cheapest = min(sel.members, key=lambda c: c.spot_price)
    assert set(sel.instance_types) == {"m6a.large", "m5a.large"}
    assert cheapest.spot_price > 0.084 * 0.4  # m5n.large would have been cheaper


def test_types_above_the_tolerated_bucket_are_never_chosen():
    sel = select(requirements(maxInterruptionBucket=0, typeCount=4), market(SMALL))
    assert set(sel.instance_types) <= {"m6i.large", "m6a.large", "m7i.large", "r5.large"}
    assert all(c.bucket == 0 for c in sel.members)


def test_an_empty_result_names_the_filter_and_the_input_that_emptied_it():
    with pytest.raises(EmptySelectionError) as info:
        select(requirements(vcpus={"min": 64, "max": 96}), market(SMALL))
    assert info.value.key == "vcpus"
    assert "'vcpus' filter (vcpus 64-96)" in str(info.value)
    with pytest.raises(EmptySelectionError) as info:
        select(requirements(architectures=["arm64"]), market(SMALL))
    assert info.value.key == "architectures"
    with pytest.raises(EmptySelectionError) as info:
        select(
            requirements(maxInterruptionBucket=0, vcpus={"min": 2, "max": 2}, memoryGib={"min": 4, "max": 4}),
            market(SMALL),
        )
    assert info.value.key == "maxInterruptionBucket"


def test_types_not_offered_in_enough_zones_are_dropped_and_zones_need_two_types():
    offerings = {i.name: ALL for i, _, _ in SMALL}
    offerings["m6a.large"] = frozenset({"us-east-1a"})  # one zone only: below minAvailabilityZones 2
    offerings["m5a.large"] = frozenset({"us-east-1a", "us-east-1b"})
    sel = select(requirements(typeCount=4), market(SMALL, offerings))
    assert "m6a.large" not in sel.instance_types
    for zone in sel.zones:
        assert sum(1 for c in sel.members if zone in c.zone_prices) >= 2


def test_spot_within_ten_percent_of_on_demand_is_not_worth_it():
    history = {}
    for info, od, _ in SMALL:
        price = od * (0.95 if info.name == "m6i.large" else 0.4)
        for zone in ALL:
            history[(info.name, zone)] = [(NOW - timedelta(days=20), price)]
    sel = select(requirements(typeCount=5), market(SMALL, history=history))
    assert "m6i.large" not in sel.instance_types
    assert sel.basis == "history"


def test_a_pool_without_history_in_a_zone_counts_as_not_offered_there():
    history = {(i.name, z): [(NOW - timedelta(days=20), od * 0.4)] for i, od, _ in SMALL for z in ALL}
    for z in ("us-east-1b", "us-east-1c"):
        del history[("m6a.large", z)]
    snapshot = market(SMALL, history=history)
    cands, _ = price_candidates(requirements(), snapshot, list(snapshot.catalogue.values()), [])
    assert "m6a.large" not in {c.name for c in cands}  # only one zone left < minAvailabilityZones


def test_the_smallest_memory_type_comes_first_for_the_autoscaler():
    mixed = [
        (t("c5.large", 2, 4), 0.085, 0),
        (t("c4.large", 2, 3.75), 0.1, 0),
        (t("c6i.large", 2, 4), 0.085, 0),
    ]
    sel = select(requirements(memoryGib={"min": 3, "max": 4}, typeCount=3, minGeneration=4), market(mixed))
    assert sel.instance_types[0] == "c4.large"
    assert len(group_shapes(sel.members)) == 1


# --- on the real bundled data -------------------------------------------------------------------

FILES = FileMarket()


def bundled_snapshot(req):
    return gather(req, FILES, Live(None, FILES.label), NOW)


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"vcpus": {"min": 4, "max": 8}, "memoryGib": {"min": 32, "max": 64}, "allowedAvailabilityZones": []},
        {"architectures": ["arm64"]},
        {"maxInterruptionBucket": 0, "typeCount": 6},
    ],
    ids=["small-web", "memory-heavy", "arm64", "low-risk"],
)
def test_bundled_selection_satisfies_every_requirement(overrides):
    req = requirements(**overrides)
    snapshot = bundled_snapshot(req)
    sel = select(req, snapshot)
    assert 1 <= len(sel.instance_types) <= req.type_count
    for c in sel.members:
        assert req.vcpus.contains(c.info.vcpus) and req.memory_gib.contains(c.info.memory_gib)
        assert c.info.architecture in req.architectures
        assert c.bucket <= req.max_interruption_bucket
        assert not c.info.burstable and c.info.generation >= 5 and not c.info.bare_metal
        assert c.on_demand is not None and c.spot_price < 0.9 * c.on_demand
    offerings = snapshot.offerings or {}
    for zone in sel.zones:
        assert all(zone in offerings[c.name] for c in sel.members if zone in c.zone_prices)
    if req.allowed_availability_zones:
        assert set(sel.zones) <= set(req.allowed_availability_zones)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    vmin=st.integers(1, 16),
    vspan=st.integers(0, 16),
    mmin=st.sampled_from([0.5, 1, 2, 4, 8, 16, 32]),
    mratio=st.sampled_from([1, 2, 4, 8]),
    bucket=st.integers(0, 4),
    arch=st.sampled_from([["x86_64"], ["arm64"], ["x86_64", "arm64"]]),
    count=st.integers(1, 6),
)
def test_any_request_either_satisfies_the_requirements_or_names_a_real_input(
    vmin, vspan, mmin, mratio, bucket, arch, count
):
    req = requirements(
        vcpus={"min": vmin, "max": vmin + vspan},
        memoryGib={"min": mmin, "max": mmin * mratio},
        maxInterruptionBucket=bucket,
        architectures=arch,
        typeCount=count,
    )
    try:
        sel = select(req, bundled_snapshot(req))
    except EmptySelectionError as exc:
        assert exc.key in INPUT_KEYS
        return
    assert len(group_shapes(sel.members)) == 1
    assert all(c.bucket <= bucket and c.info.architecture in arch for c in sel.members)
    assert sel.expected_hourly_usd == pytest.approx(req.capacity * sel.mean_spot_price)
