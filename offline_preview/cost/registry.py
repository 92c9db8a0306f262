"""Every pricer by resource type: one table assembled from the per-concern modules."""

from __future__ import annotations

from . import analytics, awsx, compute, data_stores, databases, ecs, kubernetes, network, operations, serverless
from .context import Pricer

PRICERS: dict[str, Pricer] = {
    **network.PRICERS,
    **compute.PRICERS,
    **ecs.PRICERS,
    **data_stores.PRICERS,
    **operations.PRICERS,
    **kubernetes.PRICERS,
    **databases.PRICERS,
    **serverless.PRICERS,
    **analytics.PRICERS,
    **awsx.PRICERS,
}
