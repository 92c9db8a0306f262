"""The dynamic provider behind `SpotInstanceSelection`.

The provider object is pickled (dill) into the resource's `__provider` input. Its class lives
here, in an importable module, so dill pickles it *by reference*: the provider host imports
`secure_platform.spot.provider` and finds the class. Importing this module therefore must not read
files, call AWS or create resources; it only defines things.

- `check` validates inputs (every problem at once, with key, value and what is allowed) and, on
  the bundled catalogue, says which filter would leave no instance type. No credentials needed.
- `diff` re-evaluates the market (with the new inputs) and reports a change only when the
  selection must change (see `churn.py`: this includes edits of region, typeCount or
  allowedAvailabilityZones); otherwise the previous outputs stay exactly as they were, and the
  engine records the new inputs. So an edit of `capacity` or a threshold alone previews as no
  change; the cost figures follow at the next update (`selectionInputs` shows what they assume).
- `create` / `update` select (update keeps the previous types unless `churn.decide` says not to).
- `offline_create` answers the offline preview (`offline_preview/dynamic.py`) with the same code
  on the bundled data only.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, DiffResult, ResourceProvider, UpdateResult
from pulumi.dynamic.dynamic import PROVIDER_KEY
from pulumi.runtime.rpc import UNKNOWN

from .churn import PreviousSelection
from .engine import OUTPUT_KEYS, evaluate
from .filters import EmptySelectionError, interruption_filters, run_filters, static_filters
from .market import FileMarket, MarketDataError, MarketSource
from .requirements import RequirementsError, SpotRequirements, parse_requirements

MarketFactory = Callable[[str], MarketSource]


def aws_market(region: str) -> MarketSource:
    from .aws import AwsMarket  # boto3 is imported only when AWS is really asked

    return AwsMarket(region)


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


def static_problems(req: SpotRequirements, files: FileMarket | None = None) -> EmptySelectionError | None:
    """Would the requirements leave no type, judged on the bundled catalogue and Spot Advisor data?"""
    files = files or FileMarket()
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

    def __init__(self, market_factory: MarketFactory | None = None) -> None:
        super().__init__()
        self._market_factory = market_factory

    def _source(self, req: SpotRequirements) -> MarketSource | None:
        if req.data_source != "aws":
            return None
        return (self._market_factory or aws_market)(req.region)

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
            empty = static_problems(req)
        except MarketDataError:
            empty = None  # the region is checked against live data at create time
        if empty is not None:
            return CheckResult(inputs, [CheckFailure(empty.key, f"(bundled catalogue) {empty}")])
        return CheckResult(req.to_inputs(), [])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        inputs = input_props(news)
        if _has_unknown(inputs):
            return DiffResult(changes=True)
        try:
            req = parse_requirements(inputs)
        except RequirementsError:
            return DiffResult(changes=True)
        previous = PreviousSelection.from_outputs(olds)
        if previous is None or not isinstance(olds.get("selectionInputs"), dict):
            return DiffResult(changes=True)
        # Any other input change is judged like a market move: the selection changes only when
        # `churn.decide` says so. Reporting a change would make the engine show the node group's
        # instance types as unknown in the preview, i.e. as a replacement that `up` would not do.
        try:
            evaluation = evaluate(req, source=self._source(req), previous=previous, previous_outputs=olds)
        except (EmptySelectionError, MarketDataError):
            return DiffResult(changes=False)  # nothing better to move to: keep what runs
        return DiffResult(changes=evaluation.decision.reselect)

    def create(self, props: dict[str, Any]) -> CreateResult:
        req = parse_requirements(input_props(props))
        evaluation = evaluate(req, source=self._source(req))
        return CreateResult(f"spot-{uuid.uuid4().hex[:16]}", {**req.to_inputs(), **evaluation.outputs})

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        req = parse_requirements(input_props(news))
        previous = PreviousSelection.from_outputs(olds)
        evaluation = evaluate(
            req,
            source=self._source(req),
            previous=previous,
            previous_outputs=olds if previous is not None else None,
        )
        return UpdateResult({**req.to_inputs(), **evaluation.outputs})

    def offline_create(self, props: dict[str, Any]) -> dict[str, Any]:
        """What `create` would answer, from the bundled data only (no AWS calls, no side effects)."""
        req = parse_requirements(input_props(props))
        evaluation = evaluate(req, source=None)
        return {**req.to_inputs(), **evaluation.outputs}
