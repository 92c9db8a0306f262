"""The load balancer's routing table and listener settings (pure), shared with Compute so that
containers and target groups agree on ports and health checks."""

from __future__ import annotations

from dataclasses import dataclass

# TLS 1.3 and 1.2 only (AWS's recommended policy for HTTPS listeners).
TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"


@dataclass(frozen=True)
class TargetSpec:
    name: str
    port: int
    health_path: str
    path_patterns: tuple[str, ...] = ()
    """Listener-rule paths routed here; empty: the listener's default action."""
    priority: int | None = None


TARGETS: tuple[TargetSpec, ...] = (
    TargetSpec("frontend", 80, "/"),
    TargetSpec("backend", 3001, "/health", path_patterns=("/api/*",), priority=100),
)


def default_target() -> TargetSpec:
    defaults = [t for t in TARGETS if not t.path_patterns]
    if len(defaults) != 1:
        raise ValueError("exactly one target must take the listener's default action")
    return defaults[0]


def app_ports() -> list[int]:
    return sorted({t.port for t in TARGETS})
