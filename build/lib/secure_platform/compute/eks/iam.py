"""IAM statements of the EKS cluster's service roles (pure, built with `secure_platform.core.iam`).

Each role gets what its controller calls and nothing the platform does not use: the load balancer
controller only binds pods to Networking's existing target groups (it creates no load balancers,
security groups or rules), the cluster autoscaler may only resize this cluster's node groups.
"""

from __future__ import annotations

from collections.abc import Sequence

from secure_platform.core import iam
from secure_platform.core.iam import Statement, StrInput

CNI_MANAGED_POLICY = "AmazonEKS_CNI_Policy"
EBS_CSI_MANAGED_POLICY = "service-role/AmazonEBSCSIDriverPolicy"
CLUSTER_MANAGED_POLICY = "AmazonEKSClusterPolicy"
# What AWS documents for the Container Insights agent (metrics, its own log groups, EC2 tags/volumes).
CLOUDWATCH_AGENT_MANAGED_POLICY = "CloudWatchAgentServerPolicy"

AUTOSCALER_DESCRIBE: tuple[str, ...] = (
    "autoscaling:DescribeAutoScalingGroups",
    "autoscaling:DescribeAutoScalingInstances",
    "autoscaling:DescribeLaunchConfigurations",
    "autoscaling:DescribeScalingActivities",
    "autoscaling:DescribeTags",
    "ec2:DescribeImages",
    "ec2:DescribeInstanceTypes",
    "ec2:DescribeLaunchTemplateVersions",
    "ec2:GetInstanceTypesFromInstanceRequirements",
)
AUTOSCALER_RESIZE: tuple[str, ...] = (
    "autoscaling:SetDesiredCapacity",
    "autoscaling:TerminateInstanceInAutoScalingGroup",
)

LBC_DESCRIBE: tuple[str, ...] = (
    "ec2:DescribeAvailabilityZones",
    "ec2:DescribeInstances",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets",
    "ec2:DescribeVpcs",
    "elasticloadbalancing:DescribeListeners",
    "elasticloadbalancing:DescribeLoadBalancers",
    "elasticloadbalancing:DescribeRules",
    "elasticloadbalancing:DescribeTags",
    "elasticloadbalancing:DescribeTargetGroupAttributes",
    "elasticloadbalancing:DescribeTargetGroups",
    "elasticloadbalancing:DescribeTargetHealth",
)
LBC_TARGETS: tuple[str, ...] = ("elasticloadbalancing:DeregisterTargets", "elasticloadbalancing:RegisterTargets")

XRAY_WRITE: tuple[str, ...] = (
    "xray:GetSamplingRules",
    "xray:GetSamplingStatisticSummaries",
    "xray:GetSamplingTargets",
    "xray:PutTelemetryRecords",
    "xray:PutTraceSegments",
)

# What EBS needs on a customer key to create, attach and snapshot encrypted volumes for the CSI
# driver (AWS's EBS CSI documentation), limited to calls made through EC2.
EBS_KMS_USE: tuple[str, ...] = (*iam.KMS_ENCRYPT_DECRYPT, "kms:DescribeKey")
CLUSTER_SECRETS_KMS: tuple[str, ...] = ("kms:Decrypt", "kms:DescribeKey", "kms:Encrypt")
"""Envelope encryption of Kubernetes secrets by the control plane (through EKS)."""


def cluster_autoscaler(cluster_name: str, *, region: str, account_id: StrInput, partition: StrInput) -> list[Statement]:
    """Read the fleet; resize only node groups tagged as owned by this cluster (EKS tags the
    auto scaling groups of managed node groups with `k8s.io/cluster-autoscaler/<cluster>`)."""
    asg_arn = iam.join(
        "arn:", partition, f":autoscaling:{region}:", account_id, ":autoScalingGroup:*:autoScalingGroupName/*"
    )
    nodegroup_arn = iam.join("arn:", partition, f":eks:{region}:", account_id, f":nodegroup/{cluster_name}/*/*")
    return [
        iam.allow(AUTOSCALER_DESCRIBE, "*", sid="DescribeFleet"),
        iam.allow(["eks:DescribeNodegroup"], nodegroup_arn, sid="DescribeNodeGroups"),
        iam.allow(
            AUTOSCALER_RESIZE,
            asg_arn,
            conditions={"StringEquals": {f"aws:ResourceTag/k8s.io/cluster-autoscaler/{cluster_name}": "owned"}},
            sid="ResizeOwnNodeGroups",
        ),
    ]


def load_balancer_controller(target_group_arns: Sequence[StrInput]) -> list[Statement]:
    """TargetGroupBinding only: register and deregister pod IPs in the given target groups."""
    return [
        iam.allow(LBC_DESCRIBE, "*", sid="Describe"),
        iam.allow(LBC_TARGETS, list(target_group_arns), sid="BindTargets"),
    ]


def xray_writer() -> list[Statement]:
    """The OpenTelemetry collector's X-Ray exporter (X-Ray has no resource-level permissions)."""
    return [iam.allow(XRAY_WRITE, "*", sid="XRayWrite")]


def ebs_csi_key(key_arn: StrInput, region: str) -> list[Statement]:
    """Use of the data key for EBS volumes the CSI driver creates, only through EC2; grants only
    for AWS resources (the volume attachment)."""
    via = {"kms:ViaService": iam.service_endpoints(["ec2"], region)[0]}
    return [
        iam.allow(EBS_KMS_USE, key_arn, conditions={"StringEquals": via}, sid="EbsVolumesKey"),
        iam.allow(
            ["kms:CreateGrant"],
            key_arn,
            conditions={"StringEquals": via, "Bool": {"kms:GrantIsForAWSResource": "true"}},
            sid="EbsVolumesKeyGrant",
        ),
    ]
