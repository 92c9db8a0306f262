"""Compute on ECS as a whole: bad inputs are clear errors before anything is registered, no
mandatory policy finding in any environment, and no slow resource waits without a data dependency."""

from __future__ import annotations

import pytest

from offline_preview import UserError, evaluate, load_policy_pack
from offline_preview.deploy_time import slow_waits
from offline_preview.policy_runner import read_policy_config
from secure_platform.compute.component import ComputeArgs
from tests.components.ecs_program import COMPUTE, STACK_FILES, STACKS, capture_of, run_compute
from tests.components.helpers import REPO, of_type

# --- errors ---------------------------------------------------------------------------------------


def test_an_invalid_task_size_is_a_clear_config_error():
    compute = STACK_FILES["dev"]["platform:compute"]
    with pytest.raises(Exception) as err:
        run_compute("dev", {"platform:compute": {**compute, "ecs": {**compute["ecs"], "memory": 3000}}})
    assert "platform:compute.ecs.memory" in str(err.value) and "512" in str(err.value)
    assert "Traceback" not in str(err.value)


def test_missing_repository_is_named_before_anything_is_registered():
    ecr = STACK_FILES["dev"]["platform:ecr"]
    with pytest.raises(UserError) as err:
        run_compute("dev", {"platform:ecr": {**ecr, "repositories": ["frontend", "backend", "api-gateway"]}})
    assert "platform:ecr.repositories" in str(err.value) and "sidecar" in str(err.value)
    assert err.value.capture.resources == []


def test_a_target_group_on_another_port_is_refused():
    import dataclasses

    def wrong_port(args: ComputeArgs) -> ComputeArgs:
        groups = dict(args.target_groups)
        groups["frontend"] = dataclasses.replace(groups["frontend"], port=80)
        return dataclasses.replace(args, target_groups=groups)

    with pytest.raises(UserError) as err:
        run_compute("dev", mutate=wrong_port)
    assert "target_groups.frontend.port" in str(err.value) and "8080" in str(err.value)


# --- the policy pack and the deployment graph -----------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_no_mandatory_policy_finding(stack):
    pack_dir = REPO / "policies"
    capture = capture_of(stack)
    report = evaluate(
        load_policy_pack(pack_dir), capture, read_policy_config(pack_dir / "config" / f"{stack}.json"), capture.config
    )
    mandatory = [f"{v.policy}: {v.urn}: {v.message}" for v in report.violations if v.enforcement == "mandatory"]
    assert mandatory == []
    # Compute's own resources draw no finding at all, advisory ones included.
    (component,) = of_type(capture, COMPUTE)
    ours = {r.urn for r in capture.descendants(component.urn)} | {component.urn}
    assert [f"{v.policy}: {v.urn}" for v in report.violations if v.urn in ours] == []


@pytest.mark.parametrize("stack", STACKS)
def test_no_slow_resource_waits_without_a_data_dependency(stack):
    assert slow_waits(capture_of(stack)) == []
