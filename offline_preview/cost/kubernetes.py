"""Pricers for Kubernetes objects that create AWS resources (volumes, load balancers) and for
the cluster add-ons that bill through CloudWatch."""

from __future__ import annotations

import json
import re
from typing import Any

from ..capture import CapturedResource
from .context import NOT_PRICED, Context, Priced, Pricer, num, rate

_QUANTITY = re.compile(r"^(\d+(?:\.\d+)?)([KMGTE]i?)?$")


_UNIT_BYTES = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}


def _gib(quantity: Any) -> float | None:
    """A Kubernetes storage quantity ("10Gi", "500M") in GiB."""
    m = _QUANTITY.match(str(quantity or ""))
    if not m:
        return None
    return float(m.group(1)) * _UNIT_BYTES.get(m.group(2) or "", 1) / 2**30


def _pvc(r: CapturedResource, c: Context) -> Priced:
    size = _gib((((r.inputs.get("spec") or {}).get("resources") or {}).get("requests") or {}).get("storage"))
    if size is None:
        return Priced(0.0, f"{NOT_PRICED}: storage request not readable", priced=False)
    gb = c.p("ebs.gp3.gbMonth")
    return Priced(size * gb, f"EBS volume {size:g} GiB x {rate(gb)}/GB-month (gp3 storage class assumed)")


def _statefulset(r: CapturedResource, c: Context) -> Priced:
    spec = r.inputs.get("spec") or {}
    templates = [t for t in spec.get("volumeClaimTemplates") or [] if isinstance(t, dict)]
    if not templates:
        return Priced(0.0, "free: runs on the cluster's nodes")
    replicas = num(spec.get("replicas"), 1.0) or 1.0
    sizes = [
        _gib((((t.get("spec") or {}).get("resources") or {}).get("requests") or {}).get("storage")) for t in templates
    ]
    total = sum(s for s in sizes if s is not None)
    gb = c.p("ebs.gp3.gbMonth")
    return Priced(
        replicas * total * gb, f"{replicas:g} replicas x {total:g} GiB volumes x {rate(gb)}/GB-month (gp3 assumed)"
    )


def _helm_volumes_gib(values: Any) -> list[float]:
    """Sizes of the volumes a chart's values ask for: `volumeClaimTemplate`s (Prometheus
    operator style) and enabled `persistence` blocks (Grafana, Bitnami style)."""
    found: list[float] = []
    if isinstance(values, dict):
        template = values.get("volumeClaimTemplate")
        if isinstance(template, dict):
            size = _gib((((template.get("spec") or {}).get("resources") or {}).get("requests") or {}).get("storage"))
            if size:
                found.append(size)
        persistence = values.get("persistence")
        if isinstance(persistence, dict) and persistence.get("enabled") and _gib(persistence.get("size")):
            found.append(_gib(persistence.get("size")) or 0.0)
        for key, value in values.items():
            if key not in ("volumeClaimTemplate", "persistence"):
                found += _helm_volumes_gib(value)
    elif isinstance(values, list):
        for item in values:
            found += _helm_volumes_gib(item)
    return found


def _helm_release(r: CapturedResource, c: Context) -> Priced:
    """A Helm release runs on the nodes; what it costs on its own is the EBS volumes its values
    request (one replica each assumed)."""
    sizes = _helm_volumes_gib(r.inputs.get("values") or {})
    if not sizes:
        return Priced(0.0, "free: runs on the cluster's nodes (no persistent volumes in its values)")
    gb = c.p("ebs.gp3.gbMonth")
    total = sum(sizes)
    return Priced(
        total * gb,
        f"{len(sizes)} volume(s), {total:g} GiB x {rate(gb)}/GB-month (gp3, one replica each); pods run on the nodes",
    )


def _k8s_service(r: CapturedResource, c: Context) -> Priced:
    spec = r.inputs.get("spec") or {}
    if spec.get("type") != "LoadBalancer":
        return Priced(0.0, "free: in-cluster service")
    annotations = json.dumps((r.inputs.get("metadata") or {}).get("annotations") or {})
    if "nlb" in annotations or "external" in annotations:
        hour = c.p("nlb.hour")
        return Priced(hour * c.hours, f"NLB {rate(hour)}/h x {c.hours:g} h (capacity units not included)")
    hour = c.p("clb.hour")
    return Priced(hour * c.hours, f"Classic Load Balancer {rate(hour)}/h x {c.hours:g} h (data not included)")


def container_insights(free: str) -> Priced:
    """Container Insights bills per observation (enhanced) or per metric and log ingestion; the
    price table has neither, so the line says so instead of calling it free (as the NLB's capacity
    units or CloudTrail Insights are named "not included")."""
    return Priced(0.0, f"{free}; Container Insights observations not included (billed by CloudWatch)")


def _eks_addon(r: CapturedResource, c: Context) -> Priced:
    if r.inputs.get("addonName") == "amazon-cloudwatch-observability":
        return container_insights("the add-on has no charge of its own")
    return Priced(0.0, "free: EKS add-ons have no charge of their own (pods run on the nodes)")


PRICERS: dict[str, Pricer] = {
    "aws:eks/addon:Addon": _eks_addon,
    "kubernetes:core/v1:PersistentVolumeClaim": _pvc,
    "kubernetes:apps/v1:StatefulSet": _statefulset,
    "kubernetes:core/v1:Service": _k8s_service,
    "kubernetes:helm.sh/v3:Release": _helm_release,
}
