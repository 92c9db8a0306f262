"""Kubernetes workloads (pulumi-kubernetes): the Pod Security Standards "restricted" essentials
plus resource limits and pinned images, on every kind that carries a pod template; and RBAC
bindings that hand a role to callers nobody identified."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import ResourceValidationArgs, Severity

from .helpers import as_list, get, truthy
from .registry import Controls, Report, config_value, resource_policy

HARDENING = Controls(soc2=("CC6.8",), iso27001=("A.8.9",), pci=("2.2.1",))

# kind -> path from the resource's props to the pod spec
POD_SPECS: dict[str, tuple[str, ...]] = {
    "kubernetes:core/v1:Pod": ("spec",),
    "kubernetes:apps/v1:Deployment": ("spec", "template", "spec"),
    "kubernetes:apps/v1:StatefulSet": ("spec", "template", "spec"),
    "kubernetes:apps/v1:DaemonSet": ("spec", "template", "spec"),
    "kubernetes:apps/v1:ReplicaSet": ("spec", "template", "spec"),
    "kubernetes:batch/v1:Job": ("spec", "template", "spec"),
    "kubernetes:batch/v1:CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "kubernetes:core/v1:ReplicationController": ("spec", "template", "spec"),
}
WORKLOADS = tuple(POD_SPECS)


EXEMPT_NAMESPACES = {
    "exemptNamespaces": {
        "type": "array",
        "items": {"type": "string"},
        "default": ["kube-system"],
        "description": "Namespaces whose workloads are not judged (node agents such as CNI or log shippers need host access).",
    }
}


def pod_spec(args: ResourceValidationArgs) -> Any:
    """The pod spec of a workload, or None for kinds without one and for exempt namespaces."""
    namespace = str(get(args.props, "metadata", "namespace", default="default"))
    if namespace in set(config_value(args, "exemptNamespaces", EXEMPT_NAMESPACES["exemptNamespaces"]["default"])):
        return None
    return get(args.props, *POD_SPECS[args.resource_type])


def all_containers(spec: Any, ephemeral: bool = True) -> Iterator[tuple[str, Any]]:
    kinds = ("initContainers", "containers", "ephemeralContainers") if ephemeral else ("initContainers", "containers")
    for kind in kinds:
        for c in as_list(get(spec, kind)):
            yield f"{'init ' if kind == 'initContainers' else ''}container '{get(c, 'name', default='?')}'", c


def _what(args: ResourceValidationArgs) -> str:
    return f"{args.resource_type.split(':')[-1]} '{args.name}'"


def _non_root(args: ResourceValidationArgs, report: Report) -> None:
    spec = pod_spec(args)
    if spec is None:
        return
    pod_ctx = get(spec, "securityContext") or {}
    pod_non_root = truthy(get(pod_ctx, "runAsNonRoot"))
    pod_uid = get(pod_ctx, "runAsUser")
    for label, c in all_containers(spec):
        ctx = get(c, "securityContext") or {}
        non_root = truthy(get(ctx, "runAsNonRoot", default=pod_non_root))
        uid = get(ctx, "runAsUser", default=pod_uid)
        if uid is not None and float(uid) == 0:
            report(
                f"{_what(args)} {label} runs as uid 0. Set securityContext.runAsUser to a non-zero uid and runAsNonRoot: true."
            )
        elif not non_root:
            report(
                f"{_what(args)} {label} may run as root (runAsNonRoot is not true at pod or container level). Set securityContext.runAsNonRoot: true (and runAsUser) on the pod."
            )


k8s_non_root = resource_policy(
    "k8s-pods-run-as-non-root",
    category="kubernetes",
    description="Pods and their containers must run as non-root (runAsNonRoot: true, no uid 0).",
    severity=Severity.HIGH,
    controls=HARDENING,
    remediation="Set spec.securityContext: {runAsNonRoot: true, runAsUser: 1000, seccompProfile: {type: RuntimeDefault}} on the pod template.",
    validate=_non_root,
    types=WORKLOADS,
    config=EXEMPT_NAMESPACES,
)


def _host(args: ResourceValidationArgs, report: Report) -> None:
    spec = pod_spec(args)
    if spec is None:
        return
    shared = [k for k in ("hostNetwork", "hostPID", "hostIPC") if truthy(get(spec, k))]
    if shared:
        report(
            f"{_what(args)} shares the node's namespaces ({', '.join(shared)}). Remove {', '.join(shared)} from the pod spec."
        )
    for i, vol in enumerate(as_list(get(spec, "volumes"))):
        if get(vol, "hostPath") is not None:
            report(
                f"{_what(args)} volume '{get(vol, 'name', default=i)}' mounts a hostPath ({get(vol, 'hostPath', 'path', default='?')}). Use emptyDir, a PVC or a projected volume."
            )


k8s_host = resource_policy(
    "k8s-no-host-namespaces",
    category="kubernetes",
    description="Pods do not use the node's network, PID or IPC namespace, nor hostPath volumes.",
    severity=Severity.HIGH,
    controls=HARDENING,
    remediation="Remove hostNetwork/hostPID/hostIPC and hostPath volumes from the pod template.",
    validate=_host,
    types=WORKLOADS,
    config=EXEMPT_NAMESPACES,
)

DANGEROUS_CAPABILITIES = frozenset({"ALL", "SYS_ADMIN", "NET_ADMIN", "SYS_PTRACE", "SYS_MODULE", "NET_RAW"})


def _privileged(args: ResourceValidationArgs, report: Report) -> None:
    spec = pod_spec(args)
    if spec is None:
        return
    for label, c in all_containers(spec):
        ctx = get(c, "securityContext") or {}
        problems: list[str] = []
        if truthy(get(ctx, "privileged")):
            problems.append("is privileged")
        if get(ctx, "allowPrivilegeEscalation") is None or truthy(get(ctx, "allowPrivilegeEscalation")):
            problems.append("allows privilege escalation (set allowPrivilegeEscalation: false)")
        added = {str(x).upper() for x in as_list(get(ctx, "capabilities", "add"))}
        if added & DANGEROUS_CAPABILITIES:
            problems.append(f"adds capabilities {sorted(added & DANGEROUS_CAPABILITIES)}")
        if problems:
            report(
                f"{_what(args)} {label} "
                + "; ".join(problems)
                + ". Use securityContext {privileged: false, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}."
            )


k8s_privileged = resource_policy(
    "k8s-no-privileged-containers",
    category="kubernetes",
    description="Containers are not privileged, cannot escalate privileges and add no dangerous capabilities.",
    severity=Severity.CRITICAL,
    controls=HARDENING,
    remediation="securityContext: {privileged: false, allowPrivilegeEscalation: false, capabilities: {drop: ['ALL']}} on every container.",
    validate=_privileged,
    types=WORKLOADS,
    config=EXEMPT_NAMESPACES,
)


def _limits(args: ResourceValidationArgs, report: Report) -> None:
    spec = pod_spec(args)
    if spec is None:
        return
    need_cpu_limit = bool(config_value(args, "requireCpuLimit", True))
    for label, c in all_containers(spec, ephemeral=False):  # ephemeral containers take no resources
        res = get(c, "resources") or {}
        missing = [f"requests.{k}" for k in ("cpu", "memory") if get(res, "requests", k) is None]
        missing += ["limits.memory"] if get(res, "limits", "memory") is None else []
        if need_cpu_limit and get(res, "limits", "cpu") is None:
            missing.append("limits.cpu")
        if missing:
            report(
                f"{_what(args)} {label} has no {', '.join(missing)}. Set resources.requests and resources.limits so the scheduler and the node protect other workloads."
            )


k8s_limits = resource_policy(
    "k8s-resource-requests-and-limits",
    category="kubernetes",
    description="Every container sets CPU and memory requests and limits (a memory limit always; a CPU limit unless configured off).",
    severity=Severity.MEDIUM,
    controls=Controls(soc2=("A1.1",), iso27001=("A.8.6",)),
    remediation="resources: {requests: {cpu: '250m', memory: '256Mi'}, limits: {cpu: '500m', memory: '256Mi'}} on every container.",
    validate=_limits,
    types=WORKLOADS,
    config={
        **EXEMPT_NAMESPACES,
        "requireCpuLimit": {
            "type": "boolean",
            "default": True,
            "description": "Also require limits.cpu (some teams prefer no CPU limits to avoid throttling).",
        },
    },
)


def _pinned(args: ResourceValidationArgs, report: Report) -> None:
    spec = pod_spec(args)
    if spec is None:
        return
    for label, c in all_containers(spec):
        image = str(get(c, "image", default=""))
        name = image.rsplit("/", 1)[-1]
        if "@sha256:" in image:
            continue
        if ":" not in name or name.endswith(":latest"):
            report(
                f"{_what(args)} {label} uses image '{image}' without a fixed tag. Pin an immutable version tag or a digest (image@sha256:...)."
            )


k8s_pinned = resource_policy(
    "k8s-images-pinned",
    category="supply-chain",
    description="Container images are pinned to a version tag or digest, never ':latest' or untagged.",
    severity=Severity.MEDIUM,
    controls=Controls(soc2=("CC8.1",), iso27001=("A.8.32",), pci=("6.3.2",)),
    remediation="Reference images as repo:1.2.3 (from an immutable-tag repository) or repo@sha256:<digest>.",
    validate=_pinned,
    types=WORKLOADS,
    config=EXEMPT_NAMESPACES,
)


ROLE_BINDINGS = (
    "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
    "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
)

UNAUTHENTICATED = {("User", "system:anonymous"), ("Group", "system:unauthenticated")}
"""Who the API server names a request without credentials (when anonymous auth is on, the
default): binding a role to them gives it to anyone who reaches the endpoint
(https://kubernetes.io/docs/reference/access-authn-authz/authentication/#anonymous-requests)."""
EVERYONE_SIGNED_IN = {("Group", "system:authenticated"), ("Group", "system:serviceaccounts")}
"""Every identity the cluster authenticates, or every service account of every namespace: any pod
or mapped IAM principal."""
PUBLIC_INFO_ROLES = {"system:public-info-viewer", "system:discovery", "system:basic-user"}
"""The default roles Kubernetes itself binds to these groups (version and discovery endpoints)."""
POWERFUL_ROLES = {"cluster-admin", "admin", "edit"}
"""The default user-facing roles that write workloads and read secrets
(https://kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles)."""


def _rbac_subjects(args: ResourceValidationArgs, report: Report) -> None:
    role = str(get(args.props, "roleRef", "name", default=""))
    if role in PUBLIC_INFO_ROLES:
        return
    for subject in as_list(get(args.props, "subjects")):
        pair = (str(get(subject, "kind", default="")), str(get(subject, "name", default="")))
        if pair in UNAUTHENTICATED:
            report(
                f"{_what(args)} binds role '{role}' to {pair[0]} '{pair[1]}': every unauthenticated caller of the API "
                "server gets it. Bind named users, groups or service accounts instead."
            )
        elif pair in EVERYONE_SIGNED_IN and role in POWERFUL_ROLES:
            report(
                f"{_what(args)} binds role '{role}' to {pair[0]} '{pair[1]}': every authenticated identity (or every "
                "service account) gets it. Bind the specific groups or service accounts that need it."
            )


k8s_rbac = resource_policy(
    "k8s-rbac-no-anonymous-or-everyone-bindings",
    category="kubernetes",
    description="No RoleBinding or ClusterRoleBinding grants a role to unauthenticated callers (system:anonymous, system:unauthenticated), or cluster-admin/admin/edit to every authenticated identity or service account.",
    severity=Severity.CRITICAL,
    controls=Controls(soc2=("CC6.1", "CC6.3"), iso27001=("A.5.15", "A.8.2"), pci=("7.2.1",)),
    remediation="Bind roles to named users, groups (mapped from EKS access entries) or service accounts, never to system:anonymous, system:unauthenticated, system:authenticated or system:serviceaccounts.",
    validate=_rbac_subjects,
    types=ROLE_BINDINGS,
)

POLICIES = [k8s_non_root, k8s_host, k8s_privileged, k8s_limits, k8s_pinned, k8s_rbac]
