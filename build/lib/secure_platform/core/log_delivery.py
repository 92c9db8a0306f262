"""What the log archive bucket must allow, per AWS log-delivery service (pure).

Each statement follows the AWS documentation of the delivering service and is scoped to our
account and, where the service supports it, to the one source resource:

* ALB access logs: in Regions that existed before August 2022 the regional Elastic Load Balancing
  account writes the files; newer Regions use the `logdelivery.elasticloadbalancing.amazonaws.com`
  service principal. Both may only write under `<prefix>/AWSLogs/<our account>/`.
* S3 server access logs: `logging.s3.amazonaws.com`, with `aws:SourceAccount` and `aws:SourceArn`
  of the logged bucket(s).
* CloudTrail: `cloudtrail.amazonaws.com`, with `aws:SourceArn` of our trail.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi

from secure_platform.core import iam

# Elastic Load Balancing account per Region (Regions available before August 2022), from
# "Enable access logs for your Application Load Balancer", step 2.
ELB_ACCOUNT_IDS: dict[str, str] = {
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-1": "027434742980",
    "us-west-2": "797873946194",
    "af-south-1": "098369216593",
    "ap-east-1": "754344448648",
    "ap-south-1": "718504428378",
    "ap-northeast-1": "582318560864",
    "ap-northeast-2": "600734575887",
    "ap-northeast-3": "383597477331",
    "ap-southeast-1": "114774131450",
    "ap-southeast-2": "783225319266",
    "ap-southeast-3": "589379963580",
    "ca-central-1": "985666609251",
    "eu-central-1": "054676820928",
    "eu-west-1": "156460612806",
    "eu-west-2": "652711504416",
    "eu-west-3": "009996457667",
    "eu-south-1": "635631232127",
    "eu-north-1": "897822967062",
    "me-south-1": "076674570225",
    "sa-east-1": "507241528517",
    "us-gov-west-1": "048591011584",
    "us-gov-east-1": "190560391635",
    "cn-north-1": "638102146993",
    "cn-northwest-1": "037604701340",
}
ELB_LOG_DELIVERY_SERVICE = "logdelivery.elasticloadbalancing.amazonaws.com"

# Key prefixes inside the log archive, one per source (S3 server access logs get one per bucket).
ALB_PREFIX = "alb"
S3_ACCESS_PREFIX = "s3-access"
CLOUDTRAIL_PREFIX = "cloudtrail"


def elb_principal(region: str, partition: str = "aws") -> dict[str, str]:
    """Who writes ALB access logs in `region`."""
    account = ELB_ACCOUNT_IDS.get(region)
    if account is not None:
        return {"AWS": f"arn:{partition}:iam::{account}:root"}
    return {"Service": ELB_LOG_DELIVERY_SERVICE}


def alb_access_logs(
    bucket_arn: pulumi.Input[str], account_id: pulumi.Input[str], region: str, partition: str = "aws"
) -> iam.Statement:
    return {
        "Sid": "AlbAccessLogsWrite",
        "Effect": "Allow",
        "Principal": elb_principal(region, partition),
        "Action": "s3:PutObject",
        "Resource": iam.join(bucket_arn, f"/{ALB_PREFIX}/AWSLogs/", account_id, "/*"),
    }


def s3_server_access_logs(
    bucket_arn: pulumi.Input[str], account_id: pulumi.Input[str], source_bucket_arns: Sequence[pulumi.Input[str]]
) -> iam.Statement:
    if not source_bucket_arns:
        raise ValueError("S3 server access log delivery needs the source bucket ARN(s)")
    return {
        "Sid": "S3ServerAccessLogsWrite",
        "Effect": "Allow",
        "Principal": {"Service": "logging.s3.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": iam.join(bucket_arn, f"/{S3_ACCESS_PREFIX}/*"),
        "Condition": {
            "StringEquals": {"aws:SourceAccount": account_id},
            "ArnLike": {"aws:SourceArn": list(source_bucket_arns)},
        },
    }


def cloudtrail_delivery(
    bucket_arn: pulumi.Input[str], account_id: pulumi.Input[str], trail_arn: pulumi.Input[str]
) -> list[iam.Statement]:
    return [
        {
            "Sid": "CloudTrailAclCheck",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:GetBucketAcl",
            "Resource": bucket_arn,
            "Condition": {"StringEquals": {"aws:SourceArn": trail_arn}},
        },
        {
            "Sid": "CloudTrailWrite",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": iam.join(bucket_arn, f"/{CLOUDTRAIL_PREFIX}/AWSLogs/", account_id, "/*"),
            "Condition": {"StringEquals": {"aws:SourceArn": trail_arn, "s3:x-amz-acl": "bucket-owner-full-control"}},
        },
    ]


def vended_logs_to_log_group(log_group_arn: str, account_id: str, partition: str, region: str) -> iam.Statement:
    """CloudWatch Logs resource-policy statement for "vended" logs (WAF) delivered by
    `delivery.logs.amazonaws.com` into one log group, from our account's log deliveries only."""
    return {
        "Sid": "VendedLogDelivery",
        "Effect": "Allow",
        "Principal": {"Service": "delivery.logs.amazonaws.com"},
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": f"{log_group_arn}:log-stream:*",
        "Condition": {
            "StringEquals": {"aws:SourceAccount": account_id},
            "ArnLike": {"aws:SourceArn": f"arn:{partition}:logs:{region}:{account_id}:*"},
        },
    }


# --- lifecycle ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    days: int
    storage_class: str


# Log objects: infrequent access after 30 days (S3's minimum), Glacier Flexible Retrieval after 90.
LOG_TRANSITIONS: tuple[Transition, ...] = (Transition(30, "STANDARD_IA"), Transition(90, "GLACIER"))


@dataclass(frozen=True)
class LifecyclePlan:
    """One rule for the whole bucket: transitions, expiry, noncurrent versions, stale uploads."""

    transitions: tuple[Transition, ...] = ()
    expiration_days: int | None = None
    noncurrent_expiration_days: int | None = None
    noncurrent_transitions: tuple[Transition, ...] = ()
    abort_incomplete_upload_days: int = 7

    def rules(self, rule_id: str = "lifecycle") -> list[dict[str, object]]:
        """`BucketLifecycleConfiguration` rules (snake_case args)."""
        rule: dict[str, object] = {
            "id": rule_id,
            "status": "Enabled",
            "filter": {},
            "abort_incomplete_multipart_upload": {"days_after_initiation": self.abort_incomplete_upload_days},
        }
        if self.transitions:
            rule["transitions"] = [{"days": t.days, "storage_class": t.storage_class} for t in self.transitions]
        if self.expiration_days is not None:
            rule["expiration"] = {"days": self.expiration_days}
        if self.noncurrent_transitions:
            rule["noncurrent_version_transitions"] = [
                {"noncurrent_days": t.days, "storage_class": t.storage_class} for t in self.noncurrent_transitions
            ]
        if self.noncurrent_expiration_days is not None:
            rule["noncurrent_version_expiration"] = {"noncurrent_days": self.noncurrent_expiration_days}
        return [rule]


def log_lifecycle(expiry_days: int, noncurrent_days: int) -> LifecyclePlan:
    """Transitions that happen before expiry (S3 rejects a transition on or after the expiration day)."""
    if expiry_days < 1 or noncurrent_days < 1:
        raise ValueError("expiry days must be at least 1")
    return LifecyclePlan(
        transitions=tuple(t for t in LOG_TRANSITIONS if t.days < expiry_days),
        expiration_days=expiry_days,
        noncurrent_expiration_days=noncurrent_days,
    )
