"""The Fargate task plan: sizes that fit every valid task, hardened containers, secrets only by
reference, ports and health paths from the load balancer's plan, a collector that listens on
loopback only."""

from __future__ import annotations

import dataclasses

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from secure_platform.compute.ecs import task_plan
from secure_platform.compute.ecs.fargate import FARGATE_MEMORY_BY_CPU
from secure_platform.compute.ecs.task_plan import (
    BACKEND,
    CONTAINER_NAMES,
    FRONTEND,
    SIDECAR,
    CacheSettings,
    DatabaseSettings,
    TaskInputs,
    collector_config,
    container_definitions,
    secret_arns,
    secret_ref,
    split_task,
)
from secure_platform.networking import alb_plan

DB_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-0a1b2c3d-AbCdEf"
CACHE_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:platform-dev-redis-auth-XyZ123"
VALID_PAIRS = [(c, m) for c, ms in FARGATE_MEMORY_BY_CPU.items() for m in ms]


def inputs(**overrides) -> TaskInputs:
    values = {
        "region": "us-east-1",
        "environment": "dev",
        "project": "platform",
        "image_tag": "1.4.2",
        "repository_urls": {
            n: f"123456789012.dkr.ecr.us-east-1.amazonaws.com/platform/dev/{n}"
            for n in (*CONTAINER_NAMES, "api-gateway")
        },
        "log_group": "/platform/dev/application",
        "database": DatabaseSettings("db.internal", 5432, "app", "postgres", DB_SECRET),
        "cache": CacheSettings("cache.internal", 6379, CACHE_SECRET),
        "assets_bucket": "platform-dev-assets-123456789012-us-east-1",
        "sizes": split_task(512, 1024),
        "metrics_namespace": "platform-dev/app",
    }
    return TaskInputs(**(values | overrides))


DEFS = {c["name"]: c for c in container_definitions(inputs())}


# --- sizes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("cpu", "memory"), VALID_PAIRS)
def test_split_fits_every_valid_fargate_task(cpu, memory):
    sizes = split_task(cpu, memory)
    assert set(sizes) == set(CONTAINER_NAMES)
    assert sum(s.cpu for s in sizes.values()) <= cpu
    assert sum(s.memory_reservation for s in sizes.values()) <= memory
    # The API gets at least three quarters of the task.
    assert sizes[BACKEND].memory_reservation >= memory * 3 // 4 and sizes[BACKEND].cpu >= cpu * 3 // 4
    # Only the non-essential collector has a hard limit, and it fits in the task.
    assert sizes[SIDECAR].memory_limit is not None and sizes[SIDECAR].memory_limit <= memory
    assert sizes[FRONTEND].memory_limit is None and sizes[BACKEND].memory_limit is None


# --- hardening -----------------------------------------------------------------------------------


def test_every_container_is_non_root_read_only_and_health_checked():
    assert list(DEFS) == [SIDECAR, BACKEND, FRONTEND]
    for name, c in DEFS.items():
        uid = c["user"].split(":")[0]
        assert uid.isdigit() and int(uid) > 0, name
        assert c["readonlyRootFilesystem"] is True, name
        assert c["healthCheck"]["command"][0] in ("CMD", "CMD-SHELL"), name
        assert c["healthCheck"]["timeout"] < c["healthCheck"]["interval"], name
        assert "privileged" not in c
        assert c["linuxParameters"]["initProcessEnabled"] is True
        assert not c["linuxParameters"]["capabilities"].get("add"), name
        assert c["logConfiguration"]["logDriver"] == "awslogs"
        assert c["logConfiguration"]["options"]["awslogs-group"] == "/platform/dev/application"
        assert c["logConfiguration"]["options"]["mode"] == "non-blocking"
        assert c["image"].endswith(f"/platform/dev/{name}:1.4.2")


def test_nginx_writes_only_to_tmpfs_and_exec_agents_to_their_own_volumes():
    tmpfs = {t["containerPath"] for t in DEFS[FRONTEND]["linuxParameters"]["tmpfs"]}
    assert tmpfs == {"/var/cache/nginx", "/var/run", "/tmp"}
    for c in DEFS.values():
        for t in c["linuxParameters"]["tmpfs"]:
            assert {"nosuid", "nodev", "noexec"} <= set(t["mountOptions"]) and 0 < t["size"] <= 64
    exec_mounts = {(c["name"], m["containerPath"], m["sourceVolume"]) for c in DEFS.values() for m in c["mountPoints"]}
    assert exec_mounts == {
        (n, path, f"{n}-{purpose}") for n in (FRONTEND, BACKEND) for purpose, path in task_plan.EXEC_AGENT_PATHS.items()
    }
    assert set(task_plan.task_volumes()) == {v for _, _, v in exec_mounts}
    assert DEFS[SIDECAR]["linuxParameters"]["capabilities"]["drop"] == ["ALL"]


def test_ports_and_health_paths_are_the_load_balancers():
    for target in alb_plan.TARGETS:
        c = DEFS[target.name]
        assert [p["containerPort"] for p in c["portMappings"]] == [target.port]
        assert f"http://127.0.0.1:{target.port}{target.health_path}" in " ".join(c["healthCheck"]["command"])
    assert DEFS[FRONTEND]["portMappings"][0]["containerPort"] >= 1024  # a non-root process can bind it
    assert DEFS[SIDECAR]["portMappings"] == []


def test_start_order_and_essential_containers():
    assert DEFS[BACKEND]["dependsOn"] == [{"containerName": SIDECAR, "condition": "START"}]
    assert DEFS[FRONTEND]["dependsOn"] == [{"containerName": BACKEND, "condition": "HEALTHY"}]
    assert DEFS[FRONTEND]["essential"] and DEFS[BACKEND]["essential"]
    assert DEFS[SIDECAR]["essential"] is False and DEFS[SIDECAR]["restartPolicy"]["enabled"] is True


# --- secrets -------------------------------------------------------------------------------------


def test_rotating_credentials_reach_the_backend_as_secret_arns_it_reads_at_connection_time():
    """ECS injects `secrets` only at task start and RDS rotates the master password every 7 days:
    the backend gets the secrets' ARNs and reads the values itself; no value is injected."""
    backend = DEFS[BACKEND]
    assert backend["secrets"] == []
    env = {e["name"]: e["value"] for e in backend["environment"]}
    assert env["DB_SECRET_ARN"] == DB_SECRET and env["REDIS_AUTH_SECRET_ARN"] == CACHE_SECRET
    for c in DEFS.values():
        names = {e["name"] for e in c["environment"]}
        assert not names & {"DB_PASSWORD", "DB_USERNAME", "REDIS_AUTH_TOKEN"}
        assert not any(w in n for n in names for w in ("PASSWORD", "TOKEN"))
    assert secret_arns(list(DEFS.values())) == set()


def test_a_secret_reference_must_be_a_secrets_manager_arn():
    with pytest.raises(ValueError):
        container_definitions(inputs(database=dataclasses.replace(inputs().database, secret_arn="hunter2")))


def test_no_cache_no_redis_settings_and_no_assets_bucket_no_variable():
    defs = {c["name"]: c for c in container_definitions(inputs(cache=None, assets_bucket=None))}
    env = {e["name"] for e in defs[BACKEND]["environment"]}
    assert not {n for n in env if n.startswith("REDIS_")} and "ASSETS_BUCKET" not in env
    assert "DB_SECRET_ARN" in env
    no_auth = container_definitions(inputs(cache=CacheSettings("c", 6379, None)))
    no_auth_env = {e["name"] for c in no_auth for e in c["environment"]}
    assert "REDIS_HOST" in no_auth_env and "REDIS_AUTH_SECRET_ARN" not in no_auth_env


def test_secret_ref_refuses_anything_but_a_secrets_manager_arn():
    assert secret_ref(DB_SECRET, "password") == f"{DB_SECRET}:password::"
    with pytest.raises(ValueError, match="not a Secrets Manager secret ARN"):
        secret_ref("hunter2")


def test_overriding_variables_are_clear_errors():
    with pytest.raises(ValueError, match="DB_SECRET_ARN"):
        container_definitions(inputs(extra_environment={"DB_SECRET_ARN": "x"}))


@given(tag=st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}", fullmatch=True))
def test_images_are_our_repositories_at_the_configured_tag(tag):
    for c in container_definitions(inputs(image_tag=tag)):
        assert c["image"] == f"123456789012.dkr.ecr.us-east-1.amazonaws.com/platform/dev/{c['name']}:{tag}"


# --- the collector -------------------------------------------------------------------------------


def test_collector_listens_on_loopback_only_and_exports_to_xray_and_cloudwatch():
    env = {e["name"]: e["value"] for e in DEFS[SIDECAR]["environment"]}
    config = yaml.safe_load(env["AOT_CONFIG_CONTENT"])
    assert config == collector_config(
        region="us-east-1", log_group="/platform/dev/application", namespace="platform-dev/app", environment="dev"
    )
    endpoints = [p["endpoint"] for p in config["receivers"]["otlp"]["protocols"].values()]
    endpoints.append(config["extensions"]["health_check"]["endpoint"])
    assert all(e.split(":")[0] in ("127.0.0.1", "localhost") for e in endpoints)
    assert config["exporters"]["awsemf"]["log_group_name"] == "/platform/dev/application"
    # Every pipeline names only defined components.
    for pipeline in config["service"]["pipelines"].values():
        assert set(pipeline["receivers"]) <= set(config["receivers"])
        assert set(pipeline["processors"]) <= set(config["processors"])
        assert set(pipeline["exporters"]) <= set(config["exporters"])
    assert config["service"]["pipelines"]["traces"]["exporters"] == ["awsxray"]
    assert config["service"]["pipelines"]["metrics"]["exporters"] == ["awsemf"]
    assert config["service"]["pipelines"]["traces"]["processors"][0] == "memory_limiter"
    backend_env = {e["name"]: e["value"] for e in DEFS[BACKEND]["environment"]}
    assert (
        backend_env["OTEL_EXPORTER_OTLP_ENDPOINT"]
        == f"http://{config['receivers']['otlp']['protocols']['http']['endpoint']}"
    )
