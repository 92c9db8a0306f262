"""What every part of the compliant program shares: the account, Region and certificate it
pretends to deploy into, protection for stateful resources, and policy documents."""

import json

import pulumi

ACCOUNT = "123456789012"
REGION = "us-east-1"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
CERT = f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/00000000-0000-0000-0000-000000000000"
PROTECT = pulumi.ResourceOptions(protect=True)
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"


def doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
