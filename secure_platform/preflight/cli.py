"""`python -m secure_platform.preflight STACK`: read-only checks of what a first `pulumi up` needs.

Prints one table (check, status, finding, fix). Exit 0 when nothing failed (warnings allowed),
1 when a check failed, 2 on bad arguments (unknown stack, unreadable file, unknown check).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from botocore.exceptions import BotoCoreError, ClientError

from secure_platform.preflight import account, capacity, reach
from secure_platform.preflight.facts import ROOT, PreflightUsageError, StackFacts, load_facts
from secure_platform.preflight.model import (
    Boto3Clients,
    CheckAbortedError,
    Clients,
    Context,
    Fetch,
    Result,
    Runner,
    Status,
    runner_from_metadata,
)

CHECKS: dict[str, Callable[[Context], list[Result]]] = {**account.CHECKS, **reach.CHECKS, **capacity.CHECKS}
"""Every check, in the order a first deploy meets what it verifies."""

_SG = re.compile(r"^sg-(?:[0-9a-f]{8}|[0-9a-f]{17})$")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m secure_platform.preflight",
        description="Read-only AWS checks of everything a first `pulumi up` of STACK needs and no preview can see.",
    )
    parser.add_argument("stack", help="stack name (reads Pulumi.<stack>.yaml)")
    parser.add_argument("--config", type=Path, help="stack config file to use instead of Pulumi.<stack>.yaml")
    parser.add_argument(
        "--runner-security-group-id",
        action="append",
        default=[],
        metavar="SG",
        help="the deploy runner's security group (default: from EC2 instance metadata); repeatable",
    )
    parser.add_argument("--runner-cidr", help="the runner's public address as a CIDR (default: instance metadata)")
    parser.add_argument(
        "--check", action="append", default=[], metavar="NAME", help=f"run only this check; one of {', '.join(CHECKS)}"
    )
    parser.add_argument("--skip", action="append", default=[], metavar="NAME", help="leave this check out; repeatable")
    parser.add_argument(
        "--require-images",
        action="store_true",
        help="a missing ECR repository fails (after the ECR stage) instead of warning (before it)",
    )
    return parser


def render(results: Sequence[Result], out: TextIO) -> None:
    headers = ("CHECK", "STATUS", "FINDING", "FIX")
    rows = [(r.check, r.status.value, r.finding, r.fix) for r in results]
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(headers[:3])]
    line = "  ".join(h.ljust(w) for h, w in zip(headers[:3], widths, strict=True)) + "  " + headers[3]
    print(line, file=out)
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row[:3], widths, strict=True)) + "  " + row[3], file=out)
    failed = sum(1 for r in results if r.status is Status.FAIL)
    warned = sum(1 for r in results if r.status is Status.WARN)
    verdict = f"{failed} failed, {warned} warning(s)" if failed else f"ready: 0 failed, {warned} warning(s)"
    print(verdict, file=out)


def run_checks(ctx: Context, names: Sequence[str]) -> list[Result]:
    results: list[Result] = []
    for name in names:
        try:
            results += CHECKS[name](ctx)
        except CheckAbortedError as exc:
            results.append(exc.result)
        except Exception as exc:  # noqa: BLE001 - one broken check must not hide the others' findings
            results.append(
                Result(
                    name,
                    Status.FAIL,
                    f"the check itself failed: {type(exc).__name__}: {exc}",
                    "report this; rerun with --skip " + name,
                )
            )
    return results


def _identity(clients: Clients) -> tuple[str, str, str] | Result:
    try:
        who = clients.client("sts").get_caller_identity()
    except (ClientError, BotoCoreError) as exc:
        return Result(
            "aws-credentials",
            Status.FAIL,
            f"no usable AWS credentials: {type(exc).__name__}",
            "assume the stack's deploy role (aws sts get-caller-identity must work)",
        )
    arn = str(who["Arn"])
    return str(who["Account"]), arn.split(":", 2)[1], arn


def main(
    argv: Sequence[str] | None = None,
    *,
    clients: Callable[[StackFacts], Clients] | None = None,
    metadata: Fetch | None = None,
    resolve_ns: Callable[[str], list[str]] | None = None,
    program: Path = ROOT,
    out: TextIO | None = None,
) -> int:
    """The CLI; tests pass stubbed `clients`, instance `metadata` and a DNS `resolve_ns`."""
    stream: TextIO = out or sys.stdout
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return 0 if exc.code == 0 else 2
    unknown = [c for c in [*args.check, *args.skip] if c not in CHECKS]
    bad_groups = [g for g in args.runner_security_group_id if not _SG.match(g)]
    problems = []
    if unknown:
        problems.append(f"--check/--skip: unknown {', '.join(unknown)}; allowed: {', '.join(CHECKS)}")
    if bad_groups:
        problems.append(f"--runner-security-group-id: {', '.join(bad_groups)} is not sg- then 8 or 17 hex digits")
    if args.runner_cidr and not re.fullmatch(r"\d{1,3}(\.\d{1,3}){3}(/\d{1,2})?", args.runner_cidr):
        problems.append(f"--runner-cidr: {args.runner_cidr} is not an IPv4 address or CIDR, e.g. 203.0.113.7/32")
    try:
        facts = load_facts(args.stack, args.config, program)
    except PreflightUsageError as exc:
        problems.append(str(exc))
        facts = None
    if problems or facts is None:
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    if not facts.region:
        print(f"error: aws:region is not set in the config of stack {args.stack}", file=sys.stderr)
        return 2

    session = clients(facts) if clients else Boto3Clients(facts.region)
    identity = _identity(session)
    if isinstance(identity, Result):
        render([identity], stream)
        return 1
    account_id, partition, caller = identity
    if args.runner_security_group_id or args.runner_cidr:
        cidr = args.runner_cidr if not args.runner_cidr or "/" in args.runner_cidr else f"{args.runner_cidr}/32"
        runner = Runner(tuple(args.runner_security_group_id), cidr, "arguments")
    else:
        runner = runner_from_metadata(metadata) if metadata else runner_from_metadata()
    ctx = Context(
        facts=facts,
        clients=session,
        account=account_id,
        partition=partition,
        caller_arn=caller,
        runner=runner,
        require_images=args.require_images,
        resolve_ns=resolve_ns,
    )
    print(
        f"preflight of stack {facts.stack}: account {account_id}, {facts.region}, {facts.platform}, "
        f"runner from {runner.source}",
        file=stream,
    )
    results = run_checks(ctx, [c for c in (args.check or list(CHECKS)) if c not in args.skip])
    render(results, stream)
    return 1 if any(r.status is Status.FAIL for r in results) else 0
