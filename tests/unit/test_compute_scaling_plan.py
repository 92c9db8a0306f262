"""The ECS scaling plan: out at 70 % CPU / 80 % memory, in below 30 % / 40 % without flapping, and a
weekday floor in the stack's time zone that leaves weekends at the minimum."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from secure_platform.compute.ecs.scaling_plan import (
    CPU_SCALE_IN_PERCENT,
    CPU_TARGET_PERCENT,
    MEMORY_SCALE_IN_PERCENT,
    MEMORY_TARGET_PERCENT,
    plan_scaling,
    target_tracking_scale_in_point,
    utilisation_after_scale_in,
)
from secure_platform.config import ConfigError, EcsConfig, parse_config
from secure_platform.config.stack_files import read_project, read_stack_config

REPO = Path(__file__).resolve().parents[2]


def ecs(**overrides) -> EcsConfig:
    raw = {
        "cpu": 1024,
        "memory": 2048,
        "minTasks": 3,
        "maxTasks": 20,
        "spotWeight": 1,
        "onDemandWeight": 1,
        "onDemandBase": 3,
        "schedule": {"weekdayScaleUpAt": "07:30", "weekdayScaleDownAt": "20:00", "businessHoursMinTasks": 6},
    }
    schedule = overrides.pop("schedule", None)
    raw |= overrides
    if schedule is not None:
        raw["schedule"] = {**raw["schedule"], **schedule}
    return EcsConfig.model_validate(raw)


PLAN = plan_scaling(ecs(), "Europe/Berlin", prefix="platform-prod-web")


def test_scale_out_is_target_tracking_at_70_cpu_and_80_memory_and_never_scales_in():
    targets = {t.predefined_metric: t for t in PLAN.target_tracking}
    assert set(targets) == {"ECSServiceAverageCPUUtilization", "ECSServiceAverageMemoryUtilization"}
    assert targets["ECSServiceAverageCPUUtilization"].target_percent == 70
    assert targets["ECSServiceAverageMemoryUtilization"].target_percent == 80
    assert all(t.disable_scale_in for t in targets.values())
    assert all(t.scale_out_cooldown_seconds < PLAN.scale_in.cooldown_seconds for t in targets.values())


def test_scale_in_needs_both_cpu_below_30_and_memory_below_40_for_15_minutes():
    rule = PLAN.scale_in
    assert (rule.cpu_below_percent, rule.memory_below_percent) == (30, 40)
    assert rule.expression() == "IF(cpu < 30 AND memory < 40, 1, 0)"
    assert rule.evaluation_minutes == 15 and rule.step == -1 and rule.cooldown_seconds == 300


@given(
    tasks=st.integers(min_value=2, max_value=500),
    cpu=st.floats(min_value=0, max_value=CPU_SCALE_IN_PERCENT, exclude_max=True),
    memory=st.floats(min_value=0, max_value=MEMORY_SCALE_IN_PERCENT, exclude_max=True),
)
def test_a_scale_in_never_provokes_a_scale_out(tasks, cpu, memory):
    # One task fewer carries the same load: the survivors stay below the scale-out targets.
    assert utilisation_after_scale_in(cpu, tasks) < CPU_TARGET_PERCENT
    assert utilisation_after_scale_in(memory, tasks) < MEMORY_TARGET_PERCENT


@pytest.mark.parametrize("tasks", range(2, 50))
def test_target_tracking_alone_could_not_give_the_seeds_30_percent(tasks):
    # Why scale-in is a separate policy: target tracking removes a task already at 35-70 % CPU.
    assert target_tracking_scale_in_point(CPU_TARGET_PERCENT, tasks) >= 35 > CPU_SCALE_IN_PERCENT


def test_utilisation_after_scale_in_refuses_an_empty_service():
    with pytest.raises(ValueError, match="cannot scale 1"):
        utilisation_after_scale_in(10, 1)


def test_schedule_is_two_weekday_actions_in_the_stack_time_zone():
    assert [(a.cron, a.min_capacity, a.timezone) for a in PLAN.schedule] == [
        ("cron(30 7 ? * MON-FRI *)", 6, "Europe/Berlin"),
        ("cron(0 20 ? * MON-FRI *)", 3, "Europe/Berlin"),
    ]
    assert [a.name for a in PLAN.schedule] == [
        "platform-prod-web-business-hours-start",
        "platform-prod-web-business-hours-end",
    ]


def test_floor_follows_business_hours_and_weekends_stay_at_the_minimum():
    monday = datetime(2026, 3, 2)  # a Monday
    assert monday.weekday() == 0
    for minutes in range(0, 7 * 24 * 60, 15):
        at = monday + timedelta(minutes=minutes)
        business = at.weekday() < 5 and (7, 30) <= (at.hour, at.minute) < (20, 0)
        assert PLAN.floor_at(at) == (6 if business else 3), at


def test_disabled_schedule_has_no_actions_and_a_constant_floor():
    plan = plan_scaling(ecs(schedule={"enabled": False}), "UTC", prefix="p")
    assert plan.schedule == ()
    assert plan.floor_at(datetime(2026, 3, 4, 12, 0)) == 3


def test_initial_desired_count_is_within_bounds_and_never_zero():
    assert PLAN.initial_tasks == 3
    zero = plan_scaling(ecs(minTasks=0, onDemandBase=0, schedule={"businessHoursMinTasks": 0}), "UTC", prefix="p")
    assert zero.initial_tasks == 1


@pytest.mark.parametrize(
    ("overrides", "timezone", "key", "fragment"),
    [
        ({"schedule": {"weekdayScaleDownAt": "07:00"}}, "UTC", "schedule.weekdayScaleDownAt", "later in the day"),
        ({"schedule": {"weekdayScaleDownAt": "07:30"}}, "UTC", "schedule.weekdayScaleDownAt", "weekends"),
        ({"schedule": {"businessHoursMinTasks": 25}}, "UTC", "schedule.businessHoursMinTasks", "between minTasks"),
        ({"minTasks": 30}, "UTC", "minTasks", "<= maxTasks (4)"),
        ({}, "Mars/Olympus", "platform:compute.timezone", "IANA"),
    ],
)
def test_bad_input_is_a_config_error_naming_the_key_and_what_is_allowed(overrides, timezone, key, fragment):
    # The plan trusts validated config: these are config rules, refused before any registration.
    raw = dict(read_stack_config(read_project(REPO), "dev").config)
    compute = json.loads(raw["platform:compute"])
    schedule = overrides.pop("schedule", {})
    compute["ecs"] = {**compute["ecs"], **overrides, "schedule": {**compute["ecs"]["schedule"], **schedule}}
    compute["timezone"] = timezone
    raw["platform:compute"] = json.dumps(compute)
    with pytest.raises(ConfigError) as err:
        parse_config(raw, stack="dev")
    [problem] = [p for p in err.value.problems if p.key.endswith(key)]
    assert fragment in str(problem) and "allowed" in str(problem)
