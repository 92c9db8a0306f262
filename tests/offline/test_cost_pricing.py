"""The price data and where it applies: every price names its source and date, priced types are
real pulumi-aws types, the environment picks the usage assumptions, the Region comes from the
resource or its provider, and what cannot be priced (an unknown class, inputs unknown at preview)
is said, never guessed."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from offline_preview import run_program
from offline_preview.capture import Capture, CapturedResource
from offline_preview.cost import NOT_PRICED, PRICES_FILE, estimate_cost
from tests.offline.cost_helpers import HERE, H, approx, line_of, resource

# --- the price file, environments -----------------------------------------------------------------


def test_every_price_names_its_source_and_date():
    doc = json.loads(PRICES_FILE.read_text())
    for key, price in doc["prices"].items():
        assert price["source"].startswith("https://aws.amazon.com/"), key
        assert price["asOf"] and price["unit"] and price["usd"] >= 0, key
    for key, table in doc["tables"].items():
        assert table["source"] and table["asOf"], key
    assert doc["tables"]["ec2.onDemandHour"]["usd"]["t3.medium"] == 0.0416
    assert set(doc["regions"]) == {"us-east-1", "us-west-2"}


def test_priced_and_free_types_are_real_pulumi_aws_types():
    import importlib

    from offline_preview.cost import FREE_TYPES, PRICERS

    for token in [*PRICERS, *FREE_TYPES]:
        if not token.startswith("aws:"):
            continue
        module, _, cls = token.split(":", 1)[1].partition("/")
        package = f"{module}_" if module == "lambda" else module  # `lambda` is a Python keyword
        resource_class = getattr(importlib.import_module(f"pulumi_aws.{package}"), cls.split(":")[1], None)
        assert resource_class is not None, token


def test_environment_assumptions_come_from_the_stack_config():
    nat = resource("aws:ec2/natGateway:NatGateway", "nat")
    prod = estimate_cost(Capture(project="p", stack="x", resources=[nat], config={"platform:environment": "prod"}))
    dev = estimate_cost(Capture(project="p", stack="x", resources=[nat], config={"platform:environment": "dev"}))
    assert prod.environment == "prod" and dev.environment == "dev"
    assert prod.monthly_usd - dev.monthly_usd == approx((200 - 20) * 0.045)


# --- regions --------------------------------------------------------------------------------------


def two_regions() -> None:
    west = aws.Provider("west", region="us-west-2")
    ireland = aws.Provider("ireland", region="eu-west-1")
    aws.kms.Key("east")
    aws.kms.Key("west", opts=pulumi.ResourceOptions(provider=west))
    aws.kms.Key("ireland", opts=pulumi.ResourceOptions(provider=ireland))


def test_region_comes_from_the_explicit_provider_and_uncovered_regions_are_flagged():
    est = estimate_cost(run_program(HERE, "dev", program=two_regions, config={"aws:region": "us-east-1"}))
    assert line_of(est, "east").region == "us-east-1"
    west = line_of(est, "west", "aws:kms/key:Key")
    assert west.region == "us-west-2" and "not in the price table" not in west.basis
    ireland = line_of(est, "ireland", "aws:kms/key:Key")
    assert ireland.region == "eu-west-1" and "eu-west-1 is not in the price table" in ireland.basis
    assert est.warnings == ["eu-west-1 is not in the price table; its resources were priced at us-east-1 list prices"]


def test_a_resource_s_own_region_wins_over_its_provider():
    key = resource("aws:kms/key:Key", "replica", {"region": "us-west-2"})
    other = resource("aws:kms/key:Key", "far", {"region": "ap-south-1"})
    est = estimate_cost(Capture(project="p", stack="dev", resources=[key, other], config={"aws:region": "us-east-1"}))
    assert line_of(est, "replica").region == "us-west-2"
    assert (
        line_of(est, "far").region == "ap-south-1"
        and "ap-south-1 is not in the price table" in line_of(est, "far").basis
    )


def test_cross_region_replication_is_priced_as_transfer_and_same_region_is_free():
    east = resource("pulumi:providers:aws", "east", {"region": "us-east-1"})
    west = resource("pulumi:providers:aws", "west", {"region": "us-west-2"})
    source = resource("aws:s3/bucket:Bucket", "src", provider=east.urn)
    far = resource("aws:s3/bucket:Bucket", "far", provider=west.urn)
    near = resource("aws:s3/bucket:Bucket", "near", provider=east.urn)

    def replication(name: str, destination: CapturedResource) -> CapturedResource:
        return resource(
            "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
            name,
            {"bucket": "src"},
            provider=east.urn,
            property_dependencies={"bucket": [source.urn], "rules": [destination.urn]},
        )

    resources = [east, west, source, far, near, replication("cross", far), replication("same", near)]
    est = estimate_cost(Capture(project="p", stack="x", resources=resources, config={"platform:environment": "prod"}))
    cross = line_of(est, "cross")
    assert cross.monthly_usd == approx(100 * 0.02)  # prod assumption: 100 GB/month
    assert "another Region" in cross.basis
    assert line_of(est, "same").monthly_usd == 0


# --- RDS classes and retention, inputs unknown at preview -----------------------------------------


def test_performance_insights_beyond_seven_days_is_charged_per_vcpu():
    db = resource(
        "aws:rds/instance:Instance",
        "db",
        {
            "engine": "postgres",
            "instanceClass": "db.m6i.large",
            "allocatedStorage": 50,
            "performanceInsightsEnabled": True,
            "performanceInsightsRetentionPeriod": 93,
        },
    )
    est = estimate_cost(Capture(project="p", stack="prod", resources=[db], config={"aws:region": "us-east-1"}))
    [line] = est.lines
    pi = (1.7561 + 2 * 0.0739) * 2
    assert line.monthly_usd == approx(0.178 * H + 50 * 0.115 + pi)
    assert "Performance Insights 3 months x 2 vCPU" in line.basis


def test_unknown_rds_class_is_not_priced_rather_than_guessed():
    db = resource("aws:rds/instance:Instance", "db", {"engine": "postgres", "instanceClass": "db.x2g.large"})
    est = estimate_cost(Capture(project="p", stack="dev", resources=[db]))
    assert est.lines[0].basis.startswith(NOT_PRICED) and est.not_priced == {"aws:rds/instance:Instance": 1}


def test_a_line_whose_inputs_are_unknown_at_preview_says_which():
    from offline_preview.capture import UNKNOWN

    web = resource("aws:ec2/instance:Instance", "web", {"instanceType": UNKNOWN, "ami": "ami-1"})
    est = estimate_cost(Capture(project="p", stack="s", resources=[web]))
    [ln] = est.lines
    assert not ln.priced and UNKNOWN not in ln.basis and "inputs unknown at preview: instanceType" in ln.basis
