"""`python -m tools.images STACK` (`make images STACK=...`): put the images compute runs into the
stack's ECR repositories before compute is deployed, so no first deploy waits on a pull that
cannot succeed (ECS tasks and EKS pods alike).

What goes where is a pure plan (`plan`): for every repository compute pulls from
(`secure_platform.preflight.facts.compute_repositories`), `<registry>/<project>/<env>/<service>:<imageTag>`
receives

* `--source PREFIX`: the application's released image `PREFIX/<service>:<imageTag>` (e.g. the
  build account's registry), copied by digest with `crane copy`;
* `--placeholders`: a pinned upstream image that keeps the container's contract (`task_plan`,
  `eks_plan`: user, port, health check) so the service turns healthy: nginx-unprivileged on 8080
  for the frontend; Node answering 200 on every path of its port for the backend and api-gateway;
* the sidecar is always the pinned AWS Distro for OpenTelemetry collector (it is not our code).

Tags are immutable: an image already in the repository is left alone, and a placeholder pushed
under a release tag holds that tag for good (release the application under a new tag). The tool
uses `crane` (go-containerregistry): `go install github.com/google/go-containerregistry/cmd/crane@v0.20.6`
or the release tarball from its GitHub releases page; it logs in to ECR with a token from
`ecr:GetAuthorizationToken` passed on stdin, never on the command line.
"""

from __future__ import annotations

import argparse
import base64
import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from secure_platform.compute.ecs import task_plan
from secure_platform.compute.eks import plan as eks_plan
from secure_platform.preflight.facts import PreflightUsageError, StackFacts, load_facts

CRANE_INSTALL = "go install github.com/google/go-containerregistry/cmd/crane@v0.20.6"

# Pinned by exact version tag (the digest copied is printed and kept by ECR's immutable tags);
# mirrors on ECR Public, so no Docker Hub pull limit applies.
NGINX = "public.ecr.aws/nginx/nginx-unprivileged:1.29.1-alpine3.22"
NODE = "public.ecr.aws/docker/library/node:22.12.0-alpine3.21"
ADOT = "public.ecr.aws/aws-observability/aws-otel-collector:v0.43.3"
PLATFORM = "linux/amd64"
"""Placeholders are single-platform: every stack runs x86_64 (Fargate's default, the node groups' architectures)."""


UNSOURCED_FIX = (
    "pass --source REGISTRY/PREFIX (released images) or --placeholders (documented placeholder images; "
    "the tag then holds a placeholder for good)"
)


class PlanError(Exception):
    """The plan cannot be made (what to push is not said): exit code 2."""


def node_placeholder_script(port: int) -> str:
    """A Node one-liner answering 200 on every path. crane's `--cmd` splits on commas, so the
    script has none (`arguments[1]` is the response)."""
    script = f"require('http').createServer(function(q){{arguments[1].end('placeholder')}}).listen({port})"
    assert "," not in script
    return script


@dataclass(frozen=True)
class ImagePush:
    service: str
    destination: str
    source: str
    kind: str
    """`release` (copied from --source), `placeholder`, `upstream` (the pinned sidecar) or
    `unsourced` (neither --source nor --placeholders: fine only if the image is already there)."""
    cmd: tuple[str, ...] = ()
    """Command set on a placeholder (crane mutate --cmd)."""

    def crane_commands(self) -> list[list[str]]:
        if self.kind == "unsourced":
            return []
        if self.cmd:
            return [
                [
                    "crane",
                    "mutate",
                    self.source,
                    "--platform",
                    PLATFORM,
                    "--cmd",
                    ",".join(self.cmd),
                    "-t",
                    self.destination,
                ]
            ]
        return [["crane", "copy", self.source, self.destination]]


def container_port(platform: str, service: str) -> int | None:
    """The port the platform's container of `service` listens on (its health check's port)."""
    if platform == "eks":
        ports = {spec.repository: spec.port for spec in eks_plan.workload_specs()}
    else:
        ports = {name: spec.port for name, spec in task_plan.CONTAINERS.items() if spec.port is not None}
    return ports.get(service)


def _placeholder(platform: str, service: str) -> tuple[str, tuple[str, ...]]:
    if service == "frontend":
        return NGINX, ()
    port = container_port(platform, service)
    if port is None:
        raise PlanError(f"{service}: no port known for a placeholder on {platform}")
    return NODE, ("node", "-e", node_placeholder_script(port))


def plan(facts: StackFacts, registry: str, *, source: str | None, placeholders: bool) -> list[ImagePush]:
    """Every image compute runs, where it goes and where it comes from (pure)."""
    if not facts.image_tag:
        raise PlanError(f"platform:compute.imageTag is not set in the config of stack {facts.stack}")
    if source and placeholders:
        raise PlanError("give either --source PREFIX (released images) or --placeholders, not both")
    pushes = []
    for service in facts.repositories:
        destination = f"{registry}/{facts.naming.ecr_repository(service)}:{facts.image_tag}"
        if service == "sidecar":
            pushes.append(ImagePush(service, destination, ADOT, "upstream"))
        elif source:
            pushes.append(
                ImagePush(service, destination, f"{source.rstrip('/')}/{service}:{facts.image_tag}", "release")
            )
        elif placeholders:
            image, cmd = _placeholder(facts.platform, service)
            pushes.append(ImagePush(service, destination, image, "placeholder", cmd))
        else:
            pushes.append(ImagePush(service, destination, "", "unsourced"))
    return pushes


# --- running it -----------------------------------------------------------------------------------


Runner = Callable[[list[str], str | None], int]


def crane_path() -> str | None:
    """crane from the virtualenv's bin (where CI installs it), else from PATH."""
    here = Path(sys.executable).parent
    return shutil.which("crane", path=os.pathsep.join([str(here), os.environ.get("PATH", "")]))


def _run(command: list[str], stdin: str | None) -> int:
    crane = crane_path() or "crane"
    argv = [crane, *command[1:]] if command[0] == "crane" else command
    return subprocess.run(argv, input=stdin, text=True, check=False).returncode  # noqa: S603 - fixed argv


def _present(ecr: Any, repository: str, tag: str) -> bool | None:
    """True if the tag is there, False if not, None if the repository does not exist."""
    try:
        ecr.describe_images(repositoryName=repository, imageIds=[{"imageTag": tag}])
    except ecr.exceptions.ImageNotFoundException:
        return False
    except ecr.exceptions.RepositoryNotFoundException:
        return None
    return True


def push_all(facts: StackFacts, pushes: Sequence[ImagePush], ecr: Any, run: Runner = _run) -> int:
    """Push what is missing; 0 when every image is in ECR afterwards, 1 otherwise."""
    pending = []
    for push in pushes:
        repository = facts.naming.ecr_repository(push.service)
        state = _present(ecr, repository, facts.image_tag or "")
        if state is None:
            print(f"error: repository {repository} does not exist: run the ECR stage first", file=sys.stderr)
            print(f"  pulumi up --stack {facts.stack} --target '**Ecr**'", file=sys.stderr)
            return 1
        print(f"{push.service}: {push.destination} {'already there' if state else f'<- {push.source} ({push.kind})'}")
        if not state:
            pending.append(push)
    if not pending:
        return 0
    unsourced = [p for p in pending if p.kind == "unsourced"]
    if unsourced:
        for push in unsourced:
            print(f"error: {push.destination} is missing and no source is given", file=sys.stderr)
        print(f"  {UNSOURCED_FIX}", file=sys.stderr)
        return 1
    if run is _run and crane_path() is None:
        print(f"error: crane is not installed: {CRANE_INSTALL}", file=sys.stderr)
        return 1
    token = ecr.get_authorization_token()["authorizationData"][0]
    user, password = base64.b64decode(token["authorizationToken"]).decode().split(":", 1)
    registry = token["proxyEndpoint"].removeprefix("https://")
    if run(["crane", "auth", "login", registry, "-u", user, "--password-stdin"], password) != 0:
        print(f"error: crane could not log in to {registry}", file=sys.stderr)
        return 1
    failed = 0
    for push in pending:
        for command in push.crane_commands():
            if run(command, None) != 0:
                print(f"error: {' '.join(command[:2])} of {push.service} failed", file=sys.stderr)
                failed += 1
                break
        else:
            if push.kind == "placeholder":
                print(f"note: {push.destination} now holds a placeholder; release {push.service} under a new tag")
    still = [p for p in pushes if not _present(ecr, facts.naming.ecr_repository(p.service), facts.image_tag or "")]
    for push in still:
        print(f"error: {push.destination} is still missing", file=sys.stderr)
    return 1 if failed or still else 0


def main(argv: Sequence[str] | None = None, *, session: Any = None, run: Runner = _run) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.images", description="Put the images compute runs into the stack's ECR repositories."
    )
    parser.add_argument("stack")
    parser.add_argument(
        "--source", help="registry/prefix of the released images, e.g. 111122223333.dkr.ecr.us-east-1.amazonaws.com/app"
    )
    parser.add_argument("--placeholders", action="store_true", help="push the documented placeholder images")
    parser.add_argument(
        "--dry-run", action="store_true", help="print the plan only (needs no credentials with --registry)"
    )
    parser.add_argument("--registry", help="destination registry (default: <account>.dkr.ecr.<region>.amazonaws.com)")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return 0 if exc.code == 0 else 2
    try:
        facts = load_facts(args.stack)
    except PreflightUsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if session is None:
        import boto3

        session = boto3.Session(region_name=facts.region)
    registry = args.registry
    try:
        if registry is None:
            account = session.client("sts").get_caller_identity()["Account"]
            registry = f"{account}.dkr.ecr.{facts.region}.amazonaws.com"
        pushes = plan(facts, registry, source=args.source, placeholders=args.placeholders)
        if args.dry_run:
            for push in pushes:
                for command in push.crane_commands():
                    print(shlex.join(command))
                if push.kind == "unsourced":
                    print(f"# {push.destination}: pushed only if missing, and then it needs a source: {UNSOURCED_FIX}")
            return 0
        return push_all(facts, pushes, session.client("ecr"), run)
    except PlanError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (ClientError, BotoCoreError) as exc:
        # Credentials, permissions or network: the AWS error code names what is missing.
        code = exc.response.get("Error", {}).get("Code", "") if isinstance(exc, ClientError) else type(exc).__name__
        print(f"error: AWS refused or could not be reached: {code} ({exc})", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
