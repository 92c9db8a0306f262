"""The cluster services on EKS: pinned Helm releases with IRSA roles where they call AWS, alerts
paged through the stack's alarm topics, system and application logs kept apart, and identity
policies that name their actions."""

from __future__ import annotations

from secure_platform.compute.eks import versions as eks_versions
from tests.components.eks_program import (
    ACCOUNT,
    RELEASE,
    TARGET_GROUP,
    TEST_COMPUTE,
    eks_capture,
    eks_cfg,
    irsa_subject,
    one,
)
from tests.components.helpers import ROLE, ROLE_POLICY, as_list, ref, statements

# --- cluster services -----------------------------------------------------------------------------


def test_cluster_services_are_pinned_helm_releases_with_irsa_where_they_call_aws():
    capture = eks_capture("prod")
    releases = {r.name: r for r in capture.of_type(RELEASE)}
    assert set(releases) == {
        "cluster-autoscaler",
        "aws-load-balancer-controller",
        "metrics-server",
        "kube-prometheus-stack",
        "otel-collector",
        "fluent-bit",
    }
    for r in releases.values():
        pin = eks_versions.CHARTS[r.inputs["chart"]]
        assert r.inputs["version"] == pin.version and r.inputs["repositoryOpts"] == {"repo": pin.repository}
        assert r.inputs["atomic"] is True
    subjects = {
        "cluster-autoscaler": ("irsa-cluster-autoscaler", ["rbac", "serviceAccount"], "kube-system"),
        "aws-load-balancer-controller": ("irsa-load-balancer-controller", ["serviceAccount"], "kube-system"),
        "otel-collector": ("irsa-otel-collector", ["serviceAccount"], "monitoring"),
        "fluent-bit": ("irsa-fluent-bit", ["serviceAccount"], "node-agents"),
        "kube-prometheus-stack": ("irsa-alertmanager", ["alertmanager", "serviceAccount"], "monitoring"),
    }
    roles = {r.name: r for r in capture.of_type(ROLE)}
    for release, (role_name, path, ns) in subjects.items():
        values = releases[release].inputs["values"]
        for key in path:
            values = values[key]
        role = roles[role_name]
        assert values["annotations"]["eks.amazonaws.com/role-arn"] == role.outputs["arn"]
        assert releases[release].inputs["namespace"] == ns
        assert irsa_subject(capture, role) == f"system:serviceaccount:{ns}:{values['name']}"
    ca = releases["cluster-autoscaler"].inputs["values"]
    assert ca["image"]["tag"] == eks_versions.cluster_autoscaler_tag(eks_cfg("prod").version)
    fb = releases["fluent-bit"].inputs["values"]["cloudWatchLogs"]
    assert fb["logGroupName"] == "/platform/prod/application" and fb["autoCreateGroup"] is False


def test_cluster_alerts_page_through_the_stacks_alarm_topics_with_a_publish_only_role():
    capture = eks_capture("prod")
    values = one(capture, RELEASE, "kube-prometheus-stack").inputs["values"]["alertmanager"]
    topic = {t: f"arn:aws:sns:us-east-1:{ACCOUNT}:platform-prod-alarms-{t}" for t in ("critical", "warning")}
    receivers = {r["name"]: r.get("sns_configs") for r in values["config"]["receivers"]}
    routes = {tuple(r["matchers"]): r["receiver"] for r in values["config"]["route"]["routes"]}
    assert routes[('severity="critical"',)] == "sns-critical" and routes[('severity="warning"',)] == "sns-warning"
    assert values["config"]["route"]["receiver"] == "null" and receivers["null"] is None
    for tier in ("critical", "warning"):
        (sns,) = receivers[f"sns-{tier}"]
        assert sns["topic_arn"] == topic[tier] and sns["sigv4"] == {"region": "us-east-1"}
    # The role may publish to those two topics (through the logs key they are encrypted with), nothing else.
    role = one(capture, ROLE, "irsa-alertmanager")
    granted = [p for p in capture.of_type(ROLE_POLICY) if ref(capture, p, "role").urn == role.urn]
    actions: dict[str, set[str]] = {}
    for policy in granted:
        for st in statements(policy.inputs["policy"]):
            for action in as_list(st["Action"]):
                actions.setdefault(action, set()).update(as_list(st["Resource"]))
    assert actions["sns:Publish"] == set(topic.values())
    assert set(actions) == {"sns:Publish", "kms:Decrypt", "kms:GenerateDataKey"}


def test_cluster_services_logs_go_to_the_system_group_and_application_logs_stay_apart():
    capture = eks_capture("prod")
    values = one(capture, RELEASE, "fluent-bit").inputs["values"]
    assert values["cloudWatchLogs"]["match"] == values["input"]["tag"] == "kube.*"
    assert values["cloudWatchLogs"]["logGroupName"] == "/platform/prod/application"
    assert values["cloudWatchLogs"]["logGroupTemplate"] == ""  # no per-namespace groups
    inputs, outputs = values["additionalInputs"], values["additionalOutputs"]
    assert "Tag               system.*" in inputs and "/var/log/containers/*_app_" not in inputs
    for ns in ("kube-system", "monitoring", "node-agents", "amazon-cloudwatch"):
        assert f"/var/log/containers/*_{ns}_*.log" in inputs
    assert "Match              system.*" in outputs and "log_group_name     /platform/prod/system" in outputs
    assert "auto_create_group  false" in outputs
    role = one(capture, ROLE, "irsa-fluent-bit")
    writes = {
        r
        for p in capture.of_type(ROLE_POLICY)
        if ref(capture, p, "role").urn == role.urn
        for st in statements(p.inputs["policy"])
        for r in as_list(st["Resource"])
    }
    assert any("/platform/prod/system" in r for r in writes) and any("/platform/prod/application" in r for r in writes)


def test_every_identity_policy_is_scoped_and_the_load_balancer_controller_binds_only_our_target_groups():
    capture = eks_capture("prod")
    compute = one(capture, TEST_COMPUTE)
    for policy in capture.descendants(compute.urn):
        if policy.type != ROLE_POLICY:
            continue
        for stmt in statements(policy.inputs["policy"]):
            assert not [a for a in as_list(stmt["Action"]) if "*" in a], policy.name
    lbc = one(capture, ROLE_POLICY, "irsa-load-balancer-controller")
    bind = next(s for s in statements(lbc.inputs["policy"]) if s["Sid"] == "BindTargets")
    tg_arns = sorted(t.outputs["arn"] for t in capture.of_type(TARGET_GROUP))
    assert sorted(as_list(bind["Resource"])) == tg_arns
