"""Regenerate the README's generated blocks from the code: `python -m tools.readme [--check]`.

* architecture: the component graph captured from the dev stack (`offline_preview.diagram`);
* config reference: the stack config model and the three stack files (`secure_platform.config_docs`);
* cost per environment: the offline cost and deploy-time estimates of the three stacks.

`--check` writes nothing and exits 1 when a block is stale (the tests run the same comparison).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from offline_preview import arguments, diagram
from offline_preview.capture import Capture, run_program
from offline_preview.cost import estimate_cost, usd
from offline_preview.deploy_time import critical_path
from secure_platform import config_docs
from secure_platform.config.stack_files import UserError

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
STACKS = ("dev", "staging", "prod")
OVERRIDES = REPO / "tests" / "stacks" / "overrides.yaml"
COST_START = "<!-- cost-table:start -->"
COST_END = "<!-- cost-table:end -->"


def run_stack(stack: str, mode: str) -> Capture:
    """A stack of this repository, with the deploy-specific values of tests/stacks/overrides.yaml."""
    return run_program(REPO, stack, mode=mode, overrides=OVERRIDES)


def cost_table(capture_of: Callable[[str, str], Capture] = run_stack) -> str:
    estimates = {}
    for stack in STACKS:
        # Up: the table is the running cost of a deployed stack; in a preview of a fresh stack the
        # spot node groups' instance types (a dynamic resource's outputs) are still unknown.
        # The shipped staging/prod files hold documentation placeholders an update refuses; the
        # deploy-specific values of tests/stacks/overrides.yaml stand in (they change no cost).
        capture = capture_of(stack, "up")
        estimates[stack] = (estimate_cost(capture), critical_path(capture)[0], len(capture.resources))
    # Components that cost nothing in every stack (the stack's own providers) add only noise.
    components = sorted(
        {c for est, _, _ in estimates.values() for c, usd_ in est.by_component.items() if round(usd_, 2) > 0}
    )
    lines = [
        "| | " + " | ".join(STACKS) + " |",
        "|---|" + "---:|" * len(STACKS),
        "| **monthly estimate** | "
        + " | ".join(f"**{'' if e.complete else '≥ '}{usd(e.monthly_usd)}**" for e, _, _ in estimates.values())
        + " |",
        "| of which from stated usage assumptions | "
        + " | ".join(usd(e.assumed_usd) for e, _, _ in estimates.values())
        + " |",
        "| unpriced resources | " + " | ".join(str(e.unpriced_count) for e, _, _ in estimates.values()) + " |",
        "| billed by use (unit prices, not in the total) | "
        + " | ".join(str(len(e.usage_lines)) for e, _, _ in estimates.values())
        + " |",
    ]
    for component in components:
        lines.append(
            f"| {component} | "
            + " | ".join(usd(e.by_component.get(component, 0.0)) for e, _, _ in estimates.values())
            + " |"
        )
    lines.append(
        "| fresh `pulumi up`, critical path | " + " | ".join(f"{m:.1f} min" for _, m, _ in estimates.values()) + " |"
    )
    lines.append("| registrations | " + " | ".join(str(n) for _, _, n in estimates.values()) + " |")
    return "\n".join(lines)


def _replace(text: str, start: str, end: str, block: str) -> str:
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{block}\n{end}{tail}"


def render(text: str, capture_of: Callable[[str, str], Capture] = run_stack) -> str:
    """The README with its generated blocks current; `capture_of(stack, mode)` runs a stack."""
    text = _replace(text, diagram.START, diagram.END, diagram.block_of(capture_of("dev", "preview")))
    text = _replace(text, config_docs.START, config_docs.END, config_docs.render_reference())
    return _replace(text, COST_START, COST_END, cost_table(capture_of))


def main(argv: list[str] | None = None) -> int:
    parser = arguments.Parser(prog="python -m tools.readme", description=__doc__)
    parser.add_argument("--check", action="store_true")
    try:
        args = parser.parse_args(argv)
        text = README.read_text(encoding="utf-8")
        new = render(text)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.check:
        if new != text:
            print("README.md is stale: run venv/bin/python -m tools.readme", file=sys.stderr)
            return 1
        return 0
    README.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
