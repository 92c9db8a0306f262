"""Monitoring under the SDK mocks: alarms route to their tier, watch (and the dashboard draws) only
what exists, CloudTrail, topics, log groups and the budget."""

from __future__ import annotations

import functools
import json

import pytest

from secure_platform.compute.eks.plan import CONTAINER_INSIGHTS_ADDON as CONTAINER_INSIGHTS
from secure_platform.config import parse_config
from secure_platform.core.log_delivery import CLOUDTRAIL_PREFIX
from secure_platform.monitoring import alarms
from secure_platform.monitoring.component import inventory_from_config
from tests.components.helpers import (
    ADDON,
    ALARM,
    BACKEND,
    BUCKET,
    KEY,
    LOG_GROUP,
    MONITORING,
    RDS,
    REPLICATION_GROUP,
    ROLE,
    ROLE_POLICY,
    SECURITY,
    TOPIC,
    as_list,
    of_type,
    ref,
    referencing,
    refs,
    stack_capture,
    stack_file_config,
    statements,
    variant_capture,
)

STACKS = ("dev", "staging", "prod")
ACCOUNT = "123456789012"


@functools.cache
def naming(stack: str):
    return parse_config(stack_file_config(stack), stack=stack).naming


def topics(capture):
    return {t.inputs["name"].rsplit("-", 1)[-1]: t for t in of_type(capture, TOPIC, MONITORING)}


def alarm_dimensions(alarm) -> list[dict[str, str]]:
    if alarm.inputs.get("dimensions"):
        return [alarm.inputs["dimensions"]]
    return [q["metric"]["dimensions"] for q in alarm.inputs.get("metricQueries", []) if q.get("metric")]


def existing_dimension_values(capture, stack: str) -> dict[str, set[str]]:
    """Every value a dimension may take: the names and ids of resources in the capture. An EKS
    cluster (a remote component, one registration offline) counts only where the Container Insights
    agent reports on it: the add-on's cluster."""
    (lb,) = capture.of_type("aws:lb/loadBalancer:LoadBalancer")
    (db,) = capture.of_type(RDS)
    members = {m for g in capture.of_type(REPLICATION_GROUP) for m in g.outputs["memberClusters"]}
    return {
        "LoadBalancer": {lb.outputs["arnSuffix"]},
        "TargetGroup": {tg.outputs["arnSuffix"] for tg in capture.of_type("aws:lb/targetGroup:TargetGroup")},
        "NatGatewayId": {nat.id for nat in capture.of_type("aws:ec2/natGateway:NatGateway")},
        "DBInstanceIdentifier": {db.outputs["identifier"]},
        "CacheClusterId": members,
        "ClusterName": {c.outputs["name"] for c in capture.of_type("aws:ecs/cluster:Cluster")}
        | {a.inputs["clusterName"] for a in capture.of_type(ADDON) if a.inputs["addonName"] == CONTAINER_INSIGHTS},
        "ServiceName": {s.outputs["name"] for s in capture.of_type("aws:ecs/service:Service")},
    }


# --- routing -----------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_every_alarm_routes_to_the_topic_of_its_tier(stack):
    capture = stack_capture(stack)
    by_tier = topics(capture)
    assert set(by_tier) == set(alarms.TIERS)
    found = of_type(capture, ALARM, MONITORING)
    assert len(found) >= 10
    for alarm in found:
        tier = alarm.inputs["alarmDescription"].split("]", 1)[0].strip("[")
        topic = by_tier[tier]
        assert alarm.inputs["alarmActions"] == [topic.outputs["arn"]], alarm.name
        assert alarm.inputs["okActions"] == ([] if tier == "info" else [topic.outputs["arn"]])
        assert {r.urn for r in refs(capture, alarm, "alarmActions")} == {topic.urn}
        assert alarm.inputs["name"] == naming(stack).alarm(alarm.name)


@pytest.mark.parametrize("stack", STACKS)
def test_alarm_topics_are_encrypted_with_the_logs_key_and_admit_only_this_stacks_alarms(stack):
    capture = stack_capture(stack)
    (logs_key,) = [k for k in of_type(capture, KEY, SECURITY) if k.name == "logs"]
    for tier, topic in topics(capture).items():
        assert ref(capture, topic, "kmsMasterKeyId").urn == logs_key.urn
        (policy,) = list(referencing(capture, topic, "aws:sns/topicPolicy:TopicPolicy", "arn"))
        stmts = {s["Sid"]: s for s in statements(policy.inputs["policy"])}
        alarm = stmts["Alarms"]
        assert alarm["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
        assert alarm["Condition"]["ArnLike"]["aws:SourceArn"] == (
            f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:platform-{stack}-*"
        )
        assert stmts["DenyInsecureTransport"]["Effect"] == "Deny"
        allows = [s for s in stmts.values() if s["Effect"] == "Allow"]
        assert all(
            s["Principal"] != "*" and s["Condition"]["StringEquals"]["aws:SourceAccount"] == ACCOUNT for s in allows
        )
        assert ("Budget" in stmts) == (tier in ("info", "warning"))
    (key_policy,) = [statements(logs_key.inputs["policy"])]
    sids = {s["Sid"] for s in key_policy}
    assert {"CloudWatchAlarmsToEncryptedTopics", "BudgetsToEncryptedTopics"} <= sids


def test_email_subscribers_per_tier_come_from_config():
    capture = stack_capture("prod")
    subs = capture.of_type("aws:sns/topicSubscription:TopicSubscription")
    by_tier = topics(capture)
    got = {(ref(capture, s, "topic").urn, s.inputs["endpoint"]) for s in subs}
    assert got == {
        (by_tier["critical"].urn, "oncall@acme-platform.net"),
        (by_tier["warning"].urn, "platform-team@acme-platform.net"),
    }
    assert {s.inputs["protocol"] for s in subs} == {"email"}


# --- only what exists -----------------------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_alarms_watch_only_resources_that_exist(stack):
    capture = stack_capture(stack)
    allowed = existing_dimension_values(capture, stack)
    seen: set[str] = set()
    for alarm in of_type(capture, ALARM, MONITORING):
        for dims in alarm_dimensions(alarm):
            for key, value in dims.items():
                assert value in allowed[key], (alarm.name, key, value)
                seen.add(key)
    # Compute is watched on both platforms (ECS services; EKS nodes through Container Insights).
    assert {
        "LoadBalancer",
        "TargetGroup",
        "NatGatewayId",
        "DBInstanceIdentifier",
        "CacheClusterId",
        "ClusterName",
    } <= seen


@pytest.mark.parametrize("stack", STACKS)
def test_dashboard_refers_only_to_metrics_of_resources_that_exist(stack):
    capture = stack_capture(stack)
    (dashboard,) = of_type(capture, "aws:cloudwatch/dashboard:Dashboard", MONITORING)
    body = json.loads(dashboard.inputs["dashboardBody"])
    allowed = existing_dimension_values(capture, stack)
    drawn = alarms.dashboard_metrics(body)
    assert drawn
    for namespace, metric, dims in drawn:
        for key, value in dims.items():
            assert value in allowed[key], (namespace, metric, key, value)
    # The same series the alarms watch, nothing more, nothing less.
    watched = {
        (m["namespace"], m["metricName"], tuple(sorted(m["dimensions"].items())))
        for a in of_type(capture, ALARM, MONITORING)
        for m in (
            [
                {
                    "namespace": a.inputs["namespace"],
                    "metricName": a.inputs["metricName"],
                    "dimensions": a.inputs["dimensions"],
                }
            ]
            if a.inputs.get("metricName")
            else [q["metric"] for q in a.inputs["metricQueries"] if q.get("metric")]
        )
    }
    assert {(ns, name, tuple(sorted(d.items()))) for ns, name, d in drawn} == watched
    (status,) = [w for w in body["widgets"] if w["type"] == "alarm"]
    assert sorted(status["properties"]["alarms"]) == sorted(
        a.outputs["arn"] for a in of_type(capture, ALARM, MONITORING)
    )
    assert capture.outputs["dashboardUrl"].endswith(f"#dashboards/dashboard/platform-{stack}")


@pytest.mark.parametrize("stack", STACKS)
def test_security_alarms_watch_metrics_filtered_from_the_trails_log_group(stack):
    capture = stack_capture(stack)
    filters = capture.of_type("aws:cloudwatch/logMetricFilter:LogMetricFilter")
    published = {
        (f.inputs["metricTransformation"]["namespace"], f.inputs["metricTransformation"]["name"]) for f in filters
    }
    (trail,) = capture.of_type("aws:cloudtrail/trail:Trail")
    trail_group = ref(capture, trail, "cloudWatchLogsGroupArn")
    for f in filters:
        assert ref(capture, f, "logGroupName").urn == trail_group.urn
    security = [a for a in of_type(capture, ALARM, MONITORING) if a.inputs.get("namespace", "").endswith("/Security")]
    assert {(a.inputs["namespace"], a.inputs["metricName"]) for a in security} == published
    assert len(security) == len(alarms.SECURITY_EVENTS)
    (dashboard,) = of_type(capture, "aws:cloudwatch/dashboard:Dashboard", MONITORING)
    custom = {
        (ns, name)
        for ns, name, _ in alarms.dashboard_metrics(json.loads(dashboard.inputs["dashboardBody"]))
        if not ns.startswith(("AWS/", "ContainerInsights"))
    }
    assert custom == published  # custom metrics drawn exist because their filters do


def test_cache_replication_lag_is_watched_on_every_node_only_with_replicas():
    dev, prod = stack_capture("dev"), stack_capture("prod")
    assert not [a for a in of_type(dev, ALARM, MONITORING) if "replication-lag" in a.name]
    lag = [a for a in of_type(prod, ALARM, MONITORING) if "replication-lag" in a.name]
    (group,) = prod.of_type(REPLICATION_GROUP)
    assert sorted(a.inputs["dimensions"]["CacheClusterId"] for a in lag) == sorted(group.outputs["memberClusters"])


def test_no_cache_alarms_without_elasticache():
    capture = variant_capture("dev", "cache", provider="none")
    assert capture.of_type(REPLICATION_GROUP) == []
    assert not [a for a in of_type(capture, ALARM, MONITORING) if a.name.startswith("cache-")]


def test_anomaly_detection_alarms_only_when_configured():
    def anomaly(capture):
        return [a for a in of_type(capture, ALARM, MONITORING) if a.inputs.get("thresholdMetricId")]

    assert anomaly(stack_capture("dev")) == []  # monitoring.anomalyDetection: false
    found = anomaly(stack_capture("staging"))
    assert {a.name for a in found} == {"alb-requests-anomaly", "alb-latency-anomaly"}
    for alarm in found:
        band = [q for q in alarm.inputs["metricQueries"] if q["id"] == alarm.inputs["thresholdMetricId"]]
        assert band and band[0]["expression"].startswith("ANOMALY_DETECTION_BAND(")


def test_eks_nodes_are_alarmed_through_the_container_insights_the_cluster_runs():
    # The EKS stacks run the CloudWatch Observability add-on, so node CPU and memory are watched in
    # the `ContainerInsights` namespace, on the cluster the agent reports for.
    for stack in ("staging", "prod"):
        capture = stack_capture(stack)
        (addon,) = [a for a in capture.of_type(ADDON) if a.inputs["addonName"] == CONTAINER_INSIGHTS]
        watched = {
            a.name: a
            for a in of_type(capture, ALARM, MONITORING)
            if a.name in ("compute-cpu-high", "compute-memory-high")
        }
        assert set(watched) == {"compute-cpu-high", "compute-memory-high"}, stack
        for alarm in watched.values():
            assert alarm.inputs["namespace"] == "ContainerInsights"
            assert alarm.inputs["dimensions"] == {"ClusterName": addon.inputs["clusterName"]}
    # Without the agent no CloudWatch alarm would ever see data, so the table has none.
    inv = inventory_from_config(
        parse_config(
            {
                **stack_file_config("dev"),
                "platform:compute": {**stack_file_config("dev")["platform:compute"], "platform": "eks"},
            }
        ),
        load_balancer=None,
        nat_gateways=(),
        eks_container_insights=False,
    )
    assert not [s for s in alarms.alarm_specs(inv) if s.key.startswith("compute-")]


# --- log groups --------------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_log_groups_exist_encrypted_with_retention_before_anything_writes(stack):
    capture = stack_capture(stack)
    n = naming(stack)
    groups = {g.inputs["name"]: g for g in of_type(capture, LOG_GROUP, MONITORING)}
    # AWS-named groups of the cluster (Container Insights) belong to Compute, which owns the cluster.
    assert set(groups) == {n.log_group(p) for p in ("application", "system", "security")}
    (logs_key,) = [k for k in of_type(capture, KEY, SECURITY) if k.name == "logs"]
    for group in groups.values():
        assert ref(capture, group, "kmsKeyId").urn == logs_key.urn
        assert group.inputs["retentionInDays"] == {"dev": 30, "staging": 90, "prod": 365}[stack]
        assert group.inputs["deletionProtectionEnabled"] is (stack != "dev")


# --- CloudTrail -------------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_trail_is_multi_region_validated_encrypted_and_delivered_to_archive_and_security_group(stack):
    capture = stack_capture(stack)
    (trail,) = capture.of_type("aws:cloudtrail/trail:Trail")
    inputs = trail.inputs
    assert inputs["name"] == naming(stack).trail
    assert inputs["isMultiRegionTrail"] and inputs["includeGlobalServiceEvents"] and inputs["enableLogFileValidation"]
    assert inputs["enableLogging"] is True
    assert inputs["s3KeyPrefix"] == CLOUDTRAIL_PREFIX
    (archive,) = [b for b in of_type(capture, BUCKET, BACKEND) if b.name == "log-archive"]
    assert archive.urn in {r.urn for r in refs(capture, trail, "s3BucketName")}
    (logs_key,) = [k for k in of_type(capture, KEY, SECURITY) if k.name == "logs"]
    assert ref(capture, trail, "kmsKeyId").urn == logs_key.urn
    security_group = next(g for g in of_type(capture, LOG_GROUP, MONITORING) if g.name == "security")
    assert ref(capture, trail, "cloudWatchLogsGroupArn").urn == security_group.urn
    assert inputs["cloudWatchLogsGroupArn"] == f"{security_group.outputs['arn']}:*"
    # Trail ARN = what the log archive's bucket policy and the logs key policy admit.
    assert trail.outputs["arn"] == naming(stack).trail_arn(ACCOUNT)


def test_trail_records_management_events_and_state_bucket_object_access():
    capture = stack_capture("dev")
    (trail,) = capture.of_type("aws:cloudtrail/trail:Trail")
    management, data = trail.inputs["advancedEventSelectors"]
    assert management["fieldSelectors"] == [{"field": "eventCategory", "equals": ["Management"]}]
    fields = {f["field"]: f for f in data["fieldSelectors"]}
    assert fields["eventCategory"]["equals"] == ["Data"]
    assert fields["resources.type"]["equals"] == ["AWS::S3::Object"]
    (state,) = [b for b in of_type(capture, BUCKET, BACKEND) if b.name == "state"]
    assert fields["resources.ARN"]["startsWiths"] == [f"{state.outputs['arn']}/"]
    assert state.urn in {r.urn for r in refs(capture, trail, "advancedEventSelectors")}


def test_cloudtrail_role_is_assumable_only_by_our_trail_and_writes_only_its_streams():
    capture = stack_capture("prod")
    (role,) = [r for r in of_type(capture, ROLE, MONITORING) if r.name == "cloudtrail-to-logs"]
    (trust,) = statements(role.inputs["assumeRolePolicy"])
    assert trust["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
    assert trust["Condition"]["ArnLike"]["aws:SourceArn"] == naming("prod").trail_arn(ACCOUNT)
    assert trust["Condition"]["StringEquals"]["aws:SourceAccount"] == ACCOUNT
    (policy,) = list(referencing(capture, role, ROLE_POLICY, "role"))
    (stmt,) = statements(policy.inputs["policy"])
    group = next(g for g in of_type(capture, LOG_GROUP, MONITORING) if g.name == "security")
    assert stmt["Resource"] == f"{group.outputs['arn']}:log-stream:{ACCOUNT}_CloudTrail_*"
    assert sorted(as_list(stmt["Action"])) == ["logs:CreateLogStream", "logs:PutLogEvents"]
    (trail,) = capture.of_type("aws:cloudtrail/trail:Trail")
    assert policy.urn in trail.dependencies  # CloudTrail checks the role when the trail is created


def test_the_log_archive_replication_role_may_decrypt_the_trails_files_before_the_trail_exists():
    """Only prod replicates the archive; there the trail's SSE-KMS files replicate only if the
    replication role may decrypt them with the logs key, through S3 and for the archive only."""
    for stack in ("dev", "staging"):
        names = {p.name for p in of_type(stack_capture(stack), ROLE_POLICY, MONITORING)}
        assert "log-archive-replication-logs-key" not in names, stack
    capture = stack_capture("prod")
    (grant,) = [p for p in of_type(capture, ROLE_POLICY, MONITORING) if p.name == "log-archive-replication-logs-key"]
    (role,) = [r for r in of_type(capture, ROLE, BACKEND) if r.name == "log-archive-replication"]
    assert ref(capture, grant, "role").urn == role.urn
    (stmt,) = statements(grant.inputs["policy"])
    (logs_key,) = [k for k in of_type(capture, KEY, SECURITY) if k.name == "logs"]
    (archive,) = [b for b in of_type(capture, BUCKET, BACKEND) if b.name == "log-archive"]
    arn = archive.outputs["arn"]
    assert stmt["Action"] == "kms:Decrypt" and stmt["Resource"] == logs_key.outputs["arn"]
    assert stmt["Condition"] == {
        "StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"},
        "StringLike": {"kms:EncryptionContext:aws:s3:arn": [arn, f"{arn}/*"]},
    }
    (trail,) = capture.of_type("aws:cloudtrail/trail:Trail")
    assert grant.urn in trail.dependencies


# --- budget -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("stack", "amount"), [("dev", "400.00"), ("prod", "5000.00")])
def test_budget_forecast_alerts_at_80_and_100_percent_of_the_configured_amount(stack, amount):
    capture = stack_capture(stack)
    (budget,) = capture.of_type("aws:budgets/budget:Budget")
    assert budget.inputs["limitAmount"] == amount and budget.inputs["timeUnit"] == "MONTHLY"
    by_tier = topics(capture)
    alerts = {
        n["threshold"]: n["subscriberSnsTopicArns"]
        for n in budget.inputs["notifications"]
        if n["notificationType"] == "FORECASTED"
    }
    assert alerts == {80.0: [by_tier["info"].outputs["arn"]], 100.0: [by_tier["warning"].outputs["arn"]]}
    tags = {and_["tags"]["key"]: and_["tags"]["values"] for and_ in budget.inputs["filterExpression"]["ands"]}
    assert tags == {"Project": ["platform"], "Environment": [stack]}
    assert budget.outputs["arn"] == naming(stack).budget_arn(ACCOUNT)
