"""Keep the cyclic garbage collector off the objects that exist before a run.

A process that has imported the provider SDKs holds hundreds of thousands of objects (pulumi-aws
alone defines thousands of classes). A program run allocates futures, outputs and messages fast
enough to trigger full collections, and each full collection walks every one of those objects:
in a process that had already run this repository's prod stack (tests, benchmarks, the policy
evaluation after a run) that was about 45 % of a run. `gc.freeze()` moves the objects that exist
now into a permanent generation the collector skips, so a collection during the run walks only
what the run created; `gc.unfreeze()` afterwards hands them back, and garbage frozen with them is
collected by a later full collection (https://docs.python.org/3/library/gc.html#gc.freeze). In a
fresh `python -m offline_preview`, the SDK modules the program imports during the run are not
frozen; that run gains less.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

_depth = 0


@contextlib.contextmanager
def frozen_heap() -> Iterator[None]:
    """For the duration of the block, the collector skips every object that existed before it.
    Nested blocks share the outermost freeze."""
    global _depth
    if _depth == 0:
        gc.freeze()
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if _depth == 0:
            gc.unfreeze()
