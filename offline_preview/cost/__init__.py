"""Monthly cost of a captured stack, from list prices and stated usage assumptions.

Pure estimation over a `Capture` (no Pulumi calls): one line per cloud resource with the arithmetic
that produced it (`basis`), sums per top-level component and per stack, the assumptions used and
where each price comes from (`data/aws-prices.json`: a source URL and a date beside every price).

What this is for: seeing in a pull request that a change adds a NAT gateway per AZ or doubles the
database, before anyone deploys it. It is an estimate of the steady-state bill of what the program
declares; it does not know real traffic, data transfer between services, free tiers of the account,
savings plans or reserved capacity. What it cannot price is said, never counted as $0: a type
without a price model is *unpriced* (listed with its count, and the total is a lower bound), and a
service billed only by use (requests, GB) is shown with its unit prices instead of a guessed total.

Layout: `prices` (the tables), `assumptions` (usage figures per environment), `context` (what a
pricer sees), one module of pricers per concern, `free` (types with no charge and why),
`registry` (type -> pricer) and `estimate` (the whole-capture estimate and its report section).
"""

from .assumptions import Assumption, Assumptions
from .compute import spot_price_from_selection
from .context import NOT_PRICED, Context, Priced, Pricer, usd
from .ecs import parse_cron, scheduled_floor, split_tasks
from .estimate import STACK_COMPONENT, CostEstimate, CostLine, component_names, estimate_cost
from .free import FREE_PREFIXES, FREE_TYPES
from .prices import PRICES_FILE, Price, PriceTable, default_prices
from .registry import PRICERS

__all__ = [
    "FREE_PREFIXES",
    "FREE_TYPES",
    "NOT_PRICED",
    "PRICERS",
    "PRICES_FILE",
    "STACK_COMPONENT",
    "Assumption",
    "Assumptions",
    "Context",
    "CostEstimate",
    "CostLine",
    "Price",
    "PriceTable",
    "Priced",
    "Pricer",
    "component_names",
    "default_prices",
    "estimate_cost",
    "parse_cron",
    "scheduled_floor",
    "split_tasks",
    "spot_price_from_selection",
    "usd",
]
