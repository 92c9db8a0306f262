"""How long a fresh `pulumi up` of a captured program takes, and what it waits on.

The engine creates a resource as soon as everything it depends on exists, with unbounded
parallelism otherwise, so the time of a fresh deployment is the longest chain of create times
through the dependency graph (the critical path). Components take no time; remote components
(pulumi-eks) stand for their children offline and take their children's time. Create times per
type are data (`data/deploy-times.json`, with notes and sources).

`slow_waits` finds what makes a deployment slower than it must be: a slow resource that waits on
another slow resource only because of `depends_on` (an ordering edge), not because it uses any of
its outputs (a data edge, visible in `property_dependencies`).
"""

from __future__ import annotations

import itertools
import json
from collections import deque
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from rich.text import Text

from .capture import Capture, CapturedResource
from .capture_model import input_object

TIMES_FILE = Path(__file__).resolve().parent / "data" / "deploy-times.json"
SLOW_MINUTES = 3.0
"""A resource taking at least this long is "slow" (a load balancer, a node group, a database...)."""

DATA, ORDER, PARENT = "data", "order", "parent"


class TimeTable:
    def __init__(self, doc: dict[str, Any], path: Path | None = None) -> None:
        self.doc = doc
        self.path = path
        self.default_minutes = float(doc["defaultMinutes"])
        self.types: dict[str, dict[str, Any]] = doc["types"]
        fast = doc.get("fast") or {}
        self.fast_prefixes: tuple[str, ...] = tuple(fast.get("prefixes") or ())
        self.fast_types = {f"aws:ec2/{t}" for t in fast.get("ec2Types") or ()}

    def is_modelled(self, r: CapturedResource) -> bool:
        """Whether the create time of `r` is known: a timed type, a known-fast one (one or a few API
        calls), or a registration that takes no time of its own (a component)."""
        if not r.custom and not r.remote:
            return True
        return r.type in self.types or r.type in self.fast_types or r.type.startswith(self.fast_prefixes)

    @classmethod
    def load(cls, path: str | Path = TIMES_FILE) -> TimeTable:
        path = Path(path)
        return cls(json.loads(path.read_text(encoding="utf-8")), path)

    def minutes(self, r: CapturedResource, has_children: bool = False) -> float:
        """Create time of one registration (0 for components, providers, and remote components
        whose children were captured: those are timed one by one)."""
        if not r.custom and not r.remote:
            return 0.0
        if (r.remote and has_children) or r.type.startswith("pulumi:providers:"):
            return 0.0
        entry = self.types.get(r.type)
        if entry is None:
            return self.default_minutes
        try:
            variant = _variant(r)
        except (AttributeError, TypeError, ValueError):
            variant = None  # an input object unknown at preview (the sentinel string): the plain time
        return float(entry.get(variant or "minutes", entry["minutes"]))


def _variant(r: CapturedResource) -> str | None:
    """The entry's field that applies to this resource's inputs, if not `minutes`."""
    inputs = r.inputs
    variant: str | None = None
    if r.type == "aws:rds/instance:Instance" and inputs.get("multiAz"):
        variant = "multiAzMinutes"
    elif r.type == "eks:index:Cluster" and not (
        inputs.get("skipDefaultNodeGroup") or inputs.get("fargate") or (inputs.get("autoMode") or {}).get("enabled")
    ):
        variant = "withDefaultNodeGroupMinutes"
    elif r.type == "aws:ec2/vpcEndpoint:VpcEndpoint" and inputs.get("vpcEndpointType") == "Interface":
        variant = "interfaceMinutes"
    elif r.type == "aws:ecs/service:Service" and inputs.get("waitForSteadyState"):
        variant = "steadyStateMinutes"
    elif r.type == "kubernetes:core/v1:Service" and (inputs.get("spec") or {}).get("type") == "LoadBalancer":
        variant = "loadBalancerMinutes"
    elif (
        r.type == "awsx:ec2:Vpc" and str(input_object(inputs.get("natGateways")).get("strategy", "")).lower() == "none"
    ):
        variant = "withoutNatMinutes"
    elif r.type == "awsx:ecs:FargateService" and inputs.get("continueBeforeSteadyState"):
        variant = "continueBeforeSteadyStateMinutes"
    return variant


@cache
def default_times() -> TimeTable:
    return TimeTable.load()


# --- the graph ---------------------------------------------------------------------------------


@dataclass
class Graph:
    """Registrations (not the stack) with their create minutes and what each waits on."""

    nodes: dict[str, CapturedResource]
    minutes: dict[str, float]
    edges: dict[str, dict[str, str]]
    """urn -> {dependency urn: "data" | "order" | "parent"}."""


def build_graph(capture: Capture, table: TimeTable | None = None) -> Graph:
    table = table or default_times()
    nodes = {r.urn: r for r in capture.resources if r.urn != capture.stack_urn}
    with_children = {r.parent for r in nodes.values() if r.parent}
    children: dict[str, list[str]] = {}
    for r in nodes.values():
        if r.parent:
            children.setdefault(r.parent, []).append(r.urn)

    def expand(urn: str) -> list[str]:
        """A dependency on a local component means its resources (the SDK usually expands it already)."""
        r = nodes.get(urn)
        if r is None:
            return []
        if r.custom or r.remote:
            return [urn]
        out: list[str] = []
        for child in children.get(urn, []):
            out += expand(child)
        return out

    edges: dict[str, dict[str, str]] = {}
    for r in nodes.values():
        data = {u for urns in r.property_dependencies.values() for u in urns}
        mine: dict[str, str] = {}
        for dep in [*r.dependencies, *sorted(data)]:
            kind = DATA if dep in data else ORDER
            for target in expand(dep):
                if target != r.urn and mine.get(target) != DATA:
                    mine[target] = kind
        parent = nodes.get(r.parent or "")
        if parent is not None and (parent.custom or parent.remote):
            mine.setdefault(parent.urn, PARENT)
        edges[r.urn] = mine
    minutes = {urn: table.minutes(r, urn in with_children) for urn, r in nodes.items()}
    return Graph(nodes, minutes, edges)


@dataclass
class Step:
    urn: str
    type: str
    minutes: float
    start: float
    finish: float

    def to_json(self) -> dict[str, Any]:
        return {
            "urn": self.urn,
            "type": self.type,
            "minutes": self.minutes,
            "startMinute": round(self.start, 2),
            "finishMinute": round(self.finish, 2),
        }


def schedule(graph: Graph) -> tuple[dict[str, float], dict[str, str | None], list[str]]:
    """Finish time of every node, the dependency that finished last before it (its critical
    predecessor), and any dependency cycles found (edges closing a cycle are ignored)."""
    finish: dict[str, float] = {}
    critical: dict[str, str | None] = {}
    warnings: list[str] = []
    state: dict[str, int] = {}
    for root in sorted(graph.nodes):
        if root in state:
            continue
        stack: list[tuple[str, list[str]]] = [(root, sorted(graph.edges[root]))]
        state[root] = 1
        while stack:
            urn, pending = stack[-1]
            if pending:
                dep = pending.pop()
                if state.get(dep) == 1:
                    warnings.append(f"dependency cycle through {dep} (edge from {urn} ignored)")
                    continue
                if dep not in state:
                    state[dep] = 1
                    stack.append((dep, sorted(graph.edges.get(dep, {}))))
                continue
            stack.pop()
            best: str | None = None
            for dep in graph.edges[urn]:
                if state.get(dep) == 2 and (best is None or (finish[dep], dep) > (finish[best], best)):
                    best = dep
            finish[urn] = graph.minutes[urn] + (finish[best] if best is not None else 0.0)
            critical[urn] = best
            state[urn] = 2
    return finish, critical, warnings


def _walk(graph: Graph, finish: dict[str, float], critical: dict[str, str | None]) -> tuple[float, list[str]]:
    """The critical path (URNs that take time, in creation order) ending at the last finish."""
    if not finish:
        return 0.0, []
    end = max(finish, key=lambda u: (finish[u], u))
    path: list[str] = []
    current: str | None = end
    while current is not None:
        if graph.minutes[current] > 0:
            path.append(current)
        current = critical[current]
    return finish[end], list(reversed(path))


def critical_path(capture: Capture, table: TimeTable | None = None) -> tuple[float, list[str]]:
    """Minutes of a fresh deployment and the URNs on its critical path, in creation order."""
    graph = build_graph(capture, table)
    finish, critical, _ = schedule(graph)
    return _walk(graph, finish, critical)


# --- slow waits --------------------------------------------------------------------------------


@dataclass
class SlowWait:
    """`waiter` (slow) waits on `waits_on` (slow) only through ordering edges."""

    waiter: str
    waits_on: str
    via: list[str]
    """The chain from waiter to waits_on."""
    order_edges: list[tuple[str, str]]
    """Edges of the chain that are `depends_on` only (remove one to unblock)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "waiter": self.waiter,
            "waitsOn": self.waits_on,
            "via": self.via,
            "dependsOnOnly": [list(e) for e in self.order_edges],
        }


def _reach(graph: Graph, start: str, kinds: set[str]) -> set[str]:
    seen: set[str] = set()
    queue = deque([start])
    while queue:
        urn = queue.popleft()
        for dep, kind in graph.edges.get(urn, {}).items():
            if kind in kinds and dep not in seen:
                seen.add(dep)
                queue.append(dep)
    return seen


def slow_waits(
    capture: Capture, threshold_minutes: float = SLOW_MINUTES, table: TimeTable | None = None
) -> list[SlowWait]:
    """Each slow resource that waits, directly or through other resources, on the nearest slow
    resources behind it without a real data dependency on them (only through `depends_on`)."""
    return _slow_waits(build_graph(capture, table), threshold_minutes)


def _slow_waits(graph: Graph, threshold: float) -> list[SlowWait]:
    slow = {u for u, m in graph.minutes.items() if m >= threshold}
    found: list[SlowWait] = []
    for waiter in sorted(slow):
        real = _reach(graph, waiter, {DATA, PARENT})
        previous: dict[str, str] = {}
        queue = deque([waiter])
        seen = {waiter}
        while queue:
            urn = queue.popleft()
            for dep in sorted(graph.edges.get(urn, {})):
                if dep in seen:
                    continue
                seen.add(dep)
                previous[dep] = urn
                if dep in slow:
                    if dep not in real:
                        chain = [dep]
                        while chain[-1] != waiter:
                            chain.append(previous[chain[-1]])
                        chain.reverse()
                        order = [(a, b) for a, b in itertools.pairwise(chain) if graph.edges[a][b] == ORDER]
                        found.append(SlowWait(waiter, dep, chain, order))
                    continue  # nearest slow resources only: what lies behind them is theirs to wait on
                queue.append(dep)
    return found


# --- the report section ------------------------------------------------------------------------


@dataclass
class DeployEstimate:
    """The `deploy` section of a preview report."""

    critical_path_minutes: float
    steps: list[Step]
    serial_minutes: float
    resource_count: int
    slow: list[Step]
    waits: list[SlowWait]
    threshold_minutes: float
    source: str
    warnings: list[str] = field(default_factory=list)
    unmodelled: dict[str, int] = field(default_factory=dict)
    """Types whose create time is not modelled (counted at the default minutes), and how many."""
    default_minutes: float = 0.0

    @property
    def unmodelled_count(self) -> int:
        return sum(self.unmodelled.values())

    def headline(self) -> str:
        """`~X min`, or `≥ ~X min + N unmodelled resources`: never a figure that looks complete."""
        text = f"~{_minutes(self.critical_path_minutes)} min"
        if self.unmodelled_count:
            n = self.unmodelled_count
            text = f"≥ {text} + {n} unmodelled resource{'s' if n != 1 else ''}"
        return text

    @property
    def critical_path(self) -> list[str]:
        return [s.urn for s in self.steps]

    def to_json(self) -> dict[str, Any]:
        return {
            "criticalPathMinutes": round(self.critical_path_minutes, 2),
            "criticalPath": self.critical_path,
            "criticalPathSteps": [s.to_json() for s in self.steps],
            "serialMinutes": round(self.serial_minutes, 2),
            "resourceCount": self.resource_count,
            "slowThresholdMinutes": self.threshold_minutes,
            "slowResources": [s.to_json() for s in self.slow],
            "slowWaits": [w.to_json() for w in self.waits],
            "timesSource": self.source,
            "warnings": self.warnings,
            "headline": self.headline(),
            "unmodelledCount": self.unmodelled_count,
            "unmodelled": dict(sorted(self.unmodelled.items())),
        }

    def to_markdown(self) -> str:
        out = [
            f"#### Deploy-time estimate: **{self.headline()}** for a fresh `pulumi up` "
            f"(critical path; {_minutes(self.serial_minutes)} min if nothing ran in parallel)",
            "",
            *self._unmodelled_markdown(),
            "| step | resource | minutes | starts at |",
            "|---:|---|---:|---:|",
        ]
        out += [
            f"| {i} | `{_short(s.urn)}` | {s.minutes:g} | {s.start:.1f} |" for i, s in enumerate(self.steps, start=1)
        ]
        if self.waits:
            out += ["", ":warning: slow resources waiting on slow resources through `depends_on` only:"]
            out += [f"- `{_short(w.waiter)}` waits on `{_short(w.waits_on)}`" for w in self.waits]
        else:
            out += [
                "",
                f"No slow resource (>= {self.threshold_minutes:g} min) waits on another without a data dependency.",
            ]
        out += [f"> :warning: {w}" for w in self.warnings]
        return "\n".join(out)

    def _unmodelled_markdown(self) -> list[str]:
        if not self.unmodelled:
            return []
        listed = ", ".join(f"`{t}` x{n}" for t, n in sorted(self.unmodelled.items()))
        return [
            f":warning: **Unmodelled** (create time unknown, counted as {self.default_minutes:g} min): {listed}",
            "",
        ]

    def text_lines(self, verbose: bool = False) -> list[str]:
        """Plain lines: the headline and what waits needlessly; with `verbose`, the critical path."""
        out = [
            f"Deploy time: {self.headline()} for a fresh pulumi up (critical path; "
            f"{_minutes(self.serial_minutes)} min serial over {self.resource_count} resources)"
        ]
        if self.unmodelled:
            out.append(
                f"  unmodelled (counted as {self.default_minutes:g} min): "
                + ", ".join(f"{t} x{n}" for t, n in sorted(self.unmodelled.items()))
            )
        if self.steps:
            slowest = max(self.steps, key=lambda s: (s.minutes, s.urn))
            out.append(f"  longest step: {_short(slowest.urn)} {slowest.minutes:g} min")
        if self.waits:
            out.append("  slow resources waiting on slow resources through depends_on only:")
            out += [f"    {_short(w.waiter)} -> {_short(w.waits_on)}" for w in self.waits]
        out += [f"  warning: {w}" for w in self.warnings]
        if verbose:
            out.append("  critical path:")
            out += [
                f"    {i:>3}. {_short(s.urn)} {s.minutes:g} min, starts at {s.start:.1f}"
                for i, s in enumerate(self.steps, start=1)
            ]
        return out

    def __rich__(self) -> Any:
        return Text("\n".join(self.text_lines(verbose=True)))


def _minutes(value: float) -> str:
    return f"{value:.1f}" if value < 10 else f"{value:.0f}"


def _short(urn: str) -> str:
    parts = urn.split("::")
    if len(parts) < 4:
        return urn
    return f"{parts[2].split('$')[-1]}::{parts[3]}"


def estimate_deploy(
    capture: Capture, table: TimeTable | None = None, threshold_minutes: float = SLOW_MINUTES
) -> DeployEstimate:
    table = table or default_times()
    graph = build_graph(capture, table)
    finish, critical, warnings = schedule(graph)
    total, path = _walk(graph, finish, critical)
    steps = [
        Step(u, graph.nodes[u].type, graph.minutes[u], finish[u] - graph.minutes[u], finish[u])
        for u in path
        if u in finish
    ]
    slow = sorted(
        (
            Step(u, graph.nodes[u].type, m, finish[u] - m, finish[u])
            for u, m in graph.minutes.items()
            if m >= threshold_minutes and u in finish
        ),
        key=lambda s: (s.start, s.urn),
    )
    timed = [u for u, m in graph.minutes.items() if m > 0]
    return DeployEstimate(
        critical_path_minutes=total,
        steps=steps,
        serial_minutes=sum(graph.minutes.values()),
        resource_count=len(timed),
        slow=slow,
        waits=_slow_waits(graph, threshold_minutes),
        threshold_minutes=threshold_minutes,
        source=_display(table.path),
        warnings=warnings,
        unmodelled=_unmodelled(graph, table),
        default_minutes=table.default_minutes,
    )


def _unmodelled(graph: Graph, table: TimeTable) -> dict[str, int]:
    counts: dict[str, int] = {}
    for urn, r in graph.nodes.items():
        if graph.minutes[urn] > 0 and not table.is_modelled(r):
            counts[r.type] = counts.get(r.type, 0) + 1
    return dict(sorted(counts.items()))


def _display(path: Path | None) -> str:
    if path is None:
        return "(in memory)"
    try:
        return str(path.resolve().relative_to(Path(__file__).resolve().parent.parent))
    except ValueError:
        return str(path)
