"""Lazily imported SDK modules read by two threads at once (the program's and the monitor's)."""

from __future__ import annotations

import sys
import threading
import time
import types
from pathlib import Path

import pulumi._utils as pulumi_utils
import pytest

from offline_preview.lazy_modules import loading_one_at_a_time


def test_a_thread_reading_a_module_another_thread_is_loading_waits_for_it(tmp_path: Path, monkeypatch) -> None:
    gate = types.ModuleType("lazy_gate_for_test")
    gate.started, gate.release = threading.Event(), threading.Event()  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "lazy_gate_for_test", gate)
    (tmp_path / "slow_sdk_module_for_test.py").write_text(
        "import lazy_gate_for_test as gate\n\ngate.started.set()\ngate.release.wait(10)\nVALUE = 42\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "slow_sdk_module_for_test", raising=False)
    module = pulumi_utils.lazy_import("slow_sdk_module_for_test")
    seen: dict[str, object] = {}
    reading = threading.Event()

    def read(key: str) -> None:
        if key == "second":
            reading.set()
        try:
            seen[key] = module.VALUE
        except AttributeError as exc:  # a half-loaded module
            seen[key] = exc

    with loading_one_at_a_time():
        first = threading.Thread(target=read, args=("first",))
        first.start()
        assert gate.started.wait(10)  # the first thread is running the module's code
        second = threading.Thread(target=read, args=("second",))
        second.start()
        reading.wait(10)
        time.sleep(0.2)  # let the second thread reach the module before the load finishes
        gate.release.set()
        first.join(10)
        second.join(10)
    assert seen == {"first": 42, "second": 42}
    assert type(module) is types.ModuleType  # loaded: a plain module, as without the lock


def test_the_original_loader_is_back_after_the_run() -> None:
    before = vars(pulumi_utils._LazyModule)["__getattribute__"]
    with loading_one_at_a_time():
        assert vars(pulumi_utils._LazyModule)["__getattribute__"] is not before
    assert vars(pulumi_utils._LazyModule)["__getattribute__"] is before


@pytest.mark.parametrize("attr", ["__name__", "__spec__"])
def test_introspection_does_not_load_the_module(tmp_path: Path, monkeypatch, attr: str) -> None:
    (tmp_path / "never_loaded_for_test.py").write_text("raise RuntimeError('loaded')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "never_loaded_for_test", raising=False)
    module = pulumi_utils.lazy_import("never_loaded_for_test")
    with loading_one_at_a_time():
        getattr(module, attr)
    assert type(module) is pulumi_utils._LazyModule
    monkeypatch.delitem(sys.modules, "never_loaded_for_test")


def test_a_module_that_sets_its_own_class_keeps_it(tmp_path: Path, monkeypatch) -> None:
    # As the SDKs' `config` modules do, so that `aws.config.region` reads the stack's config.
    (tmp_path / "own_class_module_for_test.py").write_text(
        "import sys\nimport types\n\n\nclass Own(types.ModuleType):\n"
        "    @property\n    def region(self):\n        return 'eu-west-1'\n\n\n"
        "sys.modules[__name__].__class__ = Own\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "own_class_module_for_test", raising=False)
    module = pulumi_utils.lazy_import("own_class_module_for_test")
    with loading_one_at_a_time():
        assert module.region == "eu-west-1"
    assert type(module).__name__ == "Own"
