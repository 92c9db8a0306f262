"""Offline answers for `pulumi.dynamic` resources.

Under mocks a dynamic provider's `create` is never called, so its outputs would be missing. In
preview mode that is what the engine does too: the dynamic-provider host does not announce preview
support (its `Configure` answers only `acceptSecrets`, pulumi/dynamic/__main__.py), so the engine
never calls its `Create` during `pulumi preview` and a new dynamic resource's outputs are unknown.
Under `--mode up`, a provider that wants a faithful offline result implements
`offline_create(props) -> dict` (no cloud calls, no side effects); we unpickle the provider exactly
as the dynamic-provider host does and ask it. Providers without the hook are echoed (their outputs
equal their inputs): calling an arbitrary `create` here could touch real infrastructure.
"""

from __future__ import annotations

import base64
from typing import Any

import dill
from pulumi.dynamic.dynamic import PROVIDER_KEY
from pulumi.runtime.mocks import MockResourceArgs

OFFLINE_HOOK = "offline_create"
_SIG = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"  # noqa: S105 - wire signature, not a secret


def _reveal(value: Any) -> Any:
    """Secrets arrive in their wire form under mocks (the serialized provider is always one, since
    `serialize_as_secret_always` defaults to True); the provider host sees plain values."""
    if isinstance(value, dict):
        if value.get(_SIG) == _SECRET_SIG:
            return _reveal(value.get("value"))
        return {k: _reveal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_reveal(v) for v in value]
    return value


def offline_dynamic_outputs(args: MockResourceArgs) -> dict[str, Any] | None:
    serialized = _reveal(args.inputs.get(PROVIDER_KEY))
    if not isinstance(serialized, str):
        return None
    # The program under preview pickled this itself, exactly as the dynamic-provider host unpickles it.
    provider = dill.loads(base64.b64decode(serialized))  # noqa: S301
    hook = getattr(provider, OFFLINE_HOOK, None)
    if hook is None:
        return None
    props = {k: _reveal(v) for k, v in args.inputs.items() if k != PROVIDER_KEY}
    return dict(hook(props))
