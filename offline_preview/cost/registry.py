"""Every pricer by resource type: one table assembled from the per-concern modules."""

from __future__ import annotations

from . import compute, data_stores, ecs, kubernetes, network, operations
from .context import Pricer

PRICERS: dict[str, Pricer] = {
    **network.PRICERS,
    **compute.PRICERS,
    **ecs.PRICERS,
    **data_stores.PRICERS,
    **operations.PRICERS,
    **kubernetes.PRICERS,
}
