"""EBS volumes encrypted with a customer-managed key wherever they are defined: standalone volumes,
instances, spot requests and spot fleet launch specifications, launch templates and configurations, EKS node groups (managed,
self-managed and pulumi-eks's default one), or EBS encryption by default for the account.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import Severity, StackValidationArgs

from ..helpers import (
    SPOT_FLEET,
    Deferred,
    as_list,
    get,
    in_regions,
    key_ref,
    launch_specifications,
    of_type,
    provider_region,
    truthy,
)
from ..registry import Controls, Report, config_value, stack_policy
from .shared import _cmk


def _ebs_problem(block: Any, where: str, account_default: bool) -> str | None:
    """With EBS encryption by default (customer-managed default key) every new volume is
    encrypted with that key, unless a block names an AWS-managed key explicitly."""
    key = key_ref(block, "kmsKeyId")
    if account_default:
        return f"{where} names the AWS-managed key {key}" if key and not _cmk(key) else None
    if not truthy(get(block, "encrypted")):
        return f"{where} is not encrypted"
    if not _cmk(key):
        return f"{where} is encrypted with the AWS-managed aws/ebs key"
    return None


ENCRYPTION_BY_DEFAULT = "aws:ebs/encryptionByDefault:EncryptionByDefault"
DEFAULT_KMS_KEY = "aws:ebs/defaultKmsKey:DefaultKmsKey"
INSTANCES = ("aws:ec2/instance:Instance", "aws:ec2/spotInstanceRequest:SpotInstanceRequest")
LAUNCH_CONFIGURATION = "aws:ec2/launchConfiguration:LaunchConfiguration"
SELF_MANAGED_NODE_GROUPS = ("eks:index:NodeGroup", "eks:index:NodeGroupV2")


def _block_device_problems(root: Any, devices: list[Any], account_default: bool, root_from_template: bool) -> list[str]:
    """Problems of the root and extra EBS devices an instance, launch configuration or spot fleet
    launch specification declares. A root volume without settings comes unencrypted from the AMI,
    unless encryption by default covers it or (`root_from_template`) a launch template gives its
    settings."""
    problems: list[str] = []
    if root is None:
        if not root_from_template and not account_default:
            problems.append("the root volume has no encryption settings (it comes unencrypted from the AMI)")
    elif problem := _ebs_problem(root, "the root volume", account_default):
        problems.append(problem)
    for i, dev in enumerate(devices):
        if problem := _ebs_problem(
            dev, f"EBS device #{i + 1} ({get(dev, 'deviceName', default='?')})", account_default
        ):
            problems.append(problem)
    return problems


def _instance_devices(p: Any, account_default: bool, root_from_template: bool) -> list[str]:
    """Problems of the devices of an instance, spot instance request or launch configuration."""
    return _block_device_problems(
        get(p, "rootBlockDevice"), as_list(get(p, "ebsBlockDevices")), account_default, root_from_template
    )


def _account_default(args: StackValidationArgs) -> bool | set[str | None]:
    """EBS encryption by default with a customer-managed default key: True when set outside the
    stack (config), else the Regions where this program sets both (aws.ebs.EncryptionByDefault and
    aws.ebs.DefaultKmsKey through a provider of that Region): the setting is per account and
    Region, so one made through another Region's provider protects no volume here."""
    if bool(config_value(args, "accountEncryptionByDefault", False)):
        return True
    enabled = {
        provider_region(r)
        for r in of_type(args.resources, ENCRYPTION_BY_DEFAULT)
        if truthy(get(r.props, "enabled", default=True))
    }
    keyed = {provider_region(r) for r in of_type(args.resources, DEFAULT_KMS_KEY) if _cmk(key_ref(r.props, "keyArn"))}
    return enabled & keyed


def _ebs(args: StackValidationArgs, report: Report) -> None:
    defaults = _account_default(args)
    fix = "Set encrypted=True and kms_key_id=<customer-managed key ARN>"
    deferred = Deferred()

    def check(r: Any) -> None:
        p = r.props
        account_default = defaults is True or (isinstance(defaults, set) and in_regions(r, defaults))
        problems: list[str] = []
        t = r.resource_type
        if t == "aws:ebs/volume:Volume":
            if problem := _ebs_problem(p, "the volume", account_default):
                problems.append(problem)
        elif t == ENCRYPTION_BY_DEFAULT:
            if not truthy(get(p, "enabled", default=True)):
                problems.append(
                    "it turns EBS encryption by default off for the account and region, so every volume created without explicit settings is unencrypted"
                )
        elif t == DEFAULT_KMS_KEY:
            if not _cmk(key_ref(p, "keyArn")):
                problems.append(
                    f"it makes the AWS-managed key {get(p, 'keyArn')} the account's default EBS key (set key_arn=<customer-managed key ARN>)"
                )
        elif t == LAUNCH_CONFIGURATION:
            problems += _instance_devices(p, account_default, root_from_template=False)
            if problems:
                problems.append(
                    "a launch configuration cannot name a KMS key: use an aws.ec2.LaunchTemplate, or EBS encryption by default with a customer-managed default key"
                )
        elif t in INSTANCES:
            problems += _instance_devices(p, account_default, root_from_template=bool(get(p, "launchTemplate")))
        elif t == SPOT_FLEET:
            for label, spec in launch_specifications(p):
                # The SDK takes the root device as a list (`root_block_devices`) of at most one.
                root = next(iter(as_list(get(spec, "rootBlockDevices"))), None)
                devices = as_list(get(spec, "ebsBlockDevices"))
                problems += [
                    f"{label}: {problem}"
                    for problem in _block_device_problems(root, devices, account_default, root_from_template=False)
                ]
        elif t == "aws:ec2/launchTemplate:LaunchTemplate":
            mappings = [m for m in as_list(get(p, "blockDeviceMappings")) if get(m, "ebs") is not None]
            if not mappings and not account_default:
                problems.append("it has no EBS block device mappings, so volumes come unencrypted from the AMI")
            for m in mappings:
                if problem := _ebs_problem(
                    get(m, "ebs"), f"block device {get(m, 'deviceName', default='?')}", account_default
                ):
                    problems.append(problem)
        elif t == "eks:index:Cluster":
            skipped = (
                truthy(get(p, "skipDefaultNodeGroup"))
                or get(p, "fargate") is not None
                or get(p, "autoMode") is not None
            )
            if not skipped and not account_default:
                problems.append(
                    "the default node group's root volumes are encrypted with the account's default EBS key (aws/ebs): "
                    "the component cannot name a KMS key"
                    if truthy(get(p, "nodeRootVolumeEncrypted"))
                    else "the default node group's root volumes are unencrypted (node_root_volume_encrypted is off)"
                )
        elif t in SELF_MANAGED_NODE_GROUPS and not account_default:
            if not truthy(get(p, "nodeRootVolumeEncrypted")):
                ignored = (
                    " (encrypt_root_block_device is accepted but ignored by pulumi-eks, pulumi/pulumi-eks#926)"
                    if truthy(get(p, "encryptRootBlockDevice"))
                    else ""
                )
                problems.append(f"its nodes' root volumes are unencrypted (node_root_volume_encrypted is off){ignored}")
            else:
                problems.append(
                    "its nodes' root volumes are encrypted with the account's default EBS key (aws/ebs): the component cannot name a KMS key"
                )
        elif (
            t in ("eks:index:ManagedNodeGroup", "aws:eks/nodeGroup:NodeGroup")
            and get(p, "launchTemplate") is None
            and not account_default
        ):
            problems.append(
                "its nodes use EKS's default launch template, whose volumes are unencrypted unless EBS encryption by default is on"
            )
        if problems:
            how = (
                "Set node_root_volume_encrypted=True and enable aws.ebs.EncryptionByDefault with a customer-managed "
                "aws.ebs.DefaultKmsKey (or set accountEncryptionByDefault when the landing zone enforces both)"
                if t in SELF_MANAGED_NODE_GROUPS
                else f"{fix} on every EBS block device (or enable aws.ebs.EncryptionByDefault with an aws.ebs.DefaultKmsKey)"
            )
            report(f"{r.resource_type.split(':')[-1]} '{r.name}': " + "; ".join(problems) + f". {how}.", r.urn)

    for r in of_type(args.resources, *EBS_TYPES):
        deferred.run(check, r)
    deferred.finish()


EBS_TYPES = (
    "aws:ebs/volume:Volume",
    *INSTANCES,
    SPOT_FLEET,
    "aws:ec2/launchTemplate:LaunchTemplate",
    LAUNCH_CONFIGURATION,
    "eks:index:Cluster",
    "eks:index:ManagedNodeGroup",
    "aws:eks/nodeGroup:NodeGroup",
    *SELF_MANAGED_NODE_GROUPS,
    ENCRYPTION_BY_DEFAULT,
    DEFAULT_KMS_KEY,
)


ebs_encrypted = stack_policy(
    "ebs-encrypted-with-cmk",
    category="encryption-at-rest",
    description="EBS volumes (standalone, instance, spot instance and fleet request, launch template/configuration and EKS node volumes) are encrypted with a customer-managed key; EBS encryption by default is never turned off or pointed at an AWS-managed key.",
    severity=Severity.HIGH,
    controls=Controls(soc2=("CC6.1", "C1.1"), iso27001=("A.8.24",), pci=("3.5.1",), cis=("2.2.1",)),
    remediation="Set encrypted=True and kms_key_id on every EBS block device (volume, instance root/EBS devices, launch template mappings), or turn on aws.ebs.EncryptionByDefault with a customer-managed aws.ebs.DefaultKmsKey (the only way for pulumi-eks self-managed node groups, which cannot name a key).",
    validate=_ebs,
    types=EBS_TYPES,
    covers=(
        "AwsSolutions-EC26",
        "CKV_AWS_3",
        "CKV_AWS_8",
        "CKV_AWS_106",
        "CKV_AWS_189",
        "CKV2_AWS_2",
        "awsguard:encrypted-volumes",
    ),
    config={
        "accountEncryptionByDefault": {
            "type": "boolean",
            "default": False,
            "description": "EBS encryption by default with a customer-managed key is enforced outside this stack (e.g. by the landing zone).",
        }
    },
)

POLICIES = [ebs_encrypted]
