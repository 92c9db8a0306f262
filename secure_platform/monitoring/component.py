"""Monitoring: log groups, alarm topics, every alarm and the dashboard, CloudTrail, the budget
(tier 1, after Networking).

* Log groups `application`, `system`, `security` (the trail's), encrypted with the logs key and
  expiring per environment. (AWS-named groups of the cluster, such as Container Insights', are
  created by Compute, which owns the cluster.)
* One SNS topic per severity (critical, warning, info), encrypted with the logs key; the topic
  policy admits only this stack's alarms (and budget), over TLS; e-mail subscribers from config.
* Alarms from `alarms.alarm_specs` (one table), each to the topic of its tier; the dashboard draws
  the same series. Resources of later components (database, cache, ECS service, EKS cluster) are
  watched by the names `Naming` fixes for them: CloudWatch dimensions are names.
* CloudTrail: multi-region, log-file validation, encrypted with the logs key, to the log archive
  and to the `security` log group (through a role that may write only there); management events
  and S3 data events on the Pulumi state bucket. Where the archive replicates (prod), its
  replication role may decrypt the trail's files with the logs key.
* AWS Budgets: forecast alerts at 80 % (info) and 100 % (warning) of `monitoring.monthlyBudgetUsd`
  for the resources tagged with this stack's Project and Environment.
* Security events filtered from the trail's log group (CIS AWS Foundations Benchmark): root user
  activity, trail changes and KMS key deletion (critical), console sign-in without MFA and repeated
  unauthorized calls (warning), IAM policy changes (info), alarmed through the same table.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import pulumi
import pulumi_aws as aws

from secure_platform.config import StackConfig
from secure_platform.core import iam, log_delivery, replication
from secure_platform.core.aws_context import AwsContext
from secure_platform.core.naming import Naming
from secure_platform.core.options import child
from secure_platform.core.refs import BucketRef, KeyRef, LogGroupRef, RoleRef, TopicRef
from secure_platform.monitoring import alarms
from secure_platform.monitoring.alarms import TIERS, Tier
from secure_platform.networking.component import LoadBalancerRef, TargetGroupRef

LOG_GROUPS: tuple[str, ...] = ("application", "system", "security")
BUDGET_ALERTS: tuple[tuple[float, Tier], ...] = ((80.0, "info"), (100.0, "warning"))
"""Forecasted spend as % of the monthly budget -> the topic alerted."""


@dataclass(frozen=True, eq=False)
class MonitoringArgs:
    naming: Naming
    environment: str
    protect: bool
    log_retention_days: int
    alarm_emails: Mapping[Tier, Sequence[str]]
    monthly_budget_usd: float
    budget_tags: Mapping[str, str]
    """Cost-allocation tags that select this stack's spend (Project, Environment)."""
    inventory: alarms.StackInventory
    """What the alarms and dashboard watch."""
    logs_key: KeyRef
    state_bucket: BucketRef
    """Its object-level API calls are recorded (S3 data events)."""
    log_archive: BucketRef
    """Receives the trail's files (BackendState's bucket policy admits only our trail)."""
    log_archive_replication: RoleRef | None = None
    """The log archive's replication role (prod): may decrypt the trail's files with the logs key."""

    @classmethod
    def from_config(
        cls,
        cfg: StackConfig,
        *,
        logs_key: KeyRef,
        state_bucket: BucketRef,
        log_archive: BucketRef,
        log_archive_replication: RoleRef | None = None,
        load_balancer: LoadBalancerRef,
        target_groups: Mapping[str, TargetGroupRef],
        nat_gateway_ids: Sequence[pulumi.Output[str]],
        eks_container_insights: bool = False,
    ) -> MonitoringArgs:
        """`eks_container_insights`: the EKS cluster runs the CloudWatch Observability add-on (then
        node CPU and memory are alarmed here; Compute creates its AWS-named log groups)."""
        return cls(
            naming=cfg.naming,
            environment=cfg.environment,
            protect=cfg.protect,
            log_retention_days=cfg.monitoring.log_retention_days,
            alarm_emails={
                "critical": list(cfg.monitoring.alarm_emails.critical),
                "warning": list(cfg.monitoring.alarm_emails.warning),
                "info": list(cfg.monitoring.alarm_emails.info),
            },
            monthly_budget_usd=cfg.monitoring.monthly_budget_usd,
            budget_tags={"Project": cfg.project, "Environment": cfg.environment},
            inventory=inventory_from_config(
                cfg,
                load_balancer=alarms.LoadBalancerWatch(
                    arn_suffix=load_balancer.arn_suffix,
                    target_groups=tuple((name, tg.arn_suffix) for name, tg in sorted(target_groups.items())),
                ),
                nat_gateways=tuple(nat_gateway_ids),
                eks_container_insights=eks_container_insights,
            ),
            logs_key=logs_key,
            state_bucket=state_bucket,
            log_archive=log_archive,
            log_archive_replication=log_archive_replication,
        )


def inventory_from_config(
    cfg: StackConfig,
    *,
    load_balancer: alarms.LoadBalancerWatch | None,
    nat_gateways: tuple[alarms.Dim, ...],
    eks_container_insights: bool = False,
) -> alarms.StackInventory:
    """The alarm inventory: the network from Networking's outputs; the database, cache and
    containers by the physical names Storage and Compute must use (`cfg.naming`)."""
    naming = cfg.naming
    platform = cfg.compute.platform
    return alarms.StackInventory(
        load_balancer=load_balancer,
        nat_gateways=nat_gateways,
        database=alarms.DatabaseWatch(
            identifier=naming.db_identifier,
            engine=cfg.database.engine,
            instance_class=cfg.database.instance_class,
            allocated_storage_gb=cfg.database.allocated_storage_gb,
        ),
        cache=(
            alarms.CacheWatch(member_clusters=naming.cache_member_clusters(cfg.cache.num_cache_clusters))
            if cfg.cache.provider == "elasticache"
            else None
        ),
        containers=alarms.ContainerWatch(
            platform=platform,
            cluster=naming.ecs_cluster if platform == "ecs" else naming.eks_cluster,
            service=naming.ecs_service if platform == "ecs" else None,
            container_insights=platform == "eks" and eks_container_insights,
        ),
        anomaly_detection=cfg.monitoring.anomaly_detection,
        security_namespace=security_namespace(naming),
    )


def security_namespace(naming: Naming) -> str:
    """Where the metric filters on the trail's log group publish (one namespace per stack)."""
    return f"{naming.project}/{naming.environment}/Security"


@dataclass(frozen=True, eq=False)
class MonitoringLogGroups:
    application: LogGroupRef
    """Application containers (awslogs / Fluent Bit)."""
    system: LogGroupRef
    """Platform agents: the EKS cluster services' container logs (empty on ECS)."""
    security: LogGroupRef
    """CloudTrail events (and anything security tooling writes)."""


class Monitoring(pulumi.ComponentResource):
    log_groups: MonitoringLogGroups
    application_log_group: LogGroupRef
    topics: dict[Tier, TopicRef]
    alarm_names: list[str]
    dashboard_name: pulumi.Output[str]
    dashboard_url: pulumi.Output[str]
    trail_arn: pulumi.Output[str]
    budget_name: pulumi.Output[str]
    cloudtrail_role: RoleRef

    def __init__(self, name: str, args: MonitoringArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:index:Monitoring", name, None, opts)
        self._args = args
        naming = args.naming
        region = naming.region
        ctx = AwsContext.lookup(self, region)
        self._ctx = ctx

        # --- log groups -----------------------------------------------------------------------
        groups = {purpose: self._log_group(purpose, naming.log_group(purpose)) for purpose in LOG_GROUPS}
        self.log_groups = MonitoringLogGroups(**groups)
        self.application_log_group = self.log_groups.application

        # --- topics ---------------------------------------------------------------------------
        made: dict[Tier, tuple[TopicRef, aws.sns.TopicPolicy]] = {tier: self._topic(tier) for tier in TIERS}
        topics: dict[Tier, TopicRef] = {tier: topic for tier, (topic, _) in made.items()}
        self.topics = topics
        topic_policies = {tier: policy for tier, (_, policy) in made.items()}

        # --- alarms and dashboard ---------------------------------------------------------------
        specs = alarms.alarm_specs(args.inventory)
        created = [
            aws.cloudwatch.MetricAlarm(
                spec.key,
                **alarms.metric_alarm_args(spec, naming.alarm(spec.key), self.topics[spec.tier].arn),
                opts=child(self),
            )
            for spec in specs
        ]
        self.alarm_names = [naming.alarm(s.key) for s in specs]
        dashboard = aws.cloudwatch.Dashboard(
            "dashboard",
            dashboard_name=naming.dashboard,
            dashboard_body=self._dashboard_body([a.arn for a in created]),
            opts=child(self),
        )
        self.dashboard_name = dashboard.dashboard_name
        self.dashboard_url = dashboard.dashboard_name.apply(lambda n: dashboard_url(region, n))

        # --- CloudTrail, and the security events filtered from it --------------------------------
        self.trail_arn = self._trail()
        if args.inventory.security_namespace is not None:
            for event in alarms.SECURITY_EVENTS:
                aws.cloudwatch.LogMetricFilter(
                    event.key,
                    name=naming.alarm(event.key),
                    log_group_name=self.log_groups.security.name,
                    pattern=event.pattern,
                    metric_transformation={
                        "name": event.metric_name,
                        "namespace": args.inventory.security_namespace,
                        "value": "1",
                        "unit": "Count",
                    },
                    opts=child(self),
                )

        # --- budget ---------------------------------------------------------------------------
        budget = aws.budgets.Budget(
            "monthly",
            name=naming.budget,
            budget_type="COST",
            limit_amount=f"{args.monthly_budget_usd:.2f}",
            limit_unit="USD",
            time_unit="MONTHLY",
            metrics="UnblendedCost",
            filter_expression={
                "ands": [
                    {"tags": {"key": key, "values": [value], "match_options": ["EQUALS"]}}
                    for key, value in sorted(args.budget_tags.items())
                ]
            },
            notifications=[
                {
                    "comparison_operator": "GREATER_THAN",
                    "threshold": percent,
                    "threshold_type": "PERCENTAGE",
                    "notification_type": "FORECASTED",
                    "subscriber_sns_topic_arns": [self.topics[tier].arn],
                }
                for percent, tier in BUDGET_ALERTS
            ],
            # Budgets checks it may publish when the budget is saved.
            opts=child(self, depends_on=[topic_policies[tier] for _, tier in BUDGET_ALERTS]),
        )
        self.budget_name = budget.name

        self.register_outputs(
            {
                "dashboardUrl": self.dashboard_url,
                "trailArn": self.trail_arn,
                "topicArns": {tier: t.arn for tier, t in self.topics.items()},
                "alarmCount": len(specs),
            }
        )

    # --- pieces ----------------------------------------------------------------------------------

    def _log_group(self, logical: str, group_name: str) -> LogGroupRef:
        args = self._args
        group = aws.cloudwatch.LogGroup(
            logical,
            name=group_name,
            retention_in_days=args.log_retention_days,
            kms_key_id=args.logs_key.arn,
            deletion_protection_enabled=args.protect,
            opts=child(self),
        )
        return LogGroupRef(name=group.name, arn=group.arn)

    def _topic(self, tier: Tier) -> tuple[TopicRef, aws.sns.TopicPolicy]:
        args, ctx, naming = self._args, self._ctx, self._args.naming
        topic = aws.sns.Topic(
            tier,
            name=naming.sns_topic(tier),
            display_name=f"{naming.prefix} {tier}",
            kms_master_key_id=args.logs_key.arn,
            opts=child(self),
        )
        alarms_arn = pulumi.Output.all(ctx.account_id, ctx.partition).apply(
            lambda v: naming.alarm_arn_pattern(str(v[0]), str(v[1]))
        )
        statements = [
            iam.service_publish(topic.arn, "cloudwatch.amazonaws.com", ctx.account_id, alarms_arn, sid="Alarms"),
            iam.deny_insecure_publish(topic.arn),
        ]
        if any(t == tier for _, t in BUDGET_ALERTS):
            budget_arn = pulumi.Output.all(ctx.account_id, ctx.partition).apply(
                lambda v: naming.budget_arn(str(v[0]), str(v[1]))
            )
            statements.insert(
                1, iam.service_publish(topic.arn, "budgets.amazonaws.com", ctx.account_id, budget_arn, sid="Budget")
            )
        policy = aws.sns.TopicPolicy(tier, arn=topic.arn, policy=iam.policy_json(statements), opts=child(self))
        for email in args.alarm_emails.get(tier, ()):
            aws.sns.TopicSubscription(
                f"{tier}-{_slug(email)}",
                topic=topic.arn,
                protocol="email",
                endpoint=email,
                opts=child(self),
            )
        return TopicRef(arn=topic.arn, name=topic.name, kms_key=args.logs_key), policy

    def _dashboard_body(self, alarm_arns: list[pulumi.Output[str]]) -> pulumi.Output[str]:
        """The same table, with every dimension resolved (a dashboard body is plain JSON)."""
        args = self._args
        inventory = args.inventory
        lb = inventory.load_balancer
        dims: list[alarms.Dim] = []
        if lb is not None:
            dims += [lb.arn_suffix, *(tg for _, tg in lb.target_groups)]
        dims += list(inventory.nat_gateways)

        def render(values: list[object]) -> str:
            resolved = [str(v) for v in values]
            arns = resolved[len(dims) :]
            it = iter(resolved[: len(dims)])
            plain_lb = None
            if lb is not None:
                suffix = next(it)
                plain_lb = alarms.LoadBalancerWatch(suffix, tuple((n, next(it)) for n, _ in lb.target_groups))
            plain = replace(inventory, load_balancer=plain_lb, nat_gateways=tuple(it))
            body = alarms.dashboard_body(
                alarms.alarm_specs(plain),
                args.naming.region,
                title=f"{args.naming.prefix}: service health",
                alarm_arns=arns,
            )
            return json.dumps(body)

        return pulumi.Output.all(*dims, *alarm_arns).apply(render)

    def _trail(self) -> pulumi.Output[str]:
        args, ctx, naming = self._args, self._ctx, self._args.naming
        group = self.log_groups.security
        trail_arn = pulumi.Output.all(ctx.account_id, ctx.partition).apply(
            lambda v: naming.trail_arn(str(v[0]), str(v[1]))
        )
        # CloudTrail sends aws:SourceAccount and aws:SourceArn (the trail) when it acts for a trail
        # (CloudTrail User Guide, "Cross-service confused deputy prevention"); the role policy is
        # AWS's documented CloudTrail_CloudWatchLogs_Role policy ("Role policy document for
        # CloudTrail to use CloudWatch Logs for monitoring"). CloudTrail assumes the role when the
        # trail is created or updated, so a trust it cannot satisfy fails `pulumi up` at once
        # (InvalidCloudWatchLogsRoleArnException), never silently.
        trust = pulumi.Output.all(ctx.account_id, trail_arn).apply(
            lambda v: json.dumps(
                iam.document(
                    [iam.service_trust("cloudtrail.amazonaws.com", source_account=str(v[0]), source_arn_like=str(v[1]))]
                )
            )
        )
        role = aws.iam.Role(
            "cloudtrail-to-logs",
            description=f"CloudTrail delivery to {naming.log_group('security')} ({naming.prefix})",
            assume_role_policy=trust,
            opts=child(self),
        )
        write = aws.iam.RolePolicy(
            "cloudtrail-to-logs",
            role=role.name,
            policy=iam.policy_json([iam.cloudtrail_to_log_group(group.arn, ctx.account_id)]),
            opts=child(self),
        )
        self.cloudtrail_role = RoleRef(name=role.name, arn=role.arn)
        ready: list[pulumi.Resource] = [write]
        if args.log_archive_replication is not None:
            # The trail's files are SSE-KMS under the logs key in an SSE-S3 bucket; the archive's
            # replication rule opts in to SSE-KMS objects (BackendState), and S3 reads them with
            # the replication role, which must be able to decrypt them. Granted before the trail
            # exists, so its first files replicate too.
            ready.append(
                replication.grant_source_key(
                    self,
                    "log-archive-replication-logs-key",
                    replication=args.log_archive_replication,
                    source=args.log_archive,
                    key=args.logs_key,
                )
            )
        trail = aws.cloudtrail.Trail(
            "trail",
            name=naming.trail,
            s3_bucket_name=args.log_archive.name,
            s3_key_prefix=log_delivery.CLOUDTRAIL_PREFIX,
            kms_key_id=args.logs_key.arn,
            is_multi_region_trail=True,
            include_global_service_events=True,
            enable_log_file_validation=True,
            enable_logging=True,
            cloud_watch_logs_group_arn=group.arn.apply(lambda a: f"{a}:*"),
            cloud_watch_logs_role_arn=role.arn,
            advanced_event_selectors=trail_selectors(args.state_bucket.arn),
            # CloudTrail checks at creation that the role may write to the group.
            opts=child(self, depends_on=ready),
        )
        return trail.arn


def trail_selectors(state_bucket_arn: pulumi.Input[str]) -> list[aws.cloudtrail.TrailAdvancedEventSelectorArgsDict]:
    """All management events (read and write), and object-level events on the state bucket:
    who read or changed the Pulumi state, which holds every resource's configuration."""
    management: aws.cloudtrail.TrailAdvancedEventSelectorArgsDict = {
        "name": "Management events",
        "field_selectors": [{"field": "eventCategory", "equals": ["Management"]}],
    }
    state: aws.cloudtrail.TrailAdvancedEventSelectorArgsDict = {
        "name": "Pulumi state object access",
        "field_selectors": [
            {"field": "eventCategory", "equals": ["Data"]},
            {"field": "resources.type", "equals": ["AWS::S3::Object"]},
            {"field": "resources.ARN", "starts_withs": [iam.join(state_bucket_arn, "/")]},
        ],
    }
    return [management, state]


def dashboard_url(region: str, name: str) -> str:
    return f"https://console.aws.amazon.com/cloudwatch/home?region={region}#dashboards/dashboard/{name}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
