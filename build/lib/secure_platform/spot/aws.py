"""The live market: EC2 and the Price List API through boto3.

Every call is paginated, filtered server-side where the API allows it, and retried by botocore
(adaptive mode: client-side rate limiting on throttling errors, then exponential backoff) with
short connect and read timeouts. Any failure becomes `SourceUnavailableError`, which the caller turns
into a fallback to the bundled data plus a warning in the outputs; nothing here raises anything
else. Clients are created lazily, so constructing `AwsMarket` needs no credentials and makes no
calls.

IAM: ec2:DescribeAvailabilityZones, ec2:DescribeInstanceTypes, ec2:DescribeInstanceTypeOfferings,
ec2:DescribeSpotPriceHistory, ec2:GetSpotPlacementScores, pricing:GetProducts (none of them
supports resource-level permissions, so `Resource: "*"`; all are read-only).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from boto3.session import Session
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ReadTimeoutError,
)

from .market import LINUX_DESCRIPTIONS, SourceUnavailableError, parse_history
from .model import ARCHITECTURES, InstanceType, PriceHistory, Zone
from .requirements import SpotRequirements

CLIENT_CONFIG = Config(
    retries={"mode": "adaptive", "total_max_attempts": 5},
    connect_timeout=5,
    read_timeout=30,
    user_agent_extra="platform-spot-selection",
)
MAX_FILTER_VALUES = 100
"""Values per EC2 filter or InstanceTypes list in one request (EC2 caps filter values; stay well below)."""
MAX_HISTORY_PAGES_PER_ZONE = 20
MAX_PRICED_TYPES = 24
"""Price List calls per evaluation (one per type); the rest come from the bundled table."""

_DENIED = {
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnauthorizedAccess",
    "OptInRequired",
}
_BAD_CREDENTIALS = {
    "AuthFailure",
    "InvalidClientTokenId",
    "ExpiredToken",
    "ExpiredTokenException",
    "UnrecognizedClientException",
    "SignatureDoesNotMatch",
}
_THROTTLED = {
    "Throttling",
    "ThrottlingException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "RequestThrottled",
}
_ACCELERATOR_KEYS = ("GpuInfo", "InferenceAcceleratorInfo", "FpgaInfo", "NeuronInfo", "MediaAcceleratorInfo")


def pricing_endpoint_region(region: str) -> str:
    """The Price List API answers for every region from three endpoints; use the nearest one."""
    if region.startswith(("eu-", "me-", "af-", "il-")):
        return "eu-central-1"
    if region.startswith("ap-"):
        return "ap-south-1"
    return "us-east-1"


def classify(exc: Exception) -> tuple[str, bool]:
    """(reason for the warning, fatal: no other live call can succeed)."""
    if isinstance(exc, (NoCredentialsError, PartialCredentialsError)):
        return "no AWS credentials found (environment, profile, SSO or instance role)", True
    if isinstance(exc, NoRegionError):
        return "no region configured", True
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", "Unknown"))
        message = str(error.get("Message", "")).strip()
        if code in _DENIED:
            return f"not permitted ({code}); grant the read-only permission or accept the fallback", False
        if code in _BAD_CREDENTIALS:
            return f"credentials rejected ({code})", True
        if code in _THROTTLED:
            return f"throttled ({code}) after retries", False
        return f"failed ({code}{': ' + message if message else ''})", False
    if isinstance(exc, (EndpointConnectionError, ConnectTimeoutError, ConnectionClosedError)):
        return f"cannot reach AWS ({type(exc).__name__})", True
    if isinstance(exc, ReadTimeoutError):
        return "timed out", False
    return f"failed ({type(exc).__name__}: {exc})", False


def _chunks(items: Sequence[str], size: int = MAX_FILTER_VALUES) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield list(items[i : i + size])


def parse_instance_type(item: dict[str, Any]) -> InstanceType | None:
    archs = item.get("ProcessorInfo", {}).get("SupportedArchitectures", [])
    arch = next((a for a in ARCHITECTURES if a in archs), None)
    if arch is None:
        return None
    return InstanceType(
        name=item["InstanceType"],
        vcpus=int(item["VCpuInfo"]["DefaultVCpus"]),
        memory_gib=round(int(item["MemoryInfo"]["SizeInMiB"]) / 1024, 3),
        architecture=arch,
        burstable=bool(item.get("BurstablePerformanceSupported", False)),
        current_generation=bool(item.get("CurrentGeneration", False)),
        bare_metal=bool(item.get("BareMetal", False)),
        accelerated=any(k in item for k in _ACCELERATOR_KEYS),
        spot_supported="spot" in item.get("SupportedUsageClasses", []),
        manufacturer=str(item.get("ProcessorInfo", {}).get("Manufacturer", "")),
    )


def parse_on_demand(price_list: Sequence[str]) -> dict[str, float]:
    """Price List `PriceList` items (JSON strings) -> instance type -> USD per hour."""
    out: dict[str, float] = {}
    for raw in price_list:
        item = json.loads(raw) if isinstance(raw, str) else raw
        name = item.get("product", {}).get("attributes", {}).get("instanceType")
        if not name:
            continue
        for term in item.get("terms", {}).get("OnDemand", {}).values():
            for dimension in term.get("priceDimensions", {}).values():
                try:
                    usd = float(dimension.get("pricePerUnit", {}).get("USD", "0"))
                except ValueError:
                    continue
                if usd > 0:
                    out[name] = usd
    return out


class AwsMarket:
    """`MarketSource` backed by boto3; pass `session` (or clients) to control credentials in tests."""

    label = "AWS"

    def __init__(
        self,
        region: str,
        *,
        session: Session | None = None,
        ec2: Any = None,
        pricing: Any = None,
        config: Config = CLIENT_CONFIG,
    ) -> None:
        self.region = region
        self._session = session
        self._ec2 = ec2
        self._pricing = pricing
        self._config = config
        self.notes: list[str] = []
        """Warnings about answers that are usable but incomplete."""

    # --- plumbing -----------------------------------------------------------------------------
    def _sess(self) -> Session:
        if self._session is None:
            self._session = Session()
        return self._session

    def _ec2_client(self) -> Any:
        if self._ec2 is None:
            if self._sess().get_credentials() is None:
                raise NoCredentialsError()
            self._ec2 = self._sess().client("ec2", region_name=self.region, config=self._config)
        return self._ec2

    def _pricing_client(self) -> Any:
        if self._pricing is None:
            if self._sess().get_credentials() is None:
                raise NoCredentialsError()
            self._pricing = self._sess().client(
                "pricing", region_name=pricing_endpoint_region(self.region), config=self._config
            )
        return self._pricing

    @contextmanager
    def _guard(self, what: str) -> Iterator[None]:
        try:
            yield
        except (BotoCoreError, ClientError) as exc:
            reason, fatal = classify(exc)
            raise SourceUnavailableError(what, reason, fatal=fatal) from exc
        except Exception as exc:  # an optional live source must never crash the deployment
            raise SourceUnavailableError(what, f"failed ({type(exc).__name__}: {exc})") from exc

    # --- MarketSource -------------------------------------------------------------------------
    def zones(self) -> list[Zone]:
        with self._guard("DescribeAvailabilityZones"):
            response = self._ec2_client().describe_availability_zones(
                Filters=[{"Name": "zone-type", "Values": ["availability-zone"]}]
            )
            return [
                Zone(z["ZoneName"], z["ZoneId"])
                for z in response["AvailabilityZones"]
                if z.get("State", "available") == "available"
                and z.get("OptInStatus", "opt-in-not-required") in ("opt-in-not-required", "opted-in")
            ]

    def instance_types(self, req: SpotRequirements) -> dict[str, InstanceType]:
        filters = [
            {"Name": "supported-usage-class", "Values": ["spot"]},
            {"Name": "processor-info.supported-architecture", "Values": list(req.arch_list)},
            {"Name": "bare-metal", "Values": ["false"]},
        ]
        if req.current_generation_only:
            filters.append({"Name": "current-generation", "Values": ["true"]})
        if not req.burstable:
            filters.append({"Name": "burstable-performance-supported", "Values": ["false"]})
        low, high = math.ceil(req.vcpus.min), math.floor(req.vcpus.max)
        if 0 < high - low + 1 <= MAX_FILTER_VALUES:
            filters.append({"Name": "vcpu-info.default-vcpus", "Values": [str(v) for v in range(low, high + 1)]})
        out: dict[str, InstanceType] = {}
        with self._guard("DescribeInstanceTypes"):
            pages = (
                self._ec2_client()
                .get_paginator("describe_instance_types")
                .paginate(Filters=filters, PaginationConfig={"PageSize": 100})
            )
            for page in pages:
                for item in page["InstanceTypes"]:
                    parsed = parse_instance_type(item)
                    if parsed is not None:
                        out[parsed.name] = parsed
        return out

    def offerings(self, types: Sequence[str], zones: Sequence[Zone]) -> dict[str, frozenset[str]]:
        found: dict[str, set[str]] = {t: set() for t in types}
        with self._guard("DescribeInstanceTypeOfferings"):
            paginator = self._ec2_client().get_paginator("describe_instance_type_offerings")
            for zone in zones:
                for chunk in _chunks(types):
                    pages = paginator.paginate(
                        LocationType="availability-zone",
                        Filters=[
                            {"Name": "location", "Values": [zone.name]},
                            {"Name": "instance-type", "Values": chunk},
                        ],
                        PaginationConfig={"PageSize": 1000},
                    )
                    for page in pages:
                        for row in page["InstanceTypeOfferings"]:
                            found.setdefault(row["InstanceType"], set()).add(row["Location"])
        return {t: frozenset(z) for t, z in found.items() if z}

    def spot_price_history(
        self, types: Sequence[str], zones: Sequence[Zone], start: datetime, end: datetime
    ) -> PriceHistory:
        rows: list[dict[str, Any]] = []
        truncated: list[str] = []
        with self._guard("DescribeSpotPriceHistory"):
            paginator = self._ec2_client().get_paginator("describe_spot_price_history")
            for zone in zones:
                for chunk in _chunks(types):
                    pages = paginator.paginate(
                        AvailabilityZone=zone.name,
                        InstanceTypes=chunk,
                        ProductDescriptions=list(LINUX_DESCRIPTIONS),
                        StartTime=start,
                        EndTime=end,
                        PaginationConfig={"PageSize": 1000, "MaxItems": 1000 * MAX_HISTORY_PAGES_PER_ZONE},
                    )
                    count = 0
                    for page in pages:
                        rows.extend(page["SpotPriceHistory"])
                        count += len(page["SpotPriceHistory"])
                    if count >= 1000 * MAX_HISTORY_PAGES_PER_ZONE:
                        truncated.append(zone.name)
        if truncated:
            # Records come newest first, so the cut drops the oldest part of the window.
            self.notes.append(
                f"spot price history was cut at {MAX_HISTORY_PAGES_PER_ZONE} pages in {', '.join(truncated)}; "
                "the oldest part of the window is missing"
            )
        return parse_history(rows)

    def on_demand_prices(self, types: Sequence[str]) -> dict[str, float]:
        out: dict[str, float] = {}
        with self._guard("pricing:GetProducts"):
            paginator = self._pricing_client().get_paginator("get_products")
            for name in list(types)[:MAX_PRICED_TYPES]:
                filters = [
                    {"Type": "TERM_MATCH", "Field": field, "Value": value}
                    for field, value in (
                        ("regionCode", self.region),
                        ("instanceType", name),
                        ("operatingSystem", "Linux"),
                        ("tenancy", "Shared"),
                        ("preInstalledSw", "NA"),
                        ("capacitystatus", "Used"),
                        ("marketoption", "OnDemand"),
                    )
                ]
                for page in paginator.paginate(ServiceCode="AmazonEC2", Filters=filters, FormatVersion="aws_v1"):
                    out.update(parse_on_demand(page["PriceList"]))
        return out

    def placement_scores(self, types: Sequence[str], target_capacity: int) -> dict[str, int]:
        scores: dict[str, int] = {}
        with self._guard("GetSpotPlacementScores"):
            pages = (
                self._ec2_client()
                .get_paginator("get_spot_placement_scores")
                .paginate(
                    InstanceTypes=list(types),
                    TargetCapacity=max(1, target_capacity),
                    TargetCapacityUnitType="units",
                    SingleAvailabilityZone=True,
                    RegionNames=[self.region],
                )
            )
            for page in pages:
                for row in page["SpotPlacementScores"]:
                    if row.get("AvailabilityZoneId"):
                        scores[row["AvailabilityZoneId"]] = int(row["Score"])
        return scores
