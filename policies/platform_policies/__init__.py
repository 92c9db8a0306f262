"""The platform's CrossGuard policy pack: rules by category, built from `registry` metadata.

Import `POLICIES` (the list `PolicyPack` takes) and `REGISTRY` (metadata for the catalog). The
pack judges any pulumi-aws 7 / pulumi-eks / pulumi-kubernetes program; it imports nothing from
the repository it lives in.
"""

from __future__ import annotations

from . import (
    audit_logging,
    credentials,
    data_protection,
    data_services,
    encryption_at_rest,
    encryption_in_transit,
    exposure,
    governance,
    kubernetes,
    least_privilege,
    resilience,
    s3_exposure,
    serverless_edge,
    tagging_cost,
    workload_hardening,
)
from .registry import CATEGORIES, REGISTRY, Controls, PolicyInfo, foreign_initial_config

PACK_NAME = "aws-platform-guardrails"

POLICIES = [
    *encryption_at_rest.POLICIES,
    *encryption_in_transit.POLICIES,
    *least_privilege.POLICIES,
    *s3_exposure.POLICIES,
    *exposure.POLICIES,
    *workload_hardening.POLICIES,
    *kubernetes.POLICIES,
    *audit_logging.POLICIES,
    *data_protection.POLICIES,
    *resilience.POLICIES,
    *tagging_cost.POLICIES,
    *data_services.POLICIES,
    *serverless_edge.POLICIES,
    *governance.POLICIES,
    *credentials.POLICIES,
]

# Metadata in pack order (modules register on import, in dependency order).
_ORDER = {p.name: i for i, p in enumerate(POLICIES)}
REGISTRY.sort(key=lambda info: _ORDER[info.name])

__all__ = ["CATEGORIES", "PACK_NAME", "POLICIES", "REGISTRY", "Controls", "PolicyInfo", "foreign_initial_config"]
