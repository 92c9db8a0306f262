"""Programs on pulumi-aws-native (AWS Cloud Control resources, pulumi/templates' aws-native-python)
preview like any other: their Region comes from `aws-native:region`, and the report says what it
cannot judge or price of them instead of passing them silently."""

from __future__ import annotations

from pathlib import Path

import pulumi
import pulumi_aws_native as aws_native

from offline_preview import run_program
from offline_preview.capture import UNKNOWN
from offline_preview.cost import estimate_cost


def test_an_aws_native_program_previews_with_its_region_and_honest_gaps(tmp_path: Path) -> None:
    def program() -> None:
        bucket = aws_native.s3.Bucket("site")
        pulumi.export("name", bucket.bucket_name)

    cap = run_program(tmp_path, "dev", config={"aws-native:region": "eu-west-2"}, program=program)
    [bucket] = cap.of_type("aws-native:s3:Bucket")
    assert bucket.custom and bucket.outputs["arn"] == UNKNOWN  # computed by Cloud Control on create
    est = estimate_cost(cap)
    assert [(line.type, line.region) for line in est.lines if not line.priced] == [
        ("aws-native:s3:Bucket", "eu-west-2")
    ]
