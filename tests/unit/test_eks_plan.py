"""The EKS platform's plans (pure): pinned versions, node groups and launch templates,
workloads and their manifests, Helm values, IAM statements."""

from __future__ import annotations

import fnmatch
import re

import pytest

from platform_policies import iam_documents
from platform_policies.tagging_cost import DEFAULT_INSTANCE_TYPES
from secure_platform.compute.eks import iam as eks_iam
from secure_platform.compute.eks import plan as eks_plan
from secure_platform.compute.eks import versions as eks_versions
from secure_platform.compute.eks.k8s import charts, workloads
from secure_platform.config import EKS_VERSIONS, NodeGroupConfig, SpotNodeGroupConfig
from secure_platform.core import iam
from secure_platform.core.naming import Naming
from secure_platform.networking import alb_plan

NAMING = Naming("platform", "prod", "us-east-1")
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
TG_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/frontend/0123456789abcdef"


def system_cfg(**kw):
    base = {"instanceTypes": ["t3.medium", "t3.large"], "minSize": 1, "maxSize": 20, "desiredSize": 3}
    return NodeGroupConfig.model_validate({**base, **kw})


def spot_cfg(**kw):
    base = {
        "minSize": 0,
        "maxSize": 20,
        "desiredSize": 3,
        "vcpus": {"min": 2, "max": 4},
        "memoryGib": {"min": 4, "max": 16},
    }
    return SpotNodeGroupConfig.model_validate({**base, **kw})


# --- versions ------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", EKS_VERSIONS)
def test_every_supported_kubernetes_version_has_pinned_addons_and_autoscaler(version):
    addons = eks_versions.addon_versions(version)
    assert set(addons) == set(eks_versions.ADDONS)
    for name, pinned in addons.items():
        assert re.fullmatch(r"v\d+\.\d+\.\d+-eksbuild\.\d+", pinned), (name, pinned)
    # kube-proxy and the cluster autoscaler must match the cluster's minor version
    assert addons["kube-proxy"].startswith(f"v{version}.")
    assert eks_versions.cluster_autoscaler_tag(version).startswith(f"v{version}.")


def test_unknown_kubernetes_version_names_the_key_and_the_pinned_versions():
    with pytest.raises(eks_versions.VersionError, match=r"platform:compute\.eks\.version '1\.20'.*pinned: 1\.32"):
        eks_versions.addon_versions("1.20")


def test_charts_and_images_are_pinned_to_exact_versions():
    for key, pin in eks_versions.CHARTS.items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", pin.version), key
        assert pin.repository.startswith("https://"), key
    assert "@sha256:" in eks_versions.REDIS_IMAGE
    assert re.fullmatch(r"\d+\.\d+\.\d+", eks_versions.OTEL_COLLECTOR_IMAGE[1])


# --- nodes ---------------------------------------------------------------------------------------


def test_system_group_is_on_demand_untainted_and_spot_group_tainted_for_non_critical_work():
    system = eks_plan.system_node_group(system_cfg())
    spot = eks_plan.spot_node_group(spot_cfg())
    assert (system.capacity_type, system.instance_types, system.taints) == ("ON_DEMAND", ("t3.medium", "t3.large"), ())
    assert (system.min_size, system.max_size, system.desired_size) == (1, 20, 3)
    assert spot.capacity_type == "SPOT" and spot.instance_types == ()
    assert spot.labels == {eks_plan.WORKLOAD_CLASS_LABEL: eks_plan.NON_CRITICAL_CLASS}
    assert spot.taints == (eks_plan.SPOT_TAINT,) and eks_plan.SPOT_TAINT.eks_effect == "NO_SCHEDULE"
    assert system.ami_type == spot.ami_type == "AL2023_x86_64_STANDARD"
    assert spot.name_prefix(NAMING) == "platform-prod-spot-"


def test_node_groups_carry_autoscaler_discovery_and_scale_from_zero_tags():
    tags = eks_plan.spot_node_group(spot_cfg()).tags("platform-prod-eks")
    assert tags["k8s.io/cluster-autoscaler/enabled"] == "true"
    assert tags["k8s.io/cluster-autoscaler/platform-prod-eks"] == "owned"
    template = "k8s.io/cluster-autoscaler/node-template"
    assert tags[f"{template}/taint/{eks_plan.WORKLOAD_CLASS_LABEL}"] == "non-critical:NoSchedule"
    assert tags[f"{template}/label/{eks_plan.CAPACITY_TYPE_LABEL}"] == "SPOT"


def test_a_node_group_refuses_two_architectures_naming_the_key():
    with pytest.raises(eks_plan.NodePlanError, match=r"spotNodes\.architectures \['arm64', 'x86_64'\]"):
        eks_plan.spot_node_group(spot_cfg(architectures=["x86_64", "arm64"]))
    with pytest.raises(eks_plan.NodePlanError, match=r"systemNodes\.instanceTypes"):
        eks_plan.system_node_group(system_cfg(instanceTypes=["t3.medium", "t4g.medium"]))
    assert eks_plan.spot_node_group(spot_cfg(architectures=["arm64"])).ami_type == "AL2023_ARM_64_STANDARD"


@pytest.mark.parametrize(
    ("instance_type", "arch"),
    [("t4g.medium", "arm64"), ("m7gd.large", "arm64"), ("c6gn.xlarge", "arm64"), ("m5.large", "x86_64"),
     ("m5a.large", "x86_64"), ("g5.xlarge", "x86_64"), ("c7i-flex.large", "x86_64")],
)  # fmt: skip
def test_graviton_families_are_recognised(instance_type, arch):
    assert eks_plan.architecture_of(instance_type) == arch


def test_launch_template_requires_imdsv2_without_pod_access_and_encrypts_gp3_root_volumes():
    plan = eks_plan.system_node_group(system_cfg(diskSizeGb=80))
    lt = eks_plan.launch_template_args(
        plan,
        naming=NAMING,
        cluster_name="platform-prod-eks",
        kms_key_arn=KEY_ARN,
        security_group_ids=["sg-cluster", "sg-app"],
        tags={"Owner": "team"},
    )
    assert lt["metadata_options"]["http_tokens"] == "required"
    assert lt["metadata_options"]["http_put_response_hop_limit"] == 1
    (root,) = lt["block_device_mappings"]
    assert root["device_name"] == "/dev/xvda"
    assert root["ebs"] == {
        "volume_size": 80,
        "volume_type": "gp3",
        "encrypted": "true",
        "kms_key_id": KEY_ARN,
        "delete_on_termination": "true",
    }
    assert "key_name" not in lt and "user_data" not in lt and "image_id" not in lt
    assert lt["monitoring"] == {"enabled": True}
    assert lt["vpc_security_group_ids"] == ["sg-cluster", "sg-app"]
    for spec in lt["tag_specifications"]:
        assert spec["tags"]["Owner"] == "team"
        assert spec["tags"]["kubernetes.io/cluster/platform-prod-eks"] == "owned"


def test_spot_families_stay_within_the_policy_packs_default_allow_list():
    for family in eks_plan.SPOT_INSTANCE_FAMILIES:
        for size in ("large", "xlarge"):
            assert any(fnmatch.fnmatchcase(f"{family}.{size}", p) for p in DEFAULT_INSTANCE_TYPES), family
        assert not re.search(r"\d[a-z]*d$|n$|flex", family), family


# --- workloads -----------------------------------------------------------------------------------


def test_workloads_have_the_seed_bounds_and_requests():
    specs = {s.name: s for s in eks_plan.workload_specs()}
    assert {n: (s.min_replicas, s.max_replicas, s.cpu_request_m, s.memory_request_mi) for n, s in specs.items()} == {
        "frontend": (3, 10, 100, 128),
        "api-gateway": (2, 15, 250, 256),
        "backend": (3, 20, 250, 256),
    }
    targets = {t.name: t for t in alb_plan.TARGETS}
    for tg, service in eks_plan.TARGET_SERVICES.items():
        assert specs[service].port == targets[tg].port and specs[service].health_path == targets[tg].health_path
        assert specs[service].target_group == tg
    assert not specs["backend"].spot and specs["backend"].target_group is None


@pytest.mark.parametrize("spec", eks_plan.workload_specs(), ids=lambda s: s.name)
def test_deployments_are_restricted_probed_limited_and_spread(spec):
    dep = workloads.deployment(
        spec, ns="app", project="platform", image="repo:1.0.0", env=[], service_account_name=spec.name
    )
    pod = dep["spec"]["template"]["spec"]
    assert dep["spec"]["replicas"] == spec.min_replicas
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] != 0
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert pod["automountServiceAccountToken"] is False
    (c,) = pod["containers"]
    ctx = c["securityContext"]
    assert ctx["allowPrivilegeEscalation"] is False and ctx["readOnlyRootFilesystem"] is True
    assert ctx["capabilities"] == {"drop": ["ALL"]} and not ctx["privileged"]
    assert set(c["resources"]["requests"]) == set(c["resources"]["limits"]) == {"cpu", "memory"}
    assert c["resources"]["requests"]["memory"] == f"{spec.memory_request_mi}Mi"
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert c[probe]["httpGet"]["path"] == spec.health_path
    mounted = {m["mountPath"] for m in c["volumeMounts"]}
    assert mounted == set(spec.writable_paths)
    zones = [t for t in pod["topologySpreadConstraints"] if t["topologyKey"] == "topology.kubernetes.io/zone"]
    assert zones and zones[0]["whenUnsatisfiable"] == "DoNotSchedule"
    tolerates_spot = eks_plan.SPOT_TAINT.toleration() in pod.get("tolerations", [])
    assert tolerates_spot == spec.spot
    low_port = any(s["name"] == workloads.UNPRIVILEGED_PORT_SYSCTL for s in pod["securityContext"].get("sysctls", []))
    assert low_port == (spec.port < 1024)


def test_hpa_scales_on_cpu_70_and_memory_80_between_the_seed_bounds():
    spec = eks_plan.workload_specs()[0]
    hpa = workloads.horizontal_pod_autoscaler(spec, ns="app", project="platform")["spec"]
    assert hpa["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": spec.name}
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (3, 10)
    targets = {m["resource"]["name"]: m["resource"]["target"]["averageUtilization"] for m in hpa["metrics"]}
    assert targets == {"cpu": 70, "memory": 80}


def test_namespaces_enforce_restricted_except_the_node_agents_and_always_warn():
    by_name = {ns.name: ns for ns in eks_plan.NAMESPACES}
    assert by_name["app"].labels()["pod-security.kubernetes.io/enforce"] == "restricted"
    assert by_name["monitoring"].labels()["pod-security.kubernetes.io/enforce"] == "restricted"
    assert by_name["node-agents"].labels()["pod-security.kubernetes.io/enforce"] == "privileged"
    for ns in eks_plan.NAMESPACES:
        assert ns.labels()["pod-security.kubernetes.io/warn"] == "restricted"


def test_redis_authenticates_persists_and_fits_its_seed_memory():
    conf = workloads.redis_config(eks_plan.REDIS, "s3cret")
    assert "requirepass s3cret" in conf and "appendonly yes" in conf
    assert eks_plan.REDIS.maxmemory_mb * 2**20 < eks_plan.REDIS.memory_limit_mi * 2**20
    sts = workloads.redis_statefulset(
        eks_plan.REDIS,
        ns="app",
        project="platform",
        image="redis@sha256:x",
        uid=999,
        secret_name="redis",
        storage_class="gp3-encrypted",
        service_account_name="redis",
    )["spec"]
    (c,) = sts["template"]["spec"]["containers"]
    assert c["resources"]["requests"]["memory"] == "256Mi" and c["resources"]["limits"]["memory"] == "512Mi"
    assert "s3cret" not in str(c)  # the password only in the Secret
    (claim,) = sts["volumeClaimTemplates"]
    assert claim["spec"]["storageClassName"] == "gp3-encrypted"
    assert "tolerations" not in sts["template"]["spec"]  # never on spot


def test_storage_class_is_encrypted_gp3_with_our_key():
    sc = workloads.encrypted_storage_class("gp3-encrypted", kms_key_arn=KEY_ARN, retain=True)
    assert sc["provisioner"] == "ebs.csi.aws.com"
    assert sc["parameters"]["encrypted"] == "true" and sc["parameters"]["kmsKeyId"] == KEY_ARN
    assert sc["reclaimPolicy"] == "Retain" and sc["volumeBindingMode"] == "WaitForFirstConsumer"


# --- Helm values ---------------------------------------------------------------------------------


def test_cluster_autoscaler_prefers_spot_and_runs_the_clusters_minor_version():
    values = charts.cluster_autoscaler(
        cluster_name="c",
        region="us-east-1",
        role_arn="arn:role",
        image_tag="v1.34.0",
        spot_group_prefix="p-spot-",
        system_group_prefix="p-system-",
    )
    assert values["extraArgs"]["expander"] == "priority"
    assert values["expanderPriorities"] == "50:\n  - .*p-spot-.*\n10:\n  - .*p-system-.*\n"
    assert values["rbac"]["serviceAccount"]["annotations"] == {"eks.amazonaws.com/role-arn": "arn:role"}
    assert values["autoDiscovery"]["clusterName"] == "c"


def test_load_balancer_controller_only_binds_target_groups():
    values = charts.load_balancer_controller(cluster_name="c", region="us-east-1", vpc_id="vpc-1", role_arn="r")
    assert values["createIngressClassResource"] is False and values["enableServiceMutatorWebhook"] is False
    assert not (values["enableWaf"] or values["enableWafv2"] or values["enableShield"])
    assert values["region"] == "us-east-1" and values["vpcId"] == "vpc-1"  # no IMDS for pods


def test_fluent_bit_ships_only_the_application_namespace_to_the_existing_group():
    values = charts.fluent_bit(
        region="us-east-1", log_group_name="/platform/prod/application", role_arn="r", app_namespace="app"
    )
    assert values["input"]["path"] == "/var/log/containers/*_app_*.log"
    assert values["cloudWatchLogs"]["autoCreateGroup"] is False
    assert values["cloudWatchLogs"]["logGroupName"] == "/platform/prod/application"
    assert not any(values[k]["enabled"] for k in ("firehose", "kinesis", "elasticsearch", "s3", "opensearch"))


def test_system_logs_sections_tail_only_the_given_namespaces_into_the_existing_group():
    inputs, outputs = charts.system_logs_config(
        region="us-east-1", log_group_name="/platform/prod/system", namespaces=("kube-system", "monitoring")
    )
    assert "Path              /var/log/containers/*_kube-system_*.log,/var/log/containers/*_monitoring_*.log" in inputs
    assert "Tag               system.*" in inputs and "Match              system.*" in outputs
    assert "log_group_name     /platform/prod/system" in outputs and "auto_create_group  false" in outputs
    with pytest.raises(ValueError):
        charts.system_logs_config(region="us-east-1", log_group_name="g", namespaces=())


def test_alertmanager_forwards_critical_and_warning_and_drops_heartbeats():
    config = charts.alertmanager_config(region="eu-west-1", topic_arns={"critical": "arn:c", "warning": "arn:w"})
    routes = config["route"]["routes"]
    assert routes[0] == {"receiver": "null", "matchers": ['alertname=~"Watchdog|InfoInhibitor"']}
    assert {r["matchers"][0]: r["receiver"] for r in routes[1:]} == {
        'severity="critical"': "sns-critical",
        'severity="warning"': "sns-warning",
    }
    sns = {r["name"]: r["sns_configs"][0] for r in config["receivers"] if "sns_configs" in r}
    assert sns["sns-critical"]["topic_arn"] == "arn:c" and sns["sns-warning"]["sigv4"] == {"region": "eu-west-1"}
    with pytest.raises(ValueError, match="critical"):
        charts.alertmanager_config(region="eu-west-1", topic_arns={"warning": "arn:w"})


def test_otel_collector_exports_traces_to_xray_only():
    values = charts.otel_collector(region="us-east-1", role_arn="r")
    pipelines = values["alternateConfig"]["service"]["pipelines"]
    assert pipelines == {
        "traces": {"receivers": ["otlp"], "processors": ["memory_limiter", "batch"], "exporters": ["awsxray"]}
    }
    assert values["image"]["repository"].endswith("opentelemetry-collector-contrib")


def test_kube_prometheus_stack_keeps_data_on_encrypted_volumes_and_node_exporter_apart():
    values = charts.kube_prometheus_stack(
        storage_class="gp3-encrypted", retention_days=15, prometheus_storage_gi=50, node_agents_namespace="node-agents"
    )
    spec = values["prometheus"]["prometheusSpec"]
    assert spec["storageSpec"]["volumeClaimTemplate"]["spec"]["storageClassName"] == "gp3-encrypted"
    assert spec["retention"] == "15d"
    assert values["prometheus-node-exporter"]["namespaceOverride"] == "node-agents"
    assert values["grafana"]["ingress"]["enabled"] is False


# --- IAM -----------------------------------------------------------------------------------------


def _all_statements():
    return {
        "cluster-autoscaler": eks_iam.cluster_autoscaler(
            "platform-prod-eks", region="us-east-1", account_id="123456789012", partition="aws"
        ),
        "load-balancer-controller": eks_iam.load_balancer_controller([TG_ARN]),
        "otel": eks_iam.xray_writer(),
        "ebs-csi": eks_iam.ebs_csi_key(KEY_ARN, "us-east-1"),
    }


@pytest.mark.parametrize("role", ["cluster-autoscaler", "load-balancer-controller", "otel", "ebs-csi"])
def test_service_role_statements_use_star_only_for_actions_aws_cannot_scope(role):
    for stmt in _all_statements()[role]:
        iam.check_identity_statement(stmt)
        actions = stmt["Action"] if isinstance(stmt["Action"], list) else [stmt["Action"]]
        for action in actions:
            (fact,) = iam_documents.expand(action)  # exists in AWS's reference
            if stmt["Resource"] == "*":
                assert not fact.scoped, action
            if fact.level == "P":  # permissions management: only KMS grants for AWS resources
                assert stmt["Condition"]["Bool"] == {"kms:GrantIsForAWSResource": "true"}, action


def test_autoscaler_resizes_only_this_clusters_groups():
    resize = next(s for s in _all_statements()["cluster-autoscaler"] if s["Sid"] == "ResizeOwnNodeGroups")
    assert resize["Condition"] == {
        "StringEquals": {"aws:ResourceTag/k8s.io/cluster-autoscaler/platform-prod-eks": "owned"}
    }


def test_load_balancer_controller_cannot_create_load_balancers_or_touch_security_groups():
    stmts = _all_statements()["load-balancer-controller"]
    actions = {a for s in stmts for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])}
    assert not {a for a in actions if a.split(":")[1].startswith(("Create", "Delete", "Modify", "Authorize", "Revoke"))}
    bind = next(s for s in stmts if s["Sid"] == "BindTargets")
    assert bind["Resource"] == TG_ARN


def test_ebs_csi_uses_the_data_key_only_through_ec2_and_grants_only_for_aws_resources():
    use, grant = _all_statements()["ebs-csi"]
    assert use["Condition"]["StringEquals"]["kms:ViaService"] == "ec2.us-east-1.amazonaws.com"
    assert grant["Action"] == "kms:CreateGrant"
    assert grant["Condition"]["Bool"] == {"kms:GrantIsForAWSResource": "true"}


def test_every_eks_version_the_config_allows_has_pinned_add_ons():
    # The config refuses other versions; the pinned tables must cover every one it accepts.
    for version in EKS_VERSIONS:
        assert eks_versions.addon_versions(version)
        assert eks_versions.cluster_autoscaler_tag(version)
