"""Present a capture and its policy findings: text (terminal or log), JSON, and a pull-request comment.

Three properties hold for every form:

- **Honest headline.** It names the mode that ran (preview or up) and what the preview did not
  cover (remote components not expanded, unanswered invokes, unpriced and unmodelled resources).
- **Readable anywhere.** The text form is plain lines, no tables whose cells wrap: the same at
  80 columns in a CI log as in a wide terminal. By default it fits a screen (headline, findings by
  policy, cost and deploy summaries); `verbose` adds the resource tree, counts per type, every
  cost line and the critical path.
- **Verbatim and deterministic.** User data is never interpreted (no markup, no emoji codes: the
  `:secret:` of a Secrets Manager ARN stays as written), and the JSON of the same program is
  byte-identical from run to run (resources sorted by URN, dependencies sorted, keys sorted).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Protocol

from rich.console import Console
from rich.text import Text

from .capture import STACK_TYPE, Capture, CapturedResource
from .capture_model import PREVIEW
from .console import make_console
from .policy_runner import PolicyReport, Violation

FINDING_POLICIES_SHOWN = 20
"""Policies listed in the default text, mandatory first (all of them, with every resource and
message, with `verbose`)."""


class Section(Protocol):
    """An extra part of the report (cost, deploy time): JSON, Markdown and terminal forms. A section
    may also offer `text_lines(verbose) -> list[str]` (plain lines); otherwise rich renders it."""

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


# --- what the preview covered ------------------------------------------------------------------


def unexpanded_remote(cap: Capture) -> list[CapturedResource]:
    """Remote (multi-language) components this project does not model: offline they stand for
    an unknown number of resources, whose children exist only inside the package's provider."""
    return sorted(cap.remote_components()[1], key=lambda r: r.urn)


def unanswered_invokes(cap: Capture) -> list[str]:
    """Each data source the program called without a modelled answer, with where it was called."""
    return [
        f"{token} (at {', '.join(cap.invoke_sites.get(token, [])) or 'an unknown place'})"
        for token in sorted({str(i) for i in cap.unknown_invokes})
    ]


def unanswered_references(cap: Capture) -> str:
    """The stacks read by a `StackReference` whose outputs were not given, as one phrase."""
    how = "unknown in this preview" if cap.mode == PREVIEW else "none under --mode up"
    return f"{', '.join(sorted(cap.unanswered_references))} (outputs {how}; --stack-outputs FILE gives them)"


ENCRYPTED_NOTE = '"[secret]" (no secrets provider offline to decrypt `secure:` values)'


def not_covered(result: PreviewResult) -> list[str]:
    """What the figures and verdicts of this report do not include, one phrase each."""
    cap = result.capture
    out: list[str] = []
    remote = unexpanded_remote(cap)
    if remote:
        out.append(f"remote components not expanded: {len(remote)}")
    invokes = unanswered_invokes(cap)
    if invokes:
        out.append(f"unanswered invokes: {len(invokes)}")
    if cap.unanswered_references:
        out.append(f"stack references without outputs: {len(cap.unanswered_references)}")
    if cap.encrypted_config:
        out.append(f"encrypted config values read as placeholders: {len(cap.encrypted_config)}")
    cost = result.sections.get("cost")
    unpriced = getattr(cost, "unpriced_count", 0)
    if unpriced:
        out.append(f"unpriced resources: {unpriced}")
    deploy = result.sections.get("deploy")
    unmodelled = getattr(deploy, "unmodelled_count", 0)
    if unmodelled:
        out.append(f"resources with unmodelled deploy time: {unmodelled}")
    if result.policy is None:
        out.append("no policy pack run")
    elif result.policy.unjudged:
        out.append(f"resources no policy reads: {sum(result.policy.unjudged.values())}")
    return out


def _headline(result: PreviewResult) -> str:
    cap = result.capture
    custom = sum(1 for r in cap.resources if r.custom)
    ran = f" ({cap.mode} mode)"
    return (
        f"Offline preview{ran} of {cap.project}/{cap.stack}: {len(cap.resources)} registrations "
        f"({custom} cloud resources, {len(cap.resources) - custom} components)"
    )


# --- JSON --------------------------------------------------------------------------------------


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
        "dependencies": sorted(set(r.dependencies)),
        "provider": r.provider,
        "protect": r.protect,
        "custom": r.custom,
        "remote": r.remote,
        "retainOnDelete": r.retain_on_delete,
        "ignoreChanges": sorted(r.ignore_changes),
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


def _violation_key(v: Violation) -> tuple[bool, str, str, str]:
    return (v.enforcement != "mandatory", v.policy, v.urn or "", v.message)


def to_json(result: PreviewResult) -> dict[str, Any]:
    cap = result.capture
    resources = sorted(cap.resources, key=lambda r: r.urn)
    doc: dict[str, Any] = {
        "stack": cap.stack,
        "project": cap.project,
        "resources": _stack_json(cap) + [_resource_json(r) for r in resources],
        "policy": None,
        "outputs": _jsonable(cap.outputs),
        "notCovered": not_covered(result),
    }
    doc["mode"] = cap.mode
    doc["error"] = result.error
    modelled, not_expanded = cap.remote_components()
    doc["remoteComponents"] = {
        "modelled": sorted(r.urn for r in modelled),
        "notExpanded": sorted(r.urn for r in not_expanded),
    }
    if result.policy is not None:
        pol = result.policy
        doc["policy"] = {
            "pack": pol.pack,
            "version": pol.version,
            "policiesRun": pol.policies_run,
            "violations": [
                {
                    "policy": v.policy,
                    "enforcement": v.enforcement,
                    "severity": v.severity,
                    "urn": v.urn,
                    "message": v.message,
                }
                for v in sorted(pol.violations, key=_violation_key)
            ],
            "diagnostics": list(pol.diagnostics),
            "remediations": [
                {"policy": m.policy, "urn": m.urn, "changed": sorted(m.changed)}
                for m in sorted(pol.remediations, key=lambda m: (m.policy, m.urn))
            ],
            "notApplicable": [
                {"policy": policy, "reason": reason, "resources": n}
                for policy, reason, n in sorted(pol.not_evaluated())
            ],
            "unjudgedTypes": dict(sorted(pol.unjudged.items())),
        }
    if cap.unknown_invokes:
        doc["unansweredInvokes"] = sorted({str(i) for i in cap.unknown_invokes})
        doc["unansweredInvokeSites"] = {t: list(cap.invoke_sites.get(t, [])) for t in doc["unansweredInvokes"]}
    if cap.unanswered_references:
        doc["unansweredStackReferences"] = sorted(cap.unanswered_references)
    if cap.encrypted_config:
        doc["encryptedConfig"] = list(cap.encrypted_config)
    for name, section in result.sections.items():
        doc[name] = section.to_json()
    return doc


def dumps_json(result: PreviewResult) -> str:
    """The report as JSON text: keys sorted, so two runs of the same program are byte-identical."""
    return json.dumps(to_json(result), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_json(result: PreviewResult, path: str) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(dumps_json(result))


# --- findings, grouped by policy ---------------------------------------------------------------


@dataclass
class FindingGroup:
    """One policy's findings: every resource it flagged, with its message."""

    policy: str
    enforcement: str
    items: list[tuple[str, str]]
    """(resource as `type::name` or "(stack)", message), sorted."""

    @property
    def common_message(self) -> str | None:
        messages = {m for _, m in self.items}
        return next(iter(messages)) if len(messages) == 1 else None


def group_findings(pol: PolicyReport) -> list[FindingGroup]:
    """Mandatory policies first, then by name; resources sorted within each."""
    groups: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for v in pol.violations:
        groups.setdefault((v.policy, v.enforcement), []).append((_short(v.urn) if v.urn else "(stack)", v.message))
    return [
        FindingGroup(policy, enforcement, sorted(items))
        for (policy, enforcement), items in sorted(groups.items(), key=lambda kv: (kv[0][1] != "mandatory", kv[0][0]))
    ]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# --- text --------------------------------------------------------------------------------------


def _finding_lines(pol: PolicyReport, verbose: bool) -> list[str]:
    advisory = len(pol.violations) - len(pol.mandatory)
    head = f"Policy pack {pol.pack}@{pol.version}: {pol.policies_run} policies, "
    if not pol.violations:
        return [head + "no violations."]
    out = [head + f"{len(pol.mandatory)} mandatory, {advisory} advisory findings"]
    groups = group_findings(pol)
    shown = groups if verbose else groups[:FINDING_POLICIES_SHOWN]
    for group in shown:
        n = len(group.items)
        common = group.common_message
        label = f"  {group.enforcement.upper()} {group.policy} ({_plural(n, 'resource')}): "
        if verbose:
            out.append(label + (common if common is not None else "one message per resource"))
            out += [f"      {r}" if common is not None else f"      {r}: {m}" for r, m in group.items]
            continue
        resource, message = group.items[0]
        others = f", +{n - 1} more" if n > 1 else ""
        out.append(f"{label}{resource}{others}: {message}")
    if len(shown) < len(groups):
        hidden = groups[len(shown) :]
        out.append(
            f"  ... and {len(hidden)} more policies ({sum(len(g.items) for g in hidden)} findings, "
            f"{sum(len(g.items) for g in hidden if g.enforcement == 'mandatory')} mandatory; --verbose lists them)"
        )
    return out


def _tree_lines(cap: Capture) -> list[str]:
    children: dict[str | None, list[CapturedResource]] = {}
    for r in cap.resources:
        children.setdefault(r.parent, []).append(r)
    out = [f"{cap.project}-{cap.stack}"]

    def add(parent_urn: str | None, depth: int) -> None:
        kids = children.get(parent_urn, [])
        pad = "  " * depth
        for comp in sorted((k for k in kids if not k.custom), key=lambda k: (k.type, k.name)):
            remote = " (remote component)" if comp.remote else ""
            out.append(f"{pad}{comp.type} {comp.name}{remote}")
            add(comp.urn, depth + 1)
        for type_, n in sorted(Counter(k.type for k in kids if k.custom).items()):
            out.append(f"{pad}{type_}" + (f" x{n}" if n > 1 else ""))

    add(cap.stack_urn or None, 1)
    return out


def text_lines(result: PreviewResult, verbose: bool = False) -> list[str]:
    """The report as plain lines (no tables, nothing wrapped by the renderer)."""
    cap = result.capture
    out = [_headline(result)]
    if result.error is not None:
        out.append(f"Error: {result.error['message']}")
    gaps = not_covered(result)
    if gaps:
        out.append("Not covered: " + "; ".join(gaps))
    out += program_warnings(cap, verbose)
    pol = result.policy
    if pol is not None:
        out += _finding_lines(pol, verbose)
    for section in result.sections.values():
        lines = getattr(section, "text_lines", None)
        if callable(lines):
            produced: Any = lines(verbose)
            out += [str(line) for line in produced]
    invokes = unanswered_invokes(cap)
    if invokes:
        out.append("Unanswered invokes (answered with placeholders of their result type): " + ", ".join(invokes))
    if cap.unanswered_references:
        out.append("Stack references without outputs: " + unanswered_references(cap))
    if cap.encrypted_config:
        out.append(f"Encrypted config read as the placeholder {ENCRYPTED_NOTE}: " + ", ".join(cap.encrypted_config))
    remote = unexpanded_remote(cap)
    if remote:
        out.append("Remote components not expanded: " + ", ".join(sorted(_short(r.urn) for r in remote)))
    types = counts_by_type(cap)
    if not verbose:
        out.append(f"Resources by type: {len(types)} types (--verbose lists them and the resource tree)")
    else:
        out.append("Resources by type:")
        out += [f"  {n:>5}  {t}" for t, n in types]
        out.append("Resource tree:")
        out += [f"  {line}" for line in _tree_lines(cap)]
        if cap.outputs:
            out.append("Stack outputs:")
            for k, v in sorted(cap.outputs.items()):
                value = v if isinstance(v, str) else json.dumps(_jsonable(v), sort_keys=True)
                out.append(f"  {k} = {value}")
    if pol is not None:
        for m in sorted(pol.remediations, key=lambda m: (m.policy, m.urn)):
            out.append(f"Remediated by {m.policy}: {_short(m.urn)} ({', '.join(m.changed)})")
        for policy, reason, n in sorted(pol.not_evaluated()):
            out.append(f"{policy} not evaluated on {_plural(n, 'resource')}: {reason}")
        if pol.unjudged and verbose:
            out.append("Not read by any policy: " + ", ".join(f"{t} x{n}" for t, n in sorted(pol.unjudged.items())))
        # The servicer's notes on values unknown until apply: one line each would bury the rest.
        deferred = [d for d in pol.diagnostics if d.startswith(_DEFERRED_PREFIX)]
        if deferred and not verbose:
            out.append(
                f"Policy checks deferred to apply: {len(deferred)} (values unknown during preview; "
                "--verbose lists them)"
            )
        out += [d for d in pol.diagnostics if verbose or not d.startswith(_DEFERRED_PREFIX)]
    return out


_DEFERRED_PREFIX = "can't run policy "
"""How pulumi-policy's analyzer words a check it skips because a value is unknown during preview."""


def program_warnings(cap: Capture, verbose: bool = False) -> list[str]:
    """What the program itself logged as warnings or errors (e.g. configuration a deploy refuses):
    errors first, then warnings; unless `verbose`, the SDKs' deprecation notices are one counted
    line and at most a few other warnings are shown."""
    logged = [r for r in cap.logs if r.severity == "error"] + [r for r in cap.logs if r.severity == "warning"]
    if verbose:
        return [f"Program {r.severity}: {r.message}" for r in logged]
    deprecations = [r for r in logged if r.severity == "warning" and " is deprecated" in r.message]
    lines = [f"Program {r.severity}: {r.message}" for r in logged if r not in deprecations]
    if len(lines) > PROGRAM_WARNINGS_SHOWN + 1:
        lines = [
            *lines[:PROGRAM_WARNINGS_SHOWN],
            f"  ... and {len(lines) - PROGRAM_WARNINGS_SHOWN} more (--verbose lists them)",
        ]
    if deprecations:
        lines.append(
            f"Program warning: {_plural(len(deprecations), 'deprecation notice')} from the SDKs (--verbose lists them)"
        )
    return lines


PROGRAM_WARNINGS_SHOWN = 5


_STYLES = (
    (re.compile(r"^Offline preview"), "bold"),
    (re.compile(r"^Not covered: "), "yellow"),
    (re.compile(r"^Error: "), "red"),
    (re.compile(r"^Program (warning|error): "), "yellow"),
    (re.compile(r"^  MANDATORY "), "red"),
    (re.compile(r"^  ADVISORY "), "yellow"),
    (re.compile(r"^(Cost|Deploy time): "), "bold"),
)


def print_terminal(result: PreviewResult, console: Console | None = None, verbose: bool = False) -> None:
    """Print the text report. Every line is a `Text`: user data is never parsed as markup or emoji."""
    console = console or make_console()
    for line in text_lines(result, verbose):
        style = next((s for pattern, s in _STYLES if pattern.search(line)), "")
        console.print(Text(line, style=style))
    for section in result.sections.values():
        if not callable(getattr(section, "text_lines", None)):
            console.print(section)


# --- Markdown ----------------------------------------------------------------------------------

_SHORTCODE = re.compile(r":(?=[a-z0-9_+-]+:)")


def md_text(text: str) -> str:
    """User text in Markdown prose, shown as written: table pipes escaped, newlines flattened, and
    `:name:` not turned into an emoji by GitHub (the first colon as an HTML entity)."""
    return _SHORTCODE.sub("&#58;", text.replace("|", "\\|").replace("\n", " "))


def md_code(text: str) -> str:
    """User text as inline code (never rendered as emoji or markup)."""
    quoted = text.replace("`", "'")
    return f"`{quoted}`"


def to_markdown(result: PreviewResult) -> str:
    cap = result.capture
    pol = result.policy
    lines = [f"### Offline preview ({cap.mode}): `{cap.project}` / `{cap.stack}`", ""]
    custom = sum(1 for r in cap.resources if r.custom)
    status = "no policy pack run"
    if pol is not None:
        status = (
            f"**{len(pol.mandatory)} mandatory**, {len(pol.violations) - len(pol.mandatory)} advisory findings "
            f"from `{pol.pack}@{pol.version}` ({pol.policies_run} policies)"
        )
    icon = ":x:" if pol is not None and pol.mandatory else ":white_check_mark:"
    lines += [f"{icon} {len(cap.resources)} registrations ({custom} cloud resources); {status}.", ""]
    error = result.error
    if error is not None:
        where = f" at {md_code(str(error['location']))}" if error.get("location") else ""
        lines += [f":x: **{error.get('kind', 'tool')} error**{where}: {md_text(str(error['message']))}", ""]
    gaps = not_covered(result)
    if gaps:
        lines += [f":warning: **Not covered:** {'; '.join(gaps)}.", ""]
    if pol is not None and pol.violations:
        lines += ["| level | policy | resources | message |", "|---|---|---|---|"]
        for group in group_findings(pol):
            common = group.common_message
            if common is not None:
                resources = "<br>".join(md_code(r) for r, _ in group.items)
                lines.append(f"| {group.enforcement} | `{group.policy}` | {resources} | {md_text(common)} |")
            else:
                resources = "<br>".join(f"{md_code(r)}: {md_text(m)}" for r, m in group.items)
                lines.append(f"| {group.enforcement} | `{group.policy}` | {resources} | (per resource) |")
        lines.append("")
    for section in result.sections.values():
        lines += [section.to_markdown(), ""]
    if pol is not None and pol.remediations:
        lines += ["Remediated (the deployment would apply these input changes):", ""]
        lines += [
            f"- `{m.policy}` on {md_code(_short(m.urn))}: {', '.join(m.changed)}"
            for m in sorted(pol.remediations, key=lambda m: (m.policy, m.urn))
        ]
        lines.append("")
    if pol is not None and pol.unjudged:
        lines += ["Not read by any policy (the pack has no rule for these types beyond tagging):", ""]
        lines += [f"- {md_code(t)} x{n}" for t, n in sorted(pol.unjudged.items())]
        lines.append("")
    if pol is not None and pol.not_evaluated():
        lines += ["Not evaluated:", ""]
        lines += [
            f"- `{policy}` on {n} resource(s): {md_text(reason)}" for policy, reason, n in sorted(pol.not_evaluated())
        ]
        lines.append("")
    invokes = unanswered_invokes(cap)
    if invokes:
        lines += ["Unanswered invokes (answered with placeholders of their result type):", ""]
        lines += [f"- {md_code(i)}" for i in invokes]
        lines.append("")
    if cap.unanswered_references:
        lines += ["Stack references without outputs:", "", f"- {md_text(unanswered_references(cap))}", ""]
    if cap.encrypted_config:
        lines += [f"Encrypted config read as the placeholder {md_text(ENCRYPTED_NOTE)}:", ""]
        lines += [f"- {md_code(k)}" for k in cap.encrypted_config]
        lines.append("")
    lines += ["<details><summary>Resources by type</summary>", "", "| type | count |", "|---|---:|"]
    lines += [f"| `{t}` | {n} |" for t, n in counts_by_type(cap)]
    lines += ["", "</details>", ""]
    return "\n".join(lines)


def counts_by_type(capture: Capture) -> list[tuple[str, int]]:
    return sorted(Counter(r.type for r in capture.resources).items(), key=lambda kv: (-kv[1], kv[0]))
