"""Log archive bucket policy statements and lifecycle, per AWS log-delivery service."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secure_platform.core import log_delivery
from secure_platform.core.log_delivery import LifecyclePlan, Transition, log_lifecycle

ARCHIVE = "arn:aws:s3:::platform-dev-logs-123456789012-us-east-1"
ACCOUNT = "123456789012"


def test_alb_logs_use_the_regional_elb_account_in_older_regions():
    stmt = log_delivery.alb_access_logs(ARCHIVE, ACCOUNT, "us-east-1")
    assert stmt["Principal"] == {"AWS": "arn:aws:iam::127311923021:root"}
    assert stmt["Action"] == "s3:PutObject"
    assert stmt["Resource"] == f"{ARCHIVE}/alb/AWSLogs/{ACCOUNT}/*"


def test_alb_logs_use_the_log_delivery_service_in_newer_regions():
    stmt = log_delivery.alb_access_logs(ARCHIVE, ACCOUNT, "eu-south-2")
    assert stmt["Principal"] == {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}


def test_s3_access_logs_are_pinned_to_our_account_and_source_buckets():
    source = "arn:aws:s3:::platform-dev-state-123456789012-us-east-1"
    stmt = log_delivery.s3_server_access_logs(ARCHIVE, ACCOUNT, [source])
    assert stmt["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert stmt["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}, "ArnLike": {"aws:SourceArn": [source]}}
    assert stmt["Resource"] == f"{ARCHIVE}/s3-access/*"
    with pytest.raises(ValueError):
        log_delivery.s3_server_access_logs(ARCHIVE, ACCOUNT, [])


def test_cloudtrail_may_write_only_for_our_trail_and_under_our_account():
    trail = "arn:aws:cloudtrail:us-east-1:123456789012:trail/platform-dev-trail"
    acl, write = log_delivery.cloudtrail_delivery(ARCHIVE, ACCOUNT, trail)
    assert acl["Action"] == "s3:GetBucketAcl" and acl["Resource"] == ARCHIVE
    assert write["Resource"] == f"{ARCHIVE}/cloudtrail/AWSLogs/{ACCOUNT}/*"
    for stmt in (acl, write):
        assert stmt["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
        assert stmt["Condition"]["StringEquals"]["aws:SourceArn"] == trail


def test_vended_log_delivery_writes_only_streams_of_one_group_for_our_account():
    group = "arn:aws:logs:us-east-1:123456789012:log-group:aws-waf-logs-platform-dev"
    stmt = log_delivery.vended_logs_to_log_group(group, ACCOUNT, "aws", "us-east-1")
    assert stmt["Principal"] == {"Service": "delivery.logs.amazonaws.com"}
    assert stmt["Resource"] == f"{group}:log-stream:*"
    assert stmt["Condition"]["StringEquals"] == {"aws:SourceAccount": ACCOUNT}
    assert stmt["Condition"]["ArnLike"] == {"aws:SourceArn": f"arn:aws:logs:us-east-1:{ACCOUNT}:*"}


def test_log_lifecycle_per_environment():
    dev, staging, prod = log_lifecycle(30, 30), log_lifecycle(90, 60), log_lifecycle(365, 90)
    assert dev.transitions == ()
    assert staging.transitions == (Transition(30, "STANDARD_IA"),)
    assert prod.transitions == (Transition(30, "STANDARD_IA"), Transition(90, "GLACIER"))
    assert (prod.expiration_days, prod.noncurrent_expiration_days) == (365, 90)


@given(st.integers(1, 3650), st.integers(1, 3650))
@settings(max_examples=200, deadline=None)
def test_every_transition_happens_before_expiry(expiry, noncurrent):
    plan = log_lifecycle(expiry, noncurrent)
    assert all(t.days < expiry for t in plan.transitions)
    (rule,) = plan.rules()
    assert rule["expiration"] == {"days": expiry}
    assert rule["noncurrent_version_expiration"] == {"noncurrent_days": noncurrent}
    assert rule["abort_incomplete_multipart_upload"] == {"days_after_initiation": 7}


def test_lifecycle_without_expiry_keeps_current_objects():
    (rule,) = LifecyclePlan(noncurrent_expiration_days=30).rules()
    assert "expiration" not in rule and "transitions" not in rule
    assert rule["filter"] == {}
