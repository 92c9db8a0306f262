"""Print the pack's policies counted by category (and, with --markdown, the README tables).

python -m policies.catalog            # from the repository root
python -m policies.catalog --types    # every resource type, with the policies judging or reading it
python policies/catalog.py --markdown # the policy and anchor tables of policies/README.md
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from platform_policies import CATEGORIES, REGISTRY
from platform_policies.registry import FRAMEWORKS, PolicyInfo

BEGIN = "<!-- BEGIN GENERATED"
END = "<!-- END GENERATED -->"
ANCHORS = {
    "AwsSolutions-": "cdk-nag AwsSolutions",
    "CKV": "checkov",
    "awsguard:": "Pulumi awsguard",
}


def type_coverage() -> tuple[dict[str, list[str]], dict[str, list[str]], list[str]]:
    """(exact type -> policies judging it, exact type -> policies reading it as a link, patterns)."""
    judged: dict[str, list[str]] = {}
    linked: dict[str, list[str]] = {}
    patterns: list[str] = []
    for info in REGISTRY:
        for t in info.resource_types:
            if "*" in t:
                patterns.append(f"`{t}` ({info.name})")
            else:
                judged.setdefault(t, []).append(info.name)
        for t in info.links:
            linked.setdefault(t, []).append(info.name)
    return judged, linked, patterns


def coverage_line() -> str:
    judged, linked, patterns = type_coverage()
    only_linked = set(linked) - set(judged)
    return (
        f"Resource types: {len(judged)} judged by exact type, {len(only_linked)} more read only as links of stack "
        f"policies ({len(set(judged) | set(linked))} in all), plus {', '.join(patterns)}."
    )


def counts() -> list[tuple[str, int]]:
    by = Counter(info.category for info in REGISTRY)
    return [(c, by[c]) for c in CATEGORIES if by[c]]


SHORT = {"soc2": "SOC 2", "iso27001": "ISO 27001", "pci": "PCI DSS", "cis": "CIS", "fsbp": "FSBP"}


def _controls(info: PolicyInfo) -> str:
    return "; ".join(f"{SHORT[key]} {', '.join(refs)}" for key, refs in info.controls.as_dict().items())


def frameworks() -> str:
    return ", ".join(f"{SHORT[k]} = {name} {version}" for k, (name, version) in FRAMEWORKS.items())


def policy_table() -> str:
    lines: list[str] = []
    for category, title in CATEGORIES.items():
        infos = [i for i in REGISTRY if i.category == category]
        if not infos:
            continue
        lines += [
            f"### {title} ({len(infos)})",
            "",
            "| policy | kind | severity | default | what it requires | controls |",
            "|---|---|---|---|---|---|",
        ]
        for i in infos:
            config = f" Config: {', '.join(f'`{k}`' for k in i.config)}." if i.config else ""
            lines.append(
                f"| `{i.name}` | {i.kind} | {i.severity.value} | {i.enforcement.value} | {i.description}{config} | {_controls(i)} |"
            )
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def anchor_table() -> str:
    covered: dict[str, list[str]] = {}
    for info in REGISTRY:
        for anchor in info.covers:
            covered.setdefault(anchor, []).append(info.name)
    lines = ["| anchor | check | covered by |", "|---|---|---|"]
    for prefix, label in ANCHORS.items():
        for anchor in sorted((a for a in covered if a.startswith(prefix)), key=_natural):
            shown = anchor.removeprefix("awsguard:")
            lines.append(f"| {label} | `{shown}` | {', '.join(f'`{n}`' for n in covered[anchor])} |")
    own = [i.name for i in REGISTRY if not i.covers]
    lines += ["", f"Policies no anchor has ({len(own)}): " + ", ".join(f"`{n}`" for n in own) + "."]
    return "\n".join(lines) + "\n"


def _natural(anchor: str) -> tuple[str, int]:
    head = anchor.rstrip("0123456789")
    tail = anchor[len(head) :]
    return head, int(tail) if tail else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="List the policies of the platform policy pack.")
    parser.add_argument("--markdown", action="store_true", help="print the README's policy and anchor tables")
    parser.add_argument(
        "--write-readme", action="store_true", help="rewrite the generated tables in policies/README.md"
    )
    parser.add_argument("--types", action="store_true", help="list every resource type and the policies using it")
    args = parser.parse_args(argv)
    if args.types:
        judged, linked, _ = type_coverage()
        for t in sorted(set(judged) | set(linked)):
            print(t)
            if t in judged:
                print(f"    judged by: {', '.join(judged[t])}")
            if t in linked:
                print(f"    read by:   {', '.join(linked[t])}")
        print(coverage_line().replace("`", ""))
        return 0
    if args.markdown or args.write_readme:
        tables = f"Control references: {frameworks()}.\n\n{coverage_line()}\n\n{policy_table()}\n{anchor_table()}"
        if not args.write_readme:
            print(tables)
            return 0
        readme = Path(__file__).resolve().parent / "README.md"
        text = readme.read_text(encoding="utf-8")
        begin = text.index("\n", text.index(BEGIN)) + 1
        end = text.index(END)
        readme.write_text(text[:begin] + tables.strip() + "\n" + text[end:], encoding="utf-8")
        return 0
    width = max(len(c) for c in CATEGORIES)
    for category, n in counts():
        print(f"{category:<{width}}  {n:>3}")
    print(f"{'total':<{width}}  {len(REGISTRY):>3}")
    print()
    print(coverage_line().replace("`", ""))
    print()
    for info in REGISTRY:
        print(
            f"{info.category:<{width}}  {info.severity.value:<8}  {info.enforcement.value:<9}  {info.kind:<8}  {info.name}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
