"""Logging and audit: flow logs, CloudTrail, load balancer, EKS control plane, database and S3
access logs, log retention, container logs and insights."""

from __future__ import annotations

from typing import Any

from pulumi_policy import ResourceValidationArgs, Severity, StackValidationArgs

from .helpers import Deferred, as_list, get, linked, number, of_type, peek, targets, truthy
from .registry import Controls, Report, config_value, resource_policy, stack_policy
from .workload_hardening import containers

LOGGING = Controls(soc2=("CC7.2",), iso27001=("A.8.15", "A.8.16"), pci=("10.2.1",))
BUCKETS = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
LOAD_BALANCERS = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
CLASSIC_LB = "aws:elb/loadBalancer:LoadBalancer"


def _flow_logs(args: StackValidationArgs, report: Report) -> None:
    vpcs = list(of_type(args.resources, "aws:ec2/vpc:Vpc"))
    covered: dict[str, list[str]] = {v.urn: [] for v in vpcs}
    for fl in of_type(args.resources, "aws:ec2/flowLog:FlowLog"):
        for v in targets(fl, "vpcId", vpcs, match_props=("id",)):
            covered[v.urn].append(str(peek(fl.props, "trafficType") or "ALL"))
    for v in vpcs:
        if not covered[v.urn]:
            report(
                f"VPC '{v.name}' has no flow log. Add aws.ec2.FlowLog(vpc_id=vpc.id, traffic_type='ALL', log_destination=<KMS-encrypted "
                "log group or bucket ARN>, iam_role_arn=<delivery role>).",
                v.urn,
            )
        elif "ALL" not in covered[v.urn]:
            report(
                f"VPC '{v.name}' flow logs capture only {covered[v.urn]} traffic. Set traffic_type='ALL' so accepted and rejected flows are both recorded.",
                v.urn,
            )


flow_logs = stack_policy(
    "vpc-flow-logs-enabled",
    category="logging",
    description="Every VPC has a flow log capturing ALL traffic.",
    severity=Severity.MEDIUM,
    controls=Controls(soc2=("CC7.2",), iso27001=("A.8.15", "A.8.16"), pci=("10.2.1",), cis=("3.7",)),
    remediation="aws.ec2.FlowLog(vpc_id=vpc.id, traffic_type='ALL', log_destination_type='cloud-watch-logs' or 's3', ...).",
    validate=_flow_logs,
    types=("aws:ec2/vpc:Vpc",),
    links=("aws:ec2/flowLog:FlowLog",),
    covers=("AwsSolutions-VPC7", "CKV2_AWS_11"),
)


def _cloudtrail(args: ResourceValidationArgs, report: Report) -> None:
    p = args.props
    problems: list[str] = []
    if not truthy(get(p, "isMultiRegionTrail")):
        problems.append("records only its home region (set is_multi_region_trail=True)")
    if not truthy(get(p, "enableLogFileValidation")):
        problems.append("has log file integrity validation off (set enable_log_file_validation=True)")
    if not truthy(get(p, "includeGlobalServiceEvents", default=True)):
        problems.append("skips global service events such as IAM (set include_global_service_events=True)")
    if not truthy(get(p, "enableLogging", default=True)):
        problems.append("is stopped (enable_logging=False)")
    management = _records_management_writes(p)
    if management is False:
        problems.append(
            "records no management write events (its event selectors leave them out: keep "
            "include_management_events=True with read_write_type 'All', or an advanced selector on eventCategory "
            "Management)"
        )
    if problems:
        report(f"CloudTrail trail '{args.name}' " + "; ".join(problems) + ".")


def _records_management_writes(p: Any) -> bool | None:
    """Whether the trail's selectors keep management write events (who changed what in the
    account): a trail without selectors does (CloudTrail's default); basic selectors do when one
    includes management events (the default) for `All` or `WriteOnly`; advanced selectors do
    when one selects eventCategory Management. None when a value is unknown."""
    basic, advanced = get(p, "eventSelectors"), get(p, "advancedEventSelectors")
    if not basic and not advanced:
        return True
    for selector in as_list(basic):
        included, kind = (
            get(selector, "includeManagementEvents", default=True),
            get(selector, "readWriteType", default="All"),
        )
        if not isinstance(included, bool) or not isinstance(kind, str):
            return None
        if included and kind in ("All", "WriteOnly"):
            return True
    for selector in as_list(advanced):
        for field in as_list(get(selector, "fieldSelectors")):
            if get(field, "field") == "eventCategory" and "Management" in as_list(get(field, "equals")):
                return True
    return False


cloudtrail = resource_policy(
    "cloudtrail-multi-region-with-validation",
    category="logging",
    description="CloudTrail trails are multi-region, include global service events and management write events, log continuously and validate log file integrity.",
    severity=Severity.HIGH,
    controls=Controls(soc2=("CC7.2",), iso27001=("A.8.15",), pci=("10.2.1", "10.3.4"), cis=("3.1", "3.2")),
    remediation="aws.cloudtrail.Trail(is_multi_region_trail=True, include_global_service_events=True, enable_log_file_validation=True, enable_logging=True, kms_key_id=key.arn, ...).",
    validate=_cloudtrail,
    types=("aws:cloudtrail/trail:Trail",),
    covers=("CKV_AWS_36", "CKV_AWS_67", "CKV_AWS_251"),
)


def _lb_logs(args: ResourceValidationArgs, report: Report) -> None:
    p = args.props
    if args.resource_type == "aws:elb/loadBalancer:LoadBalancer":
        logs = get(p, "accessLogs") or {}
        if not truthy(get(logs, "enabled", default=True)) or not get(logs, "bucket"):
            report(
                f"Classic load balancer '{args.name}' writes no access logs. Set access_logs={{bucket: <log bucket>, enabled: True}}."
            )
        return
    if str(get(p, "loadBalancerType", default="application")) == "gateway":
        return
    logs = get(p, "accessLogs") or {}
    if not truthy(get(logs, "enabled")) or not get(logs, "bucket"):
        report(
            f"Load balancer '{args.name}' writes no access logs. Set access_logs={{bucket: <log archive bucket>, prefix: ..., enabled: True}} (the bucket policy must allow the ELB log delivery principal)."
        )


lb_logs = resource_policy(
    "lb-access-logs-enabled",
    category="logging",
    description="Application, network and classic load balancers deliver access logs to S3.",
    severity=Severity.MEDIUM,
    controls=LOGGING,
    remediation="Set access_logs={bucket: log_bucket.bucket, enabled: True} on aws.lb.LoadBalancer / aws.elb.LoadBalancer.",
    validate=_lb_logs,
    types=(*LOAD_BALANCERS, CLASSIC_LB),
    covers=("AwsSolutions-ELB2", "CKV_AWS_91", "awsguard:elb-logging-enabled"),
)

EKS_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"]


def _eks_logs(args: ResourceValidationArgs, report: Report) -> None:
    wanted = list(config_value(args, "requiredLogTypes", EKS_LOG_TYPES))
    have = {str(t) for t in as_list(get(args.props, "enabledClusterLogTypes"))}
    missing = [t for t in wanted if t not in have]
    if missing:
        report(
            f"EKS cluster '{args.name}' does not send control-plane logs {missing} to CloudWatch. Set enabled_cluster_log_types={wanted}."
        )


eks_logs = resource_policy(
    "eks-control-plane-logging",
    category="logging",
    description="EKS clusters send control-plane logs (api, audit, authenticator, controllerManager, scheduler) to CloudWatch.",
    severity=Severity.MEDIUM,
    controls=LOGGING,
    remediation="Set enabled_cluster_log_types=['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'].",
    validate=_eks_logs,
    types=("aws:eks/cluster:Cluster", "eks:index:Cluster"),
    covers=("AwsSolutions-EKS2", "CKV_AWS_37"),
    config={
        "requiredLogTypes": {
            "type": "array",
            "items": {"type": "string", "enum": EKS_LOG_TYPES},
            "default": EKS_LOG_TYPES,
            "description": "Control-plane log types that must be enabled.",
        }
    },
)

RDS_EXPORTS = {
    "postgres": ["postgresql"],
    "aurora-postgresql": ["postgresql"],
    "mysql": ["error", "slowquery"],
    "mariadb": ["error", "slowquery"],
    "aurora-mysql": ["audit", "error", "slowquery"],
}


def _rds_logs(args: ResourceValidationArgs, report: Report) -> None:
    engine = str(get(args.props, "engine", default=""))
    wanted = RDS_EXPORTS.get(engine)
    if wanted is None:
        return
    have = {str(x) for x in as_list(get(args.props, "enabledCloudwatchLogsExports"))}
    missing = [w for w in wanted if w not in have]
    if missing:
        report(
            f"Database '{args.name}' ({engine}) does not export {missing} logs to CloudWatch. Set enabled_cloudwatch_logs_exports={sorted(have | set(wanted))}."
        )


rds_logs = resource_policy(
    "rds-log-exports-enabled",
    category="logging",
    description="Databases export their engine logs to CloudWatch Logs (postgresql; error and slowquery for MySQL/MariaDB; audit too for Aurora MySQL).",
    severity=Severity.MEDIUM,
    controls=LOGGING,
    remediation="Set enabled_cloudwatch_logs_exports (e.g. ['postgresql', 'upgrade'] for PostgreSQL).",
    validate=_rds_logs,
    types=("aws:rds/instance:Instance", "aws:rds/cluster:Cluster"),
    covers=("CKV_AWS_129", "CKV_AWS_324", "AwsSolutions-RDS16", "CKV2_AWS_30"),
)


# --- S3 server access logging -------------------------------------------------------------------

LOGGING_CONFIGS = ("aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2")


def log_buckets(resources: list[Any], buckets: list[Any]) -> set[str]:
    """Buckets that receive logs (targets of S3 access logging, ALB/NLB logs, CloudTrail, flow
    logs): log archives, exempt from needing access logs of their own (that would recurse)."""
    out: set[str] = set()
    for cfg in of_type(resources, *LOGGING_CONFIGS):
        out.update(b.urn for b in targets(cfg, "targetBucket", buckets))
    urns = {b.urn for b in buckets}
    for b in buckets:
        for target in _inline_logging(b):
            out.update(x.urn for x in buckets if isinstance(target, str) and peek(x.props, "bucket") == target)
    for lb in of_type(resources, *LOAD_BALANCERS, CLASSIC_LB):
        out.update(
            d.urn
            for prop in ("accessLogs", "connectionLogs", "healthCheckLogs")
            for d in linked(lb, prop)
            if d.urn in urns
        )
        for prop in ("accessLogs", "connectionLogs", "healthCheckLogs"):
            name = peek(peek(lb.props, prop), "bucket")
            if isinstance(name, str):
                out.update(b.urn for b in buckets if peek(b.props, "bucket") == name)
    for trail in of_type(resources, "aws:cloudtrail/trail:Trail"):
        out.update(b.urn for b in targets(trail, "s3BucketName", buckets))
    for fl in of_type(resources, "aws:ec2/flowLog:FlowLog"):
        out.update(b.urn for b in targets(fl, "logDestination", buckets, match_props=("arn",)))
    return out


def _inline_logging(bucket: Any) -> list[str]:
    """Target buckets of deprecated inline logging (`logging` on aws.s3.Bucket, a list `loggings`
    on BucketV2); read for matching only, so unknowns count as absent."""
    found = [peek(bucket.props, "logging"), *as_list(peek(bucket.props, "loggings"))]
    return [t for t in (peek(x, "targetBucket") for x in found) if isinstance(t, str) and t]


def _s3_access_logs(args: StackValidationArgs, report: Report) -> None:
    resources = list(args.resources)
    buckets = list(of_type(resources, *BUCKETS))
    logged: set[str] = set()
    for cfg in of_type(resources, *LOGGING_CONFIGS):
        logged.update(b.urn for b in targets(cfg, "bucket", buckets))
    exempt = log_buckets(resources, buckets)
    deferred = Deferred()

    def check(b: Any) -> None:
        if b.urn in logged or b.urn in exempt or _inline_logging(b):
            return
        report(
            f"S3 bucket '{b.name}' has no server access logging. Add aws.s3.BucketLogging(bucket=<this bucket>, target_bucket=<log archive bucket>, target_prefix='s3/<name>/').",
            b.urn,
        )

    for b in buckets:
        deferred.run(check, b)
    deferred.finish()


s3_access_logs = stack_policy(
    "s3-access-logging-enabled",
    category="logging",
    description="Data buckets log S3 server access to a log bucket (buckets that are themselves log destinations are exempt).",
    severity=Severity.MEDIUM,
    controls=Controls(soc2=("CC7.2",), iso27001=("A.8.15",), pci=("10.2.1",), cis=("3.4",)),
    remediation="aws.s3.BucketLogging(bucket=data_bucket.id, target_bucket=log_bucket.id, target_prefix='s3/<bucket>/').",
    validate=_s3_access_logs,
    types=BUCKETS,
    links=(*LOGGING_CONFIGS, *LOAD_BALANCERS, CLASSIC_LB, "aws:cloudtrail/trail:Trail", "aws:ec2/flowLog:FlowLog"),
    covers=("AwsSolutions-S1", "CKV_AWS_18", "awsguard:s3-bucket-logging-enabled"),
)


def _retention(args: ResourceValidationArgs, report: Report) -> None:
    minimum = int(config_value(args, "minimumRetentionDays", 30))
    days = number(get(args.props, "retentionInDays"))
    if not days:
        report(
            f"Log group '{args.name}' keeps logs forever (no retention_in_days): unbounded cost and data kept past its purpose. Set retention_in_days (>= {minimum})."
        )
    elif days < minimum:
        report(
            f"Log group '{args.name}' keeps logs {int(days)} days, less than the required {minimum}. Set retention_in_days >= {minimum}."
        )


retention = resource_policy(
    "cloudwatch-log-group-retention",
    category="logging",
    description="Log groups set a retention period of at least the configured minimum (default 30 days; prod 365).",
    severity=Severity.MEDIUM,
    controls=Controls(soc2=("CC7.2",), iso27001=("A.8.15",), pci=("10.5.1",)),
    remediation="Set retention_in_days on aws.cloudwatch.LogGroup to an allowed value >= the minimum (e.g. 30, 90, 365).",
    validate=_retention,
    types=("aws:cloudwatch/logGroup:LogGroup",),
    covers=("CKV_AWS_66", "CKV_AWS_338"),
    config={
        "minimumRetentionDays": {
            "type": "number",
            "default": 30,
            "minimum": 1,
            "description": "Minimum retention in days (PCI DSS 10.5.1 asks for 365).",
        }
    },
)


def _container_insights(args: ResourceValidationArgs, report: Report) -> None:
    for s in as_list(get(args.props, "settings")):
        if get(s, "name") == "containerInsights" and get(s, "value") in ("enabled", "enhanced"):
            return
    report(
        f"ECS cluster '{args.name}' has Container Insights off. Set settings=[{{name: 'containerInsights', value: 'enhanced'}}] (or 'enabled')."
    )


container_insights = resource_policy(
    "ecs-container-insights-enabled",
    category="logging",
    description="ECS clusters have CloudWatch Container Insights enabled.",
    severity=Severity.LOW,
    controls=Controls(soc2=("CC7.2",), iso27001=("A.8.16",)),
    remediation="settings=[{name: 'containerInsights', value: 'enhanced'}] on aws.ecs.Cluster.",
    validate=_container_insights,
    types=("aws:ecs/cluster:Cluster",),
    covers=("AwsSolutions-ECS4", "CKV_AWS_65"),
)


def _task_logging(args: ResourceValidationArgs, report: Report) -> None:
    for i, c in enumerate(containers(args)):
        if not (c.get("logConfiguration") or {}).get("logDriver"):
            report(
                f"Task definition '{args.name}' container '{c.get('name') or i + 1}' has no logConfiguration: its output is lost. Set logConfiguration {{logDriver: 'awslogs', options: {{awslogs-group, awslogs-region, awslogs-stream-prefix}}}}."
            )


task_logging = resource_policy(
    "ecs-container-logging-enabled",
    category="logging",
    description="Every ECS container ships its output to a log driver (awslogs/FireLens).",
    severity=Severity.MEDIUM,
    controls=LOGGING,
    remediation="Give each container definition a logConfiguration with the awslogs (or awsfirelens) driver.",
    validate=_task_logging,
    types=("aws:ecs/taskDefinition:TaskDefinition",),
    covers=("AwsSolutions-ECS7",),
)

POLICIES = [
    flow_logs,
    cloudtrail,
    lb_logs,
    eks_logs,
    rds_logs,
    s3_access_logs,
    retention,
    container_insights,
    task_logging,
]
