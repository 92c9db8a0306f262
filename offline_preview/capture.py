"""Run a Pulumi Python program under the SDK's mock runtime and record every registration.

This is the one way the project runs a program offline: the CLI, the policy tests and the
full-stack tests all call `run_program`. Each run happens in a fresh `contextvars.Context` (the
SDK keeps its settings, config and root stack in context variables), so runs do not leak into each
other. Before a program runs, already-imported modules it would shadow (same top-level name, loaded
from another directory: another program or a policy pack) are forgotten, see
`forget_shadowed_modules`; the program's own modules stay imported afterwards.

This module holds the run itself (environment, event loop, outcome checks). The recorded data
(`CapturedResource`, `Capture`, `ProgramError`, the sentinels) lives in `capture_model` and the
recording monitor in `capturing_monitor`; their public names are re-exported here, the import path
the rest of the project and its tests use.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import contextvars
import logging
import os
import runpy
import sys
import threading
import traceback
import warnings
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pulumi
from pulumi.config import ConfigMissingError
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime.settings import SETTINGS
from pulumi.runtime.stack import Stack, run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from secure_platform.config.stack_files import Project, UserError, read_project, read_stack_config, read_stack_outputs

from .capture_model import MODES as MODES
from .capture_model import PREVIEW as PREVIEW
from .capture_model import SECRET_MASK as SECRET_MASK
from .capture_model import STACK_TYPE as STACK_TYPE
from .capture_model import UNKNOWN as UNKNOWN
from .capture_model import UP as UP
from .capture_model import Capture as Capture
from .capture_model import CapturedResource as CapturedResource
from .capture_model import LogRecord as LogRecord
from .capture_model import ProgramError as ProgramError
from .capturing_monitor import WORKER_LOOPS
from .capturing_monitor import CapturingMonitor as CapturingMonitor
from .dynamic import offline_dynamic_outputs
from .heap import frozen_heap
from .lazy_modules import loading_one_at_a_time
from .mocks import STACK_REFERENCE_TYPE, PlatformMocks
from .program_guard import InvokeSites, describe_failure, guarded_program, record_invokes, unanswered_sites


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
    forget_other_programs_modules(directory)
    old_cwd = Path.cwd()
    old_path = list(sys.path)
    old_bytecode = sys.dont_write_bytecode
    imported_before = {name.split(".", 1)[0] for name in sys.modules}
    sys.dont_write_bytecode = True
    sys.path.insert(0, str(directory))
    os.chdir(directory)
    try:
        yield
    finally:
        os.chdir(old_cwd)
        sys.path[:] = old_path
        sys.dont_write_bytecode = old_bytecode
        _remember_programs_modules(directory, imported_before)


def _module_location(module: object) -> str:
    location = getattr(module, "__file__", None)
    if not location:
        paths = list(getattr(module, "__path__", None) or [])
        location = paths[0] if paths else ""
    return str(location)


_PROGRAMS_MODULES: dict[Path, set[str]] = {}
"""Program directory -> the modules of its own files that its runs imported (under top-level
names nothing had imported before the run)."""


def _installed(location: str) -> bool:
    """Whether a module was loaded from an installed distribution (site-packages), not from a
    program's own files: a project's virtualenv usually sits inside its directory (Pulumi.yaml's
    `virtualenv: venv`), yet the SDKs installed there belong to no one program."""
    parts = Path(location).parts
    return "site-packages" in parts or "dist-packages" in parts


def _remember_programs_modules(directory: Path, imported_before: set[str]) -> None:
    root = directory.resolve()
    own = _PROGRAMS_MODULES.setdefault(root, set())
    for name, module in list(sys.modules.items()):
        location = _module_location(module)
        if (
            name.split(".", 1)[0] not in imported_before
            and location
            and not _installed(location)
            and Path(location).resolve().is_relative_to(root)
        ):
            own.add(name)


def forget_other_programs_modules(directory: Path) -> None:
    """Before running the program in `directory`, drop the modules another program's files gave
    it. A program that imports a module it does not have (`import network` from a repository
    without its network.py) must fail as it fails in a process of its own, not get another
    program's module of that name from an earlier run in this process (a test session, the
    pytest plugin). Modules of the program's own directory stay, as in `forget_shadowed_modules`."""
    root = directory.resolve()
    for other, names in _PROGRAMS_MODULES.items():
        if other == root:
            continue
        for name in list(names):
            module = sys.modules.get(name)
            location = _module_location(module) if module is not None else ""
            if module is not None and not (location and Path(location).resolve().is_relative_to(root)):
                del sys.modules[name]
            names.discard(name)


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
        if not inside and not _installed(location):
            del sys.modules[name]


DIY_ORGANIZATION = "organization"


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
    region = values.get("aws:region") or values.get("aws-native:region") or region_default
    references = read_stack_outputs(stack_outputs) if isinstance(stack_outputs, (str, Path)) else stack_outputs
    with frozen_heap():
        return contextvars.Context().run(
            _run,
            project,
            stack,
            values,
            settings.secret_keys,
            region,
            program,
            dict(references or {}),
            mode,
            settings.environments,
        )


def _inline_project(directory: Path) -> Project:
    """The project of an inline program: the directory's Pulumi.yaml name if it has one (so names
    derived from the project match the real program's), else the directory's name."""
    if (directory / "Pulumi.yaml").exists():
        return read_project(directory)
    resolved = directory.resolve()
    return Project(
        name=directory.name or "project", directory=resolved, main=directory / "__main__.py", stack_dir=resolved
    )


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
    environments: tuple[str, ...] = (),
) -> Capture:
    capture = Capture(project=project.name, stack=stack, config=dict(config), mode=mode)
    capture.encrypted_config = sorted(k for k in secret_keys if SECRET_MASK in config.get(k, ""))
    sites: InvokeSites = {}
    unanswered: list[tuple[str, str | None]] = []

    def note_unanswered(token: str, key: str | None) -> None:
        capture.unknown_invokes.append(token)
        unanswered.append((token, key))

    references_lock = threading.Lock()  # the monitor's worker threads report references

    def note_reference(stack_name: str) -> None:
        with references_lock:
            if stack_name not in capture.unanswered_references:  # two references may read one stack
                capture.unanswered_references.append(stack_name)

    mocks = PlatformMocks(
        region=region,
        on_unknown_invoke=note_unanswered,
        on_unanswered_reference=note_reference,
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
    # `pulumi.get_organization()`: "organization" is what the engine gives a program on a
    # self-managed backend such as this project's S3 state bucket (pulumi/pulumi#10820); Pulumi
    # Cloud would give the stack's organization, which nobody can know offline.
    pulumi_mocks.set_mocks(
        mocks,
        project=project.name,
        stack=stack,
        preview=mode == PREVIEW,
        logger=logger,
        monitor=monitor,
        organization=DIY_ORGANIZATION,
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

    _quiet_orphaned_failures(asyncio.get_event_loop())
    try:
        # The CLI starts the program in the directory of Pulumi.yaml's `main` (pkg/cmd/pulumi
        # `getPwdMain`: "the PWD is set to the main directory"), and runpy puts it on sys.path.
        workdir = project.main.parent if program is None else project.directory
        with _program_environment(workdir), guarded_program(), record_invokes(root, sites), loading_one_at_a_time():
            _sync_await(run_pulumi_func(body))
    except pulumi.RunError as exc:
        _cancel_leftover_tasks()
        capture.invoke_sites = unanswered_sites(sites, unanswered)
        raise _with_capture(UserError(_run_error_message(exc, root, stack, sites, environments)), capture) from None
    except (UserError, ProgramError) as exc:
        _cancel_leftover_tasks()
        capture.invoke_sites = unanswered_sites(sites, unanswered)
        raise _with_capture(exc, capture) from None
    except BaseException as exc:  # noqa: BLE001 - sys.exit, os._exit, KeyboardInterrupt: all program errors
        _cancel_leftover_tasks()
        capture.invoke_sites = unanswered_sites(sites, unanswered)
        raise _program_error(exc, root, capture, sites) from (exc if isinstance(exc, Exception) else None)
    finally:
        logger.removeHandler(sink)
    capture.resources.sort(key=lambda r: r.urn)  # registration order depends on thread timing
    capture.invoke_sites = unanswered_sites(sites, unanswered)
    _point_at_registrations(capture, monitor.unregistered_children)
    exported = bool(stack_resource.outputs) if isinstance(stack_resource, Stack) else bool(capture.outputs)
    _check_outcome(capture, monitor, exported)
    return capture


def _run_error_message(
    exc: pulumi.RunError, root: Path, stack: str, sites: InvokeSites, environments: tuple[str, ...] = ()
) -> str:
    """The SDK's message for a configuration error with where the program asked for the value; for
    a missing one also how to give it offline (the SDK's hint names `pulumi config set`, which
    writes the same file), and, when the stack file imports Pulumi ESC environments, that their
    values are not read offline."""
    if not isinstance(exc, ConfigMissingError):
        # A RunError's message is the whole story (pulumi/errors.py): e.g. a configuration check
        # naming every bad key. Where it was raised (a library's validator) helps no one; the
        # program's line that led there does.
        _, location, _, _ = describe_failure(exc, root, sites, outermost=True)
        return f"{exc} (at {location})" if location else str(exc)
    _, location, _, _ = describe_failure(exc, root, sites)
    at = f" (required at {location})" if location else ""
    value = "{secure: <ciphertext>}" if exc.secret else "<value>"
    esc = (
        f"; the stack file imports the Pulumi ESC environment(s) {', '.join(environments)}, whose values the "
        "offline preview cannot read: give the value in a --config file"
        if environments
        else ""
    )
    return (
        f"missing required configuration variable '{exc.key}'{at}: add `{exc.key}: {value}` under `config:` in "
        f"Pulumi.{stack}.yaml (or the --config file), as `pulumi config set{' --secret' if exc.secret else ''} "
        f"{exc.key} <value>` would{esc}"
    )


def _program_error(exc: BaseException, root: Path, capture: Capture, sites: InvokeSites) -> ProgramError:
    message, location, resource, detail = describe_failure(exc, root, sites)
    references = sorted(
        {str(r.inputs.get("name") or r.name) for r in capture.resources if r.type == STACK_REFERENCE_TYPE}
    )
    if isinstance(exc, KeyError) and references and _raised_by_stack_reference(exc):
        # `StackReference.require_output` of an output the referenced stack does not have.
        message += (
            f" (a stack output missing from a StackReference of {', '.join(references)}? offline, "
            "referenced stacks' outputs come from --stack-outputs FILE)"
        )
    if capture.invoke_sites:
        # A program that fails on what a data source returned most often fails on a placeholder.
        calls = "; ".join(
            f"{token} (at {', '.join(at) or 'an unknown place'})" for token, at in sorted(capture.invoke_sites.items())
        )
        message += f" (the program read data sources the offline preview cannot answer, given placeholders: {calls})"
    error = ProgramError(message)
    error.location, error.resource, error.detail = location, resource, detail
    _with_capture(error, capture)
    return error


def _raised_by_stack_reference(exc: BaseException) -> bool:
    """Whether the SDK's StackReference raised it (`require_output` of an output the referenced
    stack lacks fails in pulumi/stack_reference.py), not the program's own lookup. When several
    registrations wait on the failed output, the SDK re-raises the failure it met while draining
    them `from` the first one it recorded, whose traceback has the raising frame
    (pulumi/runtime/stack.py `wait_for_rpcs`: `raise exn from cause`), so the chain is searched."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if any(
            Path(frame.f_code.co_filename).match("pulumi/stack_reference.py")
            for frame, _ in traceback.walk_tb(current.__traceback__)
        ):
            return True
        current = current.__cause__ or current.__context__
    return False


def _check_outcome(capture: Capture, monitor: CapturingMonitor, exported: bool) -> None:
    """What the engine refuses after the program ran: logged errors, duplicate URNs (the engine
    stops with "Duplicate resource URN ...; try giving it a unique name", pkg/resource/deploy/
    step_generator.go), and a program that registered nothing: no resource and no stack output (an
    empty preview of a program meant to deploy something is a failure to run it, never a pass; a
    program that only exports values, such as configuration it reads, previews under the engine
    as its stack and those outputs, and passes here too, even when the values are None and the SDK
    leaves them out of what it sends)."""
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
    if not capture.resources and not exported:
        raise _with_capture(
            ProgramError(
                "the program registered no resources and exported nothing (is the entry point right? Pulumi.yaml `main`, "
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


_loop_closed_at_exit = False


def close_event_loop_at_exit() -> None:
    """Close this thread's event loop (and the monitor's workers') when the interpreter exits. The
    SDK runs programs on it (pulumi/runtime/sync_await.py) and never closes it; left to the
    collector at shutdown, its `__del__` may run after its self-pipe socket was finalized and print
    "Exception ignored in BaseEventLoop.__del__ ... Invalid file descriptor: -1" after a clean run.
    Only at exit: runs in the same process share the loop."""
    global _loop_closed_at_exit
    if not _loop_closed_at_exit:
        atexit.register(close_current_event_loop)
        _loop_closed_at_exit = True


def close_current_event_loop() -> None:
    """Close this thread's event loop and those the monitor's worker threads opened, where idle."""
    loops = list(WORKER_LOOPS)
    with contextlib.suppress(RuntimeError), warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        loops.append(asyncio.get_event_loop())
    for loop in loops:
        if not loop.is_running() and not loop.is_closed():
            with contextlib.suppress(Exception):
                loop.close()


def _cancel_leftover_tasks() -> None:
    """After a `BaseException` escaped the event loop, cancel the program's pending tasks so that a
    later run in the same process does not resume them."""
    # The SDK files apply tasks in a process-wide list that `wait_for_rpcs` awaits; a task that
    # ended in `SystemExit` would otherwise be re-raised by the next program's run.
    # The failed program's outputs hold coroutines that will never be awaited now; Python warns of
    # each when it is collected (here, or at exit), naming SDK internals ('Output.future') that say
    # nothing about the failure, which is reported once as the error.
    warnings.filterwarnings("ignore", message=r"coroutine '.*' was never awaited", category=RuntimeWarning)
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
