"""`python -m secure_platform.spot recommend ...`: the selection outside a deployment.

Same engine and data as the resource. Without `--offline` it asks AWS through boto3 (credentials
from the usual chain) and falls back to the bundled data, with a warning, for whatever AWS does
not answer. Exit codes: 0 a recommendation was printed; 2 bad input (flags, requirements no type
satisfies, market data that does not cover the region), with the message on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from .churn import PreviousSelection
from .engine import evaluate, finite_outputs
from .filters import EmptySelectionError
from .market import FileMarket, MarketDataError, MarketSource
from .requirements import RequirementsError, parse_range, parse_requirements

EXIT_OK = 0
EXIT_BAD_INPUT = 2


def _csv(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m secure_platform.spot",
        description="Recommend diversified spot instance types from EC2 market data.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    rec = sub.add_parser(
        "recommend",
        allow_abbrev=False,
        help="recommend instance types for a spot node group",
        description="Recommend instance types (and AZs) for a spot node group.",
    )
    rec.add_argument(
        "--requirements",
        type=Path,
        default=None,
        metavar="FILE",
        help="JSON object of the selection's camelCase inputs (as the resource takes them); flags given "
        "explicitly override its values",
    )
    rec.add_argument("--region", default=None, help="AWS region, e.g. us-east-1 (required, here or in --requirements)")
    rec.add_argument("--vcpus", default=None, help="vCPU range MIN-MAX, e.g. 2-4 (required, here or in --requirements)")
    rec.add_argument(
        "--memory-gib",
        default=None,
        help="memory range in GiB MIN-MAX, e.g. 4-16 (required, here or in --requirements)",
    )
    rec.add_argument("--arch", default="x86_64", help="architectures, comma-separated: x86_64, arm64 (default x86_64)")
    rec.add_argument("--capacity", type=int, default=3, help="instances the group runs (default 3)")
    rec.add_argument(
        "--max-interruption",
        type=int,
        default=2,
        help="highest Spot Advisor interruption bucket tolerated, 0 (<5%%) to 4 (>20%%); default 2",
    )
    rec.add_argument("--types", type=int, default=4, help="instance types to diversify over (default 4)")
    rec.add_argument("--previous", type=_csv, default=None, help="the current selection, comma-separated")
    rec.add_argument("--burstable", action="store_true", help="allow burstable (t*) types")
    rec.add_argument("--families", type=_csv, default=[], help="allowed family patterns, e.g. m*,c7i")
    rec.add_argument("--exclude-families", type=_csv, default=[], help="excluded family patterns, e.g. t2,x*")
    rec.add_argument(
        "--min-generation",
        type=int,
        default=5,
        help="oldest generation allowed (default 5: m5, c5, r5 and newer; 0: any)",
    )
    rec.add_argument(
        "--current-generation-only",
        action="store_true",
        help="only types DescribeInstanceTypes flags as current generation",
    )
    rec.add_argument("--zones", type=_csv, default=[], help="AZ names the group may use, comma-separated")
    rec.add_argument("--min-zones", type=int, default=2, help="AZs a type must be offered in (default 2)")
    rec.add_argument("--days", type=int, default=14, help="days of spot price history (default 14, max 90)")
    rec.add_argument("--savings-threshold-percent", type=float, default=10.0, help="re-select above this %% saving")
    rec.add_argument("--savings-threshold-usd", type=float, default=0.05, help="...and above this $/h saving")
    rec.add_argument("--min-placement-score", type=int, default=3, help="AZs scoring lower are not used (1-10)")
    rec.add_argument("--offline", action="store_true", help="use only the bundled (or --market-data) files")
    rec.add_argument(
        "--market-data",
        type=Path,
        default=None,
        metavar="DIR",
        help="directory with spot-advisor-data.json and ec2-on-demand-prices.json "
        "(optionally spot-price-history.json) to use instead of the bundled copy",
    )
    rec.add_argument("--json", action="store_true", help="print the outputs as JSON")
    return parser


def _inputs(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "region": args.region,
        "vcpus": parse_range(args.vcpus) if args.vcpus is not None else None,
        "memoryGib": parse_range(args.memory_gib) if args.memory_gib is not None else None,
        "architectures": _csv(args.arch),
        "capacity": args.capacity,
        "maxInterruptionBucket": args.max_interruption,
        "typeCount": args.types,
        "burstable": args.burstable,
        "allowedFamilies": args.families,
        "excludedFamilies": args.exclude_families,
        "minGeneration": args.min_generation,
        "currentGenerationOnly": args.current_generation_only,
        "allowedAvailabilityZones": args.zones,
        "minAvailabilityZones": args.min_zones,
        "priceHistoryDays": args.days,
        "savingsThresholdPercent": args.savings_threshold_percent,
        "savingsThresholdUsdPerHour": args.savings_threshold_usd,
        "minPlacementScore": args.min_placement_score,
        "dataSource": "bundled" if args.offline else "aws",
    }


_FLAGS = {
    "vcpus": "--vcpus",
    "memoryGib": "--memory-gib",
    "architectures": "--arch",
    "capacity": "--capacity",
    "maxInterruptionBucket": "--max-interruption",
    "typeCount": "--types",
    "burstable": "--burstable",
    "allowedFamilies": "--families",
    "excludedFamilies": "--exclude-families",
    "minGeneration": "--min-generation",
    "currentGenerationOnly": "--current-generation-only",
    "allowedAvailabilityZones": "--zones",
    "minAvailabilityZones": "--min-zones",
    "priceHistoryDays": "--days",
    "savingsThresholdPercent": "--savings-threshold-percent",
    "savingsThresholdUsdPerHour": "--savings-threshold-usd",
    "minPlacementScore": "--min-placement-score",
    "region": "--region",
}


_FLAGS["dataSource"] = "--offline"


def explicit_keys(argv: Sequence[str]) -> set[str]:
    """The input keys whose flags appear in `argv` (abbreviations are off, so names are exact)."""
    given = {token.split("=", 1)[0] for token in argv if token.startswith("--")}
    return {key for key, flag in _FLAGS.items() if flag in given}


class RequirementsFileError(ValueError):
    """A `--requirements` file that cannot be used (one paragraph, names the file)."""


def read_requirements(path: Path) -> dict[str, Any]:
    """The JSON object in a `--requirements` file; `RequirementsFileError` for anything else."""
    what = f"--requirements {path}"
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise RequirementsFileError(f"{what} does not exist") from None
    except IsADirectoryError:
        raise RequirementsFileError(f"{what} is a directory; expected a JSON file") from None
    except OSError as exc:
        raise RequirementsFileError(f"{what} cannot be read ({exc.strerror or type(exc).__name__})") from None
    if not raw.strip():
        raise RequirementsFileError(f"{what} is empty; expected a JSON object of camelCase inputs")
    try:
        data = json.loads(raw.decode("utf-8-sig"), parse_constant=_no_constant)
    except UnicodeDecodeError as exc:
        raise RequirementsFileError(f"{what} is not UTF-8 text (byte {exc.start}); a binary file?") from None
    except json.JSONDecodeError as exc:
        raise RequirementsFileError(
            f"{what} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None
    except RecursionError:
        raise RequirementsFileError(
            f"{what} is nested too deeply to read; expected a JSON object of camelCase inputs"
        ) from None
    except ValueError as exc:
        raise RequirementsFileError(f"{what} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise RequirementsFileError(
            f"{what} holds {type(data).__name__}; expected a JSON object such as "
            '{"region": "us-east-1", "vcpus": {"min": 2, "max": 4}, "memoryGib": {"min": 4, "max": 16}}'
        )
    return data


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number (JSON numbers are finite)")


def _flag(key: str) -> str:
    return _FLAGS.get(key.split(".")[0].split("[")[0], key)


def _money(value: Any, digits: int = 4) -> str:
    return f"${value:.{digits}f}" if isinstance(value, (int, float)) else "n/a"


def render(outputs: dict[str, Any], console: Console) -> None:
    table = Table(title=f"Spot selection for {outputs['selectionInputs']['region']}")
    region = outputs["selectionInputs"]["region"]
    for column, justify in (
        ("Type", "left"),
        ("vCPU", "right"),
        ("GiB", "right"),
        ("Spot $/h", "right"),
        ("OD $/h", "right"),
        ("Saving", "right"),
        ("Interrupt", "left"),
        (f"AZs ({region}…)", "left"),
    ):
        table.add_column(column, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    for d in outputs["details"]:
        savings = d.get("savingsPercent")
        table.add_row(
            d["instanceType"],
            str(d.get("vcpus", "")),
            f"{d.get('memoryGib', 0):g}",
            _money(d.get("spotPrice")),
            _money(d.get("onDemandPrice")),
            f"{savings:.0f} %" if isinstance(savings, (int, float)) else "n/a",
            d.get("interruptionFrequency", str(d["interruptionBucket"])),
            " ".join(z.removeprefix(region) for z in d.get("availabilityZones") or []) or "-",
        )
    console.print(table)
    capacity = outputs["selectionInputs"]["capacity"]
    line = f"Expected {_money(outputs['expectedHourlyUsd'])}/h for {capacity} instance(s)"
    if outputs.get("onDemandHourlyUsd") is not None:
        line += f" (on-demand {_money(outputs['onDemandHourlyUsd'])}/h, {outputs.get('savingsPercent', 0):.0f} % saved)"
    console.print(line)
    console.print(f"AZs: {', '.join(outputs.get('availabilityZones') or []) or 'not checked'}")
    console.print(f"Why: {outputs['reason']}", markup=False)
    if outputs.get("decision"):
        console.print(f"Previous selection: {outputs['decision']['reason']}", markup=False)
    for warning in outputs.get("warnings") or []:
        console.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)
    sources = outputs.get("dataSources") or {}
    console.print("Data: " + "; ".join(f"{k}: {v}" for k, v in sources.items()), style="dim", markup=False)


def main(argv: Sequence[str] | None = None, *, source: MarketSource | None = None) -> int:
    """Run the CLI; `source` replaces the boto3 market (tests)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    # Errors are prose: never hard-wrapped at 80 columns when stderr is a pipe or a CI log.
    err = Console(stderr=True, highlight=False, emoji=False, soft_wrap=True)
    try:
        flags = {k: v for k, v in _inputs(args).items() if v is not None}
        from_file = read_requirements(args.requirements) if args.requirements is not None else {}
    except ValueError as exc:
        err.print(f"error: {exc}", markup=False)
        return EXIT_BAD_INPUT
    explicit = explicit_keys(list(argv) if argv is not None else sys.argv[1:])
    raw = {**from_file, **{k: v for k, v in flags.items() if k in explicit or k not in from_file}}
    origin = {k: f"in {args.requirements}" for k in from_file if k not in explicit}
    try:
        req = parse_requirements(raw)
        files = FileMarket(args.market_data)
        if source is None and not args.offline:
            from .aws import AwsMarket

            source = AwsMarket(req.region)
        previous = None
        if args.previous:
            unknown = files.unknown_types(args.previous)
            if unknown:
                listed = "; ".join(
                    f"{name!r}" + (f" (close: {', '.join(close)})" if close else "") for name, close in unknown.items()
                )
                err.print(
                    f"error: --previous names instance type(s) unknown to {files.label}: {listed}. "
                    "Give the node group's current types, comma-separated, e.g. m6i.large,m6a.large.",
                    markup=False,
                )
                return EXIT_BAD_INPUT
            previous = PreviousSelection(list(dict.fromkeys(args.previous)))
        evaluation = evaluate(req, files=files, source=source, previous=previous)
    except RequirementsError as exc:
        top = {p.key: p.key.split(".")[0].split("[")[0] for p in exc.problems}
        where = {k: origin.get(t) or _flag(k) for k, t in top.items()}
        if args.requirements is not None:  # a missing key may come from either place
            where |= {k: f"{_flag(k)}, or {t} in {args.requirements}" for k, t in top.items() if t not in raw}
        lines = [f"  - {p} [{where[p.key]}]" for p in exc.problems]
        err.print("error: invalid input\n" + "\n".join(lines), markup=False)
        return EXIT_BAD_INPUT
    except EmptySelectionError as exc:
        err.print(f"error: {exc.render(_flag(exc.key))}", markup=False)
        return EXIT_BAD_INPUT
    except MarketDataError as exc:
        err.print(f"error: {exc}", markup=False)
        return EXIT_BAD_INPUT
    except OSError as exc:  # e.g. --market-data on an unreadable mount
        err.print(f"error: cannot read market data: {exc.strerror or exc} ({exc.filename or args.market_data})")
        return EXIT_BAD_INPUT
    outputs = dict(evaluation.outputs)
    if previous is not None:
        outputs["decision"] = {"reselect": evaluation.decision.reselect, "reason": evaluation.decision.reason}
    outputs = finite_outputs(outputs)
    if args.json:
        # allow_nan=False: the output is strict JSON (RFC 8259 has no NaN/Infinity) or nothing at all.
        sys.stdout.write(json.dumps(outputs, indent=2, sort_keys=False, allow_nan=False) + "\n")
    else:
        console = Console()
        if not console.is_terminal:
            console = Console(width=120)  # pipes and logs: room for the table
        render(outputs, console)
    return EXIT_OK
