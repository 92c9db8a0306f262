"""S3 cases that depend on the stack's policy config: a public static website bucket (advice by
default; mandatory when public buckets are forbidden) and Block Public Access turned off, on
buckets, access points and the account."""

import json

import pulumi_aws as aws

site = aws.s3.Bucket("public-website", bucket="public-website-example")
aws.s3.BucketWebsiteConfiguration("public-website-config", bucket=site.id, index_document={"suffix": "index.html"})
aws.s3.BucketPublicAccessBlock(
    "public-website-pab",
    bucket=site.id,
    block_public_acls=False,
    block_public_policy=False,
    ignore_public_acls=False,
    restrict_public_buckets=False,
)
aws.s3.BucketPolicy(
    "public-website-policy",
    bucket=site.id,
    policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": "arn:aws:s3:::public-website-example/*",
                }
            ],
        }
    ),
)
data = aws.s3.Bucket("unblocked-data", bucket="unblocked-data-example")
aws.s3.BucketPublicAccessBlock("unblocked-data-pab", bucket=data.id, block_public_policy=False)

# Block Public Access turned off around the buckets: on a bucket created elsewhere, for the whole
# account, and on access points of their own.
aws.s3.BucketPublicAccessBlock(
    "external-bucket-pab", bucket="prod-customer-exports", block_public_policy=False, restrict_public_buckets=False
)
# A bucket named by a value computed from another resource: unknown at preview and linked to no
# bucket, yet the flags it turns off are known.
namer = aws.iam.Role(
    "bucket-namer-role",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
    ),
)
aws.s3.BucketPublicAccessBlock(
    "computed-bucket-pab", bucket=namer.arn.apply(lambda _: "prod-customer-exports"), block_public_policy=False
)
aws.s3.AccountPublicAccessBlock(
    "account-pab-off",
    block_public_acls=False,
    block_public_policy=False,
    ignore_public_acls=False,
    restrict_public_buckets=False,
)
aws.s3.AccessPoint(
    "open-access-point",
    bucket="prod-customer-exports",
    name="exports",
    public_access_block_configuration={"block_public_policy": False, "restrict_public_buckets": False},
)
aws.s3control.MultiRegionAccessPoint(
    "open-mrap",
    details={
        "name": "exports",
        "regions": [{"bucket": "prod-customer-exports"}],
        "public_access_block": {"block_public_policy": False, "restrict_public_buckets": False},
    },
)

# The deprecated V2 settings resource serves a website just the same.
legacy = aws.s3.BucketV2("legacy-website", bucket="legacy-website-example")
aws.s3.BucketWebsiteConfigurationV2("legacy-website-config", bucket=legacy.id, index_document={"suffix": "index.html"})
aws.s3.BucketPublicAccessBlock(
    "legacy-website-pab", bucket=legacy.id, block_public_policy=False, restrict_public_buckets=False
)
aws.s3.BucketPolicy(
    "legacy-website-policy",
    bucket=legacy.id,
    policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": "arn:aws:s3:::legacy-website-example/*",
                }
            ],
        }
    ),
)
