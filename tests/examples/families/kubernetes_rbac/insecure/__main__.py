"""Roles handed to callers nobody identified: cluster-admin to unauthenticated requests, a
namespace role to the anonymous user, and edit to every service account of the cluster."""

import pulumi_kubernetes as k8s

RBAC = "rbac.authorization.k8s.io"

k8s.rbac.v1.ClusterRoleBinding(
    "anonymous-cluster-admin",
    role_ref={"api_group": RBAC, "kind": "ClusterRole", "name": "cluster-admin"},
    subjects=[{"kind": "Group", "name": "system:unauthenticated", "api_group": RBAC}],
)
k8s.rbac.v1.RoleBinding(
    "anonymous-reader",
    metadata={"namespace": "payments"},
    role_ref={"api_group": RBAC, "kind": "ClusterRole", "name": "view"},
    subjects=[{"kind": "User", "name": "system:anonymous", "api_group": RBAC}],
)
k8s.rbac.v1.ClusterRoleBinding(
    "every-service-account-edits",
    role_ref={"api_group": RBAC, "kind": "ClusterRole", "name": "edit"},
    subjects=[{"kind": "Group", "name": "system:serviceaccounts", "api_group": RBAC}],
)
