"""Deploy-time estimate: critical path on known graphs, what takes time, and `slow_waits`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from offline_preview import run_program
from offline_preview.capture import Capture, CapturedResource
from offline_preview.deploy_time import (
    TIMES_FILE,
    TimeTable,
    critical_path,
    estimate_deploy,
    slow_waits,
)
from tests.offline.synthetic import captured_resource

HERE = Path(__file__).resolve().parent
STACK = "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s"


def resource(
    type_: str,
    name: str,
    deps: list[str] | None = None,
    data: dict[str, list[str]] | None = None,
    **kw: Any,
) -> CapturedResource:
    """A stack child depending on `deps`, with `data` its property dependencies."""
    fields = {"parent": STACK, "dependencies": deps or [], "property_dependencies": data or {}}
    return captured_resource(type_, name, **{**fields, **kw})


def capture(*resources: CapturedResource) -> Capture:
    return Capture(project="p", stack="s", stack_urn=STACK, resources=list(resources))


TABLE = TimeTable(
    {
        "defaultMinutes": 0.1,
        "types": {
            "t:slow": {"minutes": 10},
            "t:medium": {"minutes": 4},
            "t:quick": {"minutes": 1},
        },
    }
)


def test_critical_path_is_the_longest_chain_of_create_times():
    # a(1) -> b(10) -> d(4); a -> c(4) -> d; e(10) alone.  Longest: a, b, d = 15.
    a = resource("t:quick", "a")
    b = resource("t:slow", "b", [a.urn], {"x": [a.urn]})
    c = resource("t:medium", "c", [a.urn], {"x": [a.urn]})
    d = resource("t:medium", "d", [b.urn, c.urn], {"x": [b.urn], "y": [c.urn]})
    e = resource("t:slow", "e")
    minutes, path = critical_path(capture(a, b, c, d, e), TABLE)
    assert minutes == 15
    assert path == [a.urn, b.urn, d.urn]


def test_components_take_no_time_and_remote_components_stand_for_their_children():
    comp = resource("test:index:Comp", "comp", custom=False)
    inner = resource("t:slow", "inner", parent=comp.urn)
    after = resource("t:quick", "after", [inner.urn], {"x": [inner.urn]})
    remote = resource("eks:index:Cluster", "eks", custom=False, remote=True, inputs={"skipDefaultNodeGroup": True})
    est = estimate_deploy(capture(comp, inner, after, remote))
    assert est.critical_path_minutes == pytest.approx(11.0)  # remote eks control plane: 11 min
    assert est.critical_path == [remote.urn]
    minutes, path = critical_path(capture(comp, inner, after), TABLE)
    assert minutes == 11 and path == [inner.urn, after.urn]


def test_a_dependency_on_a_component_waits_for_its_resources():
    comp = resource("test:index:Comp", "comp", custom=False)
    inner = resource("t:slow", "inner", parent=comp.urn)
    waiter = resource("t:quick", "waiter", [comp.urn])
    minutes, path = critical_path(capture(comp, inner, waiter), TABLE)
    assert minutes == 11 and path == [inner.urn, waiter.urn]


def test_multi_az_database_and_interface_endpoints_take_their_own_times():
    table = TimeTable.load()
    single = resource("aws:rds/instance:Instance", "db", inputs={"multiAz": False})
    multi = resource("aws:rds/instance:Instance", "db2", inputs={"multiAz": True})
    iface = resource("aws:ec2/vpcEndpoint:VpcEndpoint", "logs", inputs={"vpcEndpointType": "Interface"})
    gateway = resource("aws:ec2/vpcEndpoint:VpcEndpoint", "s3", inputs={})
    assert (table.minutes(single), table.minutes(multi)) == (8, 18)
    assert table.minutes(iface) == 2 and table.minutes(gateway) < 1


def test_awsx_components_take_what_they_create_and_their_options_decide():
    table = TimeTable.load()
    vpc = resource("awsx:ec2:Vpc", "vpc", inputs={}, remote=True)
    flat = resource("awsx:ec2:Vpc", "flat", inputs={"natGateways": {"strategy": "None"}}, remote=True)
    service = resource("awsx:ecs:FargateService", "web", inputs={}, remote=True)
    eager = resource("awsx:ecs:FargateService", "eager", inputs={"continueBeforeSteadyState": True}, remote=True)
    assert table.minutes(vpc) == 2 and table.minutes(flat) == 0.5  # NAT gateways, or fast objects only
    assert table.minutes(service) == 5 and table.minutes(eager) == 1  # awsx waits for steady state
    assert all(table.is_modelled(r) for r in (vpc, service))
    assert not table.is_modelled(resource("awsx:ecr:Image", "image", inputs={}, remote=True))  # a Docker build


def test_slow_waits_flags_depends_on_only_chains_and_ignores_data_dependencies():
    slow_a = resource("t:slow", "cluster")
    # db waits on the cluster only through depends_on: flagged.
    db = resource("t:medium", "db", [slow_a.urn])
    # cache uses an output of the cluster: a real data dependency, fine.
    cache = resource("t:medium", "cache", [slow_a.urn], {"tags": [slow_a.urn]})
    # lb -> (data) sg -> (depends_on) cluster: the ordering edge sits in the middle of the chain.
    sg = resource("t:quick", "sg", [slow_a.urn])
    lb = resource("t:medium", "lb", [sg.urn], {"securityGroups": [sg.urn]})
    waits = slow_waits(capture(slow_a, db, cache, sg, lb), threshold_minutes=3, table=TABLE)
    pairs = {(w.waiter, w.waits_on) for w in waits}
    assert pairs == {(db.urn, slow_a.urn), (lb.urn, slow_a.urn)}
    [via_sg] = [w for w in waits if w.waiter == lb.urn]
    assert via_sg.via == [lb.urn, sg.urn, slow_a.urn]
    assert via_sg.order_edges == [(sg.urn, slow_a.urn)]


def test_slow_waits_reports_the_nearest_slow_resource_only():
    first = resource("t:slow", "first")
    second = resource("t:slow", "second", [first.urn], {"x": [first.urn]})
    third = resource("t:slow", "third", [second.urn])
    waits = slow_waits(capture(first, second, third), threshold_minutes=3, table=TABLE)
    assert [(w.waiter, w.waits_on) for w in waits] == [(third.urn, second.urn)]


def program(order_only: bool) -> None:
    lb = aws.lb.LoadBalancer("alb", load_balancer_type="application", subnets=["subnet-1", "subnet-2"])
    sg = aws.ec2.SecurityGroup("db", vpc_id="vpc-1")
    opts = pulumi.ResourceOptions(depends_on=[lb]) if order_only else None
    aws.rds.Instance(
        "db",
        engine="postgres",
        instance_class="db.t3.micro",
        allocated_storage=20,
        username="app",
        manage_master_user_password=True,
        vpc_security_group_ids=[sg.id],
        tags=None if order_only else {"frontDoor": lb.arn},
        opts=opts,
    )


def test_slow_waits_on_a_real_program():
    flagged = slow_waits(run_program(HERE, "dev", program=lambda: program(order_only=True)))
    assert [(w.waiter.rsplit("::", 1)[-1], w.waits_on.rsplit("::", 1)[-1]) for w in flagged] == [("db", "alb")]
    assert slow_waits(run_program(HERE, "dev", program=lambda: program(order_only=False))) == []


def test_deploy_section_json_and_markdown():
    est = estimate_deploy(run_program(HERE, "dev", program=lambda: program(order_only=True)))
    doc = json.loads(json.dumps(est.to_json()))
    assert set(doc) >= {"criticalPathMinutes", "criticalPath", "slowWaits", "serialMinutes"}
    assert doc["criticalPathMinutes"] == pytest.approx(3 + 8)  # ALB, then the database that waits on it
    assert [u.rsplit("::", 1)[-1] for u in doc["criticalPath"]] == ["alb", "db"]
    assert doc["slowWaits"][0]["dependsOnOnly"]
    markdown = est.to_markdown()
    assert "Deploy-time estimate" in markdown and "waits on" in markdown


def test_every_time_has_a_note_and_source():
    doc = json.loads(TIMES_FILE.read_text())
    for type_, entry in doc["types"].items():
        assert entry["minutes"] >= 0 and entry["note"] and entry["source"].startswith("https://"), type_


def test_types_without_a_create_time_are_unmodelled_and_the_headline_says_so():
    rds = resource("aws:rds/instance:Instance", "db")
    role = resource("aws:iam/role:Role", "role")  # known fast: one API call
    neptune = resource("aws:neptune/cluster:Cluster", "graph")
    other = resource("aws:neptune/cluster:Cluster", "graph-2")
    est = estimate_deploy(capture(rds, role, neptune, other))
    assert est.unmodelled == {"aws:neptune/cluster:Cluster": 2}
    assert est.headline() == "≥ ~8.0 min + 2 unmodelled resources"
    doc = est.to_json()
    assert doc["unmodelledCount"] == 2 and doc["unmodelled"] == {"aws:neptune/cluster:Cluster": 2}
    assert "Unmodelled" in est.to_markdown() and "aws:neptune/cluster:Cluster" in est.text_lines()[1]
    assert estimate_deploy(capture(rds, role)).headline() == "~8.0 min"


def test_timed_aws_types_are_real_pulumi_aws_types():
    import importlib

    doc = json.loads(TIMES_FILE.read_text())
    for token in doc["types"]:
        if not token.startswith("aws:"):
            continue
        module, _, cls = token.split(":", 1)[1].partition("/")
        package = f"{module}_" if module == "lambda" else module
        assert getattr(importlib.import_module(f"pulumi_aws.{package}"), cls.split(":")[1], None) is not None, token
