"""The cost of compute: EC2 node groups and Auto Scaling groups, spot prices from the optimizer's
outputs or the Spot Advisor, Fargate tasks split across capacity providers and scheduled floors,
remote EKS clusters, and Container Insights."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws
from pulumi.dynamic import CreateResult, Resource, ResourceProvider

from offline_preview import run_program
from offline_preview.capture import Capture, CapturedResource
from offline_preview.cost import STACK_COMPONENT, estimate_cost, parse_cron, scheduled_floor, split_tasks
from tests.offline.cost_helpers import HERE, PRICES, H, approx, line_of, resource

# --- EC2: node groups, spot selection, Auto Scaling groups ----------------------------------------


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


def test_auto_scaling_group_takes_its_instance_type_from_a_launch_configuration():
    def program() -> None:
        config = aws.ec2.LaunchConfiguration("nodes", image_id="ami-0123456789abcdef0", instance_type="t3.large")
        aws.autoscaling.Group("by-ref", min_size=2, max_size=4, launch_configuration=config.name)
        aws.autoscaling.Group("by-name", desired_capacity=1, min_size=1, max_size=1, launch_configuration="fixed")
        aws.ec2.LaunchConfiguration("fixed", name="fixed", image_id="ami-0123456789abcdef0", instance_type="m5.large")

    est = estimate_cost(run_program(HERE, "dev", program=program))
    t3, m5 = PRICES.on_demand("t3.large"), PRICES.on_demand("m5.large")
    assert t3 and m5
    assert line_of(est, "by-ref").monthly_usd == approx(2 * t3 * H)  # minSize without desiredCapacity
    assert line_of(est, "by-name").monthly_usd == approx(m5 * H)


def test_auto_scaling_group_without_a_known_instance_type_is_unpriced_not_zero():
    est = estimate_cost(
        Capture(project="p", stack="dev", resources=[resource("aws:autoscaling/group:Group", "g", {"minSize": 3})])
    )
    line = line_of(est, "g")
    assert not line.priced and "instance type of the launch template unknown" in line.basis
    assert "+ 1 unpriced resource" in est.headline()


# --- ECS: Fargate tasks, capacity providers, Container Insights -----------------------------------


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


# --- remote components ----------------------------------------------------------------------------


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
