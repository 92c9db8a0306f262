"""Diversification across families, within 1.25x of the cheapest diversified set, on real data."""

from __future__ import annotations

import itertools
import statistics

import pytest
from spot_fakes import NOW, shared_market_data

from secure_platform.spot.engine import Live, gather
from secure_platform.spot.market import FileMarket
from secure_platform.spot.requirements import parse_requirements
from secure_platform.spot.selection import candidates, group_shapes, select

SOURCES = {"bundled": None, "shared": shared_market_data()}
MEMORY = [(1, 1000), (16, 32), (32, 64), (64, 128), (32, 128)]


def strict(memory: tuple[float, float], **extra):
    return parse_requirements(
        {
            "region": "us-east-1",
            "vcpus": {"min": 8, "max": 16},
            "memoryGib": {"min": memory[0], "max": memory[1]},
            "architectures": ["x86_64"],
            "maxInterruptionBucket": 1,
            "dataSource": "bundled",
            **extra,
        }
    )


def snapshot_for(req, source: str):
    directory = SOURCES[source]
    if source == "shared" and directory is None:
        pytest.skip("the shared market data is not on this machine")
    files = FileMarket(directory)
    return gather(req, files, Live(None, files.label), NOW)


def brute_force_floor(req, snap) -> float | None:
    """The cheapest mean USD per vCPU-hour of 3 types of 3 families within one shape (exhaustive)."""
    cands, _ = candidates(req, snap)
    best = None
    for members in group_shapes(cands).values():
        for trio in itertools.combinations(members, 3):
            if len({c.info.family for c in trio}) == 3:
                price = statistics.fmean(c.price_per_vcpu for c in trio)
                best = price if best is None else min(best, price)
    return best


@pytest.mark.parametrize("source", sorted(SOURCES))
@pytest.mark.parametrize("memory", MEMORY, ids=[f"{a}-{b}GiB" for a, b in MEMORY])
def test_strict_interruption_cap_diversifies_within_1_25x_of_the_cheapest_diversified_set(memory, source):
    req = strict(memory)
    snap = snapshot_for(req, source)
    floor = brute_force_floor(req, snap)
    sel = select(req, snap)
    families = {c.info.family for c in sel.members}
    if floor is None:
        assert "cannot diversify across 3 families" in sel.reason
        return
    assert len(families) >= 3, sel.instance_types
    assert sel.price_per_vcpu_hour <= 1.25 * floor + 1e-12, (sel.instance_types, sel.price_per_vcpu_hour, floor)
    assert "diversified across" in sel.reason and "cheapest 3-family set" in sel.reason


def test_a_single_cheap_type_no_longer_beats_a_diversified_set():
    # 32-64 GiB: one c5a.4xlarge is the cheapest per vCPU, but it is one pool of one family.
    sel = select(strict((32, 64)), snapshot_for(strict((32, 64)), "bundled"))
    assert sel.instance_types != ["c5a.4xlarge"] and len(sel.members) >= 3


def test_when_the_data_has_no_three_families_the_reason_says_so():
    req = strict((32, 64), allowedFamilies=["c5a", "m5"])
    sel = select(req, snapshot_for(req, "bundled"))
    assert len({c.info.family for c in sel.members}) < 3
    assert "cannot diversify across 3 families" in sel.reason
    assert any("cannot diversify" in w for w in sel.warnings)
