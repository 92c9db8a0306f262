"""Keep a program's failures the program's: where it failed, never a pass when it stopped early.

A Pulumi program that stops part-way (`sys.exit(0)`, `os._exit`, an interrupt) is not a clean run:
with the real CLI the engine would take the resources registered so far as the whole desired
state. Every way out of the program is therefore turned into a `ProgramError` naming the program's
own `file:line` (and the resource being constructed, when there is one); the tool's and the SDK's
frames are left out of the message.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import os
import sys
import traceback
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

import pulumi.runtime


class ProgramExit(BaseException):
    """Raised instead of ending the process when the program calls `os._exit`."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


_TOOL_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
"""This package: its frames are the tool's, even when the program's directory holds it (as this
repository's does)."""


def _is_program_file(filename: str, root: str) -> bool:
    return (
        filename.startswith(root + os.sep)
        and not filename.startswith(_TOOL_DIR)
        and f"{os.sep}site-packages{os.sep}" not in filename
        and f"{os.sep}venv{os.sep}" not in filename
    )


def program_location(frames: Iterable[tuple[str, int]], root: Path) -> str:
    """`relative/file.py:line` of the first (path, line) inside the program directory, or ""."""
    base = str(root)
    for filename, line in frames:
        if _is_program_file(filename, base):
            return f"{os.path.relpath(filename, base)}:{line}"
    return ""


@contextlib.contextmanager
def guarded_program() -> Iterator[None]:
    """`os._exit` raises `ProgramExit` while the program runs, instead of ending the process
    without a report."""
    real_exit = os._exit

    def _exit(code: int) -> None:
        raise ProgramExit(code)

    os._exit = _exit  # type: ignore[assignment]
    try:
        yield
    finally:
        os._exit = real_exit


# --- where unanswered invokes are called from --------------------------------------------------

_SITES: contextvars.ContextVar[tuple[str, InvokeSites] | None] = contextvars.ContextVar(
    "offline_preview_invoke_sites", default=None
)
_INVOKE_FUNCTIONS = (
    "invoke",
    "invoke_output",
    "invoke_async",
    "invoke_single",
    "invoke_output_single",
    "call",
    "call_single",
)
_installed = False


def _caller_in_program(root: str) -> str:
    frame: FrameType | None = sys._getframe(2)
    while frame is not None:
        filename = frame.f_code.co_filename
        if _is_program_file(filename, root):
            return f"{os.path.relpath(filename, root)}:{frame.f_lineno}"
        frame = frame.f_back
    return ""


def invoke_key(props: Any) -> str | None:
    """The arguments of an invoke as canonical JSON (None-valued keys dropped, as the SDK drops them
    when it serializes), or None when they are not plain values (outputs, resources): how a call
    recorded here is matched with the answer the monitor could not give."""
    if not isinstance(props, dict):
        return None
    try:
        return json.dumps(_canonical(props), sort_keys=True, allow_nan=False)
    except (TypeError, ValueError):
        return None


def _canonical(value: Any) -> Any:
    """As both sides of an invoke see a value alike: None-valued keys dropped at every level, and
    whole numbers as integers (protobuf carries every number as a double)."""
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


InvokeSites = dict[str, list[tuple[str, str | None]]]
"""Invoke token -> (the program's `file:line`, the call's `invoke_key`) of each call."""


def _recording(function: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(tok: str, *args: Any, **kwargs: Any) -> Any:
        active = _SITES.get()
        # Every call is recorded, answered or not: a modelled data source may still decline
        # (a CloudFront policy of the account's own, an AMI of a Region without one), and the
        # report keeps the sites of the calls left unanswered.
        if active is not None:
            root, sites = active
            site = _caller_in_program(root) or "(outside the program directory)"
            sites.setdefault(tok, []).append((site, invoke_key(args[0] if args else kwargs.get("props"))))
        return function(tok, *args, **kwargs)

    wrapper.__wrapped__ = function  # type: ignore[attr-defined]
    return wrapper


def _sites_of(sites: InvokeSites, token: str, wanted: set[str | None]) -> list[str]:
    """The recorded sites of `token` whose call arguments are among `wanted` (any call of the token
    when either side's arguments are not plain values, i.e. a key of None), in call order."""
    return [site for site, key in sites.get(token, []) if key is None or None in wanted or key in wanted]


def unanswered_sites(sites: InvokeSites, unanswered: Iterable[tuple[str, str | None]]) -> dict[str, list[str]]:
    """Token -> sorted sites of the calls left unanswered."""
    keys: dict[str, set[str | None]] = {}
    for token, key in unanswered:
        keys.setdefault(token, set()).add(key)
    return {token: sorted(set(_sites_of(sites, token, wanted))) for token, wanted in sorted(keys.items())}


_SITE_ATTRIBUTE = "_offline_preview_site"


def _remembering_site(apply: Callable[..., Any]) -> Callable[..., Any]:
    """`Output.apply` that remembers the program's line that set the callback up.

    The SDK runs a callback later, on the event loop, so when it raises (`Output.concat` given
    None, a program's lambda on a placeholder) no line of the program is on the traceback; the
    exception then carries the line of the `.apply`/`.concat`/`Output.all(...).apply` call that
    led to it, which `describe_failure` reports. Outside a run this is the SDK's own apply."""

    def remembering(self: Any, func: Callable[..., Any], run_with_unknowns: bool = False) -> Any:
        active = _SITES.get()
        site = _caller_in_program(active[0]) if active is not None else ""
        if not site:
            return apply(self, func, run_with_unknowns)

        def callback(*args: Any, **kwargs: Any) -> Any:
            try:
                return func(*args, **kwargs)
            except Exception as exc:
                if not hasattr(exc, _SITE_ATTRIBUTE):
                    with contextlib.suppress(AttributeError, TypeError):
                        setattr(exc, _SITE_ATTRIBUTE, site)
                raise

        return apply(self, callback, run_with_unknowns)

    remembering.__wrapped__ = apply  # type: ignore[attr-defined]
    return remembering


@contextlib.contextmanager
def record_invokes(root: Path, sites: InvokeSites) -> Iterator[None]:
    """Record the program's `file:line` of every call of an invoke without an offline answer.

    The provider SDKs call `pulumi.runtime.invoke`/`invoke_output` by attribute at call time, so
    wrapping those attributes sees every call, synchronously, with the program's frame on the
    stack (the mock monitor answers later, on another thread)."""
    global _installed
    if not _installed:
        for name in _INVOKE_FUNCTIONS:
            function = getattr(pulumi.runtime, name, None)
            if function is not None:
                setattr(pulumi.runtime, name, _recording(function))
        pulumi.Output.apply = _remembering_site(pulumi.Output.apply)  # type: ignore[method-assign]
        _installed = True
    token = _SITES.set((str(root), sites))
    try:
        yield
    finally:
        _SITES.reset(token)


# --- describing a failure ----------------------------------------------------------------------


def _frames(tb: TracebackType | None) -> list[tuple[FrameType, int]]:
    out: list[tuple[FrameType, int]] = []
    while tb is not None:
        out.append((tb.tb_frame, tb.tb_lineno))
        tb = tb.tb_next
    return out


def _resource_under_construction(frames: list[tuple[FrameType, int]]) -> str:
    """`Type 'name'` of the resource whose constructor raised (generated SDK constructors take
    `__self__` and `resource_name`), or ""."""
    for frame, _ in reversed(frames):
        name = frame.f_locals.get("resource_name")
        owner = frame.f_locals.get("__self__", frame.f_locals.get("self"))
        if isinstance(name, str) and isinstance(owner, pulumi.Resource):
            return f"{type(owner).__module__.split('.')[0]}.{type(owner).__name__} {name!r}"
    return ""


class InvokeError(Exception):
    """An invoke whose offline answer failed as the provider's would (a file std.file cannot read):
    carries the call's token and arguments, so the failure can name the program's call site even
    when it surfaces only as the program ends (an invoke whose result nobody awaited)."""

    def __init__(self, token: str, key: str | None, message: str) -> None:
        super().__init__(f"invoke {token} failed: {message}")
        self.token, self.key = token, key


def describe_failure(
    exc: BaseException, root: Path, sites: InvokeSites | None = None, *, outermost: bool = False
) -> tuple[str, str, str, str]:
    """(message, program file:line, resource, the program's own traceback) of a failure. The
    location is the innermost frame of the program's files (where it failed), or with `outermost`
    the program's own line that led there (for errors whose message is the whole story)."""
    base = str(root)
    frames = _frames(exc.__traceback__)
    location = ""
    for frame, line in frames:
        if _is_program_file(frame.f_code.co_filename, base):
            location = f"{os.path.relpath(frame.f_code.co_filename, base)}:{line}"
            if outermost:
                break
    if not location and isinstance(exc, InvokeError) and sites:
        # A call whose arguments are exactly the failed ones is the one that failed; a call whose
        # arguments held outputs (no key) only might be, so it names the site only failing that.
        exact = [site for site, key in sites.get(exc.token, []) if exc.key is not None and key == exc.key]
        calls = exact or _sites_of(sites, exc.token, {exc.key})
        location = calls[0] if calls else ""
    if not location:
        location = str(getattr(exc, _SITE_ATTRIBUTE, "") or "")
    resource = _resource_under_construction(frames)
    at = f" (at {location})" if location else ""
    if isinstance(exc, SystemExit):
        message = (
            f"the program called sys.exit({exc.code!r}){at}: a program that stops part-way is not a "
            "clean run (the engine would take what was registered so far as the whole stack)"
        )
    elif isinstance(exc, ProgramExit):
        message = f"the program called os._exit({exc.code}){at}: the process would end without a result"
    elif isinstance(exc, KeyboardInterrupt):
        message = f"the program was interrupted (KeyboardInterrupt){at}"
    elif isinstance(exc, ModuleNotFoundError):
        top = (exc.name or "").split(".", 1)[0]
        message = (
            f"{type(exc).__name__}: {exc}{at}: not installed in this environment"
            + (f" and not a module of the program ({top}.py or {top}/ beside its entry file)" if top else "")
            + "; install the program's own requirements (its requirements.txt or pyproject.toml), "
            "or add the module the program expects"
        )
    else:
        message = f"{type(exc).__name__}: {exc}{at}"
    if resource:
        message += f" while constructing {resource}"
    summary = traceback.StackSummary.extract(
        (f, line) for f, line in frames if _is_program_file(f.f_code.co_filename, base)
    )
    detail = "".join(summary.format())
    return message, location, resource, detail
