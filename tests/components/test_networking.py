"""Networking under the SDK mocks: properties of what it registers, per environment and over
random valid network configurations."""

from __future__ import annotations

import ipaddress
import json

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from offline_preview import Capture, CapturedResource, run_program
from secure_platform.config import parse_config
from secure_platform.networking import alb_plan
from secure_platform.networking.component import NetworkingArgs
from tests.components.helpers import (
    IGW,
    NACL,
    NACL_ASSOC,
    NACL_RULE,
    NAT,
    NETWORKING,
    REPO,
    ROUTE,
    RT_ASSOC,
    SG,
    SG_IN,
    SG_OUT,
    SUBNET,
    of_type,
    ref,
    referencing,
    run_core,
    stack_capture,
    stack_file_config,
    statements,
)

STACKS = ("dev", "staging", "prod")


def subnets_by_tier(capture: Capture) -> dict[str, list]:
    out: dict[str, list] = {"public": [], "private": [], "database": []}
    for s in of_type(capture, SUBNET, NETWORKING):
        out[s.inputs["tags"]["Tier"]].append(s)
    return out


def route_table_of(capture: Capture, subnet: CapturedResource) -> CapturedResource:
    (assoc,) = list(referencing(capture, subnet, RT_ASSOC, "subnetId"))
    return ref(capture, assoc, "routeTableId")


def routes_of(capture: Capture, table: CapturedResource) -> list[CapturedResource]:
    return list(referencing(capture, table, ROUTE, "routeTableId"))


def check_routing(capture: Capture, nat_strategy: str, az_count: int) -> None:
    tiers = subnets_by_tier(capture)
    nats = of_type(capture, NAT, NETWORKING)
    assert len(nats) == {"none": 0, "single": 1, "perAz": az_count}[nat_strategy]

    # The database tier: only the local route (and gateway endpoints): nothing to IGW or NAT.
    for subnet in tiers["database"]:
        table = route_table_of(capture, subnet)
        assert not table.inputs.get("routes"), "inline routes"
        for route in routes_of(capture, table):
            assert not route.inputs.get("gatewayId") and not route.inputs.get("natGatewayId"), route.urn
            assert not route.inputs.get("destinationCidrBlock", "").endswith("/0")

    # Private subnets reach the internet only through a NAT gateway in their own AZ.
    for subnet in tiers["private"]:
        defaults = [
            r
            for r in routes_of(capture, route_table_of(capture, subnet))
            if r.inputs.get("destinationCidrBlock") == "0.0.0.0/0"
        ]
        if nat_strategy == "none":
            assert defaults == []
            continue
        (route,) = defaults
        assert not route.inputs.get("gatewayId")
        nat = ref(capture, route, "natGatewayId")
        nat_subnet = ref(capture, nat, "subnetId")
        assert nat_subnet.inputs["tags"]["Tier"] == "public"
        if nat_strategy == "perAz":
            assert nat_subnet.inputs["availabilityZone"] == subnet.inputs["availabilityZone"]

    # Public subnets: default route to the internet gateway.
    for subnet in tiers["public"]:
        (route,) = [
            r
            for r in routes_of(capture, route_table_of(capture, subnet))
            if r.inputs.get("destinationCidrBlock") == "0.0.0.0/0"
        ]
        assert ref(capture, route, "gatewayId").type == IGW


def check_addresses(capture: Capture) -> None:
    (vpc,) = of_type(capture, "aws:ec2/vpc:Vpc", NETWORKING)
    network = ipaddress.IPv4Network(vpc.inputs["cidrBlock"])
    nets = [ipaddress.IPv4Network(s.inputs["cidrBlock"]) for s in of_type(capture, SUBNET, NETWORKING)]
    assert all(n.subnet_of(network) for n in nets)
    assert all(not a.overlaps(b) for i, a in enumerate(nets) for b in nets[i + 1 :])
    for s in of_type(capture, SUBNET, NETWORKING):
        assert ref(capture, s, "vpcId").urn == vpc.urn
        assert s.inputs["mapPublicIpOnLaunch"] is False


@pytest.mark.parametrize("stack", STACKS)
def test_routing_per_environment(stack):
    capture = stack_capture(stack)
    nat = {"dev": "single", "staging": "perAz", "prod": "perAz"}[stack]
    check_routing(capture, nat, 3)


@pytest.mark.parametrize("stack", STACKS)
def test_every_subnet_is_inside_the_vpc_and_none_overlap(stack):
    check_addresses(stack_capture(stack))


def test_one_private_route_table_per_az_when_nat_is_per_az():
    capture = stack_capture("prod")
    tables = {route_table_of(capture, s).urn for s in subnets_by_tier(capture)["private"]}
    assert len(tables) == 3


def test_vpc_has_dns_and_its_defaults_are_locked_down():
    capture = stack_capture("dev")
    (vpc,) = of_type(capture, "aws:ec2/vpc:Vpc", NETWORKING)
    assert vpc.inputs["enableDnsSupport"] is True and vpc.inputs["enableDnsHostnames"] is True
    (default_sg,) = of_type(capture, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", NETWORKING)
    assert default_sg.inputs["ingress"] == [] and default_sg.inputs["egress"] == []
    (default_acl,) = of_type(capture, "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl", NETWORKING)
    assert default_acl.inputs["ingress"] == [] and default_acl.inputs["egress"] == []
    assert ref(capture, default_acl, "defaultNetworkAclId").urn == vpc.urn
    (default_rt,) = of_type(capture, "aws:ec2/defaultRouteTable:DefaultRouteTable", NETWORKING)
    assert default_rt.inputs["routes"] == []


def test_every_subnet_is_associated_with_its_tiers_network_acl():
    capture = stack_capture("dev")
    for tier, subnets in subnets_by_tier(capture).items():
        for subnet in subnets:
            (assoc,) = list(referencing(capture, subnet, NACL_ASSOC, "subnetId"))
            acl = ref(capture, assoc, "networkAclId")
            assert acl.type == NACL and acl.inputs["tags"]["Tier"] == tier


def test_database_network_acl_admits_only_the_private_tier_on_data_ports():
    capture = stack_capture("prod")
    tiers = subnets_by_tier(capture)
    private = [ipaddress.IPv4Network(s.inputs["cidrBlock"]) for s in tiers["private"]]
    database = [ipaddress.IPv4Network(s.inputs["cidrBlock"]) for s in tiers["database"]]
    data_ports = {5432, 6379}  # prod: PostgreSQL and ElastiCache
    (acl,) = [a for a in of_type(capture, NACL, NETWORKING) if a.inputs["tags"]["Tier"] == "database"]
    ingress = [r.inputs for r in referencing(capture, acl, NACL_RULE, "networkAclId") if not r.inputs["egress"]]

    def within(source: ipaddress.IPv4Network, tier: list[ipaddress.IPv4Network]) -> bool:
        # A rule's block is one subnet or an aggregate of adjacent ones: every address must be in the tier.
        return source.num_addresses == sum(n.num_addresses for n in tier if n.subnet_of(source))

    admitted: dict[int, set[ipaddress.IPv4Network]] = {port: set() for port in data_ports}
    for rule in ingress:
        assert rule["ruleAction"] == "allow" and rule["protocol"] == "6", rule
        source = ipaddress.IPv4Network(rule["cidrBlock"])
        ports = (rule["fromPort"], rule["toPort"])
        if within(source, private):
            # The app tier reaches the data ports and nothing else (no ephemeral range, no other port).
            assert ports[0] == ports[1] and ports[0] in data_ports, rule
            admitted[ports[0]] |= {p for p in private if p.subnet_of(source)}
        else:
            # Otherwise only the tier itself (replication, and responses within it); never the
            # public tier, never anywhere.
            assert within(source, database), rule
    # Every app subnet is admitted on every data port.
    assert all(admitted[port] == set(private) for port in data_ports), admitted


@pytest.mark.parametrize("stack", STACKS)
def test_every_security_group_ingress_names_a_source_group_except_the_albs(stack):
    capture = stack_capture(stack)
    alb_groups = {sg.urn for sg in of_type(capture, SG, NETWORKING) if sg.name == "alb"}
    rules = of_type(capture, SG_IN)
    assert rules
    for rule in rules:
        group = ref(capture, rule, "securityGroupId")
        if group.urn in alb_groups:
            assert rule.inputs["cidrIpv4"] == "0.0.0.0/0" and rule.inputs["fromPort"] in (80, 443)
            assert rule.inputs["fromPort"] == rule.inputs["toPort"]
        else:
            assert not rule.inputs.get("cidrIpv4") and not rule.inputs.get("cidrIpv6"), rule.urn
            if _from_a_deploy_runner(capture, rule):
                continue
            assert ref(capture, rule, "referencedSecurityGroupId").type == SG


def _from_a_deploy_runner(capture: Capture, rule: CapturedResource) -> bool:
    """A rule admitting a configured deploy runner's group (`network.runnerSecurityGroupIds`): its
    source is an id from config, not a group of the stack, and it opens HTTPS only."""
    if rule.property_dependencies.get("referencedSecurityGroupId"):
        return False
    assert str(rule.inputs["referencedSecurityGroupId"]).startswith("sg-"), rule.urn
    assert rule.inputs["fromPort"] == rule.inputs["toPort"] == 443, rule.urn
    return True


def test_security_groups_have_no_inline_rules_and_data_tiers_reach_nothing():
    capture = stack_capture("prod")
    groups = {sg.name: sg for sg in of_type(capture, SG, NETWORKING)}
    assert set(groups) == {"alb", "app", "database", "cache", "endpoints"}
    for sg in groups.values():
        assert not sg.inputs.get("ingress") and not sg.inputs.get("egress")
    for name in ("database", "cache", "endpoints"):
        assert not list(referencing(capture, groups[name], SG_OUT, "securityGroupId")), name
    sources = {
        (
            name,
            ref(capture, rule, "referencedSecurityGroupId").name,
            rule.inputs["fromPort"],
        )
        for name in ("app", "database", "cache", "endpoints")
        for rule in referencing(capture, groups[name], SG_IN, "securityGroupId")
        if not _from_a_deploy_runner(capture, rule)
    }
    assert sources == {
        *(("app", "alb", p) for p in alb_plan.app_ports()),
        ("database", "app", 5432),
        ("cache", "app", 6379),
        ("endpoints", "app", 443),
    }


def test_flow_logs_go_to_a_kms_encrypted_group_the_flow_role_may_write_exactly():
    capture = stack_capture("dev")
    (flow,) = of_type(capture, "aws:ec2/flowLog:FlowLog", NETWORKING)
    assert flow.inputs["trafficType"] == "ALL" and flow.inputs["logDestinationType"] == "cloud-watch-logs"
    group = ref(capture, flow, "logDestination")
    assert group.inputs["name"] == "/platform/dev/vpc-flow-logs"
    key = ref(capture, group, "kmsKeyId")
    assert key.type == "aws:kms/key:Key" and key.name == "logs"
    role = ref(capture, flow, "iamRoleArn")
    (policy,) = list(referencing(capture, role, "aws:iam/rolePolicy:RolePolicy", "role"))
    by_sid = {s["Sid"]: s for s in statements(policy.inputs["policy"])}
    arn = group.outputs["arn"]
    assert by_sid["WriteLogGroup"]["Resource"] == [arn, f"{arn}:log-stream:*"]
    # AWS's documented flow-log role policy also lists DescribeLogGroups, which takes only "*".
    assert by_sid["DescribeLogGroups"]["Resource"] == "*" and set(by_sid) == {"WriteLogGroup", "DescribeLogGroups"}
    assert flow.urn and policy.urn in flow.dependencies


def test_gateway_endpoints_serve_private_and_database_route_tables():
    capture = stack_capture("prod")
    tiers = subnets_by_tier(capture)
    wanted = {route_table_of(capture, s).urn for s in tiers["private"] + tiers["database"]}
    endpoints = [
        e
        for e in of_type(capture, "aws:ec2/vpcEndpoint:VpcEndpoint", NETWORKING)
        if e.inputs["vpcEndpointType"] == "Gateway"
    ]
    assert {e.inputs["serviceName"] for e in endpoints} == {
        "com.amazonaws.us-east-1.s3",
        "com.amazonaws.us-east-1.dynamodb",
    }
    for endpoint in endpoints:
        assert {t.urn for t in refs_of(capture, endpoint, "routeTableIds")} == wanted


def refs_of(capture, resource, prop):
    index = capture.by_urn()
    return [index[u] for u in resource.property_dependencies.get(prop, [])]


def test_interface_endpoints_use_their_own_group_in_private_subnets():
    capture = stack_capture("prod")
    endpoints = [
        e
        for e in of_type(capture, "aws:ec2/vpcEndpoint:VpcEndpoint", NETWORKING)
        if e.inputs["vpcEndpointType"] == "Interface"
    ]
    services = {e.inputs["serviceName"].removeprefix("com.amazonaws.us-east-1.") for e in endpoints}
    assert services == {"ecr.api", "ecr.dkr", "logs", "sts", "secretsmanager"}
    for endpoint in endpoints:
        assert endpoint.inputs["privateDnsEnabled"] is True
        (sg,) = refs_of(capture, endpoint, "securityGroupIds")
        assert sg.name == "endpoints"
        assert all(s.inputs["tags"]["Tier"] == "private" for s in refs_of(capture, endpoint, "subnetIds"))
    assert not [
        e
        for e in of_type(stack_capture("dev"), "aws:ec2/vpcEndpoint:VpcEndpoint")
        if e.inputs["vpcEndpointType"] == "Interface"
    ]


RUNNER_SG = "sg-0123456789abcdef0"


def test_a_deploy_runner_reaches_every_interface_endpoint_and_the_eks_api_on_https():
    """A runner in the VPC resolves STS, Logs, Secrets Manager and ECR to the endpoints (private
    DNS): the endpoints' group admits it, and so does the cluster security group of the API."""
    network = {**stack_file_config("prod")["platform:network"], "runnerSecurityGroupIds": [RUNNER_SG]}
    capture = run_program(REPO, "prod", config={"platform:network": network})
    (endpoint_rule,) = [r for r in of_type(capture, SG_IN, NETWORKING) if r.name.startswith("endpoints-from-")]
    assert ref(capture, endpoint_rule, "securityGroupId").name == "endpoints"
    assert endpoint_rule.inputs["referencedSecurityGroupId"] == RUNNER_SG
    assert (endpoint_rule.inputs["ipProtocol"], endpoint_rule.inputs["fromPort"], endpoint_rule.inputs["toPort"]) == (
        "tcp",
        443,
        443,
    )
    endpoints = [
        e for e in capture.of_type("aws:ec2/vpcEndpoint:VpcEndpoint") if e.inputs["vpcEndpointType"] == "Interface"
    ]
    for endpoint in endpoints:
        (group,) = refs_of(capture, endpoint, "securityGroupIds")
        assert group.urn == ref(capture, endpoint_rule, "securityGroupId").urn
    (api_rule,) = [r for r in capture.of_type(SG_IN) if r.name.startswith("eks-api-from-")]
    assert api_rule.inputs["referencedSecurityGroupId"] == RUNNER_SG
    assert (api_rule.inputs["fromPort"], api_rule.inputs["toPort"]) == (443, 443)
    (cluster,) = capture.of_type("eks:index:Cluster")
    assert api_rule.inputs["securityGroupId"] == cluster.outputs["clusterSecurityGroupId"]


def test_runner_security_groups_must_be_security_group_ids():
    with pytest.raises(ValueError, match="runner_security_group_ids"):
        NetworkingArgs.from_config(
            parse_config(stack_file_config("prod"), stack="prod"),
            logs_key=None,  # type: ignore[arg-type]
            flow_logs_role=None,  # type: ignore[arg-type]
            web_acl_arn="arn:aws:wafv2:us-east-1:123456789012:regional/webacl/x/1",
            log_archive=None,  # type: ignore[arg-type]
            runner_security_group_ids=["subnet-0123"],
        )


def test_subnet_groups_use_the_database_tier():
    capture = stack_capture("dev")
    for type_ in ("aws:rds/subnetGroup:SubnetGroup", "aws:elasticache/subnetGroup:SubnetGroup"):
        (group,) = of_type(capture, type_, NETWORKING)
        subnets = refs_of(capture, group, "subnetIds")
        assert len(subnets) == 3 and all(s.inputs["tags"]["Tier"] == "database" for s in subnets)


# --- the load balancer ----------------------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_alb_is_internet_facing_hardened_and_logs_to_the_archive(stack):
    capture = stack_capture(stack)
    (lb,) = of_type(capture, "aws:lb/loadBalancer:LoadBalancer", NETWORKING)
    assert lb.inputs["internal"] is False and lb.inputs["dropInvalidHeaderFields"] is True
    assert lb.inputs["enableDeletionProtection"] is (stack != "dev")
    assert all(s.inputs["tags"]["Tier"] == "public" for s in refs_of(capture, lb, "subnets"))
    logs = lb.inputs["accessLogs"]
    assert logs["enabled"] is True and logs["prefix"] == "alb"
    # The bucket name resolves only after the archive's policy exists: ELB checks write access.
    sources = {r.type for r in refs_of(capture, lb, "accessLogs")}
    assert "aws:s3/bucketPolicy:BucketPolicy" in sources and "aws:s3/bucket:Bucket" in sources


def test_http_redirects_to_https_and_https_uses_a_tls13_policy():
    capture = stack_capture("dev")
    listeners = {r.inputs["port"]: r for r in of_type(capture, "aws:lb/listener:Listener", NETWORKING)}
    assert set(listeners) == {80, 443}
    (redirect,) = listeners[80].inputs["defaultActions"]
    assert redirect["type"] == "redirect"
    assert redirect["redirect"] == {"port": "443", "protocol": "HTTPS", "statusCode": "HTTP_301"}
    https = listeners[443].inputs
    assert https["protocol"] == "HTTPS" and https["sslPolicy"].startswith("ELBSecurityPolicy-TLS13-1-2-")
    assert "max-age=" in https["routingHttpResponseStrictTransportSecurityHeaderValue"]
    validation = ref(capture, listeners[443], "certificateArn")
    assert validation.type == "aws:acm/certificateValidation:CertificateValidation"
    cert = ref(capture, validation, "certificateArn")
    assert cert.inputs["validationMethod"] == "DNS" and cert.inputs["domainName"] == "dev.app.example.com"
    (record,) = refs_of(capture, validation, "validationRecordFqdns")
    assert record.inputs["zoneId"] == "Z0123456789EXAMPLEDEV" and record.inputs["type"] == "CNAME"


def test_given_certificate_skips_acm():
    arn = "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"
    capture = run_core("dev", {"platform:domain": {"name": "dev.app.example.com", "certificateArn": arn}})
    assert not of_type(capture, "aws:acm/certificate:Certificate")
    (https,) = [r for r in of_type(capture, "aws:lb/listener:Listener") if r.inputs["port"] == 443]
    assert https.inputs["certificateArn"] == arn
    assert not of_type(capture, "aws:route53/record:Record")  # no zone: no records


def test_api_paths_route_to_the_backend_and_the_rest_to_the_frontend():
    capture = stack_capture("dev")
    groups = {tg.inputs["port"]: tg for tg in of_type(capture, "aws:lb/targetGroup:TargetGroup", NETWORKING)}
    frontend, backend = alb_plan.target("frontend"), alb_plan.target("backend")
    assert set(groups) == {frontend.port, backend.port} == {8080, 3001}
    for tg in groups.values():
        assert tg.inputs["targetType"] == "ip" and tg.inputs["healthCheck"]["enabled"] is True
    assert groups[backend.port].inputs["healthCheck"]["path"] == "/health"
    assert groups[frontend.port].inputs["healthCheck"]["path"] == "/"
    (https,) = [r for r in of_type(capture, "aws:lb/listener:Listener") if r.inputs["port"] == 443]
    assert ref(capture, https, "defaultActions").urn == groups[frontend.port].urn
    (rule,) = of_type(capture, "aws:lb/listenerRule:ListenerRule", NETWORKING)
    assert rule.inputs["conditions"] == [{"pathPattern": {"values": ["/api/*"]}}]
    assert ref(capture, rule, "actions").urn == groups[backend.port].urn
    assert ref(capture, rule, "listenerArn").urn == https.urn


def test_the_security_web_acl_protects_the_alb():
    capture = stack_capture("dev")
    (assoc,) = of_type(capture, "aws:wafv2/webAclAssociation:WebAclAssociation", NETWORKING)
    assert ref(capture, assoc, "resourceArn").type == "aws:lb/loadBalancer:LoadBalancer"
    acl = ref(capture, assoc, "webAclArn")
    assert acl.type == "aws:wafv2/webAcl:WebAcl" and acl.inputs["scope"] == "REGIONAL"


# --- property tests over random valid configurations ---------------------------------------------

SECOND_OCTETS = st.integers(0, 255)


@st.composite
def network_configs(draw):
    prefix = draw(st.integers(16, 20))
    second = draw(SECOND_OCTETS)
    vpc = str(ipaddress.ip_network(f"10.{second}.0.0/{prefix}", strict=False))
    return {
        "cidr": vpc,
        "azCount": draw(st.integers(2, 4)),
        "natGateways": draw(st.sampled_from(["none", "single", "perAz"])),
        "interfaceEndpoints": draw(st.lists(st.sampled_from(["sts", "logs", "ecr.api"]), unique=True, max_size=2)),
    }


@given(network_configs())
# Each example is a whole program run (~0.5 s): a dozen examples, and no shrinking (it would rerun
# dozens of programs); a failure still prints the configuration that broke.
@settings(
    max_examples=12,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)
def test_random_valid_networks_keep_routing_and_address_properties(network):
    capture = run_core("dev", {"platform:network": network})
    check_addresses(capture)
    check_routing(capture, network["natGateways"], network["azCount"])
    endpoint_groups = [sg for sg in of_type(capture, SG, NETWORKING) if sg.name == "endpoints"]
    assert len(endpoint_groups) == (1 if network["interfaceEndpoints"] else 0)
    egress_anywhere = [r for r in of_type(capture, SG_OUT) if r.inputs.get("cidrIpv4") == "0.0.0.0/0"]
    assert len(egress_anywhere) == (0 if network["natGateways"] == "none" else 1)
    assert json.dumps(capture.outputs) is not None


def test_mysql_without_elasticache_opens_3306_and_creates_no_cache_tier():
    import yaml

    config = yaml.safe_load((REPO / "Pulumi.dev.yaml").read_text())["config"]
    database = {**config["platform:database"], "engine": "mysql", "engineVersion": "8.0", "performanceInsights": False}
    capture = run_core("dev", {"platform:database": database, "platform:cache": {"provider": "none"}})
    groups = {sg.name: sg for sg in of_type(capture, SG, NETWORKING)}
    assert "cache" not in groups
    assert not of_type(capture, "aws:elasticache/subnetGroup:SubnetGroup")
    (db_in,) = list(referencing(capture, groups["database"], SG_IN, "securityGroupId"))
    assert db_in.inputs["fromPort"] == db_in.inputs["toPort"] == 3306
    (acl,) = [a for a in of_type(capture, NACL, NETWORKING) if a.inputs["tags"]["Tier"] == "database"]
    ports = {
        r.inputs.get("fromPort") for r in referencing(capture, acl, NACL_RULE, "networkAclId") if not r.inputs["egress"]
    }
    assert 3306 in ports and 5432 not in ports and 6379 not in ports
