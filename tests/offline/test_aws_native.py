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


def test_aws_natives_pseudo_parameters_and_cidr_are_answered(tmp_path: Path) -> None:
    def program() -> None:
        pulumi.export("account", aws_native.get_account_id().account_id)
        pulumi.export("region", aws_native.get_region().region)
        pulumi.export("partition", aws_native.get_partition().partition)
        pulumi.export("azs", aws_native.get_azs().azs)
        pulumi.export("other", aws_native.get_azs(region="ap-southeast-2").azs)
        pulumi.export("subnets", aws_native.cidr(ip_block="10.0.0.0/16", count=3, cidr_bits=8).subnets)

    cap = run_program(tmp_path, "dev", config={"aws-native:region": "eu-west-2"}, program=program)
    assert cap.outputs == {
        "account": "123456789012",
        "region": "eu-west-2",
        "partition": "aws",
        "azs": ["eu-west-2a", "eu-west-2b", "eu-west-2c"],
        "other": ["ap-southeast-2a", "ap-southeast-2b", "ap-southeast-2c"],
        "subnets": ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"],
    }
    assert not cap.unknown_invokes
