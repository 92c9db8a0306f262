"""Security: KMS keys per purpose, IAM roles with their trust, the WAF web ACL and Session Manager.

It needs no network, so it is the first component of tier 1. Roles are created here because their
*trust* belongs here; their *permissions* are granted by whichever component owns the resource
(`refs.*.grant_*`), except for what Security itself owns (session logs). Keys name only AWS
services and the roles that call KMS directly; every other use goes through IAM policies and
`kms:ViaService` (see `key_policies`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import pulumi
import pulumi_aws as aws

from secure_platform.config import StackConfig
from secure_platform.core import iam, key_policies, log_delivery
from secure_platform.core.aws_context import AwsContext
from secure_platform.core.naming import Naming
from secure_platform.core.options import child
from secure_platform.core.refs import KeyRef, LogGroupRef, OidcProviderRef, RoleRef, grant
from secure_platform.security import waf_plan

# AWS-managed policies the EKS node role may carry. The VPC CNI's policy is deliberately absent:
# it goes to the vpc-cni add-on's own IRSA role, so pods cannot use node credentials to edit ENIs.
EKS_NODE_MANAGED_POLICIES: tuple[str, ...] = (
    "AmazonEKSWorkerNodePolicy",
    "AmazonEC2ContainerRegistryPullOnly",
    "AmazonSSMManagedInstanceCore",
)
RDS_MONITORING_MANAGED_POLICY = "service-role/AmazonRDSEnhancedMonitoringRole"
SESSION_IDLE_TIMEOUT_MINUTES = 20
SESSION_MAX_DURATION_MINUTES = 60


@dataclass(frozen=True)
class SecurityArgs:
    naming: Naming
    protect: bool
    kms_deletion_window_days: int
    waf_rate_limit: int
    log_retention_days: int
    compute_platform: Literal["ecs", "eks"]
    rds_enhanced_monitoring: bool
    """Create the RDS enhanced-monitoring role (monitoring interval > 0)."""

    @classmethod
    def from_config(cls, cfg: StackConfig) -> SecurityArgs:
        return cls(
            naming=cfg.naming,
            protect=cfg.protect,
            kms_deletion_window_days=cfg.security.kms_deletion_window_days,
            waf_rate_limit=cfg.security.waf_rate_limit,
            log_retention_days=cfg.monitoring.log_retention_days,
            compute_platform=cfg.compute.platform,
            rds_enhanced_monitoring=cfg.database.monitoring_interval_seconds > 0,
        )


@dataclass(frozen=True, eq=False)
class SecurityKeys:
    data: KeyRef
    """RDS, ElastiCache, EBS, S3 data buckets, AWS Backup, ECR."""
    logs: KeyRef
    """CloudWatch Logs, CloudTrail, SNS alarm topics, Session Manager / ECS Exec sessions."""
    secrets: KeyRef
    """Secrets Manager (incl. the RDS-managed master password), SSM SecureString, EKS secrets."""


@dataclass(frozen=True, eq=False)
class SecurityRoles:
    flow_logs: RoleRef
    ecs_task_execution: RoleRef | None
    """ECS agent: pulls images, writes container logs, reads secrets (granted by their owners)."""
    ecs_task: RoleRef | None
    """The application; also the ECS Exec session target."""
    eks_node: RoleRef | None
    rds_monitoring: RoleRef | None


def irsa_role(
    name: str,
    *,
    oidc: OidcProviderRef,
    namespace: str,
    service_account: str,
    opts: pulumi.ResourceOptions,
    description: str | None = None,
) -> RoleRef:
    """A role only `system:serviceaccount:<namespace>:<service_account>` of one cluster can assume.

    Called by the component that owns the cluster, with `opts` parenting the role to it.
    """
    iam.service_account_subject(namespace, service_account)  # fail now, not inside an apply
    trust = pulumi.Output.all(oidc.arn, oidc.issuer).apply(
        lambda v: json.dumps(iam.document([iam.irsa_trust(str(v[0]), str(v[1]), namespace, service_account)]))
    )
    role = aws.iam.Role(
        name,
        assume_role_policy=trust,
        description=description or f"IRSA role of {namespace}/{service_account}",
        opts=opts,
    )
    return RoleRef(name=role.name, arn=role.arn)


class Security(pulumi.ComponentResource):
    keys: SecurityKeys
    roles: SecurityRoles
    web_acl_arn: pulumi.Output[str]
    waf_log_group: LogGroupRef
    session_log_group: LogGroupRef
    session_document_name: pulumi.Output[str]

    def __init__(self, name: str, args: SecurityArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:index:Security", name, None, opts)
        self._args = args
        naming = args.naming
        region = naming.region
        ctx = AwsContext.lookup(self, region)
        self._ctx = ctx

        # --- roles (before the keys that name some of them) --------------------------------------
        flow_logs = self._service_role(
            "flow-logs",
            "vpc-flow-logs.amazonaws.com",
            "VPC flow logs delivery to CloudWatch Logs",
            source_arn=lambda p, a: f"arn:{p}:ec2:{region}:{a}:vpc-flow-log/*",
        )
        ecs_execution = ecs_task = eks_node = rds_monitoring = None
        if args.compute_platform == "ecs":
            ecs_execution = self._service_role("ecs-task-execution", "ecs-tasks.amazonaws.com", "ECS task execution")
            ecs_task = self._service_role(
                "ecs-task",
                "ecs-tasks.amazonaws.com",
                "ECS application tasks",
                source_arn=lambda p, a: f"arn:{p}:ecs:{region}:{a}:*",
            )
        else:
            eks_node = self._service_role(
                "eks-node", "ec2.amazonaws.com", "EKS managed node groups", source_account=False
            )
            for policy in EKS_NODE_MANAGED_POLICIES:
                self._attach_managed(f"eks-node-{policy}", eks_node, policy)
        if args.rds_enhanced_monitoring:
            rds_monitoring = self._service_role(
                "rds-monitoring", "monitoring.rds.amazonaws.com", "RDS enhanced monitoring"
            )
            self._attach_managed("rds-monitoring", rds_monitoring, RDS_MONITORING_MANAGED_POLICY)
        self.roles = SecurityRoles(
            flow_logs=flow_logs,
            ecs_task_execution=ecs_execution,
            ecs_task=ecs_task,
            eks_node=eks_node,
            rds_monitoring=rds_monitoring,
        )
        session_targets = {k: r for k, r in (("ecs-task", ecs_task), ("eks-node", eks_node)) if r is not None}

        # --- keys -------------------------------------------------------------------------------
        self.keys = SecurityKeys(
            data=self._key("data", autoscaling_volumes=args.compute_platform == "eks"),
            logs=self._key("logs", direct_users=[r.arn for r in session_targets.values()]),
            secrets=self._key("secrets"),
        )

        # --- WAF --------------------------------------------------------------------------------
        self.waf_log_group = self._log_group("waf", naming.waf_log_group)
        delivery_policy = pulumi.Output.all(ctx.account_id, ctx.partition, self.waf_log_group.arn).apply(
            lambda v: json.dumps(
                iam.document([log_delivery.vended_logs_to_log_group(str(v[2]), str(v[0]), str(v[1]), region)])
            )
        )
        resource_policy = aws.cloudwatch.LogResourcePolicy(
            "waf-log-delivery",
            policy_name=f"{naming.prefix}-waf-log-delivery",
            policy_document=delivery_policy,
            opts=child(self),
        )
        metric_prefix = naming.prefix
        acl = aws.wafv2.WebAcl(
            "web-acl",
            name=f"{naming.prefix}-web-acl",
            description=f"Regional web ACL of {naming.prefix}: rate limit and AWS managed rules",
            scope="REGIONAL",
            default_action={"allow": {}},
            rules=waf_plan.web_acl_rules(args.waf_rate_limit, metric_prefix),  # type: ignore[arg-type]
            visibility_config={
                "cloudwatch_metrics_enabled": True,
                "metric_name": f"{metric_prefix}-web-acl",
                "sampled_requests_enabled": True,
            },
            opts=child(self),
        )
        aws.wafv2.WebAclLoggingConfiguration(
            "web-acl",
            resource_arn=acl.arn,
            log_destination_configs=[self.waf_log_group.arn],
            redacted_fields=[{"single_header": {"name": h}} for h in waf_plan.REDACTED_HEADERS],
            # Blocked and counted requests only: allowed traffic is in the ALB access logs already.
            logging_filter={
                "default_behavior": "DROP",
                "filters": [
                    {
                        "behavior": "KEEP",
                        "requirement": "MEETS_ANY",
                        "conditions": [
                            {"action_condition": {"action": "BLOCK"}},
                            {"action_condition": {"action": "COUNT"}},
                        ],
                    }
                ],
            },
            opts=child(self, depends_on=[resource_policy]),
        )
        self.web_acl_arn = acl.arn

        # --- Session Manager instead of a bastion -----------------------------------------------
        self.session_log_group = self._log_group("ssm-sessions", naming.log_group("ssm-sessions"))
        content = pulumi.Output.all(self.session_log_group.name, self.keys.logs.arn).apply(
            lambda v: json.dumps(session_preferences(str(v[0]), str(v[1])))
        )
        document = aws.ssm.Document(
            "session-preferences",
            name=naming.session_document,
            document_type="Session",
            document_format="JSON",
            content=content,
            opts=child(self),
        )
        self.session_document_name = document.name
        for label, role in session_targets.items():
            self._grant_session_target(label, role)

        self.register_outputs(
            {
                "dataKeyArn": self.keys.data.arn,
                "logsKeyArn": self.keys.logs.arn,
                "secretsKeyArn": self.keys.secrets.arn,
                "webAclArn": self.web_acl_arn,
                "sessionDocument": self.session_document_name,
            }
        )

    # --- helpers ---------------------------------------------------------------------------------

    def _service_role(
        self,
        name: str,
        service: str,
        description: str,
        *,
        source_account: bool = True,
        source_arn: Callable[[str, str], str] | None = None,
    ) -> RoleRef:
        ctx = self._ctx

        def trust(values: list[object]) -> str:
            partition, account = str(values[0]), str(values[1])
            arn_like = source_arn(partition, account) if source_arn is not None else None
            stmt = iam.service_trust(
                service, source_account=account if source_account else None, source_arn_like=arn_like
            )
            return json.dumps(iam.document([stmt]))

        role = aws.iam.Role(
            name,
            description=f"{description} ({self._args.naming.prefix})",
            assume_role_policy=pulumi.Output.all(ctx.partition, ctx.account_id).apply(trust),
            opts=child(self),
        )
        return RoleRef(name=role.name, arn=role.arn)

    def _attach_managed(self, name: str, role: RoleRef, policy: str) -> None:
        aws.iam.RolePolicyAttachment(
            name,
            role=role.name,
            policy_arn=self._ctx.partition.apply(lambda p: iam.managed_policy_arn(policy, p)),
            opts=child(self),
        )

    def _key(
        self,
        purpose: str,
        *,
        direct_users: list[pulumi.Output[str]] | None = None,
        autoscaling_volumes: bool = False,
    ) -> KeyRef:
        args, ctx = self._args, self._ctx
        users = direct_users or []

        def policy(values: list[object]) -> pulumi.Output[str]:
            kctx = key_policies.KeyPolicyContext(str(values[0]), str(values[1]), args.naming)
            doc = key_policies.purpose_key_policy(
                purpose, kctx, direct_users=[str(u) for u in values[2:]], autoscaling_volumes=autoscaling_volumes
            )
            return iam.policy_json(doc)

        key = aws.kms.Key(
            purpose,
            description=f"{purpose} key of {args.naming.prefix}",
            enable_key_rotation=True,
            rotation_period_in_days=365,
            deletion_window_in_days=args.kms_deletion_window_days,
            policy=pulumi.Output.all(ctx.account_id, ctx.partition, *users).apply(policy),
            opts=child(self, stateful=args.protect),
        )
        alias = args.naming.kms_alias(purpose)
        aws.kms.Alias(purpose, name=alias, target_key_id=key.key_id, opts=child(self))
        return KeyRef(arn=key.arn, key_id=key.key_id, alias=alias, region=args.naming.region)

    def _log_group(self, name: str, group_name: str) -> LogGroupRef:
        args = self._args
        group = aws.cloudwatch.LogGroup(
            name,
            name=group_name,
            retention_in_days=args.log_retention_days,
            kms_key_id=self.keys.logs.arn,
            deletion_protection_enabled=args.protect,
            opts=child(self),
        )
        return LogGroupRef(name=group.name, arn=group.arn)

    def _grant_session_target(self, label: str, role: RoleRef) -> None:
        """What a Session Manager / ECS Exec target needs: the data channels, write its session log
        (and see that the group is encrypted). Decrypting session data is in the logs key policy."""
        ctx, region = self._ctx, self._args.naming.region
        describe = pulumi.Output.all(ctx.partition, ctx.account_id).apply(
            lambda v: f"arn:{v[0]}:logs:{region}:{v[1]}:log-group:*"
        )
        grant(
            self,
            f"{label}-session-target",
            role,
            [
                iam.ssm_messages(),
                iam.logs_write(self.session_log_group.arn, sid="WriteSessionLog"),
                iam.allow(["logs:DescribeLogGroups"], describe, sid="CheckSessionLogEncryption"),
            ],
        )

    def irsa_role(
        self,
        scope: pulumi.Resource,
        name: str,
        *,
        oidc: OidcProviderRef,
        namespace: str,
        service_account: str,
        description: str | None = None,
    ) -> RoleRef:
        """`irsa_role` parented to `scope`, the component that owns the cluster."""
        return irsa_role(
            name,
            oidc=oidc,
            namespace=namespace,
            service_account=service_account,
            opts=pulumi.ResourceOptions(parent=scope),
            description=description,
        )


def session_preferences(log_group: str, key_arn: str) -> dict[str, object]:
    """The Session Manager preferences document: sessions encrypted with the logs key, every
    session streamed to an encrypted log group, no S3 copy, no run-as, bounded durations."""
    return {
        "schemaVersion": "1.0",
        "description": "Session Manager preferences: KMS-encrypted, logged sessions",
        "sessionType": "Standard_Stream",
        "inputs": {
            "s3BucketName": "",
            "s3KeyPrefix": "",
            "s3EncryptionEnabled": True,
            "cloudWatchLogGroupName": log_group,
            "cloudWatchEncryptionEnabled": True,
            "cloudWatchStreamingEnabled": True,
            "kmsKeyId": key_arn,
            "runAsEnabled": False,
            "runAsDefaultUser": "",
            "idleSessionTimeout": str(SESSION_IDLE_TIMEOUT_MINUTES),
            "maxSessionDuration": str(SESSION_MAX_DURATION_MINUTES),
            "shellProfile": {"windows": "", "linux": ""},
        },
    }
