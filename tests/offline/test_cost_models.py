"""Price models of the services real programs use most: fixed monthly parts priced, what only
traffic decides shown as unit prices, and Extended Support charged by the engine version's date."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pulumi_aws as aws
import pytest

from offline_preview import run_program
from offline_preview.capture import Capture
from offline_preview.cost import CostEstimate, CostLine, estimate_cost
from tests.offline.cost_helpers import PRICES, resource

HERE = Path(__file__).resolve().parent
H = 730.0


def approx(value: float) -> Any:
    return pytest.approx(value, rel=1e-9, abs=1e-9)


def estimate(program, on: date | None = None) -> CostEstimate:
    return estimate_cost(run_program(HERE, "dev", program=program, config={"aws:region": "us-east-1"}), on=on)


def line(est: CostEstimate, name: str, type_: str | None = None) -> CostLine:
    [found] = [ln for ln in est.lines if ln.name == name and (type_ is None or ln.type == type_)]
    return found


def test_a_redshift_cluster_is_priced_per_node_hour_not_zero():
    def program() -> None:
        aws.redshift.Cluster(
            "warehouse",
            cluster_identifier="warehouse",
            node_type="ra3.xlplus",
            number_of_nodes=2,
            master_username="admin",
            manage_master_password=True,
        )

    est = estimate(program)
    warehouse = line(est, "warehouse")
    assert warehouse.monthly_usd == approx(2 * 1.086 * H)
    assert any("managed storage" in u for u in warehouse.usage)
    assert est.headline().startswith(f"≥ ${2 * 1.086 * H:,.2f}/month")  # storage is billed by use


def test_usage_priced_services_show_unit_prices_not_guessed_totals():
    def program() -> None:
        aws.lambda_.Function(
            "fn", role="arn:aws:iam::123456789012:role/r", runtime="python3.12", handler="h.h",
            code=None, memory_size=512, architectures=["arm64"],
        )  # fmt: skip
        aws.sqs.Queue("jobs.fifo", fifo_queue=True)
        aws.sns.Topic("events")
        aws.apigatewayv2.Api("http", protocol_type="HTTP")
        aws.apigateway.RestApi("rest")
        aws.sfn.StateMachine("flow", role_arn="arn:aws:iam::123456789012:role/r", definition="{}")
        aws.dynamodb.Table(
            "ondemand", attributes=[{"name": "id", "type": "S"}], hash_key="id", billing_mode="PAY_PER_REQUEST"
        )
        aws.kinesis.FirehoseDeliveryStream("fh", destination="extended_s3")

    est = estimate(program)
    for name in ("fn", "jobs.fifo", "events", "http", "rest", "flow", "ondemand", "fh"):
        ln = line(est, name)
        assert ln.priced and ln.monthly_usd == 0 and ln.kind == "usage" and ln.usage, name
    assert "$0.0000133334 per GB-second" in line(est, "fn").usage[1] and "512 MB" in line(est, "fn").usage[1]
    assert line(est, "jobs.fifo").usage == ("$0.50 per million requests",)
    assert line(est, "http").usage == ("$1.00 per million requests",)
    assert line(est, "rest").usage == ("$3.50 per million API calls",)
    assert line(est, "flow").usage == ("$0.025 per 1,000 state transitions",)
    assert est.monthly_usd == 0 and not est.complete
    assert est.headline() == "≥ $0.00/month + usage charges of 8 resources (unit prices listed)"
    usage = {u["type"]: u for u in est.to_json()["usagePriced"]}
    assert usage["aws:sqs/queue:Queue"]["unitPrices"] == ["$0.50 per million requests"]


def test_provisioned_capacity_is_priced_monthly():
    def program() -> None:
        aws.dynamodb.Table(
            "prov", attributes=[{"name": "id", "type": "S"}], hash_key="id",
            read_capacity=10, write_capacity=5,
        )  # fmt: skip
        aws.kinesis.Stream("stream", shard_count=2)
        aws.kinesis.Stream("od", stream_mode_details={"stream_mode": "ON_DEMAND"})
        aws.efs.FileSystem("fs", throughput_mode="provisioned", provisioned_throughput_in_mibps=10)
        aws.msk.Cluster(
            "kafka", kafka_version="3.6.0", number_of_broker_nodes=3,
            broker_node_group_info={
                "instance_type": "kafka.m5.large", "client_subnets": ["a", "b", "c"], "security_groups": ["sg"],
                "storage_info": {"ebs_storage_info": {"volume_size": 100}},
            },
        )  # fmt: skip
        aws.opensearch.Domain(
            "search",
            cluster_config={"instance_type": "r6g.large.search", "instance_count": 2},
            ebs_options={"ebs_enabled": True, "volume_size": 50, "volume_type": "gp3"},
        )
        aws.ec2.Eip("ip", domain="vpc")

    est = estimate(program)
    assert line(est, "prov").monthly_usd == approx((10 * 0.00013 + 5 * 0.00065) * H)
    assert line(est, "stream").monthly_usd == approx(2 * 0.015 * H)
    assert line(est, "od").monthly_usd == approx(0.04 * H)
    assert line(est, "fs").monthly_usd == approx(10 * 6.0)
    assert line(est, "kafka").monthly_usd == approx(3 * (0.21 * H + 100 * 0.10))
    assert line(est, "search").monthly_usd == approx(2 * 0.167 * H + 2 * 50 * 0.122)
    assert line(est, "ip").monthly_usd == approx(0.005 * H)


def test_a_legacy_elasticsearch_domain_is_priced_as_its_opensearch_instances():
    def program() -> None:
        aws.elasticsearch.Domain(
            "legacy", elasticsearch_version="7.10",
            cluster_config={
                "instance_type": "m5.large.elasticsearch", "instance_count": 2,
                "dedicated_master_enabled": True, "dedicated_master_type": "t3.small.elasticsearch",
                "dedicated_master_count": 3,
            },
        )  # fmt: skip

    est = estimate(program)
    assert line(est, "legacy").priced
    assert line(est, "legacy").monthly_usd == approx((2 * 0.142 + 3 * 0.036) * H)


def test_an_unknown_node_type_is_unpriced_not_zero():
    def program() -> None:
        aws.msk.Cluster(
            "kafka", kafka_version="3.6.0", number_of_broker_nodes=3,
            broker_node_group_info={"instance_type": "kafka.x9.huge", "client_subnets": ["a"], "security_groups": ["sg"]},
        )  # fmt: skip

    est = estimate(program)
    assert not line(est, "kafka").priced and "kafka.x9.huge" in line(est, "kafka").basis
    assert est.headline() == "≥ $0.00/month + 1 unpriced resource"


def _mysql(name: str, version: str | None = None, **kw: Any) -> None:
    aws.rds.Instance(
        name, engine="mysql", engine_version=version, instance_class="db.m5.large", allocated_storage=20,
        username="admin", manage_master_user_password=True, **kw,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("day", "per_vcpu_hour", "period"),
    [(date(2025, 6, 1), 0.10, "years 1-2 since 2024-02-29"), (date(2026, 12, 7), 0.20, "year 3 since 2026-03-01")],
)
def test_mysql_57_pays_extended_support_by_vcpu_hour_for_the_period_it_is_in(day, per_vcpu_hour, period):
    est = estimate(lambda: (_mysql("old", "5.7.44"), _mysql("old-ha", "5.7", multi_az=True)), on=day)
    old, ha = line(est, "old"), line(est, "old-ha")
    base = 0.171 * H + 20 * 0.115 + 0.40
    assert old.monthly_usd == approx(base + 2 * per_vcpu_hour * H)
    assert f"RDS Extended Support for mysql 5.7 ({period})" in old.basis
    assert "x 2 (Multi-AZ standby)" in ha.basis


def test_versions_in_standard_support_or_opted_out_pay_no_extended_support():
    def program() -> None:
        _mysql("current", "8.4.3")
        _mysql("default")  # no engineVersion: AWS creates the engine's default version
        _mysql("opted-out", "5.7.44", engine_lifecycle_support="open-source-rds-extended-support-disabled")
        aws.rds.Instance(
            "pg12", engine="postgres", engine_version="12.22", instance_class="db.t3.medium", allocated_storage=20,
            username="admin", manage_master_user_password=True,
        )  # fmt: skip

    est = estimate(program, on=date(2026, 12, 7))
    assert "Extended Support" not in line(est, "current").basis + line(est, "default").basis
    assert "Extended Support is disabled" in line(est, "opted-out").basis
    assert "postgres 12 (years 1-2 since 2025-02-28): 2 vCPU" in line(est, "pg12").basis


def test_aurora_instances_pay_extended_support_by_their_clusters_version():
    def program() -> None:
        cluster = aws.rds.Cluster(
            "db", engine="aurora-postgresql", engine_version="11.21", master_username="admin",
            manage_master_user_password=True,
        )  # fmt: skip
        aws.rds.ClusterInstance(
            "db-1",
            cluster_identifier=cluster.id,
            instance_class="db.r6g.large",
            engine=aws.rds.EngineType.AURORA_POSTGRESQL,
        )

    est = estimate(program, on=date(2026, 12, 7))
    instance = line(est, "db-1")
    assert instance.monthly_usd == approx(0.26 * H + 2 * 0.20 * H)
    assert "aurora-postgresql 11 (year 3" in instance.basis
    assert line(est, "db", "aws:rds/cluster:Cluster").kind == "usage"


def test_a_fully_priced_program_has_a_bare_total():
    est = estimate(lambda: aws.ec2.Eip("ip", domain="vpc"))
    assert est.complete and est.headline() == f"${0.005 * H:,.2f}/month"


def test_classic_elb_spot_requests_and_serverless_caches_have_a_monthly_floor():
    def program() -> None:
        aws.elb.LoadBalancer(
            "classic",
            availability_zones=["us-east-1a"],
            listeners=[{"instance_port": 80, "instance_protocol": "http", "lb_port": 80, "lb_protocol": "http"}],
        )
        aws.ec2.SpotInstanceRequest("spot", ami="ami-12345678", instance_type="m5.large")
        aws.elasticache.ServerlessCache("cache", engine="redis")
        aws.elasticache.ServerlessCache("vk", engine="valkey")

    est = estimate(program)
    assert line(est, "classic").monthly_usd == approx(0.025 * H)
    spot = line(est, "spot")
    assert 0 < spot.monthly_usd < 0.096 * H and "Spot Advisor" in spot.basis
    assert line(est, "cache").monthly_usd == approx(1.0 * 0.125 * H)
    assert line(est, "vk").monthly_usd == approx(0.1 * 0.084 * H)
    assert any("ECPUs" in u for u in line(est, "cache").usage)


def test_glue_appsync_transit_gateway_and_vpn():
    def program() -> None:
        aws.glue.Job("etl", role_arn="arn:aws:iam::123456789012:role/r", command={"script_location": "s3://b/s.py"})
        aws.glue.CatalogDatabase("db", name="db")
        aws.appsync.GraphQLApi("api", authentication_type="API_KEY", name="api")
        tgw = aws.ec2transitgateway.TransitGateway("tgw")
        aws.ec2transitgateway.VpcAttachment("att", transit_gateway_id=tgw.id, vpc_id="vpc-1", subnet_ids=["subnet-1"])
        aws.ec2.VpnConnection("vpn", customer_gateway_id="cgw-1", type="ipsec.1", transit_gateway_id=tgw.id)

    est = estimate(program)
    assert line(est, "etl").usage == ("$0.44 per DPU-hour while it runs",)
    assert line(est, "db").kind == "usage" and line(est, "api").kind == "usage"
    assert line(est, "tgw").kind == "free"
    assert line(est, "att").monthly_usd == approx(0.05 * H) and line(est, "vpn").monthly_usd == approx(0.05 * H)
    assert est.unpriced_count == 0


def test_every_instance_type_of_the_bundled_on_demand_data_has_a_price():
    import json

    from offline_preview.cost import default_prices

    bundled = json.loads((HERE.parents[1] / "secure_platform/spot/data/ec2-on-demand-prices.json").read_text())
    types = bundled["prices"]["us-east-1"]
    prices = default_prices()
    assert len(types) > 800
    assert {t: prices.on_demand(t) for t in types} == {t: float(p) for t, p in types.items()}


def test_network_firewall_bills_each_endpoint_hour_and_lists_processing_as_a_unit_price():
    firewall = resource(
        "aws:networkfirewall/firewall:Firewall",
        "fw",
        {"subnetMappings": [{"subnetId": "subnet-a"}, {"subnetId": "subnet-b"}, {"subnetId": "subnet-c"}]},
    )
    policy = resource("aws:networkfirewall/firewallPolicy:FirewallPolicy", "policy", {})
    rules = resource("aws:networkfirewall/ruleGroup:RuleGroup", "rules", {"capacity": 100, "type": "STATEFUL"})
    est = estimate_cost(Capture(project="p", stack="dev", resources=[firewall, policy, rules]))
    fw = line(est, "fw")
    assert fw.monthly_usd == approx(3 * PRICES.usd("networkFirewall.endpointHour") * H)
    assert fw.monthly_usd > 800  # three endpoints: never the $0 of an unmodelled type
    assert any("per GB processed" in u for u in fw.usage)
    assert line(est, "policy").monthly_usd == 0 and line(est, "policy").priced
    assert line(est, "rules").monthly_usd == 0 and line(est, "rules").priced


def test_a_cloud_map_dns_namespace_pays_for_its_hosted_zone_and_an_http_one_is_free():
    private = resource("aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace", "private", {"name": "svc"})
    public = resource("aws:servicediscovery/publicDnsNamespace:PublicDnsNamespace", "public", {"name": "a.com"})
    http = resource("aws:servicediscovery/httpNamespace:HttpNamespace", "http", {"name": "api"})
    est = estimate_cost(Capture(project="p", stack="dev", resources=[private, public, http]))
    zone = PRICES.usd("route53.hostedZoneMonth")
    assert line(est, "private").monthly_usd == approx(zone) and line(est, "public").monthly_usd == approx(zone)
    assert line(est, "http").monthly_usd == 0 and line(est, "http").priced


def test_database_objects_commands_builds_and_folder_syncs_have_no_charge_of_their_own():
    things = [
        resource("mysql:index/database:Database", "db", {}),
        resource("postgresql:index/role:Role", "role", {}),
        resource("command:local:Command", "cmd", {}),
        resource("docker:index/image:Image", "image", {}),
        resource("docker-build:index:Image", "build", {}),
        resource("synced-folder:index:S3BucketFolder", "site", {}),
    ]
    est = estimate_cost(Capture(project="p", stack="dev", resources=things))
    assert all(ln.priced and ln.monthly_usd == 0 for ln in est.lines)
    assert "unpriced" not in est.headline()
