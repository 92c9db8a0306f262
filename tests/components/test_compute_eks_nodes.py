"""The EKS nodes and the managed add-ons, with the prod and staging stack files' values switched to
`compute.platform: eks`: add-ons pinned for the cluster version, with their own IRSA roles and
ordered around the nodes; the on-demand system group, the spot group the selection fills, and
their launch templates."""

from __future__ import annotations

import json

import pytest

from secure_platform.compute.eks import plan as eks_plan
from secure_platform.compute.eks import versions as eks_versions
from tests.components.eks_program import (
    ADDON,
    LAUNCH_TEMPLATE,
    NODE_GROUP,
    SELECTION,
    STACKS,
    eks_capture,
    eks_cfg,
    irsa_subject,
    one,
)
from tests.components.helpers import LOG_GROUP, ref, refs

# --- add-ons --------------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_managed_addons_are_pinned_for_the_cluster_version(stack):
    capture = eks_capture(stack)
    pinned = eks_versions.addon_versions(eks_cfg(stack).version)
    found = {a.inputs["addonName"]: a.inputs["addonVersion"] for a in capture.of_type(ADDON)}
    assert found == pinned


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


# --- node groups ----------------------------------------------------------------------------------


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
