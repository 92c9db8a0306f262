"""The SDK's mock monitor, extended to record every registration as the engine would see it.

Split from `capture` so that the gRPC side (wire values turned into plain JSON, resource
references kept off the monitor's thread, each request recorded as a `CapturedResource`) stands
apart from running the program, which `capture` does around it.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
from google.protobuf import json_format
from pulumi.output import Unknown
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime.proto import provider_pb2

from .capture_model import STACK_TYPE, UNKNOWN, Capture, CapturedResource, _mask
from .mocks import PlatformMocks, set_current_request
from .program_guard import program_location
from .transforms import transformed

_SIG = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"  # noqa: S105 - wire signature, not a secret
_RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
_ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17"
_ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7"


# --- value conversion --------------------------------------------------------------------------


def _plain(value: Any, path: str, secrets: list[str]) -> Any:
    """Wire value -> plain JSON: secrets unwrapped (path recorded), resource references downgraded
    to their id (custom resources) or URN (components), as the engine does for analyzers; an
    unknown value (preview) is the engine's unknown sentinel."""
    if isinstance(value, Unknown):
        return UNKNOWN
    if isinstance(value, list):
        return [_plain(v, f"{path}[{i}]", secrets) for i, v in enumerate(value)]
    if isinstance(value, dict):
        sig = value.get(_SIG)
        if sig == _SECRET_SIG:
            secrets.append(path)
            return _plain(value.get("value"), path, [])
        if sig == _RESOURCE_SIG:
            rid = value.get("id")
            return rid if rid not in (None, "") else value.get("urn")
        if sig == _ASSET_SIG:
            return {k: v for k, v in value.items() if k in ("path", "text", "uri", "hash")}
        if sig == _ARCHIVE_SIG:
            return {k: v for k, v in value.items() if k in ("path", "uri", "hash")}
        return {k: _plain(v, f"{path}.{k}" if path else k, secrets) for k, v in value.items()}
    return value


def _struct_to_plain(struct: Any) -> tuple[dict[str, Any], list[str]]:
    secrets: list[str] = []
    raw = json_format.MessageToDict(struct) if struct is not None else {}
    return _plain(raw, "", secrets), secrets


def _refs_as_plain_values(value: Any) -> tuple[Any, bool]:
    """Replace every resource reference with what a provider that does not accept references is
    sent: a custom resource's id (the unknown sentinel while it is unknown), a component's URN."""
    if isinstance(value, list):
        items = [_refs_as_plain_values(v) for v in value]
        return [v for v, _ in items], any(changed for _, changed in items)
    if isinstance(value, dict):
        if value.get(_SIG) == _RESOURCE_SIG:
            rid = value.get("id")
            if rid is None:
                return value.get("urn"), True
            return (rid or UNKNOWN), True
        pairs = {k: _refs_as_plain_values(v) for k, v in value.items()}
        return {k: v for k, (v, _) in pairs.items()}, any(changed for _, changed in pairs.values())
    return value, False


def _without_resource_refs(request: Any, field_name: str, raw: dict[str, Any]) -> Any:
    """The request with the resource references in its `field_name` struct turned into plain values.

    The SDK's mock monitor runs on an executor thread with an event loop of its own and
    deserializes a request's properties there. A resource reference becomes a resource object
    whose constructor starts a `getResource` RPC on that loop and files it with the run's RPC
    manager; the program's loop then awaits it in `wait_for_rpcs` and fails with "attached to a
    different loop" whenever it is still pending (about one run in three when resources are passed
    as inputs). So nothing from the program's object world is ever built on the monitor's thread:
    the mock gets plain values, and what we capture is read from the original request (`raw`)."""
    plain, changed = _refs_as_plain_values(raw)
    if not changed:
        return request
    copy = type(request)()
    copy.CopyFrom(request)
    getattr(copy, field_name).Clear()
    json_format.ParseDict(plain, getattr(copy, field_name))
    return copy


def _provider_urn(ref: str) -> str | None:
    if not ref:
        return None
    return ref.rsplit("::", 1)[0]


# --- the event loops of the monitor's threads --------------------------------------------------

WORKER_LOOPS: weakref.WeakSet[asyncio.AbstractEventLoop] = weakref.WeakSet()
"""Event loops the SDK's mock monitor opened on the threads that answer the program's requests."""


def _remembering(ensure: Callable[[], asyncio.AbstractEventLoop]) -> Callable[[], asyncio.AbstractEventLoop]:
    def ensure_event_loop() -> asyncio.AbstractEventLoop:
        loop = ensure()
        if threading.current_thread() is not threading.main_thread():
            WORKER_LOOPS.add(loop)
        return loop

    ensure_event_loop.__wrapped__ = ensure  # type: ignore[attr-defined]
    return ensure_event_loop


def _remember_worker_loops() -> None:
    """The SDK's mock monitor opens an event loop on each worker thread that answers a
    registration or an invoke (pulumi/runtime/mocks.py calls `_ensure_event_loop`) and never closes
    it; when the threads end at interpreter shutdown, the collector may finalize those loops after
    their sockets and print "Exception ignored ... Invalid file descriptor: -1" after a clean run.
    Remembered here, they are closed at exit with the program's own loop."""
    current = vars(pulumi_mocks)["_ensure_event_loop"]
    if not hasattr(current, "__wrapped__"):
        setattr(pulumi_mocks, "_ensure_event_loop", _remembering(current))  # noqa: B010 - the SDK's module global


# --- the monitor -------------------------------------------------------------------------------


class CapturingMonitor(pulumi_mocks.MockMonitor):
    """The SDK's mock monitor, recording each request's type, inputs, parent, dependencies and
    options (the stock one hands `Mocks.new_resource` only type, name, inputs and provider)."""

    def __init__(self, mocks: PlatformMocks, capture: Capture, root: Path) -> None:
        super().__init__(mocks)
        _remember_worker_loops()
        self.capture = capture
        self.root = root
        self._mocks = mocks
        self._lock = threading.Lock()
        self._registered: set[str] = set()
        self._sources: dict[str, str] = {}
        self.duplicates: list[tuple[str, str, str]] = []
        """(URN, first registration's file:line, the duplicate's file:line)."""
        self.stack_transform_tokens: list[str] = []
        """Callback tokens of `register_resource_transform`, run after a resource's own."""
        self.unregistered_children: dict[str, str] = {}
        """URN of a remote component's child that its outputs refer to -> the component's URN."""

    def RegisterStackTransform(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        self.stack_transform_tokens.append(request.token)
        return super().RegisterStackTransform(request)

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        """The URN the engine gives: the parent's whole qualified type before the resource's own
        (`platform:index:BackendState$platform:index:SecureBucket$aws:s3/bucket:Bucket`), and the
        root stack's type left out. The SDK's mock keeps only the parent's last type and keeps
        the stack's, so its URNs would match neither `pulumi stack --show-urns` nor the URNs a
        runbook's `--target` or `state` command must name."""
        if parent:
            qualified = parent.split("::")[2]
            if qualified != STACK_TYPE:
                type_ = f"{qualified}${type_}"
        return "urn:pulumi:" + "::".join([pulumi.get_stack(), pulumi.get_project(), type_, name])

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        urn = self.make_urn(request.parent, request.type, request.name)
        if request.type == STACK_TYPE:
            self.capture.stack_urn = urn
            return super().RegisterResource(request)
        request = transformed(request, self.stack_transform_tokens)
        source = self._source(request)
        with self._lock:
            first = self._sources.setdefault(urn, source)
            if urn in self._registered:
                self.duplicates.append((urn, first, source))
            self._registered.add(urn)
        set_current_request(urn, bool(request.remote))
        raw = json_format.MessageToDict(request.object) if request.HasField("object") else {}
        response = super().RegisterResource(_without_resource_refs(request, "object", raw))
        # State of children a remote component's outputs refer to, for the SDK's getResource
        # (registered before the response goes back, i.e. before the SDK resolves the reference).
        for child_urn, child_id, state in self._mocks.children_of.pop(urn, []):
            self.resources[child_urn] = pulumi_mocks.MockMonitor.ResourceRegistration(child_urn, child_id, state)
            with self._lock:
                self.unregistered_children[child_urn] = urn
        secrets: list[str] = []
        inputs = _plain(raw, "", secrets)
        registered = self.resources.get(urn)
        outputs = dict(registered.state) if registered else {}
        timeouts = request.customTimeouts if request.HasField("customTimeouts") else None
        resource = CapturedResource(
            urn=urn,
            type=request.type,
            name=request.name,
            custom=bool(request.custom),
            remote=bool(request.remote),
            parent=request.parent or None,
            # The SDK sends both as `list(set(urns))` (pulumi/runtime/resource.py `prepare_resource`),
            # in an order that changes with the process's string hash seed; they are sets, so they
            # are kept sorted and whatever reads them (reports, policy messages) is the same every run.
            dependencies=sorted(request.dependencies),
            property_dependencies={k: sorted(v.urns) for k, v in request.propertyDependencies.items()},
            provider=_provider_urn(request.provider),
            protect=request.protect if request.HasField("protect") else False,
            retain_on_delete=request.retainOnDelete if request.HasField("retainOnDelete") else False,
            delete_before_replace=request.deleteBeforeReplace if request.deleteBeforeReplaceDefined else None,
            ignore_changes=list(request.ignoreChanges),
            replace_on_changes=list(request.replaceOnChanges),
            additional_secret_outputs=list(request.additionalSecretOutputs),
            custom_timeouts=(
                {
                    k: v
                    for k, v in (("create", timeouts.create), ("update", timeouts.update), ("delete", timeouts.delete))
                    if v
                }
                if timeouts is not None
                else {}
            ),
            import_id=request.importId,
            inputs=inputs,
            secret_paths=secrets,
            id=registered.id if registered else "",
            outputs=_plain(outputs, "", []),
            source=source,
        )
        with self._lock:
            self.capture.resources.append(resource)
        return response

    def _source(self, request: Any) -> str:
        """The program's `file:line` that constructed the resource: the first frame of the request's
        stack trace (innermost first) inside the program directory."""
        paths = [(f.pc.uri, f.pc.line) for f in request.stackTrace.frames if f.HasField("pc")]
        if request.HasField("sourcePosition"):
            paths.append((request.sourcePosition.uri, request.sourcePosition.line))
        return program_location(((uri.removeprefix("file://"), line) for uri, line in paths), self.root)

    def Call(self, request: Any) -> Any:  # noqa: N802
        """A method of a remote component (`cluster.get_kubeconfig()`): only the package's provider
        can answer it, and it does not run offline. The stock mock monitor has no `Call` at all
        (the program crashed); the result is unknown and the call is listed as unanswered."""
        self._mocks.report_unanswered(request.tok)
        response = provider_pb2.CallResponse()
        json_format.ParseDict({"result": UNKNOWN}, getattr(response, "return"))
        return response

    def Invoke(self, request: Any) -> Any:  # noqa: N802
        if request.tok == "pulumi:pulumi:getResource":
            return super().Invoke(request)
        raw = json_format.MessageToDict(request.args) if request.HasField("args") else {}
        return super().Invoke(_without_resource_refs(request, "args", raw))

    def ReadResource(self, request: Any) -> Any:  # noqa: N802
        urn = self.make_urn(request.parent, request.type, request.name)
        set_current_request(urn, False)
        raw = json_format.MessageToDict(request.properties) if request.HasField("properties") else {}
        response = super().ReadResource(_without_resource_refs(request, "properties", raw))
        secrets: list[str] = []
        inputs = _plain(raw, "", secrets)
        registered = self.resources.get(urn)
        # The engine reads an existing resource in preview too and answers with its id; the SDK
        # resolves an empty id as unknown in a dry run (pulumi/runtime/resource.py `read_resource`),
        # so `Bucket.get("x", "name").id` would be unknown where the engine knows it.
        read_id = request.id or (registered.id if registered else "")
        if read_id and read_id != UNKNOWN:
            response.id = read_id
        with self._lock:
            self.capture.resources.append(
                CapturedResource(
                    urn=urn,
                    type=request.type,
                    name=request.name,
                    custom=True,
                    remote=False,
                    parent=request.parent or None,
                    dependencies=sorted(request.dependencies),
                    property_dependencies={},
                    provider=_provider_urn(request.provider),
                    protect=False,
                    retain_on_delete=False,
                    delete_before_replace=None,
                    ignore_changes=[],
                    replace_on_changes=[],
                    additional_secret_outputs=[],
                    custom_timeouts={},
                    import_id="",
                    inputs=inputs,
                    secret_paths=secrets,
                    id=request.id,
                    outputs=_plain(dict(registered.state) if registered else {}, "", []),
                    read=True,
                    source=self._source(request),
                )
            )
        return response

    def RegisterResourceOutputs(self, request: Any) -> Any:  # noqa: N802
        if request.urn == self.capture.stack_urn:
            outputs, secrets = _struct_to_plain(request.outputs)
            self.capture.outputs = _mask(outputs, secrets)
            self.capture.secret_outputs = secrets
        return super().RegisterResourceOutputs(request)
