"""The Fargate task of the web service (pure): container sizes, container definitions, volumes.

Three containers share one task (one network namespace, `127.0.0.1` between them):

* `frontend` — nginx serving the built web app on `alb_plan`'s frontend port (8080: non-root);
* `backend` — the Node API on `alb_plan`'s backend port, with the database and cache credentials
  injected by ECS from Secrets Manager (`secrets`/`valueFrom`, never `environment`);
* `sidecar` — the AWS Distro for OpenTelemetry collector: the application sends traces and metrics
  to it over OTLP on loopback; it exports traces to X-Ray and metrics to CloudWatch (EMF).
  Logs do not go through it: every container logs with the `awslogs` driver straight to the
  application log group (ECS's execution role, no extra hop that could lose or block logs). That is
  why the sidecar is an OpenTelemetry collector rather than a FireLens log router: awslogs already
  ships logs reliably; what a task cannot do without a sidecar is traces and application metrics.
  The sidecar is not essential (a telemetry fault must not take the site down) and restarts itself.

The images are ours (ECR, immutable tags); their contract — user id, port, health command — is in
`CONTAINERS` and in `docs/components.md`. Every container runs as a non-root user with a read-only
root filesystem; what must be writable is a size-limited tmpfs (Fargate supports tmpfs mounts since
January 2026), and ECS Exec's agent gets two ephemeral bind mounts per container (it runs as root and
cannot start on a read-only root otherwise; aws/containers-roadmap#1359).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from secure_platform.compute.ecs.fargate import FARGATE_MEMORY_BY_CPU, describe_memory_choices, valid_fargate_pair
from secure_platform.compute.errors import ComputeError
from secure_platform.networking import alb_plan

FRONTEND, BACKEND, SIDECAR = "frontend", "backend", "sidecar"
CONTAINER_NAMES: tuple[str, ...] = (FRONTEND, BACKEND, SIDECAR)
"""Also the names of the ECR repositories the images come from."""
LOG_STREAM_PREFIX = "web"
OTLP_GRPC_PORT = 4317
OTLP_HTTP_PORT = 4318
COLLECTOR_HEALTH_PORT = 13133
# Capabilities the non-root processes never need. Kept short of "ALL" on the containers ECS Exec
# enters: its agent runs as root there and AWS documents no minimal set (containers-roadmap#1360).
EXEC_CONTAINER_DROPPED_CAPABILITIES: tuple[str, ...] = (
    "AUDIT_WRITE",
    "MKNOD",
    "NET_BIND_SERVICE",
    "NET_RAW",
    "SETFCAP",
    "SETPCAP",
    "SYS_CHROOT",
)
CONTAINER_TMP = "/tmp"  # noqa: S108 - a path inside the container (a private tmpfs), not on this machine
# Where ECS Exec's agent writes inside a container (the workaround AWS documents for read-only roots).
EXEC_AGENT_PATHS: dict[str, str] = {"ssm-lib": "/var/lib/amazon", "ssm-log": "/var/log/amazon"}


@dataclass(frozen=True)
class Tmpfs:
    path: str
    size_mib: int


@dataclass(frozen=True)
class ContainerSpec:
    """What our image promises: the user it runs as, where it writes, how it says it is healthy."""

    name: str
    user: str
    port: int | None
    health_command: tuple[str, ...]
    health_start_period: int
    tmpfs: tuple[Tmpfs, ...]
    exec_enabled: bool
    """ECS Exec sessions can enter it (it has a shell)."""
    stop_timeout: int


def _frontend() -> ContainerSpec:
    spec = alb_plan.target(FRONTEND)
    url = f"http://127.0.0.1:{spec.port}{spec.health_path}"
    return ContainerSpec(
        name=FRONTEND,
        user="101:101",  # nginx in the official and nginx-unprivileged images
        port=spec.port,
        # curl (Debian images) or busybox wget (Alpine images): whichever the image has.
        health_command=("CMD-SHELL", f"curl -fsS -o /dev/null {url} || wget -q -O /dev/null {url} || exit 1"),
        health_start_period=10,
        tmpfs=(Tmpfs("/var/cache/nginx", 64), Tmpfs("/var/run", 1), Tmpfs(CONTAINER_TMP, 64)),
        exec_enabled=True,
        stop_timeout=15,
    )


def _backend() -> ContainerSpec:
    spec = alb_plan.target(BACKEND)
    url = f"http://127.0.0.1:{spec.port}{spec.health_path}"
    probe = (
        f"require('http').get('{url}',r=>process.exit(r.statusCode<400?0:1))"
        ".on('error',()=>process.exit(1)).setTimeout(4000,()=>process.exit(1))"
    )
    return ContainerSpec(
        name=BACKEND,
        user="1000:1000",  # `node` in the official Node images
        port=spec.port,
        health_command=("CMD", "node", "-e", probe),  # no shell or curl needed in the image
        health_start_period=30,
        tmpfs=(Tmpfs(CONTAINER_TMP, 64),),
        exec_enabled=True,
        stop_timeout=30,
    )


def _sidecar() -> ContainerSpec:
    return ContainerSpec(
        name=SIDECAR,
        user="10001:10001",  # the collector is a static binary in a scratch image: any uid works
        port=None,
        health_command=("CMD", "/healthcheck"),  # ADOT's probe of its health_check extension
        health_start_period=10,
        tmpfs=(Tmpfs(CONTAINER_TMP, 16),),
        exec_enabled=False,  # scratch image: no shell to exec into
        stop_timeout=30,  # flush the last batches after the backend stops
    )


CONTAINERS: dict[str, ContainerSpec] = {c.name: c for c in (_frontend(), _backend(), _sidecar())}


# --- sizes ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContainerSize:
    cpu: int
    """CPU units reserved (the shares of the task's CPU under contention)."""
    memory_reservation: int
    """Soft limit (MiB): what the container is sized for."""
    memory_limit: int | None
    """Hard limit (MiB), only on the non-essential sidecar: it must never starve the application."""


def split_task(cpu: int, memory: int) -> dict[str, ContainerSize]:
    """Divide the task's CPU and memory: an eighth each to nginx and the collector (64-512 MiB),
    the rest (three quarters or more) to the API. Errors name the config key and what is allowed."""
    key = "platform:compute.ecs"
    if cpu not in FARGATE_MEMORY_BY_CPU:
        raise ComputeError(
            f"{key}.cpu",
            cpu,
            f"is not a Fargate CPU size; allowed values: {', '.join(map(str, FARGATE_MEMORY_BY_CPU))}",
        )
    if not valid_fargate_pair(cpu, memory):
        raise ComputeError(f"{key}.memory", memory, f"is not valid with cpu {cpu}; {describe_memory_choices(cpu)}")
    small_memory = min(max(memory // 8, 64), 512)
    small_cpu = cpu // 8
    backend_memory = memory - 2 * small_memory
    backend_cpu = cpu - 2 * small_cpu
    return {
        FRONTEND: ContainerSize(small_cpu, small_memory, None),
        BACKEND: ContainerSize(backend_cpu, backend_memory, None),
        SIDECAR: ContainerSize(small_cpu, small_memory, min(2 * small_memory, memory)),
    }


# --- inputs --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DatabaseSettings:
    host: str
    port: int
    name: str
    engine: str
    secret_arn: str
    """RDS-managed master secret: JSON with `username` and `password`."""


@dataclass(frozen=True)
class CacheSettings:
    host: str
    port: int
    auth_secret_arn: str | None
    """The Redis AUTH token, the whole secret string."""


@dataclass(frozen=True)
class TaskInputs:
    """Plain values (outputs already resolved) the container definitions are made of."""

    region: str
    environment: str
    project: str
    image_tag: str
    repository_urls: Mapping[str, str]
    log_group: str
    database: DatabaseSettings
    cache: CacheSettings | None
    assets_bucket: str | None
    sizes: Mapping[str, ContainerSize]
    metrics_namespace: str
    extra_environment: Mapping[str, str] = field(default_factory=dict)


def secret_ref(arn: str, json_key: str | None = None) -> str:
    """`valueFrom` of a Secrets Manager secret, or of one JSON key of it (`<arn>:<key>::`)."""
    if not arn.startswith("arn:") or ":secretsmanager:" not in arn:
        raise ValueError(f"{arn!r} is not a Secrets Manager secret ARN")
    return f"{arn}:{json_key}::" if json_key else arn


def volume_name(container: str, purpose: str) -> str:
    return f"{container}-{purpose}"


def task_volumes() -> list[str]:
    """Task-level (ephemeral, bind-mount) volumes: ECS Exec's agent directories per container."""
    return [volume_name(c.name, p) for c in CONTAINERS.values() if c.exec_enabled for p in EXEC_AGENT_PATHS]


# --- the collector -------------------------------------------------------------------------------


def collector_config(*, region: str, log_group: str, namespace: str, environment: str) -> dict[str, Any]:
    """ADOT collector configuration: OTLP in on loopback only; traces to X-Ray, metrics to CloudWatch
    as EMF in the application log group. No receiver listens beyond the task."""
    return {
        "extensions": {"health_check": {"endpoint": f"localhost:{COLLECTOR_HEALTH_PORT}"}},
        "receivers": {
            "otlp": {
                "protocols": {
                    "grpc": {"endpoint": f"127.0.0.1:{OTLP_GRPC_PORT}"},
                    "http": {"endpoint": f"127.0.0.1:{OTLP_HTTP_PORT}"},
                }
            }
        },
        "processors": {
            # Relative to the container's hard memory limit (cgroup), so it follows the task size.
            "memory_limiter": {"check_interval": "1s", "limit_percentage": 80, "spike_limit_percentage": 25},
            "resourcedetection": {"detectors": ["env", "ecs"], "timeout": "2s", "override": False},
            "resource": {
                "attributes": [
                    {"key": "deployment.environment.name", "value": environment, "action": "upsert"},
                ]
            },
            "batch/traces": {"timeout": "1s", "send_batch_size": 50},
            "batch/metrics": {"timeout": "60s"},
        },
        "exporters": {
            "awsxray": {"region": region},
            "awsemf": {
                "region": region,
                "namespace": namespace,
                "log_group_name": log_group,
                "log_stream_name": "otel-emf/{TaskId}",
                "dimension_rollup_option": "NoDimensionRollup",
            },
        },
        "service": {
            "extensions": ["health_check"],
            "telemetry": {"logs": {"level": "warn"}, "metrics": {"level": "none"}},
            "pipelines": {
                "traces": {
                    "receivers": ["otlp"],
                    "processors": ["memory_limiter", "resourcedetection", "resource", "batch/traces"],
                    "exporters": ["awsxray"],
                },
                "metrics": {
                    "receivers": ["otlp"],
                    "processors": ["memory_limiter", "resourcedetection", "resource", "batch/metrics"],
                    "exporters": ["awsemf"],
                },
            },
        },
    }


# --- container definitions -----------------------------------------------------------------------


def _env(values: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"name": k, "value": v} for k, v in sorted(values.items())]


def _log_configuration(inputs: TaskInputs) -> dict[str, Any]:
    return {
        "logDriver": "awslogs",
        "options": {
            "awslogs-group": inputs.log_group,
            "awslogs-region": inputs.region,
            "awslogs-stream-prefix": LOG_STREAM_PREFIX,
            # A CloudWatch Logs hiccup must never block the application's writes to stdout.
            "mode": "non-blocking",
            "max-buffer-size": "25m",
        },
    }


def _base(spec: ContainerSpec, inputs: TaskInputs) -> dict[str, Any]:
    size = inputs.sizes[spec.name]
    repository = inputs.repository_urls[spec.name]
    container: dict[str, Any] = {
        "name": spec.name,
        "image": f"{repository}:{inputs.image_tag}",
        "essential": spec.name != SIDECAR,
        "user": spec.user,
        "readonlyRootFilesystem": True,
        "cpu": size.cpu,
        "memoryReservation": size.memory_reservation,
        "stopTimeout": spec.stop_timeout,
        "healthCheck": {
            "command": list(spec.health_command),
            "interval": 15,
            "timeout": 5,
            "retries": 3,
            "startPeriod": spec.health_start_period,
        },
        "linuxParameters": {
            "initProcessEnabled": True,
            "capabilities": {"drop": list(EXEC_CONTAINER_DROPPED_CAPABILITIES) if spec.exec_enabled else ["ALL"]},
            "tmpfs": [
                {"containerPath": t.path, "size": t.size_mib, "mountOptions": ["nosuid", "nodev", "noexec"]}
                for t in spec.tmpfs
            ],
        },
        "mountPoints": [
            {"sourceVolume": volume_name(spec.name, purpose), "containerPath": path, "readOnly": False}
            for purpose, path in EXEC_AGENT_PATHS.items()
        ]
        if spec.exec_enabled
        else [],
        "logConfiguration": _log_configuration(inputs),
        "portMappings": [
            {"name": f"{spec.name}-http", "containerPort": spec.port, "protocol": "tcp", "appProtocol": "http"}
        ]
        if spec.port is not None
        else [],
        "environment": [],
        "secrets": [],
    }
    if size.memory_limit is not None:
        container["memory"] = size.memory_limit
    return container


def container_definitions(inputs: TaskInputs) -> list[dict[str, Any]]:
    """The three container definitions, in start order (sidecar, backend, frontend)."""
    missing = [c for c in CONTAINER_NAMES if c not in inputs.repository_urls]
    if missing:
        raise ComputeError(
            "platform:ecr.repositories",
            sorted(inputs.repository_urls),
            f"has no repository for {missing}; the ECS task needs {list(CONTAINER_NAMES)}",
        )

    sidecar = _base(CONTAINERS[SIDECAR], inputs)
    sidecar["environment"] = _env(
        {
            "AWS_REGION": inputs.region,
            "AOT_CONFIG_CONTENT": yaml.safe_dump(
                collector_config(
                    region=inputs.region,
                    log_group=inputs.log_group,
                    namespace=inputs.metrics_namespace,
                    environment=inputs.environment,
                ),
                sort_keys=False,
            ),
        }
    )
    # A crashed collector comes back in place instead of leaving the task without telemetry.
    sidecar["restartPolicy"] = {"enabled": True, "restartAttemptPeriod": 60}

    backend = _base(CONTAINERS[BACKEND], inputs)
    db = inputs.database
    env = {
        "NODE_ENV": "production",
        "PORT": str(CONTAINERS[BACKEND].port),
        "AWS_REGION": inputs.region,
        "DB_ENGINE": db.engine,
        "DB_HOST": db.host,
        "DB_PORT": str(db.port),
        "DB_NAME": db.name,
        "DB_SSL": "require",
        "OTEL_SERVICE_NAME": BACKEND,
        "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{OTLP_HTTP_PORT}",
        "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
        "OTEL_RESOURCE_ATTRIBUTES": f"service.namespace={inputs.project},deployment.environment.name={inputs.environment}",
    }
    secrets = [
        {"name": "DB_USERNAME", "valueFrom": secret_ref(db.secret_arn, "username")},
        {"name": "DB_PASSWORD", "valueFrom": secret_ref(db.secret_arn, "password")},
    ]
    if inputs.cache is not None:
        env |= {"REDIS_HOST": inputs.cache.host, "REDIS_PORT": str(inputs.cache.port), "REDIS_TLS": "true"}
        if inputs.cache.auth_secret_arn is not None:
            secrets.append({"name": "REDIS_AUTH_TOKEN", "valueFrom": secret_ref(inputs.cache.auth_secret_arn)})
    if inputs.assets_bucket is not None:
        env["ASSETS_BUCKET"] = inputs.assets_bucket
    clash = sorted(set(inputs.extra_environment) & ({*env} | {s["name"] for s in secrets}))
    if clash:
        raise ValueError(f"extra environment variables {clash} would override the platform's own")
    backend["environment"] = _env({**env, **inputs.extra_environment})
    backend["secrets"] = secrets
    # Start after the collector so the first spans have somewhere to go; do not wait for it to be
    # healthy: telemetry must never hold the API back.
    backend["dependsOn"] = [{"containerName": SIDECAR, "condition": "START"}]

    frontend = _base(CONTAINERS[FRONTEND], inputs)
    # The web app calls /api as soon as it loads: serve it only once the API answers.
    frontend["dependsOn"] = [{"containerName": BACKEND, "condition": "HEALTHY"}]

    return [sidecar, backend, frontend]


def container_definitions_json(inputs: TaskInputs) -> str:
    return json.dumps(container_definitions(inputs), sort_keys=True)


def secret_arns(definitions: Sequence[Mapping[str, Any]]) -> set[str]:
    """The secrets (bare ARNs) the definitions inject: what the execution role must be able to read."""
    out: set[str] = set()
    for container in definitions:
        for secret in container.get("secrets") or []:
            value = str(secret["valueFrom"])
            parts = value.split(":")
            out.add(":".join(parts[:7]))  # arn:aws:secretsmanager:<region>:<account>:secret:<name-suffix>
    return out
