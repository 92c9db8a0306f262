"""S3 exposure: Block Public Access, public bucket policies and ACLs, and static website buckets.

AWS turns Block Public Access on (and ACLs off) for every new bucket since April 2023
(https://docs.aws.amazon.com/AmazonS3/latest/userguide/create-bucket-overview.html), so a bucket
without a BucketPublicAccessBlock of its own is not public; turning the flags off is. A bucket
with a website configuration is public by intent: advice to serve it through CloudFront with
origin access control, and a mandatory finding only where the stack's config forbids public
buckets (`allowPublicWebsites: false`).
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import Severity, StackValidationArgs

from .exposure.resource_policies import PUBLIC_DATA, public_statements
from .helpers import Deferred, as_list, get, is_set, of_type, peek, targets, truthy
from .registry import Controls, Report, config_value, stack_policy

BUCKETS = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
PUBLIC_ACLS = ("public-read", "public-read-write", "authenticated-read")
PUBLIC_GRANTEES = (
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
)
PAB_TYPES = ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",)
PAB_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
ACCOUNT_PAB = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"
ACCESS_POINT_BLOCKS: dict[str, tuple[str, ...]] = {
    "aws:s3/accessPoint:AccessPoint": ("publicAccessBlockConfiguration",),
    "aws:s3control/multiRegionAccessPoint:MultiRegionAccessPoint": ("details", "publicAccessBlock"),
}
"""Access point types -> where their own Block Public Access settings are."""
WEBSITE_TYPES = (
    "aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration",
    "aws:s3/bucketWebsiteConfigurationV2:BucketWebsiteConfigurationV2",
)
ALLOW_WEBSITES = {
    "allowPublicWebsites": {
        "type": "boolean",
        "default": True,
        "description": "A bucket with a website configuration may be public (by intent; `s3-website-behind-cloudfront` advises). False forbids public buckets without exception.",
    }
}


def website_buckets(resources: list[Any]) -> dict[str, str]:
    """URN -> name of the buckets that serve a static website (an inline `website` or a
    BucketWebsiteConfiguration linked to them)."""
    buckets = list(of_type(resources, *BUCKETS))
    out = {b.urn: b.name for b in buckets if peek(b.props, "website") or peek(b.props, "websites")}
    for w in of_type(resources, *WEBSITE_TYPES):
        out.update({b.urn: b.name for b in targets(w, "bucket", buckets)})
    return out


def _bucket_of(r: Any, buckets: list[Any]) -> list[Any]:
    return [r] if r.resource_type in BUCKETS else targets(r, "bucket", buckets)


def _flags_off(props: Any, *path: str) -> list[str]:
    """The Block Public Access flags a settings object leaves off (unset is off, as in the API)."""
    return [f for f in PAB_FLAGS if not truthy(get(props, *path, f))]


def _public_access_block(args: StackValidationArgs, report: Report) -> None:
    explicit = bool(config_value(args, "requireExplicitBlock", False))
    websites = website_buckets(list(args.resources)) if config_value(args, "allowPublicWebsites", True) else {}
    buckets = list(of_type(args.resources, *BUCKETS))
    blocked: set[str] = set()
    deferred = Deferred()

    def check_block(pab: Any) -> None:
        """A bucket-level block turning flags off is a finding whichever bucket it names, one of
        this program's or one created elsewhere, except a website bucket public by intent."""
        owners = targets(pab, "bucket", buckets)
        blocked.update(b.urn for b in owners)
        if owners and all(b.urn in websites for b in owners):
            return
        if off := _flags_off(pab.props):
            named = peek(pab.props, "bucket")
            elsewhere = f"S3 bucket '{named}' (not created here)" if named else "an S3 bucket not known until deploy"
            target = f"S3 bucket {', '.join(repr(b.name) for b in owners)}" if owners else elsewhere
            report(
                f"Public access block '{pab.name}' of {target} leaves {', '.join(off)} off. Set all four flags to True.",
                pab.urn,
            )

    def check_other(r: Any) -> None:
        """The account's block covers every bucket; an access point's own block covers what is
        reached through it (AWS applies the most restrictive of account, bucket and access point:
        https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html)."""
        if r.resource_type == ACCOUNT_PAB:
            if off := _flags_off(r.props):
                report(
                    f"Account public access block '{r.name}' leaves {', '.join(off)} off for every bucket of the account "
                    "(AWS FSBP S3.1). Set all four flags to True.",
                    r.urn,
                )
            return
        path = ACCESS_POINT_BLOCKS[r.resource_type]
        if is_set(r, path[0]) and (off := _flags_off(r.props, *path)):
            report(
                f"Access point '{r.name}' turns {', '.join(off)} off in its own public access block. Leave the "
                "block out (all four on by default) or set all four flags to True.",
                r.urn,
            )

    for pab in of_type(args.resources, *PAB_TYPES):
        deferred.run(check_block, pab)
    for r in of_type(args.resources, ACCOUNT_PAB, *ACCESS_POINT_BLOCKS):
        deferred.run(check_other, r)
    if explicit:
        for bucket in buckets:
            if bucket.urn not in websites and bucket.urn not in blocked:
                report(
                    f"S3 bucket '{bucket.name}' has no public access block of its own. Add aws.s3.BucketPublicAccessBlock(bucket=<this bucket>) "
                    "with block_public_acls, block_public_policy, ignore_public_acls and restrict_public_buckets all True.",
                    bucket.urn,
                )
    deferred.finish()


public_access_block = stack_policy(
    "s3-public-access-block-all",
    category="exposure",
    description="No S3 bucket, access point or account turns Block Public Access off (all four flags; AWS turns them on for every new bucket since April 2023). Config: `requireExplicitBlock` also asks for a BucketPublicAccessBlock per bucket; website buckets follow `allowPublicWebsites`.",
    severity=Severity.CRITICAL,
    controls=Controls(
        soc2=("CC6.1", "CC6.6"), iso27001=("A.8.3",), pci=("1.4.4",), cis=("2.1.4",), fsbp=("S3.1", "S3.8")
    ),
    remediation="aws.s3.BucketPublicAccessBlock(bucket=bucket.id, block_public_acls=True, block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True).",
    validate=_public_access_block,
    types=(*BUCKETS, *PAB_TYPES, ACCOUNT_PAB, *ACCESS_POINT_BLOCKS),
    links=WEBSITE_TYPES,
    covers=("AwsSolutions-S2", "CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56", "CKV2_AWS_6"),
    config={
        "requireExplicitBlock": {
            "type": "boolean",
            "default": False,
            "description": "Every bucket must have its own BucketPublicAccessBlock (not only AWS's default for new buckets).",
        },
        **ALLOW_WEBSITES,
    },
)


def _s3_public_one(r: Any, report: Any) -> None:
    p = r.props
    t = r.resource_type
    if t in (*BUCKETS, "aws:s3/bucketPolicy:BucketPolicy"):
        for label in public_statements(get(p, "policy")):
            report(
                f"Bucket policy of '{r.name}' {label} allows access to everyone (Principal '*') without a condition on the caller. "
                "Name the principals (roles, services with aws:SourceArn/aws:SourceAccount) or serve public content through CloudFront with origin access control."
            )
    acl = get(p, "acl")
    if isinstance(acl, str) and acl in PUBLIC_ACLS:
        report(
            f"'{r.name}' sets the canned ACL '{acl}', which opens the bucket to {'everyone' if 'public' in acl else 'any AWS account'}. Remove the ACL and keep object ownership BucketOwnerEnforced."
        )
    grants = [
        (get(g, "grantee", "uri"), get(g, "permission", default="access"))
        for g in as_list(get(p, "accessControlPolicy", "grants"))
    ]
    grants += [
        (get(g, "uri"), "/".join(str(x) for x in as_list(get(g, "permissions"))) or "access")
        for g in as_list(get(p, "grants"))
    ]
    for uri, permission in grants:
        if uri in PUBLIC_GRANTEES:
            report(
                f"'{r.name}' grants {permission} to {uri.rsplit('/', 1)[-1]}. Remove the grant; use bucket policies for specific principals."
            )


def _s3_public(args: StackValidationArgs, report: Report) -> None:
    resources = list(args.resources)
    websites = website_buckets(resources) if config_value(args, "allowPublicWebsites", True) else {}
    buckets = list(of_type(resources, *BUCKETS))
    deferred = Deferred()

    def check(r: Any) -> None:
        if any(b.urn in websites for b in _bucket_of(r, buckets)):
            return  # public by intent: s3-website-behind-cloudfront advises
        _s3_public_one(r, lambda message: report(message, r.urn))

    for r in of_type(resources, *S3_PUBLIC_TYPES):
        deferred.run(check, r)
    deferred.finish()


S3_PUBLIC_TYPES = (
    *BUCKETS,
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucketAcl:BucketAcl",
    "aws:s3/bucketAclV2:BucketAclV2",
)

s3_public = stack_policy(
    "s3-bucket-not-public",
    category="exposure",
    description="No bucket policy allows anonymous/public principals and no ACL grants AllUsers or AuthenticatedUsers (website buckets follow `allowPublicWebsites`).",
    severity=Severity.CRITICAL,
    controls=PUBLIC_DATA.with_fsbp("S3.2", "S3.3"),
    remediation="Remove Principal '*' Allow statements (or add aws:SourceArn/aws:PrincipalOrgID conditions) and public canned ACLs / grants.",
    validate=_s3_public,
    types=S3_PUBLIC_TYPES,
    links=WEBSITE_TYPES,
    covers=("AwsSolutions-S5", "CKV_AWS_70", "CKV_AWS_20", "CKV_AWS_57", "CKV2_AWS_43"),
    config=ALLOW_WEBSITES,
)


def _website_advice(args: StackValidationArgs, report: Report) -> None:
    for urn, name in sorted(website_buckets(list(args.resources)).items()):
        report(
            f"S3 bucket '{name}' serves a public static website over plain HTTP (website endpoints have no TLS). Serve it through "
            "CloudFront with origin access control from a private bucket: HTTPS, WAF and logs at the edge.",
            urn,
        )


website_advice = stack_policy(
    "s3-website-behind-cloudfront",
    category="exposure",
    description="Static websites are served by CloudFront with origin access control from a private bucket, not from a public S3 website endpoint (advice).",
    severity=Severity.MEDIUM,
    controls=PUBLIC_DATA.with_fsbp("S3.2", "CloudFront.13"),
    remediation="Remove the website configuration and public policy; add a CloudFront distribution with an OriginAccessControl and a bucket policy for cloudfront.amazonaws.com with aws:SourceArn.",
    validate=_website_advice,
    types=BUCKETS,
    links=WEBSITE_TYPES,
)

POLICIES = [public_access_block, s3_public, website_advice]
