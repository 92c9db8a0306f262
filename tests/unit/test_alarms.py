"""The alarm table (pure): what is watched for what the stack has, tiers and thresholds, specs
CloudWatch accepts, and a dashboard that draws exactly what the alarms watch."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secure_platform.monitoring import alarms
from secure_platform.monitoring.alarms import (
    AlarmSpec,
    AlarmTableError,
    CacheWatch,
    ContainerWatch,
    DatabaseWatch,
    LoadBalancerWatch,
    Metric,
    StackInventory,
)

LB = LoadBalancerWatch(
    arn_suffix="app/alb-1/0123456789abcdef",
    target_groups=(("backend", "targetgroup/backend-1/aaaa"), ("frontend", "targetgroup/frontend-1/bbbb")),
)
DB = DatabaseWatch(
    identifier="platform-dev-db", engine="postgres", instance_class="db.t3.micro", allocated_storage_gb=20
)
ECS = ContainerWatch(platform="ecs", cluster="platform-dev-cluster", service="platform-dev-web")
EKS = ContainerWatch(platform="eks", cluster="platform-dev-eks", container_insights=True)


def inventory(**overrides) -> StackInventory:
    base = StackInventory(
        load_balancer=LB,
        nat_gateways=("nat-0a", "nat-0b"),
        database=DB,
        cache=CacheWatch(member_clusters=("platform-dev-redis-001", "platform-dev-redis-002")),
        containers=ECS,
        anomaly_detection=True,
    )
    return dataclasses.replace(base, **overrides)


def by_key(specs):
    return {s.key: s for s in specs}


def watched(spec: AlarmSpec) -> set[tuple[str, str, tuple]]:
    return {(m.namespace, m.name, tuple(m.dimensions)) for _, m in spec.metrics}


# --- tiers and thresholds -------------------------------------------------------------------------


def test_service_down_and_5xx_spike_are_critical():
    specs = by_key(alarms.alarm_specs(inventory()))
    rate = specs["alb-5xx-rate"]
    assert rate.tier == "critical" and rate.threshold == 5.0 and rate.comparison == "GreaterThanThreshold"
    assert {m.name for _, m in rate.metrics} == {"HTTPCode_ELB_5XX_Count", "HTTPCode_Target_5XX_Count", "RequestCount"}
    assert rate.expression is not None and "/ requests" in rate.expression
    for name, suffix in LB.target_groups:
        down = specs[f"{name}-no-healthy-targets"]
        assert down.tier == "critical"
        assert down.comparison == "LessThanThreshold" and down.threshold == 1
        ((_, metric),) = down.metrics
        assert metric.name == "HealthyHostCount" and metric.stat == "Minimum"
        assert dict(metric.dimensions) == {"TargetGroup": suffix, "LoadBalancer": LB.arn_suffix}
        # A target group with no registered target reports nothing: that is down, not fine.
        assert down.treat_missing_data == "breaching"


def test_latency_cpu_and_memory_are_warnings_at_the_seed_thresholds():
    specs = by_key(alarms.alarm_specs(inventory()))
    latency = specs["alb-p95-latency"]
    ((_, metric),) = latency.metrics
    assert (latency.tier, metric.name, metric.stat, latency.threshold) == ("warning", "TargetResponseTime", "p95", 0.2)
    assert (specs["compute-cpu-high"].tier, specs["compute-cpu-high"].threshold) == ("warning", 70.0)
    assert (specs["compute-memory-high"].tier, specs["compute-memory-high"].threshold) == ("warning", 80.0)
    for key in ("db-cpu-high", "db-free-storage-low", "db-connections-high", "nat-0-port-allocation-errors"):
        assert specs[key].tier == "warning", key


def test_every_tier_has_at_least_one_alarm_with_anomaly_detection():
    tiers = {s.tier for s in alarms.alarm_specs(inventory())}
    assert tiers == set(alarms.TIERS)


def test_ecs_watches_the_service_and_eks_the_cluster_nodes():
    ecs = by_key(alarms.alarm_specs(inventory(containers=ECS)))["compute-cpu-high"]
    ((_, metric),) = ecs.metrics
    assert (metric.namespace, metric.name) == ("AWS/ECS", "CPUUtilization")
    assert dict(metric.dimensions) == {"ClusterName": "platform-dev-cluster", "ServiceName": "platform-dev-web"}
    eks = by_key(alarms.alarm_specs(inventory(containers=EKS)))["compute-memory-high"]
    ((_, metric),) = eks.metrics
    assert (metric.namespace, metric.name) == ("ContainerInsights", "node_memory_utilization")
    assert dict(metric.dimensions) == {"ClusterName": "platform-dev-eks"}
    without_insights = dataclasses.replace(EKS, container_insights=False)
    assert not [s for s in alarms.alarm_specs(inventory(containers=without_insights)) if s.section == "Containers"]
    with pytest.raises(AlarmTableError, match="service name"):
        alarms.alarm_specs(inventory(containers=ContainerWatch(platform="ecs", cluster="c")))


# --- only what exists ------------------------------------------------------------------------------


def test_nothing_is_watched_that_the_stack_does_not_have():
    bare = alarms.alarm_specs(StackInventory())
    assert bare == []
    no_cache = alarms.alarm_specs(inventory(cache=None, nat_gateways=()))
    namespaces = {m.namespace for s in no_cache for _, m in s.metrics}
    assert "AWS/ElastiCache" not in namespaces and "AWS/NATGateway" not in namespaces


def test_one_nat_alarm_per_gateway_each_on_its_own_id():
    specs = [
        s for s in alarms.alarm_specs(inventory(nat_gateways=("nat-1", "nat-2", "nat-3"))) if s.section == "Network"
    ]
    assert [dict(s.metrics[0][1].dimensions)["NatGatewayId"] for s in specs] == ["nat-1", "nat-2", "nat-3"]


def test_replication_lag_is_watched_only_when_there_are_replicas():
    single = alarms.alarm_specs(inventory(cache=CacheWatch(member_clusters=("g-001",))))
    assert not [s for s in single if "replication-lag" in s.key]
    pair = alarms.alarm_specs(inventory(cache=CacheWatch(member_clusters=("g-001", "g-002"))))
    lag = [s for s in pair if "replication-lag" in s.key]
    assert [dict(s.metrics[0][1].dimensions)["CacheClusterId"] for s in lag] == ["g-001", "g-002"]


def test_anomaly_detection_alarms_follow_the_switch():
    on = [s for s in alarms.alarm_specs(inventory(anomaly_detection=True)) if s.kind == "anomaly"]
    off = [s for s in alarms.alarm_specs(inventory(anomaly_detection=False)) if s.kind == "anomaly"]
    assert off == []
    assert {s.metrics[0][1].name for s in on} == {"RequestCount", "TargetResponseTime"}
    for spec in on:
        args = alarms.metric_alarm_args(spec, "n", "arn:topic")
        assert args["threshold_metric_id"] == "band" and "threshold" not in args
        (band,) = [q for q in args["metric_queries"] if q["id"] == "band"]
        assert band["expression"] == "ANOMALY_DETECTION_BAND(m1, 2)"


# --- database thresholds ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("klass", "gib"),
    [("db.t3.micro", 1), ("db.t4g.medium", 4), ("db.r6g.large", 16), ("db.m5.2xlarge", 32), ("db.m7g.16xlarge", 256)],
)
def test_instance_memory_of_known_classes(klass, gib):
    assert alarms.instance_memory_gib(klass) == gib


def test_unknown_classes_get_no_connection_alarm_instead_of_a_guess():
    assert alarms.instance_memory_gib("db.z9q.mega") is None
    specs = by_key(alarms.alarm_specs(inventory(database=dataclasses.replace(DB, instance_class="db.q1.large"))))
    assert "db-connections-high" not in specs and "db-cpu-high" in specs


def test_connection_threshold_is_80_percent_of_the_engine_default():
    assert alarms.default_max_connections("postgres", 1) == 84  # 0.75 GiB / 9531392
    assert alarms.default_max_connections("mysql", 1) == 64  # 0.75 GiB / 12582880
    assert alarms.default_max_connections("postgres", 1024) == 5000  # capped
    # RDS for MySQL on db.t3.micro defaults to 66: the estimate stays below the real limit, so the
    # alarm fires before clients are refused.
    assert alarms.default_max_connections("mysql", 1) <= 66
    spec = by_key(alarms.alarm_specs(inventory()))["db-connections-high"]
    assert spec.threshold == 67  # floor(84 * 0.8)


def test_free_storage_threshold_is_ten_percent_of_the_allocated_bytes():
    spec = by_key(alarms.alarm_specs(inventory()))["db-free-storage-low"]
    assert spec.threshold == 2 * 2**30  # 10 % of 20 GiB
    assert spec.comparison == "LessThanThreshold"


# --- specs CloudWatch accepts ----------------------------------------------------------------------


def test_each_alarm_is_a_plain_metric_or_queries_never_both():
    for spec in alarms.alarm_specs(inventory()):
        args = alarms.metric_alarm_args(spec, f"platform-dev-{spec.key}", "arn:aws:sns:us-east-1:1:t")
        has_queries = "metric_queries" in args
        plain = {"namespace", "metric_name", "dimensions", "period", "statistic", "extended_statistic"}
        assert has_queries != bool(plain & set(args)), spec.key
        if not has_queries:
            ((_, metric),) = spec.metrics
            stat_key = "extended_statistic" if metric.stat.startswith("p") else "statistic"
            assert args[stat_key] == metric.stat
        else:
            returned = [q for q in args["metric_queries"] if q["return_data"]]
            assert len(returned) == (2 if spec.kind == "anomaly" else 1), spec.key


def test_info_alarms_notify_when_they_fire_others_also_when_they_recover():
    for spec in alarms.alarm_specs(inventory()):
        args = alarms.metric_alarm_args(spec, "n", "arn:topic")
        assert args["alarm_actions"] == ["arn:topic"]
        assert args["ok_actions"] == ([] if spec.tier == "info" else ["arn:topic"])
        assert args["alarm_description"].startswith(f"[{spec.tier}] ")


def test_keys_are_unique_and_name_safe():
    keys = [s.key for s in alarms.alarm_specs(inventory())]
    assert len(keys) == len(set(keys))
    duplicate = alarms.alarm_specs(inventory())[0]
    with pytest.raises(AlarmTableError, match="duplicate"):
        alarms.alarm_specs(inventory(extra=(duplicate,)))


M = Metric("AWS/X", "Y", (("D", "v"),), "Sum")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"threshold": None}, "needs a threshold"),
        ({"comparison": "GreaterThanUpperThreshold"}, "anomaly"),
        ({"anomaly_band": 2.0}, "anomaly"),
        ({"metrics": (("a", M), ("b", M))}, "expression"),
        ({"expression": "a + zz", "metrics": (("a", M),)}, "unknown id"),
        ({"tier": "page"}, "tier"),
        ({"key": "Bad Key"}, "lower-case"),
        ({"datapoints_to_alarm": 5, "evaluation_periods": 3}, "datapoints"),
        ({"metrics": (("m1", Metric("AWS/X", "Y", (), "Median")),)}, "statistic"),
        ({"metrics": (("m1", Metric("AWS/X", "Y", (), "Sum", period=90)),)}, "period"),
    ],
)
def test_specs_cloudwatch_would_reject_are_refused(kwargs, message):
    base = {
        "key": "k",
        "tier": "warning",
        "section": "S",
        "description": "d",
        "comparison": "GreaterThanThreshold",
        "metrics": (("m1", M),),
        "threshold": 1.0,
    }
    with pytest.raises(AlarmTableError, match=message):
        AlarmSpec(**{**base, **kwargs})


# --- the dashboard -----------------------------------------------------------------------------------


def test_dashboard_draws_exactly_the_metrics_the_alarms_watch():
    specs = alarms.alarm_specs(inventory())
    body = alarms.dashboard_body(specs, "us-east-1", title="t", alarm_arns=["arn:a", "arn:b"])
    drawn = {(ns, name, tuple(dims.items())) for ns, name, dims in alarms.dashboard_metrics(body)}
    assert drawn == set().union(*(watched(s) for s in specs))
    (status,) = [w for w in body["widgets"] if w["type"] == "alarm"]
    assert status["properties"]["alarms"] == ["arn:a", "arn:b"]


def test_dashboard_thresholds_are_the_alarm_thresholds():
    specs = [s for s in alarms.alarm_specs(inventory()) if s.kind != "anomaly"]
    for spec in specs:
        w = alarms.widget(spec, "us-east-1")
        assert w["properties"]["annotations"]["horizontal"][0]["value"] == spec.threshold
        if spec.kind == "math":
            assert w["properties"]["metrics"][-1][0]["expression"] == spec.expression


def test_dashboard_widgets_fit_the_grid_without_overlapping():
    body = alarms.dashboard_body(alarms.alarm_specs(inventory()), "us-east-1", title="t", alarm_arns=["a"])
    cells = set()
    for w in body["widgets"]:
        assert w["x"] >= 0 and w["x"] + w["width"] <= 24
        for x in range(w["x"], w["x"] + w["width"]):
            for y in range(w["y"], w["y"] + w["height"]):
                assert (x, y) not in cells
                cells.add((x, y))


@settings(deadline=None)
@given(
    nats=st.integers(0, 6),
    nodes=st.integers(0, 6),
    target_groups=st.integers(0, 4),
    anomaly=st.booleans(),
    platform=st.sampled_from(["ecs", "eks"]),
    database=st.booleans(),
)
def test_for_any_stack_the_dashboard_and_alarms_agree(nats, nodes, target_groups, anomaly, platform, database):
    inv = StackInventory(
        load_balancer=LoadBalancerWatch(
            "app/a/1", tuple((f"tg{i}", f"targetgroup/tg{i}/x") for i in range(target_groups))
        ),
        nat_gateways=tuple(f"nat-{i}" for i in range(nats)),
        database=DB if database else None,
        cache=CacheWatch(tuple(f"g-{i + 1:03d}" for i in range(nodes))) if nodes else None,
        containers=ECS if platform == "ecs" else EKS,
        anomaly_detection=anomaly,
    )
    specs = alarms.alarm_specs(inv)
    body = alarms.dashboard_body(specs, "eu-west-1", title="t")
    drawn = {(ns, name, tuple(dims.items())) for ns, name, dims in alarms.dashboard_metrics(body)}
    assert drawn == set().union(*(watched(s) for s in specs))
    assert sum(1 for s in specs if s.section == "Network") == nats
    for spec in specs:
        alarms.metric_alarm_args(spec, "n", "t")  # every spec turns into alarm arguments


def test_security_events_are_alarmed_only_with_a_namespace_and_each_publishes_its_own_metric():
    assert not [s for s in alarms.alarm_specs(inventory()) if s.section == "Security"]
    specs = [
        s for s in alarms.alarm_specs(inventory(security_namespace="platform/dev/Security")) if s.section == "Security"
    ]
    assert [s.key for s in specs] == [e.key for e in alarms.SECURITY_EVENTS]
    names = [e.metric_name for e in alarms.SECURITY_EVENTS]
    assert len(set(names)) == len(names) and all(n.isalnum() for n in names)
    for spec, event in zip(specs, alarms.SECURITY_EVENTS, strict=True):
        ((_, metric),) = spec.metrics
        assert (metric.namespace, metric.name, metric.stat) == ("platform/dev/Security", event.metric_name, "Sum")
        assert spec.threshold == event.threshold and spec.comparison == "GreaterThanOrEqualToThreshold"
        assert event.pattern.startswith("{") and event.pattern.endswith("}")
        assert event.pattern.count("(") == event.pattern.count(")")
    tiers = {e.key: e.tier for e in alarms.SECURITY_EVENTS}
    assert tiers["root-account-usage"] == "critical" and tiers["iam-policy-changed"] == "info"
