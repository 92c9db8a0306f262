"""pulumi-eks's Cluster (a remote component) runs offline and registers its camelCase inputs.

(The mocks used to return `eksCluster`/`core` as plain objects; the SDK types them as resources
and failed every program that created an eks.Cluster.)"""

from __future__ import annotations

from pathlib import Path

import pulumi
import pulumi_aws as aws
import pulumi_eks as eks

from offline_preview import run_program
from offline_preview.capture import UNKNOWN


def test_eks_cluster_runs_offline_with_its_inputs(tmp_path: Path) -> None:
    def program() -> None:
        cluster = eks.Cluster("c", skip_default_node_group=True, endpoint_public_access=False)
        pulumi.export("oidc", cluster.oidc_provider_url)

    cap = run_program(tmp_path, "test", config={"aws:region": "us-east-1"}, program=program, mode="up")
    [cluster] = cap.of_type("eks:index:Cluster")
    assert cluster.remote and cluster.inputs["endpointPublicAccess"] is False
    assert cluster.inputs["skipDefaultNodeGroup"] is True
    assert str(cap.outputs["oidc"]).startswith("oidc.eks.us-east-1.amazonaws.com/id/")


def test_eks_cluster_output_is_a_resource_reference_with_the_clusters_state(tmp_path: Path) -> None:
    """`eksCluster` resolves to an `aws.eks.Cluster` whose state mirrors the component's inputs, and
    what is computed from it depends on the component (a data edge, not a copied string)."""

    def program() -> None:
        cluster = eks.Cluster(
            "c",
            name="named",
            version="1.34",
            skip_default_node_group=True,
            endpoint_private_access=True,
            endpoint_public_access=False,
            encryption_config_key_arn="arn:aws:kms:us-east-1:123456789012:key/k",
        )
        inner = cluster.eks_cluster
        aws.eks.Addon("coredns", cluster_name=inner.apply(lambda c: c.name), addon_name="coredns")
        pulumi.export("name", inner.apply(lambda c: c.name))
        pulumi.export("version", inner.apply(lambda c: c.version))
        pulumi.export("private", inner.apply(lambda c: c.vpc_config.endpoint_private_access))
        pulumi.export("keyArn", inner.apply(lambda c: c.encryption_config.provider.key_arn))
        pulumi.export("arn", inner.apply(lambda c: c.arn))

    cap = run_program(tmp_path, "test", config={"aws:region": "us-east-1"}, program=program, mode="up")
    assert cap.outputs["name"] == "named" and cap.outputs["version"] == "1.34"
    assert cap.outputs["private"] is True
    assert cap.outputs["keyArn"] == "arn:aws:kms:us-east-1:123456789012:key/k"
    assert cap.outputs["arn"] == "arn:aws:eks:us-east-1:123456789012:cluster/named"
    [cluster] = cap.of_type("eks:index:Cluster")
    [addon] = cap.of_type("aws:eks/addon:Addon")
    assert addon.inputs["clusterName"] == "named"
    assert cluster.urn in addon.property_dependencies["clusterName"]
    assert cap.of_type("aws:eks/cluster:Cluster") == []  # still one registration offline


def test_a_component_passed_as_an_input_runs_offline(tmp_path: Path) -> None:
    """`ManagedNodeGroup(cluster=<eks.Cluster>)`: the component reference reaches the capture as
    the cluster's URN, as the engine downgrades it for analyzers (it used to fail the program with
    "attached to a different loop")."""

    def program() -> None:
        role = aws.iam.Role("nodes", assume_role_policy="{}")
        cluster = eks.Cluster("c", skip_default_node_group=True, instance_roles=[role])
        eks.ManagedNodeGroup(
            "ng",
            cluster=cluster,
            node_role=role,
            scaling_config={"min_size": 1, "max_size": 2, "desired_size": 1},
        )

    cap = run_program(tmp_path, "test", config={"aws:region": "us-east-1"}, program=program)
    [cluster] = cap.of_type("eks:index:Cluster")
    [group] = cap.of_type("eks:index:ManagedNodeGroup")
    assert group.remote and group.inputs["cluster"] == cluster.urn
    [role] = cap.of_type("aws:iam/role:Role")
    # A custom resource arrives as its id: unknown in preview (the engine's sentinel), a value in up.
    assert role.id == "" and group.inputs["nodeRole"] == UNKNOWN
    up = run_program(tmp_path, "test", config={"aws:region": "us-east-1"}, program=program, mode="up")
    [role] = up.of_type("aws:iam/role:Role")
    assert up.of_type("eks:index:ManagedNodeGroup")[0].inputs["nodeRole"] == role.id != ""


def test_in_preview_the_modelled_cluster_knows_its_inputs_and_not_what_aws_computes(tmp_path: Path) -> None:
    """As `pulumi preview` shows a new cluster: the child `aws.eks.Cluster` exists with the
    component's inputs, its ARN, endpoint and OIDC issuer are unknown, and the component is marked
    as modelled (not one of the remote components left unexpanded)."""

    def program() -> None:
        cluster = eks.Cluster("c", name="named", skip_default_node_group=True)
        pulumi.export("name", cluster.eks_cluster.apply(lambda c: c.name))
        pulumi.export("arn", cluster.eks_cluster.apply(lambda c: c.arn))
        pulumi.export("oidc", cluster.oidc_provider_url)

    cap = run_program(tmp_path, "test", config={"aws:region": "us-east-1"}, program=program)
    assert cap.mode == "preview"
    assert cap.outputs["name"] == "named"
    assert cap.outputs["arn"] == UNKNOWN and cap.outputs["oidc"] == UNKNOWN
    modelled, not_expanded = cap.remote_components()
    assert [r.type for r in modelled] == ["eks:index:Cluster"] and not_expanded == []


def test_a_remote_components_method_is_unknown_and_listed_not_a_crash(tmp_path: Path) -> None:
    """`cluster.get_kubeconfig()` is answered by pulumi-eks's provider only; offline it is unknown
    and listed as unanswered with the program's call site (the SDK's mock monitor has no `Call`)."""
    (tmp_path / "Pulumi.yaml").write_text("name: calls\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  aws:region: us-east-1\n")
    (tmp_path / "__main__.py").write_text(
        "import pulumi\nimport pulumi_eks as eks\n\n"
        "cluster = eks.Cluster('c', skip_default_node_group=True)\n"
        "pulumi.export('kubeconfig', cluster.get_kubeconfig())\n"
    )
    for mode in ("preview", "up"):
        cap = run_program(tmp_path, "dev", mode=mode)
        assert cap.outputs.get("kubeconfig") in (UNKNOWN, None)
        assert cap.invoke_sites == {"eks:index:Cluster/getKubeconfig": ["__main__.py:5"]}
