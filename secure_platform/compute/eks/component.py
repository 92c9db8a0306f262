"""The EKS platform of the Compute component: cluster, node groups with spot, cluster
services and the application's Kubernetes workloads, all parented to the `Compute` component.

`build(compute, args)` turns the plans of `eks_plan`, `k8s.*`, `eks_iam` and
`network_policy_plan` into resources. This module holds the cluster itself (control plane,
managed add-ons, node groups, provider, namespaces, storage class, read-only access); the Helm
releases of the cluster services are in `cluster_services` and the application's workloads in
`application`, both driven by the `_EksBuilder` here. Decisions worth knowing:

* **Cluster** (`pulumi_eks.Cluster`, a remote component): private endpoint, public only to the
  configured CIDRs; secrets envelope-encrypted with the secrets key; all five control-plane log
  types into a log group created *before* the cluster with the logs key and the stack's
  retention (otherwise EKS creates it unencrypted, without retention); `API` authentication with
  access entries; no default node group, no default security groups, no self-managed add-ons
  (`bootstrap_self_managed_addons=False`) and none of pulumi-eks's unpinned ones: the five managed
  add-ons below are ours, pinned in `eks_versions`. Everything a policy must judge is an explicit
  input, because offline the component is one registration without children.
* **Node groups** (`aws.eks.NodeGroup` + our `aws.ec2.LaunchTemplate`): IMDSv2 only, hop limit 1
  (see `eks_plan.IMDS_HOP_LIMIT`), encrypted gp3 root volumes with the data key, no SSH key,
  detailed monitoring; `system` on-demand from config; `spot` with the instance types and AZs a
  `SpotInstanceSelection` reports, tainted for non-critical workloads. Desired sizes belong to the
  cluster autoscaler after creation (`ignore_changes`).
* **Exposure**: the issue asks for an Ingress for the AWS Load Balancer Controller. We deviate:
  an Ingress would make the controller create a *second* ALB outside Pulumi's state (no WAF
  association, TLS policy, access logs or deletion protection from Networking; invisible to the
  policy pack, the cost estimate and the tests). Networking already owns the ALB with all of that
  and `ip` target groups; `TargetGroupBinding`s register the pods in them, and the controller's
  IAM role can do nothing else (no CreateLoadBalancer, no security group changes).
"""

from __future__ import annotations

import dataclasses
import datetime
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pulumi
import pulumi_aws as aws
import pulumi_eks as eks
import pulumi_kubernetes as k8s

from secure_platform.compute.eks import application, cluster_services
from secure_platform.compute.eks import iam as eks_iam
from secure_platform.compute.eks import plan as eks_plan
from secure_platform.compute.eks import versions as eks_versions
from secure_platform.compute.eks.cluster_services import STORAGE_CLASS
from secure_platform.compute.eks.k8s import charts, workloads
from secure_platform.compute.eks.plan import (
    APP_NAMESPACE,
    KUBE_SYSTEM,
    NAMESPACES,
    NodeGroupPlan,
    WorkloadSpec,
)
from secure_platform.core import iam
from secure_platform.core.aws_context import AwsContext
from secure_platform.core.naming import Naming
from secure_platform.core.options import child
from secure_platform.core.refs import OidcProviderRef, RoleRef, grant
from secure_platform.security.component import irsa_role
from secure_platform.spot import SpotInstanceSelection, SpotInstanceSelectionArgs

if TYPE_CHECKING:
    from secure_platform.compute.component import ComputeArgs

REQUIRED_REPOSITORIES = ("frontend", "api-gateway", "backend")


class EksError(pulumi.RunError):
    """Inputs the EKS platform cannot be built from (message names the key and what is allowed)."""


@dataclass(frozen=True, eq=False)
class SpotSelectionOutputs:
    """What the spot group runs on and why (the `SpotInstanceSelection`'s outputs)."""

    instance_types: pulumi.Output[list[str]]
    availability_zones: pulumi.Output[list[str]]
    expected_hourly_usd: pulumi.Output[float]
    savings_percent: pulumi.Output[float | None]
    reason: pulumi.Output[str]
    warnings: pulumi.Output[list[str]]


@dataclass(frozen=True, eq=False)
class EksOutputs:
    cluster_name: pulumi.Output[str]
    cluster_arn: pulumi.Output[str]
    kubeconfig: pulumi.Output[str]
    """Secret: exec-based (`aws eks get-token`), but it names the endpoint and CA."""
    oidc_provider: OidcProviderRef
    cluster_security_group_id: pulumi.Output[str]
    node_group_names: Mapping[str, pulumi.Output[str]]
    spot: SpotSelectionOutputs
    kubernetes_provider: k8s.Provider
    namespaces: Mapping[str, str]
    irsa_roles: Mapping[str, RoleRef]
    service_hosts: Mapping[str, str]
    """In-cluster DNS name of each application Service (`<name>.<namespace>.svc.cluster.local`)."""


def build(compute: pulumi.ComponentResource, args: ComputeArgs) -> EksOutputs:
    """Create the EKS platform, every resource parented to `compute`."""
    return _EksBuilder(compute, args).build()


# --- validation ----------------------------------------------------------------------------------


def _check(args: ComputeArgs) -> None:
    problems: list[str] = []
    if args.config.eks is None:
        problems.append("ComputeArgs.config.eks is None: build Compute from a validated StackConfig (load_config)")
    if args.roles.eks_node is None:
        problems.append("Security created no EKS node role (SecurityArgs.compute_platform must be 'eks')")
    for tg in eks_plan.TARGET_SERVICES:
        if tg not in args.target_groups:
            problems.append(f"Networking has no target group {tg!r} (alb_plan.TARGETS); EKS binds pods to it")
    if not args.public_subnet_cidrs:
        problems.append("ComputeArgs.public_subnet_cidrs is empty: the pods' NetworkPolicies admit the ALB from them")
    if not args.database_subnet_cidrs:
        problems.append("ComputeArgs.database_subnet_cidrs is empty: the backend's egress policy allows RDS there")
    if len(args.private_subnet_ids) != len(args.availability_zones):
        problems.append("ComputeArgs.private_subnet_ids and availability_zones must be parallel (one subnet per AZ)")
    missing_topics = [t for t in charts.ALERT_SEVERITIES if t not in args.alert_topics]
    if missing_topics:
        problems.append(
            f"ComputeArgs.alert_topics lacks {missing_topics}: Alertmanager routes those severities to Monitoring's topics"
        )
    if args.system_log_group is None:
        problems.append("ComputeArgs.system_log_group is missing: Fluent Bit ships the cluster services' logs there")
    if args.in_cluster_cache and args.cache is not None:
        problems.append("in_cluster_cache is set but an ElastiCache endpoint was passed too; choose one")
    if problems:
        raise EksError("Cannot build the EKS platform:\n  - " + "\n  - ".join(problems))


# --- the builder ---------------------------------------------------------------------------------


class _EksBuilder:
    def __init__(self, compute: pulumi.ComponentResource, args: ComputeArgs) -> None:
        _check(args)
        assert args.config.eks is not None and args.roles.eks_node is not None  # checked above
        self.compute = compute
        self.args = args
        self.cfg = args.config.eks
        self.node_role: RoleRef = args.roles.eks_node
        self.naming: Naming = args.naming
        self.region = args.naming.region
        self.project = args.naming.project
        self.cluster_name = args.naming.eks_cluster
        self.ctx = AwsContext.lookup(compute, self.region)
        self.versions = eks_versions.addon_versions(self.cfg.version)
        notice = eks_versions.support_notice(self.cfg.version, datetime.datetime.now(datetime.UTC).date())
        if notice is not None:
            pulumi.log.warn(notice)
        self.irsa: dict[str, RoleRef] = {}

    def opts(self, **kwargs: Any) -> pulumi.ResourceOptions:
        return child(self.compute, **kwargs)

    def k8s_opts(self, depends_on: Sequence[pulumi.Resource] = (), **kwargs: Any) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(
            parent=self.compute, provider=self.k8s_provider, depends_on=list(depends_on) or None, **kwargs
        )

    def managed_policy(self, name: str, role: RoleRef, policy: str) -> aws.iam.RolePolicyAttachment:
        return aws.iam.RolePolicyAttachment(
            name,
            role=role.name,
            policy_arn=self.ctx.partition.apply(lambda p: iam.managed_policy_arn(policy, p)),
            opts=self.opts(),
        )

    def irsa_role(self, key: str, namespace: str, service_account: str) -> RoleRef:
        role = irsa_role(
            f"irsa-{key}",
            oidc=self.oidc,
            namespace=namespace,
            service_account=service_account,
            opts=self.opts(),
            description=f"IRSA: {namespace}/{service_account} of {self.cluster_name}",
        )
        self.irsa[key] = role
        return role

    # -- the whole platform --------------------------------------------------------------------

    def build(self) -> EksOutputs:
        self.control_plane()
        self.addons_before_nodes()
        self.node_groups()
        self.addons_after_nodes()
        self.kubernetes()
        services = cluster_services.install(self)
        self.lbc = services.load_balancer_controller
        self.prometheus = services.prometheus
        application.deploy(self)
        return EksOutputs(
            cluster_name=self.name,
            cluster_arn=self.cluster.eks_cluster.apply(lambda c: c.arn),
            kubeconfig=pulumi.Output.secret(self.cluster.kubeconfig_json),
            oidc_provider=self.oidc,
            cluster_security_group_id=self.cluster.cluster_security_group_id,
            node_group_names={k: ng.node_group_name for k, ng in self.groups.items()},
            spot=SpotSelectionOutputs(
                instance_types=self.selection.instance_types,
                availability_zones=self.selection.availability_zones,
                expected_hourly_usd=self.selection.expected_hourly_usd,
                savings_percent=self.selection.savings_percent,
                reason=self.selection.reason,
                warnings=self.selection.warnings,
            ),
            kubernetes_provider=self.k8s_provider,
            namespaces={ns.name: ns.enforce for ns in NAMESPACES},
            irsa_roles=dict(self.irsa),
            service_hosts={s.name: f"{s.name}.{APP_NAMESPACE}.svc.cluster.local" for s in self.specs},
        )

    # -- control plane -------------------------------------------------------------------------

    def control_plane(self) -> None:
        args, cfg = self.args, self.cfg
        # EKS writes to this AWS-named group; created first, it is ours: encrypted, retained.
        log_group = aws.cloudwatch.LogGroup(
            "eks-control-plane",
            name=f"/aws/eks/{self.cluster_name}/cluster",
            retention_in_days=args.log_retention_days,
            kms_key_id=args.keys.logs.arn,
            deletion_protection_enabled=args.protect,
            opts=self.opts(),
        )
        role = aws.iam.Role(
            "eks-cluster",
            description=f"EKS control plane of {self.cluster_name}",
            assume_role_policy=json.dumps(iam.document([iam.service_trust("eks.amazonaws.com")])),
            opts=self.opts(),
        )
        role_ref = RoleRef(name=role.name, arn=role.arn)
        cluster_policy = self.managed_policy("eks-cluster", role_ref, eks_iam.CLUSTER_MANAGED_POLICY)
        secrets_key = args.keys.secrets.grant(
            self.compute,
            "eks-cluster-secrets-key",
            role_ref,
            eks_iam.CLUSTER_SECRETS_KMS,
            via_services=("eks",),
        )
        public_cidrs = list(cfg.endpoint_public_access_cidrs)
        self.cluster = eks.Cluster(
            "eks",
            name=self.cluster_name,
            version=cfg.version,
            vpc_id=args.vpc_id,
            private_subnet_ids=list(args.private_subnet_ids),
            endpoint_private_access=True,
            endpoint_public_access=bool(public_cidrs),
            public_access_cidrs=public_cidrs or None,
            encryption_config_key_arn=args.keys.secrets.arn,
            enabled_cluster_log_types=list(eks_plan.CONTROL_PLANE_LOG_TYPES),
            create_oidc_provider=True,
            authentication_mode=eks.AuthenticationMode.API,
            service_role=role,
            skip_default_node_group=True,
            skip_default_security_groups=True,
            node_associate_public_ip_address=False,
            bootstrap_self_managed_addons=False,
            use_default_vpc_cni=True,
            coredns_addon_options=eks.CoreDnsAddonOptionsArgs(enabled=False),
            kube_proxy_addon_options=eks.KubeProxyAddonOptionsArgs(enabled=False),
            deletion_protection=args.protect,
            upgrade_policy=aws.eks.ClusterUpgradePolicyArgs(support_type=eks_versions.UPGRADE_SUPPORT_TYPE),
            opts=self.opts(depends_on=[log_group, cluster_policy, secrets_key]),
        )
        # The AWS cluster the component created (a resource reference): a data dependency for
        # everything that names the cluster, so nothing starts before it exists.
        self.name: pulumi.Output[str] = self.cluster.eks_cluster.apply(lambda c: c.name)
        self.oidc = OidcProviderRef(arn=self.cluster.oidc_provider_arn, issuer=self.cluster.oidc_provider_url)
        admin_policy = self.ctx.partition.apply(
            lambda p: eks_plan.access_policy_arn(eks_plan.CLUSTER_ADMIN_ACCESS_POLICY, p)
        )
        for arn in cfg.admin_role_arns:
            self.access_entry("admin", arn, admin_policy)
        # The private endpoint answers inside the VPC only to what its cluster security group admits:
        # the nodes, and the listed clients (CI runners, bastions), on HTTPS.
        for group in args.runner_security_group_ids:
            aws.vpc.SecurityGroupIngressRule(
                f"eks-api-from-{group}",
                security_group_id=self.cluster.cluster_security_group_id,
                referenced_security_group_id=group,
                ip_protocol="tcp",
                from_port=443,
                to_port=443,
                description="Kubernetes API from a deploy runner or an allowed client in the VPC",
                opts=self.opts(),
            )

    def access_entry(
        self, kind: str, principal_arn: str, policy_arn: pulumi.Input[str], groups: Sequence[str] = ()
    ) -> None:
        """An IAM role's access entry (in `groups`, for RBAC) with one EKS access policy, cluster-wide."""
        label = f"{kind}-{principal_arn.rsplit('/', 1)[-1]}"
        entry = aws.eks.AccessEntry(
            label,
            cluster_name=self.name,
            principal_arn=principal_arn,
            type="STANDARD",
            kubernetes_groups=list(groups) or None,
            opts=self.opts(),
        )
        aws.eks.AccessPolicyAssociation(
            label,
            cluster_name=self.name,
            principal_arn=entry.principal_arn,
            policy_arn=policy_arn,
            access_scope={"type": "cluster"},
            opts=self.opts(),
        )

    # -- managed add-ons -----------------------------------------------------------------------

    def addon(
        self,
        name: str,
        *,
        role: RoleRef | None = None,
        configuration: Mapping[str, Any] | None = None,
        depends_on: Sequence[pulumi.Resource] = (),
    ) -> aws.eks.Addon:
        return aws.eks.Addon(
            name,
            cluster_name=self.name,
            addon_name=name,
            addon_version=self.versions[name],
            service_account_role_arn=role.arn if role is not None else None,
            configuration_values=json.dumps(configuration) if configuration else None,
            resolve_conflicts_on_create="OVERWRITE",
            resolve_conflicts_on_update="OVERWRITE",
            opts=self.opts(depends_on=list(depends_on) or None),
        )

    def addons_before_nodes(self) -> None:
        """Pod networking must exist before nodes join (they stay NotReady without a CNI)."""
        cni_role = self.irsa_role("vpc-cni", KUBE_SYSTEM, "aws-node")
        cni_policy = self.managed_policy("irsa-vpc-cni", cni_role, eks_iam.CNI_MANAGED_POLICY)
        # The VPC CNI's network policy agent enforces the application's NetworkPolicies.
        self.vpc_cni = self.addon(
            "vpc-cni", role=cni_role, configuration={"enableNetworkPolicy": "true"}, depends_on=[cni_policy]
        )
        self.kube_proxy = self.addon("kube-proxy")

    def addons_after_nodes(self) -> None:
        """CoreDNS and the EBS CSI controller are Deployments: ACTIVE only once nodes run them."""
        ebs_role = self.irsa_role("ebs-csi", KUBE_SYSTEM, "ebs-csi-controller-sa")
        ebs_policy = self.managed_policy("irsa-ebs-csi", ebs_role, eks_iam.EBS_CSI_MANAGED_POLICY)
        ebs_key = grant(
            self.compute, "irsa-ebs-csi-data-key", ebs_role, eks_iam.ebs_csi_key(self.args.keys.data.arn, self.region)
        )
        nodes = [self.groups["system"]]
        self.coredns = self.addon("coredns", depends_on=nodes)
        self.ebs_csi = self.addon("aws-ebs-csi-driver", role=ebs_role, depends_on=[*nodes, ebs_policy, ebs_key])
        self.container_insights(nodes)

    def container_insights(self, nodes: Sequence[pulumi.Resource]) -> None:
        """Node CPU and memory metrics for Monitoring's alarms (`eks_plan` says why an add-on)."""
        # Created first, the agent's AWS-named group is ours: encrypted with the logs key, retained
        # for the stack's period (the agent would create it unencrypted, never expiring).
        performance = aws.cloudwatch.LogGroup(
            "eks-container-insights",
            name=eks_plan.container_insights_log_group(self.cluster_name),
            retention_in_days=self.args.log_retention_days,
            kms_key_id=self.args.keys.logs.arn,
            deletion_protection_enabled=self.args.protect,
            opts=self.opts(),
        )
        role = self.irsa_role(
            "cloudwatch-agent", eks_plan.CONTAINER_INSIGHTS_NAMESPACE, eks_plan.CONTAINER_INSIGHTS_SERVICE_ACCOUNT
        )
        policy = self.managed_policy("irsa-cloudwatch-agent", role, eks_iam.CLOUDWATCH_AGENT_MANAGED_POLICY)
        self.cloudwatch_observability = self.addon(
            eks_plan.CONTAINER_INSIGHTS_ADDON,
            role=role,
            configuration=eks_plan.CONTAINER_INSIGHTS_CONFIGURATION,
            depends_on=[*nodes, performance, policy],
        )

    # -- node groups ---------------------------------------------------------------------------

    def node_groups(self) -> None:
        args = self.args
        system, spot = eks_plan.node_group_plans(self.cfg)
        spot_args = dataclasses.replace(
            SpotInstanceSelectionArgs.from_config(
                self.cfg.spot_nodes, region=self.region, allowed_availability_zones=list(args.availability_zones)
            ),
            allowed_families=eks_plan.SPOT_INSTANCE_FAMILIES,
        )
        self.selection = SpotInstanceSelection("spot-nodes", spot_args, opts=self.opts())
        zones = pulumi.Output.all(*args.availability_zones)
        subnets = pulumi.Output.all(*args.private_subnet_ids)
        spot_subnets = pulumi.Output.all(zones, subnets, self.selection.availability_zones).apply(
            lambda v: _subnets_in_zones(v[0], v[1], v[2])
        )
        self.groups: dict[str, aws.eks.NodeGroup] = {
            "system": self.node_group(system, list(args.private_subnet_ids), system.instance_types),
            "spot": self.node_group(spot, spot_subnets, self.selection.instance_types),
        }

    def node_group(self, plan: NodeGroupPlan, subnets: Any, instance_types: Any) -> aws.eks.NodeGroup:
        template = aws.ec2.LaunchTemplate(
            f"eks-{plan.key}",
            **eks_plan.launch_template_args(
                plan,
                naming=self.naming,
                cluster_name=self.cluster_name,
                kms_key_arn=self.args.keys.data.arn,
                security_group_ids=[self.cluster.cluster_security_group_id, self.args.app_security_group_id],
                tags=self.args.resource_tags,
            ),
            opts=self.opts(),
        )
        return aws.eks.NodeGroup(
            f"eks-{plan.key}",
            cluster_name=self.name,
            node_group_name_prefix=plan.name_prefix(self.naming),
            node_role_arn=self.node_role.arn,
            subnet_ids=subnets,
            capacity_type=plan.capacity_type,
            instance_types=list(instance_types) if isinstance(instance_types, tuple) else instance_types,
            ami_type=plan.ami_type,
            scaling_config={"min_size": plan.min_size, "max_size": plan.max_size, "desired_size": plan.desired_size},
            update_config={"max_unavailable_percentage": 33},
            launch_template={"id": template.id, "version": template.latest_version.apply(str)},
            labels=dict(plan.labels),
            taints=[{"key": t.key, "value": t.value, "effect": t.eks_effect} for t in plan.taints],
            tags=plan.tags(self.cluster_name),
            opts=self.opts(
                depends_on=[self.vpc_cni, self.kube_proxy],
                ignore_changes=["scalingConfig.desiredSize"],
            ),
        )

    # -- Kubernetes ----------------------------------------------------------------------------

    def kubernetes(self) -> None:
        self.k8s_provider = k8s.Provider(
            "eks", kubeconfig=self.cluster.kubeconfig_json, enable_server_side_apply=True, opts=self.opts()
        )
        self.namespaces = {
            ns.name: k8s.core.v1.Namespace(
                f"ns-{ns.name}", metadata=workloads.namespace(ns, self.project)["metadata"], opts=self.k8s_opts()
            )
            for ns in NAMESPACES
        }
        sc = workloads.encrypted_storage_class(
            STORAGE_CLASS, kms_key_arn=self.args.keys.data.arn, retain=self.args.protect
        )
        self.storage_class = k8s.storage.v1.StorageClass(
            STORAGE_CLASS,
            metadata=sc["metadata"],
            provisioner=sc["provisioner"],
            parameters=sc["parameters"],
            reclaim_policy=sc["reclaimPolicy"],
            volume_binding_mode=sc["volumeBindingMode"],
            allow_volume_expansion=sc["allowVolumeExpansion"],
            opts=self.k8s_opts(),
        )
        # Pods need nodes, cluster DNS and the CNI; releases and workloads wait for them.
        self.ready = [self.groups["system"], self.coredns]
        self.read_only_access()

    def read_only_access(self) -> None:
        """Access entries for `compute.eks.readOnlyRoleArns` (what `pulumi preview --refresh` in CI
        reads: `eks_plan`'s read-only rules); none when the list is empty."""
        arns = self.cfg.read_only_role_arns
        if not arns:
            return
        rbac = k8s.rbac.v1
        group = [rbac.SubjectArgs(api_group="rbac.authorization.k8s.io", kind="Group", name=eks_plan.READ_ONLY_GROUP)]

        def rules(plan: list[dict[str, list[str]]]) -> list[k8s.rbac.v1.PolicyRuleArgs]:
            return [
                rbac.PolicyRuleArgs(api_groups=r["apiGroups"], resources=r["resources"], verbs=r["verbs"]) for r in plan
            ]

        def ref(kind: str, name: str) -> k8s.rbac.v1.RoleRefArgs:
            return rbac.RoleRefArgs(api_group="rbac.authorization.k8s.io", kind=kind, name=name)

        name = "platform-read-only"
        role = rbac.ClusterRole(
            name, metadata={"name": name}, rules=rules(eks_plan.read_only_cluster_rules()), opts=self.k8s_opts()
        )
        rbac.ClusterRoleBinding(
            name, metadata={"name": name}, role_ref=ref("ClusterRole", name), subjects=group, opts=self.k8s_opts([role])
        )
        for ns in eks_plan.SECRET_READ_NAMESPACES:
            meta = k8s.meta.v1.ObjectMetaArgs(name=f"{name}-secrets", namespace=ns)
            secrets = rbac.Role(
                f"{name}-secrets-{ns}",
                metadata=meta,
                rules=rules(eks_plan.read_only_secret_rules()),
                opts=self.k8s_opts([self.namespaces[ns]] if ns in self.namespaces else []),
            )
            rbac.RoleBinding(
                f"{name}-secrets-{ns}",
                metadata=meta,
                role_ref=ref("Role", f"{name}-secrets"),
                subjects=group,
                opts=self.k8s_opts([secrets]),
            )
        view = self.ctx.partition.apply(lambda p: eks_plan.access_policy_arn(eks_plan.CLUSTER_VIEW_ACCESS_POLICY, p))
        for arn in arns:
            self.access_entry("read-only", arn, view, [eks_plan.READ_ONLY_GROUP])

    # -- what runs on it: `cluster_services` and `application` ---------------------------------

    @property
    def specs(self) -> tuple[WorkloadSpec, ...]:
        return eks_plan.workload_specs()


def _subnets_in_zones(zones: Sequence[str], subnets: Sequence[str], chosen: Sequence[str]) -> list[str]:
    """The private subnets of the AZs the spot selection recommends (one subnet per AZ)."""
    picked = [s for z, s in zip(zones, subnets, strict=True) if z in set(chosen)]
    if not picked:
        raise EksError(
            f"the spot selection recommends AZs {list(chosen)}, none of which has a private subnet ({list(zones)})"
        )
    return picked
