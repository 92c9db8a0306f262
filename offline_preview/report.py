"""Present a capture and its policy findings: terminal (rich), JSON, and a pull-request comment."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Protocol

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from .capture import STACK_TYPE, Capture, CapturedResource
from .policy_runner import PolicyReport


class Section(Protocol):
    """An extra part of the report (cost, deploy time): JSON, Markdown and terminal forms."""

    def to_json(self) -> dict[str, Any]: ...

    def to_markdown(self) -> str: ...

    def __rich__(self) -> Any: ...


@dataclass
class PreviewResult:
    """Everything one offline preview produced; extra sections (cost, deploy time) plug in here."""

    capture: Capture
    policy: PolicyReport | None = None
    sections: dict[str, Section] = field(default_factory=dict)
    """Named sections added by estimators (e.g. "cost", "deploy"); the name is the JSON key."""
    error: dict[str, Any] | None = None
    """Set when the run failed: kind (program/configuration), message, location, resource."""


def _short(urn: str) -> str:
    """`type::name` of a URN, enough to find the resource in the program."""
    parts = urn.split("::")
    if len(parts) < 4:
        return urn
    return f"{parts[2].split('$')[-1]}::{parts[3]}"


def _jsonable(value: Any) -> Any:
    """Integral floats (the wire has only doubles) back to ints, for readable output."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def _resource_json(r: CapturedResource) -> dict[str, Any]:
    masked_outputs = {
        k: ("[secret]" if k in r.additional_secret_outputs else v)
        for k, v in r.outputs.items()
        if k not in r.inputs or k == "id"
    }
    return {
        "urn": r.urn,
        "id": r.id,
        "type": r.type,
        "name": r.name,
        "parent": r.parent,
        "dependencies": r.dependencies,
        "provider": r.provider,
        "protect": r.protect,
        "custom": r.custom,
        "remote": r.remote,
        "retainOnDelete": r.retain_on_delete,
        "ignoreChanges": r.ignore_changes,
        "inputs": _jsonable(r.masked_inputs()),
        "outputs": _jsonable({**r.masked_inputs(), **masked_outputs}),
    }


def _stack_json(cap: Capture) -> list[dict[str, Any]]:
    """The root `pulumi:pulumi:Stack`, listed as a real preview lists it: every top-level parent."""
    if not cap.stack_urn:
        return []
    return [
        {
            "urn": cap.stack_urn,
            "id": "",
            "type": STACK_TYPE,
            "name": cap.stack_urn.rsplit("::", 1)[-1],
            "parent": None,
            "dependencies": [],
            "provider": None,
            "protect": False,
            "custom": False,
            "remote": False,
            "retainOnDelete": False,
            "ignoreChanges": [],
            "inputs": {},
            "outputs": _jsonable(cap.outputs),
        }
    ]


def to_json(result: PreviewResult) -> dict[str, Any]:
    cap = result.capture
    modelled, not_expanded = cap.remote_components()
    doc: dict[str, Any] = {
        "stack": cap.stack,
        "project": cap.project,
        "mode": cap.mode,
        "error": result.error,
        "remoteComponents": {
            "modelled": [r.urn for r in modelled],
            "notExpanded": [r.urn for r in not_expanded],
        },
        "resources": _stack_json(cap) + [_resource_json(r) for r in cap.resources],
        "policy": None,
        "outputs": _jsonable(cap.outputs),
    }
    if result.policy is not None:
        doc["policy"] = {
            "pack": result.policy.pack,
            "version": result.policy.version,
            "policiesRun": result.policy.policies_run,
            "violations": [
                {
                    "policy": v.policy,
                    "enforcement": v.enforcement,
                    "severity": v.severity,
                    "urn": v.urn,
                    "message": v.message,
                }
                for v in result.policy.violations
            ],
            "diagnostics": result.policy.diagnostics,
            "remediations": [
                {"policy": m.policy, "urn": m.urn, "changed": m.changed} for m in result.policy.remediations
            ],
            "notApplicable": [
                {"policy": policy, "reason": reason, "resources": n}
                for policy, reason, n in result.policy.not_evaluated()
            ],
        }
    if cap.unknown_invokes:
        doc["unansweredInvokes"] = sorted(set(cap.unknown_invokes))
        doc["unansweredInvokeSites"] = cap.invoke_sites
    for name, section in result.sections.items():
        doc[name] = section.to_json()
    return doc


def write_json(result: PreviewResult, path: str) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(to_json(result), fh, indent=2, sort_keys=False)
        fh.write("\n")


def counts_by_type(capture: Capture) -> list[tuple[str, int]]:
    return sorted(Counter(r.type for r in capture.resources).items(), key=lambda kv: (-kv[1], kv[0]))


def print_terminal(result: PreviewResult, console: Console | None = None) -> None:
    console = console or Console()
    cap = result.capture
    custom = sum(1 for r in cap.resources if r.custom)
    _, not_expanded = cap.remote_components()
    console.print(
        f"[bold]Offline preview[/bold] ({cap.mode}) of [cyan]{escape(cap.project)}[/cyan]/[cyan]{escape(cap.stack)}"
        f"[/cyan]: {len(cap.resources)} registrations ({custom} cloud resources, "
        f"{len(cap.resources) - custom} components)"
        + (f"; remote components not expanded: {len(not_expanded)}" if not_expanded else "")
    )

    tree = Tree(f"[bold]{cap.project}-{cap.stack}[/bold]")
    children: dict[str | None, list[CapturedResource]] = {}
    for r in cap.resources:
        children.setdefault(r.parent, []).append(r)

    def add(node: Tree, parent_urn: str | None) -> None:
        kids = children.get(parent_urn, [])
        components = [k for k in kids if not k.custom]
        leaves = Counter(k.type for k in kids if k.custom)
        for comp in components:
            label = f"[magenta]{escape(comp.type)}[/magenta] {escape(comp.name)}"
            if comp.remote:
                label += " [dim](remote component)[/dim]"
            add(node.add(label), comp.urn)
        for type_, n in sorted(leaves.items()):
            node.add(f"{type_} [dim]x{n}[/dim]" if n > 1 else type_)

    add(tree, cap.stack_urn or None)
    console.print(tree)

    table = Table(title="Resources by type", show_lines=False)
    table.add_column("type")
    table.add_column("count", justify="right")
    for type_, n in counts_by_type(cap):
        table.add_row(type_, str(n))
    console.print(table)

    if cap.outputs:
        out = Table(title="Stack outputs")
        out.add_column("name")
        out.add_column("value", overflow="fold")
        for k, v in cap.outputs.items():
            out.add_row(escape(k), escape(v if isinstance(v, str) else json.dumps(_jsonable(v))))
        console.print(out)

    for section in result.sections.values():
        console.print(section)

    for token in sorted(set(cap.unknown_invokes)):
        console.print(
            f"[yellow]Unanswered invoke[/yellow] {escape(token)} (called at "
            f"{escape(', '.join(cap.invoke_sites.get(token, [])) or 'an unknown place')}): answered with "
            "placeholder values of its result type"
        )

    pol = result.policy
    if pol is None:
        console.print("[dim]No policy pack run.[/dim]")
        return
    if not pol.violations:
        console.print(
            f"[green]Policy pack {pol.pack}@{pol.version}: {pol.policies_run} policies, no violations.[/green]"
        )
    else:
        findings = Table(
            title=f"Policy findings ({pol.pack}@{pol.version}, {pol.policies_run} policies)", show_lines=True
        )
        findings.add_column("level")
        findings.add_column("policy")
        findings.add_column("resource", overflow="fold")
        findings.add_column("message", overflow="fold")
        for v in sorted(pol.violations, key=lambda v: (v.enforcement != "mandatory", v.policy, v.urn)):
            style = "red" if v.enforcement == "mandatory" else "yellow"
            findings.add_row(
                f"[{style}]{v.enforcement}[/{style}]",
                escape(v.policy),
                escape(_short(v.urn)) if v.urn else "(stack)",
                escape(v.message),
            )
        console.print(findings)
        console.print(
            f"[bold]{len(pol.mandatory)} mandatory[/bold], {len(pol.violations) - len(pol.mandatory)} advisory"
        )
    for m in pol.remediations:
        console.print(
            f"[cyan]remediated[/cyan] by {escape(m.policy)}: {escape(_short(m.urn))} ({escape(', '.join(m.changed))})"
        )
    for policy, reason, n in pol.not_evaluated():
        console.print(f"[dim]{escape(policy)} not evaluated on {n} resource(s): {escape(reason)}[/dim]")
    for d in pol.diagnostics:
        console.print(f"[dim]{escape(d)}[/dim]")


def to_markdown(result: PreviewResult) -> str:
    cap = result.capture
    pol = result.policy
    lines = [f"### Offline preview ({cap.mode}): `{cap.project}` / `{cap.stack}`", ""]
    if result.error is not None:
        where = f" at `{result.error['location']}`" if result.error.get("location") else ""
        lines += [f":x: **{result.error['kind']} error**{where}: {result.error['message']}", ""]
        return "\n".join(lines)
    _, not_expanded = cap.remote_components()
    if not_expanded:
        lines += [f"remote components not expanded: {len(not_expanded)}", ""]
    if cap.unknown_invokes:
        sites = "; ".join(f"`{t}` ({', '.join(cap.invoke_sites.get(t, []))})" for t in sorted(set(cap.unknown_invokes)))
        lines += [f"Unanswered invokes: {sites}", ""]
    custom = sum(1 for r in cap.resources if r.custom)
    status = "no policy pack run"
    if pol is not None:
        status = (
            f"**{len(pol.mandatory)} mandatory**, {len(pol.violations) - len(pol.mandatory)} advisory findings "
            f"from `{pol.pack}@{pol.version}` ({pol.policies_run} policies)"
        )
    icon = ":x:" if pol is not None and pol.mandatory else ":white_check_mark:"
    lines += [f"{icon} {len(cap.resources)} registrations ({custom} cloud resources); {status}.", ""]
    for section in result.sections.values():
        lines += [section.to_markdown(), ""]
    if pol is not None and pol.violations:
        lines += ["| level | policy | resource | message |", "|---|---|---|---|"]
        for v in sorted(pol.violations, key=lambda v: (v.enforcement != "mandatory", v.policy, v.urn)):
            msg = v.message.replace("|", "\\|").replace("\n", " ")
            lines.append(f"| {v.enforcement} | `{v.policy}` | `{_short(v.urn) if v.urn else '(stack)'}` | {msg} |")
        lines.append("")
    if pol is not None and pol.remediations:
        lines += ["Remediated (the deployment would apply these input changes):", ""]
        lines += [f"- `{m.policy}` on `{_short(m.urn)}`: {', '.join(m.changed)}" for m in pol.remediations]
        lines.append("")
    if pol is not None and pol.not_evaluated():
        lines += ["Not evaluated:", ""]
        lines += [f"- `{policy}` on {n} resource(s): {reason}" for policy, reason, n in pol.not_evaluated()]
        lines.append("")
    lines += ["<details><summary>Resources by type</summary>", "", "| type | count |", "|---|---:|"]
    lines += [f"| `{t}` | {n} |" for t, n in counts_by_type(cap)]
    lines += ["", "</details>", ""]
    return "\n".join(lines)
