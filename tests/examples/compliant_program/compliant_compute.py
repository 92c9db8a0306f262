"""Compute of every kind, hardened: encrypted volumes, IMDSv2, private subnets and right-sized types on
EC2; private, encrypted, logged EKS clusters and node groups (the aws.eks resources and the
pulumi-eks components); an ECS task that runs as a non-root user with a read-only root file system;
and every Kubernetes kind that carries a pod template."""

import json

import pulumi
import pulumi_aws as aws
import pulumi_eks as eks
import pulumi_kubernetes as k8s
from compliant_common import ACCOUNT, PROTECT, REGION


# --- compute --------------------------------------------------------------------------------------
def instances(
    key: aws.kms.Key, ebs_key: aws.kms.Key, isolated: list[aws.ec2.Subnet], app_sg: aws.ec2.SecurityGroup
) -> aws.ec2.LaunchTemplate:
    """Returns the launch template the EKS node groups use."""
    # EBS encryption by default with the customer-managed key: the launch configuration below cannot
    # name a key, so its volumes rely on this.
    aws.ebs.EncryptionByDefault("ebs-encryption-by-default", enabled=True)
    aws.ebs.DefaultKmsKey("ebs-default-key", key_arn=ebs_key.arn)
    aws.ebs.Volume(
        "data-volume",
        availability_zone=f"{REGION}a",
        size=10,
        type="gp3",
        encrypted=True,
        kms_key_id=key.arn,
        opts=PROTECT,
    )
    hardened = {
        "ami": "ami-0123456789abcdef0",
        "instance_type": "t3.micro",
        "subnet_id": isolated[0].id,
        "vpc_security_group_ids": [app_sg.id],
        "metadata_options": {"http_tokens": "required", "http_endpoint": "enabled", "http_put_response_hop_limit": 1},
        "root_block_device": {"volume_type": "gp3", "encrypted": True, "kms_key_id": key.arn},
    }
    aws.ec2.Instance("ssm-host", **hardened)
    aws.ec2.SpotInstanceRequest("batch-worker", spot_type="one-time", **hardened)
    nodes_lt = aws.ec2.LaunchTemplate(
        "nodes-lt",
        instance_type="t3.medium",
        metadata_options={"http_tokens": "required", "http_endpoint": "enabled", "http_put_response_hop_limit": 2},
        block_device_mappings=[
            {
                "device_name": "/dev/xvda",
                "ebs": {"volume_size": 50, "volume_type": "gp3", "encrypted": "true", "kms_key_id": key.arn},
            }
        ],
    )
    aws.ec2.LaunchConfiguration(
        "legacy-workers",
        image_id="ami-0123456789abcdef0",
        instance_type="t3.small",
        associate_public_ip_address=False,
        metadata_options={"http_tokens": "required", "http_endpoint": "enabled", "http_put_response_hop_limit": 1},
        root_block_device={"volume_type": "gp3", "encrypted": True},
    )
    aws.autoscaling.Group(
        "workers",
        min_size=1,
        max_size=4,
        vpc_zone_identifiers=[s.id for s in isolated],
        mixed_instances_policy={
            "launch_template": {
                "launch_template_specification": {"launch_template_id": nodes_lt.id, "version": "$Latest"},
                "overrides": [{"instance_type": "t3.medium"}, {"instance_type": "t3a.medium"}],
            }
        },
    )
    return nodes_lt


# --- EKS ------------------------------------------------------------------------------------------
def eks_clusters(
    key: aws.kms.Key, vpc: aws.ec2.Vpc, isolated: list[aws.ec2.Subnet], nodes_lt: aws.ec2.LaunchTemplate
) -> None:
    aws.eks.Cluster(
        "eks",
        role_arn=f"arn:aws:iam::{ACCOUNT}:role/eks-cluster",
        vpc_config={
            "subnet_ids": [s.id for s in isolated],
            "endpoint_public_access": False,
            "endpoint_private_access": True,
        },
        encryption_config={"resources": ["secrets"], "provider": {"key_arn": key.arn}},
        enabled_cluster_log_types=["api", "audit", "authenticator", "controllerManager", "scheduler"],
    )
    eks_component = eks.Cluster(
        "eks-component",
        vpc_id=vpc.id,
        private_subnet_ids=[s.id for s in isolated],
        skip_default_node_group=True,
        endpoint_public_access=False,
        endpoint_private_access=True,
        encryption_config_key_arn=key.arn,
        enabled_cluster_log_types=["api", "audit", "authenticator", "controllerManager", "scheduler"],
        node_associate_public_ip_address=False,
    )
    # eks.ManagedNodeGroup(cluster=eks_component, ...) registers exactly this remote component (see
    # insecure_program for why it is written out).
    pulumi.ComponentResource(
        "eks:index:ManagedNodeGroup",
        "managed-nodes",
        {
            "clusterName": eks_component.eks_cluster.name,
            "nodeRoleArn": f"arn:aws:iam::{ACCOUNT}:role/eks-node",
            "instanceTypes": ["t3.medium"],
            "launchTemplate": {"id": nodes_lt.id, "version": "1"},
        },
        None,
        remote=True,
    )
    # Self-managed node groups: private nodes on the EKS-optimized AL2023 AMI (IMDSv2 required by the AMI;
    # the components take no metadata options), root volumes encrypted with the account's customer-managed
    # default EBS key that `instances` sets (they cannot name one), gp3.
    self_managed = {
        "cluster": eks_component,
        "instance_type": "t3.medium",
        "operating_system": eks.OperatingSystem.AL2023,
        "node_associate_public_ip_address": False,
        "node_subnet_ids": [s.id for s in isolated],
        "node_root_volume_encrypted": True,
        "node_root_volume_type": "gp3",
    }
    eks.NodeGroup("legacy-self-managed-nodes", **self_managed)
    eks.NodeGroupV2(
        "self-managed-nodes",
        **self_managed,
        launch_template_tag_specifications=[{"resource_type": "instance", "tags": {"Name": "self-managed-node"}}],
    )
    aws.eks.NodeGroup(
        "nodes",
        cluster_name="eks",
        node_role_arn=f"arn:aws:iam::{ACCOUNT}:role/eks-node",
        subnet_ids=[s.id for s in isolated],
        instance_types=["t3.medium"],
        launch_template={"id": nodes_lt.id, "version": "1"},
        scaling_config={"min_size": 1, "max_size": 3, "desired_size": 2},
    )


# --- ECS ------------------------------------------------------------------------------------------
def ecs(
    *,
    key: aws.kms.Key,
    isolated: list[aws.ec2.Subnet],
    app_sg: aws.ec2.SecurityGroup,
    task_role: aws.iam.Role,
    execution_role: aws.iam.Role,
    repo: aws.ecr.Repository,
    secret: aws.secretsmanager.Secret,
) -> None:
    ecs_cluster = aws.ecs.Cluster("cluster", settings=[{"name": "containerInsights", "value": "enhanced"}])
    app_logs = aws.cloudwatch.LogGroup("task-logs", kms_key_id=key.arn, retention_in_days=365)
    task = aws.ecs.TaskDefinition(
        "app-task",
        family="app",
        network_mode="awsvpc",
        requires_compatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        task_role_arn=task_role.arn,
        execution_role_arn=execution_role.arn,
        container_definitions=pulumi.Output.all(repo.repository_url, secret.arn, app_logs.name).apply(
            lambda a: json.dumps(
                [
                    {
                        "name": "backend",
                        "image": f"{a[0]}:1.0.0",
                        "essential": True,
                        "user": "1000:1000",
                        "readonlyRootFilesystem": True,
                        "privileged": False,
                        "environment": [{"name": "PORT", "value": "3001"}],
                        "secrets": [{"name": "API_TOKEN", "valueFrom": a[1]}],
                        "logConfiguration": {
                            "logDriver": "awslogs",
                            "options": {
                                "awslogs-group": a[2],
                                "awslogs-region": REGION,
                                "awslogs-stream-prefix": "backend",
                            },
                        },
                    }
                ]
            )
        ),
    )
    aws.ecs.Service(
        "app-service",
        cluster=ecs_cluster.arn,
        task_definition=task.arn,
        desired_count=2,
        launch_type="FARGATE",
        network_configuration={
            "subnets": [s.id for s in isolated],
            "security_groups": [app_sg.id],
            "assign_public_ip": False,
        },
    )


# --- Kubernetes: every kind that carries a pod template -------------------------------------------
def pod(app: str, restart_policy: str = "Always") -> k8s.core.v1.PodTemplateSpecArgsDict:
    """Non-root, no host namespaces, no privilege, requests and limits, a pinned image."""
    return {
        "metadata": {"labels": {"app": app}},
        "spec": {
            "restart_policy": restart_policy,
            "security_context": {
                "run_as_non_root": True,
                "run_as_user": 101,
                "seccomp_profile": {"type": "RuntimeDefault"},
            },
            "containers": [
                {
                    "name": app,
                    "image": "nginxinc/nginx-unprivileged:1.27.0",
                    "security_context": {
                        "allow_privilege_escalation": False,
                        "read_only_root_filesystem": True,
                        "capabilities": {"drop": ["ALL"]},
                    },
                    "resources": {
                        "requests": {"cpu": "100m", "memory": "128Mi"},
                        "limits": {"cpu": "250m", "memory": "128Mi"},
                    },
                }
            ],
        },
    }


def selector(app: str) -> k8s.meta.v1.LabelSelectorArgsDict:
    return {"match_labels": {"app": app}}


def kubernetes() -> None:
    k8s.core.v1.Pod("debug-pod", spec=pod("debug").get("spec"))
    k8s.apps.v1.Deployment("web", spec={"selector": selector("web"), "template": pod("web")})
    k8s.apps.v1.StatefulSet(
        "queue-worker", spec={"service_name": "queue", "selector": selector("queue"), "template": pod("queue")}
    )
    k8s.apps.v1.DaemonSet(
        "node-metrics",
        metadata={"namespace": "apps"},
        spec={"selector": selector("metrics"), "template": pod("metrics")},
    )
    k8s.apps.v1.ReplicaSet("canary", spec={"selector": selector("canary"), "template": pod("canary")})
    k8s.core.v1.ReplicationController("legacy-web", spec={"selector": {"app": "legacy"}, "template": pod("legacy")})
    k8s.batch.v1.Job("migrate", spec={"template": pod("migrate", "Never")})
    k8s.batch.v1.CronJob(
        "nightly-report",
        spec={"schedule": "0 3 * * *", "job_template": {"spec": {"template": pod("report", "OnFailure")}}},
    )
