"""This repository's stacks: every AWS resource is priced (or known to be free) and the program
keeps deployments fast (no slow resource waits on another without a data dependency)."""

from __future__ import annotations

from pathlib import Path

import pytest

from offline_preview.cost import estimate_cost
from offline_preview.deploy_time import estimate_deploy, slow_waits
from tests.stack_runs import stack_capture

REPO = Path(__file__).resolve().parents[2]
STACKS = ["dev", "staging", "prod"]


@pytest.fixture(scope="module", params=STACKS)
def capture(request: pytest.FixtureRequest):
    # Up: the spot node group's instance types come from the spot selection's dynamic provider,
    # whose create the engine never runs in preview (its host does not support preview), so in
    # preview they are unknown and the group cannot be priced.
    return stack_capture(request.param, "up")


@pytest.mark.stack
def test_every_aws_resource_is_priced_or_known_free(capture):
    est = estimate_cost(capture)
    unpriced = {t: n for t, n in est.not_priced.items() if t.startswith(("aws:", "eks:"))}
    assert unpriced == {}, f"{capture.stack}: add these types to offline_preview/cost/: {unpriced}"
    assert est.warnings == []  # every region the stack uses is in the price table
    assert est.monthly_usd >= 0 and est.environment == capture.stack


@pytest.mark.stack
def test_no_slow_resource_waits_on_another_without_a_data_dependency(capture):
    waits = slow_waits(capture)
    assert waits == [], "\n".join(f"{w.waiter} waits on {w.waits_on} via depends_on: {w.order_edges}" for w in waits)


@pytest.mark.stack
def test_deploy_estimate_is_computed(capture):
    est = estimate_deploy(capture)
    assert est.warnings == []  # no dependency cycles
    assert est.unmodelled == {}, f"{capture.stack}: add create times to offline_preview/data/deploy-times.json"
    assert est.critical_path_minutes <= est.serial_minutes
