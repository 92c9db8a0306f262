"""The dynamic provider behind `SpotInstanceSelection`.

The provider object is pickled (dill) into the resource's `__provider` input. Its class lives
here, in an importable module, so dill pickles it *by reference*: the provider host imports
`secure_platform.spot.provider` and finds the class (older state names `components.spot.provider`,
which an alias package at the project root keeps importable). Importing this module therefore must
not read files, call AWS or create resources; it only defines things. Keep the class name and module path:
they are recorded in every stack's state.

The chosen instance types are *held* in the resource's state. They change only when

- re-selection is requested (the `reselect` input, any token, changed);
- an input that shapes the group changed: region, typeCount, the set of allowedAvailabilityZones
  (the same zones in another order are no change);
- a held type no longer meets the requirements (judged on the bundled catalogue and Spot
  Advisor data, so no market access is needed);
- `reselectOnSavings` is true (default) and the market, if it answers, shows a saving above both
  thresholds (`churn.decide`).

Methods:
- `check` validates inputs (every problem at once, with key, value and what is allowed) and, on
  the bundled catalogue, says which filter would leave no instance type; a damaged bundled file
  is reported here, as a failure naming the file, not as a traceback later. No credentials needed.
- `diff` first decides what needs no market (`churn.held_decision`); only then, best effort and
  bounded (standard retry mode, short timeouts), asks the market about the thresholds. Any
  failure there (no credentials, AccessDenied, timeout, malformed answer) keeps the held choice:
  a preview or a drift check never needs market access and never fails because of it. When the
  held choice was made from fallback estimates (a price call had failed), this is where live
  prices are tried again, so a failure is never frozen into the state.
- `create` / `update` select (update keeps the held types unless `churn.decide` says not to); they
  read the market with botocore's adaptive retry mode and fall back per part to the bundled data,
  with a warning in `warnings` and the source in `dataSources`.
- `read` is the SDK's default: a refresh keeps the state (and makes no AWS call).

The offline hook (`offline_create`), the interface the library offers to offline previews: called
with the resource's plain input properties (no `__provider`, secrets already revealed) and
returns the output properties `create` would return, computed from the bundled data only: no
cloud calls, no side effects, no clock other than the selection time. It raises
`RequirementsError`, `EmptySelectionError` or `MarketDataError` (all `ValueError`s with a
one-paragraph message naming the input or file) for bad inputs or data. The library never imports
an offline preview; a preview finds the hook by name on the unpickled provider.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Callable
from typing import Any

from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, DiffResult, ResourceProvider, UpdateResult
from pulumi.dynamic.dynamic import PROVIDER_KEY
from pulumi.runtime.rpc import UNKNOWN

from .churn import Decision, PreviousSelection, held_decision
from .engine import OUTPUT_KEYS, evaluate
from .filters import EmptySelectionError, interruption_filters, run_filters, static_filters
from .market import FileMarket, MarketDataError, MarketFileError, MarketSource
from .requirements import RequirementsError, SpotRequirements, parse_requirements

MarketFactory = Callable[[str], MarketSource]
Purpose = str
""""select" (create/update: thorough) or "preview" (diff: bounded, best effort)."""

LATER = frozenset(
    {
        "capacity",
        "savingsThresholdPercent",
        "savingsThresholdUsdPerHour",
        "reselectOnSavings",
        "priceHistoryDays",
        "minPlacementScore",
        "dataSource",
    }
)
"""Inputs that never force a re-choice by themselves: unknown in a preview, they change nothing."""


_FALLBACK_PREFIXES = ("AWS market data unavailable", "Describe", "pricing:", "GetSpotPlacementScores")
"""Warnings that say a live part fell back (see `engine.Live.call`)."""


def report(req: SpotRequirements, previous: PreviousSelection, message: str) -> None:
    """One line on stderr: the Pulumi engine shows a provider plugin's stderr lines as diagnostics
    (pkg/resource/plugin/plugin.go streams them with `Diag.Infoerrf`), the only channel a dynamic
    provider's `diff` has to say something during a preview."""
    print(f"spot selection ({req.region}: {', '.join(previous.instance_types)}): {message}", file=sys.stderr)


def aws_market(region: str, purpose: Purpose = "select") -> MarketSource:
    from .aws import PREVIEW_CONFIG, AwsMarket  # boto3 is imported only when AWS is really asked

    return AwsMarket(region, config=PREVIEW_CONFIG) if purpose == "preview" else AwsMarket(region)


def _has_unknown(value: Any) -> bool:
    if isinstance(value, str):
        return value == UNKNOWN
    if isinstance(value, dict):
        return any(_has_unknown(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_unknown(v) for v in value)
    return False


def input_props(props: dict[str, Any]) -> dict[str, Any]:
    """The user's inputs from a property bag that may also hold outputs and the provider."""
    return {k: v for k, v in props.items() if k != PROVIDER_KEY and k not in OUTPUT_KEYS and v is not None}


def unknown_zones(req: SpotRequirements, files: FileMarket) -> str | None:
    """Why `allowedAvailabilityZones` names no AZ the bundled snapshot knows for the region, or None.

    AZ names are the same set in every account (us-east-1a ... f); only their mapping to physical
    zones differs, so the names are a fair check without credentials."""
    known = {z.name for z in files.zones(req.region)}
    requested = req.allowed_availability_zones
    if known and requested and not set(requested) & known:
        return f"none of {requested} is an AZ of {req.region}; known: {', '.join(sorted(known))}"
    return None


def static_problems(req: SpotRequirements, files: FileMarket | None = None) -> EmptySelectionError | None:
    """Would the requirements leave no type, judged on the bundled catalogue and Spot Advisor data?"""
    files = files or FileMarket()
    files.validate_all()
    if req.data_source == "bundled":
        files.advisor(req.region)  # raises MarketDataError naming the covered regions
    catalogue, _ = files.catalogue()
    filters = static_filters(req)
    if req.region in files.advisor_regions():
        filters += interruption_filters(req, files.advisor(req.region))
    try:
        run_filters(catalogue.values(), filters)
    except EmptySelectionError as exc:
        return exc
    return None


class SpotSelectionProvider(ResourceProvider):
    """Chooses spot instance types; see the module docstring for the contract of each method."""

    serialize_as_secret_always = False  # it captures no secrets; keeps the state readable
    # Class-level defaults: a provider unpickled from an older state (delete, refresh) may lack
    # instance attributes added since.
    _market_factory: MarketFactory | None = None
    _files: FileMarket | None = None

    def __init__(self, market_factory: MarketFactory | None = None, files: FileMarket | None = None) -> None:
        super().__init__()
        self._market_factory = market_factory
        self._files = files
        """Market data files other than the bundled ones (tests); None: the bundled copy."""

    def _source(self, req: SpotRequirements, purpose: Purpose = "select") -> MarketSource | None:
        if req.data_source != "aws":
            return None
        if self._market_factory is not None:
            return self._market_factory(req.region)
        return aws_market(req.region, purpose)

    def _file_market(self) -> FileMarket:
        return self._files or FileMarket()

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        inputs = input_props(news)
        if _has_unknown(inputs):
            # Preview with values not known yet: `up` checks again with the real values.
            return CheckResult(inputs, [])
        try:
            req = parse_requirements(inputs)
        except RequirementsError as exc:
            return CheckResult(inputs, [CheckFailure(p.key, f"{p}") for p in exc.problems])
        try:
            empty = static_problems(req, self._file_market())
        except MarketFileError as exc:
            return CheckResult(inputs, [CheckFailure("region", f"{exc}")])
        except MarketDataError as exc:
            if req.data_source == "bundled":  # no live data will cover the region either
                return CheckResult(inputs, [CheckFailure("region", f"{exc}")])
            empty = None  # the region is checked against live data at create time
        if empty is not None:
            return CheckResult(inputs, [CheckFailure(empty.key, f"(bundled catalogue) {empty}")])
        zones = unknown_zones(req, self._file_market())
        if zones is not None:
            return CheckResult(inputs, [CheckFailure("allowedAvailabilityZones", zones)])
        return CheckResult(req.to_inputs(), [])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        inputs = input_props(news)
        previous = PreviousSelection.from_outputs(olds)
        if previous is None or not isinstance(olds.get("selectionInputs"), dict):
            return DiffResult(changes=True)  # nothing held (a damaged state): choose
        unknown = {k for k, v in inputs.items() if _has_unknown(v)}
        if unknown:
            # Values not known until `up`: one that can re-shape the group may change it.
            return DiffResult(changes=bool(unknown - LATER))
        try:
            req = parse_requirements(inputs)
        except RequirementsError:
            return DiffResult(changes=True)  # `check` has reported it
        try:
            held = self._held_decision(req, previous)
        except MarketDataError:
            held = None  # the bundled data cannot judge this region: the market may
        if held is not None:
            return DiffResult(changes=held.reselect)
        if not req.reselect_on_savings:
            return DiffResult(changes=False)
        # Any other input change is judged like a market move: the selection changes only when
        # `churn.decide` says so. Reporting a change would make the engine show the node group's
        # instance types as unknown in the preview, i.e. as a replacement that `up` would not do.
        try:
            evaluation = evaluate(
                req,
                files=self._files,
                source=self._source(req, "preview"),
                previous=previous,
                previous_outputs=olds,
            )
        except Exception as exc:  # noqa: BLE001 - a preview or drift check must never fail on the market
            report(req, previous, f"held choice kept: the market could not be judged ({type(exc).__name__}: {exc})")
            return DiffResult(changes=False)
        decision = evaluation.decision
        degraded = [w for w in evaluation.snapshot.warnings if w.startswith(_FALLBACK_PREFIXES)]
        if previous.basis == "estimate" and req.data_source == "aws":
            report(req, previous, f"held choice was made from fallback estimates; re-checked: {decision.reason}")
        elif degraded:
            report(req, previous, f"held choice kept ({decision.reason}); live market data incomplete: {degraded[0]}")
        return DiffResult(changes=decision.reselect)

    def _held_decision(self, req: SpotRequirements, previous: PreviousSelection) -> Decision | None:
        files = self._file_market()
        catalogue, guessed = files.catalogue()
        known = {n: t for n, t in catalogue.items() if n not in set(guessed)}
        advisor = files.advisor(req.region) if req.region in files.advisor_regions() else None
        return held_decision(req, previous, known, advisor)

    def create(self, props: dict[str, Any]) -> CreateResult:
        req = parse_requirements(input_props(props))
        evaluation = evaluate(req, files=self._files, source=self._source(req))
        return CreateResult(f"spot-{uuid.uuid4().hex[:16]}", {**req.to_inputs(), **evaluation.outputs})

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        req = parse_requirements(input_props(news))
        previous = PreviousSelection.from_outputs(olds)
        evaluation = evaluate(
            req,
            files=self._files,
            source=self._source(req),
            previous=previous,
            previous_outputs=olds if previous is not None else None,
        )
        return UpdateResult({**req.to_inputs(), **evaluation.outputs})

    def offline_create(self, props: dict[str, Any]) -> dict[str, Any]:
        """What `create` would answer, from the bundled data only (no AWS calls, no side effects)."""
        req = parse_requirements(input_props(props))
        evaluation = evaluate(req, files=self._files, source=None)
        return {**req.to_inputs(), **evaluation.outputs}
