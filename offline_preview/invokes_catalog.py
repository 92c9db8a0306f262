"""Offline answers for data sources that look up things AWS publishes (CloudFront's managed
policies) or that a program reads from its own account's network (route tables, VPC and security
group lists, prefix lists, the caller's session and canonical user).

Managed policies have fixed, published ids (CloudFront Developer Guide, "Use managed cache
policies", "Use managed origin request policies", "Use managed response headers policies"), so a
name this table knows is answered with AWS's id; any other name is a policy of the account, which
offline nobody can read: the invoke stays unanswered and is listed in the report. Account lookups
give plausible, stable ids in the real formats, derived from the arguments.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_POLICY_IDS: dict[str, dict[str, str]] = {
    "cachePolicy": {
        "Managed-CachingOptimized": "658327ea-f89d-4fab-a63d-7e88639e58f6",
        "Managed-CachingDisabled": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
    },
    "originRequestPolicy": {
        "Managed-AllViewer": "216adef6-5c7f-47e4-b989-5492eafa07d3",
        "Managed-AllViewerExceptHostHeader": "b689b0a8-53d0-40ab-baf2-68738e2966ac",
        "Managed-CORS-S3Origin": "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf",
        "Managed-CORS-CustomOrigin": "59781a5b-3903-41f3-afcb-af62929ccde1",
    },
    "responseHeadersPolicy": {
        "Managed-SecurityHeadersPolicy": "67f7725c-6f97-4210-82d7-5512b31e9d03",
        "Managed-SimpleCORS": "60669652-455b-4ae9-85a4-c4c02393f86c",
        "Managed-CORS-With-Preflight": "5cc3b908-e619-4b99-88e5-2cf7f45965bd",
        "Managed-CORS-and-SecurityHeadersPolicy": "e61eb60c-9c35-4d20-a928-2b84e02af89c",
        "Managed-CORS-with-preflight-and-SecurityHeadersPolicy": "eaab4381-ed33-4a86-88ca-d9558dc6cd63",
    },
}


def _managed_policy(kind: str) -> Callable[[dict[str, Any], str], dict[str, Any] | None]:
    def answer(args: dict[str, Any], region: str) -> dict[str, Any] | None:
        by_name = _POLICY_IDS[kind]
        by_id = {v: k for k, v in by_name.items()}
        name = str(args.get("name") or "")
        if name and not name.startswith("Managed-"):
            name = f"Managed-{name}" if f"Managed-{name}" in by_name else name
        pid = by_name.get(name) or (str(args["id"]) if args.get("id") in by_id else None)
        if pid is None:
            return None  # a policy of the account: unknown offline, reported as unanswered
        return {"id": pid, "name": by_id[pid], "etag": "E" + pid.replace("-", "")[:13].upper(), "comment": ""}

    return answer


Hex = Callable[[Any, int], str]


def filter_value(args: dict[str, Any], name: str) -> str | None:
    """The first value of the data source filter `name` (`{"name": "vpc-id", "values": [...]}`)."""
    for f in args.get("filters") or []:
        if isinstance(f, dict) and f.get("name") == name and f.get("values"):
            return str(f["values"][0])
    return None


_ENABLED_BY_DEFAULT = [
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ca-central-1",
    "eu-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-north-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "sa-east-1",
]
"""The Regions enabled in every new account (AWS Account Management guide, "Enable or disable AWS
Regions": Regions introduced before 20 March 2019); later ones are opt-in."""


def regions_answer(known_regions: Callable[[], list[str]]) -> Callable[[dict[str, Any], str], dict[str, Any]]:
    """`get_regions`: the Regions of the provider Region's partition that an account has, by
    default those enabled in every new account, with `all_regions` every one this project knows."""

    def answer(args: dict[str, Any], region: str) -> dict[str, Any]:
        prefix = "cn-" if region.startswith("cn-") else "us-gov-" if region.startswith("us-gov-") else ""
        same = [
            r for r in known_regions() if (r.startswith(prefix) if prefix else not r.startswith(("cn-", "us-gov-")))
        ]
        names = same if args.get("allRegions") or prefix else [r for r in same if r in _ENABLED_BY_DEFAULT]
        return {
            "id": region,
            "names": sorted(names),
            "allRegions": bool(args.get("allRegions")),
            "filters": args.get("filters"),
        }

    return answer


def account_lookups(hex_of: Hex, account: str, partition: str, default_vpc: Callable[[str], str]) -> dict[str, Any]:
    """The account-network answers, sharing the id derivation of the other invokes."""

    def route_table(args: dict[str, Any], region: str) -> dict[str, Any]:
        vpc = str(args.get("vpcId") or filter_value(args, "vpc-id") or default_vpc(region))
        rid = str(args.get("routeTableId") or f"rtb-{hex_of([region, args], 17)}")
        subnet = args.get("subnetId") or ""
        return {
            "id": rid,
            "routeTableId": rid,
            "arn": f"arn:{partition}:ec2:{region}:{account}:route-table/{rid}",
            "vpcId": vpc,
            "subnetId": subnet,
            "gatewayId": args.get("gatewayId") or "",
            "ownerId": account,
            "routes": [],
            "associations": [
                {
                    "routeTableAssociationId": f"rtbassoc-{hex_of([rid, subnet], 17)}",
                    "routeTableId": rid,
                    "subnetId": subnet,
                    "gatewayId": "",
                    "main": not subnet,
                }
            ],
            "tags": args.get("tags") or {},
        }

    def vpcs(args: dict[str, Any], region: str) -> dict[str, Any]:
        return {"id": region, "ids": [default_vpc(region)], "tags": args.get("tags") or {}}

    def security_groups(args: dict[str, Any], region: str) -> dict[str, Any]:
        vpc = filter_value(args, "vpc-id") or default_vpc(region)
        sid = f"sg-{hex_of([region, args], 17)}"
        return {
            "id": region,
            "ids": [sid],
            "vpcIds": [vpc],
            "arns": [f"arn:{partition}:ec2:{region}:{account}:security-group/{sid}"],
        }

    def prefix_list(args: dict[str, Any], region: str) -> dict[str, Any]:
        name = str(args.get("name") or filter_value(args, "prefix-list-name") or "")
        pid = str(args.get("id") or args.get("prefixListId") or f"pl-{hex_of([region, name], 8)}")
        return {
            "id": pid,
            "prefixListId": pid,
            "name": name,
            "arn": f"arn:{partition}:ec2:{region}:aws:prefix-list/{pid}",
            "addressFamily": "IPv4",
            "maxEntries": 0,
            "ownerId": "AWS" if name.startswith("com.amazonaws.") else account,
            "cidrBlocks": [],
            "entries": [],
            "version": 1,
            "tags": {},
        }

    def canonical_user(args: dict[str, Any], region: str) -> dict[str, Any]:
        return {"id": hex_of([account, "canonical"], 64), "displayName": "offline-preview"}

    def session_context(args: dict[str, Any], region: str) -> dict[str, Any]:
        arn = str(args.get("arn") or f"arn:{partition}:sts::{account}:assumed-role/deployer/session")
        role = arn.split(":", 5)[-1].split("/")
        name = role[1] if len(role) > 1 else role[-1]
        issuer = f"arn:{partition}:iam::{account}:role/{name}" if role[0] == "assumed-role" else arn
        return {
            "id": arn,
            "arn": arn,
            "issuerArn": issuer,
            "issuerId": "AROA" + hex_of(issuer, 17).upper(),
            "issuerName": name,
            "sessionName": role[-1] if role[0] == "assumed-role" else "",
        }

    return {
        "aws:ec2/getRouteTable:getRouteTable": route_table,
        "aws:ec2/getVpcs:getVpcs": vpcs,
        "aws:ec2/getSecurityGroups:getSecurityGroups": security_groups,
        "aws:ec2/getPrefixList:getPrefixList": prefix_list,
        "aws:ec2/getManagedPrefixList:getManagedPrefixList": prefix_list,
        "aws:s3/getCanonicalUserId:getCanonicalUserId": canonical_user,
        "aws:iam/getSessionContext:getSessionContext": session_context,
    }


MANAGED_POLICIES: dict[str, Callable[[dict[str, Any], str], dict[str, Any] | None]] = {
    "aws:cloudfront/getCachePolicy:getCachePolicy": _managed_policy("cachePolicy"),
    "aws:cloudfront/getOriginRequestPolicy:getOriginRequestPolicy": _managed_policy("originRequestPolicy"),
    "aws:cloudfront/getResponseHeadersPolicy:getResponseHeadersPolicy": _managed_policy("responseHeadersPolicy"),
}
