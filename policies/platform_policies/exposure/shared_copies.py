"""Copies of data and machines shared with everyone: a database snapshot shared with `all`, an
AMI whose launch permission is the `all` group, and the account settings that block public
sharing of EBS snapshots and AMIs turned off. Any AWS account can then restore the database or
launch the image (and read the secrets baked into it).
"""

from __future__ import annotations

from pulumi_policy import ResourceValidationArgs, Severity

from ..helpers import as_list, get
from ..registry import Report, resource_policy
from .resource_policies import PUBLIC_DATA

DB_SNAPSHOTS = (
    "aws:rds/snapshot:Snapshot",
    "aws:rds/clusterSnapshot:ClusterSnapshot",
    "aws:rds/snapshotCopy:SnapshotCopy",
)
AMI_PERMISSION = "aws:ec2/amiLaunchPermission:AmiLaunchPermission"
BLOCK_SETTINGS = {
    "aws:ebs/snapshotBlockPublicAccess:SnapshotBlockPublicAccess": "EBS snapshots",
    "aws:ec2/imageBlockPublicAccess:ImageBlockPublicAccess": "AMIs",
}


def _shared_publicly(args: ResourceValidationArgs, report: Report) -> None:
    p = args.props
    if args.resource_type in DB_SNAPSHOTS:
        # `shared_accounts`: "Use `all` to make the snapshot public" (pulumi-aws rds.Snapshot).
        if any(str(a).strip().lower() == "all" for a in as_list(get(p, "sharedAccounts"))):
            report(
                f"Database snapshot '{args.name}' is shared with 'all': any AWS account can restore it and read the "
                "database. Share it with named accounts only, or not at all."
            )
    elif args.resource_type == AMI_PERMISSION:
        if str(get(p, "group") or "").strip().lower() == "all":
            report(
                f"Launch permission '{args.name}' makes the AMI public (group 'all'): any AWS account can launch it "
                "and read what is baked into it. Name an account, organization or OU instead."
            )
    elif args.resource_type in BLOCK_SETTINGS and str(get(p, "state") or "").strip().lower() == "unblocked":
        report(
            f"'{args.name}' turns off the account's block on public sharing of {BLOCK_SETTINGS[args.resource_type]} "
            "(state 'unblocked'). Keep block-all-sharing (EBS snapshots) or block-new-sharing."
        )


shared_publicly = resource_policy(
    "snapshots-and-images-not-public",
    category="exposure",
    description="No database snapshot is shared with `all`, no AMI is launchable by everyone, and the account's block on public EBS snapshot and AMI sharing stays on.",
    severity=Severity.CRITICAL,
    controls=PUBLIC_DATA.with_fsbp("RDS.1", "EC2.1"),
    remediation="Remove 'all' from shared_accounts and group='all' from launch permissions; keep SnapshotBlockPublicAccess / ImageBlockPublicAccess blocking.",
    validate=_shared_publicly,
    types=(*DB_SNAPSHOTS, AMI_PERMISSION, *BLOCK_SETTINGS),
)


POLICIES = [shared_publicly]
