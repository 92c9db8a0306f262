"""The component graph of a capture: which top-level component takes outputs of which.

A top-level component is a `ComponentResource` whose parent is the stack. Every registration belongs
to the top-level component it is nested under (or to none); an edge A -> B means some registration of
B depends (directly, through `dependencies`) on a registration of A. This is the graph the design's
"Module Dependencies" diagram draws, derived from what the program really registered.
"""

from __future__ import annotations

from collections.abc import Iterable

from .capture import Capture, CapturedResource


def top_level_components(capture: Capture) -> list[CapturedResource]:
    return [r for r in capture.resources if not r.custom and r.parent == capture.stack_urn]


def owner_map(capture: Capture) -> dict[str, str]:
    """URN -> name of the top-level component it belongs to (the component itself included)."""
    index = capture.by_urn()
    tops = {r.urn: r.name for r in top_level_components(capture)}
    owners: dict[str, str] = {}
    for r in capture.resources:
        current: CapturedResource | None = r
        while current is not None and current.urn not in tops:
            current = index.get(current.parent or "")
        if current is not None:
            owners[r.urn] = tops[current.urn]
    return owners


def component_graph(capture: Capture) -> dict[str, set[str]]:
    """name -> names of the components it takes outputs from."""
    owners = owner_map(capture)
    graph: dict[str, set[str]] = {r.name: set() for r in top_level_components(capture)}
    for r in capture.resources:
        mine = owners.get(r.urn)
        if mine is None:
            continue
        for dep in r.dependencies:
            theirs = owners.get(dep)
            if theirs is not None and theirs != mine:
                graph[mine].add(theirs)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle as a list of names, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def to_mermaid(
    graph: dict[str, set[str]], labels: dict[str, str] | None = None, order: Iterable[str] | None = None
) -> str:
    """A Mermaid flowchart, edges drawn from provider to consumer."""
    labels = labels or {}
    nodes = list(order) if order is not None else sorted(graph)
    nodes += [n for n in sorted(graph) if n not in nodes]

    def node_id(name: str) -> str:
        return "".join(ch if ch.isalnum() else "_" for ch in name)

    lines = ["graph LR"]
    for name in nodes:
        lines.append(f'  {node_id(name)}["{labels.get(name, name)}"]')
    for consumer in nodes:
        for provider in sorted(graph.get(consumer, ()), key=nodes.index):
            lines.append(f"  {node_id(provider)} --> {node_id(consumer)}")
    return "\n".join(lines)
