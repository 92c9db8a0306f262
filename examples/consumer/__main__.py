"""The orders team's platform: the library's whole platform with this stack's own settings, plus a
reporting bucket of its own built from the library's secure bucket.

Everything comes from the installed distribution (`pip install pulumi-secure-platform`); nothing
here reaches into the library's repository.
"""

import pulumi

from secure_platform.config import load_config
from secure_platform.core.aws_context import AwsContext
from secure_platform.core.log_delivery import S3_ACCESS_PREFIX, LifecyclePlan
from secure_platform.core.secure_bucket import AccessLogTarget, KmsEncryption, SecureBucket, SecureBucketArgs
from secure_platform.platform import Platform, build_platform, stack_outputs


class Reporting(pulumi.ComponentResource):
    """The team's nightly reports: private, encrypted with the platform's data key, access-logged
    to the platform's log archive, expired after `retention_days`."""

    def __init__(self, name: str, platform: Platform, retention_days: int) -> None:
        # The platform's options carry its AWS provider (region, default tags) to everything below.
        super().__init__("orders:index:Reporting", name, None, platform.opts)
        cfg = platform.config
        naming = cfg.naming
        context = AwsContext.lookup(self, cfg.region)
        bucket = SecureBucket(
            "reports",
            SecureBucketArgs(
                bucket_name=context.account_id.apply(lambda account: naming.bucket("reports", account)),
                region=cfg.region,
                encryption=KmsEncryption(platform.security.keys.data),
                lifecycle=LifecyclePlan(expiration_days=retention_days, noncurrent_expiration_days=30),
                protect=cfg.protect,
                access_logs=AccessLogTarget(
                    platform.backend.log_archive, f"{S3_ACCESS_PREFIX}/{naming.prefix}-reports"
                ),
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.bucket_name = bucket.bucket_name
        self.register_outputs({"bucketName": bucket.bucket_name})


# load_config validates the `platform:` keys of Pulumi.<stack>.yaml before anything is registered.
platform = build_platform(load_config())
reporting = Reporting("reporting", platform, pulumi.Config().require_int("reportRetentionDays"))

for output_name, value in stack_outputs(platform).items():
    pulumi.export(output_name, value)
pulumi.export("reportsBucket", reporting.bucket_name)
