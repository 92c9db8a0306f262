"""Compute reachable from outside: the EKS API endpoint, instance metadata (IMDSv2 on instances,
spot fleets, launch templates and EKS nodes), public IP addresses of instances, spot fleets, ECS
tasks and EKS nodes, and managed compute that reaches or is reached from the internet (SageMaker
notebooks, EMR clusters).
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import ResourceValidationArgs, Severity

from ..helpers import SPOT_FLEET, as_list, get, given, is_world, launch_specifications, number, truthy
from ..registry import Controls, Report, config_value, resource_policy
from .shared import NETWORK

INSTANCES = ("aws:ec2/instance:Instance", "aws:ec2/spotInstanceRequest:SpotInstanceRequest")
LAUNCH_CONFIGURATION = "aws:ec2/launchConfiguration:LaunchConfiguration"


def _eks_endpoint(args: ResourceValidationArgs, report: Report) -> None:
    p = args.props
    if args.resource_type == "eks:index:Cluster":
        public = truthy(get(p, "endpointPublicAccess", default=True))
        cidrs = [str(c) for c in as_list(get(p, "publicAccessCidrs"))]
        fix = "Set endpoint_public_access=False and endpoint_private_access=True (reach the API through the VPC)"
    else:
        vpc = get(p, "vpcConfig") or {}
        public = truthy(get(vpc, "endpointPublicAccess", default=True))
        cidrs = [str(c) for c in as_list(get(vpc, "publicAccessCidrs"))]
        fix = "Set vpc_config.endpoint_public_access=False and endpoint_private_access=True"
    if not public:
        return
    open_to = [c for c in cidrs if is_world(c)] or (["0.0.0.0/0 (the default)"] if not cidrs else [])
    allow_restricted = bool(config_value(args, "allowRestrictedPublicEndpoint", True))
    if open_to or not allow_restricted:
        report(
            f"EKS cluster '{args.name}' exposes its Kubernetes API endpoint publicly"
            + (f" to {', '.join(open_to)}" if open_to else "")
            + f". {fix}, or at least restrict public_access_cidrs to known networks."
        )


eks_endpoint = resource_policy(
    "eks-endpoint-not-public",
    category="exposure",
    description="The EKS API server endpoint is private, or public only to listed CIDRs (never 0.0.0.0/0; pulumi-eks and EKS default to public).",
    severity=Severity.HIGH,
    controls=NETWORK,
    remediation="endpoint_public_access=False and endpoint_private_access=True (aws.eks.Cluster vpc_config or eks.Cluster args); if public access is needed, set public_access_cidrs.",
    validate=_eks_endpoint,
    types=("aws:eks/cluster:Cluster", "eks:index:Cluster"),
    covers=("AwsSolutions-EKS1", "CKV_AWS_38", "CKV_AWS_39"),
    config={
        "allowRestrictedPublicEndpoint": {
            "type": "boolean",
            "default": True,
            "description": "Accept a public endpoint restricted to listed CIDRs (set False to require private-only).",
        }
    },
)


SELF_MANAGED_NODE_GROUPS = ("eks:index:NodeGroup", "eks:index:NodeGroupV2")
"""pulumi-eks self-managed node groups (v1: launch configuration and CloudFormation ASG; v2: launch
template and ASG). Remote components: CrossGuard judges their inputs (camelCase wire names)."""


def _self_managed_imds(p: Any) -> str | None:
    """Why IMDSv1 may stay on, or None: only an EKS-optimized AL2023 AMI (registered with
    ImdsSupport v2.0) makes IMDSv2 required when the launch settings say nothing."""
    if get(p, "amiId") is not None:
        return "runs a custom AMI (ami_id), whose IMDS support is unknown, so its nodes may allow IMDSv1"
    os_ = get(p, "operatingSystem")
    if os_ is None:
        return "does not pin operating_system, so whether its nodes allow IMDSv1 depends on the AMI pulumi-eks recommends at the time"
    if str(os_) != "AL2023":
        return f"runs {os_} nodes, whose AMI is not registered to require IMDSv2 (EKS-optimized AL2 AMIs allow IMDSv1)"
    ami_type = get(p, "amiType")
    if ami_type is not None and "2023" not in str(ami_type):
        return f"asks for AMI type {ami_type}, which is not AL2023, so its nodes may allow IMDSv1"
    return None


def _managed_node_ami(p: Any) -> str:
    """The AMI type of an EKS managed node group: its `ami_type`, else EKS's default, AL2023 from
    Kubernetes 1.30 (AL2 before; https://docs.aws.amazon.com/eks/latest/eksctl/node-bootstrapping.html).
    A node group without `version` follows its cluster, whose default version is the latest. AL2023
    EKS-optimized AMIs require IMDSv2 (https://docs.aws.amazon.com/linux/al2023/ug/imdsv2.html)."""
    ami = get(p, "amiType")
    if isinstance(ami, str) and ami:
        return ami
    version = str(get(p, "version", default=""))
    major, _, minor = version.partition(".")
    if major.isdigit() and minor.isdigit() and (int(major), int(minor)) < (1, 30):
        return "AL2_x86_64"
    return "AL2023_x86_64_STANDARD"


def _imdsv2(args: ResourceValidationArgs, report: Report) -> None:
    p = args.props
    t = args.resource_type
    fix = "Set metadata_options={http_tokens: 'required', http_endpoint: 'enabled', http_put_response_hop_limit: 1 (2 for EKS nodes)}"
    if t in (*INSTANCES, "aws:ec2/launchTemplate:LaunchTemplate", LAUNCH_CONFIGURATION):
        if t in INSTANCES and get(p, "launchTemplate") is not None and get(p, "metadataOptions") is None:
            return  # settings come from the launch template, judged there
        opts = get(p, "metadataOptions") or {}
        if str(get(opts, "httpEndpoint", default="enabled")) == "disabled":
            return
        if get(opts, "httpTokens") != "required":
            report(
                f"'{args.name}' allows IMDSv1 (session-less metadata requests, the SSRF credential-theft path). {fix}."
            )
    elif t == SPOT_FLEET and launch_specifications(p):
        # A spot fleet launch specification has no metadata options (unlike RunInstances and launch
        # templates), so the AMI decides whether IMDSv1 answers:
        # https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_SpotFleetLaunchSpecification.html
        report(
            f"Spot fleet request '{args.name}' launches instances from launch_specifications, which cannot set metadata "
            "options, so they allow IMDSv1 unless the AMI requires IMDSv2. Use launch_template_configs with an "
            "aws.ec2.LaunchTemplate whose metadata_options.http_tokens is 'required'."
        )
    elif t == "eks:index:ManagedNodeGroup":
        if get(p, "launchTemplate") is None and not truthy(get(p, "enableIMDSv2")):
            report(
                f"Managed node group '{args.name}' allows IMDSv1. Set enable_imd_sv2=True (or pass a launch template that requires IMDSv2)."
            )
    elif t == "aws:eks/nodeGroup:NodeGroup":
        ami = _managed_node_ami(p)
        if get(p, "launchTemplate") is None and not ami.startswith("AL2023"):
            report(
                f"EKS node group '{args.name}' runs {ami} nodes from EKS's default launch template, which allows IMDSv1. "
                "Use ami_type 'AL2023_*' (its AMIs require IMDSv2) or give it a launch_template whose "
                "metadata_options.http_tokens is 'required' (hop limit 2)."
            )
    elif t == "eks:index:Cluster":
        skipped = (
            truthy(get(p, "skipDefaultNodeGroup")) or get(p, "fargate") is not None or get(p, "autoMode") is not None
        )
        if not skipped:
            report(
                f"EKS cluster '{args.name}' creates pulumi-eks's default node group, whose instances allow IMDSv1. Set skip_default_node_group=True and add managed node groups with enable_imd_sv2=True."
            )
    elif t in SELF_MANAGED_NODE_GROUPS and (problem := _self_managed_imds(p)):
        kind = "launch configuration" if t == "eks:index:NodeGroup" else "launch template"
        report(
            f"Self-managed node group '{args.name}' {problem}: pulumi-eks gives its {kind} no metadata options "
            "(the component has no input for them), so the AMI decides. Set operating_system=eks.OperatingSystem.AL2023 "
            "and no ami_id (EKS-optimized AL2023 AMIs require IMDSv2), or use eks.ManagedNodeGroup with enable_imd_sv2=True."
        )


imdsv2 = resource_policy(
    "ec2-imdsv2-required",
    category="exposure",
    description="EC2 instances, spot instance and spot fleet requests, launch templates and configurations, and EKS node groups require IMDSv2 (session tokens).",
    severity=Severity.HIGH,
    controls=Controls(soc2=("CC6.6", "CC6.8"), iso27001=("A.8.9",), pci=("2.2.1",), cis=("5.6",)),
    remediation="metadata_options.http_tokens='required' on instances and launch templates (spot fleets launch from such a template); enable_imd_sv2=True on eks.ManagedNodeGroup; operating_system=AL2023 (and no ami_id) on eks.NodeGroup/NodeGroupV2; skip pulumi-eks's default node group.",
    validate=_imdsv2,
    types=(
        *INSTANCES,
        SPOT_FLEET,
        "aws:ec2/launchTemplate:LaunchTemplate",
        LAUNCH_CONFIGURATION,
        "eks:index:ManagedNodeGroup",
        "eks:index:Cluster",
        "aws:eks/nodeGroup:NodeGroup",
        *SELF_MANAGED_NODE_GROUPS,
    ),
    covers=("CKV_AWS_79",),
)


TASK_LAUNCHERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "aws:cloudwatch/eventTarget:EventTarget": ("EventBridge target", ("ecsTarget", "networkConfiguration")),
    "aws:scheduler/schedule:Schedule": ("EventBridge schedule", ("target", "ecsParameters", "networkConfiguration")),
    "aws:pipes/pipe:Pipe": (
        "EventBridge pipe",
        ("targetParameters", "ecsTaskParameters", "networkConfiguration", "awsVpcConfiguration"),
    ),
}
"""What starts ECS tasks besides a service, and where their awsvpc settings are: the same
`assignPublicIp` gives a scheduled or event-driven task a public address (a bool, or "ENABLED" for
pipes)."""
ELASTIC_IPS: dict[str, dict[str, str]] = {
    "aws:ec2/eip:Eip": {"instance": "an instance", "networkInterface": "a network interface"},
    "aws:ec2/eipAssociation:EipAssociation": {"instanceId": "an instance", "networkInterfaceId": "a network interface"},
}
"""An Elastic IP bound to an instance or network interface gives it a public address however its
subnet and launch settings are set (a NAT gateway takes its Elastic IP by allocation id instead)."""


def _asks_public_ip(settings: Any) -> bool:
    """Whether instance settings (an instance, spot request, launch configuration or spot fleet
    launch specification) ask for a public IP address."""
    return truthy(get(settings, "associatePublicIpAddress"))


def _public_ip(args: ResourceValidationArgs, report: Report) -> None:
    p = args.props
    t = args.resource_type
    fix = "Set associate_public_ip_address=False; use a load balancer or SSM for access."
    if t in (*INSTANCES, LAUNCH_CONFIGURATION) and _asks_public_ip(p):
        kind = {INSTANCES[0]: "Instance", INSTANCES[1]: "Spot instance request"}.get(t, "Launch configuration")
        report(f"{kind} '{args.name}' gives instances a public IP. {fix}")
    elif t == SPOT_FLEET:
        for label, spec in launch_specifications(p):
            if _asks_public_ip(spec):
                report(f"Spot fleet request '{args.name}' {label} gives instances a public IP. {fix}")
    elif t == "aws:ec2/launchTemplate:LaunchTemplate":
        for i, nic in enumerate(as_list(get(p, "networkInterfaces"))):
            if truthy(get(nic, "associatePublicIpAddress")):
                report(
                    f"Launch template '{args.name}' network interface #{i + 1} associates a public IP. Set associate_public_ip_address='false'."
                )
    elif t in TASK_LAUNCHERS:
        what, path = TASK_LAUNCHERS[t]
        flag = get(p, *path, "assignPublicIp")
        if truthy(flag) or str(flag).upper() == "ENABLED":
            report(
                f"{what} '{args.name}' starts ECS tasks with public IPs. Set assign_public_ip to False "
                "(DISABLED for pipes) and run the tasks in private subnets with NAT or VPC endpoints."
            )
    elif t in ELASTIC_IPS:
        bound = [(prop, what) for prop, what in ELASTIC_IPS[t].items() if given(p, prop)]
        if bound:
            prop, what = bound[0]
            report(
                f"Elastic IP '{args.name}' is bound to {what} ({prop}), giving it a public address. Reach it "
                "through a load balancer or SSM, and give outbound traffic a NAT gateway."
            )
    elif t == "aws:ecs/service:Service" and truthy(get(p, "networkConfiguration", "assignPublicIp")):
        report(
            f"ECS service '{args.name}' assigns public IPs to its tasks. Set network_configuration.assign_public_ip=False and run tasks in private subnets with NAT or VPC endpoints."
        )
    elif t == "eks:index:Cluster" and truthy(
        # pulumi-eks gives the default node group public IPs unless told otherwise.
        get(p, "nodeAssociatePublicIpAddress", default=not truthy(get(p, "skipDefaultNodeGroup")))
    ):
        report(
            f"EKS cluster '{args.name}' gives its nodes public IPs (pulumi-eks's default for the default node group "
            "when node_associate_public_ip_address is not set). Set node_associate_public_ip_address=False."
        )
    elif t in SELF_MANAGED_NODE_GROUPS and truthy(get(p, "nodeAssociatePublicIpAddress", default=True)):
        report(
            f"Self-managed node group '{args.name}' gives its nodes public IPs (pulumi-eks's default when "
            "node_associate_public_ip_address is not set). Set node_associate_public_ip_address=False and use private node_subnet_ids."
        )


public_ip = resource_policy(
    "compute-no-public-ip",
    category="exposure",
    description="Instances, spot instance and spot fleet requests, launch templates and configurations, ECS tasks (of services, event targets, schedules and pipes), EKS nodes and Elastic IPs bound to instances or interfaces give no compute a public IP address.",
    severity=Severity.HIGH,
    controls=NETWORK,
    remediation="Disable public IP assignment; place compute in private subnets behind a load balancer and NAT/VPC endpoints.",
    validate=_public_ip,
    types=(
        *INSTANCES,
        SPOT_FLEET,
        "aws:ec2/launchTemplate:LaunchTemplate",
        LAUNCH_CONFIGURATION,
        "aws:ecs/service:Service",
        *TASK_LAUNCHERS,
        *ELASTIC_IPS,
        "eks:index:Cluster",
        *SELF_MANAGED_NODE_GROUPS,
    ),
    covers=("CKV_AWS_88", "CKV_AWS_333", "awsguard:ec2-instance-no-public-ip"),
)


NOTEBOOK = "aws:sagemaker/notebookInstance:NotebookInstance"
EMR_BLOCK_PUBLIC_ACCESS = "aws:emr/blockPublicAccessConfiguration:BlockPublicAccessConfiguration"


def _managed_compute(args: ResourceValidationArgs, report: Report) -> None:
    p = args.props
    if args.resource_type == NOTEBOOK:
        # Direct internet access is the default: the notebook runs in a SageMaker-managed VPC with
        # a route to the internet, outside the account's security groups, NACLs and flow logs
        # (https://docs.aws.amazon.com/sagemaker/latest/dg/appendix-notebook-and-internet-access.html).
        access = str(get(p, "directInternetAccess", default="Enabled"))
        if access.lower() != "disabled":
            report(
                f"SageMaker notebook '{args.name}' has direct internet access ('{access}'): whoever uses it can "
                "download code and send data anywhere, outside the VPC's controls. Set subnet_id, security_groups "
                "and direct_internet_access='Disabled' (reach AWS through VPC endpoints)."
            )
        return
    # EMR block public access refuses clusters whose security groups admit the world, except on
    # the listed port ranges (22 by default):
    # https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-block-public-access.html
    if get(p, "blockPublicSecurityGroupRules") is False:
        report(
            f"EMR block public access '{args.name}' is turned off (block_public_security_group_rules=False): "
            "clusters may launch with security groups open to the internet. Set it to True."
        )
        return
    for r in as_list(get(p, "permittedPublicSecurityGroupRuleRanges")):
        low = number(get(r, "minRange"))
        high = number(get(r, "maxRange"), low)
        if low is not None and high is not None and (low, high) != (22, 22):
            report(
                f"EMR block public access '{args.name}' lets clusters open ports {low:g}-{high:g} to the internet. "
                "Keep no exception, or port 22 alone."
            )


managed_compute = resource_policy(
    "managed-compute-not-internet-facing",
    category="exposure",
    description="SageMaker notebook instances have no direct internet access, and EMR block public access stays on (no exception beyond port 22).",
    severity=Severity.HIGH,
    controls=NETWORK.with_fsbp("SageMaker.1", "EMR.2"),
    remediation="Give notebooks a subnet and security groups with direct_internet_access='Disabled'; keep block_public_security_group_rules=True with at most port 22 permitted.",
    validate=_managed_compute,
    types=(NOTEBOOK, EMR_BLOCK_PUBLIC_ACCESS),
)


POLICIES = [eks_endpoint, imdsv2, public_ip, managed_compute]
