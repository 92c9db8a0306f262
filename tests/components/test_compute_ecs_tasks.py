"""The ECS task and service, per environment: hardened containers whose secrets come only from the
injected ARNs, images from our repositories, a task size from config, ports and health paths that
match the target groups, a private service that deploys safely, and the names monitoring watches."""

from __future__ import annotations

import pytest

from secure_platform.compute.ecs import task_plan as tp
from secure_platform.networking import alb_plan
from tests.components.ecs_program import (
    CLUSTER,
    COMPUTE,
    REPOSITORY,
    SECRET,
    SERVICE,
    STACK_FILES,
    STACKS,
    STANDINS,
    TASK,
    capture_of,
    containers,
    load_naming,
    one,
    one_component,
)
from tests.components.helpers import LOG_GROUP, NETWORKING, ROLE_POLICY, as_list, of_type, ref, refs, statements

# --- containers -----------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_every_container_is_non_root_read_only_health_checked_and_logged(stack):
    capture = capture_of(stack)
    app_logs = next(g for g in of_type(capture, LOG_GROUP, STANDINS) if g.name == "application")
    task = one(capture, TASK)
    assert app_logs.urn in task.property_dependencies["containerDefinitions"]
    defs = containers(capture)
    assert set(defs) == {"frontend", "backend", "sidecar"}
    for name, c in defs.items():
        assert int(c["user"].split(":")[0]) > 0, name
        assert c["readonlyRootFilesystem"] is True, name
        assert c["healthCheck"]["command"], name
        assert c["logConfiguration"]["options"]["awslogs-group"] == app_logs.outputs["name"], name
        assert c["image"].rsplit(":", 1)[1] == STACK_FILES[stack]["platform:compute"]["imageTag"]
    assert {t["containerPath"] for t in defs["frontend"]["linuxParameters"]["tmpfs"]} >= {
        "/var/cache/nginx",
        "/var/run",
        "/tmp",
    }


@pytest.mark.parametrize("stack", STACKS)
def test_images_come_from_our_repositories(stack):
    capture = capture_of(stack)
    repos = {r.name: r for r in of_type(capture, REPOSITORY, STANDINS)}
    for name, c in containers(capture).items():
        assert c["image"].split(":")[0] == repos[name].outputs["repositoryUrl"]
        assert repos[name].urn in one(capture, TASK).property_dependencies["containerDefinitions"]


@pytest.mark.parametrize("stack", STACKS)
def test_the_backend_reads_the_upstream_secrets_itself_and_only_the_task_role_may(stack):
    """Rotating secrets reach running tasks: the backend gets the ARNs (not injected values); the
    task role may read exactly those secrets and decrypt only through Secrets Manager."""
    capture = capture_of(stack)
    defs = containers(capture)
    secrets = {s.name: s.outputs["arn"] for s in of_type(capture, SECRET, STANDINS)}
    assert all(not c.get("secrets") for c in defs.values())
    env = {e["name"]: e["value"] for e in defs["backend"]["environment"]}
    assert env["DB_SECRET_ARN"] == secrets["db-master"]
    assert env.get("REDIS_AUTH_SECRET_ARN") == secrets.get("cache-auth")
    policies = {p.name: p for p in capture.of_type(ROLE_POLICY)}
    assert not [n for n in policies if n.startswith("execution-read-")]
    read = {s["Sid"]: s for s in statements(policies["task-read-db-secret"].inputs["policy"])}
    assert read["ReadSecrets"]["Resource"] == secrets["db-master"]
    assert set(as_list(read["ReadSecrets"]["Action"])) == {
        "secretsmanager:GetSecretValue",
        "secretsmanager:DescribeSecret",
    }
    assert read["SecretKey"]["Action"] == "kms:Decrypt"
    assert read["SecretKey"]["Condition"]["StringEquals"]["kms:ViaService"].startswith("secretsmanager.")
    assert ("task-read-cache-secret" in policies) is ("cache-auth" in secrets)


@pytest.mark.parametrize("stack", STACKS)
def test_task_size_and_its_split_come_from_config(stack):
    capture = capture_of(stack)
    ecs = STACK_FILES[stack]["platform:compute"]["ecs"]
    task = one(capture, TASK)
    assert (task.inputs["cpu"], task.inputs["memory"]) == (str(ecs["cpu"]), str(ecs["memory"]))
    assert task.inputs["requiresCompatibilities"] == ["FARGATE"] and task.inputs["networkMode"] == "awsvpc"
    defs = containers(capture).values()
    assert sum(c["cpu"] for c in defs) <= ecs["cpu"]
    assert sum(c["memoryReservation"] for c in defs) <= ecs["memory"]
    assert ref(capture, task, "executionRoleArn").name == "ecs-task-execution"
    assert ref(capture, task, "taskRoleArn").name == "ecs-task"
    assert {v["name"] for v in task.inputs["volumes"]} == set(tp.task_volumes())


# --- load balancing and the service ---------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_containers_serve_exactly_the_target_groups_ports_and_health_paths(stack):
    capture = capture_of(stack)
    service = one(capture, SERVICE)
    groups = {tg.name: tg for tg in of_type(capture, "aws:lb/targetGroup:TargetGroup", NETWORKING)}
    defs = containers(capture)
    bindings = service.inputs["loadBalancers"]
    assert {b["containerName"] for b in bindings} == {t.name for t in alb_plan.TARGETS}
    for binding in bindings:
        name = binding["containerName"]
        group = groups[name]
        assert binding["targetGroupArn"] == group.outputs["arn"]
        assert binding["containerPort"] == group.inputs["port"]
        assert [p["containerPort"] for p in defs[name]["portMappings"]] == [group.inputs["port"]]
        path = group.inputs["healthCheck"]["path"]
        assert f"127.0.0.1:{int(group.inputs['port'])}{path}" in " ".join(defs[name]["healthCheck"]["command"])
    # ECS refuses a target group no listener uses yet: the service waits for the listener and rule.
    waited = {r.type for r in refs(capture, service, "loadBalancers")}
    assert {"aws:lb/listener:Listener", "aws:lb/listenerRule:ListenerRule"} <= waited


@pytest.mark.parametrize("stack", STACKS)
def test_service_runs_privately_and_deploys_safely(stack):
    capture = capture_of(stack)
    service = one(capture, SERVICE)
    inputs = service.inputs
    net = inputs["networkConfiguration"]
    assert net["assignPublicIp"] is False
    subnets = {s.urn for s in refs(capture, service, "networkConfiguration") if s.type == "aws:ec2/subnet:Subnet"}
    private = {s.urn for s in of_type(capture, "aws:ec2/subnet:Subnet", NETWORKING) if s.name.startswith("private")}
    assert subnets == private and len(private) == STACK_FILES[stack]["platform:network"]["azCount"]
    groups = [
        g for g in refs(capture, service, "networkConfiguration") if g.type == "aws:ec2/securityGroup:SecurityGroup"
    ]
    assert [g.name for g in groups] == ["app"]
    assert inputs["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert inputs["deploymentController"] == {"type": "ECS"}
    assert inputs["deploymentConfiguration"]["strategy"] == "ROLLING"
    assert inputs["deploymentMinimumHealthyPercent"] == 100 and inputs["deploymentMaximumPercent"] == 200
    assert inputs["healthCheckGracePeriodSeconds"] >= 30
    assert inputs["enableExecuteCommand"] is True
    assert inputs["propagateTags"] == "SERVICE" and inputs["enableEcsManagedTags"] is True
    assert "desiredCount" in service.ignore_changes
    # The first task pulls, logs and reads secrets: every grant to the two roles exists before it.
    assert {p.urn for p in of_type(capture, ROLE_POLICY, COMPUTE)} <= set(service.dependencies)
    cluster = one(capture, CLUSTER)
    assert ref(capture, service, "cluster").urn == cluster.urn
    assert ref(capture, service, "taskDefinition").urn == one(capture, TASK).urn
    assert one(capture, TASK).retain_on_delete is False  # skip_destroy keeps revisions instead
    assert one(capture, TASK).inputs["skipDestroy"] is True


def test_compute_children_are_parented_to_it_and_use_the_stacks_provider():
    capture = capture_of("prod")
    (provider,) = [p for p in capture.of_type("pulumi:providers:aws") if p.name == "aws"]  # not a second Region's
    component = one_component(capture)
    assert component.parent == capture.stack_urn
    children = capture.descendants(component.urn)
    assert len(children) >= 15
    for child in children:
        assert child.provider == provider.urn, child.urn
    assert {r.urn for r in of_type(capture, ROLE_POLICY, COMPUTE)} <= {c.urn for c in children}


@pytest.mark.parametrize("stack", STACKS)
def test_names_are_the_contract_monitoring_watches(stack):
    capture = capture_of(stack)
    naming = load_naming(capture)
    assert one(capture, CLUSTER).inputs["name"] == naming.ecs_cluster
    assert one(capture, SERVICE).inputs["name"] == naming.ecs_service
    assert capture.outputs["clusterName"] == naming.ecs_cluster
    assert capture.outputs["serviceName"] == naming.ecs_service
    domain = STACK_FILES[stack]["platform:domain"]["name"]
    assert capture.outputs["backendUrl"] == f"https://{domain}/api"
    assert capture.secret_outputs == []
