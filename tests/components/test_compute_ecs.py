"""Compute on ECS Fargate under the SDK mocks, wired to the real BackendState, Security and
Networking, with small stand-ins for Storage, ECR and Monitoring (built in parallel elsewhere).

Properties, per environment: hardened containers whose secrets come only from the injected ARNs,
ports that match the target groups, safe deployments, the capacity split, autoscaling thresholds and
schedules, least-privilege grants, clear errors, and a clean run of the policy pack."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from offline_preview import Capture, CapturedResource, UserError, evaluate, load_policy_pack, run_program
from offline_preview.cost import estimate_cost, split_tasks
from offline_preview.deploy_time import slow_waits
from offline_preview.policy_runner import read_policy_config
from secure_platform.compute.component import Compute, ComputeArgs
from secure_platform.compute.ecs import task_plan as tp
from secure_platform.config.stack_files import stack_file_values
from secure_platform.core import iam
from secure_platform.core.refs import BucketRef, CacheEndpoint, DatabaseEndpoint, LogGroupRef, RepositoryRef, SecretRef
from secure_platform.networking import alb_plan
from secure_platform.security.component import Security
from tests.components.helpers import (
    LOG_GROUP,
    NETWORKING,
    REPO,
    ROLE_POLICY,
    SECURITY,
    as_list,
    build_core,
    of_type,
    ref,
    refs,
    statements,
)

COMPUTE = "platform:index:Compute"
STANDINS = "test:index:Upstream"
CLUSTER = "aws:ecs/cluster:Cluster"
SERVICE = "aws:ecs/service:Service"
TASK = "aws:ecs/taskDefinition:TaskDefinition"
TARGET = "aws:appautoscaling/target:Target"
POLICY = "aws:appautoscaling/policy:Policy"
SCHEDULED = "aws:appautoscaling/scheduledAction:ScheduledAction"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
SECRET = "aws:secretsmanager/secret:Secret"
REPOSITORY = "aws:ecr/repository:Repository"
STACKS = ("dev", "staging", "prod")
STACK_FILES = {s: stack_file_values(REPO / f"Pulumi.{s}.yaml", s) for s in STACKS}


LIFECYCLE = json.dumps(
    {
        "rules": [
            {
                "rulePriority": 1,
                "description": "expire untagged images",
                "selection": {
                    "tagStatus": "untagged",
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": 7,
                },
                "action": {"type": "expire"},
            }
        ]
    }
)


class Upstream(pulumi.ComponentResource):
    """Stands in for Storage, ECR and Monitoring: real resources where grants and policies follow
    them (secrets, repositories, the application log group), plain outputs elsewhere."""

    def __init__(self, cfg, security: Security, opts: pulumi.ResourceOptions) -> None:
        super().__init__(STANDINS, "upstream", None, opts)
        child = pulumi.ResourceOptions(parent=self)
        kept = pulumi.ResourceOptions(parent=self, protect=cfg.protect, retain_on_delete=cfg.protect)
        naming = cfg.naming
        keys = security.keys
        app_logs = aws.cloudwatch.LogGroup(
            "application",
            name=naming.log_group("application"),
            retention_in_days=cfg.monitoring.log_retention_days,
            kms_key_id=keys.logs.arn,
            opts=child,
        )
        self.application_log_group = LogGroupRef(name=app_logs.name, arn=app_logs.arn)
        db_secret = aws.secretsmanager.Secret("db-master", kms_key_id=keys.secrets.arn, opts=kept)
        # Stand-ins rotate as the real ones do (RDS every 7 days, Storage through keepers).
        rotate = f"arn:aws:lambda:{cfg.region}:123456789012:function:rotate"
        aws.secretsmanager.SecretRotation(
            "db-master",
            secret_id=db_secret.id,
            rotation_lambda_arn=rotate,
            rotation_rules={"automatically_after_days": 7},
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.database = DatabaseEndpoint(
            address=pulumi.Output.from_input(f"{naming.db_identifier}.abcdefghijkl.{cfg.region}.rds.amazonaws.com"),
            port=pulumi.Output.from_input(5432),
            engine=cfg.database.engine,
            database_name=cfg.database.database_name,
            master_secret=SecretRef(arn=db_secret.arn, kms_key=keys.secrets),
        )
        self.cache: CacheEndpoint | None = None
        if cfg.cache.provider == "elasticache":
            auth = aws.secretsmanager.Secret("cache-auth", kms_key_id=keys.secrets.arn, opts=kept)
            aws.secretsmanager.SecretRotation(
                "cache-auth",
                secret_id=auth.id,
                rotation_lambda_arn=rotate,
                rotation_rules={"automatically_after_days": 30},
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.cache = CacheEndpoint(
                address=pulumi.Output.from_input(f"master.{naming.cache_replication_group_id}.cache.amazonaws.com"),
                port=6379,
                auth_secret=SecretRef(arn=auth.arn, kms_key=keys.secrets),
            )
        assets = naming.bucket("assets", "123456789012")
        self.assets_bucket = BucketRef(
            name=pulumi.Output.from_input(assets),
            arn=pulumi.Output.from_input(f"arn:aws:s3:::{assets}"),
            region=cfg.region,
            kms_key=keys.data,
        )
        self.repositories: dict[str, RepositoryRef] = {}
        for service in cfg.ecr.repositories:
            repo = aws.ecr.Repository(
                service,
                name=naming.ecr_repository(service),
                image_tag_mutability="IMMUTABLE",
                image_scanning_configuration={"scan_on_push": True},
                encryption_configurations=[{"encryption_type": "KMS", "kms_key": keys.data.arn}],
                opts=kept,
            )
            aws.ecr.LifecyclePolicy(service, repository=repo.name, policy=LIFECYCLE, opts=child)
            self.repositories[service] = RepositoryRef(
                arn=repo.arn, name=repo.name, url=repo.repository_url, kms_key=keys.data
            )
        self.register_outputs({})


def compute_program(mutate: Callable[[ComputeArgs], ComputeArgs] | None = None) -> Callable[[], None]:
    def program() -> None:
        core = build_core()
        cfg, opts, security, network = core.config, core.opts, core.security, core.network
        up = Upstream(cfg, security, opts)
        args = ComputeArgs.from_config(
            cfg,
            network=network,
            security=security,
            database=up.database,
            cache=up.cache,
            assets_bucket=up.assets_bucket,
            repositories=up.repositories,
            application_log_group=up.application_log_group,
        )
        compute = Compute("compute", mutate(args) if mutate else args, opts=opts)
        pulumi.export("backendUrl", compute.backend_url)
        pulumi.export("clusterName", compute.cluster_name)
        pulumi.export("serviceName", compute.service_name)

    return program


def run_compute(stack: str, config: dict[str, Any] | None = None, mutate=None) -> Capture:
    """The stack's own config on ECS (staging and prod run EKS by default)."""
    config = dict(config or {})
    compute = dict(config.get("platform:compute") or STACK_FILES[stack]["platform:compute"])
    config["platform:compute"] = {**compute, "platform": "ecs"}
    return run_program(REPO, stack, config=config, program=compute_program(mutate), mode="up")


@functools.cache
def capture_of(stack: str) -> Capture:
    return run_compute(stack)


def one(capture: Capture, type_: str) -> CapturedResource:
    (found,) = of_type(capture, type_, COMPUTE)
    return found


def containers(capture: Capture) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in json.loads(one(capture, TASK).inputs["containerDefinitions"])}


def role_named(capture: Capture, name: str) -> CapturedResource:
    (role,) = [r for r in of_type(capture, "aws:iam/role:Role", SECURITY) if r.name == name]
    return role


def policies_on(capture: Capture, role: CapturedResource) -> list[CapturedResource]:
    return [p for p in capture.of_type(ROLE_POLICY) if role.urn in p.property_dependencies.get("role", [])]


def allows(capture: Capture, role: CapturedResource) -> list[dict[str, Any]]:
    return [s for p in policies_on(capture, role) for s in statements(p.inputs["policy"]) if s["Effect"] == "Allow"]


def actions_on(capture: Capture, role: CapturedResource, prefix: str) -> dict[str, set[str]]:
    """action -> resources, for the role's actions starting with `prefix`."""
    out: dict[str, set[str]] = {}
    for stmt in allows(capture, role):
        for action in as_list(stmt["Action"]):
            if action.startswith(prefix):
                out.setdefault(action, set()).update(as_list(stmt["Resource"]))
    return out


# --- containers ----------------------------------------------------------------------------------


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


def load_naming(capture: Capture):
    from secure_platform.core.naming import Naming

    return Naming(project=capture.project, environment=capture.config["platform:environment"], region="us-east-1")


# --- capacity -----------------------------------------------------------------------------------


def placement(capture: Capture, tasks: float) -> dict[str, float]:
    strategy = [
        (s["capacityProvider"], s.get("weight", 0), s.get("base", 0))
        for s in one(capture, SERVICE).inputs["capacityProviderStrategies"]
    ]
    return split_tasks(tasks, strategy)


@pytest.mark.parametrize("stack", STACKS)
def test_cluster_and_service_use_the_same_capacity_split(stack):
    capture = capture_of(stack)
    (providers,) = of_type(capture, "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders", COMPUTE)
    assert providers.inputs["capacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
    assert (
        providers.inputs["defaultCapacityProviderStrategies"]
        == one(capture, SERVICE).inputs["capacityProviderStrategies"]
    )
    assert ref(capture, providers, "clusterName").urn == one(capture, CLUSTER).urn


def test_dev_runs_mostly_on_spot():
    capture = capture_of("dev")
    for tasks in (1, 2, 4):
        split = placement(capture, tasks)
        assert split["FARGATE_SPOT"] / tasks >= 0.75, split


@pytest.mark.parametrize("stack", ("staging", "prod"))
def test_staging_and_prod_keep_an_on_demand_base_and_put_the_rest_partly_on_spot(stack):
    capture = capture_of(stack)
    ecs = STACK_FILES[stack]["platform:compute"]["ecs"]
    base = ecs["onDemandBase"]
    assert base >= 1
    assert placement(capture, base) == {"FARGATE": base, "FARGATE_SPOT": 0}
    peak = placement(capture, ecs["maxTasks"])
    assert peak["FARGATE"] >= base and peak["FARGATE_SPOT"] > 0


# --- autoscaling --------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_scaling_bounds_come_from_config_and_the_schedule_is_not_fought(stack):
    capture = capture_of(stack)
    ecs = STACK_FILES[stack]["platform:compute"]["ecs"]
    target = one(capture, TARGET)
    assert (target.inputs["minCapacity"], target.inputs["maxCapacity"]) == (ecs["minTasks"], ecs["maxTasks"])
    assert target.inputs["scalableDimension"] == "ecs:service:DesiredCount"
    assert {r.type for r in refs(capture, target, "resourceId")} == {CLUSTER, SERVICE}
    assert target.ignore_changes == ["minCapacity"]  # the schedule moves it during the day
    assert one(capture, SERVICE).inputs["desiredCount"] == max(ecs["minTasks"], 1)


@pytest.mark.parametrize("stack", STACKS)
def test_scale_out_tracks_70_cpu_and_80_memory_and_scale_in_waits_for_30_and_40(stack):
    capture = capture_of(stack)
    target = one(capture, TARGET)
    policies = {p.name: p for p in of_type(capture, POLICY, COMPUTE)}
    assert set(policies) == {"scale-out-cpu", "scale-out-memory", "scale-in"}
    for policy in policies.values():
        assert ref(capture, policy, "resourceId").urn == target.urn
    tracked = {
        p.inputs["targetTrackingScalingPolicyConfiguration"]["predefinedMetricSpecification"][
            "predefinedMetricType"
        ]: p.inputs["targetTrackingScalingPolicyConfiguration"]
        for p in policies.values()
        if p.inputs["policyType"] == "TargetTrackingScaling"
    }
    assert tracked["ECSServiceAverageCPUUtilization"]["targetValue"] == 70
    assert tracked["ECSServiceAverageMemoryUtilization"]["targetValue"] == 80
    assert all(t["disableScaleIn"] is True and t["scaleOutCooldown"] == 60 for t in tracked.values())

    step = policies["scale-in"].inputs["stepScalingPolicyConfiguration"]
    assert step["adjustmentType"] == "ChangeInCapacity" and step["cooldown"] == 300
    assert step["stepAdjustments"] == [{"metricIntervalLowerBound": "0", "scalingAdjustment": -1}]
    alarm = one(capture, ALARM)
    assert ref(capture, alarm, "alarmActions").urn == policies["scale-in"].urn
    queries = {q["id"]: q for q in alarm.inputs["metricQueries"]}
    assert queries["idle"]["expression"] == "IF(cpu < 30 AND memory < 40, 1, 0)"
    assert queries["idle"]["returnData"] is True
    naming = load_naming(capture)
    for metric_id, name in (("cpu", "CPUUtilization"), ("memory", "MemoryUtilization")):
        metric = queries[metric_id]["metric"]
        assert (metric["namespace"], metric["metricName"], metric["stat"]) == ("AWS/ECS", name, "Average")
        assert metric["dimensions"] == {"ClusterName": naming.ecs_cluster, "ServiceName": naming.ecs_service}
    assert alarm.inputs["threshold"] == 1 and alarm.inputs["comparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert alarm.inputs["evaluationPeriods"] == alarm.inputs["datapointsToAlarm"] == 15
    assert alarm.inputs["treatMissingData"] == "notBreaching"


@pytest.mark.parametrize("stack", STACKS)
def test_weekday_schedule_in_the_stack_time_zone(stack):
    capture = capture_of(stack)
    ecs = STACK_FILES[stack]["platform:compute"]["ecs"]
    schedule = ecs["schedule"]
    actions = {a.name: a for a in of_type(capture, SCHEDULED, COMPUTE)}
    assert set(actions) == {"business-hours-start", "business-hours-end"}
    up, down = actions["business-hours-start"].inputs, actions["business-hours-end"].inputs
    h, m = (int(x) for x in schedule["weekdayScaleUpAt"].split(":"))
    assert up["schedule"] == f"cron({m} {h} ? * MON-FRI *)"
    h, m = (int(x) for x in schedule["weekdayScaleDownAt"].split(":"))
    assert down["schedule"] == f"cron({m} {h} ? * MON-FRI *)"
    assert up["scalableTargetAction"] == {"minCapacity": schedule["businessHoursMinTasks"]}
    assert down["scalableTargetAction"] == {"minCapacity": ecs["minTasks"]}
    assert up["timezone"] == down["timezone"] == STACK_FILES[stack]["platform:compute"]["timezone"]
    for action in actions.values():
        assert ref(capture, action, "resourceId").urn == one(capture, TARGET).urn


def test_schedule_follows_the_configured_time_zone_and_can_be_switched_off():
    compute = STACK_FILES["prod"]["platform:compute"]
    berlin = run_compute("prod", {"platform:compute": {**compute, "timezone": "Europe/Berlin"}})
    assert {a.inputs["timezone"] for a in of_type(berlin, SCHEDULED, COMPUTE)} == {"Europe/Berlin"}
    off = {**compute, "ecs": {**compute["ecs"], "schedule": {**compute["ecs"]["schedule"], "enabled": False}}}
    quiet = run_compute("prod", {"platform:compute": off})
    assert of_type(quiet, SCHEDULED, COMPUTE) == []
    assert one(quiet, TARGET).ignore_changes == []  # nothing moves minCapacity: config owns it


def test_the_cost_estimate_prices_the_service_with_its_schedule_and_spot_split():
    estimate = estimate_cost(capture_of("prod"))
    assert {t: n for t, n in estimate.not_priced.items() if t.startswith("aws:")} == {}
    (line,) = [line for line in estimate.lines if line.type == SERVICE]
    assert line.monthly_usd > 0 and "FARGATE_SPOT" in line.basis and "scheduled floor 6" in line.basis


# --- cluster ------------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_container_insights_enhanced_into_an_encrypted_group_we_create_first(stack):
    capture = capture_of(stack)
    cluster = one(capture, CLUSTER)
    assert cluster.inputs["settings"] == [{"name": "containerInsights", "value": "enhanced"}]
    (group,) = [g for g in of_type(capture, LOG_GROUP, COMPUTE) if g.name == "container-insights"]
    naming = load_naming(capture)
    assert group.inputs["name"] == f"/aws/ecs/containerinsights/{naming.ecs_cluster}/performance"
    assert ref(capture, group, "kmsKeyId").name == "logs"
    assert group.inputs["retentionInDays"] == STACK_FILES[stack]["platform:monitoring"]["logRetentionDays"]
    assert group.urn in cluster.dependencies


@pytest.mark.parametrize("stack", STACKS)
def test_ecs_exec_is_logged_to_the_encrypted_session_group_the_task_role_may_write(stack):
    capture = capture_of(stack)
    cluster = one(capture, CLUSTER)
    exec_config = cluster.inputs["configuration"]["executeCommandConfiguration"]
    assert exec_config["logging"] == "OVERRIDE"
    assert exec_config["logConfiguration"]["cloudWatchEncryptionEnabled"] is True
    deps = {r.name: r for r in refs(capture, cluster, "configuration")}
    session_group = deps["ssm-sessions"]
    assert exec_config["logConfiguration"]["cloudWatchLogGroupName"] == session_group.outputs["name"]
    assert ref(capture, session_group, "kmsKeyId").name == deps["logs"].name == "logs"
    assert exec_config["kmsKeyId"] == deps["logs"].outputs["arn"]
    # The session target's permissions (granted by Security, which owns the session group).
    task_role = role_named(capture, "ecs-task")
    channels = actions_on(capture, task_role, "ssmmessages:")
    assert set(channels) == set(iam.SSM_MESSAGES) and all(r == {"*"} for r in channels.values())
    writes = actions_on(capture, task_role, "logs:PutLogEvents")["logs:PutLogEvents"]
    assert session_group.outputs["arn"] in writes
    logs_key_policy = json.loads(deps["logs"].inputs["policy"])
    named = [s for s in logs_key_policy["Statement"] if s.get("Sid") == "UseByNamedRoles"]
    assert named and task_role.outputs["arn"] in as_list(named[0]["Principal"]["AWS"])


# --- least privilege ----------------------------------------------------------------------------


def compute_policies(capture: Capture) -> list[CapturedResource]:
    return of_type(capture, ROLE_POLICY, COMPUTE)


@pytest.mark.parametrize("stack", STACKS)
def test_compute_grants_name_actions_and_scope_resources(stack):
    capture = capture_of(stack)
    policies = compute_policies(capture)
    assert policies
    for policy in policies:
        for stmt in statements(policy.inputs["policy"]):
            assert stmt["Effect"] == "Allow"
            actions = as_list(stmt["Action"])
            assert not [a for a in actions if "*" in a], policy.urn
            if "*" in as_list(stmt["Resource"]):
                assert set(actions) <= iam.UNSCOPABLE_ACTIONS, (policy.urn, actions)


@pytest.mark.parametrize("stack", STACKS)
def test_execution_role_pulls_writes_and_reads_exactly_what_the_task_uses(stack):
    capture = capture_of(stack)
    role = role_named(capture, "ecs-task-execution")
    repos = {r.name: r.outputs["arn"] for r in of_type(capture, REPOSITORY, STANDINS)}
    pulls = actions_on(capture, role, "ecr:")
    assert pulls.pop("ecr:GetAuthorizationToken") == {"*"}
    assert set(pulls) == set(iam.ECR_PULL)
    for resources in pulls.values():
        assert resources == {repos[n] for n in tp.CONTAINER_NAMES}  # not api-gateway
    app_group = next(g for g in of_type(capture, LOG_GROUP, STANDINS) if g.name == "application").outputs["arn"]
    assert actions_on(capture, role, "logs:PutLogEvents") == {
        "logs:PutLogEvents": {app_group, f"{app_group}:log-stream:*"}
    }
    # Nothing is injected from Secrets Manager: the backend reads its rotating secrets itself.
    assert not actions_on(capture, role, "secretsmanager:")
    assert not tp.secret_arns(list(containers(capture).values()))
    assert not [s for s in allows(capture, role) if "kms:Decrypt" in as_list(s["Action"])]
    assert {p.parent for p in policies_on(capture, role)} == {one_component(capture).urn}


def one_component(capture: Capture) -> CapturedResource:
    (component,) = of_type(capture, COMPUTE)
    return component


@pytest.mark.parametrize("stack", STACKS)
def test_task_role_gets_traces_metrics_the_assets_bucket_and_its_secrets_only(stack):
    capture = capture_of(stack)
    role = role_named(capture, "ecs-task")
    secret_policies = {"task-read-db-secret", "task-read-cache-secret"}
    granted_here = [
        p
        for p in policies_on(capture, role)
        if p.parent == one_component(capture).urn and p.name not in secret_policies
    ]
    actions = {a for p in granted_here for s in statements(p.inputs["policy"]) for a in as_list(s["Action"])}
    assert actions == {
        "xray:PutTraceSegments",
        *iam.LOGS_WRITE,
        "s3:ListBucket",
        *iam.S3_READ_OBJECTS,
        *iam.S3_WRITE_OBJECTS,
        "kms:Decrypt",
        *iam.KMS_ENCRYPT,
    }
    assert not {a for a in actions if a.startswith(("secretsmanager:", "ecr:", "iam:", "sts:"))}
    bucket = load_naming(capture).bucket("assets", "123456789012")
    for p in granted_here:
        for s in statements(p.inputs["policy"]):
            if any(a.startswith("s3:") for a in as_list(s["Action"])):
                assert all(r.startswith(f"arn:aws:s3:::{bucket}") for r in as_list(s["Resource"]))


# --- errors -------------------------------------------------------------------------------------


def test_an_invalid_task_size_is_a_clear_config_error():
    compute = STACK_FILES["dev"]["platform:compute"]
    with pytest.raises(Exception) as err:
        run_compute("dev", {"platform:compute": {**compute, "ecs": {**compute["ecs"], "memory": 3000}}})
    assert "platform:compute.ecs.memory" in str(err.value) and "512" in str(err.value)
    assert "Traceback" not in str(err.value)


def test_missing_repository_is_named_before_anything_is_registered():
    ecr = STACK_FILES["dev"]["platform:ecr"]
    with pytest.raises(UserError) as err:
        run_compute("dev", {"platform:ecr": {**ecr, "repositories": ["frontend", "backend", "api-gateway"]}})
    assert "platform:ecr.repositories" in str(err.value) and "sidecar" in str(err.value)
    assert err.value.capture.resources == []


def test_a_target_group_on_another_port_is_refused():
    import dataclasses

    def wrong_port(args: ComputeArgs) -> ComputeArgs:
        groups = dict(args.target_groups)
        groups["frontend"] = dataclasses.replace(groups["frontend"], port=80)
        return dataclasses.replace(args, target_groups=groups)

    with pytest.raises(UserError) as err:
        run_compute("dev", mutate=wrong_port)
    assert "target_groups.frontend.port" in str(err.value) and "8080" in str(err.value)


# --- the policy pack and the deployment graph ----------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_no_mandatory_policy_finding(stack):
    pack_dir = REPO / "policies"
    capture = capture_of(stack)
    report = evaluate(
        load_policy_pack(pack_dir), capture, read_policy_config(pack_dir / "config" / f"{stack}.json"), capture.config
    )
    mandatory = [f"{v.policy}: {v.urn}: {v.message}" for v in report.violations if v.enforcement == "mandatory"]
    assert mandatory == []
    # Compute's own resources draw no finding at all, advisory ones included.
    (component,) = of_type(capture, COMPUTE)
    ours = {r.urn for r in capture.descendants(component.urn)} | {component.urn}
    assert [f"{v.policy}: {v.urn}" for v in report.violations if v.urn in ours] == []


@pytest.mark.parametrize("stack", STACKS)
def test_no_slow_resource_waits_without_a_data_dependency(stack):
    assert slow_waits(capture_of(stack)) == []
