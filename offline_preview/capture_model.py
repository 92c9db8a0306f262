"""What a captured run holds: each registration, the stack's outputs and logs, and the run's error.

Split from `capture` so that the plain data every consumer reads (the report, the policy runner,
the graph, the tests) lives apart from the machinery that produces it (`capturing_monitor` and the
run in `capture`, which re-exports these names). The secret mask lives here because
`CapturedResource.masked_inputs` applies it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .mocks import MODELLED_REMOTE_TYPES

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SECRET_MASK = "[secret]"  # noqa: S105 - the mask shown instead of secrets
STACK_TYPE = "pulumi:pulumi:Stack"
PREVIEW, UP = "preview", "up"
MODES = (PREVIEW, UP)


def input_object(value: Any) -> dict[str, Any]:
    """An input object, or {} when it is unknown at preview (`UNKNOWN`, a string) or absent: what
    a model of a resource reads in place of an object it cannot see."""
    return value if isinstance(value, dict) else {}


def _mask(value: Any, secret_paths: list[str], path: str = "") -> Any:
    if path in secret_paths:
        return SECRET_MASK
    if isinstance(value, dict):
        return {k: _mask(v, secret_paths, f"{path}.{k}" if path else k) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v, secret_paths, f"{path}[{i}]") for i, v in enumerate(value)]
    return value


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
    unanswered_references: list[str] = field(default_factory=list)
    """Stacks a `pulumi.StackReference` read whose outputs were not given (`--stack-outputs`), each
    once, in the order the program read them (reports sort them)."""
    config: dict[str, str] = field(default_factory=dict)
    """The stack's config as the program saw it (secure values masked)."""
    encrypted_config: list[str] = field(default_factory=list)
    """Config keys whose encrypted (`secure:`) values the program read as the placeholder
    "[secret]": offline there is no secrets provider to decrypt them."""
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
