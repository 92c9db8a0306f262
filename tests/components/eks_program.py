"""An inline program that builds the EKS platform under a test-only parent component, and how the
EKS tests (tests/components/test_compute_eks_*.py) read its capture.

Storage, ECR and Monitoring are built on other branches; their handles are stood in for by
constant outputs in the real ARN formats (nothing is registered for them), so the capture holds
exactly the core components and what `compute.eks.build` creates.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pulumi

from offline_preview import Capture, CapturedResource, run_program
from secure_platform.compute.component import ComputeArgs
from secure_platform.compute.eks.component import EksOutputs, build
from secure_platform.config import EksConfig
from secure_platform.config.stack_files import stack_file_values
from secure_platform.core.refs import CacheEndpoint, DatabaseEndpoint, LogGroupRef, RepositoryRef, SecretRef, TopicRef
from secure_platform.networking.component import runner_security_groups as network_runner_groups
from tests.components.helpers import build_core, statements

REPO = Path(__file__).resolve().parents[2]
ACCOUNT = "123456789012"
TEST_COMPUTE = "test:index:Compute"


class TestCompute(pulumi.ComponentResource):
    """Stands in for the `Compute` component (written on another branch)."""

    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TEST_COMPUTE, name, None, opts)


def stack_config(stack: str) -> dict[str, Any]:
    raw = stack_file_values(REPO / f"Pulumi.{stack}.yaml", stack)
    return copy.deepcopy(raw)


def eks_config(stack: str, **compute_eks: Any) -> dict[str, Any]:
    """The stack file's values with `compute.platform: eks` (and `compute.eks` overrides)."""
    raw = stack_config(stack)
    compute = raw["platform:compute"]
    compute["platform"] = "eks"
    compute["eks"] = {**compute["eks"], **compute_eks}
    return {"platform:compute": compute}


def eks_program(sink: dict[str, EksOutputs] | None = None) -> Callable[[], None]:
    def program() -> None:
        core = build_core()
        cfg, opts, security, network = core.config, core.opts, core.security, core.network
        region, naming = cfg.region, cfg.naming
        const = pulumi.Output.from_input
        secret = SecretRef(
            arn=const(
                f"arn:aws:secretsmanager:{region}:{ACCOUNT}:secret:rds!db-0f0e0d0c-aaaa-bbbb-cccc-0123456789ab-AbCdEf"
            ),
            kms_key=security.keys.secrets,
        )
        database = DatabaseEndpoint(
            address=const(f"{naming.db_identifier}.abcdefghijkl.{region}.rds.amazonaws.com"),
            port=const(5432 if cfg.database.engine == "postgres" else 3306),
            engine=cfg.database.engine,
            database_name=cfg.database.database_name,
            master_secret=secret,
        )
        cache_endpoint = None
        if cfg.cache.provider == "elasticache":
            cache_endpoint = CacheEndpoint(
                address=const(f"master.{naming.cache_replication_group_id}.abc123.use1.cache.amazonaws.com"),
                port=6379,
                auth_secret=SecretRef(
                    arn=const(f"arn:aws:secretsmanager:{region}:{ACCOUNT}:secret:{naming.prefix}-redis-auth-XyZ123"),
                    kms_key=security.keys.secrets,
                ),
            )
        repositories = {
            name: RepositoryRef(
                arn=const(f"arn:aws:ecr:{region}:{ACCOUNT}:repository/{naming.ecr_repository(name)}"),
                name=const(naming.ecr_repository(name)),
                url=const(f"{ACCOUNT}.dkr.ecr.{region}.amazonaws.com/{naming.ecr_repository(name)}"),
                kms_key=security.keys.data,
            )
            for name in cfg.ecr.repositories
        }
        app_logs = naming.log_group("application")
        system_logs = naming.log_group("system")
        compute = TestCompute("compute", opts)
        args = ComputeArgs.from_config(
            cfg,
            network=network,
            security=security,
            database=database,
            cache=cache_endpoint,
            assets_bucket=None,
            repositories=repositories,
            application_log_group=LogGroupRef(
                name=const(app_logs), arn=const(f"arn:aws:logs:{region}:{ACCOUNT}:log-group:{app_logs}")
            ),
            alert_topics={
                tier: TopicRef(
                    arn=const(f"arn:aws:sns:{region}:{ACCOUNT}:{naming.prefix}-alarms-{tier}"),
                    name=const(f"{naming.prefix}-alarms-{tier}"),
                    kms_key=security.keys.logs,
                )
                for tier in ("critical", "warning", "info")
            },
            system_log_group=LogGroupRef(
                name=const(system_logs), arn=const(f"arn:aws:logs:{region}:{ACCOUNT}:log-group:{system_logs}")
            ),
            runner_security_group_ids=network_runner_groups(cfg),
        )
        out = build(compute, args)
        if sink is not None:
            sink["outputs"] = out
        pulumi.export("clusterName", out.cluster_name)
        pulumi.export("kubeconfig", out.kubeconfig)
        pulumi.export("spotInstanceTypes", out.spot.instance_types)
        pulumi.export("spotAvailabilityZones", out.spot.availability_zones)
        pulumi.export("nodeGroups", out.node_group_names)

    return program


def run_eks(stack: str, config: dict[str, Any] | None = None) -> Capture:
    return run_program(REPO, stack, config=config, program=eks_program(), mode="up")


@cache
def eks_capture(stack: str, variant: str = "") -> Capture:
    """Cached captures: `variant` selects a config beyond the stack file's values."""
    config = eks_config(stack)
    if variant == "in-cluster-cache":
        raw = stack_config(stack)
        config["platform:cache"] = {**raw["platform:cache"], "provider": "in-cluster"}
    elif variant == "public-endpoint":
        config = eks_config(
            stack,
            endpointPublicAccessCidrs=["203.0.113.0/24"],
            adminRoleArns=[f"arn:aws:iam::{ACCOUNT}:role/platform-admins"],
            apiClientSecurityGroupIds=["sg-0123456789abcdef0"],
        )
    elif variant == "read-only":
        config = eks_config(stack, readOnlyRoleArns=[f"arn:aws:iam::{ACCOUNT}:role/ci-preview"])
    elif variant:
        raise ValueError(variant)
    return run_eks(stack, config)


# --- reading the capture --------------------------------------------------------------------------

CLUSTER = "eks:index:Cluster"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
ADDON = "aws:eks/addon:Addon"
SELECTION = "pulumi-python:dynamic/spot:SpotInstanceSelection"
RELEASE = "kubernetes:helm.sh/v3:Release"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
STATEFULSET = "kubernetes:apps/v1:StatefulSet"
HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
PDB = "kubernetes:policy/v1:PodDisruptionBudget"
NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
TGB = "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding"
SERVICE = "kubernetes:core/v1:Service"
NAMESPACE = "kubernetes:core/v1:Namespace"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"

STACKS = ("prod", "staging")


def one(capture: Capture, type_: str, name: str | None = None) -> CapturedResource:
    found = [r for r in capture.of_type(type_) if name is None or r.name == name]
    assert len(found) == 1, (type_, name, [r.name for r in found])
    return found[0]


def pod_spec(r: CapturedResource) -> dict:
    return r.inputs["spec"]["template"]["spec"]


def containers(r: CapturedResource) -> list[dict]:
    spec = pod_spec(r)
    return [*spec.get("initContainers", []), *spec["containers"]]


def eks_cfg(stack: str) -> EksConfig:
    return EksConfig.model_validate(stack_config(stack)["platform:compute"]["eks"])


def irsa_subject(capture: Capture, role: CapturedResource) -> str:
    (trust,) = statements(role.inputs["assumeRolePolicy"])
    assert trust["Action"] == "sts:AssumeRoleWithWebIdentity"
    (issuer_claim,) = [k for k in trust["Condition"]["StringEquals"] if k.endswith(":sub")]
    assert trust["Condition"]["StringEquals"][issuer_claim.replace(":sub", ":aud")] == "sts.amazonaws.com"
    return trust["Condition"]["StringEquals"][issuer_claim]
