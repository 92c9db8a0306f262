"""The types and properties the pack names exist in the installed pulumi-aws SDK: a misspelt token
or property would make a policy pass silently, since nothing in a program ever matches it."""

from __future__ import annotations

import importlib
import re

import pulumi_aws  # noqa: F401  (registers the SDK's type tokens)
import pytest

from offline_preview.sdk_schema import _getters, _registered_tokens, _sdk_classes
from platform_policies import REGISTRY
from platform_policies.exposure.resource_policies import EXPOSURE_POLICY_DOCUMENTS
from platform_policies.least_privilege.documents import DOCUMENT_PROPS

AWS_TYPES = sorted(
    {t for info in REGISTRY for t in (*info.resource_types, *info.links) if t.startswith("aws:") and "*" not in t}
)
PROPERTY_PATHS = sorted(
    {(t, prop) for t, props in DOCUMENT_PROPS.items() for prop, _ in props}
    | {(t, prop) for t, prop in EXPOSURE_POLICY_DOCUMENTS.items()}
)
SHARING_PROPERTIES = [
    ("aws:cloudwatch/eventPermission:EventPermission", "principal"),
    ("aws:cloudwatch/eventPermission:EventPermission", "condition.key"),
    ("aws:cloudwatch/eventPermission:EventPermission", "condition.value"),
    ("aws:ec2/vpcEndpointService:VpcEndpointService", "allowedPrincipals"),
    ("aws:ec2/vpcEndpointServiceAllowedPrinciple:VpcEndpointServiceAllowedPrinciple", "principalArn"),
    ("aws:ec2/amiLaunchPermission:AmiLaunchPermission", "group"),
    (
        "aws:imagebuilder/distributionConfiguration:DistributionConfiguration",
        "distributions.amiDistributionConfiguration.launchPermission.userGroups",
    ),
    ("aws:lambda/layerVersionPermission:LayerVersionPermission", "principal"),
    ("aws:lambda/layerVersionPermission:LayerVersionPermission", "organizationId"),
    ("aws:ssm/document:Document", "permissions"),
    ("aws:rds/snapshot:Snapshot", "sharedAccounts"),
    ("aws:rds/clusterSnapshot:ClusterSnapshot", "sharedAccounts"),
    ("aws:rds/snapshotCopy:SnapshotCopy", "sharedAccounts"),
    ("aws:rds/clusterSnapshotCopy:ClusterSnapshotCopy", "sharedAccounts"),
]
"""The inputs the exposure policies read to find sharing with everyone outside a document."""
_ARGS_CLASS = re.compile(r"ForwardRef\('(\w+Args)'\)")


def _input_path_exists(type_token: str, path: str) -> bool:
    """Whether `path` (wire names, a dot stepping into an object input) is an input of the type."""
    _, args_cls = _sdk_classes(type_token)
    module = importlib.import_module(args_cls.__module__.rsplit(".", 1)[0]) if args_cls else None
    for step in path.split("."):
        if args_cls is None or module is None:
            return False
        annotation = _getters(args_cls).get(step)
        if annotation is None:
            return False
        nested = _ARGS_CLASS.search(annotation)
        args_cls = getattr(module, nested.group(1), None) if nested else None
    return True


@pytest.mark.parametrize("type_token", AWS_TYPES)
def test_declared_types_are_pulumi_aws_types(type_token: str) -> None:
    assert type_token in set(_registered_tokens().values()), type_token


@pytest.mark.parametrize(
    ("type_token", "path"),
    [*PROPERTY_PATHS, *SHARING_PROPERTIES],
    ids=[f"{t}|{p}" for t, p in [*PROPERTY_PATHS, *SHARING_PROPERTIES]],
)
def test_policy_document_and_sharing_properties_are_inputs_of_their_type(type_token: str, path: str) -> None:
    assert _input_path_exists(type_token, path), f"{type_token} has no input {path}"


def test_a_misspelt_token_or_property_is_caught() -> None:
    assert "aws:glacier/vault:Vaults" not in set(_registered_tokens().values())
    assert not _input_path_exists("aws:glacier/vault:Vault", "access_policy")
    mrap = "aws:s3control/multiRegionAccessPointPolicy:MultiRegionAccessPointPolicy"
    assert not _input_path_exists(mrap, "details.doc")
    assert _input_path_exists(mrap, "details.policy")
