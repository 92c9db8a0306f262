"""`SpotInstanceSelection` under the offline preview engine, and the provider module in a fresh process."""

from __future__ import annotations

import base64
import subprocess
import sys
from pathlib import Path

import dill
import pulumi
import pytest
from pulumi.dynamic.dynamic import serialize_provider

from offline_preview import UserError, run_program
from secure_platform.spot import SpotInstanceSelection, SpotInstanceSelectionArgs, SpotSelectionProvider
from secure_platform.spot.engine import evaluate
from secure_platform.spot.requirements import parse_requirements

REPO = Path(__file__).resolve().parents[2]
TYPE = "pulumi-python:dynamic/spot:SpotInstanceSelection"
ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"]


def program() -> None:
    zones = pulumi.Output.from_input(ZONES)  # as the subnets' AZs would arrive: an Output
    selection = SpotInstanceSelection(
        "spot-nodes",
        SpotInstanceSelectionArgs(
            region="us-east-1",
            vcpus=(2, 4),
            memory_gib=(4, 16),
            capacity=6,
            max_interruption_bucket=1,
            type_count=5,
            allowed_availability_zones=zones,
        ),
    )
    pulumi.export("instanceTypes", selection.instance_types)
    pulumi.export("availabilityZones", selection.availability_zones)
    pulumi.export("expectedHourlyUsd", selection.expected_hourly_usd)
    pulumi.export("reason", selection.reason)


@pytest.fixture(scope="module")
def capture(tmp_path_factory):
    return run_program(tmp_path_factory.mktemp("spot-program"), "test", program=program, mode="up")


def test_the_offline_preview_shows_the_types_the_selection_would_choose(capture):
    [resource] = capture.of_type(TYPE)
    expected = evaluate(
        parse_requirements(
            {
                "region": "us-east-1",
                "vcpus": {"min": 2, "max": 4},
                "memoryGib": {"min": 4, "max": 16},
                "capacity": 6,
                "maxInterruptionBucket": 1,
                "typeCount": 5,
                "allowedAvailabilityZones": ZONES,
            }
        )
    ).outputs
    assert resource.outputs["instanceTypes"] == expected["instanceTypes"]
    assert capture.outputs["instanceTypes"] == expected["instanceTypes"]
    assert set(capture.outputs["availabilityZones"]) <= set(ZONES)
    assert capture.outputs["expectedHourlyUsd"] == expected["expectedHourlyUsd"]
    assert all(d["interruptionBucket"] <= 1 for d in resource.outputs["details"])
    assert resource.outputs["priceBasis"] == "estimate"


def test_inputs_are_camel_case_as_crossguard_sees_them(capture):
    [resource] = capture.of_type(TYPE)
    assert resource.inputs["vcpus"] == {"min": 2, "max": 4}
    assert resource.inputs["maxInterruptionBucket"] == 1
    assert resource.inputs["allowedAvailabilityZones"] == ZONES
    assert "instanceTypes" not in resource.inputs  # outputs are not inputs


def test_bad_known_inputs_fail_the_program_with_a_message_and_register_nothing(tmp_path):
    def bad() -> None:
        SpotInstanceSelection(
            "spot",
            SpotInstanceSelectionArgs(region="us-east-1", vcpus=(4, 2), memory_gib=(4, 16), architectures=["arm"]),
        )

    with pytest.raises(UserError) as info:
        run_program(tmp_path, "test", program=bad)
    message = str(info.value)
    assert "vcpus" in message and "min (4) must be <= max (2)" in message and "'arm'" in message
    assert not info.value.capture.of_type(TYPE)  # type: ignore[attr-defined]


def test_the_provider_pickles_by_reference_and_runs_in_a_fresh_process():
    serialized = serialize_provider(SpotSelectionProvider())
    raw = base64.b64decode(serialized)
    assert b"secure_platform.spot.provider" in raw and len(raw) < 200  # a reference, not the code
    assert isinstance(dill.loads(raw), SpotSelectionProvider)
    script = f"""
import base64, sys, dill
before = set(sys.modules)
provider = dill.loads(base64.b64decode({serialized!r}))
from secure_platform.spot import market
assert market._load_cached.cache_info().currsize == 0, "importing read data files"
assert "boto3" not in sys.modules, "importing pulled in boto3"
out = provider.offline_create({{"region": "us-east-1", "vcpus": {{"min": 2, "max": 4}}, "memoryGib": {{"min": 4, "max": 16}}}})
print(",".join(out["instanceTypes"]))
"""
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.strip().split(",")) == 4
