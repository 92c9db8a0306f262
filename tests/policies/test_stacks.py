"""Every resource the three stacks create passes every mandatory policy of that stack's config
(`python -m offline_preview <stack>`, which picks up policies/ and policies/config/<stack>.json)."""

from __future__ import annotations

import pytest

from tests.stack_runs import stack_preview


@pytest.mark.stack
@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_stack_passes_its_mandatory_policies(stack: str) -> None:
    result = stack_preview(stack, "up")
    assert result.policy is not None and result.policy.policies_run >= 45
    assert [(v.policy, v.urn, v.message) for v in result.policy.mandatory] == []
