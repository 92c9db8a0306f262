"""The EKS control plane under the SDK mocks (`offline_preview.run_program`), with the prod and
staging stack files' values switched to `compute.platform: eks`: private, encrypted, logged and
pinned, its role, who may reach its API, and who may read it."""

from __future__ import annotations

import pytest

from tests.components.eks_program import (
    ACCOUNT,
    ADDON,
    CLUSTER,
    NODE_GROUP,
    STACKS,
    eks_capture,
    eks_cfg,
    one,
    stack_config,
)
from tests.components.helpers import KEY, LOG_GROUP, ROLE, ROLE_POLICY, ref, refs, statements

# --- the cluster ----------------------------------------------------------------------------------


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
