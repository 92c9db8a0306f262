"""The cost of pulumi-awsx components, which offline are one registration each: priced from their
inputs and awsx's documented defaults, never counted as $0."""

from __future__ import annotations

from offline_preview.capture import Capture
from offline_preview.cost import estimate_cost
from offline_preview.cost.assumptions import Assumptions
from offline_preview.cost.awsx import fargate_task_size
from offline_preview.cost.context import Context
from offline_preview.deploy_time import TimeTable
from offline_preview.mocks import UNKNOWN
from tests.offline.cost_helpers import PRICES, H, approx, line_of, resource


def _estimate(*resources):
    return estimate_cost(
        Capture(project="p", stack="dev", resources=list(resources), config={"aws:region": "us-east-1"})
    )


def test_a_default_vpc_has_a_nat_gateway_and_its_public_ipv4_in_each_of_three_azs():
    est = _estimate(resource("awsx:ec2:Vpc", "vpc", {"cidrBlock": "10.0.0.0/16"}))
    nat, ip = PRICES.usd("natGateway.hour"), PRICES.usd("publicIpv4.hour")
    line = line_of(est, "vpc")
    assert line.monthly_usd > 3 * (nat + ip) * H  # plus the stated GB processed by each gateway
    assert "3 NAT gateway(s)" in line.basis and "over 3 AZs" in line.basis


def test_the_nat_strategy_and_az_count_decide_the_gateways():
    single = resource("awsx:ec2:Vpc", "single", {"natGateways": {"strategy": "Single"}, "numberOfAvailabilityZones": 2})
    none = resource("awsx:ec2:Vpc", "none", {"natGateways": {"strategy": "None"}})
    named = resource("awsx:ec2:Vpc", "named", {"availabilityZoneNames": ["us-east-1a", "us-east-1b"]})
    est = _estimate(single, none, named)
    assert "1 NAT gateway(s)" in line_of(est, "single").basis
    assert line_of(est, "none").monthly_usd == 0 and line_of(est, "none").priced
    assert "2 NAT gateway(s)" in line_of(est, "named").basis


def test_a_fargate_service_runs_one_task_of_the_cheapest_size_that_fits_its_containers():
    service = resource(
        "awsx:ecs:FargateService",
        "web",
        {"assignPublicIp": True, "taskDefinitionArgs": {"container": {"cpu": 512, "memory": 128, "image": "nginx"}}},
    )
    est = _estimate(service)
    v, g, ip = PRICES.usd("fargate.vcpuHour"), PRICES.usd("fargate.gbHour"), PRICES.usd("publicIpv4.hour")
    assert line_of(est, "web").monthly_usd == approx((0.5 * v + 1 * g + ip) * H)


def test_a_fargate_service_with_a_task_size_and_tasks_uses_them():
    service = resource(
        "awsx:ecs:FargateService",
        "api",
        {"desiredCount": 3, "taskDefinitionArgs": {"cpu": "1024", "memory": "4096", "containers": {"a": {"cpu": 10}}}},
    )
    v, g = PRICES.usd("fargate.vcpuHour"), PRICES.usd("fargate.gbHour")
    assert line_of(_estimate(service), "api").monthly_usd == approx(3 * (1 * v + 4 * g) * H)


def test_fargate_sizes_are_the_valid_combinations():
    c = Context(Capture(project="p", stack="dev"), PRICES, Assumptions.for_environment(PRICES, "dev"), "us-east-1")
    assert fargate_task_size([{"cpu": 256, "memory": 512}], c) == (0.25, 0.5)
    assert fargate_task_size([{"cpu": 2048, "memory": 1024}, {"cpu": 1024, "memoryReservation": 2048}], c) == (4.0, 8.0)
    assert fargate_task_size([{"cpu": 64 * 1024}], c) is None


def test_an_internet_facing_load_balancer_pays_for_a_public_ipv4_in_each_subnet():
    default_subnets = resource("awsx:lb:ApplicationLoadBalancer", "alb", {})
    two = resource("awsx:lb:NetworkLoadBalancer", "nlb", {"subnetIds": ["subnet-a", "subnet-b"]})
    internal = resource("awsx:lb:ApplicationLoadBalancer", "inner", {"internal": True})
    est = _estimate(default_subnets, two, internal)
    assert "public IPv4 (one per subnet of the default VPC" in line_of(est, "alb").basis
    assert "2 public IPv4 (one per subnet)" in line_of(est, "nlb").basis
    assert "public IPv4" not in line_of(est, "inner").basis and line_of(est, "inner").monthly_usd > 0


def test_inputs_unknown_at_preview_never_break_the_estimate():
    unknown = UNKNOWN  # what the engine sends for an input computed from another resource
    vpc = resource("awsx:ec2:Vpc", "vpc", {"natGateways": unknown})
    service = resource("awsx:ecs:FargateService", "svc", {"taskDefinitionArgs": {"container": unknown}})
    alb = resource("awsx:lb:ApplicationLoadBalancer", "alb", {"subnetIds": unknown})
    node_group = resource("aws:eks/nodeGroup:NodeGroup", "ng", {"scalingConfig": unknown, "instanceTypes": unknown})
    est = _estimate(vpc, service, alb, node_group)
    assert "3 NAT gateway(s)" in line_of(est, "vpc").basis  # awsx's default when the strategy is unknown
    assert "subnets unknown at preview" in line_of(est, "alb").basis
    broken = line_of(est, "ng")  # a model that cannot read an unknown object: unpriced with the reason
    assert not broken.priced and "could not read its inputs" in broken.basis and "scalingConfig" in broken.basis
    table = TimeTable.load()
    assert table.minutes(vpc) == 2 and table.minutes(resource("eks:index:Cluster", "c", {"autoMode": unknown})) > 0


def test_task_sizes_in_ecs_units_or_words_and_only_one_given():
    v, g = PRICES.usd("fargate.vcpuHour"), PRICES.usd("fargate.gbHour")
    words = resource("awsx:ecs:FargateService", "words", {"taskDefinitionArgs": {"cpu": "1 vCPU", "memory": "3 GB"}})
    half = resource(
        "awsx:ecs:FargateService",
        "half",
        {"taskDefinitionArgs": {"cpu": "2048", "container": {"cpu": 256, "memory": 512}}},
    )
    est = _estimate(words, half)
    assert line_of(est, "words").monthly_usd == approx((1 * v + 3 * g) * H)
    # awsx keeps the cpu it is given and fills memory from the containers' needs (0.5 GB).
    assert line_of(est, "half").monthly_usd == approx((2 * v + 0.5 * g) * H)


def test_an_apigateway_rest_api_component_is_billed_by_use_and_the_default_vpc_is_free():
    api = resource("aws-apigateway:index:RestAPI", "api", {"routes": [{"path": "/", "method": "GET"}]}, remote=True)
    default = resource("awsx:ec2:DefaultVpc", "default", {}, remote=True)
    est = _estimate(api, default)
    line = line_of(est, "api")
    assert line.kind == "usage" and any("per million API calls" in u for u in line.usage)
    assert line_of(est, "default").priced and line_of(est, "default").monthly_usd == 0
    assert all(line.priced for line in est.lines)
    table = TimeTable.load()
    assert table.is_modelled(api) and table.is_modelled(default)
