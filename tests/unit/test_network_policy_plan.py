"""NetworkPolicies from flows, and the reader that says what a set of policies lets through."""

from __future__ import annotations

import pytest

from secure_platform.compute.eks import plan as eks_plan
from secure_platform.compute.eks.network_policy_plan import (
    ANY_PORT,
    Cidrs,
    Edge,
    Flow,
    PlanError,
    Pods,
    allowed_edges,
    dangling_rules,
    describe_edges,
    flow_edges,
    network_policies,
    peer_keys,
)

NS = "app"
A, B, C = Pods.app("a", NS), Pods.app("b", NS), Pods.app("c", NS)
OUTSIDE = Pods("other/x", "other", (("app.kubernetes.io/name", "x"),))
NET = Cidrs("net", ("10.9.0.0/24", "10.9.1.0/24"))
POD_CIDRS = ["10.0.0.0/22"]


def key(p: Pods) -> tuple[str, ...]:
    return peer_keys(p)[0]


def layout(cache: eks_plan.CacheMode) -> eks_plan.FlowLayout:
    return eks_plan.FlowLayout(
        alb_cidrs=("10.0.48.0/24", "10.0.49.0/24", "10.0.50.0/24"),
        database_cidrs=("10.0.52.0/24", "10.0.53.0/24", "10.0.54.0/24"),
        database_port=5432,
        cache=cache,
    )


@pytest.mark.parametrize("cache", ["in-cluster", "elasticache", "none"])
def test_policies_allow_exactly_the_documented_flows(cache):
    lay = layout(cache)
    flows = eks_plan.documented_flows(lay)
    pods = eks_plan.policed_workloads(lay)
    policies = network_policies(NS, pods, flows)
    got = allowed_edges(policies, pods, pod_cidrs=["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"])
    peers = [f.source for f in flows] + [f.destination for f in flows]
    assert describe_edges(got - flow_edges(flows), peers) == []
    assert describe_edges(flow_edges(flows) - got, peers) == []
    assert dangling_rules(policies, pods) == []


def test_documented_flows_are_the_seed_chain_and_nothing_skips_a_tier():
    flows = eks_plan.documented_flows(layout("in-cluster"))
    pairs = {(f.source.name, f.destination.name, f.port) for f in flows}
    assert ("frontend", "api-gateway", 3001) in pairs
    assert ("api-gateway", "backend", eks_plan.BACKEND_PORT) in pairs
    assert ("backend", "redis", 6379) in pairs
    assert ("backend", "database", 5432) in pairs
    # nothing reaches the backend but the api-gateway and Prometheus; only the backend reaches data
    assert {s for s, d, _ in pairs if d == "backend"} == {"api-gateway", "monitoring/prometheus"}
    assert {s for s, d, _ in pairs if d in ("redis", "database")} == {"backend"}
    assert not [p for p in pairs if p[0] == "alb" and p[1] == "backend"]


def test_default_deny_selects_every_pod_in_both_directions():
    policies = network_policies(NS, [A], [Flow(A, NET, 443)])
    deny = policies[0]
    assert deny["spec"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    # a pod without its own policy is still denied everything
    assert allowed_edges(policies, [A, B]) == {
        Edge(key(A), peer_keys(NET)[0], 443, "TCP"),
        Edge(key(A), peer_keys(NET)[1], 443, "TCP"),
    }


def test_pod_to_pod_needs_both_egress_and_ingress():
    egress_only = {
        "metadata": {"name": "a", "namespace": NS},
        "spec": {
            "podSelector": {"matchLabels": A.label_map},
            "policyTypes": ["Egress"],
            "egress": [{"to": [{"podSelector": {"matchLabels": B.label_map}}], "ports": [{"port": 80}]}],
        },
    }
    deny_b = {"metadata": {"name": "b", "namespace": NS}, "spec": {"podSelector": {}, "policyTypes": ["Ingress"]}}
    assert allowed_edges([egress_only], [A, B]) == {Edge(key(A), key(B), 80, "TCP")}  # b unrestricted
    assert allowed_edges([egress_only, deny_b], [A, B]) == set()
    assert dangling_rules([egress_only, deny_b], [A, B]) == ["egress rule of a: a -> b:80/TCP"]


def test_rules_without_peers_or_ports_open_everything_and_say_so():
    wide = {
        "metadata": {"name": "wide", "namespace": NS},
        "spec": {"podSelector": {"matchLabels": A.label_map}, "policyTypes": ["Ingress"], "ingress": [{}]},
    }
    edges = allowed_edges([wide], [A])
    assert Edge(("any",), key(A), ANY_PORT, "TCP") in edges


def test_other_namespaces_are_selected_by_name_and_keyed_apart():
    policies = network_policies(NS, [A], [Flow(OUTSIDE, A, 9090)])
    rule = policies[1]["spec"]["ingress"][0]
    assert rule["from"] == [
        {
            "podSelector": {"matchLabels": {"app.kubernetes.io/name": "x"}},
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "other"}},
        }
    ]
    assert allowed_edges(policies, [A]) == {Edge(key(OUTSIDE), key(A), 9090, "TCP")}


def test_an_ip_block_over_the_pod_network_reaches_pods_that_admit_it():
    to_world = Flow(A, Cidrs("world", ("0.0.0.0/0",)), 443)
    b_admits_a = Flow(A, B, 443)
    policies = network_policies(NS, [A, B], [to_world, Flow(C, B, 443)])
    # b admits only c on 443: a's 0.0.0.0/0 egress does not open b
    assert Edge(key(A), key(B), 443, "TCP") not in allowed_edges(policies, [A, B, C], pod_cidrs=POD_CIDRS)
    policies = network_policies(NS, [A, B], [to_world, b_admits_a])
    assert Edge(key(A), key(B), 443, "TCP") in allowed_edges(policies, [A, B], pod_cidrs=POD_CIDRS)


def test_policy_types_default_as_the_api_server_does():
    only_egress_key = {
        "metadata": {"name": "x", "namespace": NS},
        "spec": {"podSelector": {}, "egress": [{"to": [{"ipBlock": {"cidr": "10.9.0.0/24"}}], "ports": [{"port": 1}]}]},
    }
    edges = allowed_edges([only_egress_key], [A])
    # Ingress (always defaulted) with no rules: nothing in; Egress (defaulted because `egress` is set)
    assert edges == {Edge(key(A), ("cidr", "10.9.0.0/24"), 1, "TCP")}


def test_unreadable_policies_and_impossible_flows_are_errors():
    named = {
        "metadata": {"name": "n", "namespace": NS},
        "spec": {"podSelector": {}, "ingress": [{"ports": [{"port": "http"}]}]},
    }
    with pytest.raises(PlanError, match="named ports"):
        allowed_edges([named], [A])
    with pytest.raises(PlanError, match="touches no workload"):
        network_policies(NS, [A], [Flow(OUTSIDE, NET, 80)])
    with pytest.raises(PlanError, match="namespace"):
        network_policies(NS, [OUTSIDE], [])
    with pytest.raises(ValueError):
        Cidrs("bad", ("10.0.0.0/33",))
