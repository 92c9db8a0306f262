"""The load balancer's routing table and listener settings (pure), shared with Compute so that
containers and target groups agree on ports and health checks."""

from __future__ import annotations

from dataclasses import dataclass

# TLS 1.3 and 1.2 only (AWS's recommended policy for HTTPS listeners).
TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"


@dataclass(frozen=True)
class TargetSpec:
    name: str
    """Also the name of the container (ECS) / Service (EKS) that serves it."""
    port: int
    health_path: str
    path_patterns: tuple[str, ...] = ()
    """Listener-rule paths routed here; empty: the listener's default action."""
    priority: int | None = None


# The frontend listens on 8080, not 80: it runs as a non-root user, and a non-root process cannot
# bind a port below 1024 on ECS/Fargate (the runtime keeps net.ipv4.ip_unprivileged_port_start at
# 1024 and Fargate cannot add CAP_NET_BIND_SERVICE; aws/containers-roadmap#1721), nor under Pod
# Security Standards "restricted" on EKS. 8080 is the nginx-unprivileged image's port. The ALB still
# serves 443 (and redirects 80); only the target port changes.
TARGETS: tuple[TargetSpec, ...] = (
    TargetSpec("frontend", 8080, "/"),
    TargetSpec("backend", 3001, "/health", path_patterns=("/api/*",), priority=100),
)


def default_target() -> TargetSpec:
    defaults = [t for t in TARGETS if not t.path_patterns]
    if len(defaults) != 1:
        raise ValueError("exactly one target must take the listener's default action")
    return defaults[0]


def app_ports() -> list[int]:
    return sorted({t.port for t in TARGETS})


def target(name: str) -> TargetSpec:
    """The target named `name` (a container of the task), or a clear error."""
    for spec in TARGETS:
        if spec.name == name:
            return spec
    raise ValueError(f"no load-balancer target named {name!r}; targets: {', '.join(t.name for t in TARGETS)}")
