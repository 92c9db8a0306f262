"""The EKS platform under the SDK mocks (`offline_preview.run_program`), with the prod and staging
stack files' values switched to `compute.platform: eks`."""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path

import pytest

from offline_preview import UserError, evaluate, load_policy_pack
from offline_preview.capture import Capture, CapturedResource
from offline_preview.cost import estimate_cost
from offline_preview.deploy_time import slow_waits
from secure_platform.compute.eks import plan as eks_plan
from secure_platform.compute.eks import versions as eks_versions
from secure_platform.compute.eks.network_policy_plan import allowed_edges, describe_edges, flow_edges
from secure_platform.config import EksConfig
from tests.components.eks_program import ACCOUNT, TEST_COMPUTE, eks_capture, eks_config, run_eks, stack_config
from tests.components.helpers import KEY, LOG_GROUP, ROLE, ROLE_POLICY, as_list, ref, refs, statements

REPO = Path(__file__).resolve().parents[2]
CLUSTER = "eks:index:Cluster"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
ADDON = "aws:eks/addon:Addon"
SELECTION = "pulumi-python:dynamic/spot:SpotInstanceSelection"
RELEASE = "kubernetes:helm.sh/v3:Release"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
STATEFULSET = "kubernetes:apps/v1:StatefulSet"
HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
PDB = "kubernetes:policy/v1:PodDisruptionBudget"
NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
TGB = "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding"
SERVICE = "kubernetes:core/v1:Service"
NAMESPACE = "kubernetes:core/v1:Namespace"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"

STACKS = ("prod", "staging")


def one(capture: Capture, type_: str, name: str | None = None) -> CapturedResource:
    found = [r for r in capture.of_type(type_) if name is None or r.name == name]
    assert len(found) == 1, (type_, name, [r.name for r in found])
    return found[0]


def pod_spec(r: CapturedResource) -> dict:
    return r.inputs["spec"]["template"]["spec"]


def containers(r: CapturedResource) -> list[dict]:
    spec = pod_spec(r)
    return [*spec.get("initContainers", []), *spec["containers"]]


def eks_cfg(stack: str) -> EksConfig:
    return EksConfig.model_validate(stack_config(stack)["platform:compute"]["eks"])


# --- the cluster ---------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_cluster_is_private_encrypted_logged_pinned_and_uses_access_entries(stack):
    capture = eks_capture(stack)
    cluster = one(capture, CLUSTER)
    i = cluster.inputs
    assert cluster.remote
    assert i["name"] == f"platform-{stack}-eks" and i["version"] == eks_cfg(stack).version
    assert (i["endpointPrivateAccess"], i["endpointPublicAccess"]) == (True, False)
    assert "publicAccessCidrs" not in i
    assert ref(capture, cluster, "encryptionConfigKeyArn").name == "secrets"
    assert ref(capture, cluster, "encryptionConfigKeyArn").type == KEY
    assert i["enabledClusterLogTypes"] == ["api", "audit", "authenticator", "controllerManager", "scheduler"]
    assert i["authenticationMode"] == "API" and i["createOidcProvider"] is True
    assert i["skipDefaultNodeGroup"] is True and i["skipDefaultSecurityGroups"] is True
    # no add-on EKS or pulumi-eks would install unpinned
    assert i["bootstrapSelfManagedAddons"] is False and i["useDefaultVpcCni"] is True
    assert i["corednsAddonOptions"]["enabled"] is False and i["kubeProxyAddonOptions"]["enabled"] is False
    assert i["deletionProtection"] is True and i["upgradePolicy"] == {"supportType": "STANDARD"}
    assert {r.name for r in refs(capture, cluster, "privateSubnetIds")} == {"private-0", "private-1", "private-2"}


def test_public_endpoint_only_for_the_configured_cidrs_and_admins_get_access_entries():
    capture = eks_capture("staging", "public-endpoint")
    i = one(capture, CLUSTER).inputs
    assert i["endpointPublicAccess"] is True and i["publicAccessCidrs"] == ["203.0.113.0/24"]
    entry = one(capture, "aws:eks/accessEntry:AccessEntry")
    assert entry.inputs["principalArn"] == f"arn:aws:iam::{ACCOUNT}:role/platform-admins"
    assert entry.inputs["type"] == "STANDARD"
    association = one(capture, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation")
    assert association.inputs["policyArn"] == "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
    assert association.inputs["accessScope"] == {"type": "cluster"}


def test_control_plane_log_group_exists_before_the_cluster_encrypted_with_retention():
    capture = eks_capture("prod")
    group = one(capture, LOG_GROUP, "eks-control-plane")
    assert group.inputs["name"] == "/aws/eks/platform-prod-eks/cluster"
    assert ref(capture, group, "kmsKeyId").name == "logs"
    assert group.inputs["retentionInDays"] == 365 and group.inputs["deletionProtectionEnabled"] is True
    assert group.urn in one(capture, CLUSTER).dependencies


def test_cluster_role_is_ours_trusts_only_eks_and_uses_the_secrets_key_through_eks():
    capture = eks_capture("prod")
    role = one(capture, ROLE, "eks-cluster")
    (trust,) = statements(role.inputs["assumeRolePolicy"])
    assert trust["Principal"] == {"Service": "eks.amazonaws.com"}
    assert one(capture, CLUSTER).inputs["serviceRole"] == role.id
    (key_use,) = statements(one(capture, ROLE_POLICY, "eks-cluster-secrets-key").inputs["policy"])
    assert key_use["Condition"]["StringEquals"]["kms:ViaService"] == "eks.us-east-1.amazonaws.com"
    assert "kms:Decrypt" in key_use["Action"]


def test_the_private_api_admits_only_the_listed_client_groups_on_https():
    rules = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
    runners = set(stack_config("prod")["platform:network"]["runnerSecurityGroupIds"])
    admitted = {
        r.inputs["referencedSecurityGroupId"]
        for r in eks_capture("prod").of_type(rules)
        if r.name.startswith("eks-api-from-")
    }
    assert admitted == runners  # only the deploy runners the stack names
    capture = eks_capture("prod", "public-endpoint")
    (rule,) = [
        r
        for r in capture.of_type(rules)
        if r.name.startswith("eks-api-from-") and r.inputs["referencedSecurityGroupId"] not in runners
    ]
    cluster = one(capture, CLUSTER)
    assert rule.inputs["securityGroupId"] == cluster.outputs["clusterSecurityGroupId"]
    assert cluster.urn in rule.dependencies
    assert rule.inputs["referencedSecurityGroupId"] == "sg-0123456789abcdef0" and "cidrIpv4" not in rule.inputs
    assert (rule.inputs["ipProtocol"], rule.inputs["fromPort"], rule.inputs["toPort"]) == ("tcp", 443, 443)


def test_read_only_roles_can_read_what_a_preview_reads_and_write_nothing():
    assert not [e for e in eks_capture("prod").of_type("aws:eks/accessEntry:AccessEntry") if "read-only" in e.name]
    capture = eks_capture("prod", "read-only")
    arn = f"arn:aws:iam::{ACCOUNT}:role/ci-preview"
    entry = one(capture, "aws:eks/accessEntry:AccessEntry", "read-only-ci-preview")
    assert entry.inputs["principalArn"] == arn and entry.inputs["kubernetesGroups"] == ["platform:read-only"]
    assoc = one(capture, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation", "read-only-ci-preview")
    assert assoc.inputs["policyArn"] == "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"
    assert assoc.inputs["accessScope"] == {"type": "cluster"}
    rules = [
        r
        for kind in ("ClusterRole", "Role")
        for x in capture.of_type(f"kubernetes:rbac.authorization.k8s.io/v1:{kind}")
        if x.name.startswith("platform-read-only")
        for r in x.inputs["rules"]
    ]
    assert rules and all(set(r["verbs"]) <= {"get", "list", "watch"} and "*" not in r["resources"] for r in rules)
    (cluster_role,) = [
        x
        for x in capture.of_type("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole")
        if x.name == "platform-read-only"
    ]
    assert not any("secrets" in r["resources"] for r in cluster_role.inputs["rules"])  # Secrets only where listed
    read = {"servicemonitors", "targetgroupbindings", "customresourcedefinitions"}
    assert read <= {res for r in cluster_role.inputs["rules"] for res in r["resources"]}
    secret_roles = [
        x
        for x in capture.of_type("kubernetes:rbac.authorization.k8s.io/v1:Role")
        if x.name.startswith("platform-read-only")
    ]
    assert {x.inputs["metadata"]["namespace"] for x in secret_roles} == {
        "app",
        "kube-system",
        "monitoring",
        "node-agents",
    }
    for kind in ("ClusterRoleBinding", "RoleBinding"):
        for b in capture.of_type(f"kubernetes:rbac.authorization.k8s.io/v1:{kind}"):
            if b.name.startswith("platform-read-only"):
                assert b.inputs["subjects"] == [
                    {"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "platform:read-only"}
                ]


def test_names_of_the_cluster_flow_from_the_cluster_resource_not_from_a_string():
    capture = eks_capture("prod")
    cluster = one(capture, CLUSTER)
    for addon in capture.of_type(ADDON):
        assert cluster.urn in addon.property_dependencies["clusterName"], addon.name
    for group in capture.of_type(NODE_GROUP):
        assert cluster.urn in group.property_dependencies["clusterName"], group.name


# --- add-ons -------------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_managed_addons_are_pinned_for_the_cluster_version(stack):
    capture = eks_capture(stack)
    pinned = eks_versions.addon_versions(eks_cfg(stack).version)
    found = {a.inputs["addonName"]: a.inputs["addonVersion"] for a in capture.of_type(ADDON)}
    assert found == pinned


def irsa_subject(capture: Capture, role: CapturedResource) -> str:
    (trust,) = statements(role.inputs["assumeRolePolicy"])
    assert trust["Action"] == "sts:AssumeRoleWithWebIdentity"
    (issuer_claim,) = [k for k in trust["Condition"]["StringEquals"] if k.endswith(":sub")]
    assert trust["Condition"]["StringEquals"][issuer_claim.replace(":sub", ":aud")] == "sts.amazonaws.com"
    return trust["Condition"]["StringEquals"][issuer_claim]


def test_cni_and_ebs_csi_run_with_their_own_irsa_roles_not_the_node_role():
    capture = eks_capture("prod")
    cni = one(capture, ADDON, "vpc-cni")
    cni_role = ref(capture, cni, "serviceAccountRoleArn")
    assert irsa_subject(capture, cni_role) == "system:serviceaccount:kube-system:aws-node"
    assert json.loads(cni.inputs["configurationValues"]) == {"enableNetworkPolicy": "true"}
    ebs = one(capture, ADDON, "aws-ebs-csi-driver")
    assert irsa_subject(capture, ref(capture, ebs, "serviceAccountRoleArn")) == (
        "system:serviceaccount:kube-system:ebs-csi-controller-sa"
    )
    attached = {
        a.inputs["policyArn"].rsplit("/", 1)[-1]: a
        for a in capture.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    }
    assert ref(capture, attached["AmazonEKS_CNI_Policy"], "role").name == "irsa-vpc-cni"
    assert ref(capture, attached["AmazonEBSCSIDriverPolicy"], "role").name == "irsa-ebs-csi"


def test_cni_comes_before_the_nodes_and_coredns_after_them():
    capture = eks_capture("prod")
    cni, proxy = one(capture, ADDON, "vpc-cni"), one(capture, ADDON, "kube-proxy")
    system = one(capture, NODE_GROUP, "eks-system")
    for group in capture.of_type(NODE_GROUP):
        assert {cni.urn, proxy.urn} <= set(group.dependencies), group.name
    for late in ("coredns", "aws-ebs-csi-driver"):
        assert system.urn in one(capture, ADDON, late).dependencies


@pytest.mark.parametrize("stack", STACKS)
def test_container_insights_agent_reports_node_metrics_into_our_encrypted_group_with_its_own_role(stack):
    capture = eks_capture(stack)
    addon = one(capture, ADDON, "amazon-cloudwatch-observability")
    # Metrics only: container logs stay with our Fluent Bit, Application Signals stays off.
    config = json.loads(addon.inputs["configurationValues"])
    assert config["containerLogs"] == {"enabled": False}
    assert config["agent"]["config"]["logs"]["metrics_collected"] == {
        "kubernetes": {"enhanced_container_insights": True}
    }
    role = ref(capture, addon, "serviceAccountRoleArn")
    assert irsa_subject(capture, role) == "system:serviceaccount:amazon-cloudwatch:cloudwatch-agent"
    attached = [
        a
        for a in capture.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if ref(capture, a, "role").urn == role.urn
    ]
    assert [a.inputs["policyArn"] for a in attached] == ["arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"]
    # The group the agent writes to exists first, with the logs key and the stack's retention.
    group = one(capture, LOG_GROUP, "eks-container-insights")
    assert group.inputs["name"] == f"/aws/containerinsights/platform-{stack}-eks/performance"
    assert ref(capture, group, "kmsKeyId").name == "logs"
    assert group.inputs["retentionInDays"] == {"staging": 90, "prod": 365}[stack]
    assert group.inputs["deletionProtectionEnabled"] is True  # both EKS stacks are protected
    # The agent is a DaemonSet: the add-on is ACTIVE only once nodes run it, and it needs its role.
    assert {group.urn, one(capture, NODE_GROUP, "eks-system").urn, attached[0].urn} <= set(addon.dependencies)


# --- node groups ---------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_system_group_is_on_demand_from_config_and_spot_group_runs_what_the_selection_chose(stack):
    capture = eks_capture(stack)
    cfg = eks_cfg(stack)
    system, spot = one(capture, NODE_GROUP, "eks-system"), one(capture, NODE_GROUP, "eks-spot")
    assert system.inputs["capacityType"] == "ON_DEMAND"
    assert system.inputs["instanceTypes"] == cfg.system_nodes.instance_types
    assert system.inputs["scalingConfig"] == {
        "minSize": cfg.system_nodes.min_size,
        "maxSize": cfg.system_nodes.max_size,
        "desiredSize": cfg.system_nodes.desired_size,
    }
    assert system.inputs["taints"] == []
    selection = one(capture, SELECTION)
    assert spot.inputs["capacityType"] == "SPOT"
    # the spot types ARE the selection's outputs (data dependency, and the same values)
    assert refs(capture, spot, "instanceTypes") == [selection]
    assert spot.inputs["instanceTypes"] == selection.outputs["instanceTypes"]
    assert len(spot.inputs["instanceTypes"]) >= 2
    assert spot.inputs["taints"] == [
        {"key": "platform/workload-class", "value": "non-critical", "effect": "NO_SCHEDULE"}
    ]
    assert spot.inputs["labels"] == {"platform/workload-class": "non-critical"}
    for group in (system, spot):
        assert group.ignore_changes == ["scalingConfig.desiredSize"]
        assert group.inputs["tags"][f"k8s.io/cluster-autoscaler/platform-{stack}-eks"] == "owned"
        assert ref(capture, group, "nodeRoleArn").name == "eks-node"


def test_spot_group_lives_in_the_private_subnets_of_the_zones_the_selection_reports():
    capture = eks_capture("prod")
    spot = one(capture, NODE_GROUP, "eks-spot")
    selection = one(capture, SELECTION)
    subnets = {s.id: s for s in capture.of_type("aws:ec2/subnet:Subnet")}
    zones = {subnets[sid].inputs["availabilityZone"] for sid in spot.inputs["subnetIds"]}
    assert zones == set(selection.outputs["availabilityZones"])
    assert all(subnets[sid].name.startswith("private-") for sid in spot.inputs["subnetIds"])
    assert selection.urn in spot.property_dependencies["subnetIds"]


def test_spot_selection_is_asked_for_the_configured_shape_within_the_allowed_families():
    capture = eks_capture("prod")
    selection = one(capture, SELECTION)
    spot = eks_cfg("prod").spot_nodes
    assert selection.inputs["vcpus"] == {"min": spot.vcpus.min, "max": spot.vcpus.max}
    assert selection.inputs["maxInterruptionBucket"] == spot.max_interruption_bucket
    assert selection.inputs["allowedFamilies"] == list(eks_plan.SPOT_INSTANCE_FAMILIES)
    assert selection.inputs["capacity"] == spot.desired_size
    for t in selection.outputs["instanceTypes"]:
        assert t.split(".")[0] in eks_plan.SPOT_INSTANCE_FAMILIES


@pytest.mark.parametrize("key", ["system", "spot"])
def test_launch_templates_require_imdsv2_encrypt_with_the_data_key_and_have_no_ssh_key(key):
    capture = eks_capture("prod")
    group = one(capture, NODE_GROUP, f"eks-{key}")
    template = ref(capture, group, "launchTemplate")
    assert template.type == LAUNCH_TEMPLATE
    i = template.inputs
    assert i["metadataOptions"]["httpTokens"] == "required"
    assert i["metadataOptions"]["httpPutResponseHopLimit"] == eks_plan.IMDS_HOP_LIMIT == 1
    (root,) = i["blockDeviceMappings"]
    assert root["ebs"]["encrypted"] == "true" and root["ebs"]["volumeType"] == "gp3"
    assert ref(capture, template, "blockDeviceMappings").name == "data"
    assert "keyName" not in i and "userData" not in i
    assert i["monitoring"] == {"enabled": True}
    assert {r.name for r in refs(capture, template, "vpcSecurityGroupIds")} == {"app", "eks"}
    assert group.inputs["launchTemplate"]["id"] == template.id


# --- workloads -----------------------------------------------------------------------------------


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


def test_hpas_target_existing_deployments_with_the_seed_bounds():
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


# --- cluster services ----------------------------------------------------------------------------


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


# --- the whole -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pack():
    return load_policy_pack(REPO / "policies")


@pytest.mark.parametrize(
    ("stack", "variant"), [("prod", ""), ("staging", ""), ("prod", "in-cluster-cache"), ("prod", "read-only")]
)
def test_passes_every_mandatory_policy_of_the_stack_config(pack, stack, variant):
    capture = eks_capture(stack, variant)
    config = json.loads((REPO / f"policies/config/{stack}.json").read_text(encoding="utf-8"))
    report = evaluate(pack, capture, config, capture.config)
    assert report.policies_run >= 45
    assert [(v.policy, v.urn, v.message) for v in report.mandatory] == []


def test_the_kubernetes_policies_do_judge_these_workloads(pack):
    """A tampered copy of the capture fails, so the clean result above is not vacuous."""
    clean = eks_capture("prod")
    original = one(clean, DEPLOYMENT, "backend")
    backend = dataclasses.replace(original, inputs=copy.deepcopy(original.inputs))
    capture = dataclasses.replace(clean, resources=[backend if r is original else r for r in clean.resources])
    pod = pod_spec(backend)
    pod["securityContext"]["runAsNonRoot"] = False
    pod["containers"][0]["securityContext"]["runAsNonRoot"] = False
    pod["containers"][0]["securityContext"]["allowPrivilegeEscalation"] = True
    config = json.loads((REPO / "policies/config/prod.json").read_text(encoding="utf-8"))
    report = evaluate(pack, capture, config, capture.config)
    flagged = {(v.policy, v.urn) for v in report.mandatory}
    assert flagged == {("k8s-pods-run-as-non-root", backend.urn), ("k8s-no-privileged-containers", backend.urn)}


def test_everything_is_parented_to_compute_with_the_explicit_providers():
    capture = eks_capture("prod")
    compute = one(capture, TEST_COMPUTE)
    (aws_provider,) = [p for p in capture.of_type("pulumi:providers:aws") if p.name == "aws"]  # not a second Region's
    (k8s_provider,) = capture.of_type("pulumi:providers:kubernetes")
    mine = capture.descendants(compute.urn)
    assert k8s_provider in mine
    for r in mine:
        if not r.custom or r.type.startswith("pulumi:providers:") or r.type.startswith("pulumi-python:dynamic"):
            continue
        expected = k8s_provider.urn if r.type.startswith("kubernetes:") else aws_provider.urn
        if r.type.startswith("random:"):
            continue
        assert r.provider == expected, r.urn


def test_every_resource_is_priced_and_no_slow_resource_waits_without_a_data_dependency():
    capture = eks_capture("prod")
    estimate = estimate_cost(capture)
    assert {t: n for t, n in estimate.not_priced.items() if t.startswith(("aws:", "eks:"))} == {}
    lines = {(line.type, line.name): line for line in estimate.lines}
    assert lines[(CLUSTER, "eks")].monthly_usd == pytest.approx(0.10 * 730)  # control plane, no default node group
    assert "SpotInstanceSelection" in lines[(NODE_GROUP, "eks-spot")].basis
    assert lines[(RELEASE, "kube-prometheus-stack")].monthly_usd > 0  # its volumes
    assert slow_waits(capture) == []


def test_bad_eks_inputs_fail_with_the_key_and_what_is_allowed():
    with pytest.raises(
        UserError,
        match=r'platform:compute\.eks\.spotNodes\.architectures: \["x86_64", "arm64"\] lists several CPU architectures',
    ):
        run_eks(
            "prod",
            eks_config(
                "prod",
                spotNodes={
                    **stack_config("prod")["platform:compute"]["eks"]["spotNodes"],
                    "architectures": ["x86_64", "arm64"],
                },
            ),
        )


def test_missing_inputs_are_listed_together_before_anything_is_built():
    config = eks_config("prod")
    config["platform:ecr"] = {**stack_config("prod")["platform:ecr"], "repositories": ["frontend", "backend"]}
    with pytest.raises(
        UserError, match=r"platform:ecr\.repositories: .* has no repository for \['api-gateway'\]"
    ) as err:
        run_eks("prod", config)
    capture = err.value.capture
    assert capture is not None and capture.resources == []  # a config rule: refused before any registration


def test_spot_subnets_follow_the_selected_zones_and_an_empty_intersection_is_an_error():
    from secure_platform.compute.eks.component import EksError, _subnets_in_zones

    zones, subnets = ["us-east-1a", "us-east-1b", "us-east-1c"], ["subnet-a", "subnet-b", "subnet-c"]
    assert _subnets_in_zones(zones, subnets, ["us-east-1c", "us-east-1a"]) == ["subnet-a", "subnet-c"]
    with pytest.raises(EksError, match="none of which has a private subnet"):
        _subnets_in_zones(zones, subnets, ["us-east-1f"])
