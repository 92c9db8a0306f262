"""The orders platform, unit-tested offline with the `offline_pulumi` fixture that
pulumi-secure-platform registers with pytest (no cloud, no Pulumi CLI).

Run from this directory: `python -m pytest tests`.
"""

from __future__ import annotations

import json
from pathlib import Path

from offline_preview.pytest_plugin import OfflinePulumi

PROGRAM = Path(__file__).resolve().parents[1]
STACK = "qa"
VPC = "aws:ec2/vpc:Vpc"
PROVIDER = "pulumi:providers:aws"
BUCKET = "aws:s3/bucket:Bucket"
ENCRYPTION = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"


def test_the_platform_is_built_with_this_stacks_settings(offline_pulumi: OfflinePulumi) -> None:
    run = offline_pulumi.program(PROGRAM, STACK)

    assert run.one(VPC).inputs["cidrBlock"] == "10.40.0.0/16"
    regions = {p.inputs.get("region") for p in run.of_type(PROVIDER)}
    assert regions == {"eu-west-1"}
    for component in ("BackendState", "Security", "Networking", "Monitoring", "Storage", "Ecr", "Compute"):
        run.one(f"platform:index:{component}")
    assert run.outputs["region"] == "eu-west-1"
    assert run.outputs["environment"] == "staging"

    # The team's own component, built from the library's secure bucket, sits beside the platform.
    reporting = run.one("orders:index:Reporting", "reporting")
    reports = run.one(BUCKET, "reports")
    assert reports in run.descendants(reporting)
    assert reports.inputs["bucket"] == run.outputs["reportsBucket"]
    (rule,) = run.one(ENCRYPTION, "reports").inputs["rules"]
    assert rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "aws:kms"

    # Nothing the CrossGuard pack would block at `pulumi preview`.
    assert run.mandatory_violations() == []
    # Secrets appear only as ARNs among the outputs.
    assert "databaseMasterSecretArn" in run.outputs
    assert "password" not in json.dumps(run.outputs).lower()


def test_report_retention_comes_from_the_stack_config(offline_pulumi: OfflinePulumi) -> None:
    run = offline_pulumi.program(PROGRAM, STACK, config={"orders:reportRetentionDays": 90}, policy_pack=None)
    (rule,) = run.one(LIFECYCLE, "reports").inputs["rules"]
    assert rule["expiration"]["days"] == 90
