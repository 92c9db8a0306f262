"""The collector skips the objects that exist before a run, and gets them back after it."""

from __future__ import annotations

import gc
from pathlib import Path

import pulumi_aws as aws

from offline_preview import run_program
from offline_preview.heap import frozen_heap


def test_objects_from_before_are_frozen_during_and_released_after(monkeypatch) -> None:
    # Counted by calls, not by gc.get_freeze_count() alone: a frozen object that another thread
    # frees (a worker loop of an earlier run) lowers the count at any moment.
    calls: list[str] = []
    real_freeze, real_unfreeze = gc.freeze, gc.unfreeze
    monkeypatch.setattr(gc, "freeze", lambda: (calls.append("freeze"), real_freeze())[1])
    monkeypatch.setattr(gc, "unfreeze", lambda: (calls.append("unfreeze"), real_unfreeze())[1])
    assert gc.get_freeze_count() == 0
    before = object()
    with frozen_heap():
        assert gc.get_freeze_count() > 0
        with frozen_heap():  # nested blocks share the outer freeze
            assert calls == ["freeze"]
        assert calls == ["freeze"] and gc.get_freeze_count() > 0
    assert calls == ["freeze", "unfreeze"]
    assert gc.get_freeze_count() == 0
    del before


def test_a_program_run_leaves_nothing_frozen_even_when_the_program_fails(tmp_path: Path) -> None:
    seen: list[int] = []

    def program() -> None:
        seen.append(gc.get_freeze_count())
        aws.s3.Bucket("logs")

    run_program(tmp_path, "test", program=program)
    assert seen and seen[0] > 0
    assert gc.get_freeze_count() == 0

    def failing() -> None:
        raise RuntimeError("boom")

    try:
        run_program(tmp_path, "test", program=failing)
    except Exception as exc:  # noqa: BLE001 - only the heap's state after the failure matters here
        assert "boom" in str(exc)
    assert gc.get_freeze_count() == 0
