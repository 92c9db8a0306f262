"""Reading a capture the way a stack policy would: by type, by component, through dependencies."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

from offline_preview import Capture, CapturedResource, run_program
from secure_platform.config import load_config
from secure_platform.config.stack_files import stack_file_values
from secure_platform.platform import Foundation, build_foundation
from tests import stack_runs

REPO = Path(__file__).resolve().parents[2]

BACKEND = "platform:index:BackendState"
SECURITY = "platform:index:Security"
NETWORKING = "platform:index:Networking"
SECURE_BUCKET = "platform:index:SecureBucket"
MONITORING = "platform:index:Monitoring"
STORAGE = "platform:index:Storage"
ECR = "platform:index:Ecr"

KEY = "aws:kms/key:Key"
BUCKET = "aws:s3/bucket:Bucket"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
SUBNET = "aws:ec2/subnet:Subnet"
ROUTE = "aws:ec2/route:Route"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
RT_ASSOC = "aws:ec2/routeTableAssociation:RouteTableAssociation"
NAT = "aws:ec2/natGateway:NatGateway"
IGW = "aws:ec2/internetGateway:InternetGateway"
SG = "aws:ec2/securityGroup:SecurityGroup"
SG_IN = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SG_OUT = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
NACL = "aws:ec2/networkAcl:NetworkAcl"
NACL_RULE = "aws:ec2/networkAclRule:NetworkAclRule"
NACL_ASSOC = "aws:ec2/networkAclAssociation:NetworkAclAssociation"
ADDON = "aws:eks/addon:Addon"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TOPIC = "aws:sns/topic:Topic"
RDS = "aws:rds/instance:Instance"
REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
SECRET = "aws:secretsmanager/secret:Secret"
REPOSITORY = "aws:ecr/repository:Repository"
VAULT = "aws:backup/vault:Vault"
PROVIDER = "pulumi:providers:aws"


def build_core() -> Foundation:
    """The first three components, wired exactly as the stack program wires them."""
    return build_foundation(load_config())


def core_program() -> Callable[[], None]:
    """The first three components alone (tier 0 and the start of tier 1)."""

    def program() -> None:
        build_core()

    return program


def run_core(stack: str, config: dict[str, Any] | None = None) -> Capture:
    return run_program(REPO, stack, config=config, program=core_program(), mode="up")


def stack_capture(stack: str) -> Capture:
    """The whole stack program (`__main__.py`) with up semantics, once per stack and test session."""
    return stack_runs.stack_capture(stack, "up")


@cache
def stack_file_config(stack: str) -> dict[str, Any]:
    """`config:` of `Pulumi.<stack>.yaml` (namespace:key -> value)."""
    return stack_file_values(REPO / f"Pulumi.{stack}.yaml", stack)


def variant_capture(stack: str, section: str, **changes: Any) -> Capture:
    """The whole stack program with some keys of one config section (`platform:<section>`) changed."""
    key = f"platform:{section}"
    return run_program(REPO, stack, config={key: {**stack_file_config(stack)[key], **changes}}, mode="up")


def provider_region(capture: Capture, resource: CapturedResource) -> str:
    """The Region a resource is created in (its explicit provider's)."""
    provider = capture.by_urn()[resource.provider or ""]
    return str(provider.inputs["region"])


# --- navigation ----------------------------------------------------------------------------------


def of_type(capture: Capture, type_: str, component: str | None = None) -> list[CapturedResource]:
    out = capture.of_type(type_)
    if component is None:
        return out
    return [r for r in out if in_component(capture, r, component)]


def in_component(capture: Capture, resource: CapturedResource, component: str) -> bool:
    index = capture.by_urn()
    current = index.get(resource.parent or "")
    while current is not None:
        if current.type == component:
            return True
        current = index.get(current.parent or "")
    return False


def refs(capture: Capture, resource: CapturedResource, prop: str) -> list[CapturedResource]:
    """The resources an input was computed from (as CrossGuard stack policies link them)."""
    index = capture.by_urn()
    return [index[u] for u in resource.property_dependencies.get(prop, []) if u in index]


def ref(capture: Capture, resource: CapturedResource, prop: str) -> CapturedResource:
    found = refs(capture, resource, prop)
    assert len(found) == 1, f"{resource.urn}: {prop} depends on {[r.urn for r in found]}"
    return found[0]


def referencing(capture: Capture, target: CapturedResource, type_: str, prop: str) -> Iterator[CapturedResource]:
    """Resources of `type_` whose `prop` was computed from `target`."""
    for r in capture.of_type(type_):
        if target.urn in r.property_dependencies.get(prop, []):
            yield r


# --- policies ------------------------------------------------------------------------------------


def statements(policy: str | dict[str, Any]) -> list[dict[str, Any]]:
    doc = json.loads(policy) if isinstance(policy, str) else policy
    stmts = doc["Statement"]
    return [stmts] if isinstance(stmts, dict) else list(stmts)


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]
