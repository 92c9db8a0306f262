"""Cases the example programs do not show: provider default tags in both forms, pulumi-eks
managed node groups, links by literal name, the key-policy root statement, IRSA done right,
resource policies that only name services."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_eks as eks
import pytest
from pulumi_policy import PolicyProviderResource

from offline_preview import evaluate, load_policy_pack, run_program
from offline_preview.policy_runner import LoadedPack
from platform_policies.helpers import provider_default_tags

REPO = Path(__file__).resolve().parents[2]
TAGS = {"Environment": "dev", "Project": "p", "Owner": "o", "CostCenter": "c"}


@pytest.fixture(scope="module")
def pack() -> LoadedPack:
    return load_policy_pack(REPO / "policies")


def findings(
    pack: LoadedPack,
    tmp_path: Path,
    program: Any,
    policy: str,
    config: dict | None = None,
    policy_config: dict | None = None,
) -> list[tuple[str, str]]:
    cap = run_program(tmp_path, "test", config={"aws:region": "us-east-1", **(config or {})}, program=program)
    report = evaluate(pack, cap, {"all": "mandatory", **(policy_config or {})}, cap.config)
    index = cap.by_urn()
    return [
        (index[v.urn].name if v.urn in index else v.urn, v.message) for v in report.violations if v.policy == policy
    ]


def test_provider_default_tags_as_json_string_or_object() -> None:
    as_string = PolicyProviderResource("pulumi:providers:aws", {"defaultTags": json.dumps({"tags": TAGS})}, "urn", "p")
    as_object = PolicyProviderResource("pulumi:providers:aws", {"defaultTags": {"tags": TAGS}}, "urn", "p")
    assert provider_default_tags(as_string) == provider_default_tags(as_object) == TAGS
    assert provider_default_tags(None) == {}


def test_required_tags_counts_an_explicit_providers_default_tags(pack: LoadedPack, tmp_path: Path) -> None:
    def program() -> None:
        tagged = aws.Provider("tagged", region="us-east-1", default_tags={"tags": TAGS})
        partial = aws.Provider("partial", region="us-east-1", default_tags={"tags": {"Environment": "dev"}})
        aws.sqs.Queue("ok", opts=pulumi.ResourceOptions(provider=tagged))
        aws.sqs.Queue(
            "own-tags-complete-it",
            tags={"Project": "p", "Owner": "o", "CostCenter": "c"},
            opts=pulumi.ResourceOptions(provider=partial),
        )
        aws.sqs.Queue("missing", opts=pulumi.ResourceOptions(provider=partial))

    required = {"required-tags": {"requiredTags": list(TAGS)}}
    found = findings(pack, tmp_path, program, "required-tags", policy_config=required)
    # One finding per missing key, each naming the one resource that lacks it.
    assert [name for name, _ in found] == ["missing", "missing", "missing"]
    assert [m.split("'")[1] for _, m in found] == ["Project", "Owner", "CostCenter"]
    assert all("1 resource(s): 'missing'" in m for _, m in found)
    # Without a config asking for tags, none is required.
    assert findings(pack, tmp_path, program, "required-tags") == []


def test_a_missing_tag_is_one_finding_for_all_resources_lacking_it(pack: LoadedPack, tmp_path: Path) -> None:
    def program() -> None:
        for i in range(12):
            aws.sqs.Queue(f"q{i:02d}", tags={"Owner": "o"})

    found = findings(
        pack,
        tmp_path,
        program,
        "required-tags",
        policy_config={"required-tags": {"requiredTags": ["Owner", "Project"]}},
    )
    assert len(found) == 1
    name, message = found[0]
    assert name == "q00" and "'Project' is missing on 12 resource(s)" in message and "and 4 more" in message


def _remote(type_: str, name: str, props: dict[str, Any]) -> None:
    """How pulumi-eks components register offline: one remote registration with camelCase inputs."""
    pulumi.ComponentResource(type_, name, props, None, remote=True)


def test_pulumi_eks_managed_node_groups(pack: LoadedPack, tmp_path: Path) -> None:
    def program() -> None:
        _remote("eks:index:ManagedNodeGroup", "imdsv1", {"instanceTypes": ["t3.large"]})
        _remote("eks:index:ManagedNodeGroup", "imdsv2", {"instanceTypes": ["t3.large"], "enableIMDSv2": True})
        _remote("eks:index:ManagedNodeGroup", "huge", {"instanceTypes": ["p5.48xlarge"], "enableIMDSv2": True})

    assert [n for n, _ in findings(pack, tmp_path, program, "ec2-imdsv2-required")] == ["imdsv1"]
    assert [n for n, _ in findings(pack, tmp_path, program, "allowed-instance-types")] == ["huge"]


def test_pulumi_eks_self_managed_node_groups(pack: LoadedPack, tmp_path: Path) -> None:
    """The branches the examples do not show: a custom AMI or an unpinned OS leaves IMDSv1 to the
    AMI; only an explicit False turns pulumi-eks's public IPs off; EBS encryption by default with a
    customer-managed key is the one way their root volumes get a CMK."""

    def program(account_default: bool) -> Any:
        def run() -> None:
            cluster = eks.Cluster("c", skip_default_node_group=True)
            base: dict[str, Any] = {"cluster": cluster, "node_root_volume_encrypted": True}
            al2023 = eks.OperatingSystem.AL2023
            eks.NodeGroupV2("pinned", operating_system=al2023, node_associate_public_ip_address=False, **base)
            eks.NodeGroupV2("custom-ami", operating_system=al2023, ami_id="ami-0123456789abcdef0", **base)
            eks.NodeGroup("unpinned", node_associate_public_ip_address=False, **base)
            eks.NodeGroup("bottlerocket", operating_system=eks.OperatingSystem.BOTTLEROCKET, **base)
            if account_default:
                key = aws.kms.Key("ebs", enable_key_rotation=True)
                aws.ebs.EncryptionByDefault("on", enabled=True)
                aws.ebs.DefaultKmsKey("default", key_arn=key.arn)

        return run

    imds = dict(findings(pack, tmp_path, program(False), "ec2-imdsv2-required"))
    assert sorted(imds) == ["bottlerocket", "custom-ami", "unpinned"]
    assert "ami_id" in imds["custom-ami"] and "Bottlerocket" in imds["bottlerocket"]
    assert "launch configuration" in imds["unpinned"]
    public = findings(pack, tmp_path, program(False), "compute-no-public-ip")
    assert sorted(n for n, _ in public) == ["bottlerocket", "custom-ami"]
    ebs = [n for n, m in findings(pack, tmp_path, program(False), "ebs-encrypted-with-cmk") if "aws/ebs" in m]
    assert sorted(ebs) == ["bottlerocket", "custom-ami", "pinned", "unpinned"]
    assert findings(pack, tmp_path, program(True), "ebs-encrypted-with-cmk") == []
    assert [n for n, _ in findings(pack, tmp_path, program(False), "allowed-instance-types")] == []  # t3.medium


def test_stack_policies_link_by_literal_bucket_name(pack: LoadedPack, tmp_path: Path) -> None:
    def program() -> None:
        aws.s3.Bucket("named", bucket="team-named-bucket")
        aws.s3.BucketVersioning("by-name", bucket="team-named-bucket", versioning_configuration={"status": "Enabled"})
        aws.s3.Bucket("other", bucket="team-other-bucket")

    assert [n for n, _ in findings(pack, tmp_path, program, "s3-versioning-enabled")] == ["other"]


def _key_policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def test_key_policy_account_root_statement_is_the_documented_default(pack: LoadedPack, tmp_path: Path) -> None:
    root = {
        "Sid": "Root",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
        "Action": "kms:*",
        "Resource": "*",
    }
    role = {
        "Sid": "App",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::123456789012:role/app"},
        "Action": "kms:*",
        "Resource": "*",
    }

    def program() -> None:
        aws.kms.Key("default-policy", enable_key_rotation=True, policy=_key_policy(root))
        aws.kms.Key("app-admin", enable_key_rotation=True, policy=_key_policy(root, role))

    found = findings(pack, tmp_path, program, "iam-no-wildcard-actions")
    assert [n for n, _ in found] == ["app-admin"] and 'Sid "App"' in found[0][1]
    cap = run_program(tmp_path, "test", config={"aws:region": "us-east-1"}, program=program, mode="up")
    strict = evaluate(pack, cap, {"iam-no-wildcard-actions": {"allowKeyPolicyAccountRoot": False}}, cap.config)
    assert {cap.by_urn()[v.urn].name for v in strict.violations if v.policy == "iam-no-wildcard-actions"} == {
        "app-admin",
        "default-policy",
    }


def test_irsa_trust_variants(pack: LoadedPack, tmp_path: Path) -> None:
    issuer = "oidc.eks.eu-west-1.amazonaws.com/id/ABC"

    def trust(condition: dict) -> str:
        return json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Federated": f"arn:aws:iam::123456789012:oidc-provider/{issuer}"},
                        "Action": "sts:AssumeRoleWithWebIdentity",
                        "Condition": condition,
                    }
                ],
            }
        )

    def program() -> None:
        aws.iam.Role(
            "good",
            assume_role_policy=trust(
                {
                    "StringEquals": {
                        f"{issuer}:sub": "system:serviceaccount:app:api",
                        f"{issuer}:aud": "sts.amazonaws.com",
                    }
                }
            ),
        )
        aws.iam.Role(
            "no-aud", assume_role_policy=trust({"StringEquals": {f"{issuer}:sub": "system:serviceaccount:app:api"}})
        )
        aws.iam.Role(
            "namespace-wide",
            assume_role_policy=trust(
                {"StringEquals": {f"{issuer}:sub": "system:serviceaccount:app:*", f"{issuer}:aud": "sts.amazonaws.com"}}
            ),
        )

    found = dict(findings(pack, tmp_path, program, "iam-irsa-trust-scoped-to-service-account"))
    assert set(found) == {"no-aud", "namespace-wide"}
    assert ":aud' = 'sts.amazonaws.com'" in found["no-aud"]
    assert "not single service accounts" in found["namespace-wide"]


def test_resource_wildcards_tolerated_only_for_unscopable_or_list_actions(pack: LoadedPack, tmp_path: Path) -> None:
    def policy(actions: list[str]) -> str:
        return json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}
        )

    def program() -> None:
        role = aws.iam.Role(
            "r",
            assume_role_policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            ),
        )
        aws.iam.RolePolicy(
            "unscopable",
            role=role.id,
            policy=policy(
                ["ecr:GetAuthorizationToken", "sts:GetCallerIdentity", "ec2:Describe*", "logs:DescribeLogGroups"]
            ),
        )
        aws.iam.RolePolicy("scopable", role=role.id, policy=policy(["ecr:BatchGetImage", "ec2:DescribeInstances"]))

    found = findings(pack, tmp_path, program, "iam-no-wildcard-resources")
    assert [n for n, _ in found] == ["scopable"]
    assert "'ecr:BatchGetImage'" in found[0][1] and "DescribeInstances" not in found[0][1]


def test_kubernetes_policies_skip_exempt_namespaces(pack: LoadedPack, tmp_path: Path) -> None:
    import pulumi_kubernetes as k8s

    def daemonset(name: str, namespace: str) -> None:
        k8s.apps.v1.DaemonSet(
            name,
            metadata={"namespace": namespace},
            spec={
                "selector": {"match_labels": {"app": name}},
                "template": {
                    "metadata": {"labels": {"app": name}},
                    "spec": {"host_network": True, "containers": [{"name": "agent", "image": "agent:1.0"}]},
                },
            },
        )

    def program() -> None:
        daemonset("node-agent", "kube-system")
        daemonset("app-agent", "apps")

    assert [n for n, _ in findings(pack, tmp_path, program, "k8s-no-host-namespaces")] == ["app-agent"]


def test_aws_eks_node_groups_need_a_hardened_launch_template(pack: LoadedPack, tmp_path: Path) -> None:
    """What pulumi-eks creates under the real engine (and what a plain pulumi-aws program writes)."""

    def program() -> None:
        key = aws.kms.Key("k", enable_key_rotation=True)
        template = aws.ec2.LaunchTemplate(
            "lt",
            metadata_options={"http_tokens": "required", "http_put_response_hop_limit": 2},
            block_device_mappings=[
                {"device_name": "/dev/xvda", "ebs": {"encrypted": "true", "kms_key_id": key.arn, "volume_type": "gp3"}}
            ],
        )
        common = {"cluster_name": "c", "node_role_arn": "arn:aws:iam::123456789012:role/n", "subnet_ids": ["subnet-1"]}
        scaling = aws.eks.NodeGroupScalingConfigArgs(min_size=1, max_size=2, desired_size=1)
        # AL2 nodes from EKS's default template allow IMDSv1 (AL2023, the default AMI type, does not:
        # test_eks_managed_node_groups_follow_the_ami_types_imds_default).
        aws.eks.NodeGroup("default-template", scaling_config=scaling, ami_type="AL2_x86_64", **common)
        aws.eks.NodeGroup(
            "own-template", scaling_config=scaling, launch_template={"id": template.id, "version": "1"}, **common
        )

    assert [n for n, _ in findings(pack, tmp_path, program, "ec2-imdsv2-required")] == ["default-template"]
    assert [n for n, _ in findings(pack, tmp_path, program, "ebs-encrypted-with-cmk")] == ["default-template"]


def test_access_log_destinations_may_use_sse_s3_but_nothing_else_may(pack: LoadedPack, tmp_path: Path) -> None:
    """ALB access logs and S3 server access logs are delivered only to SSE-S3 buckets."""

    def sse_s3(name: str, bucket: aws.s3.Bucket) -> None:
        aws.s3.BucketServerSideEncryptionConfiguration(
            name, bucket=bucket.id, rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}]
        )

    def program() -> None:
        alb_logs = aws.s3.Bucket("alb-logs")
        sse_s3("alb-logs", alb_logs)
        access_logs = aws.s3.Bucket("access-logs")
        sse_s3("access-logs", access_logs)
        unencrypted_logs = aws.s3.Bucket("unencrypted-logs")
        data = aws.s3.Bucket("data")
        sse_s3("data", data)
        aws.lb.LoadBalancer(
            "alb", subnets=["subnet-1", "subnet-2"], access_logs={"bucket": alb_logs.id, "enabled": True}
        )
        aws.lb.LoadBalancer(
            "alb2", subnets=["subnet-1", "subnet-2"], access_logs={"bucket": unencrypted_logs.id, "enabled": True}
        )
        aws.s3.BucketLogging("data-logging", bucket=data.id, target_bucket=access_logs.id, target_prefix="s3/")

    found = dict(findings(pack, tmp_path, program, "s3-bucket-encrypted-with-cmk"))
    assert set(found) == {"data", "unencrypted-logs"}
    assert "sse_algorithm='AES256'" in found["unencrypted-logs"]
    assert "customer-managed KMS key" in found["data"]


def test_aurora_multi_az_counts_cluster_instances_and_their_zones(pack: LoadedPack, tmp_path: Path) -> None:
    def cluster(name: str, azs: list[str | None]) -> None:
        c = aws.rds.Cluster(
            name, engine=aws.rds.EngineType.AURORA_POSTGRESQL, master_username="app", manage_master_user_password=True
        )
        for i, az in enumerate(azs):
            aws.rds.ClusterInstance(
                f"{name}-{i}",
                cluster_identifier=c.id,
                engine=aws.rds.EngineType.AURORA_POSTGRESQL,
                instance_class="db.r6g.large",
                availability_zone=az,
            )

    def program() -> None:
        cluster("spread", ["us-east-1a", "us-east-1b"])
        cluster("unpinned", [None, None])
        cluster("one-zone", ["us-east-1a", "us-east-1a"])
        cluster("single", [None])
        aws.rds.Cluster(
            "multi-az-db-cluster",
            engine="postgres",
            db_cluster_instance_class="db.m6g.large",
            storage_type="io1",
            allocated_storage=100,
            iops=3000,
            master_username="app",
            manage_master_user_password=True,
        )

    found = dict(findings(pack, tmp_path, program, "data-stores-multi-az"))
    assert set(found) == {"one-zone", "single"}
    assert "pins all its instances" in found["one-zone"] and "has 1 instance(s) ('single-0')" in found["single"]


def test_elasticache_clusters_and_serverless_caches(pack: LoadedPack, tmp_path: Path) -> None:
    """A lone Redis cluster without a subnet group, Memcached Multi-AZ modes, a serverless cache in a
    public subnet, and a replica cluster that is judged through its replication group."""

    def program() -> None:
        public = aws.ec2.Subnet("public", vpc_id="vpc-1", cidr_block="10.0.0.0/24", map_public_ip_on_launch=True)
        private = aws.ec2.Subnet("private", vpc_id="vpc-1", cidr_block="10.0.1.0/24")
        aws.elasticache.Cluster("lone-redis", engine="redis", node_type="cache.t4g.small", num_cache_nodes=1)
        aws.elasticache.Cluster(
            "spread-memcached", engine="memcached", node_type="cache.t4g.small", num_cache_nodes=2, az_mode="cross-az"
        )
        aws.elasticache.Cluster(
            "one-zone-memcached", engine="memcached", node_type="cache.t4g.small", num_cache_nodes=3
        )
        aws.elasticache.Cluster("replica", replication_group_id="rg-1")
        aws.elasticache.ServerlessCache("public-serverless", engine="valkey", subnet_ids=[public.id])
        aws.elasticache.ServerlessCache("private-serverless", engine="valkey", subnet_ids=[private.id])

    subnets = dict(findings(pack, tmp_path, program, "data-stores-in-private-subnets"))
    assert set(subnets) == {"lone-redis", "one-zone-memcached", "spread-memcached", "public-serverless"}
    assert "public subnet(s) 'public' (assigns public IPs on launch)" in subnets["public-serverless"]
    assert {n for n, _ in findings(pack, tmp_path, program, "data-stores-multi-az")} == {
        "lone-redis",
        "one-zone-memcached",
    }
    assert {n for n, _ in findings(pack, tmp_path, program, "stateful-resources-protected")} == {
        "lone-redis",
        "public-serverless",
        "private-serverless",
    }


def test_bucket_v2_inline_settings_are_honoured(pack: LoadedPack, tmp_path: Path) -> None:
    """BucketV2 keeps its deprecated inline settings in lists (`versionings`, `loggings`,
    `serverSideEncryptionConfigurations`); aws.s3.Bucket in single objects."""

    def program() -> None:
        key = aws.kms.Key("k", enable_key_rotation=True)
        rule: aws.s3.BucketServerSideEncryptionConfigurationRuleArgsDict = {
            "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn},
            "bucket_key_enabled": True,
        }
        aws.s3.BucketV2(
            "v2-inline",
            server_side_encryption_configurations=[
                {
                    "rules": [
                        {
                            "apply_server_side_encryption_by_defaults": [
                                {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn}
                            ],
                            "bucket_key_enabled": True,
                        }
                    ]
                }
            ],
            versionings=[{"enabled": True}],
            loggings=[{"target_bucket": "log-target"}],
        )
        aws.s3.Bucket(
            "v1-inline",
            server_side_encryption_configuration={"rule": rule},
            versioning={"enabled": True},
            logging={"target_bucket": "log-target"},
        )
        aws.s3.Bucket("bare")

    for policy in ("s3-bucket-encrypted-with-cmk", "s3-versioning-enabled", "s3-access-logging-enabled"):
        assert [n for n, _ in findings(pack, tmp_path, program, policy)] == ["bare"], policy


def test_pulumi_eks_default_node_group_follows_pulumi_eks_defaults(pack: LoadedPack, tmp_path: Path) -> None:
    """A cluster that keeps its default node group gets public IPs unless told otherwise, and its
    `node_root_volume_encrypted` alone means aws/ebs, not a customer-managed key."""

    def run() -> None:
        eks.Cluster("defaults")  # default node group, nothing set
        eks.Cluster("private", node_associate_public_ip_address=False, node_root_volume_encrypted=True)
        eks.Cluster("no-nodes", skip_default_node_group=True)

    public = [n for n, _ in findings(pack, tmp_path, run, "compute-no-public-ip")]
    assert public == ["defaults"]
    ebs = dict(findings(pack, tmp_path, run, "ebs-encrypted-with-cmk"))
    assert sorted(ebs) == ["defaults", "private"]
    assert "unencrypted" in ebs["defaults"] and "aws/ebs" in ebs["private"]


def test_eks_managed_node_groups_follow_the_ami_types_imds_default(pack: LoadedPack, tmp_path: Path) -> None:
    """Without a launch template, EKS's default template keeps the AMI's metadata settings: AL2023
    (EKS's default AMI type from Kubernetes 1.30) requires IMDSv2, AL2 allows IMDSv1."""

    def program() -> None:
        common = {
            "cluster_name": "c",
            "node_role_arn": "arn:aws:iam::123456789012:role/eks-node",
            "subnet_ids": ["subnet-0123456789abcdef0"],
            "scaling_config": {"min_size": 1, "max_size": 2, "desired_size": 1},
        }
        aws.eks.NodeGroup("default-ami", **common)
        aws.eks.NodeGroup("al2023", ami_type="AL2023_ARM_64_STANDARD", **common)
        aws.eks.NodeGroup("old-version", version="1.29", **common)
        aws.eks.NodeGroup("al2", ami_type="AL2_x86_64", **common)

    found = sorted(n for n, _ in findings(pack, tmp_path, program, "ec2-imdsv2-required"))
    assert found == ["al2", "old-version"]


def test_replication_of_a_bucket_with_inline_kms_default_encryption_must_copy_kms_objects(
    pack: LoadedPack, tmp_path: Path
) -> None:
    """The deprecated inline `server_side_encryption_configuration` of a Bucket counts as SSE-KMS
    default encryption too; a rule that opts in to SSE-KMS objects with a replica key passes."""
    key = "arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"

    def program() -> None:
        for name, kms_rule in (("skips", False), ("copies", True)):
            bucket = aws.s3.Bucket(
                name,
                bucket=f"team-{name}-bucket",
                tags={"Backup": "true", "Environment": "prod"},
                server_side_encryption_configuration={
                    "rule": {
                        "apply_server_side_encryption_by_default": {
                            "sse_algorithm": "aws:kms",
                            "kms_master_key_id": key,
                        }
                    }
                },
            )
            destination: aws.s3.BucketReplicationConfigRuleDestinationArgsDict = {
                "bucket": f"arn:aws:s3:::team-{name}-bucket-us-west-2"
            }
            rule: aws.s3.BucketReplicationConfigRuleArgsDict = {
                "id": "dr",
                "status": "Enabled",
                "filter": {},
                "destination": destination,
            }
            if kms_rule:
                destination["encryption_configuration"] = {"replica_kms_key_id": key.replace("us-east-1", "us-west-2")}
                rule["source_selection_criteria"] = {"sse_kms_encrypted_objects": {"status": "Enabled"}}
            aws.s3.BucketReplicationConfig(
                f"{name}-replication", bucket=bucket.id, role="arn:aws:iam::1:role/r", rules=[rule]
            )

    found = findings(pack, tmp_path, program, "s3-stateful-bucket-replicated-cross-region")
    assert [n for n, _ in found] == ["skips"]
    assert "skips its SSE-KMS objects (its default encryption is aws:kms)" in found[0][1]


def test_a_second_setting_of_a_bucket_that_weakens_the_first_is_caught(pack: LoadedPack, tmp_path: Path) -> None:
    # S3 keeps one encryption configuration and one versioning status per bucket, whichever is
    # written last, so a second resource that weakens the first must not hide behind it.
    def program() -> None:
        key = aws.kms.Key("k", enable_key_rotation=True)
        rule = aws.s3.BucketServerSideEncryptionConfigurationV2RuleArgs
        default = aws.s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs
        kms = rule(apply_server_side_encryption_by_default=default(sse_algorithm="aws:kms", kms_master_key_id=key.arn))
        aes = rule(apply_server_side_encryption_by_default=default(sse_algorithm="AES256"))
        for name, second_rules, second_status in (("weak", aes, "Suspended"), ("same", kms, "Enabled")):
            b = aws.s3.BucketV2(name)
            aws.s3.BucketServerSideEncryptionConfigurationV2(f"{name}-1", bucket=b.id, rules=[kms])
            aws.s3.BucketServerSideEncryptionConfigurationV2(f"{name}-2", bucket=b.id, rules=[second_rules])
            aws.s3.BucketVersioningV2(f"{name}-v1", bucket=b.id, versioning_configuration={"status": "Enabled"})
            aws.s3.BucketVersioningV2(f"{name}-v2", bucket=b.id, versioning_configuration={"status": second_status})

    encryption = findings(pack, tmp_path, program, "s3-bucket-encrypted-with-cmk")
    assert [name for name, _ in encryption] == ["weak"], encryption
    assert "S3 keeps whichever is written last" in encryption[0][1]
    versioning = findings(pack, tmp_path, program, "s3-versioning-enabled")
    assert [name for name, _ in versioning] == ["weak"], versioning


def test_a_trail_whose_selectors_drop_management_writes_is_caught(pack: LoadedPack, tmp_path: Path) -> None:
    def program() -> None:
        common = {
            "s3_bucket_name": "trail-logs",
            "is_multi_region_trail": True,
            "enable_log_file_validation": True,
            "include_global_service_events": True,
        }
        data_only = aws.cloudtrail.TrailEventSelectorArgs(
            include_management_events=False,
            data_resources=[
                aws.cloudtrail.TrailEventSelectorDataResourceArgs(type="AWS::S3::Object", values=["arn:aws:s3"])
            ],
        )
        aws.cloudtrail.Trail("data-only", event_selectors=[data_only], **common)
        aws.cloudtrail.Trail(
            "reads-only", event_selectors=[aws.cloudtrail.TrailEventSelectorArgs(read_write_type="ReadOnly")], **common
        )
        aws.cloudtrail.Trail("default", **common)
        aws.cloudtrail.Trail(
            "writes",
            event_selectors=[data_only, aws.cloudtrail.TrailEventSelectorArgs(read_write_type="WriteOnly")],
            **common,
        )
        aws.cloudtrail.Trail(
            "advanced",
            advanced_event_selectors=[{"field_selectors": [{"field": "eventCategory", "equals": ["Management"]}]}],
            **common,
        )

    found = findings(pack, tmp_path, program, "cloudtrail-multi-region-with-validation")
    assert sorted(name for name, _ in found) == ["data-only", "reads-only"], found
    assert all("records no management write events" in message for _, message in found)


def test_ebs_encryption_by_default_covers_only_its_own_region(pack: LoadedPack, tmp_path: Path) -> None:
    def program() -> None:
        eu = aws.Provider("eu", region="eu-west-1")
        eu_key = aws.kms.Key("eu-key", enable_key_rotation=True, opts=pulumi.ResourceOptions(provider=eu))
        aws.ebs.EncryptionByDefault("eu-default", enabled=True, opts=pulumi.ResourceOptions(provider=eu))
        aws.ebs.DefaultKmsKey("eu-key-default", key_arn=eu_key.arn, opts=pulumi.ResourceOptions(provider=eu))
        aws.ebs.Volume("here", availability_zone="us-east-1a", size=10, type="gp3")
        aws.ebs.Volume(
            "there", availability_zone="eu-west-1a", size=10, type="gp3", opts=pulumi.ResourceOptions(provider=eu)
        )

    found = findings(pack, tmp_path, program, "ebs-encrypted-with-cmk")
    assert [name for name, _ in found] == ["here"], found
    at_rest = findings(pack, tmp_path, program, "encryption-at-rest-enabled")
    assert [name for name, _ in at_rest] == ["here"], at_rest
