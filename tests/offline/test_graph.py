"""The component graph derived from a capture (inline program with three components)."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from offline_preview import run_program
from offline_preview.graph import component_graph, find_cycle, owner_map, to_mermaid


class _Box(pulumi.ComponentResource):
    def __init__(self, name: str, upstream: aws.s3.Bucket | None = None) -> None:
        super().__init__("test:index:Box", name)
        inner = pulumi.ComponentResource("test:index:Inner", f"{name}-inner", opts=pulumi.ResourceOptions(parent=self))
        self.bucket = aws.s3.Bucket(
            name,
            tags={"Upstream": upstream.bucket} if upstream is not None else None,
            opts=pulumi.ResourceOptions(parent=inner),
        )
        self.register_outputs({})


def _program() -> None:
    a = _Box("a")
    b = _Box("b", upstream=a.bucket)
    _Box("c", upstream=b.bucket)
    aws.s3.Bucket("loose")


def test_edges_follow_data_dependencies_through_nested_components(tmp_path):
    cap = run_program(tmp_path, "test", config={"aws:region": "us-east-1"}, program=_program)
    graph = component_graph(cap)
    assert graph == {"a": set(), "b": {"a"}, "c": {"b"}}
    owners = owner_map(cap)
    buckets = {r.name: r.urn for r in cap.of_type("aws:s3/bucket:Bucket")}
    assert owners[buckets["a"]] == "a" and owners[buckets["c"]] == "c"
    assert buckets["loose"] not in owners
    assert find_cycle(graph) is None
    assert find_cycle({"x": {"y"}, "y": {"x"}}) in (["x", "y", "x"], ["y", "x", "y"])
    mermaid = to_mermaid(graph, order=["a", "b", "c"])
    assert "a --> b" in mermaid and "b --> c" in mermaid and "a --> c" not in mermaid
