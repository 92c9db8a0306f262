"""`make images STACK=...`: the plan of what goes into ECR (pure) and the push (stubbed ECR, fake crane)."""

from __future__ import annotations

import base64
import re

import pytest

from secure_platform.compute.ecs import task_plan
from tests.preflight.stubs import ACCOUNT, StubAccount, facts
from tools import images

REGISTRY = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com"


def test_eks_plan_pushes_the_workloads_images_under_the_configured_tag():
    pushes = images.plan(facts("prod"), REGISTRY, source=None, placeholders=True)
    assert [p.destination for p in pushes] == [
        f"{REGISTRY}/platform/prod/{s}:v1.0.0" for s in ("frontend", "backend", "api-gateway")
    ]
    assert {p.kind for p in pushes} == {"placeholder"}


def test_ecs_plan_pushes_the_task_containers_with_the_pinned_collector_as_sidecar():
    pushes = {p.service: p for p in images.plan(facts("dev"), REGISTRY, source=None, placeholders=True)}
    assert list(pushes) == ["frontend", "backend", "sidecar"]
    assert pushes["sidecar"].source == images.ADOT and pushes["sidecar"].kind == "upstream"
    assert pushes["frontend"].source == images.NGINX
    for push in pushes.values():
        assert re.search(r":[\w.-]+$", push.source.split("/")[-1]) and ":latest" not in push.source


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_node_placeholder_listens_where_the_health_check_looks_and_survives_cranes_comma_split(stack: str):
    stack_facts = facts(stack)
    [backend] = [
        p for p in images.plan(stack_facts, REGISTRY, source=None, placeholders=True) if p.service == "backend"
    ]
    port = images.container_port(stack_facts.platform, "backend")
    assert port == task_plan.CONTAINERS["backend"].port == 3001
    assert backend.cmd[:2] == ("node", "-e") and backend.cmd[2].endswith(f".listen({port})")
    [command] = backend.crane_commands()
    assert command[:2] == ["crane", "mutate"]
    assert command[command.index("--cmd") + 1].split(",") == list(backend.cmd)
    assert command[command.index("-t") + 1] == backend.destination


def test_release_plan_copies_from_the_source_and_a_plan_needs_a_source():
    pushes = images.plan(
        facts("prod"), REGISTRY, source="111122223333.dkr.ecr.us-east-1.amazonaws.com/app/", placeholders=False
    )
    assert pushes[0].source == "111122223333.dkr.ecr.us-east-1.amazonaws.com/app/frontend:v1.0.0"
    assert pushes[0].crane_commands() == [["crane", "copy", pushes[0].source, pushes[0].destination]]
    unsourced = images.plan(facts("prod"), REGISTRY, source=None, placeholders=False)
    assert {p.kind for p in unsourced} == {"unsourced"} and all(p.crane_commands() == [] for p in unsourced)
    with pytest.raises(images.PlanError, match="not both"):
        images.plan(facts("prod"), REGISTRY, source="x", placeholders=True)


def ecr_with(account: StubAccount, states: list[str]) -> None:
    for service, state in zip(("frontend", "backend", "api-gateway"), states, strict=True):
        params = {"repositoryName": f"platform/prod/{service}", "imageIds": [{"imageTag": "v1.0.0"}]}
        if state == "present":
            account.add("ecr", "describe_images", {"imageDetails": [{"imageTags": ["v1.0.0"]}]}, params)
        else:
            code = "ImageNotFoundException" if state == "missing" else "RepositoryNotFoundException"
            account.error("ecr", "describe_images", code, 400, params)


def test_push_skips_present_tags_logs_in_on_stdin_and_checks_the_result(capsys: pytest.CaptureFixture[str]):
    account = StubAccount()
    ecr_with(account, ["present", "missing", "missing"])
    token = base64.b64encode(b"AWS:s3cr3t-token").decode()
    account.add(
        "ecr",
        "get_authorization_token",
        {"authorizationData": [{"authorizationToken": token, "proxyEndpoint": f"https://{REGISTRY}"}]},
    )
    ecr_with(account, ["present", "present", "present"])
    calls: list[tuple[list[str], str | None]] = []

    def crane(command: list[str], stdin: str | None) -> int:
        calls.append((command, stdin))
        return 0

    stack = facts("prod")
    pushes = images.plan(stack, REGISTRY, source=None, placeholders=True)
    assert images.push_all(stack, pushes, account.client("ecr"), crane) == 0
    account.done()
    login, *pushed = calls
    assert login == (["crane", "auth", "login", REGISTRY, "-u", "AWS", "--password-stdin"], "s3cr3t-token")
    assert [c[0][-1] for c in pushed] == [p.destination for p in pushes[1:]]
    assert all("s3cr3t-token" not in " ".join(c[0]) for c in calls)
    assert "s3cr3t-token" not in capsys.readouterr().out


def test_push_stops_before_the_ecr_stage_and_fails_when_an_image_is_still_missing():
    stack = facts("prod")
    pushes = images.plan(stack, REGISTRY, source=None, placeholders=True)
    account = StubAccount()
    params = {"repositoryName": "platform/prod/frontend", "imageIds": [{"imageTag": "v1.0.0"}]}
    account.error("ecr", "describe_images", "RepositoryNotFoundException", 400, params)
    crane_calls: list[list[str]] = []
    assert images.push_all(stack, pushes, account.client("ecr"), lambda c, s: crane_calls.append(c) or 0) == 1
    account.done()
    assert crane_calls == []  # nothing pushed before the repositories exist

    account = StubAccount()
    ecr_with(account, ["present", "present", "missing"])
    token = base64.b64encode(b"AWS:t").decode()
    account.add(
        "ecr",
        "get_authorization_token",
        {"authorizationData": [{"authorizationToken": token, "proxyEndpoint": "https://r"}]},
    )
    ecr_with(account, ["present", "present", "missing"])
    assert images.push_all(stack, pushes, account.client("ecr"), lambda c, s: 0) == 1
    account.done()


def test_cli_dry_run_prints_the_crane_commands_and_bad_arguments_exit_2(capsys: pytest.CaptureFixture[str]):
    assert images.main(["dev", "--dry-run", "--placeholders", "--registry", REGISTRY]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 3 and all(line.startswith("crane ") for line in out)
    assert images.main(["nope", "--dry-run", "--registry", REGISTRY]) == 2
    assert images.main(["dev", "--dry-run", "--placeholders", "--source", "x", "--registry", REGISTRY]) == 2


def test_without_a_source_present_images_pass_and_a_missing_one_fails_before_any_push():
    stack = facts("prod")
    pushes = images.plan(stack, REGISTRY, source=None, placeholders=False)
    account = StubAccount()
    ecr_with(account, ["present", "present", "present"])
    assert images.push_all(stack, pushes, account.client("ecr"), lambda c, s: 1) == 0
    account = StubAccount()
    ecr_with(account, ["present", "missing", "present"])
    calls: list[list[str]] = []
    assert images.push_all(stack, pushes, account.client("ecr"), lambda c, s: calls.append(c) or 0) == 1
    account.done()
    assert calls == []


def test_aws_errors_are_one_message_not_a_traceback(capsys: pytest.CaptureFixture[str]):
    account = StubAccount()
    account.error("sts", "get_caller_identity", "ExpiredToken", 403)
    assert images.main(["prod", "--placeholders"], session=account) == 1
    assert "error: AWS refused or could not be reached: ExpiredToken" in capsys.readouterr().err
    account = StubAccount()
    account.error("ecr", "describe_images", "AccessDeniedException", 400)
    assert images.main(["prod", "--placeholders", "--registry", REGISTRY], session=account) == 1
    assert "AccessDeniedException" in capsys.readouterr().err
    account.done()
