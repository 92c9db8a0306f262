"""Run a Pulumi Python program under the SDK's mock runtime and record every registration.

This is the one way the project runs a program offline: the CLI, the policy tests and the
full-stack tests all call `run_program`. Each run happens in a fresh `contextvars.Context` (the
SDK keeps its settings, config and root stack in context variables), so runs do not leak into each
other. Before a program runs, already-imported modules it would shadow (same top-level name, loaded
from another directory: another program or a policy pack) are forgotten, see
`forget_shadowed_modules`; the program's own modules stay imported afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import os
import runpy
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from google.protobuf import json_format
from pulumi.output import Unknown
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime.proto import provider_pb2
from pulumi.runtime.settings import SETTINGS
from pulumi.runtime.stack import Stack, run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from secure_platform.config.stack_files import Project, UserError, read_project, read_stack_config, read_stack_outputs

from .dynamic import offline_dynamic_outputs
from .mocks import MODELLED_REMOTE_TYPES, STACK_REFERENCE_TYPE, PlatformMocks, set_current_request
from .program_guard import describe_failure, guarded_program, program_location, record_invokes

_SIG = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"  # noqa: S105 - wire signature, not a secret
_RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
_ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17"
_ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SECRET_MASK = "[secret]"  # noqa: S105 - the mask shown instead of secrets
STACK_TYPE = "pulumi:pulumi:Stack"
PREVIEW, UP = "preview", "up"
MODES = (PREVIEW, UP)


@dataclass
class CapturedResource:
    """One registration as the engine (and CrossGuard) would see it."""

    urn: str
    type: str
    name: str
    custom: bool
    remote: bool
    parent: str | None
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    provider: str | None
    """URN of the explicit provider, if any."""
    protect: bool
    retain_on_delete: bool
    delete_before_replace: bool | None
    ignore_changes: list[str]
    replace_on_changes: list[str]
    additional_secret_outputs: list[str]
    custom_timeouts: dict[str, str]
    import_id: str
    inputs: dict[str, Any]
    """camelCase inputs, secrets unwrapped (what policies judge)."""
    secret_paths: list[str]
    id: str = ""
    outputs: dict[str, Any] = field(default_factory=dict)
    read: bool = False
    source: str = ""
    """`file:line` in the program that constructed the resource (from the request's stack trace)."""

    def masked_inputs(self) -> dict[str, Any]:
        return _mask(self.inputs, self.secret_paths)


@dataclass
class LogRecord:
    severity: str
    message: str


@dataclass
class Capture:
    project: str
    stack: str
    stack_urn: str = ""
    resources: list[CapturedResource] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    """Stack exports with secret values masked."""
    secret_outputs: list[str] = field(default_factory=list)
    logs: list[LogRecord] = field(default_factory=list)
    unknown_invokes: list[str] = field(default_factory=list)
    """Tokens of invokes no offline answer models (answered generically from the SDK's result type)."""
    invoke_sites: dict[str, list[str]] = field(default_factory=dict)
    """Unanswered invoke token -> the program's `file:line` of each call."""
    config: dict[str, str] = field(default_factory=dict)
    """The stack's config as the program saw it (secure values masked)."""
    mode: str = PREVIEW
    """`preview` (what `pulumi preview` gives the program: provider-computed outputs unknown) or `up`
    (plausible values for every output)."""

    def remote_components(self) -> tuple[list[CapturedResource], list[CapturedResource]]:
        """Remote (multi-language) components: (modelled here, not expanded). A modelled one's
        outputs and the children they refer to are answered by this project's own model of the
        package; the children of the others exist only inside the package's provider."""
        remote = [r for r in self.resources if r.remote]
        modelled = [r for r in remote if r.type in MODELLED_REMOTE_TYPES]
        return modelled, [r for r in remote if r.type not in MODELLED_REMOTE_TYPES]

    def by_urn(self) -> dict[str, CapturedResource]:
        return {r.urn: r for r in self.resources}

    def of_type(self, type_: str) -> list[CapturedResource]:
        return [r for r in self.resources if r.type == type_]

    def children(self, urn: str) -> list[CapturedResource]:
        return [r for r in self.resources if r.parent == urn]

    def descendants(self, urn: str) -> list[CapturedResource]:
        out: list[CapturedResource] = []
        frontier = [urn]
        while frontier:
            current = frontier.pop()
            for child in self.children(current):
                out.append(child)
                frontier.append(child.urn)
        return out

    def component_of(self, urn: str, component_types: set[str] | None = None) -> CapturedResource | None:
        """The outermost non-stack ancestor component (optionally only of the given types)."""
        index = self.by_urn()
        current = index.get(urn)
        found: CapturedResource | None = None
        while current is not None:
            if not current.custom and (component_types is None or current.type in component_types):
                found = current
            current = index.get(current.parent or "")
        return found


class ProgramError(Exception):
    """The program failed (not a policy finding): exit code 2 with this message."""

    capture: Capture | None = None
    location: str = ""
    """`file:line` in the program, when known."""
    resource: str = ""
    """URN of the resource concerned, when known."""
    detail: str = ""
    """The program's own traceback (its frames only), shown with `--debug`."""


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


def _mask(value: Any, secret_paths: list[str], path: str = "") -> Any:
    if path in secret_paths:
        return SECRET_MASK
    if isinstance(value, dict):
        return {k: _mask(v, secret_paths, f"{path}.{k}" if path else k) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v, secret_paths, f"{path}[{i}]") for i, v in enumerate(value)]
    return value


def _provider_urn(ref: str) -> str | None:
    if not ref:
        return None
    return ref.rsplit("::", 1)[0]


# --- the monitor -------------------------------------------------------------------------------


class CapturingMonitor(pulumi_mocks.MockMonitor):
    """The SDK's mock monitor, recording each request's type, inputs, parent, dependencies and
    options (the stock one hands `Mocks.new_resource` only type, name, inputs and provider)."""

    def __init__(self, mocks: PlatformMocks, capture: Capture, root: Path) -> None:
        super().__init__(mocks)
        self.capture = capture
        self.root = root
        self._mocks = mocks
        self._lock = threading.Lock()
        self._registered: set[str] = set()
        self._sources: dict[str, str] = {}
        self.duplicates: list[tuple[str, str, str]] = []
        """(URN, first registration's file:line, the duplicate's file:line)."""
        self.unregistered_children: dict[str, str] = {}
        """URN of a remote component's child that its outputs refer to -> the component's URN."""

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
            dependencies=list(request.dependencies),
            property_dependencies={k: list(v.urns) for k, v in request.propertyDependencies.items()},
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
        with self._lock:
            self.capture.resources.append(
                CapturedResource(
                    urn=urn,
                    type=request.type,
                    name=request.name,
                    custom=True,
                    remote=False,
                    parent=request.parent or None,
                    dependencies=list(request.dependencies),
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


class _LogSink(logging.Handler):
    def __init__(self, capture: Capture) -> None:
        super().__init__(level=logging.INFO)
        self.capture = capture

    def emit(self, record: logging.LogRecord) -> None:
        severity = {logging.ERROR: "error", logging.WARNING: "warning"}.get(record.levelno, "info")
        self.capture.logs.append(LogRecord(severity, record.getMessage()))


# --- running a program -------------------------------------------------------------------------


@contextlib.contextmanager
def _program_environment(directory: Path) -> Iterator[None]:
    """cwd and import path of the program, as the CLI sets them; no bytecode written."""
    forget_shadowed_modules(directory)
    old_cwd = Path.cwd()
    old_path = list(sys.path)
    old_bytecode = sys.dont_write_bytecode
    sys.dont_write_bytecode = True
    sys.path.insert(0, str(directory))
    os.chdir(directory)
    try:
        yield
    finally:
        os.chdir(old_cwd)
        sys.path[:] = old_path
        sys.dont_write_bytecode = old_bytecode


def _module_location(module: object) -> str:
    location = getattr(module, "__file__", None)
    if not location:
        paths = list(getattr(module, "__path__", None) or [])
        location = paths[0] if paths else ""
    return str(location)


def forget_shadowed_modules(directory: Path) -> None:
    """Before running the program in `directory`, drop already-imported modules that its own top-level
    modules and packages would shadow (same name, loaded from elsewhere: another program, or a pack).

    Modules loaded from `directory` itself stay imported: rerunning a program reuses them, as a test
    that imports the program's library does; purging them instead would leave two copies of a class
    alive (one referenced by the test, one by the program), which breaks pickling by reference.
    """
    root = directory.resolve()
    names = {p.stem for p in root.glob("*.py")} | {
        p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith(".") and p.name != "venv"
    }
    names.discard("__main__")
    for name in list(sys.modules):
        if name.split(".", 1)[0] not in names:
            continue
        location = _module_location(sys.modules[name])
        if not location:
            continue
        inside = Path(location).resolve().is_relative_to(root)
        if not inside and f"{os.sep}site-packages{os.sep}" not in location:
            del sys.modules[name]


def run_program(
    program_dir: str | Path,
    stack: str,
    *,
    config_file: str | Path | None = None,
    config: dict[str, Any] | None = None,
    region_default: str = "us-east-1",
    program: Callable[[], None] | None = None,
    stack_outputs: Mapping[str, Mapping[str, Any]] | str | Path | None = None,
    overrides: str | Path | None = None,
    mode: str = PREVIEW,
) -> Capture:
    """Run the program in `program_dir` for `stack` and return what it registered.

    `mode` is `preview` (the default: what `pulumi preview` gives the program, provider-computed
    outputs unknown) or `up` (plausible values for every output, for tests that need them).
    `config` (namespace:key -> value, objects allowed) overrides the stack file's values, which is
    how tests feed bad input. `program` replaces the directory's entry file (inline programs).
    `stack_outputs` (a mapping, or a JSON file of one) answers `pulumi.StackReference` reads:
    stack name -> its outputs; a stack not listed has none. `overrides` (a YAML file of
    `stack: {namespace:key: value}`) is merged over the stack file.
    Raises `UserError` for bad files or configuration and `ProgramError` when the program fails.
    """
    if mode not in MODES:
        raise UserError(f"mode {mode!r} is not one of: {', '.join(MODES)}")
    project = read_project(Path(program_dir)) if program is None else _inline_project(Path(program_dir))
    settings = read_stack_config(
        project, stack, Path(config_file) if config_file else None, Path(overrides) if overrides else None
    )
    values = dict(settings.config)
    for key, value in (config or {}).items():
        values[key] = value if isinstance(value, str) else _json(value)
    region = values.get("aws:region") or region_default
    references = read_stack_outputs(stack_outputs) if isinstance(stack_outputs, (str, Path)) else stack_outputs
    return contextvars.Context().run(
        _run, project, stack, values, settings.secret_keys, region, program, dict(references or {}), mode
    )


def _inline_project(directory: Path) -> Project:
    """The project of an inline program: the directory's Pulumi.yaml name if it has one (so names
    derived from the project match the real program's), else the directory's name."""
    manifest = directory / "Pulumi.yaml"
    if manifest.exists():
        project = read_project(directory)
        return Project(name=project.name, directory=project.directory, main=project.main)
    return Project(name=directory.name or "project", directory=directory.resolve(), main=directory / "__main__.py")


def _json(value: Any) -> str:
    import json

    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)


def _run(
    project: Project,
    stack: str,
    config: dict[str, str],
    secret_keys: list[str],
    region: str,
    program: Callable[[], None] | None,
    stack_outputs: Mapping[str, Mapping[str, Any]],
    mode: str,
) -> Capture:
    capture = Capture(project=project.name, stack=stack, config=dict(config), mode=mode)
    mocks = PlatformMocks(
        region=region,
        on_unknown_invoke=capture.unknown_invokes.append,
        dynamic_outputs=offline_dynamic_outputs,
        stack_outputs=stack_outputs,
        preview=mode == PREVIEW,
    )
    root = project.directory.resolve()
    monitor = CapturingMonitor(mocks, capture, root)
    logger = logging.getLogger(f"offline_preview.{project.name}.{stack}")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    sink = _LogSink(capture)
    logger.addHandler(sink)
    pulumi.runtime.set_all_config(config, secret_keys)
    # `preview=True` makes `is_dry_run()` true: the SDK then resolves every output the mock leaves
    # out (or returns as the unknown sentinel) as unknown and skips its applies (rpc.resolve_outputs).
    pulumi_mocks.set_mocks(
        mocks, project=project.name, stack=stack, preview=mode == PREVIEW, logger=logger, monitor=monitor
    )
    stack_resource = pulumi.runtime.get_root_resource()

    def body() -> None:
        try:
            if program is not None:
                program()
            else:
                runpy.run_path(str(project.main), run_name="__main__")
        finally:
            # `set_mocks` registers the root stack's (empty) outputs at once; register them again,
            # through the SDK's own path, now that the program has exported its values.
            if isinstance(stack_resource, Stack):
                stack_resource._outputs_registered = False
                stack_resource._finish()

    sites: dict[str, list[str]] = {}
    _quiet_orphaned_failures(asyncio.get_event_loop())
    try:
        with _program_environment(project.directory), guarded_program(), record_invokes(root, sites):
            _sync_await(run_pulumi_func(body))
    except pulumi.RunError as exc:
        _cancel_leftover_tasks()
        raise _with_capture(UserError(str(exc)), capture) from None
    except (UserError, ProgramError) as exc:
        _cancel_leftover_tasks()
        raise _with_capture(exc, capture) from None
    except BaseException as exc:  # noqa: BLE001 - sys.exit, os._exit, KeyboardInterrupt: all program errors
        _cancel_leftover_tasks()
        raise _program_error(exc, root, capture) from (exc if isinstance(exc, Exception) else None)
    finally:
        logger.removeHandler(sink)
    capture.resources.sort(key=lambda r: r.urn)  # registration order depends on thread timing
    capture.invoke_sites = {t: sorted(set(sites.get(t, []))) for t in sorted(set(capture.unknown_invokes))}
    _point_at_registrations(capture, monitor.unregistered_children)
    _check_outcome(capture, monitor)
    return capture


def _program_error(exc: BaseException, root: Path, capture: Capture) -> ProgramError:
    message, location, resource, detail = describe_failure(exc, root)
    references = sorted(
        {str(r.inputs.get("name") or r.name) for r in capture.resources if r.type == STACK_REFERENCE_TYPE}
    )
    if isinstance(exc, KeyError) and references:
        # `StackReference.require_output` of an output the referenced stack does not have.
        message += (
            f" (a stack output missing from a StackReference of {', '.join(references)}? offline, "
            "referenced stacks' outputs come from --stack-outputs FILE)"
        )
    error = ProgramError(message)
    error.location, error.resource, error.detail = location, resource, detail
    _with_capture(error, capture)
    return error


def _check_outcome(capture: Capture, monitor: CapturingMonitor) -> None:
    """What the engine refuses after the program ran: logged errors, duplicate URNs (the engine
    stops with "Duplicate resource URN ...; try giving it a unique name", pkg/resource/deploy/
    step_generator.go), and a program that registered nothing (an empty preview of a program
    meant to deploy something is a failure to run it, never a pass)."""
    if monitor.duplicates:
        urn, first, again = monitor.duplicates[0]
        error = ProgramError(
            f"duplicate resource URN {urn}: registered at {first or 'an unknown place'} and again at "
            f"{again or 'an unknown place'}; give each resource a unique name (the engine refuses this)"
        )
        error.location, error.resource = again, urn
        raise _with_capture(error, capture)
    errors = [r.message for r in capture.logs if r.severity == "error"]
    if errors:
        raise _with_capture(ProgramError("the program logged errors:\n  " + "\n  ".join(errors)), capture)
    if not capture.resources:
        raise _with_capture(
            ProgramError(
                "the program registered no resources (is the entry point right? Pulumi.yaml `main`, "
                "or __main__.py in the program directory)"
            ),
            capture,
        )


def _quiet_orphaned_failures(loop: asyncio.AbstractEventLoop) -> None:
    """A failed program leaves outputs whose exception nobody retrieves; asyncio would print each
    one's traceback (the tool's and the SDK's frames) when it is collected. The failure itself is
    reported once, as a `ProgramError`; these duplicates are dropped."""
    if getattr(loop, "_offline_preview_quiet", False):
        return

    def handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if "exception was never retrieved" not in str(context.get("message", "")):
            loop.default_exception_handler(context)

    loop.set_exception_handler(handler)
    loop._offline_preview_quiet = True  # type: ignore[attr-defined]


def _cancel_leftover_tasks() -> None:
    """After a `BaseException` escaped the event loop, cancel the program's pending tasks so that a
    later run in the same process does not resume them."""
    # The SDK files apply tasks in a process-wide list that `wait_for_rpcs` awaits; a task that
    # ended in `SystemExit` would otherwise be re-raised by the next program's run.
    lock, outputs = getattr(SETTINGS, "lock", None), getattr(SETTINGS, "outputs", None)
    if lock is not None and outputs is not None:
        with lock:
            outputs.clear()
    loop = asyncio.get_event_loop()
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in pending:
        task.cancel()
    if pending and not loop.is_running():
        with contextlib.suppress(BaseException):
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))


def _point_at_registrations(capture: Capture, owners: Mapping[str, str]) -> None:
    """Re-point parents and dependencies on unregistered children of remote components to the
    component itself.

    A program that uses a remote component's output typed as a resource (pulumi-eks's
    `cluster.eks_cluster.name`) depends on that child, e.g. `...eks:index:Cluster$aws:eks/cluster:
    Cluster::eks-eksCluster`. With the engine the child is a registration of the component's
    provider; offline the component is one registration without children, so the nearest thing
    that is registered, and that the engine would also have finished first, is the component.
    Every URN in a capture's parents and dependencies is then one of its resources (or the stack).
    """
    if not owners:
        return

    def owner(urn: str) -> str:
        while urn in owners:
            urn = owners[urn]
        return urn

    def unique(urns: list[str]) -> list[str]:
        return list(dict.fromkeys(owner(u) for u in urns))

    for r in capture.resources:
        r.parent = owner(r.parent) if r.parent else r.parent
        r.dependencies = unique(r.dependencies)
        r.property_dependencies = {k: unique(v) for k, v in r.property_dependencies.items()}


def _with_capture(exc: Exception, capture: Capture) -> Exception:
    """Keep what was registered before the failure (tests assert it is nothing for bad config)."""
    if isinstance(exc, (UserError, ProgramError)):
        exc.capture = capture
    return exc
