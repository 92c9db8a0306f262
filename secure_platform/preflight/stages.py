"""The order of a deployment, from a new account to a running stack (pure data).

`docs/runbooks/first-deploy.md` walks these steps with these commands, and
`.github/workflows/deploy.yml` runs the `ci` ones, in the same order, on every deployment (tests
compare the three). Targeted updates name whole components by URN glob: Pulumi matches a glob
against the full URN (`**` any text, `*` any text without `:`; `UrnTargets.getMatcher` in
pulumi/pkg/resource/deploy), so `urn:pulumi:<stack>::platform::platform:index:Ecr**` is the Ecr
component and its children only, where `**Security**` would also catch every security group.
"""

from __future__ import annotations

from dataclasses import dataclass

PROJECT = "platform"


def component_target(stack: str, component: str, project: str = PROJECT) -> str:
    """The `--target` glob of one top-level component and everything under it."""
    return f"urn:pulumi:{stack}::{project}::{project}:index:{component}**"


def targets(stack: str, *components: str) -> str:
    return " ".join(f'--target "{component_target(stack, c)}"' for c in components)


POLICY = "--policy-pack policies --policy-pack-config policies/config/{stack}.json"


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    command: str
    """The command, `{stack}` standing for the stack name (the workflow quotes it as "$STACK")."""
    ci: bool
    """The deploy workflow runs it on every deployment (the others are once per account or stack)."""
    components: tuple[str, ...] = ()
    """Components a targeted `pulumi up` of this step updates."""

    def for_stack(self, stack: str) -> str:
        return self.command.format(stack=stack)


STEPS: tuple[Step, ...] = (
    Step(
        "bootstrap",
        "State backend and secrets key (once per environment)",
        "pulumi up --stack {stack} " + targets("{stack}", "BackendState"),
        ci=False,
        components=("BackendState",),
    ),
    Step(
        "preflight",
        "Preflight: account prerequisites",
        'make preflight STACK={stack} PREFLIGHT_ARGS="--skip ecr-images"',
        ci=True,
    ),
    Step(
        "network",
        "Network stage (EKS stacks, first deployment: the VPC the runner joins)",
        "pulumi up --stack {stack} " + targets("{stack}", "Security", "Networking") + " " + POLICY,
        ci=False,
        components=("Security", "Networking"),
    ),
    Step(
        "ecr",
        "ECR stage: the repositories",
        "pulumi up --stack {stack} " + targets("{stack}", "Security", "Ecr") + " " + POLICY,
        ci=True,
        components=("Security", "Ecr"),
    ),
    Step("images", "Images into ECR", "make images STACK={stack}", ci=True),
    Step(
        "images-check",
        "Every image compute runs is in ECR",
        'make preflight STACK={stack} PREFLIGHT_ARGS="--check ecr-images --require-images"',
        ci=True,
    ),
    Step("up", "Full deployment", "pulumi up --stack {stack} " + POLICY, ci=True),
    Step(
        "verify",
        "Verify: the site answers through the load balancer",
        'curl -fsS --retry 10 --retry-delay 15 --retry-all-errors -o /dev/null "$(pulumi stack output --stack {stack} frontendUrl)"',
        ci=True,
    ),
)


def step(key: str) -> Step:
    [found] = [s for s in STEPS if s.key == key]
    return found
