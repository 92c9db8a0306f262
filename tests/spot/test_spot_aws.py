"""The boto3 market: moto for the catalogue, zones and offerings; Stubber fed with the real bundled data
for spot prices, placement scores and the Price List (moto fakes or lacks those)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock

import pytest
from boto3.session import Session
from botocore.awsrequest import AWSResponse
from botocore.stub import ANY, Stubber
from moto import mock_aws
from spot_fakes import NOW, requirements

from secure_platform.spot.aws import CLIENT_CONFIG, AwsMarket, classify, parse_on_demand, pricing_endpoint_region
from secure_platform.spot.engine import evaluate
from secure_platform.spot.market import FileMarket, SourceUnavailableError
from secure_platform.spot.model import Zone

FILES = FileMarket()
ADVISOR = FILES.advisor("us-east-1")
ON_DEMAND, _ = FILES.on_demand("us-east-1")


def spot_estimate(instance_type: str) -> float:
    return round(ON_DEMAND[instance_type] * (1 - ADVISOR[instance_type].savings_percent / 100), 5)


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        yield


def session() -> Session:
    return Session(region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")


def stubbed(service: str, region: str = "us-east-1") -> tuple[Any, Stubber]:
    client = session().client(service, region_name=region, config=CLIENT_CONFIG)
    return client, Stubber(client)


# --- moto: catalogue, zones, offerings ------------------------------------------------------------


def test_catalogue_is_filtered_server_side_to_the_requirements(aws_env):
    market = AwsMarket("us-east-1", session=session())
    types = market.instance_types(requirements(architectures=["arm64"]))
    assert {"c7g.large", "m7g.xlarge", "r8g.large"} <= set(types)
    for t in types.values():
        assert t.architecture == "arm64" and 2 <= t.vcpus <= 4
        assert t.spot_supported and not t.bare_metal and not t.burstable


def test_zones_and_per_az_offerings_come_from_ec2(aws_env):
    market = AwsMarket("us-east-1", session=session())
    zones = market.zones()
    assert [z.name for z in zones] == [f"us-east-1{c}" for c in "abcdef"]
    assert all(z.id.startswith("use1-az") for z in zones)
    offered = market.offerings(["m6i.large", "c7g.large", "no-such.type"], zones)
    assert "no-such.type" not in offered
    # us-east-1e is the old zone that offers few types: moto's real snapshot has neither there.
    assert "us-east-1e" not in offered["m6i.large"] and "us-east-1e" not in offered["c7g.large"]
    assert {"us-east-1a", "us-east-1b", "us-east-1c"} <= offered["m6i.large"]


def test_unimplemented_or_failing_calls_become_source_unavailable(aws_env):
    market = AwsMarket("us-east-1", session=session())
    with pytest.raises(SourceUnavailableError) as info:
        market.placement_scores(["m5.large", "m6i.large", "m6a.large"], 3)  # moto: NotImplementedError
    assert info.value.what == "GetSpotPlacementScores" and not info.value.fatal
    with pytest.raises(SourceUnavailableError, match="pricing:GetProducts: failed"):
        market.on_demand_prices(["m5.large"])  # moto: the Price List API is not implemented


# --- Stubber: paging and the APIs moto fakes ------------------------------------------------------


def _type(name: str, vcpus: int, mib: int, arch: str = "x86_64") -> dict[str, Any]:
    return {
        "InstanceType": name,
        "VCpuInfo": {"DefaultVCpus": vcpus},
        "MemoryInfo": {"SizeInMiB": mib},
        "ProcessorInfo": {"SupportedArchitectures": [arch], "Manufacturer": "Intel"},
        "SupportedUsageClasses": ["on-demand", "spot"],
        "CurrentGeneration": True,
        "BurstablePerformanceSupported": False,
        "BareMetal": False,
    }


def test_describe_instance_types_follows_next_token():
    ec2, stub = stubbed("ec2")
    expected = {
        "Filters": ANY,
        "MaxResults": 100,
    }
    stub.add_response(
        "describe_instance_types",
        {"InstanceTypes": [_type("m6i.large", 2, 8192)], "NextToken": "page-2"},
        expected,
    )
    stub.add_response(
        "describe_instance_types",
        {"InstanceTypes": [_type("m7i.large", 2, 8192), _type("m6i.xlarge", 4, 16384)]},
        {**expected, "NextToken": "page-2"},
    )
    with stub:
        types = AwsMarket("us-east-1", ec2=ec2).instance_types(requirements())
    stub.assert_no_pending_responses()
    assert sorted(types) == ["m6i.large", "m6i.xlarge", "m7i.large"]
    assert types["m6i.xlarge"].memory_gib == 16


def test_spot_price_history_is_read_per_az_and_paged():
    ec2, stub = stubbed("ec2")
    zones = [Zone("us-east-1a", "use1-az2"), Zone("us-east-1b", "use1-az4")]
    start = NOW - timedelta(days=14)

    def record(t: str, zone: str, days_ago: float, factor: float = 1.0) -> dict[str, Any]:
        return {
            "AvailabilityZone": zone,
            "InstanceType": t,
            "ProductDescription": "Linux/UNIX",
            "SpotPrice": f"{spot_estimate(t) * factor:.6f}",
            "Timestamp": NOW - timedelta(days=days_ago),
        }

    params = {
        "InstanceTypes": ["m6i.large", "m7i.large"],
        "ProductDescriptions": ["Linux/UNIX", "Linux/UNIX (Amazon VPC)"],
        "StartTime": start,
        "EndTime": NOW,
        "MaxResults": 1000,
    }
    stub.add_response(
        "describe_spot_price_history",
        {
            "SpotPriceHistory": [record("m6i.large", "us-east-1a", 1), record("m7i.large", "us-east-1a", 2)],
            "NextToken": "t",
        },
        {**params, "AvailabilityZone": "us-east-1a"},
    )
    stub.add_response(
        "describe_spot_price_history",
        {"SpotPriceHistory": [record("m6i.large", "us-east-1a", 20, 1.2)]},
        {**params, "AvailabilityZone": "us-east-1a", "NextToken": "t"},
    )
    stub.add_response(
        "describe_spot_price_history",
        {"SpotPriceHistory": [record("m6i.large", "us-east-1b", 3)]},
        {**params, "AvailabilityZone": "us-east-1b"},
    )
    with stub:
        history = AwsMarket("us-east-1", ec2=ec2).spot_price_history(["m6i.large", "m7i.large"], zones, start, NOW)
    stub.assert_no_pending_responses()
    assert [p for _, p in history[("m6i.large", "us-east-1a")]] == pytest.approx(
        [spot_estimate("m6i.large") * 1.2, spot_estimate("m6i.large")], rel=1e-4
    )
    assert ("m7i.large", "us-east-1b") not in history


PRICE_ITEM = {
    "product": {
        "productFamily": "Compute Instance",
        "attributes": {"instanceType": "m6i.large", "regionCode": "us-east-1", "operatingSystem": "Linux"},
        "sku": "ABCDEFGH12345678",
    },
    "serviceCode": "AmazonEC2",
    "terms": {
        "OnDemand": {
            "ABCDEFGH12345678.JRTCKXETXF": {
                "priceDimensions": {
                    "ABCDEFGH12345678.JRTCKXETXF.6YS6EN2CT7": {
                        "unit": "Hrs",
                        "pricePerUnit": {"USD": f"{ON_DEMAND['m6i.large']:.10f}"},
                    }
                },
                "sku": "ABCDEFGH12345678",
            }
        }
    },
}


def test_on_demand_prices_come_from_the_price_list_with_linux_shared_filters():
    pricing, stub = stubbed("pricing")
    stub.add_response(
        "get_products",
        {"PriceList": [json.dumps(PRICE_ITEM)], "FormatVersion": "aws_v1"},
        {"ServiceCode": "AmazonEC2", "Filters": ANY, "FormatVersion": "aws_v1"},
    )
    with stub:
        prices = AwsMarket("us-east-1", pricing=pricing).on_demand_prices(["m6i.large"])
    assert prices == {"m6i.large": ON_DEMAND["m6i.large"]}
    assert pricing_endpoint_region("eu-west-1") == "eu-central-1"
    assert pricing_endpoint_region("ap-southeast-2") == "ap-south-1"
    assert parse_on_demand([json.dumps({"product": {"attributes": {}}})]) == {}


def test_placement_scores_are_per_zone_id():
    ec2, stub = stubbed("ec2")
    stub.add_response(
        "get_spot_placement_scores",
        {
            "SpotPlacementScores": [
                {"Region": "us-east-1", "AvailabilityZoneId": "use1-az2", "Score": 9},
                {"Region": "us-east-1", "AvailabilityZoneId": "use1-az4", "Score": 3},
            ]
        },
        {
            "InstanceTypes": ["m6i.large", "m6a.large", "m7i.large"],
            "TargetCapacity": 2,
            "TargetCapacityUnitType": "units",
            "SingleAvailabilityZone": True,
            "RegionNames": ["us-east-1"],
        },
    )
    with stub:
        scores = AwsMarket("us-east-1", ec2=ec2).placement_scores(["m6i.large", "m6a.large", "m7i.large"], 2)
    assert scores == {"use1-az2": 9, "use1-az4": 3}


@pytest.mark.parametrize(
    ("code", "words", "fatal"),
    [
        ("RequestLimitExceeded", "throttled (RequestLimitExceeded) after retries", False),
        ("UnauthorizedOperation", "not permitted (UnauthorizedOperation)", False),
        ("AccessDeniedException", "not permitted (AccessDeniedException)", False),
        ("AuthFailure", "credentials rejected (AuthFailure)", True),
        ("InternalError", "failed (InternalError: boom)", False),
    ],
)
def test_client_errors_are_classified(code, words, fatal):
    ec2, stub = stubbed("ec2")
    stub.add_client_error("describe_spot_price_history", service_error_code=code, service_message="boom")
    with stub, pytest.raises(SourceUnavailableError) as info:
        AwsMarket("us-east-1", ec2=ec2).spot_price_history(["m6i.large"], [Zone("us-east-1a", "use1-az2")], NOW, NOW)
    assert words in info.value.reason
    assert info.value.fatal is fatal


class _Body:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.body


def test_throttling_is_retried_adaptively_then_degrades():
    """A real botocore retry loop (no Stubber): EC2 answers RequestLimitExceeded every time."""
    ec2 = session().client("ec2", config=CLIENT_CONFIG)
    attempts: list[str] = []

    def throttle(request: Any, **_: Any) -> AWSResponse:
        attempts.append(request.url)
        body = b"<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>r</RequestID></Response>"
        return AWSResponse(request.url, 503, {}, _Body(body))

    ec2.meta.events.register("before-send.ec2.DescribeSpotPriceHistory", throttle)
    # Skip the backoff sleeps and the adaptive rate limiter's waits; the attempts are real.
    with (
        mock.patch("time.sleep"),
        mock.patch("botocore.retries.bucket.TokenBucket.acquire", return_value=True),
        pytest.raises(SourceUnavailableError) as info,
    ):
        AwsMarket("us-east-1", ec2=ec2).spot_price_history(["m6i.large"], [Zone("us-east-1a", "use1-az2")], NOW, NOW)
    assert len(attempts) == 5
    assert info.value.reason == "throttled (RequestLimitExceeded) after retries" and not info.value.fatal


def test_missing_credentials_are_fatal_and_make_no_call(monkeypatch):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(SourceUnavailableError) as info:
        AwsMarket("us-east-1", session=Session(region_name="us-east-1")).zones()
    assert info.value.fatal and "no AWS credentials" in info.value.reason


def test_clients_retry_adaptively_with_short_timeouts():
    client = session().client("ec2", config=CLIENT_CONFIG)
    assert client.meta.config.retries["mode"] == "adaptive"
    assert client.meta.config.retries["total_max_attempts"] == 5
    assert (client.meta.config.connect_timeout, client.meta.config.read_timeout) == (5, 30)
    reason, fatal = classify(ValueError("x"))
    assert "ValueError" in reason and not fatal


# --- end to end: moto catalogue + stubbed prices --------------------------------------------------


class HybridEc2:
    """moto's EC2 for the catalogue, zones and offerings; a stubbed client for prices and scores."""

    STUBBED = frozenset({"describe_spot_price_history", "get_spot_placement_scores"})

    def __init__(self, moto_client: Any, stub_client: Any) -> None:
        self.moto = moto_client
        self.stub = stub_client

    def get_paginator(self, name: str) -> Any:
        return (self.stub if name in self.STUBBED else self.moto).get_paginator(name)

    def describe_availability_zones(self, **kwargs: Any) -> Any:
        return self.moto.describe_availability_zones(**kwargs)


def test_end_to_end_selection_on_moto_and_stubbed_market(aws_env):
    moto_ec2 = session().client("ec2", config=CLIENT_CONFIG)
    price_client, stub = stubbed("ec2")
    req = requirements(architectures=["arm64"], capacity=6)
    zones = ["us-east-1a", "us-east-1b", "us-east-1c"]
    # Prices for every arm64 candidate in each zone, from the real Spot Advisor estimates.
    candidates = sorted(
        n
        for n, t in AwsMarket("us-east-1", session=session()).instance_types(req).items()
        if n in ADVISOR and n in ON_DEMAND and ADVISOR[n].bucket <= 2 and 4 <= t.memory_gib <= 16
    )
    for zone in zones:
        stub.add_response(
            "describe_spot_price_history",
            {
                "SpotPriceHistory": [
                    {
                        "AvailabilityZone": zone,
                        "InstanceType": t,
                        "ProductDescription": "Linux/UNIX",
                        "SpotPrice": f"{spot_estimate(t):.6f}",
                        "Timestamp": datetime(2026, 2, 20, tzinfo=UTC),
                    }
                    for t in candidates
                ]
            },
            None,
        )
    stub.add_response(
        "get_spot_placement_scores",
        {"SpotPlacementScores": [{"AvailabilityZoneId": "use1-az6", "Score": 8}]},
        None,
    )
    pricing, pricing_stub = stubbed("pricing")
    pricing_stub.add_client_error("get_products", service_error_code="AccessDeniedException")
    market = AwsMarket("us-east-1", ec2=HybridEc2(moto_ec2, price_client), pricing=pricing)
    with stub, pricing_stub:
        outputs = evaluate(req, source=market, now=NOW).outputs
    assert outputs["priceBasis"] == "history"
    assert outputs["dataSources"]["catalogue"] == "AWS DescribeInstanceTypes"
    assert set(outputs["instanceTypes"]) <= set(candidates)
    assert any("pricing:GetProducts not permitted" in w for w in outputs["warnings"])
    assert outputs["placementScores"] == {"use1-az6": 8}
    for detail in outputs["details"]:
        assert detail["spotPrice"] == pytest.approx(spot_estimate(detail["instanceType"]), rel=1e-3)
