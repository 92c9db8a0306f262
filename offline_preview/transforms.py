"""Resource transforms run as the engine runs them.

`ResourceOptions(transforms=[...])` and `pulumi.runtime.register_resource_transform` are not
applied by the SDK: it registers each function with its callback server and sends the tokens, and
the engine calls them back with the resource's type, name, inputs and options, registering what
they return (pulumi/runtime/_callbacks.py `register_transform`; pkg/resource/deploy/source_eval.go).
The SDK's mock monitor ignores them, so a program whose transform widens an IAM policy or turns a
bucket public would be captured, and judged, with its inputs as written. Here the capturing
monitor calls the same callbacks, on the program's event loop where the SDK created them: the
resource's own transforms first, then the stack's, each seeing the previous one's result. Not
modelled: a parent component's transforms applied to its children (the engine walks up the
parents), transforms of invokes, and option changes other than those listed in `_OPTIONS`.
"""

from __future__ import annotations

import asyncio
from typing import Any

from pulumi.runtime._callbacks import _CallbackServicer
from pulumi.runtime.proto import resource_pb2

_OPTIONS = ("protect", "retain_on_delete", "delete_before_replace")  # optional booleans
_LISTS = ("ignore_changes", "additional_secret_outputs")
_REQUEST_FIELDS = {
    "protect": "protect",
    "retain_on_delete": "retainOnDelete",
    "delete_before_replace": "deleteBeforeReplace",
    "ignore_changes": "ignoreChanges",
    "additional_secret_outputs": "additionalSecretOutputs",
}


def _callback(token: str) -> tuple[Any, asyncio.AbstractEventLoop] | None:
    for servicer in list(_CallbackServicer._servicers):
        found = servicer._callbacks.get(token)
        if found is not None:
            return found, servicer._loop
    return None


def transformed(request: Any, stack_tokens: list[str]) -> Any:
    """`request` (a RegisterResourceRequest) after its own and the stack's transforms, as a copy;
    the request itself when there are none."""
    tokens = [c.token for c in request.transforms] + list(stack_tokens)
    if not tokens:
        return request
    out = type(request)()
    out.CopyFrom(request)
    for token in tokens:
        found = _callback(token)
        if found is None:
            continue
        callback, loop = found
        options = resource_pb2.TransformResourceOptions(
            protect=out.protect,
            retain_on_delete=out.retainOnDelete,
            delete_before_replace=out.deleteBeforeReplace,
            ignore_changes=list(out.ignoreChanges),
            additional_secret_outputs=list(out.additionalSecretOutputs),
        )
        ask = resource_pb2.TransformRequest(
            type=out.type, name=out.name, custom=out.custom, parent=out.parent, properties=out.object, options=options
        )
        # The monitor answers on a worker thread while the program's loop awaits it, so the
        # callback runs on that loop (its Outputs and serialization belong there).
        response = asyncio.run_coroutine_threadsafe(callback(ask.SerializeToString()), loop).result()
        out.object.CopyFrom(response.properties)
        if response.HasField("options"):
            for name in _OPTIONS:
                if response.options.HasField(name):
                    setattr(out, _REQUEST_FIELDS[name], getattr(response.options, name))
                    if name == "delete_before_replace":
                        out.deleteBeforeReplaceDefined = True
            for name in _LISTS:
                field = getattr(out, _REQUEST_FIELDS[name])
                del field[:]
                field.extend(getattr(response.options, name))
    return out
