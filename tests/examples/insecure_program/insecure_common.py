"""What every part of the insecure program shares: the account, Region and certificate it pretends
to deploy into, and the identity and resource policies whose mistakes the pack must catch."""

import json

ACCOUNT = "123456789012"
REGION = "us-east-1"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
CERT = f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/00000000-0000-0000-0000-000000000000"


def doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def wide_identity() -> str:
    """An identity policy with every least-privilege mistake the pack knows."""
    return doc(
        {"Sid": "Everything", "Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Allow", "Action": ["s3:Put*", "s3:GetObject"], "Resource": "*"},
        {"Sid": "AllButIam", "Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
        {"Sid": "PassAny", "Effect": "Allow", "Action": ["iam:PassRole", "ec2:RunInstances"], "Resource": "*"},
        {"Sid": "Typo", "Effect": "Allow", "Action": "s3:GetObjectt", "Resource": "arn:aws:s3:::bucket/*"},
    )


def public_resource(service: str, resource: str = "*") -> str:
    """A resource policy open to everyone, with a NotAction allow and a misspelled action."""
    return doc(
        {"Sid": "Anyone", "Effect": "Allow", "Principal": "*", "Action": f"{service}:*", "Resource": resource},
        {
            "Sid": "AllButLists",
            "Effect": "Allow",
            "Principal": {"AWS": ROOT},
            "NotAction": f"{service}:List*",
            "Resource": resource,
        },
        {
            "Sid": "Typo",
            "Effect": "Allow",
            "Principal": {"AWS": ROOT},
            "Action": f"{service}:NoSuchActionn",
            "Resource": resource,
        },
    )
