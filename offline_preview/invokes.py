"""Offline answers for the common data sources (invokes), in the provider's field names.

Data sources are read for real during `pulumi preview` as during `up`, so their answers are
concrete in both modes. Values follow the real formats (and, for availability zones and ELB log
accounts, the real per-Region values); what depends on an account (ids of a default VPC, secret
values) is plausible and stable, derived from the arguments. An invoke without an answer here is
answered from its SDK result type (see `generic_answer`) and listed in the report.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from .invokes_catalog import MANAGED_POLICIES, account_lookups, filter_value, regions_answer
from .invokes_std import STD_INVOKES
from .policy_documents import render_policy_document

ACCOUNT_ID = "123456789012"
PARTITION = "aws"
_DATA = Path(__file__).resolve().parent / "data"


def _hex(seed: Any, n: int) -> str:
    text = json.dumps(seed, sort_keys=True, default=str)
    out = ""
    counter = 0
    while len(out) < n:
        out += hashlib.sha256(f"{counter}:{text}".encode()).hexdigest()
        counter += 1
    return out[:n]


@cache
def _zones() -> dict[str, list[list[str]]]:
    return json.loads((_DATA / "availability_zones.json").read_text(encoding="utf-8"))["regions"]


def zones_of(region: str) -> list[tuple[str, str]]:
    """(name, zone id) of the Region's availability zones; three `a`-`c` zones for a Region the
    table does not know."""
    known = _zones().get(region)
    if known:
        return [(name, zid) for name, zid in known]
    short = "".join(p[0] for p in region.split("-")[:2]) + region.split("-")[-1]
    return [(f"{region}{ch}", f"{short}-az{i + 1}") for i, ch in enumerate("abc")]


def _azs(args: dict[str, Any], region: str) -> dict[str, Any]:
    zones = zones_of(region)
    excluded = set(args.get("excludeNames") or []) | set(args.get("excludeZoneIds") or [])
    zones = [(n, z) for n, z in zones if n not in excluded and z not in excluded]
    return {
        "id": region,
        "names": [n for n, _ in zones],
        "zoneIds": [z for _, z in zones],
        "state": args.get("state", "available"),
        "groupNames": [region],
    }


def _caller(args: dict[str, Any], region: str) -> dict[str, Any]:
    return {
        "id": ACCOUNT_ID,
        "accountId": ACCOUNT_ID,
        "arn": f"arn:{PARTITION}:sts::{ACCOUNT_ID}:assumed-role/platform-deployer/offline-preview",
        "userId": "AROAOFFLINEPREVIEW:offline-preview",
    }


def _partition(args: dict[str, Any], region: str) -> dict[str, Any]:
    return {"id": PARTITION, "partition": PARTITION, "dnsSuffix": "amazonaws.com", "reverseDnsPrefix": "com.amazonaws"}


def _region(args: dict[str, Any], region: str) -> dict[str, Any]:
    name = args.get("name") or args.get("region") or region
    return {"id": name, "name": name, "region": name, "endpoint": f"ec2.{name}.amazonaws.com", "description": name}


def _policy_document(args: dict[str, Any], region: str) -> dict[str, Any]:
    doc = render_policy_document(args)
    text = json.dumps(doc, indent=2)
    return {"id": str(int(_hex(text, 8), 16)), "json": text, "minifiedJson": json.dumps(doc, separators=(",", ":"))}


# Elastic Load Balancing account per Region, for access-log bucket policies (Regions opened since
# December 2021 use the log-delivery service principal instead and have no account here):
# https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html
_ELB_ACCOUNTS = {
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-1": "027434742980",
    "us-west-2": "797873946194",
    "af-south-1": "098369216593",
    "ap-east-1": "754344448648",
    "ap-northeast-1": "582318560864",
    "ap-northeast-2": "600734575887",
    "ap-northeast-3": "383597477331",
    "ap-south-1": "718504428378",
    "ap-southeast-1": "114774131450",
    "ap-southeast-2": "783225319266",
    "ca-central-1": "985666609251",
    "eu-central-1": "054676820928",
    "eu-north-1": "897822967062",
    "eu-south-1": "635631232127",
    "eu-west-1": "156460612806",
    "eu-west-2": "652711504416",
    "eu-west-3": "009996457667",
    "me-south-1": "076674570225",
    "sa-east-1": "507241528517",
}


def _elb_account(args: dict[str, Any], region: str) -> dict[str, Any] | None:
    reg = args.get("region") or region
    acct = _ELB_ACCOUNTS.get(reg)
    if acct is None:
        return None  # the provider fails for these Regions too: unanswered, and reported
    return {"id": acct, "arn": f"arn:{PARTITION}:iam::{acct}:root", "region": reg}


def _ami(args: dict[str, Any], region: str) -> dict[str, Any]:
    image = f"ami-{_hex([args, region], 17)}"
    owners = list(args.get("owners") or ["amazon"])
    arch = "arm64" if "arm64" in json.dumps(args.get("filters") or []) else "x86_64"
    return {
        "id": image,
        "imageId": image,
        "arn": f"arn:{PARTITION}:ec2:{region}::image/{image}",
        "architecture": arch,
        "name": f"offline-image-{_hex(args, 6)}",
        "ownerId": owners[0] if owners[0].isdigit() else "137112412989",
        "imageOwnerAlias": "amazon",
        "rootDeviceName": "/dev/xvda",
        "rootDeviceType": "ebs",
        "virtualizationType": "hvm",
        "state": "available",
        "owners": owners,
        "blockDeviceMappings": [],
        "filters": args.get("filters") or [],
        "tags": {},
    }


_DEFAULT_VPC_CIDR = "172.31.0.0/16"  # the default VPC's CIDR in every Region (Amazon VPC User Guide)


def _vpc_id(region: str, args: dict[str, Any]) -> str:
    return str(args.get("id") or f"vpc-{_hex([region, 'default' if args.get('default') else args], 17)}")


def _vpc(args: dict[str, Any], region: str) -> dict[str, Any]:
    vid = _vpc_id(region, args)
    return {
        "id": vid,
        "arn": f"arn:{PARTITION}:ec2:{region}:{ACCOUNT_ID}:vpc/{vid}",
        "cidrBlock": args.get("cidrBlock") or _DEFAULT_VPC_CIDR,
        "default": bool(args.get("default", False)),
        "enableDnsHostnames": True,
        "enableDnsSupport": True,
        "instanceTenancy": "default",
        "mainRouteTableId": f"rtb-{_hex([vid, 'rtb'], 17)}",
        "dhcpOptionsId": f"dopt-{_hex([vid, 'dopt'], 17)}",
        "ownerId": ACCOUNT_ID,
        "state": "available",
        "cidrBlockAssociations": [],
        "tags": args.get("tags") or {},
    }


def _subnets(args: dict[str, Any], region: str) -> dict[str, Any]:
    vpc = filter_value(args, "vpc-id") or _vpc_id(region, {"default": True})
    ids = [f"subnet-{_hex([vpc, name], 17)}" for name, _ in zones_of(region)]
    return {"id": region, "ids": ids, "filters": args.get("filters") or [], "tags": args.get("tags") or {}}


def _subnet(args: dict[str, Any], region: str) -> dict[str, Any]:
    zones = zones_of(region)
    sid = str(args.get("id") or f"subnet-{_hex([args, region], 17)}")
    index = int(_hex(sid, 2), 16) % len(zones)
    name, zone_id = zones[index]
    return {
        "id": sid,
        "arn": f"arn:{PARTITION}:ec2:{region}:{ACCOUNT_ID}:subnet/{sid}",
        "vpcId": args.get("vpcId") or _vpc_id(region, {"default": True}),
        "cidrBlock": args.get("cidrBlock") or f"172.31.{index * 16}.0/20",
        "availabilityZone": args.get("availabilityZone") or name,
        "availabilityZoneId": zone_id,
        "defaultForAz": bool(args.get("defaultForAz", False)),
        "mapPublicIpOnLaunch": bool(args.get("defaultForAz", False)),
        "state": "available",
        "ownerId": ACCOUNT_ID,
        "tags": args.get("tags") or {},
    }


def _security_group(args: dict[str, Any], region: str) -> dict[str, Any]:
    sid = str(args.get("id") or f"sg-{_hex([args, region], 17)}")
    return {
        "id": sid,
        "arn": f"arn:{PARTITION}:ec2:{region}:{ACCOUNT_ID}:security-group/{sid}",
        "name": args.get("name") or filter_value(args, "group-name") or "default",
        "vpcId": args.get("vpcId") or filter_value(args, "vpc-id") or _vpc_id(region, {"default": True}),
        "description": "offline preview security group",
        "tags": args.get("tags") or {},
    }


# AWS-managed policies programs commonly look up by name, with their paths (AWS Managed Policy
# Reference Guide, https://docs.aws.amazon.com/aws-managed-policy/latest/reference/policy-list.html).
# A name not listed may be the account's own policy, which cannot be read offline.
_AWS_MANAGED_POLICY_PATHS = {
    **dict.fromkeys(
        (
            "AdministratorAccess",
            "AdministratorAccess-Amplify",
            "AdministratorAccess-AWSElasticBeanstalk",
            "PowerUserAccess",
            "ReadOnlyAccess",
            "IAMFullAccess",
            "AWSOrganizationsFullAccess",
            "AmazonS3FullAccess",
            "AmazonS3ReadOnlyAccess",
            "AmazonDynamoDBFullAccess",
            "AmazonRDSFullAccess",
            "SecretsManagerReadWrite",
            "AWSLambda_FullAccess",
            "AmazonECS_FullAccess",
            "AmazonEC2FullAccess",
            "AmazonEC2ReadOnlyAccess",
            "AWSCloudFormationFullAccess",
            "AmazonSSMFullAccess",
            "AmazonSSMManagedInstanceCore",
            "CloudWatchLogsFullAccess",
            "CloudWatchAgentServerPolicy",
            "AmazonVPCFullAccess",
            "AmazonEKSClusterPolicy",
            "AmazonEKSWorkerNodePolicy",
            "AmazonEKS_CNI_Policy",
            "AmazonEC2ContainerRegistryReadOnly",
        ),
        "/",
    ),
    **dict.fromkeys(
        ("SystemAdministrator", "NetworkAdministrator", "DatabaseAdministrator", "ViewOnlyAccess"), "/job-function/"
    ),
    **dict.fromkeys(
        (
            "AmazonECSTaskExecutionRolePolicy",
            "AWSLambdaBasicExecutionRole",
            "AWSLambdaVPCAccessExecutionRole",
            "AWSBackupServiceRolePolicyForBackup",
        ),
        "/service-role/",
    ),
}
_EVERYTHING = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def _iam_policy(args: dict[str, Any], region: str) -> dict[str, Any] | None:
    """A policy by ARN, or an AWS-managed one by name (`get_policy(name="AdministratorAccess")`
    is AWS's, `arn:aws:iam::aws:policy/...`); the account's own policies are unanswered."""
    arn = str(args.get("arn") or "")
    name = str(args.get("name") or arn.rsplit("/", 1)[-1] or "")
    path = _AWS_MANAGED_POLICY_PATHS.get(name)
    if not arn:
        if path is None or args.get("pathPrefix") not in (None, "", path):
            return None
        arn = f"arn:{PARTITION}:iam::aws:policy{path}{name}"
    aws_managed = ":iam::aws:policy/" in arn
    if not aws_managed:
        return None  # the account's own policy: its document cannot be read offline
    document = _EVERYTHING if name == "AdministratorAccess" else {"Version": "2012-10-17", "Statement": []}
    return {
        "id": arn,
        "arn": arn,
        "name": name,
        "path": arn.split(":policy", 1)[1].rsplit("/", 1)[0] + "/",
        "policyId": "ANPA" + _hex(arn, 17).upper(),
        "description": "",
        # Only AdministratorAccess's document is known here; the others are not modelled.
        "policy": json.dumps(document),
        "attachmentCount": 0,
        "tags": {},
    }


def _role(args: dict[str, Any], region: str) -> dict[str, Any]:
    name = str(args.get("name") or "role")
    return {
        "id": name,
        "name": name,
        "arn": f"arn:{PARTITION}:iam::{ACCOUNT_ID}:role/{name}",
        "uniqueId": "AROA" + _hex(name, 17).upper(),
        "path": "/",
        "assumeRolePolicy": json.dumps({"Version": "2012-10-17", "Statement": []}),
        "maxSessionDuration": 3600,
        "tags": {},
    }


def _zone(args: dict[str, Any], region: str) -> dict[str, Any]:
    name = (args.get("name") or "example.com").rstrip(".") + "."
    zid = args.get("zoneId") or "Z" + _hex(name, 20).upper()
    return {
        "id": zid,
        "zoneId": zid,
        "name": name,
        "arn": f"arn:{PARTITION}:route53:::hostedzone/{zid}",
        "privateZone": bool(args.get("privateZone", False)),
        "nameServers": [f"ns-{i}.awsdns-{i:02d}.com" for i in range(4)],
        "resourceRecordSetCount": 2,
    }


def _certificate(args: dict[str, Any], region: str) -> dict[str, Any]:
    domain = str(args.get("domain") or "example.com")
    cid = _hex([domain, region], 32)
    uid = f"{cid[:8]}-{cid[8:12]}-{cid[12:16]}-{cid[16:20]}-{cid[20:32]}"
    arn = f"arn:{PARTITION}:acm:{region}:{ACCOUNT_ID}:certificate/{uid}"
    return {"id": arn, "arn": arn, "domain": domain, "status": "ISSUED", "statuses": ["ISSUED"], "tags": {}}


def _ssm_parameter(args: dict[str, Any], region: str) -> dict[str, Any]:
    """Public AMI parameters (`/aws/service/...ami...`) give an AMI id; others a placeholder string
    (offline there is no parameter store to read)."""
    name = str(args.get("name", ""))
    value = f"ami-{_hex([name, region], 17)}" if "ami" in name.lower() else f"offline-value-{_hex(name, 8)}"
    return {
        "id": name,
        "name": name,
        "value": value,
        "insecureValue": value,
        "type": "String",
        "version": 1,
        "arn": f"arn:{PARTITION}:ssm:{region}:{ACCOUNT_ID}:parameter{name if name.startswith('/') else '/' + name}",
    }


def _kms_key(args: dict[str, Any], region: str) -> dict[str, Any]:
    given = str(args.get("keyId", ""))
    raw = _hex([given, region], 32)
    kid = given if len(given) == 36 else f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:32]}"
    arn = given if given.startswith("arn:") else f"arn:{PARTITION}:kms:{region}:{ACCOUNT_ID}:key/{kid}"
    return {
        "id": kid,
        "arn": arn,
        "keyId": given or kid,
        "keyManager": "CUSTOMER",
        "keyState": "Enabled",
        "keyUsage": "ENCRYPT_DECRYPT",
        "keySpec": "SYMMETRIC_DEFAULT",
        "customerMasterKeySpec": "SYMMETRIC_DEFAULT",
        "enabled": True,
        "multiRegion": False,
        "description": "",
    }


def _kms_alias(args: dict[str, Any], region: str) -> dict[str, Any]:
    name = str(args.get("name") or "alias/offline")
    raw = _hex([name, region], 32)
    kid = f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:32]}"
    return {
        "id": name,
        "name": name,
        "arn": f"arn:{PARTITION}:kms:{region}:{ACCOUNT_ID}:{name}",
        "targetKeyId": kid,
        "targetKeyArn": f"arn:{PARTITION}:kms:{region}:{ACCOUNT_ID}:key/{kid}",
    }


def _secret(args: dict[str, Any], region: str) -> dict[str, Any]:
    name = str(args.get("name") or str(args.get("arn") or "secret").rsplit(":", 1)[-1])
    arn = str(args.get("arn") or f"arn:{PARTITION}:secretsmanager:{region}:{ACCOUNT_ID}:secret:{name}-{_hex(name, 6)}")
    return {"id": arn, "arn": arn, "name": name, "description": "", "kmsKeyId": "", "policy": "", "tags": {}}


def _secret_version(args: dict[str, Any], region: str) -> dict[str, Any]:
    """A placeholder value: offline there is no secret to read (and none is ever invented)."""
    secret = str(args.get("secretId", ""))
    arn = secret if secret.startswith("arn:") else _secret({"name": secret}, region)["arn"]
    version = _hex([secret, "v"], 32)
    return {
        "id": f"{secret}|AWSCURRENT",
        "arn": arn,
        "secretId": secret,
        "secretString": "offline-preview-placeholder",
        "secretBinary": "",
        "versionId": version,
        "versionStage": args.get("versionStage") or "AWSCURRENT",
        "versionStages": ["AWSCURRENT"],
        "createdDate": "2024-01-01T00:00:00Z",
    }


def _cluster_auth(args: dict[str, Any], region: str) -> dict[str, Any]:
    return {"id": args.get("name", ""), "name": args.get("name", ""), "token": "k8s-aws-v1.offline"}


def _ecr_token(args: dict[str, Any], region: str) -> dict[str, Any]:
    registry = str(args.get("registryId") or ACCOUNT_ID)
    return {
        "id": region,
        "authorizationToken": "QVdTOm9mZmxpbmU=",
        "userName": "AWS",
        "password": "offline",
        "proxyEndpoint": f"https://{registry}.dkr.ecr.{region}.amazonaws.com",
        "expiresAt": "2099-01-01T00:00:00Z",
    }


def _ecr_credentials(args: dict[str, Any], region: str) -> dict[str, Any]:
    registry = str(args.get("registryId") or ACCOUNT_ID)
    return {
        "id": registry,
        "registryId": registry,
        "authorizationToken": "QVdTOm9mZmxpbmU=",  # base64 of "AWS:offline", the real shape
        "proxyEndpoint": f"https://{registry}.dkr.ecr.{region}.amazonaws.com",
        "expiresAt": "2099-01-01T00:00:00Z",
    }


Invoke = Callable[[dict[str, Any], str], "dict[str, Any] | None"]


def _native_cidr(args: dict[str, Any], region: str) -> dict[str, Any]:
    """CloudFormation's Fn::Cidr, as aws-native's `cidr` answers it: `count` consecutive blocks of
    `cidrBits` host bits each, from the start of `ipBlock`."""
    block = ipaddress.ip_network(str(args["ipBlock"]), strict=False)
    count, host_bits = int(args["count"]), int(args["cidrBits"])
    if not 1 <= count <= 256 or not 0 < host_bits <= block.max_prefixlen - block.prefixlen:
        raise ValueError(f"cidr: count {count} and cidrBits {host_bits} do not fit {block}")
    size = 2**host_bits
    start = int(block.network_address)
    if count * size > block.num_addresses:
        raise ValueError(f"cidr: {count} blocks of {size} addresses do not fit {block}")
    prefix = block.max_prefixlen - host_bits
    return {"subnets": [str(ipaddress.ip_network((start + i * size, prefix))) for i in range(count)]}


NATIVE_INVOKES: dict[str, Invoke] = {
    "aws-native:index:getAccountId": lambda args, region: {"accountId": ACCOUNT_ID},
    "aws-native:index:getRegion": lambda args, region: {"region": region},
    "aws-native:index:getPartition": lambda args, region: {"partition": PARTITION},
    "aws-native:index:getUrlSuffix": lambda args, region: {"urlSuffix": "amazonaws.com"},
    "aws-native:index:getAzs": lambda args, region: {"azs": [n for n, _ in zones_of(args.get("region") or region)]},
    "aws-native:index:cidr": _native_cidr,
}
"""pulumi-aws-native's pseudo-parameter and intrinsic-function invokes (`AWS::AccountId`,
`Fn::GetAZs`, `Fn::Cidr`, ...), with the same account, partition and zones as pulumi-aws's."""


INVOKES: dict[str, Invoke] = {
    "aws:index/getAvailabilityZones:getAvailabilityZones": _azs,
    "aws:index/getCallerIdentity:getCallerIdentity": _caller,
    "aws:index/getPartition:getPartition": _partition,
    "aws:index/getRegion:getRegion": _region,
    "aws:iam/getPolicyDocument:getPolicyDocument": _policy_document,
    "aws:iam/getPolicy:getPolicy": _iam_policy,
    "aws:iam/getRole:getRole": _role,
    "aws:elb/getServiceAccount:getServiceAccount": _elb_account,
    "aws:lb/getServiceAccount:getServiceAccount": _elb_account,
    "aws:ec2/getAmi:getAmi": _ami,
    "aws:ec2/getVpc:getVpc": _vpc,
    "aws:ec2/getSubnets:getSubnets": _subnets,
    "aws:ec2/getSubnet:getSubnet": _subnet,
    "aws:ec2/getSecurityGroup:getSecurityGroup": _security_group,
    "aws:route53/getZone:getZone": _zone,
    "aws:acm/getCertificate:getCertificate": _certificate,
    "aws:ssm/getParameter:getParameter": _ssm_parameter,
    "aws:kms/getKey:getKey": _kms_key,
    "aws:kms/getAlias:getAlias": _kms_alias,
    "aws:secretsmanager/getSecret:getSecret": _secret,
    "aws:secretsmanager/getSecretVersion:getSecretVersion": _secret_version,
    "aws:eks/getClusterAuth:getClusterAuth": _cluster_auth,
    "aws:ecr/getAuthorizationToken:getAuthorizationToken": _ecr_token,
    "aws:ecr/getCredentials:getCredentials": _ecr_credentials,
    "aws:index/getRegions:getRegions": regions_answer(lambda: sorted(_zones())),
    **NATIVE_INVOKES,
    **MANAGED_POLICIES,
    **STD_INVOKES,
    **account_lookups(_hex, ACCOUNT_ID, PARTITION, lambda region: _vpc_id(region, {"default": True})),
}
