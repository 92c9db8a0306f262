"""Spot capacity selection: which instance types (and AZs) a spot node group should use.

`SpotInstanceSelection` (a `pulumi.dynamic` resource) and `python -m secure_platform.spot recommend`
share one engine: filters, a price forecast from the spot price history, risk-adjusted ranking,
diversification within one node shape, and a no-churn rule. See README.md in this directory.

Importing this package defines things only (no file reads, no AWS calls, no resources): the
dynamic-provider host imports it to unpickle the provider.
"""

from .churn import Decision, PreviousSelection
from .filters import EmptySelectionError
from .market import MarketDataError
from .provider import SpotSelectionProvider
from .requirements import RequirementsError, SpotRequirements, parse_requirements
from .resource import SpotInstanceSelection, SpotInstanceSelectionArgs, SpotSelectionInputError

__all__ = [
    "Decision",
    "EmptySelectionError",
    "MarketDataError",
    "PreviousSelection",
    "RequirementsError",
    "SpotInstanceSelection",
    "SpotInstanceSelectionArgs",
    "SpotRequirements",
    "SpotSelectionInputError",
    "SpotSelectionProvider",
    "parse_requirements",
]
