"""The cost estimate: each line's arithmetic and basis, sums per component and stack, spot prices
from the optimizer's outputs, Multi-AZ doubling, regions, and the JSON the CLI writes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest
from pulumi.dynamic import CreateResult, Resource, ResourceProvider

from offline_preview import run_program
from offline_preview.capture import Capture, CapturedResource
from offline_preview.cost import (
    NOT_PRICED,
    PRICES_FILE,
    STACK_COMPONENT,
    CostEstimate,
    PriceTable,
    estimate_cost,
    parse_cron,
    scheduled_floor,
    split_tasks,
)

HERE = Path(__file__).resolve().parent
H = 730.0
PRICES = PriceTable.load()


def approx(value: float) -> Any:
    return pytest.approx(value, rel=1e-9, abs=1e-9)


def line_of(est: CostEstimate, name: str, type_: str | None = None):
    [line] = [ln for ln in est.lines if ln.name == name and (type_ is None or ln.type == type_)]
    return line


# --- an inline program with the priced types -----------------------------------------------------


class Network(pulumi.ComponentResource):
    """VPC, one public subnet per AZ, a NAT gateway with its EIP, an ALB and an interface endpoint."""

    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("test:index:Network", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16", opts=child)
        self.subnets = [
            aws.ec2.Subnet(f"public-{i}", vpc_id=self.vpc.id, cidr_block=f"10.0.{i}.0/24", opts=child) for i in range(3)
        ]
        eip = aws.ec2.Eip("nat", domain="vpc", opts=child)
        aws.ec2.NatGateway("nat", allocation_id=eip.allocation_id, subnet_id=self.subnets[0].id, opts=child)
        aws.lb.LoadBalancer("alb", load_balancer_type="application", subnets=[s.id for s in self.subnets], opts=child)
        aws.lb.LoadBalancer(
            "internal",
            load_balancer_type="application",
            internal=True,
            subnets=[s.id for s in self.subnets],
            opts=child,
        )
        aws.ec2.VpcEndpoint(
            "logs",
            vpc_id=self.vpc.id,
            service_name="com.amazonaws.us-east-1.logs",
            vpc_endpoint_type="Interface",
            subnet_ids=[s.id for s in self.subnets],
            opts=child,
        )
        aws.ec2.VpcEndpoint("s3", vpc_id=self.vpc.id, service_name="com.amazonaws.us-east-1.s3", opts=child)
        self.register_outputs({})


class Data(pulumi.ComponentResource):
    def __init__(self, name: str, multi_az: bool, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("test:index:Data", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        aws.rds.Instance(
            "db",
            engine="postgres",
            instance_class="db.t3.small",
            allocated_storage=100,
            storage_type="gp3",
            multi_az=multi_az,
            username="app",
            manage_master_user_password=True,
            performance_insights_enabled=True,
            opts=child,
        )
        aws.elasticache.ReplicationGroup(
            "cache", description="cache", node_type="cache.t4g.small", num_cache_clusters=2, opts=child
        )
        self.register_outputs({})


def platform_program(multi_az: bool = True) -> None:
    Network("network")
    Data("data", multi_az)
    aws.kms.Key("logs", enable_key_rotation=True)
    aws.cloudwatch.LogGroup("app", retention_in_days=30)
    aws.cloudwatch.MetricAlarm(
        "cpu",
        comparison_operator="GreaterThanThreshold",
        evaluation_periods=2,
        metric_name="CPUUtilization",
        namespace="AWS/ECS",
        period=60,
        statistic="Average",
        threshold=70,
    )
    aws.cloudwatch.MetricAlarm(
        "requests-anomaly",
        comparison_operator="GreaterThanUpperThreshold",
        evaluation_periods=3,
        threshold_metric_id="band",
        metric_queries=[
            {"id": "band", "expression": "ANOMALY_DETECTION_BAND(m1, 2)", "return_data": True},
            {
                "id": "m1",
                "return_data": True,
                "metric": {
                    "metric_name": "RequestCount",
                    "namespace": "AWS/ApplicationELB",
                    "period": 300,
                    "stat": "Sum",
                },
            },
        ],
    )
    aws.cloudwatch.Dashboard("main", dashboard_name="main", dashboard_body="{}")
    aws.secretsmanager.Secret("api")
    aws.wafv2.WebAcl(
        "waf",
        scope="REGIONAL",
        default_action={"allow": {}},
        visibility_config={"cloudwatch_metrics_enabled": True, "metric_name": "waf", "sampled_requests_enabled": True},
        rules=[
            {
                "name": "common",
                "priority": 1,
                "override_action": {"none": {}},
                "statement": {
                    "managed_rule_group_statement": {"name": "AWSManagedRulesCommonRuleSet", "vendor_name": "AWS"}
                },
                "visibility_config": {
                    "cloudwatch_metrics_enabled": True,
                    "metric_name": "common",
                    "sampled_requests_enabled": True,
                },
            },
            {
                "name": "rate",
                "priority": 2,
                "action": {"block": {}},
                "statement": {"rate_based_statement": {"limit": 2000, "aggregate_key_type": "IP"}},
                "visibility_config": {
                    "cloudwatch_metrics_enabled": True,
                    "metric_name": "rate",
                    "sampled_requests_enabled": True,
                },
            },
        ],
    )
    aws.s3.Bucket("assets")
    aws.route53.Zone("zone", name="example.com")
    vault = aws.backup.Vault("vault")
    aws.backup.Plan(
        "plan",
        rules=[
            {
                "rule_name": "daily",
                "target_vault_name": vault.name,
                "schedule": "cron(0 5 * * ? *)",
                "copy_actions": [{"destination_vault_arn": "arn:aws:backup:us-west-2:123456789012:backup-vault:copy"}],
            }
        ],
    )
    aws.cloudtrail.Trail("a-main", s3_bucket_name="trail-bucket")
    aws.cloudtrail.Trail(
        "b-data",
        s3_bucket_name="trail-bucket",
        event_selectors=[
            {
                "include_management_events": True,
                "data_resources": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3"]}],
            }
        ],
    )
    aws.sns.Topic("alerts")
    aws.neptune.Cluster("unknown", engine="neptune")


@pytest.fixture(scope="module")
def platform() -> CostEstimate:
    return estimate_cost(run_program(HERE, "dev", program=platform_program, config={"aws:region": "us-east-1"}))


def test_nat_gateway_is_hourly_plus_assumed_data_processing(platform):
    line = line_of(platform, "nat", "aws:ec2/natGateway:NatGateway")
    gb = PRICES.doc["assumptions"]["byEnvironment"]["dev"]["natDataGbPerGateway"]
    assert line.monthly_usd == approx(0.045 * H + gb * 0.045)
    assert line.basis.startswith("$0.045/h x 730 h + ") and f"{gb} GB processed" in line.basis


def test_public_ipv4_is_charged_on_the_eip_and_per_public_alb_subnet(platform):
    assert line_of(platform, "nat", "aws:ec2/eip:Eip").monthly_usd == approx(0.005 * H)
    alb = line_of(platform, "alb")
    lcu = PRICES.doc["assumptions"]["byEnvironment"]["dev"]["albLcu"]
    assert alb.monthly_usd == approx((0.0225 + lcu * 0.008) * H + 3 * 0.005 * H)
    assert "3 public IPv4" in alb.basis
    internal = line_of(platform, "internal")
    assert internal.monthly_usd == approx((0.0225 + lcu * 0.008) * H)
    assert "IPv4" not in internal.basis


def test_interface_endpoint_is_priced_per_az_and_gateway_endpoint_is_free(platform):
    logs = line_of(platform, "logs", "aws:ec2/vpcEndpoint:VpcEndpoint")
    assert logs.monthly_usd == approx(3 * 0.01 * H + 5 * 0.01)
    assert "in 3 AZ" in logs.basis
    s3 = line_of(platform, "s3", "aws:ec2/vpcEndpoint:VpcEndpoint")
    assert s3.monthly_usd == 0 and s3.basis.startswith("free")


def test_rds_line_states_class_storage_and_managed_secret(platform):
    db = line_of(platform, "db")
    assert db.monthly_usd == approx(0.036 * 2 * H + 100 * 0.115 * 2 + 0.40)
    assert "db.t3.small postgres $0.036/h x 2 (Multi-AZ)" in db.basis
    assert "RDS-managed master secret" in db.basis and "Performance Insights 7 days: free" in db.basis


def test_multi_az_doubles_instance_and_storage():
    single = estimate_cost(run_program(HERE, "dev", program=lambda: platform_program(multi_az=False)))
    multi = estimate_cost(run_program(HERE, "dev", program=lambda: platform_program(multi_az=True)))
    secret = 0.40
    assert line_of(multi, "db").monthly_usd - secret == approx(2 * (line_of(single, "db").monthly_usd - secret))
    assert "Multi-AZ" not in line_of(single, "db").basis


def test_elasticache_counts_every_node(platform):
    cache = line_of(platform, "cache")
    assert cache.monthly_usd == approx(2 * 0.032 * H)
    assert cache.basis.startswith("2 x cache.t4g.small")


def test_monitoring_security_and_storage_lines(platform):
    assert line_of(platform, "logs", "aws:kms/key:Key").monthly_usd == approx(1.0)
    app = line_of(platform, "app")
    ingest = PRICES.doc["assumptions"]["byEnvironment"]["dev"]["logIngestGbPerGroup"]
    assert app.monthly_usd == approx(ingest * 0.50 + ingest * 30 / 30.4 * 0.03)
    assert "30-day retention" in app.basis
    assert line_of(platform, "cpu").monthly_usd == approx(0.10)
    anomaly = line_of(platform, "requests-anomaly")
    assert anomaly.monthly_usd == approx(0.30) and anomaly.basis.startswith("anomaly-detection alarm: 3")
    assert line_of(platform, "main", "aws:cloudwatch/dashboard:Dashboard").monthly_usd == approx(3.0)
    assert line_of(platform, "api").monthly_usd == approx(0.40 + 0.05)
    requests = PRICES.doc["assumptions"]["byEnvironment"]["dev"]["wafRequestsMillions"]
    assert line_of(platform, "waf").monthly_usd == approx(5 + 2 * 1 + requests * 0.60)
    s3_gb = PRICES.doc["assumptions"]["byEnvironment"]["dev"]["s3StorageGbPerBucket"]
    assert line_of(platform, "assets").monthly_usd == approx(s3_gb * 0.023)
    assert line_of(platform, "zone").monthly_usd == approx(0.50)
    vault_gb = PRICES.doc["assumptions"]["byEnvironment"]["dev"]["backupStorageGbPerVault"]
    assert line_of(platform, "vault").monthly_usd == approx(vault_gb * 0.05)
    assert line_of(platform, "plan").monthly_usd == approx(50 * 0.02)
    assert line_of(platform, "alerts").monthly_usd == 0


def test_first_trail_records_management_events_free_and_later_trails_pay(platform):
    first, second = line_of(platform, "a-main"), line_of(platform, "b-data")
    assert first.monthly_usd == 0 and "first trail" in first.basis
    assert second.monthly_usd == approx(5 * 2.00 + 10 * 0.10)
    assert "additional trail" in second.basis and "data events" in second.basis


def test_unknown_types_are_unpriced_never_zero_and_the_total_is_a_lower_bound(platform):
    cluster = line_of(platform, "unknown")
    assert not cluster.priced and cluster.kind == "unpriced" and cluster.basis.startswith(NOT_PRICED)
    assert platform.not_priced == {"aws:neptune/cluster:Cluster": 1}
    assert platform.headline().startswith(f"≥ ${platform.monthly_usd:,.2f}/month + 1 unpriced resource")
    doc = platform.to_json()
    [line] = [ln for ln in doc["lines"] if ln["name"] == "unknown"]
    assert line["monthlyUsd"] is None and line["kind"] == "unpriced"
    assert doc["complete"] is False and doc["unpricedCount"] == 1
    assert doc["unpriced"] == [{"type": "aws:neptune/cluster:Cluster", "count": 1, "reasons": [cluster.basis]}]
    assert "Unpriced" in platform.to_markdown().split("| component |")[0]  # above the tables, not far below


def test_free_types_say_why(platform):
    subnet = line_of(platform, "public-0")
    assert subnet.monthly_usd == 0 and subnet.basis.startswith("free: VPC wiring")


def test_sums_per_component_and_stack(platform):
    by = platform.by_component
    network = sum(ln.monthly_usd for ln in platform.lines if ln.urn.split("::")[2].startswith("test:index:Network"))
    data = sum(ln.monthly_usd for ln in platform.lines if ln.urn.split("::")[2].startswith("test:index:Data"))
    assert by["network"] == approx(network) and network > 0
    assert by["data"] == approx(data) and data > 0
    assert by[STACK_COMPONENT] == approx(platform.monthly_usd - network - data)
    assert sum(by.values()) == approx(platform.monthly_usd)
    assert platform.to_json()["monthlyUsd"] == round(platform.monthly_usd, 2)


def test_json_shape_and_assumptions_used(platform):
    doc = json.loads(json.dumps(platform.to_json()))
    assert set(doc) >= {"monthlyUsd", "byComponent", "lines", "assumptions", "priceSource"}
    assert set(doc["lines"][0]) >= {"urn", "type", "monthlyUsd", "basis"}
    used = {a["key"] for a in doc["assumptions"]}
    assert {"hoursPerMonth", "natDataGbPerGateway", "albLcu", "logIngestGbPerGroup"} <= used
    assert "ecrStorageGbPerRepository" not in used  # no repository in this program
    src = doc["priceSource"]
    assert src["file"] == "offline_preview/data/aws-prices.json"
    assert src["ec2OnDemandAsOf"] == "2026-07-20"
    assert "https://aws.amazon.com/vpc/pricing/" in src["sources"]
    markdown = platform.to_markdown()
    assert "Estimated monthly cost" in markdown and "`network`" in markdown and "`natDataGbPerGateway`" in markdown


# --- compute: EC2 node groups, spot selection, Fargate ---------------------------------------------


class _Selection(ResourceProvider):
    """Stands in for the spot optimizer: answers offline with fixed, realistic outputs."""

    def create(self, props: dict[str, Any]) -> CreateResult:  # pragma: no cover - never called offline
        raise NotImplementedError

    def offline_create(self, props: dict[str, Any]) -> dict[str, Any]:
        return {
            "instanceTypes": ["m6i.large", "m5.large", "m5a.large"],
            "details": [
                {"instanceType": "m6i.large", "spotPrice": 0.035, "onDemandPrice": 0.096},
                {"instanceType": "m5.large", "spotPrice": 0.038, "onDemandPrice": 0.096},
                {"instanceType": "m5a.large", "spotPrice": 0.041, "onDemandPrice": 0.086},
            ],
            "expectedHourlyUsd": 0.114,
            "reason": "test",
        }


class SpotInstanceSelection(Resource, module="spot", name="SpotInstanceSelection"):
    instanceTypes: pulumi.Output[list[str]]  # noqa: N815 - the dynamic resource's output name

    def __init__(self, name: str, capacity: int | None) -> None:
        props: dict[str, Any] = {"instanceTypes": None, "details": None, "expectedHourlyUsd": None}
        if capacity is not None:
            props["capacity"] = capacity
        super().__init__(_Selection(), name, props)


def node_groups(capacity: int | None = 3) -> None:
    selection = SpotInstanceSelection("spot-types", capacity)
    common: dict[str, Any] = {
        "cluster_name": "c",
        "node_role_arn": "arn:aws:iam::123456789012:role/n",
        "subnet_ids": ["s"],
    }
    aws.eks.Cluster("cluster", role_arn="arn:aws:iam::123456789012:role/c", vpc_config={"subnet_ids": ["s"]})
    aws.eks.NodeGroup(
        "system",
        instance_types=["t3.medium", "t3.large"],
        scaling_config={"desired_size": 3, "min_size": 1, "max_size": 20},
        **common,
    )
    aws.eks.NodeGroup(
        "spot",
        instance_types=selection.instanceTypes,
        capacity_type="SPOT",
        scaling_config={"desired_size": 3, "min_size": 0, "max_size": 20},
        **common,
    )
    aws.eks.NodeGroup(
        "spot-advisor",
        instance_types=["t3.medium", "t3.large"],
        capacity_type="SPOT",
        scaling_config={"desired_size": 2, "min_size": 0, "max_size": 4},
        disk_size=50,
        **common,
    )


def test_on_demand_node_group_is_desired_size_times_first_type():
    est = estimate_cost(run_program(HERE, "dev", program=node_groups, mode="up"))
    system = line_of(est, "system")
    assert system.monthly_usd == approx(3 * 0.0416 * H + 3 * 20 * 0.08)
    assert system.basis.startswith("ON_DEMAND 3 nodes x t3.medium $0.0416/h")
    assert line_of(est, "cluster").monthly_usd == approx(0.10 * H)


def test_spot_node_group_uses_the_selection_expected_hourly_cost():
    est = estimate_cost(run_program(HERE, "dev", program=node_groups, mode="up"))
    spot = line_of(est, "spot", "aws:eks/nodeGroup:NodeGroup")
    assert spot.monthly_usd == approx(3 * (0.114 / 3) * H + 3 * 20 * 0.08)
    assert "SpotInstanceSelection 'spot-types' expects $0.114/h for 3 nodes" in spot.basis


def test_spot_node_group_falls_back_to_the_selection_detail_prices():
    est = estimate_cost(run_program(HERE, "dev", program=lambda: node_groups(capacity=None), mode="up"))
    spot = line_of(est, "spot", "aws:eks/nodeGroup:NodeGroup")
    mean = (0.035 + 0.038 + 0.041) / 3
    assert spot.monthly_usd == approx(3 * mean * H + 3 * 20 * 0.08)
    assert "expected spot prices of 3 types" in spot.basis


def test_spot_node_group_without_a_selection_uses_spot_advisor_savings():
    est = estimate_cost(run_program(HERE, "dev", program=node_groups, mode="up"))
    advisor = line_of(est, "spot-advisor")
    savings = PRICES.tables["ec2.spotSavingsPercent"]["byRegion"]["us-east-1"]
    per = (0.0416 * (1 - savings["t3.medium"] / 100) + 0.0832 * (1 - savings["t3.large"] / 100)) / 2
    assert advisor.monthly_usd == approx(2 * per * H + 2 * 50 * 0.08)
    assert "Spot Advisor estimate" in advisor.basis


def fargate_service(arm: bool = False) -> None:
    cluster = aws.ecs.Cluster("cluster")
    task = aws.ecs.TaskDefinition(
        "app",
        family="app",
        cpu="1024",
        memory="2048",
        network_mode="awsvpc",
        requires_compatibilities=["FARGATE"],
        container_definitions="[]",
        runtime_platform={"cpu_architecture": "ARM64", "operating_system_family": "LINUX"} if arm else None,
    )
    service = aws.ecs.Service(
        "app",
        cluster=cluster.arn,
        task_definition=task.arn,
        desired_count=3,
        capacity_provider_strategies=[
            {"capacity_provider": "FARGATE", "weight": 1, "base": 3},
            {"capacity_provider": "FARGATE_SPOT", "weight": 1},
        ],
    )
    target = aws.appautoscaling.Target(
        "app",
        max_capacity=20,
        min_capacity=3,
        resource_id=pulumi.Output.concat("service/cluster/", service.name),
        scalable_dimension="ecs:service:DesiredCount",
        service_namespace="ecs",
    )
    for name, schedule, minimum in (
        ("up", "cron(30 7 ? * MON-FRI *)", 6),
        ("down", "cron(0 20 ? * MON-FRI *)", 3),
    ):
        aws.appautoscaling.ScheduledAction(
            name,
            resource_id=target.resource_id,
            scalable_dimension=target.scalable_dimension,
            service_namespace=target.service_namespace,
            schedule=schedule,
            scalable_target_action={"min_capacity": minimum, "max_capacity": 20},
        )


def test_split_tasks_places_base_first_then_by_weight():
    assert split_tasks(3, [("FARGATE", 1, 3), ("FARGATE_SPOT", 1, 0)]) == {"FARGATE": 3, "FARGATE_SPOT": 0}
    assert split_tasks(8, [("FARGATE", 1, 2), ("FARGATE_SPOT", 3, 0)]) == {"FARGATE": 3.5, "FARGATE_SPOT": 4.5}
    assert split_tasks(1, [("FARGATE", 1, 3)]) == {"FARGATE": 1}


def test_scheduled_business_hours_floor_is_time_weighted():
    assert parse_cron("cron(30 7 ? * MON-FRI *)") == (7.5, 5)
    assert parse_cron("cron(0 20 ? * * *)") == (20.0, 7)
    assert parse_cron("rate(5 minutes)") is None
    floor, note = scheduled_floor(3, [("cron(30 7 ? * MON-FRI *)", 6), ("cron(0 20 ? * MON-FRI *)", 3)]) or (0, "")
    share = 12.5 * 5 / 168
    assert floor == approx(3 + share * 3)
    assert "12.5 h x 5 days/week" in note


def test_fargate_and_fargate_spot_tasks_follow_the_capacity_provider_split():
    est = estimate_cost(run_program(HERE, "dev", program=fargate_service))
    line = line_of(est, "app", "aws:ecs/service:Service")
    count = 3 + (12.5 * 5 / 168) * 3  # business-hours floor of 6 for 37 % of the week
    on_demand = 3 + (count - 3) / 2
    spot = (count - 3) / 2
    per_od = 1 * 0.04048 + 2 * 0.004445
    per_spot = 1 * 0.012144 + 2 * 0.0013335
    assert line.monthly_usd == approx((on_demand * per_od + spot * per_spot) * H)
    assert "autoscaling minimum 3" in line.basis and "FARGATE_SPOT" in line.basis
    assert est.by_component[STACK_COMPONENT] == approx(est.monthly_usd)


def test_fargate_arm_tasks_use_the_arm_rates():
    est = estimate_cost(run_program(HERE, "dev", program=lambda: fargate_service(arm=True)))
    line = line_of(est, "app", "aws:ecs/service:Service")
    assert "$0.03238" in line.basis and line.basis.split("; inputs unknown at preview")[0].endswith("(Linux/ARM)")


# --- remote components, regions ----------------------------------------------------------------


def test_remote_eks_cluster_stands_for_control_plane_and_default_node_group():
    # pulumi-eks `Cluster` is one remote registration offline (no children): it is priced from its inputs.
    def cluster(name: str, **inputs: Any) -> CapturedResource:
        return resource("eks:index:Cluster", name, {"vpcId": "vpc-1", **inputs}, custom=False, remote=True)

    est = estimate_cost(
        Capture(
            project="p",
            stack="dev",
            resources=[cluster("default-ng"), cluster("no-ng", skipDefaultNodeGroup=True)],
            config={"aws:region": "us-east-1"},
        )
    )
    with_ng = line_of(est, "default-ng")
    assert with_ng.monthly_usd == approx(0.10 * H + 2 * 0.0416 * H)
    assert "default node group 2 x t3.medium" in with_ng.basis
    assert line_of(est, "no-ng").monthly_usd == approx(0.10 * H)
    assert est.by_component == {"default-ng": approx(with_ng.monthly_usd), "no-ng": approx(0.10 * H)}


def test_remote_component_with_captured_children_is_priced_through_them():
    parent = resource("eks:index:Cluster", "eks", {}, custom=False, remote=True)
    child = resource("aws:eks/cluster:Cluster", "eks-cluster", {}, parent=parent.urn)
    est = estimate_cost(Capture(project="p", stack="dev", resources=[parent, child]))
    assert line_of(est, "eks").monthly_usd == 0
    assert line_of(est, "eks-cluster").monthly_usd == approx(0.10 * H)


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


# --- synthetic captures -------------------------------------------------------------------------


def resource(type_: str, name: str, inputs: dict[str, Any] | None = None, **kw: Any) -> CapturedResource:
    base: dict[str, Any] = {
        "urn": f"urn:pulumi:s::p::{type_}::{name}",
        "type": type_,
        "name": name,
        "custom": True,
        "remote": False,
        "parent": None,
        "dependencies": [],
        "property_dependencies": {},
        "provider": None,
        "protect": False,
        "retain_on_delete": False,
        "delete_before_replace": None,
        "ignore_changes": [],
        "replace_on_changes": [],
        "additional_secret_outputs": [],
        "custom_timeouts": {},
        "import_id": "",
        "inputs": inputs or {},
        "secret_paths": [],
    }
    base.update(kw)
    return CapturedResource(**base)


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


def test_environment_assumptions_come_from_the_stack_config():
    nat = resource("aws:ec2/natGateway:NatGateway", "nat")
    prod = estimate_cost(Capture(project="p", stack="x", resources=[nat], config={"platform:environment": "prod"}))
    dev = estimate_cost(Capture(project="p", stack="x", resources=[nat], config={"platform:environment": "dev"}))
    assert prod.environment == "prod" and dev.environment == "dev"
    assert prod.monthly_usd - dev.monthly_usd == approx((200 - 20) * 0.045)


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


def test_auto_scaling_group_takes_its_instance_type_from_the_launch_template():
    def program() -> None:
        template = aws.ec2.LaunchTemplate("nodes", instance_type="m5.large")
        aws.autoscaling.Group(
            "nodes",
            desired_capacity=4,
            max_size=6,
            min_size=1,
            launch_template={"id": template.id, "version": "$Latest"},
            vpc_zone_identifiers=["subnet-1"],
        )

    est = estimate_cost(run_program(HERE, "dev", program=program))
    assert line_of(est, "nodes", "aws:autoscaling/group:Group").monthly_usd == approx(4 * 0.096 * H)
    assert line_of(est, "nodes", "aws:ec2/launchTemplate:LaunchTemplate").monthly_usd == 0


def test_spot_selection_outputs_in_snake_case_are_read_too():
    selection = resource(
        "pulumi-python:dynamic/spot:SpotInstanceSelection",
        "sel",
        {"capacity": 2},
        outputs={"instance_types": ["m5.large"], "expected_hourly_usd": 0.08, "details": []},
    )
    group = resource(
        "aws:eks/nodeGroup:NodeGroup",
        "spot",
        {"capacityType": "SPOT", "instanceTypes": ["m5.large"], "scalingConfig": {"desiredSize": 4}},
        dependencies=[selection.urn],
        property_dependencies={"instanceTypes": [selection.urn]},
    )
    est = estimate_cost(Capture(project="p", stack="dev", resources=[selection, group]))
    assert line_of(est, "spot").monthly_usd == approx(4 * 0.04 * H + 4 * 20 * 0.08)


def test_a_resource_s_own_region_wins_over_its_provider():
    key = resource("aws:kms/key:Key", "replica", {"region": "us-west-2"})
    other = resource("aws:kms/key:Key", "far", {"region": "ap-south-1"})
    est = estimate_cost(Capture(project="p", stack="dev", resources=[key, other], config={"aws:region": "us-east-1"}))
    assert line_of(est, "replica").region == "us-west-2"
    assert (
        line_of(est, "far").region == "ap-south-1"
        and "ap-south-1 is not in the price table" in line_of(est, "far").basis
    )


def test_service_without_strategy_uses_the_cluster_default_capacity_providers():
    def program() -> None:
        cluster = aws.ecs.Cluster("cluster")
        aws.ecs.ClusterCapacityProviders(
            "cluster",
            cluster_name=cluster.name,
            capacity_providers=["FARGATE", "FARGATE_SPOT"],
            default_capacity_provider_strategies=[{"capacity_provider": "FARGATE_SPOT", "weight": 1}],
        )
        task = aws.ecs.TaskDefinition("worker", family="worker", cpu="256", memory="512", container_definitions="[]")
        aws.ecs.Service("worker", cluster=cluster.arn, task_definition=task.arn, desired_count=2)

    est = estimate_cost(run_program(HERE, "dev", program=program))
    line = line_of(est, "worker", "aws:ecs/service:Service")
    assert line.monthly_usd == approx(2 * (0.25 * 0.012144 + 0.5 * 0.0013335) * H)
    assert line.basis.startswith("2 tasks (desiredCount); 2.00 on FARGATE_SPOT")


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


def container_insights() -> None:
    aws.ecs.Cluster("plain")
    aws.ecs.Cluster("watched", settings=[{"name": "containerInsights", "value": "enhanced"}])
    aws.eks.Addon("coredns", cluster_name="c", addon_name="coredns")
    aws.eks.Addon("insights", cluster_name="c", addon_name="amazon-cloudwatch-observability")


def test_container_insights_is_named_not_included_rather_than_called_free():
    est = estimate_cost(run_program(HERE, "dev", program=container_insights))
    for free in ("plain", "coredns"):
        line = line_of(est, free)
        assert line.monthly_usd == 0 and line.basis.startswith("free: ") and "Insights" not in line.basis
    for watched in ("watched", "insights"):
        line = line_of(est, watched)
        assert line.monthly_usd == 0 and line.priced
        assert not line.basis.startswith("free") and "Container Insights observations not included" in line.basis


def test_a_line_whose_inputs_are_unknown_at_preview_says_which():
    from offline_preview.capture import UNKNOWN

    web = resource("aws:ec2/instance:Instance", "web", {"instanceType": UNKNOWN, "ami": "ami-1"})
    est = estimate_cost(Capture(project="p", stack="s", resources=[web]))
    [ln] = est.lines
    assert not ln.priced and UNKNOWN not in ln.basis and "inputs unknown at preview: instanceType" in ln.basis


def test_the_part_resting_on_usage_assumptions_is_stated(platform):
    gb = PRICES.doc["assumptions"]["byEnvironment"]["dev"]["natDataGbPerGateway"]
    nat = line_of(platform, "nat", "aws:ec2/natGateway:NatGateway")
    assert nat.assumed_usd == approx(gb * 0.045) and nat.monthly_usd > nat.assumed_usd
    bucket = line_of(platform, "assets")
    assert bucket.assumed_usd == approx(bucket.monthly_usd)
    assert line_of(platform, "zone").assumed_usd == 0  # a hosted zone's price is fixed
    assert platform.assumed_usd == approx(sum(ln.assumed_usd for ln in platform.lines))
    assert f"${platform.assumed_usd:,.2f} of it from stated usage assumptions" in platform.headline()
    assert platform.to_json()["assumedUsageMonthlyUsd"] == round(platform.assumed_usd, 2)


def test_markdown_prose_never_turns_names_into_emoji_and_code_spans_stay_literal():
    from offline_preview.cost.context import md, md_prose

    arn = "arn:aws:secretsmanager:us-east-1:1:secret:db"
    shown = md_prose(arn)
    assert ":secret:" not in shown and shown.replace("&#58;", ":") == arn  # renders as written
    assert md("test:index:Thing::nat|x") == "test:index:Thing::nat\\|x"  # inside backticks entities show literally
