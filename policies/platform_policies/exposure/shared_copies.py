"""Copies of data, machines and code shared with everyone: a database snapshot shared with `all`,
an AMI whose launch permission is the `all` group (granted directly or by an Image Builder
distribution), a Lambda layer version or an SSM document shared with every account, and the
account settings that block public sharing of EBS snapshots and AMIs turned off. Any AWS account
can then restore the database, launch the image or run the code (and read the secrets baked into
it).
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import ResourceValidationArgs, Severity

from ..helpers import as_list, get
from ..registry import Report, resource_policy
from .resource_policies import PUBLIC_DATA

DB_SNAPSHOTS = (
    "aws:rds/snapshot:Snapshot",
    "aws:rds/clusterSnapshot:ClusterSnapshot",
    "aws:rds/snapshotCopy:SnapshotCopy",
    "aws:rds/clusterSnapshotCopy:ClusterSnapshotCopy",
)
AMI_PERMISSION = "aws:ec2/amiLaunchPermission:AmiLaunchPermission"
AMI_DISTRIBUTION = "aws:imagebuilder/distributionConfiguration:DistributionConfiguration"
LAYER_PERMISSION = "aws:lambda/layerVersionPermission:LayerVersionPermission"
SSM_DOCUMENT = "aws:ssm/document:Document"
BLOCK_SETTINGS = {
    "aws:ebs/snapshotBlockPublicAccess:SnapshotBlockPublicAccess": "EBS snapshots",
    "aws:ec2/imageBlockPublicAccess:ImageBlockPublicAccess": "AMIs",
}


def _is_all(value: Any) -> bool:
    return str(value or "").strip().lower() == "all"


def _public_distributions(props: Any) -> list[str]:
    """Regions of an Image Builder distribution whose AMI launch permission names the `all` user
    group, EC2's public group (the distribution applies it to every AMI it copies there)."""
    return [
        str(get(d, "region", default="?"))
        for d in as_list(get(props, "distributions"))
        if any(_is_all(g) for g in as_list(get(d, "amiDistributionConfiguration", "launchPermission", "userGroups")))
    ]


def _document_shared_with_all(props: Any) -> bool:
    """`permissions = {type: Share, account_ids: ...}` with `All` among the comma-separated ids:
    "If you share a document publicly, you must specify All as the account ID"
    (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_ModifyDocumentPermission.html).
    The map's keys are the provider's own (`account_ids`), which the engine passes unchanged."""
    permissions = get(props, "permissions")
    ids = get(permissions, "account_ids")
    return str(get(permissions, "type") or "").lower() == "share" and any(_is_all(i) for i in str(ids or "").split(","))


def _shared_publicly(args: ResourceValidationArgs, report: Report) -> None:
    p = args.props
    if args.resource_type in DB_SNAPSHOTS:
        # `shared_accounts`: "Use `all` to make the snapshot public" (pulumi-aws rds.Snapshot).
        if any(_is_all(a) for a in as_list(get(p, "sharedAccounts"))):
            report(
                f"Database snapshot '{args.name}' is shared with 'all': any AWS account can restore it and read the "
                "database. Share it with named accounts only, or not at all."
            )
    elif args.resource_type == AMI_PERMISSION:
        if _is_all(get(p, "group")):
            report(
                f"Launch permission '{args.name}' makes the AMI public (group 'all'): any AWS account can launch it "
                "and read what is baked into it. Name an account, organization or OU instead."
            )
    elif args.resource_type == AMI_DISTRIBUTION:
        regions = _public_distributions(p)
        if regions:
            report(
                f"Image Builder distribution '{args.name}' makes its AMIs public in {', '.join(regions)} (launch permission "
                "user group 'all'): any AWS account can launch them. Use user_ids, organization_arns or organizational_unit_arns."
            )
    elif args.resource_type == LAYER_PERMISSION:
        # principal '*' without organization_id grants the layer version to all AWS accounts
        # (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-layerversionpermission.html).
        if str(get(p, "principal") or "").strip() == "*" and not str(get(p, "organizationId") or "").strip():
            report(
                f"Layer version permission '{args.name}' shares the layer with every AWS account (principal '*' "
                "without organization_id): anyone can download its code. Name an account, or set organization_id."
            )
    elif args.resource_type == SSM_DOCUMENT:
        if _document_shared_with_all(p):
            report(
                f"SSM document '{args.name}' is shared with 'All': it is public, and any AWS account can read and run it. "
                "Share it with named account IDs only."
            )
    elif args.resource_type in BLOCK_SETTINGS and str(get(p, "state") or "").strip().lower() == "unblocked":
        report(
            f"'{args.name}' turns off the account's block on public sharing of {BLOCK_SETTINGS[args.resource_type]} "
            "(state 'unblocked'). Keep block-all-sharing (EBS snapshots) or block-new-sharing."
        )


shared_publicly = resource_policy(
    "snapshots-and-images-not-public",
    category="exposure",
    description="No database snapshot, Lambda layer version or SSM document is shared with every account, no AMI is launchable by everyone (directly or through Image Builder), and the account's block on public EBS snapshot and AMI sharing stays on.",
    severity=Severity.CRITICAL,
    controls=PUBLIC_DATA.with_fsbp("RDS.1", "EC2.1", "SSM.4"),
    remediation="Remove 'all' from shared_accounts, launch permission groups and SSM document account_ids, and principal '*' without organization_id from layer permissions; keep SnapshotBlockPublicAccess / ImageBlockPublicAccess blocking.",
    validate=_shared_publicly,
    types=(*DB_SNAPSHOTS, AMI_PERMISSION, AMI_DISTRIBUTION, LAYER_PERMISSION, SSM_DOCUMENT, *BLOCK_SETTINGS),
)


POLICIES = [shared_publicly]
