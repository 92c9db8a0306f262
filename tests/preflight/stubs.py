"""A stubbed AWS account for the preflight: botocore Stubbers whose responses are checked against
the services' own response shapes, and the stack facts the checks read."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import boto3
import yaml
from botocore.stub import ANY, Stubber

from secure_platform.preflight.facts import StackFacts, facts_from_raw, load_facts
from secure_platform.preflight.model import Context, Runner

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "210987654321"
CALLER = f"arn:aws:sts::{ACCOUNT}:assumed-role/platform-deploy/gh-deploy-prod-1"
RUNNER_SG = "sg-0a1b2c3d4e5f60718"
ZONE = "Z04217623ABCDEFGHIJKL"
NAME_SERVERS = ["ns-1.awsdns-01.org", "ns-2.awsdns-02.co.uk", "ns-3.awsdns-03.com", "ns-4.awsdns-04.net"]


class StubAccount:
    """`Clients` whose every call must have been queued with `add` (in call order per service)."""

    def __init__(self, region: str = "us-east-1") -> None:
        self.region = region
        self._clients: dict[str, Any] = {}
        self._stubbers: dict[str, Stubber] = {}
        self.actions: set[str] = set()
        """IAM actions of every call made (`<prefix>:<Operation>`; AWS names these APIs' actions alike)."""

    def client(self, service: str) -> Any:
        self._stubber(service)
        return self._clients[service]

    def _stubber(self, service: str) -> Stubber:
        if service not in self._stubbers:
            client = boto3.client(
                service,
                region_name="us-east-1" if service == "ce" else self.region,
                aws_access_key_id="testing",
                aws_secret_access_key="testing",
            )
            prefix = {"service-quotas": "servicequotas"}.get(service, service)

            def record(model: Any, **_: Any) -> None:
                self.actions.add(f"{prefix}:{model.name}")

            client.meta.events.register("before-parameter-build", record)
            stubber = Stubber(client)
            stubber.activate()
            self._clients[service], self._stubbers[service] = client, stubber
        return self._stubbers[service]

    def add(self, service: str, operation: str, response: dict[str, Any], params: dict[str, Any] | None = None) -> None:
        self._stubber(service).add_response(operation, response, params)

    def error(self, service: str, operation: str, code: str, status: int = 400, params: dict[str, Any] | None = None):
        self._stubber(service).add_client_error(operation, code, code, status, expected_params=params)

    def done(self) -> None:
        for stubber in self._stubbers.values():
            stubber.assert_no_pending_responses()


def raw_config(stack: str) -> dict[str, Any]:
    return yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]


def network_runner_key_supported() -> bool:
    from secure_platform.preflight.reach import network_runner_key_supported as supported

    return supported()


def ready_config(stack: str = "prod") -> dict[str, Any]:
    """The shipped stack file with every placeholder replaced and the runner's group listed."""
    config = raw_config(stack)
    config["platform:domain"] = {"name": "app.acme-shop.io", "hostedZoneId": ZONE}
    config["platform:monitoring"]["alarmEmails"] = {
        "critical": ["oncall@acme-shop.io"],
        "warning": ["platform-team@acme-shop.io"] if stack == "prod" else [],
        "info": [],
    }
    if network_runner_key_supported():
        config["platform:network"]["runnerSecurityGroupIds"] = [RUNNER_SG]
    if config["platform:compute"]["platform"] == "eks":
        config["platform:compute"]["eks"]["apiClientSecurityGroupIds"] = [RUNNER_SG]
    return config


def write_stack_file(path: Path, config: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump({"config": config}, sort_keys=False))
    return path


def facts(stack: str = "prod", config: dict[str, Any] | None = None, **changes: Any) -> StackFacts:
    if config is None:
        base = load_facts(stack)
    else:
        from secure_platform.config.stack_files import _as_sdk_value

        base = facts_from_raw({k: _as_sdk_value(v) for k, v in config.items()}, project="platform", stack=stack)
    return dataclasses.replace(base, **changes) if changes else base


def context(
    stack_facts: StackFacts,
    account: StubAccount,
    runner: Runner | None = None,
    *,
    require_images: bool = False,
    name_servers: list[str] | Exception | None = None,
) -> Context:
    def resolve(name: str) -> list[str]:
        if isinstance(name_servers, Exception):
            raise name_servers
        return list(name_servers if name_servers is not None else NAME_SERVERS)

    return Context(
        facts=stack_facts,
        clients=account,
        account=ACCOUNT,
        partition="aws",
        caller_arn=CALLER,
        runner=runner or Runner((RUNNER_SG,), None, "test"),
        require_images=require_images,
        resolve_ns=resolve,
    )


# --- responses ------------------------------------------------------------------------------------


def hosted_zone_response(name: str = "acme-shop.io.", private: bool = False) -> dict[str, Any]:
    return {
        "HostedZone": {
            "Id": f"/hostedzone/{ZONE}",
            "Name": name,
            "CallerReference": "bootstrap-1",
            "Config": {"PrivateZone": private},
        },
        "DelegationSet": {"NameServers": NAME_SERVERS},
    }


def role_response(name: str, path: str = "/") -> dict[str, Any]:
    return {
        "Role": {
            "Path": path,
            "RoleName": name,
            "RoleId": "AROAEXAMPLEROLEID0001",
            "Arn": f"arn:aws:iam::{ACCOUNT}:role{path}{name}",
            "CreateDate": "2026-01-01T00:00:00Z",
        }
    }


def quota_response(service: str, code: str, value: float, usage: dict[str, str] | None = None) -> dict[str, Any]:
    quota: dict[str, Any] = {"ServiceCode": service, "QuotaCode": code, "QuotaName": code, "Value": value}
    if usage is not None:
        quota["UsageMetric"] = {
            "MetricNamespace": "AWS/Usage",
            "MetricName": "ResourceCount",
            "MetricDimensions": usage,
            "MetricStatisticRecommendation": "Maximum",
        }
    return {"Quota": quota}


def usage_response(value: float | None) -> dict[str, Any]:
    points = [] if value is None else [{"Timestamp": "2026-12-07T12:00:00Z", "Maximum": value, "Unit": "None"}]
    return {"Label": "ResourceCount", "Datapoints": points}


EC2_OD_USAGE = {"Class": "Standard/OnDemand", "Resource": "vCPU", "Service": "EC2", "Type": "Resource"}
EC2_SPOT_USAGE = {"Class": "Standard/Spot", "Resource": "vCPU", "Service": "EC2", "Type": "Resource"}
FARGATE_OD_USAGE = {"Class": "Standard/OnDemand", "Resource": "vCPU", "Service": "Fargate", "Type": "Resource"}
FARGATE_SPOT_USAGE = {"Class": "Standard/Spot", "Resource": "vCPU", "Service": "Fargate", "Type": "Resource"}

__all__ = ["ANY"]
