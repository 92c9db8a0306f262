"""The targeted stages of a deployment work on the real program: every resource a stage creates
depends only on resources of that stage or of earlier ones (Pulumi refuses a targeted create
whose dependency is neither targeted nor in the state: pulumi/pulumi#5869)."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest

from offline_preview.capture import Capture
from secure_platform.preflight.stages import STEPS, component_target, step
from tests.stack_runs import stack_capture

ROOT = Path(__file__).resolve().parents[2]


def pulumi_glob(glob: str) -> re.Pattern[str]:
    """Pulumi's URN glob (`UrnTargets.getMatcher`): `**` any text, `*` any text without `:`."""
    parts = ["[^:]*".join(re.escape(p) for p in segment.split("*")) for segment in glob.split("**")]
    return re.compile("^" + ".*".join(parts) + "$")


@functools.cache
def capture(stack: str) -> Capture:
    return stack_capture(stack, "preview")


def test_a_component_glob_takes_the_component_and_its_children_only():
    glob = pulumi_glob(component_target("prod", "Security"))
    assert glob.match("urn:pulumi:prod::platform::platform:index:Security::security")
    assert glob.match("urn:pulumi:prod::platform::platform:index:Security$aws:kms/key:Key::data")
    # What '**Security**' would also take: a security group of another component.
    assert not glob.match(
        "urn:pulumi:prod::platform::platform:index:Networking$aws:ec2/securityGroup:SecurityGroup::app"
    )
    assert not glob.match("urn:pulumi:dev::platform::platform:index:Security::security")


@pytest.mark.parametrize("stack, stages", [("dev", ["bootstrap", "ecr"]), ("prod", ["bootstrap", "network", "ecr"])])
def test_each_targeted_stage_depends_only_on_itself_and_earlier_stages(stack: str, stages: list[str]):
    resources = capture(stack).resources
    done: list[re.Pattern[str]] = []
    for key in stages:
        globs = [pulumi_glob(component_target(stack, c)) for c in step(key).components]
        targeted = [r for r in resources if any(g.match(r.urn) for g in globs)]
        assert targeted, key
        for r in targeted:
            needed = {*r.dependencies, *(u for u in (r.parent, r.provider) if u)}
            for urn in needed:
                # Providers are always targeted; the stack resource exists from the first update.
                if "::pulumi:providers:" in urn or "::pulumi:pulumi:Stack::" in urn:
                    continue
                assert any(g.match(urn) for g in [*globs, *done]), f"{key}: {r.urn} needs {urn}"
        done += globs
    assert [s.key for s in STEPS if s.components] == ["bootstrap", "network", "ecr"]


def test_the_ecr_stage_creates_every_repository_compute_pulls_from():
    from secure_platform.preflight.facts import load_facts

    for stack in ("dev", "prod"):
        facts = load_facts(stack)
        glob = pulumi_glob(component_target(stack, "Ecr"))
        names = {
            r.inputs.get("name")
            for r in capture(stack).resources
            if r.type == "aws:ecr/repository:Repository" and glob.match(r.urn)
        }
        assert {facts.naming.ecr_repository(s) for s in facts.repositories} <= names
