"""What makes calling pulumi-policy's analyzer service in-process affordable, without changing
what any policy sees or reports.

The servicer (`pulumi_policy.policy._PolicyAnalyzerServicer`) rebuilds a resource's view for every
policy: `Analyze` converts the request's properties to a dict, deserializes them and wraps them in
an unknown-checking proxy once per policy, and `AnalyzeStack` does it for every resource once per
stack policy. With a hundred policies over four hundred resources that is most of an evaluation.

* `memoized_conversions`: the message-to-dict conversion and the deserialization are pure
  functions of a message nobody modifies, so they are remembered per message. The proxy that each
  policy receives is still built per call (`unknown_checking_proxy` copies every dict and list it
  wraps; only leaf objects such as assets are shared), so a policy that writes into its props
  changes nothing another policy sees.
* `PolicyScopes`: a resource policy may carry `judges_type(resource_type) -> bool`, the very filter
  its own `validate` applies before anything else (the resource policies of
  `policies/platform_policies` do), so a resource is sent to a servicer holding just the resource
  policies that accept its type and every resource policy that does not say. The CLI calls every
  policy and gets the same results, since a filtered-out policy returns before reading anything.
  Stack policies all go to the whole pack's servicer (its `AnalyzeStack` calls only those): what
  they read and report on can depend on their config (a widened list of types) and on linked
  resources, so no filter can be proven equivalent.

`closing_policy_loops` is not about cost: the servicer runs an async policy on an event loop of its
own and closes it only when the policy returns; one that raises (an `UnknownValueError` on a
preview's unknown) leaves the loop open, and the collector may finalize it at interpreter shutdown
after its socket, printing "Exception ignored ... Invalid file descriptor: -1" after a clean run.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import pulumi_policy.policy as policy_module
from google.protobuf import json_format
from pulumi_policy import Policy, ResourceValidationPolicy


def _per_object(convert: Callable[[Any], dict[str, Any]]) -> Callable[[Any], dict[str, Any]]:
    """`convert` remembered per argument object (by identity: messages and dicts are unhashable,
    and the object is kept alive with its result so its id cannot be reused)."""
    memo: dict[int, tuple[Any, dict[str, Any]]] = {}

    def remembered(value: Any) -> dict[str, Any]:
        hit = memo.get(id(value))
        if hit is None or hit[0] is not value:
            hit = (value, convert(value))
            memo[id(value)] = hit
        return hit[1]

    return remembered


class _MemoizedJsonFormat:
    """`google.protobuf.json_format` for the servicer, with `MessageToDict` remembered per message."""

    def __init__(self) -> None:
        self._message_to_dict = _per_object(json_format.MessageToDict)

    def MessageToDict(self, message: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:  # noqa: N802
        if args or kwargs:
            return json_format.MessageToDict(message, *args, **kwargs)
        return self._message_to_dict(message)

    def __getattr__(self, name: str) -> Any:
        return getattr(json_format, name)


def _memoized_deserialize(original: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """`deserialize_properties` remembered per input dict (itself remembered per message above).
    Only the plain form: with `proxy_secrets` (remediation) the result is built every time."""
    plain = _per_object(original)

    def deserialize_properties(props: dict[str, Any], proxy_secrets: bool = False) -> dict[str, Any]:
        return original(props, proxy_secrets) if proxy_secrets else plain(props)

    return deserialize_properties


@contextlib.contextmanager
def memoized_conversions() -> Iterator[None]:
    """Swap the servicer module's `json_format` and `deserialize_properties` for remembering ones."""
    originals = {name: vars(policy_module)[name] for name in ("json_format", "deserialize_properties")}
    setattr(policy_module, "json_format", _MemoizedJsonFormat())  # noqa: B010 - the servicer's module global
    setattr(policy_module, "deserialize_properties", _memoized_deserialize(originals["deserialize_properties"]))  # noqa: B010
    try:
        yield
    finally:
        for name, value in originals.items():
            setattr(policy_module, name, value)


class _LoopClosingAsyncio:
    """`asyncio` for the servicer, remembering the event loops it creates."""

    def __init__(self) -> None:
        self.loops: list[asyncio.AbstractEventLoop] = []

    def new_event_loop(self) -> asyncio.AbstractEventLoop:
        loop = asyncio.new_event_loop()
        self.loops.append(loop)
        return loop

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)


@contextlib.contextmanager
def closing_policy_loops() -> Iterator[None]:
    """Close every event loop the servicer opened for async policies once the calls are done."""
    shim = _LoopClosingAsyncio()
    previous = vars(policy_module)["asyncio"]
    setattr(policy_module, "asyncio", shim)  # noqa: B010 - the servicer's module global
    try:
        yield
    finally:
        setattr(policy_module, "asyncio", previous)  # noqa: B010
        for loop in shim.loops:
            if not loop.is_closed() and not loop.is_running():
                loop.close()


def judges(policy: Policy, resource_type: str) -> bool:
    """Whether resource policy `policy` reads a resource of `resource_type` at all (true when it does
    not say)."""
    matcher = getattr(policy, "judges_type", None)
    return True if not callable(matcher) else bool(matcher(resource_type))


class PolicyScopes:
    """Configured servicers over subsets of a pack's active policies, one per distinct subset."""

    def __init__(self, make_servicer: Callable[[list[Policy]], Any], configure_request: Any, active: list[Policy]):
        self._make = make_servicer
        self._configure = configure_request
        self._active = active
        self._servicers: dict[tuple[int, ...], Any] = {}
        self._by_type: dict[str, list[Policy]] = {}

    def servicer(self, policies: list[Policy]) -> Any:
        key = tuple(id(p) for p in policies)
        if key not in self._servicers:
            servicer = self._make(policies)
            servicer.Configure(self._configure, None)
            self._servicers[key] = servicer
        return self._servicers[key]

    def for_resource(self, resource_type: str) -> list[Policy]:
        """The active resource policies that may report on a resource of `resource_type`."""
        if resource_type not in self._by_type:
            self._by_type[resource_type] = [
                p for p in self._active if isinstance(p, ResourceValidationPolicy) and judges(p, resource_type)
            ]
        return self._by_type[resource_type]
