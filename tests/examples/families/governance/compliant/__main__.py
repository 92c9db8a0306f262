"""The twin of governance-insecure: the security group and policy written with pulumi-aws, where
every policy judges them, and a Helm release of a chart the platform installs (listed in the
policy's default allowedHelmCharts)."""

import json

import pulumi_aws as aws
import pulumi_kubernetes as k8s

group = aws.ec2.SecurityGroup(
    "https-from-the-vpc",
    description="HTTPS from the VPC",
    vpc_id="vpc-0123456789abcdef0",
    ingress=[
        {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["10.0.0.0/16"], "description": "VPC"}
    ],
    egress=[
        {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["10.0.0.0/16"], "description": "VPC"}
    ],
)
aws.iam.Policy(
    "read-reports",
    policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-reports/*"}],
        }
    ),
)
k8s.helm.v3.Release(
    "metrics-server",
    chart="metrics-server",
    version="3.13.1",
    repository_opts={"repo": "https://kubernetes-sigs.github.io/metrics-server"},
    namespace="kube-system",
)
