"""`python -m offline_preview.compare BASE HEAD`: what a change does to cost and deploy time.

BASE and HEAD are JSON reports written by `python -m offline_preview STACK --json FILE`, or
directories of them (one per stack), typically from the base branch and the pull request. Prints
per-stack and per-component cost deltas, resources added and removed (with their cost), resources
whose cost changed, and the change of the deploy critical path; `--markdown` writes the same as a
pull-request comment. Added and removed resources without a monthly cost (IAM, security group rules,
...: hundreds for a new stack) are counted, not listed, in the terminal and Markdown; `--json` lists
them all. Exit codes: 0, 1 when `--max-increase` is exceeded, 2 for bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.text import Text

from secure_platform.config.stack_files import UserError

from . import arguments
from .console import make_console, print_error
from .cost.context import md

EPSILON = 0.005  # half a cent: smaller differences are rounding


@dataclass
class ResourceCost:
    urn: str
    type: str
    monthly_usd: float
    priced: bool = True
    """False when the report could not price it: its cost is unknown, never shown as $0."""

    def to_json(self) -> dict[str, Any]:
        return {"urn": self.urn, "type": self.type, "monthlyUsd": round(self.monthly_usd, 2) if self.priced else None}


@dataclass
class StackDiff:
    stack: str
    base_total: float | None
    head_total: float | None
    components: list[tuple[str, float, float]] = field(default_factory=list)
    added: list[ResourceCost] = field(default_factory=list)
    removed: list[ResourceCost] = field(default_factory=list)
    changed: list[tuple[str, str, float, float]] = field(default_factory=list)
    base_deploy: float | None = None
    head_deploy: float | None = None
    notes: list[str] = field(default_factory=list)
    base_lower_bound: bool = False
    head_lower_bound: bool = False
    """True when that side's total leaves out unpriced resources or usage charges."""

    @property
    def delta(self) -> float:
        return (self.head_total or 0.0) - (self.base_total or 0.0)

    def to_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "baseMonthlyUsd": _round(self.base_total),
            "headMonthlyUsd": _round(self.head_total),
            "deltaMonthlyUsd": round(self.delta, 2),
            "byComponent": [
                {
                    "component": c,
                    "baseMonthlyUsd": round(b, 2),
                    "headMonthlyUsd": round(h, 2),
                    "deltaMonthlyUsd": round(h - b, 2),
                }
                for c, b, h in self.components
            ],
            "baseIsLowerBound": self.base_lower_bound,
            "headIsLowerBound": self.head_lower_bound,
            "added": [r.to_json() for r in self.added],
            "removed": [r.to_json() for r in self.removed],
            "changed": [
                {"urn": u, "type": t, "baseMonthlyUsd": round(b, 2), "headMonthlyUsd": round(h, 2)}
                for u, t, b, h in self.changed
            ],
            "baseCriticalPathMinutes": self.base_deploy,
            "headCriticalPathMinutes": self.head_deploy,
            "notes": self.notes,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


# --- loading -----------------------------------------------------------------------------------


def load_reports(path: str | Path) -> dict[str, dict[str, Any]]:
    """stack name -> report, from one report file or a directory of them."""
    path = Path(path)
    if path.is_dir():
        files = sorted(path.glob("*.json"))
        if not files:
            raise UserError(f"{path}: directory holds no *.json report; allowed: a JSON report or a directory of them")
    elif path.is_file():
        files = [path]
    else:
        raise UserError(f"{path}: no such file or directory (expected a JSON report or a directory of them)")
    reports: dict[str, dict[str, Any]] = {}
    for file in files:
        try:
            doc = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise UserError(f"{file}: not a readable JSON report ({exc})") from None
        except RecursionError:
            raise UserError(f"{file}: not a readable JSON report (nested too deeply)") from None
        if not isinstance(doc, dict) or not isinstance(doc.get("stack"), str):
            raise UserError(f"{file}: not an offline preview report (no 'stack' key); write one with --json")
        reports[doc["stack"]] = doc
    return reports


def _resources(doc: dict[str, Any]) -> dict[str, str]:
    """URN -> type of the cloud resources (and remote components) of a report."""
    out: dict[str, str] = {}
    for r in doc.get("resources") or []:
        if isinstance(r, dict) and (r.get("custom") or r.get("remote")):
            out[str(r["urn"])] = str(r.get("type", ""))
    for line in (doc.get("cost") or {}).get("lines") or []:
        out.setdefault(str(line["urn"]), str(line.get("type", "")))
    return out


def _line_costs(doc: dict[str, Any]) -> dict[str, float | None]:
    """URN -> monthly cost, None for a resource the report could not price."""
    out: dict[str, float | None] = {}
    for ln in (doc.get("cost") or {}).get("lines") or []:
        unpriced = ln.get("kind") == "unpriced" or ("kind" in ln and ln.get("monthlyUsd") is None)
        out[str(ln["urn"])] = None if unpriced else float(ln.get("monthlyUsd") or 0.0)
    return out


def _resource_cost(urn: str, type_: str, costs: dict[str, float | None]) -> ResourceCost:
    cost = costs.get(urn, 0.0)
    return ResourceCost(urn, type_, cost or 0.0, priced=cost is not None)


def _gaps(doc: dict[str, Any] | None) -> tuple[bool, int]:
    """(the total is a lower bound, unpriced resources) of a report's cost section."""
    cost = (doc or {}).get("cost")
    if not isinstance(cost, dict):
        return False, 0
    unpriced = int(cost.get("unpricedCount") or 0)
    return cost.get("complete") is False or unpriced > 0, unpriced


def _total(doc: dict[str, Any] | None) -> float | None:
    cost = (doc or {}).get("cost")
    return float(cost["monthlyUsd"]) if isinstance(cost, dict) and "monthlyUsd" in cost else None


def _deploy(doc: dict[str, Any] | None) -> float | None:
    deploy = (doc or {}).get("deploy")
    if isinstance(deploy, dict) and "criticalPathMinutes" in deploy:
        return float(deploy["criticalPathMinutes"])
    return None


# --- comparing ---------------------------------------------------------------------------------


def compare_stack(stack: str, base: dict[str, Any] | None, head: dict[str, Any] | None) -> StackDiff:
    diff = StackDiff(stack, _total(base), _total(head), base_deploy=_deploy(base), head_deploy=_deploy(head))
    if base is None:
        diff.notes.append("new stack (no report on the base branch)")
    elif diff.base_total is None:
        diff.notes.append("the base report has no cost estimate")
    if head is None:
        diff.notes.append("stack removed (no report on this branch)")
    diff.base_lower_bound, base_unpriced = _gaps(base)
    diff.head_lower_bound, head_unpriced = _gaps(head)
    for side, n in (("base", base_unpriced), ("this branch", head_unpriced)):
        if n:
            diff.notes.append(f"{side}: {n} unpriced resource{'s' if n != 1 else ''}, so its total is a lower bound")
    base_res, head_res = _resources(base or {}), _resources(head or {})
    base_cost, head_cost = _line_costs(base or {}), _line_costs(head or {})
    diff.added = sorted(
        (_resource_cost(u, t, head_cost) for u, t in head_res.items() if u not in base_res),
        key=lambda r: (r.priced, -r.monthly_usd, r.urn),
    )
    diff.removed = sorted(
        (_resource_cost(u, t, base_cost) for u, t in base_res.items() if u not in head_res),
        key=lambda r: (r.priced, -r.monthly_usd, r.urn),
    )
    changed: list[tuple[str, str, float, float]] = []
    for u in head_res:
        before, after = base_cost.get(u), head_cost.get(u)
        if u in base_res and before is not None and after is not None and abs(after - before) >= EPSILON:
            changed.append((u, head_res[u], before, after))
    diff.changed = sorted(changed, key=lambda x: (-abs(x[3] - x[2]), x[0]))
    base_comp = (base or {}).get("cost", {}).get("byComponent", {}) if base and base.get("cost") else {}
    head_comp = (head or {}).get("cost", {}).get("byComponent", {}) if head and head.get("cost") else {}
    for name in sorted(set(base_comp) | set(head_comp)):
        b, h = float(base_comp.get(name, 0.0)), float(head_comp.get(name, 0.0))
        if abs(h - b) >= EPSILON:
            diff.components.append((name, b, h))
    diff.components.sort(key=lambda c: (-abs(c[2] - c[1]), c[0]))
    return diff


def compare(base: dict[str, dict[str, Any]], head: dict[str, dict[str, Any]]) -> list[StackDiff]:
    return [compare_stack(s, base.get(s), head.get(s)) for s in sorted(set(base) | set(head))]


# --- presenting --------------------------------------------------------------------------------


def _usd(value: float | None) -> str:
    return "-" if value is None else f"${value:,.2f}"


def _signed(value: float) -> str:
    if abs(value) < EPSILON:
        return "$0.00"
    return f"{'+' if value > 0 else '-'}${abs(value):,.2f}"


def _percent(diff: StackDiff) -> str:
    if not diff.base_total or diff.head_total is None:
        return ""
    return f" ({diff.delta / diff.base_total:+.1%})"


def _minutes(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} min"


def _short(urn: str) -> str:
    parts = urn.split("::")
    if len(parts) < 4:
        return urn
    return f"{parts[2].split('$')[-1]}::{parts[3]}"


def _md(text: str) -> str:
    """Inside a code span: only pipes need escaping."""
    return md(text)


def costly(items: list[ResourceCost]) -> tuple[list[ResourceCost], int]:
    """The resources with a monthly cost or an unknown one (what a reader weighs), and how many
    others (known to cost nothing) were left out."""
    shown = [r for r in items if not r.priced or abs(r.monthly_usd) >= EPSILON]
    return shown, len(items) - len(shown)


def _cost(r: ResourceCost) -> str:
    return _usd(r.monthly_usd) if r.priced else "unpriced"


def _total_text(value: float | None, lower_bound: bool) -> str:
    return ("≥ " if lower_bound and value is not None else "") + _usd(value)


def _omitted(count: int, listed: int) -> str:
    if not count:
        return ""
    return f"{'all' if not listed else f'{count} more'} at $0.00 a month (not listed)"


def to_markdown(diffs: list[StackDiff]) -> str:
    out = [
        "### Cost and deploy-time difference against the base branch",
        "",
        "| stack | base | this branch | change | deploy critical path |",
        "|---|---:|---:|---:|---:|",
    ]
    for d in diffs:
        out.append(
            f"| `{d.stack}` | {_total_text(d.base_total, d.base_lower_bound)} "
            f"| {_total_text(d.head_total, d.head_lower_bound)} | **{_signed(d.delta)}**{_percent(d)} "
            f"| {_minutes(d.base_deploy)} → {_minutes(d.head_deploy)} |"
        )
    for d in diffs:
        if not (d.components or d.added or d.removed or d.changed or d.notes):
            continue
        out += ["", f"<details><summary><code>{d.stack}</code>: {_signed(d.delta)} a month</summary>", ""]
        out += [f"- {n}" for n in d.notes]
        if d.components:
            out += ["", "| component | base | this branch | change |", "|---|---:|---:|---:|"]
            out += [f"| `{_md(c)}` | {_usd(b)} | {_usd(h)} | {_signed(h - b)} |" for c, b, h in d.components]
        for title, items in (("Added", d.added), ("Removed", d.removed)):
            if not items:
                continue
            shown, omitted = costly(items)
            out += ["", f"**{title}** ({len(items)}):", ""]
            out += [f"- `{_md(_short(r.urn))}` {_cost(r)}" for r in shown]
            if omitted:
                out.append(f"- _{_omitted(omitted, len(shown))}_")
        if d.changed:
            out += ["", f"**Cost changed** ({len(d.changed)}):", ""]
            out += [f"- `{_md(_short(u))}` {_usd(b)} → {_usd(h)}" for u, _t, b, h in d.changed]
        out += ["", "</details>"]
    return "\n".join(out) + "\n"


def text_lines(diffs: list[StackDiff]) -> list[str]:
    """The differences as plain lines (no tables: readable in a CI log at any width)."""
    out = ["Cost difference against the base:"]
    for d in diffs:
        out.append(
            f"  {d.stack}: {_total_text(d.base_total, d.base_lower_bound)} -> "
            f"{_total_text(d.head_total, d.head_lower_bound)} a month, change {_signed(d.delta)}{_percent(d)}; "
            f"deploy {_minutes(d.base_deploy)} -> {_minutes(d.head_deploy)}"
        )
    for d in diffs:
        out += [f"{d.stack}: {note}" for note in d.notes]
        if d.components:
            out.append(f"{d.stack}: components")
            out += [f"  {c}: {_usd(b)} -> {_usd(h)} ({_signed(h - b)})" for c, b, h in d.components]
        for label, items in (("added", d.added), ("removed", d.removed)):
            shown, omitted = costly(items)
            out += [f"  {label} {_short(r.urn)} {_cost(r)}" for r in shown]
            if omitted:
                out.append(f"  {label}: {_omitted(omitted, len(shown))}")
        out += [f"  changed {_short(u)} {_usd(b)} -> {_usd(h)}" for u, _t, b, h in d.changed]
    return out


def print_terminal(diffs: list[StackDiff], console: Console) -> None:
    for line in text_lines(diffs):
        console.print(Text(line))


# --- command line ------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = arguments.Parser(
        prog="python -m offline_preview.compare",
        description="Compare offline preview reports (cost, resources, deploy time) of a base and a head.",
    )
    parser.add_argument("base", help="report JSON of the base branch, or a directory of them (one per stack)")
    parser.add_argument("head", help="report JSON of this branch, or a directory of them")
    parser.add_argument("--markdown", dest="markdown_path", help="write a pull-request comment to this file")
    parser.add_argument("--json", dest="json_path", help="write the differences as JSON to this file")
    parser.add_argument(
        "--max-increase",
        type=arguments.finite,
        metavar="USD",
        help="exit 1 if any stack's monthly cost rises by more than USD",
    )
    parser.add_argument("--quiet", action="store_true", help="no terminal output")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    err = make_console(stderr=True)
    try:
        args = build_parser().parse_args(argv)
        for path, option in ((args.markdown_path, "--markdown"), (args.json_path, "--json")):
            if path:
                arguments.output_file(path, option)
        diffs = compare(load_reports(args.base), load_reports(args.head))
        if not args.quiet:
            print_terminal(diffs, make_console())
        if args.markdown_path:
            Path(args.markdown_path).write_text(to_markdown(diffs), encoding="utf-8")
        if args.json_path:
            Path(args.json_path).write_text(json.dumps([d.to_json() for d in diffs], indent=2) + "\n", encoding="utf-8")
    except UserError as exc:
        print_error(err, "error", str(exc))
        return 2
    except OSError as exc:
        err.print(Text.assemble(("error: ", "red"), f"{exc.filename}: cannot be written ({exc.strerror or exc})"))
        return 2
    if args.max_increase is not None:
        over = [d for d in diffs if d.delta > args.max_increase]
        for d in over:
            err.print(
                f"{d.stack}: monthly cost rises by {_signed(d.delta)}, more than ${args.max_increase:,.2f}",
                markup=False,
                soft_wrap=True,
            )
        if over:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
