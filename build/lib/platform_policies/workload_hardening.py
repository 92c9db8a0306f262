"""ECS task definitions: containers unprivileged, non-root, read-only, not sharing host
namespaces, secrets injected from Secrets Manager/SSM rather than written into the definition."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from pulumi_policy import ResourceValidationArgs, Severity

from .helpers import as_list, get
from .registry import Controls, Report, resource_policy

TASK = ("aws:ecs/taskDefinition:TaskDefinition",)
HARDENING = Controls(soc2=("CC6.8",), iso27001=("A.8.9",), pci=("2.2.1",))
DANGEROUS_CAPABILITIES = frozenset({"ALL", "SYS_ADMIN", "NET_ADMIN", "SYS_PTRACE", "SYS_MODULE", "DAC_READ_SEARCH"})


def containers(args: ResourceValidationArgs) -> Iterator[dict[str, Any]]:
    """Container definitions (a JSON string in pulumi-aws); an unparsable value yields nothing."""
    raw = get(args.props, "containerDefinitions")
    if raw is None:
        return
    try:
        value = json.loads(raw) if isinstance(raw, str) else list(raw)
    except (ValueError, TypeError):
        return
    for c in value if isinstance(value, list) else []:
        if isinstance(c, dict):
            yield c


def _label(c: dict[str, Any], i: int) -> str:
    return f"container '{c.get('name') or f'#{i + 1}'}'"


def _privileged(args: ResourceValidationArgs, report: Report) -> None:
    for i, c in enumerate(containers(args)):
        problems: list[str] = []
        if c.get("privileged") is True:
            problems.append("runs privileged (full access to the host)")
        added = {str(x).upper() for x in as_list(get(c, "linuxParameters", "capabilities", "add"))}
        if added & DANGEROUS_CAPABILITIES:
            problems.append(f"adds kernel capabilities {sorted(added & DANGEROUS_CAPABILITIES)}")
        if problems:
            report(
                f"Task definition '{args.name}' {_label(c, i)} "
                + " and ".join(problems)
                + ". Remove privileged=true and the added capabilities."
            )


ecs_privileged = resource_policy(
    "ecs-no-privileged-containers",
    category="workload-hardening",
    description="ECS containers are not privileged and add no dangerous kernel capabilities.",
    severity=Severity.CRITICAL,
    controls=HARDENING,
    remediation="Drop 'privileged': true and linuxParameters.capabilities.add entries such as SYS_ADMIN from container definitions.",
    validate=_privileged,
    types=TASK,
    covers=("CKV_AWS_334",),
)

_ROOT = re.compile(r"^(root|0)(:.*)?$")


def _non_root(args: ResourceValidationArgs, report: Report) -> None:
    for i, c in enumerate(containers(args)):
        user = c.get("user")
        if user is None or _ROOT.match(str(user).strip()):
            what = (
                "sets no user, so it runs as the image's user (root unless the image says otherwise)"
                if user is None
                else f"runs as '{user}'"
            )
            report(
                f'Task definition \'{args.name}\' {_label(c, i)} {what}. Set "user": "<uid>:<gid>" with a non-zero uid (e.g. "1000:1000").'
            )


ecs_non_root = resource_policy(
    "ecs-containers-run-as-non-root",
    category="workload-hardening",
    description="ECS containers declare a non-root user.",
    severity=Severity.HIGH,
    controls=HARDENING,
    remediation='Set "user": "1000:1000" (or another non-zero uid) in every container definition and build images that run as that user.',
    validate=_non_root,
    types=TASK,
)


def _read_only(args: ResourceValidationArgs, report: Report) -> None:
    for i, c in enumerate(containers(args)):
        if c.get("readonlyRootFilesystem") is not True:
            report(
                f"Task definition '{args.name}' {_label(c, i)} has a writable root filesystem. Set \"readonlyRootFilesystem\": true and mount writable paths as volumes."
            )


ecs_read_only = resource_policy(
    "ecs-containers-read-only-root-filesystem",
    category="workload-hardening",
    description="ECS containers run with a read-only root filesystem.",
    severity=Severity.MEDIUM,
    controls=HARDENING,
    remediation='Set "readonlyRootFilesystem": true; give writable scratch space through task volumes (e.g. bind mounts of ephemeral storage).',
    validate=_read_only,
    types=TASK,
    covers=("CKV_AWS_336",),
)


def _host_namespaces(args: ResourceValidationArgs, report: Report) -> None:
    shared = [
        f"{prop}={get(args.props, prop)}"
        for prop in ("networkMode", "pidMode", "ipcMode")
        if get(args.props, prop) == "host"
    ]
    if shared:
        report(
            f"Task definition '{args.name}' shares the host's namespaces ({', '.join(shared)}). Use network_mode='awsvpc' and leave pid_mode/ipc_mode unset (or 'task')."
        )


ecs_host = resource_policy(
    "ecs-task-no-host-namespaces",
    category="workload-hardening",
    description="ECS tasks do not share the host's network, PID or IPC namespace.",
    severity=Severity.HIGH,
    controls=HARDENING,
    remediation="Use network_mode='awsvpc'; do not set pid_mode or ipc_mode to 'host'.",
    validate=_host_namespaces,
    types=TASK,
    covers=("CKV_AWS_335",),
)

_SECRET_NAME = re.compile(r"(PASSWORD|PASSWD|SECRET|TOKEN|API[_-]?KEY|PRIVATE[_-]?KEY|ACCESS[_-]?KEY|CREDENTIAL)", re.I)


def _plaintext_secrets(args: ResourceValidationArgs, report: Report) -> None:
    for i, c in enumerate(containers(args)):
        leaked = [
            str(e.get("name"))
            for e in as_list(c.get("environment"))
            if isinstance(e, dict) and _SECRET_NAME.search(str(e.get("name", ""))) and e.get("value")
        ]
        if leaked:
            report(
                f"Task definition '{args.name}' {_label(c, i)} puts secret-looking values in plain environment variables {leaked} "
                '(visible to anyone who can describe the task definition). Move them to "secrets": [{"name": ..., "valueFrom": <Secrets Manager or SSM ARN>}].'
            )


ecs_secrets = resource_policy(
    "ecs-no-plaintext-secrets",
    category="workload-hardening",
    description="ECS container definitions take secrets from Secrets Manager/SSM (`secrets`), never as plain environment values.",
    severity=Severity.HIGH,
    controls=Controls(soc2=("CC6.1",), iso27001=("A.5.17", "A.8.12"), pci=("8.3.2",)),
    remediation='Replace {"name": "DB_PASSWORD", "value": ...} with "secrets": [{"name": "DB_PASSWORD", "valueFrom": <secret ARN>}] and grant the execution role secretsmanager:GetSecretValue on that secret.',
    validate=_plaintext_secrets,
    types=TASK,
    covers=("AwsSolutions-ECS2",),
)


POLICIES = [ecs_privileged, ecs_non_root, ecs_read_only, ecs_host, ecs_secrets]
