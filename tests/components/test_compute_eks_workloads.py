"""The application on EKS: hardened pods with requests, limits and probes, images from our ECR,
autoscaling and disruption budgets, spot placement, network policies that open exactly the
documented paths, target group bindings, Pod Security labels, in-cluster Redis and the backend's
database secret."""

from __future__ import annotations

import pytest

from secure_platform.compute.eks import plan as eks_plan
from secure_platform.compute.eks.network_policy_plan import allowed_edges, describe_edges, flow_edges
from tests.components.eks_program import (
    ACCOUNT,
    DEPLOYMENT,
    HPA,
    NAMESPACE,
    NETPOL,
    PDB,
    SERVICE,
    STATEFULSET,
    TARGET_GROUP,
    TGB,
    containers,
    eks_capture,
    irsa_subject,
    one,
    pod_spec,
    stack_config,
)
from tests.components.helpers import ROLE, ROLE_POLICY, refs, statements

# --- workloads ------------------------------------------------------------------------------------


@pytest.mark.parametrize("variant", ["", "in-cluster-cache"])
def test_every_container_has_requests_limits_probes_and_a_restrictive_security_context(variant):
    capture = eks_capture("prod", variant)
    workloads = capture.of_type(DEPLOYMENT) + capture.of_type(STATEFULSET)
    assert len(workloads) == (4 if variant else 3)
    for w in workloads:
        spec = pod_spec(w)
        assert spec["securityContext"]["runAsNonRoot"] is True
        assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        assert not (spec.get("hostNetwork") or spec.get("hostPID") or spec.get("hostIPC"))
        for c in containers(w):
            res = c["resources"]
            assert set(res["requests"]) == set(res["limits"]) == {"cpu", "memory"}, (w.name, c["name"])
            for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
                assert probe in c, (w.name, c["name"], probe)
            ctx = c["securityContext"]
            assert ctx["allowPrivilegeEscalation"] is False and ctx["readOnlyRootFilesystem"] is True
            assert ctx["capabilities"]["drop"] == ["ALL"] and not ctx.get("capabilities", {}).get("add")
            assert ctx.get("privileged") is not True


def test_images_come_from_our_ecr_with_the_configured_tag():
    capture = eks_capture("prod")
    tag = stack_config("prod")["platform:compute"]["imageTag"]
    for d in capture.of_type(DEPLOYMENT):
        (c,) = containers(d)
        assert c["image"] == f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/platform/prod/{d.name}:{tag}"


def test_hpas_target_existing_deployments_with_the_configured_bounds():
    capture = eks_capture("prod")
    deployments = {d.inputs["metadata"]["name"]: d for d in capture.of_type(DEPLOYMENT)}
    bounds = {}
    for hpa in capture.of_type(HPA):
        spec = hpa.inputs["spec"]
        target = spec["scaleTargetRef"]
        assert target["kind"] == "Deployment" and target["name"] in deployments
        assert deployments[target["name"]].urn in hpa.dependencies
        bounds[target["name"]] = (spec["minReplicas"], spec["maxReplicas"])
        metrics = {m["resource"]["name"]: m["resource"]["target"]["averageUtilization"] for m in spec["metrics"]}
        assert metrics == {"cpu": 70, "memory": 80}
    assert bounds == {"frontend": (3, 10), "api-gateway": (2, 15), "backend": (3, 20)}
    for d in deployments.values():
        assert d.ignore_changes == ["spec.replicas"]  # the HPA owns replicas after creation


def test_pod_disruption_budgets_cover_every_deployment():
    capture = eks_capture("prod")
    selectors = [p.inputs["spec"]["selector"]["matchLabels"] for p in capture.of_type(PDB)]
    for d in capture.of_type(DEPLOYMENT):
        assert d.inputs["spec"]["selector"]["matchLabels"] in selectors, d.name


def test_non_critical_tiers_tolerate_and_prefer_spot_and_the_backend_stays_on_demand():
    capture = eks_capture("prod")
    for d in capture.of_type(DEPLOYMENT):
        spec = pod_spec(d)
        tolerates = {
            "key": "platform/workload-class",
            "operator": "Equal",
            "value": "non-critical",
            "effect": "NoSchedule",
        } in spec.get("tolerations", [])
        preferred = (
            spec.get("affinity", {}).get("nodeAffinity", {}).get("preferredDuringSchedulingIgnoredDuringExecution", [])
        )
        prefers = any(
            expr == {"key": "eks.amazonaws.com/capacityType", "operator": "In", "values": ["SPOT"]}
            or expr == {"key": "platform/workload-class", "operator": "In", "values": ["non-critical"]}
            for term in preferred
            for expr in term["preference"]["matchExpressions"]
        )
        required = (
            spec.get("affinity", {}).get("nodeAffinity", {}).get("requiredDuringSchedulingIgnoredDuringExecution")
        )
        assert required is None, d.name  # a spot shortage may cost more, never leave pods Pending
        assert tolerates == prefers == (d.name in ("frontend", "api-gateway")), d.name
        # Strict zone spread counts only nodes the pod may run on: the backend is not held Pending
        # by a zone that has only (tainted) spot nodes.
        (zones,) = [t for t in spec["topologySpreadConstraints"] if t["topologyKey"] == "topology.kubernetes.io/zone"]
        assert zones["whenUnsatisfiable"] == "DoNotSchedule" and zones["nodeTaintsPolicy"] == "Honor", d.name


@pytest.mark.parametrize("variant", ["", "in-cluster-cache"])
def test_network_policies_allow_exactly_the_documented_paths(variant):
    capture = eks_capture("prod", variant)
    raw = stack_config("prod")["platform:network"]
    layout = eks_plan.FlowLayout(
        alb_cidrs=tuple(raw["publicSubnetCidrs"]),
        database_cidrs=tuple(raw["databaseSubnetCidrs"]),
        database_port=5432,
        cache="in-cluster" if variant else "elasticache",
    )
    flows = eks_plan.documented_flows(layout)
    policies = [p.inputs for p in capture.of_type(NETPOL)]
    assert all(p["metadata"]["namespace"] == "app" for p in policies)
    edges = allowed_edges(policies, eks_plan.policed_workloads(layout), pod_cidrs=raw["privateSubnetCidrs"])
    peers = [f.source for f in flows] + [f.destination for f in flows]
    assert describe_edges(edges - flow_edges(flows), peers) == []  # nothing undocumented is open
    assert describe_edges(flow_edges(flows) - edges, peers) == []  # every documented path works


def test_target_group_bindings_register_pods_in_networkings_target_groups():
    capture = eks_capture("prod")
    services = {s.inputs["metadata"]["name"]: s for s in capture.of_type(SERVICE)}
    bound = {}
    for binding in capture.of_type(TGB):
        spec = binding.inputs["spec"]
        # The ARN also depends on the listener (rule) that forwards to the group: ECS and the
        # controller may only register targets once the ALB routes to them.
        (tg,) = [r for r in refs(capture, binding, "spec") if r.type == TARGET_GROUP]
        assert spec["targetGroupARN"] == tg.outputs["arn"]
        assert spec["targetType"] == "ip" == tg.inputs["targetType"]
        service = services[spec["serviceRef"]["name"]]
        assert spec["serviceRef"]["port"] in [p["port"] for p in service.inputs["spec"]["ports"]]
        assert spec["serviceRef"]["port"] == tg.inputs["port"]  # the app security group admits that port
        bound[tg.name] = spec["serviceRef"]["name"]
    assert bound == {"frontend": "frontend", "backend": "api-gateway"}
    assert capture.of_type("kubernetes:networking.k8s.io/v1:Ingress") == []  # no second, unmanaged ALB


def test_namespaces_are_labelled_with_pod_security_standards():
    capture = eks_capture("prod")
    levels = {
        n.inputs["metadata"]["name"]: n.inputs["metadata"]["labels"]["pod-security.kubernetes.io/enforce"]
        for n in capture.of_type(NAMESPACE)
    }
    assert levels == {"app": "restricted", "monitoring": "restricted", "node-agents": "privileged"}


def test_in_cluster_redis_has_a_persistent_volume_and_a_password_only_in_a_secret():
    capture = eks_capture("prod", "in-cluster-cache")
    redis = one(capture, STATEFULSET, "redis")
    (claim,) = redis.inputs["spec"]["volumeClaimTemplates"]
    assert claim["spec"]["storageClassName"] == "gp3-encrypted"
    (c,) = containers(redis)
    assert c["resources"]["requests"]["memory"] == "256Mi" and c["resources"]["limits"]["memory"] == "512Mi"
    secret = one(capture, "kubernetes:core/v1:Secret", "redis")
    assert any(p.startswith("stringData") for p in secret.secret_paths)
    backend = one(capture, DEPLOYMENT, "backend")
    (bc,) = containers(backend)
    password = next(e for e in bc["env"] if e["name"] == "REDIS_PASSWORD")
    assert password["valueFrom"]["secretKeyRef"] == {"name": "redis", "key": "password"}
    assert capture.secret_outputs and "kubeconfig" in capture.secret_outputs


def test_backend_reads_the_database_secret_with_its_own_irsa_role():
    capture = eks_capture("prod")
    role = one(capture, ROLE, "irsa-backend")
    assert irsa_subject(capture, role) == "system:serviceaccount:app:backend"
    (read, key) = statements(one(capture, ROLE_POLICY, "irsa-backend-db-secret").inputs["policy"])
    assert read["Resource"].startswith(f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:rds!db-")
    assert key["Condition"]["StringEquals"]["kms:ViaService"] == "secretsmanager.us-east-1.amazonaws.com"
    sa = one(capture, "kubernetes:core/v1:ServiceAccount", "sa-backend")
    assert sa.inputs["metadata"]["annotations"]["eks.amazonaws.com/role-arn"] == role.outputs["arn"]
    (c,) = containers(one(capture, DEPLOYMENT, "backend"))
    env = {e["name"]: e.get("value") for e in c["env"]}
    assert env["DB_SECRET_ARN"] == read["Resource"] and "DB_PASSWORD" not in env
