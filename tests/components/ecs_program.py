"""Compute on ECS Fargate under the SDK mocks, wired to the real BackendState, Security and
Networking, with small stand-ins for Storage, ECR and Monitoring (built in parallel elsewhere); and
how the ECS tests (tests/components/test_compute_ecs_*.py) read its capture."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_aws as aws

from offline_preview import Capture, CapturedResource, run_program
from secure_platform.compute.component import Compute, ComputeArgs
from secure_platform.config.stack_files import stack_file_values
from secure_platform.core.refs import BucketRef, CacheEndpoint, DatabaseEndpoint, LogGroupRef, RepositoryRef, SecretRef
from secure_platform.security.component import Security
from tests.components.helpers import REPO, ROLE_POLICY, SECURITY, as_list, build_core, of_type, statements

COMPUTE = "platform:index:Compute"
STANDINS = "test:index:Upstream"
CLUSTER = "aws:ecs/cluster:Cluster"
SERVICE = "aws:ecs/service:Service"
TASK = "aws:ecs/taskDefinition:TaskDefinition"
TARGET = "aws:appautoscaling/target:Target"
POLICY = "aws:appautoscaling/policy:Policy"
SCHEDULED = "aws:appautoscaling/scheduledAction:ScheduledAction"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
SECRET = "aws:secretsmanager/secret:Secret"
REPOSITORY = "aws:ecr/repository:Repository"
STACKS = ("dev", "staging", "prod")
STACK_FILES = {s: stack_file_values(REPO / f"Pulumi.{s}.yaml", s) for s in STACKS}


LIFECYCLE = json.dumps(
    {
        "rules": [
            {
                "rulePriority": 1,
                "description": "expire untagged images",
                "selection": {
                    "tagStatus": "untagged",
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": 7,
                },
                "action": {"type": "expire"},
            }
        ]
    }
)


class Upstream(pulumi.ComponentResource):
    """Stands in for Storage, ECR and Monitoring: real resources where grants and policies follow
    them (secrets, repositories, the application log group), plain outputs elsewhere."""

    def __init__(self, cfg, security: Security, opts: pulumi.ResourceOptions) -> None:
        super().__init__(STANDINS, "upstream", None, opts)
        child = pulumi.ResourceOptions(parent=self)
        kept = pulumi.ResourceOptions(parent=self, protect=cfg.protect, retain_on_delete=cfg.protect)
        naming = cfg.naming
        keys = security.keys
        app_logs = aws.cloudwatch.LogGroup(
            "application",
            name=naming.log_group("application"),
            retention_in_days=cfg.monitoring.log_retention_days,
            kms_key_id=keys.logs.arn,
            opts=child,
        )
        self.application_log_group = LogGroupRef(name=app_logs.name, arn=app_logs.arn)
        db_secret = aws.secretsmanager.Secret("db-master", kms_key_id=keys.secrets.arn, opts=kept)
        # Stand-ins rotate as the real ones do (RDS every 7 days, Storage through keepers).
        rotate = f"arn:aws:lambda:{cfg.region}:123456789012:function:rotate"
        aws.secretsmanager.SecretRotation(
            "db-master",
            secret_id=db_secret.id,
            rotation_lambda_arn=rotate,
            rotation_rules={"automatically_after_days": 7},
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.database = DatabaseEndpoint(
            address=pulumi.Output.from_input(f"{naming.db_identifier}.abcdefghijkl.{cfg.region}.rds.amazonaws.com"),
            port=pulumi.Output.from_input(5432),
            engine=cfg.database.engine,
            database_name=cfg.database.database_name,
            master_secret=SecretRef(arn=db_secret.arn, kms_key=keys.secrets),
        )
        self.cache: CacheEndpoint | None = None
        if cfg.cache.provider == "elasticache":
            auth = aws.secretsmanager.Secret("cache-auth", kms_key_id=keys.secrets.arn, opts=kept)
            aws.secretsmanager.SecretRotation(
                "cache-auth",
                secret_id=auth.id,
                rotation_lambda_arn=rotate,
                rotation_rules={"automatically_after_days": 30},
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.cache = CacheEndpoint(
                address=pulumi.Output.from_input(f"master.{naming.cache_replication_group_id}.cache.amazonaws.com"),
                port=6379,
                auth_secret=SecretRef(arn=auth.arn, kms_key=keys.secrets),
            )
        assets = naming.bucket("assets", "123456789012")
        self.assets_bucket = BucketRef(
            name=pulumi.Output.from_input(assets),
            arn=pulumi.Output.from_input(f"arn:aws:s3:::{assets}"),
            region=cfg.region,
            kms_key=keys.data,
        )
        self.repositories: dict[str, RepositoryRef] = {}
        for service in cfg.ecr.repositories:
            repo = aws.ecr.Repository(
                service,
                name=naming.ecr_repository(service),
                image_tag_mutability="IMMUTABLE",
                image_scanning_configuration={"scan_on_push": True},
                encryption_configurations=[{"encryption_type": "KMS", "kms_key": keys.data.arn}],
                opts=kept,
            )
            aws.ecr.LifecyclePolicy(service, repository=repo.name, policy=LIFECYCLE, opts=child)
            self.repositories[service] = RepositoryRef(
                arn=repo.arn, name=repo.name, url=repo.repository_url, kms_key=keys.data
            )
        self.register_outputs({})


def compute_program(mutate: Callable[[ComputeArgs], ComputeArgs] | None = None) -> Callable[[], None]:
    def program() -> None:
        core = build_core()
        cfg, opts, security, network = core.config, core.opts, core.security, core.network
        up = Upstream(cfg, security, opts)
        args = ComputeArgs.from_config(
            cfg,
            network=network,
            security=security,
            database=up.database,
            cache=up.cache,
            assets_bucket=up.assets_bucket,
            repositories=up.repositories,
            application_log_group=up.application_log_group,
        )
        compute = Compute("compute", mutate(args) if mutate else args, opts=opts)
        pulumi.export("backendUrl", compute.backend_url)
        pulumi.export("clusterName", compute.cluster_name)
        pulumi.export("serviceName", compute.service_name)

    return program


def run_compute(stack: str, config: dict[str, Any] | None = None, mutate=None) -> Capture:
    """The stack's own config on ECS (staging and prod run EKS by default)."""
    config = dict(config or {})
    compute = dict(config.get("platform:compute") or STACK_FILES[stack]["platform:compute"])
    config["platform:compute"] = {**compute, "platform": "ecs"}
    return run_program(REPO, stack, config=config, program=compute_program(mutate), mode="up")


@functools.cache
def capture_of(stack: str) -> Capture:
    return run_compute(stack)


# --- reading the capture --------------------------------------------------------------------------


def one(capture: Capture, type_: str) -> CapturedResource:
    (found,) = of_type(capture, type_, COMPUTE)
    return found


def containers(capture: Capture) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in json.loads(one(capture, TASK).inputs["containerDefinitions"])}


def role_named(capture: Capture, name: str) -> CapturedResource:
    (role,) = [r for r in of_type(capture, "aws:iam/role:Role", SECURITY) if r.name == name]
    return role


def policies_on(capture: Capture, role: CapturedResource) -> list[CapturedResource]:
    return [p for p in capture.of_type(ROLE_POLICY) if role.urn in p.property_dependencies.get("role", [])]


def allows(capture: Capture, role: CapturedResource) -> list[dict[str, Any]]:
    return [s for p in policies_on(capture, role) for s in statements(p.inputs["policy"]) if s["Effect"] == "Allow"]


def actions_on(capture: Capture, role: CapturedResource, prefix: str) -> dict[str, set[str]]:
    """action -> resources, for the role's actions starting with `prefix`."""
    out: dict[str, set[str]] = {}
    for stmt in allows(capture, role):
        for action in as_list(stmt["Action"]):
            if action.startswith(prefix):
                out.setdefault(action, set()).update(as_list(stmt["Resource"]))
    return out


def load_naming(capture: Capture):
    from secure_platform.core.naming import Naming

    return Naming(project=capture.project, environment=capture.config["platform:environment"], region="us-east-1")


def one_component(capture: Capture) -> CapturedResource:
    (component,) = of_type(capture, COMPUTE)
    return component
