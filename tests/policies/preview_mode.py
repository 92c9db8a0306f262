"""Run a program with `pulumi preview` semantics for the pack's preview/up equality tests.

`pulumi.runtime.set_mocks(..., preview=True)` makes `is_dry_run()` true, and in a dry run an output
the mock does not return resolves as unknown (pulumi/runtime/rpc.py `resolve_outputs`), as does an
id returned as "". So a mock that returns only a resource's inputs gives the program what a real
preview gives it for resources not created yet: what the program set is known, what the provider
computes on create (ids, ARNs, endpoints) is unknown, and `.apply` callbacks on those do not run.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest
from pulumi.runtime import mocks as pulumi_mocks

_KEEP_OUTPUTS = ("pulumi:providers:", "pulumi:pulumi:StackReference")
"""Provider registrations and stack references are answered in full, as the engine does in a preview."""


class _PreviewMocks(pulumi_mocks.Mocks):
    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def new_resource(self, args: pulumi_mocks.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        rid, state = self.inner.new_resource(args)
        if args.typ.startswith(_KEEP_OUTPUTS):
            return rid, state
        return "", dict(args.inputs)

    def call(self, args: pulumi_mocks.MockCallArgs) -> Any:
        return self.inner.call(args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@contextlib.contextmanager
def preview_semantics(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    real = pulumi_mocks.set_mocks

    def set_mocks(mocks: Any, *args: Any, **kwargs: Any) -> None:
        kwargs["preview"] = True
        monitor = kwargs.get("monitor")
        wrapped = _PreviewMocks(mocks)
        if monitor is not None:
            monitor.mocks = wrapped
        real(wrapped, *args, **kwargs)

    with monkeypatch.context() as m:
        m.setattr(pulumi_mocks, "set_mocks", set_mocks)
        yield
