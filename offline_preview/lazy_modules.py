"""Lazily imported SDK modules loaded by one thread at a time.

The provider SDKs register most of their modules lazily (`pulumi._utils.lazy_import`: a
`_LazyModule` loads itself on first attribute access). Its loader first turns the module into a
plain module and only then runs the module's code, so a second thread that reads the module
meanwhile sees it half-initialized and fails with e.g. "module 'pulumi_aws.autoscaling' has no
attribute 'Group'". CPython made its own lazy modules safe for threads in 3.13
(importlib.util, gh-114763) by keeping the lazy class until the load is done, behind a lock;
pulumi's private copy of the 3.11 code is not.

The offline preview answers registrations on the mock monitor's worker threads, which read the
SDK modules of types the program never imported itself (the children a remote component's outputs
refer to), while the program's thread resolves outputs through the same modules' type hints. For
the duration of a run, `loading_one_at_a_time` gives both lazy module classes the 3.13 behaviour:
whoever triggers the load holds a lock until the module is complete, and the others wait for it.
"""

from __future__ import annotations

import contextlib
import importlib.util
import sys
import threading
import types
from collections.abc import Callable, Iterator
from typing import Any

import pulumi._utils as pulumi_utils

_LOCK = threading.RLock()
_LOADING: set[int] = set()  # modules whose code the lock's holder is running


def _loading_once(lazy_class: type, passthrough: frozenset[str]) -> Callable[[Any, str], Any]:
    def __getattribute__(self: Any, attr: str) -> Any:  # noqa: N807 - replaces the class's own
        if attr in passthrough:
            return types.ModuleType.__getattribute__(self, attr)
        with _LOCK:
            if object.__getattribute__(self, "__class__") is not lazy_class or id(self) in _LOADING:
                # Loaded by another thread meanwhile, or the loading module's own code reading it.
                return types.ModuleType.__getattribute__(self, attr)
            _LOADING.add(id(self))
            try:
                spec = types.ModuleType.__getattribute__(self, "__spec__")
                attrs_then = spec.loader_state["__dict__"]
                attrs_now = types.ModuleType.__getattribute__(self, "__dict__")
                updated = {k: v for k, v in attrs_now.items() if k not in attrs_then or attrs_then[k] is not v}
                spec.loader.exec_module(self)
                if spec.name in sys.modules and sys.modules[spec.name] is not self:
                    raise ValueError(f"module object for {spec.name!r} substituted in sys.modules during a lazy load")
                types.ModuleType.__getattribute__(self, "__dict__").update(updated)
            finally:
                _LOADING.discard(id(self))
                # Stop loading on access, unless the module's code set a class of its own (the SDKs'
                # `config` modules do, for their properties); as the original, a module whose code
                # failed stays what it became and is never loaded again.
                if object.__getattribute__(self, "__class__") is lazy_class:
                    object.__setattr__(self, "__class__", types.ModuleType)
        return types.ModuleType.__getattribute__(self, attr)

    return __getattribute__


_CLASSES: tuple[tuple[type, frozenset[str]], ...] = (
    (pulumi_utils._LazyModule, frozenset(getattr(pulumi_utils, "_INTROSPECTION_ATTRS", ()))),
    (importlib.util._LazyModule, frozenset()),  # type: ignore[attr-defined]  # older SDKs' own lazy_import
)


@contextlib.contextmanager
def loading_one_at_a_time() -> Iterator[None]:
    """Make lazy SDK modules load under a lock while the block runs."""
    originals = [(cls, vars(cls)["__getattribute__"]) for cls, _ in _CLASSES]
    for cls, passthrough in _CLASSES:
        cls.__getattribute__ = _loading_once(cls, passthrough)  # type: ignore[method-assign]
    try:
        yield
    finally:
        for cls, original in originals:
            cls.__getattribute__ = original  # type: ignore[method-assign]
