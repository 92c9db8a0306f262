"""Pricers for analytics and streaming clusters: Redshift (provisioned and Serverless), OpenSearch
Service domains and MSK (provisioned and Serverless)."""

from __future__ import annotations

from ..capture import CapturedResource
from .context import NOT_PRICED, Context, Priced, Pricer, num, rate


def _redshift_cluster(r: CapturedResource, c: Context) -> Priced:
    node = str(r.inputs.get("nodeType") or "")
    hour = c.prices.hourly("redshift.nodeHour", node)
    if hour is None:
        return Priced(0.0, f"{NOT_PRICED}: node type {node or '?'} not in the Redshift table", priced=False)
    # A single-node cluster has numberOfNodes 1 (the provider's default); clusterType multi-node needs >= 2.
    nodes = num(r.inputs.get("numberOfNodes"), 1.0) or 1.0
    usage: tuple[str, ...] = ()
    basis = f"{nodes:g} x {node} {rate(hour)}/h x {c.hours:g} h"
    if node.startswith("ra3."):
        usage = (f"{rate(c.p('redshift.managedStorageGbMonth'))} per GB-month of managed storage",)
    else:
        basis += " (local storage included)"
    return Priced(nodes * hour * c.hours, basis, usage=usage)


def _redshift_workgroup(r: CapturedResource, c: Context) -> Priced:
    base = num(r.inputs.get("baseCapacity"), 128.0) or 128.0
    return Priced(
        0.0,
        f"billed by use: Serverless workgroup (base capacity {base:g} RPU while queries run)",
        usage=(
            f"{rate(c.p('redshift.serverlessRpuHour'))} per RPU-hour used",
            f"{rate(c.p('redshift.managedStorageGbMonth'))} per GB-month of managed storage",
        ),
    )


def _search_instance(kind: str) -> str:
    """The OpenSearch price-list name of an instance type. The legacy Elasticsearch API names the
    same instances with an `.elasticsearch` suffix where OpenSearch writes `.search`
    (`t3.small.elasticsearch` is `t3.small.search`, billed alike; the provider's opensearch.Domain
    documentation, "Elasticsearch vs. OpenSearch")."""
    legacy = ".elasticsearch"
    return kind[: -len(legacy)] + ".search" if kind.endswith(legacy) else kind


def _opensearch_domain(r: CapturedResource, c: Context) -> Priced:
    cluster = r.inputs.get("clusterConfig") or {}
    itype = str(cluster.get("instanceType") or "")
    if not itype:
        return Priced(0.0, f"{NOT_PRICED}: clusterConfig.instanceType not set (AWS picks the default)", priced=False)
    count = num(cluster.get("instanceCount"), 1.0) or 1.0
    parts: list[tuple[float, str, float]] = [(count, itype, 0.0)]
    if cluster.get("dedicatedMasterEnabled"):
        parts.append(
            (
                num(cluster.get("dedicatedMasterCount"), 3.0) or 3.0,
                str(cluster.get("dedicatedMasterType") or itype),
                0.0,
            )
        )
    if cluster.get("warmEnabled"):
        return Priced(0.0, f"{NOT_PRICED}: UltraWarm nodes are not in the OpenSearch table", priced=False)
    monthly, text = 0.0, []
    for n, kind, _ in parts:
        hour = c.prices.hourly("opensearch.instanceHour", _search_instance(kind))
        if hour is None:
            return Priced(0.0, f"{NOT_PRICED}: instance type {kind} not in the OpenSearch table", priced=False)
        monthly += n * hour * c.hours
        text.append(f"{n:g} x {kind} {rate(hour)}/h")
    basis = " + ".join(text) + f" x {c.hours:g} h"
    ebs = r.inputs.get("ebsOptions") or {}
    if ebs.get("ebsEnabled", True) and num(ebs.get("volumeSize")):
        size = num(ebs.get("volumeSize"), 0.0) or 0.0
        gp2 = str(ebs.get("volumeType") or "gp3") == "gp2"
        per = c.p("opensearch.gp2GbMonth" if gp2 else "opensearch.gp3GbMonth")
        monthly += count * size * per
        basis += f" + {count:g} x {size:g} GB {'gp2' if gp2 else 'gp3'} x {rate(per)}/GB-month"
    return Priced(monthly, basis)


def _opensearch_collection(r: CapturedResource, c: Context) -> Priced:
    return Priced(
        0.0,
        "billed by use: Serverless collection (OCUs scale with load; the account's minimum OCUs not applied)",
        usage=(f"{rate(c.p('opensearch.serverlessOcuHour'))} per OCU-hour",),
    )


def _msk_cluster(r: CapturedResource, c: Context) -> Priced:
    group = r.inputs.get("brokerNodeGroupInfo") or {}
    itype = str(group.get("instanceType") or "")
    brokers = num(r.inputs.get("numberOfBrokerNodes"), 0.0) or 0.0
    hour = c.prices.hourly("msk.brokerHour", itype)
    if hour is None:
        return Priced(0.0, f"{NOT_PRICED}: broker type {itype or '?'} not in the MSK table", priced=False)
    storage = ((group.get("storageInfo") or {}).get("ebsStorageInfo") or {}).get("volumeSize")
    # Without ebsStorageInfo.volumeSize, MSK gives each broker 1,000 GiB (the API's default).
    size = num(storage, 1000.0) or 0.0
    per = c.p("msk.storageGbMonth")
    monthly = brokers * (hour * c.hours + size * per)
    default = "" if storage is not None else " (default size)"
    return Priced(
        monthly,
        f"{brokers:g} brokers x ({itype} {rate(hour)}/h x {c.hours:g} h + {size:g} GB{default} x {rate(per)}/GB-month)",
    )


def _msk_serverless(r: CapturedResource, c: Context) -> Priced:
    hour = c.p("msk.serverlessClusterHour")
    return Priced(
        hour * c.hours,
        f"Serverless cluster {rate(hour)}/h x {c.hours:g} h",
        usage=(
            f"{rate(c.p('msk.serverlessPartitionHour'))} per partition-hour",
            f"{rate(c.p('msk.serverlessIngestGb'))} per GB written",
        ),
    )


PRICERS: dict[str, Pricer] = {
    "aws:redshift/cluster:Cluster": _redshift_cluster,
    "aws:redshiftserverless/workgroup:Workgroup": _redshift_workgroup,
    "aws:opensearch/domain:Domain": _opensearch_domain,
    "aws:elasticsearch/domain:Domain": _opensearch_domain,
    "aws:opensearch/serverlessCollection:ServerlessCollection": _opensearch_collection,
    "aws:msk/cluster:Cluster": _msk_cluster,
    "aws:msk/serverlessCluster:ServerlessCluster": _msk_serverless,
}
