"""How many ECS tasks run and where, per environment: the Fargate / Fargate Spot split, autoscaling
bounds and thresholds, the weekday schedule in the stack's time zone, and the cost estimate that
follows from them."""

from __future__ import annotations

import pytest

from offline_preview import Capture
from offline_preview.cost import estimate_cost, split_tasks
from tests.components.ecs_program import (
    ALARM,
    CLUSTER,
    COMPUTE,
    POLICY,
    SCHEDULED,
    SERVICE,
    STACK_FILES,
    STACKS,
    TARGET,
    capture_of,
    load_naming,
    one,
    run_compute,
)
from tests.components.helpers import of_type, ref, refs

# --- capacity -------------------------------------------------------------------------------------


def placement(capture: Capture, tasks: float) -> dict[str, float]:
    strategy = [
        (s["capacityProvider"], s.get("weight", 0), s.get("base", 0))
        for s in one(capture, SERVICE).inputs["capacityProviderStrategies"]
    ]
    return split_tasks(tasks, strategy)


@pytest.mark.parametrize("stack", STACKS)
def test_cluster_and_service_use_the_same_capacity_split(stack):
    capture = capture_of(stack)
    (providers,) = of_type(capture, "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders", COMPUTE)
    assert providers.inputs["capacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
    assert (
        providers.inputs["defaultCapacityProviderStrategies"]
        == one(capture, SERVICE).inputs["capacityProviderStrategies"]
    )
    assert ref(capture, providers, "clusterName").urn == one(capture, CLUSTER).urn


def test_dev_runs_mostly_on_spot():
    capture = capture_of("dev")
    for tasks in (1, 2, 4):
        split = placement(capture, tasks)
        assert split["FARGATE_SPOT"] / tasks >= 0.75, split


@pytest.mark.parametrize("stack", ("staging", "prod"))
def test_staging_and_prod_keep_an_on_demand_base_and_put_the_rest_partly_on_spot(stack):
    capture = capture_of(stack)
    ecs = STACK_FILES[stack]["platform:compute"]["ecs"]
    base = ecs["onDemandBase"]
    assert base >= 1
    assert placement(capture, base) == {"FARGATE": base, "FARGATE_SPOT": 0}
    peak = placement(capture, ecs["maxTasks"])
    assert peak["FARGATE"] >= base and peak["FARGATE_SPOT"] > 0


# --- autoscaling ----------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_scaling_bounds_come_from_config_and_the_schedule_is_not_fought(stack):
    capture = capture_of(stack)
    ecs = STACK_FILES[stack]["platform:compute"]["ecs"]
    target = one(capture, TARGET)
    assert (target.inputs["minCapacity"], target.inputs["maxCapacity"]) == (ecs["minTasks"], ecs["maxTasks"])
    assert target.inputs["scalableDimension"] == "ecs:service:DesiredCount"
    assert {r.type for r in refs(capture, target, "resourceId")} == {CLUSTER, SERVICE}
    assert target.ignore_changes == ["minCapacity"]  # the schedule moves it during the day
    assert one(capture, SERVICE).inputs["desiredCount"] == max(ecs["minTasks"], 1)


@pytest.mark.parametrize("stack", STACKS)
def test_scale_out_tracks_70_cpu_and_80_memory_and_scale_in_waits_for_30_and_40(stack):
    capture = capture_of(stack)
    target = one(capture, TARGET)
    policies = {p.name: p for p in of_type(capture, POLICY, COMPUTE)}
    assert set(policies) == {"scale-out-cpu", "scale-out-memory", "scale-in"}
    for policy in policies.values():
        assert ref(capture, policy, "resourceId").urn == target.urn
    tracked = {
        p.inputs["targetTrackingScalingPolicyConfiguration"]["predefinedMetricSpecification"][
            "predefinedMetricType"
        ]: p.inputs["targetTrackingScalingPolicyConfiguration"]
        for p in policies.values()
        if p.inputs["policyType"] == "TargetTrackingScaling"
    }
    assert tracked["ECSServiceAverageCPUUtilization"]["targetValue"] == 70
    assert tracked["ECSServiceAverageMemoryUtilization"]["targetValue"] == 80
    assert all(t["disableScaleIn"] is True and t["scaleOutCooldown"] == 60 for t in tracked.values())

    step = policies["scale-in"].inputs["stepScalingPolicyConfiguration"]
    assert step["adjustmentType"] == "ChangeInCapacity" and step["cooldown"] == 300
    assert step["stepAdjustments"] == [{"metricIntervalLowerBound": "0", "scalingAdjustment": -1}]
    alarm = one(capture, ALARM)
    assert ref(capture, alarm, "alarmActions").urn == policies["scale-in"].urn
    queries = {q["id"]: q for q in alarm.inputs["metricQueries"]}
    assert queries["idle"]["expression"] == "IF(cpu < 30 AND memory < 40, 1, 0)"
    assert queries["idle"]["returnData"] is True
    naming = load_naming(capture)
    for metric_id, name in (("cpu", "CPUUtilization"), ("memory", "MemoryUtilization")):
        metric = queries[metric_id]["metric"]
        assert (metric["namespace"], metric["metricName"], metric["stat"]) == ("AWS/ECS", name, "Average")
        assert metric["dimensions"] == {"ClusterName": naming.ecs_cluster, "ServiceName": naming.ecs_service}
    assert alarm.inputs["threshold"] == 1 and alarm.inputs["comparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert alarm.inputs["evaluationPeriods"] == alarm.inputs["datapointsToAlarm"] == 15
    assert alarm.inputs["treatMissingData"] == "notBreaching"


@pytest.mark.parametrize("stack", STACKS)
def test_weekday_schedule_in_the_stack_time_zone(stack):
    capture = capture_of(stack)
    ecs = STACK_FILES[stack]["platform:compute"]["ecs"]
    schedule = ecs["schedule"]
    actions = {a.name: a for a in of_type(capture, SCHEDULED, COMPUTE)}
    assert set(actions) == {"business-hours-start", "business-hours-end"}
    up, down = actions["business-hours-start"].inputs, actions["business-hours-end"].inputs
    h, m = (int(x) for x in schedule["weekdayScaleUpAt"].split(":"))
    assert up["schedule"] == f"cron({m} {h} ? * MON-FRI *)"
    h, m = (int(x) for x in schedule["weekdayScaleDownAt"].split(":"))
    assert down["schedule"] == f"cron({m} {h} ? * MON-FRI *)"
    assert up["scalableTargetAction"] == {"minCapacity": schedule["businessHoursMinTasks"]}
    assert down["scalableTargetAction"] == {"minCapacity": ecs["minTasks"]}
    assert up["timezone"] == down["timezone"] == STACK_FILES[stack]["platform:compute"]["timezone"]
    for action in actions.values():
        assert ref(capture, action, "resourceId").urn == one(capture, TARGET).urn


def test_schedule_follows_the_configured_time_zone_and_can_be_switched_off():
    compute = STACK_FILES["prod"]["platform:compute"]
    berlin = run_compute("prod", {"platform:compute": {**compute, "timezone": "Europe/Berlin"}})
    assert {a.inputs["timezone"] for a in of_type(berlin, SCHEDULED, COMPUTE)} == {"Europe/Berlin"}
    off = {**compute, "ecs": {**compute["ecs"], "schedule": {**compute["ecs"]["schedule"], "enabled": False}}}
    quiet = run_compute("prod", {"platform:compute": off})
    assert of_type(quiet, SCHEDULED, COMPUTE) == []
    assert one(quiet, TARGET).ignore_changes == []  # nothing moves minCapacity: config owns it


def test_the_cost_estimate_prices_the_service_with_its_schedule_and_spot_split():
    estimate = estimate_cost(capture_of("prod"))
    assert {t: n for t, n in estimate.not_priced.items() if t.startswith("aws:")} == {}
    (line,) = [line for line in estimate.lines if line.type == SERVICE]
    assert line.monthly_usd > 0 and "FARGATE_SPOT" in line.basis and "scheduled floor 6" in line.basis
