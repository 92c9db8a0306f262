"""Pinned versions of everything EKS runs that is not our own image (pure data).

Nothing here floats: an EKS add-on without `addon_version`, or a Helm chart without `version`,
installs whatever is newest on the day of the deployment, so two `pulumi up` of the same commit
could run different software. Each table says where its values come from; update them together
with `config.EKS_VERSIONS` (a test fails when a supported Kubernetes version has no row).
"""

from __future__ import annotations

from dataclasses import dataclass

# --- EKS managed add-ons, per Kubernetes minor version ------------------------------------------
# Source: awslabs/cdk-eks-blueprints (AWS-maintained) `lib/addons/{vpc-cni,coredns,kube-proxy,
# ebs-csi-driver}/index.ts` version maps at commit 05d3dbd0 (2026-07-01), which are the versions
# `aws eks describe-addon-versions --kubernetes-version <v>` reported compatible. Check a row with
# `aws eks describe-addon-versions --addon-name <name> --kubernetes-version <v>` before changing it.
#
# `amazon-cloudwatch-observability` (Container Insights) supports every Kubernetes version from
# 1.23, so one version serves all rows: v4.5.0-eksbuild.1 as pinned in public EKS configurations
# (2026); its chart (aws-observability/helm-charts) runs the agent with `hostNetwork`, so it reads
# IMDS despite the nodes' hop limit of 1.
ADDONS: tuple[str, ...] = (
    "vpc-cni",
    "kube-proxy",
    "coredns",
    "aws-ebs-csi-driver",
    "amazon-cloudwatch-observability",
)
CLOUDWATCH_OBSERVABILITY_VERSION = "v4.5.0-eksbuild.1"

ADDON_VERSIONS: dict[str, dict[str, str]] = {
    "1.32": {
        "vpc-cni": "v1.20.4-eksbuild.2",
        "kube-proxy": "v1.32.6-eksbuild.12",
        "coredns": "v1.11.4-eksbuild.2",
        "aws-ebs-csi-driver": "v1.56.0-eksbuild.1",
        "amazon-cloudwatch-observability": CLOUDWATCH_OBSERVABILITY_VERSION,
    },
    "1.33": {
        "vpc-cni": "v1.20.4-eksbuild.2",
        "kube-proxy": "v1.33.3-eksbuild.4",
        "coredns": "v1.12.1-eksbuild.2",
        "aws-ebs-csi-driver": "v1.56.0-eksbuild.1",
        "amazon-cloudwatch-observability": CLOUDWATCH_OBSERVABILITY_VERSION,
    },
    "1.34": {
        "vpc-cni": "v1.20.4-eksbuild.2",
        "kube-proxy": "v1.34.0-eksbuild.2",
        "coredns": "v1.12.3-eksbuild.1",
        "aws-ebs-csi-driver": "v1.56.0-eksbuild.1",
        "amazon-cloudwatch-observability": CLOUDWATCH_OBSERVABILITY_VERSION,
    },
    "1.35": {
        "vpc-cni": "v1.21.1-eksbuild.1",
        "kube-proxy": "v1.35.0-eksbuild.2",
        "coredns": "v1.13.2-eksbuild.3",
        "aws-ebs-csi-driver": "v1.57.1-eksbuild.1",
        "amazon-cloudwatch-observability": CLOUDWATCH_OBSERVABILITY_VERSION,
    },
}

# The cluster autoscaler's minor version must equal the cluster's (it is only tested against it).
# Image tags verified in public manifests: kubernetes/kops `pkg/model/components/clusterautoscaler.go`
# (v1.32.3, v1.33.1, v1.34.0) and registry.k8s.io references of v1.35.0 (with its digest).
CLUSTER_AUTOSCALER_IMAGE_TAGS: dict[str, str] = {
    "1.32": "v1.32.3",
    "1.33": "v1.33.1",
    "1.34": "v1.34.0",
    "1.35": "v1.35.0",
}


# --- Helm charts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartPin:
    chart: str
    version: str
    repository: str
    source: str
    """Where the version was read (a released tag of the chart's repository)."""


CHARTS: dict[str, ChartPin] = {
    "cluster-autoscaler": ChartPin(
        "cluster-autoscaler",
        "9.53.0",
        "https://kubernetes.github.io/autoscaler",
        "awslabs/cdk-eks-blueprints cluster-autoscaler version map for 1.34 (2026-07-01); "
        "the image tag is set per Kubernetes version above",
    ),
    "aws-load-balancer-controller": ChartPin(
        "aws-load-balancer-controller",
        "3.5.0",
        "https://aws.github.io/eks-charts",
        "aws/eks-charts stable/aws-load-balancer-controller/Chart.yaml at 5239609 (2026-08-03), app v3.5.0",
    ),
    "metrics-server": ChartPin(
        "metrics-server",
        "3.13.1",
        "https://kubernetes-sigs.github.io/metrics-server",
        "kubernetes-sigs/metrics-server tag metrics-server-helm-chart-3.13.1, app 0.8.1",
    ),
    "kube-prometheus-stack": ChartPin(
        "kube-prometheus-stack",
        "88.5.3",
        "https://prometheus-community.github.io/helm-charts",
        "prometheus-community/helm-charts tag kube-prometheus-stack-88.5.3 (2026-08), operator v0.93.1",
    ),
    "opentelemetry-collector": ChartPin(
        "opentelemetry-collector",
        "0.170.0",
        "https://open-telemetry.github.io/opentelemetry-helm-charts",
        "open-telemetry/opentelemetry-helm-charts tag opentelemetry-collector-0.170.0, app 0.158.0",
    ),
    "aws-for-fluent-bit": ChartPin(
        "aws-for-fluent-bit",
        "0.2.0",
        "https://aws.github.io/eks-charts",
        "aws/eks-charts stable/aws-for-fluent-bit/Chart.yaml at 5239609 (2026-08-03), app 3.2.1",
    ),
}

# Images we set explicitly (the chart's default would float with the chart or is empty).
OTEL_COLLECTOR_IMAGE = ("otel/opentelemetry-collector-contrib", "0.158.0")
"""The contrib distribution carries the `awsxray` exporter; the tag is the chart's appVersion."""
REDIS_IMAGE = (
    "public.ecr.aws/docker/library/redis:7.4.5-alpine3.21"
    "@sha256:bb186d083732f669da90be8b0f975a37812b15e913465bb14d845db72a4e3e08"
)
"""Redis OSS 7.4 (BSD-licensed line) from the ECR Public mirror of the Docker official image, pinned
by digest; uid/gid 999 is the image's `redis` user."""
REDIS_UID = 999


class VersionError(ValueError):
    """A Kubernetes version this table does not cover."""


def addon_versions(kubernetes_version: str) -> dict[str, str]:
    """The pinned add-on versions for `kubernetes_version` (e.g. "1.34")."""
    try:
        return dict(ADDON_VERSIONS[kubernetes_version])
    except KeyError:
        raise VersionError(
            f"platform:compute.eks.version {kubernetes_version!r} has no pinned EKS add-on versions; "
            f"pinned: {', '.join(sorted(ADDON_VERSIONS))} (add a row to secure_platform/compute/eks/versions.py)"
        ) from None


def cluster_autoscaler_tag(kubernetes_version: str) -> str:
    try:
        return CLUSTER_AUTOSCALER_IMAGE_TAGS[kubernetes_version]
    except KeyError:
        raise VersionError(
            f"platform:compute.eks.version {kubernetes_version!r} has no pinned cluster-autoscaler image; "
            f"pinned: {', '.join(sorted(CLUSTER_AUTOSCALER_IMAGE_TAGS))}"
        ) from None
