"""Results, the AWS clients a check uses, and the runner's identity (no AWS calls at import)."""

from __future__ import annotations

import enum
import ipaddress
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from secure_platform.preflight.facts import StackFacts


class Status(enum.Enum):
    PASS = "PASS"  # noqa: S105 - a status, not a password
    WARN = "WARN"
    FAIL = "FAIL"
    SKIP = "SKIP"


@dataclass(frozen=True)
class Result:
    check: str
    status: Status
    finding: str
    fix: str = ""


class Clients(Protocol):
    def client(self, service: str) -> Any: ...


class Boto3Clients:
    """boto3 clients of one Region with bounded retries and timeouts (a preflight must not hang)."""

    def __init__(self, region: str) -> None:
        import boto3
        from botocore.config import Config

        self._session = boto3.Session(region_name=region)
        self._config = Config(retries={"mode": "adaptive", "max_attempts": 5}, connect_timeout=5, read_timeout=20)
        self._clients: dict[str, Any] = {}

    def client(self, service: str) -> Any:
        if service not in self._clients:
            # Cost Explorer has one endpoint, in us-east-1
            # (https://docs.aws.amazon.com/general/latest/gr/billing.html).
            region = "us-east-1" if service == "ce" else None
            self._clients[service] = self._session.client(service, region_name=region, config=self._config)
        return self._clients[service]


@dataclass(frozen=True)
class Runner:
    """Where the deploy runs from: its security groups (inside a VPC) and its public address."""

    security_group_ids: tuple[str, ...] = ()
    cidr: str | None = None
    source: str = "unknown"

    def within(self, cidrs: tuple[str, ...]) -> bool:
        if self.cidr is None:
            return False
        mine = ipaddress.ip_network(self.cidr, strict=False)
        for cidr in cidrs:
            try:
                if mine.version == 4 and mine.subnet_of(ipaddress.IPv4Network(cidr, strict=False)):
                    return True
            except ValueError:
                continue
        return False


Fetch = Callable[[str, str, dict[str, str]], str | None]
"""(method, path, headers) -> body, or None when the instance metadata service does not answer."""

IMDS = "http://169.254.169.254"


def _imds_fetch(method: str, path: str, headers: dict[str, str]) -> str | None:
    request = urllib.request.Request(f"{IMDS}{path}", method=method, headers=headers)  # noqa: S310 - fixed link-local URL
    try:
        with urllib.request.urlopen(request, timeout=1) as response:  # noqa: S310
            return response.read().decode()
    except (urllib.error.URLError, OSError, ValueError):
        return None


def runner_from_metadata(fetch: Fetch = _imds_fetch) -> Runner:
    """The runner's security groups and public IPv4 from EC2 instance metadata (IMDSv2), or an
    unknown runner when not on EC2. Paths: https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-categories.html"""
    token = fetch("PUT", "/latest/api/token", {"X-aws-ec2-metadata-token-ttl-seconds": "60"})
    if not token:
        return Runner()
    headers = {"X-aws-ec2-metadata-token": token}
    mac = fetch("GET", "/latest/meta-data/mac", headers)
    groups: tuple[str, ...] = ()
    if mac:
        body = fetch("GET", f"/latest/meta-data/network/interfaces/macs/{mac.strip()}/security-group-ids", headers)
        groups = tuple(g.strip() for g in (body or "").split() if g.strip())
    public = fetch("GET", "/latest/meta-data/public-ipv4", headers)
    cidr = f"{public.strip()}/32" if public and public.strip() else None
    return Runner(security_group_ids=groups, cidr=cidr, source="instance metadata")


@dataclass
class Context:
    facts: StackFacts
    clients: Clients
    account: str
    partition: str
    caller_arn: str
    runner: Runner
    require_images: bool = False
    resolve_ns: Callable[[str], list[str]] | None = None
    cache: dict[str, Any] = field(default_factory=dict)

    def client(self, service: str) -> Any:
        return self.clients.client(service)


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


class CheckAbortedError(Exception):
    """A check could not ask AWS (permissions, network): reported as FAIL with what to grant."""

    def __init__(self, result: Result) -> None:
        super().__init__(result.finding)
        self.result = result


# Error codes that mean "the preflight role may not do this".
DENIED = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess"})


def call(
    ctx: Context, check: str, service: str, operation: str, handled: tuple[str, ...] = (), /, **kwargs: Any
) -> tuple[dict[str, Any], str | None]:
    """One read-only AWS call: (response, None), or ({}, code) for an error code the check handles;
    any other error aborts the check with a FAIL naming the IAM action to allow."""
    action = (
        f"{_iam_prefix(service)}:{_ACTIONS.get(operation) or ''.join(w.capitalize() for w in operation.split('_'))}"
    )
    try:
        return getattr(ctx.client(service), operation)(**kwargs), None
    except ClientError as exc:
        code = error_code(exc)
        if code in handled:
            return {}, code
        if code in DENIED:
            raise CheckAbortedError(
                Result(
                    check, Status.FAIL, f"could not check: {code} on {action}", f"allow {action} to the preflight role"
                )
            ) from None
        raise CheckAbortedError(
            Result(
                check, Status.FAIL, f"could not check: {code or 'error'} on {action}", "rerun; see the AWS error code"
            )
        ) from None
    except BotoCoreError as exc:
        raise CheckAbortedError(
            Result(
                check,
                Status.FAIL,
                f"could not reach AWS for {action}: {type(exc).__name__}",
                "check network access and credentials",
            )
        ) from None


_ACTIONS = {"get_aws_default_service_quota": "GetAWSDefaultServiceQuota"}


def _iam_prefix(service: str) -> str:
    return {"service-quotas": "servicequotas", "ce": "ce"}.get(service, service)
