"""The cost estimate of a platform-shaped program (network, data, monitoring, security, storage):
each line's arithmetic and basis, Multi-AZ doubling, unpriced types, sums per component and stack,
the usage assumptions, and the JSON and Markdown the CLI writes."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws
import pytest

from offline_preview import run_program
from offline_preview.cost import NOT_PRICED, STACK_COMPONENT, CostEstimate, estimate_cost
from tests.offline.cost_helpers import HERE, PRICES, H, approx, line_of

# --- an inline program with the priced types ------------------------------------------------------


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
