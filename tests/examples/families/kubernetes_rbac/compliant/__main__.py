"""Roles bound to named groups and service accounts; the read-only discovery role Kubernetes
itself grants to unauthenticated callers stays allowed."""

import pulumi_kubernetes as k8s

RBAC = "rbac.authorization.k8s.io"

k8s.rbac.v1.ClusterRoleBinding(
    "platform-admins",
    role_ref={"api_group": RBAC, "kind": "ClusterRole", "name": "cluster-admin"},
    subjects=[{"kind": "Group", "name": "platform-admins", "api_group": RBAC}],
)
k8s.rbac.v1.RoleBinding(
    "payments-deployer",
    metadata={"namespace": "payments"},
    role_ref={"api_group": RBAC, "kind": "ClusterRole", "name": "edit"},
    subjects=[{"kind": "ServiceAccount", "name": "deployer", "namespace": "payments"}],
)
k8s.rbac.v1.ClusterRoleBinding(
    "public-info",
    role_ref={"api_group": RBAC, "kind": "ClusterRole", "name": "system:public-info-viewer"},
    subjects=[
        {"kind": "Group", "name": "system:authenticated", "api_group": RBAC},
        {"kind": "Group", "name": "system:unauthenticated", "api_group": RBAC},
    ],
)
