"""Kubernetes NetworkPolicies from a table of allowed flows, and back (pure).

`network_policies` turns flows ("frontend may reach api-gateway on TCP 3001") into a default-deny
policy plus one policy per workload whose rules are exactly the flows it takes part in.
`allowed_edges` reads any set of NetworkPolicy manifests the way the enforcing CNI does and
returns the connections they let through, so a test can compare what the policies *do* with the
documented table instead of re-reading the code that wrote them.

Semantics implemented (Kubernetes `networking.k8s.io/v1`): a pod selected by at least one policy
with `Ingress` (`Egress`) in its `policyTypes` only accepts (opens) what some rule of those
policies allows; pods no policy selects are unrestricted in that direction; a connection between
two pods needs both the source's egress and the destination's ingress. A rule without `from`/`to`
matches every peer and one without `ports` every port. Named ports are not used here (and are
refused when read) so that every rule can be checked offline.
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

POD_NAME_LABEL = "app.kubernetes.io/name"
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"
"""Set by the API server on every namespace (since 1.22): selects a namespace by name."""
ANY_PORT = 0
"""Stands for "every port" in an edge (a rule without `ports`)."""

Protocol = Literal["TCP", "UDP"]


class PlanError(ValueError):
    """A flow table or a policy this module cannot express or read faithfully."""


@dataclass(frozen=True)
class Pods:
    """Pods selected by labels in one namespace."""

    name: str
    """How reports name them, e.g. `backend` or `monitoring/prometheus`."""
    namespace: str
    labels: tuple[tuple[str, str], ...]

    @classmethod
    def app(cls, name: str, namespace: str, *, display: str | None = None, label: str = POD_NAME_LABEL) -> Pods:
        return cls(display or name, namespace, ((label, name),))

    @property
    def label_map(self) -> dict[str, str]:
        return dict(self.labels)


@dataclass(frozen=True)
class Cidrs:
    """Addresses outside the pod network (load balancer subnets, database subnets, the internet)."""

    name: str
    cidrs: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.cidrs:
            raise PlanError(f"peer {self.name!r} has no CIDRs")
        for cidr in self.cidrs:
            ipaddress.ip_network(cidr)  # raises ValueError naming the bad CIDR


Peer = Pods | Cidrs


@dataclass(frozen=True)
class Flow:
    source: Peer
    destination: Peer
    port: int
    protocol: Protocol = "TCP"
    why: str = ""


class Edge(NamedTuple):
    """One allowed connection: canonical keys of its ends (see `peer_keys`), port and protocol."""

    source: tuple[str, ...]
    destination: tuple[str, ...]
    port: int
    protocol: str


# --- flows -> manifests --------------------------------------------------------------------------


def peer_keys(peer: Peer) -> list[tuple[str, ...]]:
    """Canonical keys: `("pods", namespace, "k=v", ...)`, or one `("cidr", cidr)` per CIDR."""
    if isinstance(peer, Pods):
        return [("pods", peer.namespace, *sorted(f"{k}={v}" for k, v in peer.labels))]
    return [("cidr", str(ipaddress.ip_network(c))) for c in peer.cidrs]


def network_policy_peers(peer: Peer, namespace: str) -> list[dict[str, Any]]:
    """`from`/`to` entries selecting `peer` from a policy in `namespace`."""
    if isinstance(peer, Cidrs):
        return [{"ipBlock": {"cidr": str(ipaddress.ip_network(c))}} for c in peer.cidrs]
    entry: dict[str, Any] = {"podSelector": {"matchLabels": peer.label_map}}
    if peer.namespace != namespace:
        entry["namespaceSelector"] = {"matchLabels": {NAMESPACE_NAME_LABEL: peer.namespace}}
    return [entry]


def _rules(flows: Iterable[Flow], direction: Literal["from", "to"], namespace: str) -> list[dict[str, Any]]:
    """One rule per (port, protocol), listing every peer allowed on it (stable order)."""
    by_port: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    for flow in flows:
        peer = flow.source if direction == "from" else flow.destination
        for entry in network_policy_peers(peer, namespace):
            if entry not in by_port[(flow.port, flow.protocol)]:
                by_port[(flow.port, flow.protocol)].append(entry)
    return [
        {direction: peers, "ports": [{"port": port, "protocol": protocol}]}
        for (port, protocol), peers in sorted(by_port.items())
    ]


def network_policies(
    namespace: str,
    workloads: Sequence[Pods],
    flows: Sequence[Flow],
    *,
    labels: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """A default-deny policy for every pod of `namespace`, then one policy per workload allowing
    exactly its flows (ingress where it is the destination, egress where it is the source)."""
    names = [w.name for w in workloads]
    if len(set(names)) != len(names):
        raise PlanError(f"workload names repeat: {names}")
    for w in workloads:
        if w.namespace != namespace:
            raise PlanError(f"workload {w.name!r} is in namespace {w.namespace!r}, not {namespace!r}")
    policed = set(workloads)
    for flow in flows:
        if flow.source not in policed and flow.destination not in policed:
            raise PlanError(
                f"flow {flow.source.name} -> {flow.destination.name}:{flow.port} touches no workload of {namespace!r}"
            )
        if not 0 < flow.port < 65536:
            raise PlanError(f"flow {flow.source.name} -> {flow.destination.name} has port {flow.port}")
    meta_labels = dict(labels or {})
    out: list[dict[str, Any]] = [
        {
            "metadata": {"name": "default-deny-all", "namespace": namespace, "labels": meta_labels},
            "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
        }
    ]
    for w in workloads:
        ingress = _rules([f for f in flows if f.destination == w], "from", namespace)
        egress = _rules([f for f in flows if f.source == w], "to", namespace)
        out.append(
            {
                "metadata": {"name": f"{w.name}-flows", "namespace": namespace, "labels": meta_labels},
                "spec": {
                    "podSelector": {"matchLabels": w.label_map},
                    "policyTypes": ["Ingress", "Egress"],
                    "ingress": ingress,
                    "egress": egress,
                },
            }
        )
    return out


# --- manifests -> edges --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rule:
    peers: tuple[dict[str, Any], ...] | None
    """None: every peer."""
    ports: tuple[tuple[int, str], ...] | None
    """None: every port."""


@dataclass(frozen=True)
class _Policy:
    namespace: str
    selector: dict[str, str]
    ingress: tuple[_Rule, ...] | None
    """None: the policy does not restrict ingress."""
    egress: tuple[_Rule, ...] | None


def _labels_of_selector(selector: Any, where: str) -> dict[str, str]:
    selector = selector or {}
    if selector.get("matchExpressions"):
        raise PlanError(f"{where}: matchExpressions are not supported by this reader")
    return {str(k): str(v) for k, v in (selector.get("matchLabels") or {}).items()}


def _parse_rules(raw: Any, key: str, where: str) -> tuple[_Rule, ...]:
    rules: list[_Rule] = []
    for i, rule in enumerate(raw or []):
        peers = rule.get(key)
        ports_raw = rule.get("ports")
        ports: tuple[tuple[int, str], ...] | None = None
        if ports_raw:
            parsed: list[tuple[int, str]] = []
            for p in ports_raw:
                port = p.get("port")
                if port is None:
                    parsed.append((ANY_PORT, str(p.get("protocol", "TCP"))))
                    continue
                if isinstance(port, str) or p.get("endPort") is not None:
                    raise PlanError(f"{where} rule #{i + 1}: named ports and port ranges are not supported")
                parsed.append((int(port), str(p.get("protocol", "TCP"))))
            ports = tuple(parsed)
        rules.append(_Rule(tuple(peers) if peers else None, ports))
    return tuple(rules)


def _parse(policy: Mapping[str, Any]) -> _Policy:
    meta = policy.get("metadata") or {}
    spec = policy.get("spec") or {}
    namespace = str(meta.get("namespace") or "default")
    where = f"NetworkPolicy {namespace}/{meta.get('name', '?')}"
    types = spec.get("policyTypes")
    if types is None:  # the API server's defaulting
        types = ["Ingress", *(["Egress"] if "egress" in spec else [])]
    return _Policy(
        namespace=namespace,
        selector=_labels_of_selector(spec.get("podSelector"), where),
        ingress=_parse_rules(spec.get("ingress"), "from", where) if "Ingress" in types else None,
        egress=_parse_rules(spec.get("egress"), "to", where) if "Egress" in types else None,
    )


def _selects(selector: Mapping[str, str], labels: Mapping[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in selector.items())


def _peer_matches_pods(entry: Mapping[str, Any], policy_ns: str, pods: Pods, pod_cidrs: Sequence[str]) -> bool:
    if "ipBlock" in entry:
        return _block_covers_pods(entry["ipBlock"], pod_cidrs)
    ns_selector = entry.get("namespaceSelector")
    if ns_selector is None:
        if pods.namespace != policy_ns:
            return False
    elif not _selects(_labels_of_selector(ns_selector, "namespaceSelector"), {NAMESPACE_NAME_LABEL: pods.namespace}):
        return False
    pod_selector = entry.get("podSelector")
    return pod_selector is None or _selects(_labels_of_selector(pod_selector, "podSelector"), pods.label_map)


def _block_covers_pods(block: Mapping[str, Any], pod_cidrs: Sequence[str]) -> bool:
    """An ipBlock reaches pods when it overlaps the pod network outside its `except` ranges."""
    net_block = ipaddress.ip_network(str(block["cidr"]))
    excluded = [ipaddress.ip_network(str(e)) for e in block.get("except") or []]
    for cidr in pod_cidrs:
        pods = ipaddress.ip_network(cidr)
        if pods.version != net_block.version or not pods.overlaps(net_block):
            continue
        if not any(_within(pods, ex) for ex in excluded):
            return True
    return False


def _within(
    inner: ipaddress.IPv4Network | ipaddress.IPv6Network, outer: ipaddress.IPv4Network | ipaddress.IPv6Network
) -> bool:
    if isinstance(inner, ipaddress.IPv4Network) and isinstance(outer, ipaddress.IPv4Network):
        return inner.subnet_of(outer)
    if isinstance(inner, ipaddress.IPv6Network) and isinstance(outer, ipaddress.IPv6Network):
        return inner.subnet_of(outer)
    return False


def _entry_key(entry: Mapping[str, Any], policy_ns: str) -> tuple[str, ...]:
    if "ipBlock" in entry:
        block = entry["ipBlock"]
        key = ("cidr", str(ipaddress.ip_network(str(block["cidr"]))))
        excepts = tuple(sorted(str(e) for e in block.get("except") or []))
        return key + (("except", *excepts) if excepts else ())
    ns_sel = entry.get("namespaceSelector")
    if ns_sel is None:
        namespace = policy_ns
    else:
        ns_labels = _labels_of_selector(ns_sel, "namespaceSelector")
        if not ns_labels:
            namespace = "*"
        elif set(ns_labels) == {NAMESPACE_NAME_LABEL}:
            namespace = ns_labels[NAMESPACE_NAME_LABEL]
        else:
            namespace = "ns:" + ",".join(sorted(f"{k}={v}" for k, v in ns_labels.items()))
    labels = _labels_of_selector(entry.get("podSelector"), "podSelector")
    return ("pods", namespace, *sorted(f"{k}={v}" for k, v in labels.items()))


def _port_allowed(rule: _Rule, port: int, protocol: str) -> bool:
    if rule.ports is None:
        return True
    return any(p in (port, ANY_PORT) and proto == protocol for p, proto in rule.ports)


def _rule_ports(rule: _Rule) -> list[tuple[int, str]]:
    return list(rule.ports) if rule.ports is not None else [(ANY_PORT, "TCP"), (ANY_PORT, "UDP")]


def allowed_edges(
    policies: Sequence[Mapping[str, Any]],
    workloads: Sequence[Pods],
    *,
    pod_cidrs: Sequence[str] = (),
) -> set[Edge]:
    """Connections the policies allow to or from `workloads` (the pods they police).

    Peers outside `workloads` appear by their key (`peer_keys`); a peer matching every source or
    destination is `("any",)`. `pod_cidrs` is the pod network, so that an `ipBlock` covering it
    (e.g. 0.0.0.0/0) is also read as reaching the policed pods, as the CNI enforces it by address.
    """
    parsed = [_parse(p) for p in policies]
    by_ns: dict[str, list[_Policy]] = defaultdict(list)
    for p in parsed:
        by_ns[p.namespace].append(p)

    def selected(pods: Pods, direction: str) -> list[tuple[_Policy, tuple[_Rule, ...]]]:
        out = []
        for p in by_ns.get(pods.namespace, []):
            rules = p.ingress if direction == "ingress" else p.egress
            if rules is not None and _selects(p.selector, pods.label_map):
                out.append((p, rules))
        return out

    def allows(pods: Pods, direction: str, other: Pods, port: int, protocol: str) -> bool:
        chosen = selected(pods, direction)
        if not chosen:
            return True
        for policy, rules in chosen:
            for rule in rules:
                if not _port_allowed(rule, port, protocol):
                    continue
                if rule.peers is None or any(
                    _peer_matches_pods(e, policy.namespace, other, pod_cidrs) for e in rule.peers
                ):
                    return True
        return False

    policed_keys = {w: peer_keys(w)[0] for w in workloads}
    edges: set[Edge] = set()
    for w in workloads:
        for direction in ("egress", "ingress"):
            for policy, rules in selected(w, direction):
                for rule in rules:
                    for port, protocol in _rule_ports(rule):
                        # other policed workloads this rule reaches: both ends must agree
                        for other in workloads:
                            reached = rule.peers is None or any(
                                _peer_matches_pods(e, policy.namespace, other, pod_cidrs) for e in rule.peers
                            )
                            if not reached:
                                continue
                            back = "ingress" if direction == "egress" else "egress"
                            if allows(other, back, w, port, protocol):
                                src, dst = (w, other) if direction == "egress" else (other, w)
                                edges.add(Edge(policed_keys[src], policed_keys[dst], port, protocol))
                        # peers outside the policed pods, by key
                        for entry in rule.peers or [None]:
                            if entry is None:
                                key: tuple[str, ...] = ("any",)
                            else:
                                key = _entry_key(entry, policy.namespace)
                                if key in policed_keys.values():
                                    continue
                            if direction == "egress":
                                edges.add(Edge(policed_keys[w], key, port, protocol))
                            else:
                                edges.add(Edge(key, policed_keys[w], port, protocol))
    return edges


def dangling_rules(
    policies: Sequence[Mapping[str, Any]], workloads: Sequence[Pods], *, pod_cidrs: Sequence[str] = ()
) -> list[str]:
    """Half-open rules between policed workloads: one side allows, the other does not (dead rules
    that suggest a missing flow or a typo in a selector)."""
    edges = allowed_edges(policies, workloads, pod_cidrs=pod_cidrs)
    keys = {peer_keys(w)[0]: w for w in workloads}
    out: list[str] = []
    for policy in (_parse(p) for p in policies):
        for w in workloads:
            if w.namespace != policy.namespace or not _selects(policy.selector, w.label_map):
                continue
            for direction, rules in (("egress", policy.egress), ("ingress", policy.ingress)):
                for rule in rules or ():
                    for entry in rule.peers or ():
                        key = _entry_key(entry, policy.namespace)
                        other = keys.get(key)
                        if other is None:
                            continue
                        for port, protocol in _rule_ports(rule):
                            src, dst = (w, other) if direction == "egress" else (other, w)
                            if Edge(peer_keys(src)[0], peer_keys(dst)[0], port, protocol) not in edges:
                                out.append(f"{direction} rule of {w.name}: {src.name} -> {dst.name}:{port}/{protocol}")
    return out


def flow_edges(flows: Iterable[Flow]) -> set[Edge]:
    """The edges a flow table documents (a peer with several CIDRs gives one edge per CIDR)."""
    return {
        Edge(src, dst, f.port, f.protocol)
        for f in flows
        for src in peer_keys(f.source)
        for dst in peer_keys(f.destination)
    }


def describe_edges(edges: Iterable[Edge], peers: Iterable[Peer]) -> list[str]:
    """Readable `source -> destination:port/protocol` lines (peers named from `peers`)."""
    names: dict[tuple[str, ...], str] = {}
    for peer in peers:
        keys = peer_keys(peer)
        for key in keys:
            names[key] = peer.name if len(keys) == 1 else f"{peer.name}[{key[1]}]"

    def name(key: tuple[str, ...]) -> str:
        return names.get(key, "/".join(key))

    return sorted(
        f"{name(e.source)} -> {name(e.destination)}:{'any' if e.port == ANY_PORT else e.port}/{e.protocol}"
        for e in edges
    )
