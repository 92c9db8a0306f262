"""pulumi-eks's Cluster (a remote component) runs offline and registers its camelCase inputs.

(The mocks used to return `eksCluster`/`core` as plain objects; the SDK types them as resources
and failed every program that created an eks.Cluster.)"""

from __future__ import annotations

from pathlib import Path

import pulumi
import pulumi_eks as eks

from offline_preview import run_program


def test_eks_cluster_runs_offline_with_its_inputs(tmp_path: Path) -> None:
    def program() -> None:
        cluster = eks.Cluster("c", skip_default_node_group=True, endpoint_public_access=False)
        pulumi.export("oidc", cluster.oidc_provider_url)

    cap = run_program(tmp_path, "test", config={"aws:region": "us-east-1"}, program=program)
    [cluster] = cap.of_type("eks:index:Cluster")
    assert cluster.remote and cluster.inputs["endpointPublicAccess"] is False
    assert cluster.inputs["skipDefaultNodeGroup"] is True
    assert str(cap.outputs["oidc"]).startswith("oidc.eks.us-east-1.amazonaws.com/id/")
