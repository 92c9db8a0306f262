"""Bad selection inputs get a message naming the key, the value and what is allowed."""

from __future__ import annotations

import pytest

from secure_platform.config import SpotNodeGroupConfig
from secure_platform.spot import SpotInstanceSelectionArgs, SpotSelectionInputError
from secure_platform.spot.requirements import RequirementsError, parse_range, parse_requirements

BASE = {"region": "us-east-1", "vcpus": {"min": 2, "max": 4}, "memoryGib": {"min": 4, "max": 16}}


def problems(raw):
    with pytest.raises(RequirementsError) as info:
        parse_requirements(raw)
    return {p.key: p for p in info.value.problems}


def test_min_above_max_names_the_range_and_both_values():
    found = problems({**BASE, "vcpus": {"min": 8, "max": 4}})
    assert "min (8) must be <= max (4)" in found["vcpus"].message


def test_unknown_architecture_lists_the_allowed_ones_and_explains_amd64():
    found = problems({**BASE, "architectures": ["amd64"]})
    message = found["architectures"].message
    assert "amd64" in message and "x86_64, arm64" in message and "Kubernetes" in message


def test_every_problem_is_reported_at_once():
    found = problems({**BASE, "region": "useast1", "capacity": 2.5, "typeCount": 0, "colour": "red"})
    assert set(found) == {"region", "capacity", "typeCount", "colour"}
    assert "whole number" in found["capacity"].message
    assert "must be >= 1" in found["typeCount"].message
    assert "not a known input" in found["colour"].message and "typeCount" in found["colour"].message


def test_zones_must_belong_to_the_region():
    found = problems({**BASE, "allowedAvailabilityZones": ["eu-west-1a"]})
    assert "outside region us-east-1" in found["allowedAvailabilityZones"].message


def test_floats_from_the_engine_become_integers_and_defaults_are_filled():
    req = parse_requirements({**BASE, "capacity": 6.0, "typeCount": 3.0})
    inputs = req.to_inputs()
    assert inputs["capacity"] == 6 and isinstance(inputs["capacity"], int)
    assert inputs["maxInterruptionBucket"] == 2
    assert inputs["architectures"] == ["x86_64"]


def test_parse_range_accepts_a_single_number_and_rejects_junk():
    assert parse_range("2-4") == {"min": 2, "max": 4}
    assert parse_range("8") == {"min": 8, "max": 8}
    with pytest.raises(ValueError, match="not a range"):
        parse_range("two")


def test_args_from_the_stack_config_mirror_the_spot_node_group():
    spot = SpotNodeGroupConfig.model_validate(
        {
            "minSize": 0,
            "maxSize": 20,
            "desiredSize": 3,
            "vcpus": {"min": 2, "max": 4},
            "memoryGib": {"min": 4, "max": 16},
            "architectures": ["arm64"],
            "maxInterruptionBucket": 1,
            "typeCount": 5,
            "excludedFamilies": ["t2"],
            "savingsThresholdPercent": 15,
            "savingsThresholdUsdPerHour": 0.1,
        }
    )
    props = SpotInstanceSelectionArgs.from_config(spot, region="us-east-1").to_props()
    req = parse_requirements({k: v for k, v in props.items() if v is not None})
    assert req.vcpus.min == 2 and req.memory_gib.max == 16
    assert req.architectures == ["arm64"]
    assert (req.max_interruption_bucket, req.type_count, req.capacity) == (1, 5, 3)
    assert req.excluded_families == ["t2"]
    assert (req.savings_threshold_percent, req.savings_threshold_usd_per_hour) == (15, 0.1)


def test_known_bad_args_fail_in_the_program_before_registration():
    with pytest.raises(SpotSelectionInputError, match=r"vcpus: .*min \(8\) must be <= max \(2\)"):
        SpotInstanceSelectionArgs(region="us-east-1", vcpus=(8, 2), memory_gib=(4, 16)).validate_known()
