"""Offline answers for `pulumi.dynamic` resources.

Under mocks a dynamic provider's `create` is never called, so its outputs would be missing. A
provider that wants a faithful offline preview implements `offline_create(props) -> dict` (no
cloud calls, no side effects); we unpickle the provider exactly as the dynamic-provider host does
and ask it. Providers without the hook are echoed (their outputs equal their inputs): calling an
arbitrary `create` here could touch real infrastructure.
"""

from __future__ import annotations

import base64
from typing import Any

import dill
from pulumi.dynamic.dynamic import PROVIDER_KEY
from pulumi.runtime.mocks import MockResourceArgs

OFFLINE_HOOK = "offline_create"


def offline_dynamic_outputs(args: MockResourceArgs) -> dict[str, Any] | None:
    serialized = args.inputs.get(PROVIDER_KEY)
    if not isinstance(serialized, str):
        return None
    # The program under preview pickled this itself, exactly as the dynamic-provider host unpickles it.
    provider = dill.loads(base64.b64decode(serialized))  # noqa: S301
    hook = getattr(provider, OFFLINE_HOOK, None)
    if hook is None:
        return None
    props = {k: v for k, v in args.inputs.items() if k != PROVIDER_KEY}
    return dict(hook(props))
