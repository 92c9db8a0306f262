"""Compute of every kind with the mistakes the compute rules catch: EC2 with IMDSv1, public IPs,
unencrypted gp2 volumes and oversized types; EKS clusters and node groups (the aws.eks resources and
the pulumi-eks components); a privileged ECS task in a public service; and every Kubernetes kind
that carries a pod template."""

import json

import pulumi
import pulumi_aws as aws
import pulumi_eks as eks
import pulumi_kubernetes as k8s
from insecure_common import ACCOUNT, REGION


# --- compute --------------------------------------------------------------------------------------
def instances(public_a: aws.ec2.Subnet) -> None:
    aws.ebs.EncryptionByDefault("ebs-default-off", enabled=False)
    aws.ebs.DefaultKmsKey("aws-managed-ebs-default", key_arn=f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/aws/ebs")
    aws.ebs.Volume("plain-volume", availability_zone=f"{REGION}a", size=10, type="gp2")
    aws.ec2.Instance(
        "imdsv1-instance",
        ami="ami-0123456789abcdef0",
        instance_type="x1e.32xlarge",
        associate_public_ip_address=True,
        root_block_device={"volume_type": "gp2", "encrypted": False},
    )
    aws.ec2.SpotInstanceRequest(
        "imdsv1-spot",
        ami="ami-0123456789abcdef0",
        instance_type="x1e.32xlarge",
        associate_public_ip_address=True,
        root_block_device={"volume_type": "gp2", "encrypted": False},
    )
    weak_template = aws.ec2.LaunchTemplate(
        "weak-template",
        instance_type="x1e.32xlarge",
        metadata_options={"http_tokens": "optional"},
        network_interfaces=[{"associate_public_ip_address": "true"}],
        block_device_mappings=[{"device_name": "/dev/xvda", "ebs": {"volume_type": "gp2", "encrypted": "false"}}],
    )
    aws.ec2.LaunchConfiguration(
        "weak-launch-config",
        image_id="ami-0123456789abcdef0",
        instance_type="x1e.32xlarge",
        associate_public_ip_address=True,
        metadata_options={"http_tokens": "optional"},
        root_block_device={"volume_type": "gp2", "encrypted": False},
    )
    aws.autoscaling.Group(
        "oversized-asg",
        min_size=1,
        max_size=2,
        vpc_zone_identifiers=[public_a.id],
        mixed_instances_policy={
            "launch_template": {
                "launch_template_specification": {"launch_template_id": weak_template.id, "version": "$Latest"},
                "overrides": [{"instance_type": "x1e.32xlarge"}, {"instance_type": "p5.48xlarge"}],
            }
        },
    )


# --- EKS ------------------------------------------------------------------------------------------
def eks_clusters(vpc: aws.ec2.Vpc, public_a: aws.ec2.Subnet, public_b: aws.ec2.Subnet) -> None:
    aws.eks.Cluster(
        "open-eks",
        role_arn=f"arn:aws:iam::{ACCOUNT}:role/eks-cluster",
        vpc_config={"subnet_ids": [public_a.id, public_b.id]},
    )
    open_eks_component = eks.Cluster(
        "open-eks-component",
        vpc_id=vpc.id,
        subnet_ids=[public_a.id, public_b.id],
        instance_type="x1e.32xlarge",
        node_associate_public_ip_address=True,
    )
    # eks.ManagedNodeGroup(cluster=open_eks_component, ...) registers exactly this remote component; it is
    # written out because the offline mocks echo the `cluster` resource reference back as an output,
    # which the SDK cannot rehydrate outside the engine. CrossGuard sees the same type and inputs.
    pulumi.ComponentResource(
        "eks:index:ManagedNodeGroup",
        "imdsv1-node-group",
        {
            "clusterName": open_eks_component.eks_cluster.name,
            "nodeRoleArn": f"arn:aws:iam::{ACCOUNT}:role/eks-node",
            "instanceTypes": ["x1e.32xlarge"],
        },
        None,
        remote=True,
    )
    # Self-managed node groups (remote components, judged by their inputs): public IPs by default, no pinned
    # AL2023 AMI (IMDSv1 allowed), root volumes unencrypted or on aws/ebs, gp2, an oversized instance type.
    eks.NodeGroup(
        "legacy-self-managed-nodes",
        cluster=open_eks_component,
        instance_type="x1e.32xlarge",
        encrypt_root_block_device=True,  # accepted but ignored by pulumi-eks: the volumes stay unencrypted
        node_root_volume_type="gp2",
        key_name="ops-key",
    )
    eks.NodeGroupV2(
        "self-managed-nodes",
        cluster=open_eks_component,
        instance_type="p5.48xlarge",
        operating_system=eks.OperatingSystem.AL2,
        node_root_volume_encrypted=True,
        node_associate_public_ip_address=True,
        node_subnet_ids=[public_a.id, public_b.id],
        spot_price="10.0",
    )
    aws.eks.NodeGroup(
        "default-template-nodes",
        cluster_name="open-eks",
        ami_type="AL2_x86_64",
        node_role_arn=f"arn:aws:iam::{ACCOUNT}:role/eks-node",
        subnet_ids=[public_a.id],
        instance_types=["x1e.32xlarge"],
        scaling_config={"min_size": 1, "max_size": 2, "desired_size": 1},
    )


# --- ECS ------------------------------------------------------------------------------------------
def ecs(public_a: aws.ec2.Subnet) -> None:
    ecs_cluster = aws.ecs.Cluster("no-insights-cluster")
    task = aws.ecs.TaskDefinition(
        "root-task",
        family="root-task",
        network_mode="host",
        container_definitions=json.dumps(
            [
                {
                    "name": "app",
                    "image": "nginx:1.27",
                    "privileged": True,
                    "essential": True,
                    "environment": [{"name": "DB_PASSWORD", "value": "hunter2"}],
                }
            ]
        ),
    )
    aws.ecs.Service(
        "public-service",
        cluster=ecs_cluster.arn,
        task_definition=task.arn,
        desired_count=1,
        launch_type="FARGATE",
        network_configuration={"subnets": [public_a.id], "assign_public_ip": True},
    )


# --- Kubernetes: every kind that carries a pod template -------------------------------------------
def bad_pod(app: str, restart_policy: str = "Always") -> k8s.core.v1.PodTemplateSpecArgsDict:
    """Host network, a privileged container running as root, no resources, an unpinned image."""
    return {
        "metadata": {"labels": {"app": app}},
        "spec": {
            "host_network": True,
            "restart_policy": restart_policy,
            "containers": [{"name": app, "image": "nginx", "security_context": {"privileged": True}}],
        },
    }


def selector(app: str) -> k8s.meta.v1.LabelSelectorArgsDict:
    return {"match_labels": {"app": app}}


def kubernetes() -> None:
    k8s.core.v1.Pod("root-pod", spec=bad_pod("pod").get("spec"))
    k8s.apps.v1.Deployment("root-deployment", spec={"selector": selector("web"), "template": bad_pod("web")})
    k8s.apps.v1.StatefulSet(
        "root-statefulset", spec={"service_name": "db", "selector": selector("db"), "template": bad_pod("db")}
    )
    k8s.apps.v1.DaemonSet(
        "root-daemonset",
        metadata={"namespace": "apps"},
        spec={"selector": selector("agent"), "template": bad_pod("agent")},
    )
    k8s.apps.v1.ReplicaSet("root-replicaset", spec={"selector": selector("rs"), "template": bad_pod("rs")})
    k8s.core.v1.ReplicationController(
        "root-replication-controller", spec={"selector": {"app": "rc"}, "template": bad_pod("rc")}
    )
    k8s.batch.v1.Job("root-job", spec={"template": bad_pod("job", "Never")})
    k8s.batch.v1.CronJob(
        "root-cronjob",
        spec={"schedule": "0 * * * *", "job_template": {"spec": {"template": bad_pod("cron", "OnFailure")}}},
    )
