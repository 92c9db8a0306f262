"""Account prerequisites no preview can see: configuration, placeholders, DNS, service-linked
roles, cost-allocation tags and alarm subscriptions."""

from __future__ import annotations

from collections.abc import Callable

from secure_platform.preflight.model import CheckAbortedError, Context, Result, Status, call

# Names reserved for documentation (RFC 2606 and RFC 6761): never a real deployment's domain.
EXAMPLE_DOMAINS = ("example.com", "example.net", "example.org")
RESERVED_TLDS = ("example", "test", "invalid", "localhost")
# Account ids and security group ids AWS documentation uses in examples.
DOC_ACCOUNTS = ("123456789012", "111122223333", "444455556666", "777788889999")
DOC_SECURITY_GROUPS = ("sg-0123456789abcdef0", "sg-1234567890abcdef0", "sg-12345678", "sg-1a2b3c4d", "sg-903004f8")


def config(ctx: Context) -> list[Result]:
    problems = ctx.facts.config_problems
    if not problems:
        return [Result("config", Status.PASS, f"Pulumi.{ctx.facts.stack}.yaml is valid")]
    return [
        Result("config", Status.FAIL, problem, f"fix the key in Pulumi.{ctx.facts.stack}.yaml (see the message)")
        for problem in problems
    ]


def placeholder_domain(name: str) -> bool:
    name = name.lower().rstrip(".")
    if any(name == d or name.endswith(f".{d}") for d in EXAMPLE_DOMAINS):
        return True
    return name.rsplit(".", 1)[-1] in RESERVED_TLDS


def placeholder_id(value: str) -> bool:
    return "EXAMPLE" in value.upper() or any(a in value for a in DOC_ACCOUNTS)


def placeholders(ctx: Context) -> list[Result]:
    f = ctx.facts
    out: list[Result] = []
    if f.domain_name and placeholder_domain(f.domain_name):
        out.append(
            Result(
                "placeholders",
                Status.FAIL,
                f"platform:domain.name {f.domain_name} is a documentation domain",
                "set platform:domain.name to the DNS name the load balancer serves",
            )
        )
    for key, value in (("hostedZoneId", f.hosted_zone_id), ("certificateArn", f.certificate_arn)):
        if value and placeholder_id(value):
            out.append(
                Result(
                    "placeholders",
                    Status.FAIL,
                    f"platform:domain.{key} {value} is an example value",
                    f"set platform:domain.{key} to yours (aws route53 list-hosted-zones-by-name --dns-name <domain>)",
                )
            )
    for tier, emails in f.alarm_emails.items():
        bad = [e for e in emails if placeholder_domain(e.rsplit("@", 1)[-1])]
        if bad:
            out.append(
                Result(
                    "placeholders",
                    Status.FAIL,
                    f"platform:monitoring.alarmEmails.{tier} {', '.join(bad)} at a documentation domain",
                    f"set platform:monitoring.alarmEmails.{tier} to addresses someone reads",
                )
            )
    for key, arns in f.role_arns.items():
        bad = [a for a in arns if placeholder_id(a)]
        if bad:
            out.append(
                Result(
                    "placeholders", Status.FAIL, f"{key} {', '.join(bad)} are example ARNs", f"set {key} to your roles"
                )
            )
    bad_groups = [g for g in f.runner_security_group_ids if g in DOC_SECURITY_GROUPS]
    if bad_groups:
        out.append(
            Result(
                "placeholders",
                Status.FAIL,
                f"{f.runner_key} {', '.join(bad_groups)} are example security group ids",
                f"set {f.runner_key} to the runner's security group",
            )
        )
    return out or [Result("placeholders", Status.PASS, "no example domains, ids or addresses")]


# --- DNS ----------------------------------------------------------------------------------------


def public_name_servers(name: str) -> list[str]:
    """The NS records public DNS answers for `name` (the delegation in effect), lower-case."""
    import dns.exception
    import dns.resolver

    try:
        answer = dns.resolver.resolve(name, "NS", lifetime=10)
    except dns.resolver.NXDOMAIN:
        raise LookupError(f"{name} does not exist in public DNS") from None
    except (dns.resolver.NoAnswer, dns.resolver.NoNameservers):
        raise LookupError(f"{name} has no NS records in public DNS") from None
    except dns.exception.DNSException as exc:
        raise LookupError(f"NS lookup of {name} failed: {type(exc).__name__}") from None
    return sorted(str(r.target).rstrip(".").lower() for r in answer)  # type: ignore[attr-defined]


def hosted_zone(ctx: Context) -> list[Result]:
    f = ctx.facts
    check = "hosted-zone"
    if not f.hosted_zone_id:
        if f.certificate_arn:
            return [Result(check, Status.SKIP, "no hosted zone: the stack uses platform:domain.certificateArn")]
        return [Result(check, Status.FAIL, "platform:domain.hostedZoneId is not set", "set the public zone's id")]
    zone_id = f.hosted_zone_id.rsplit("/", 1)[-1]
    response, code = call(ctx, check, "route53", "get_hosted_zone", ("NoSuchHostedZone", "InvalidInput"), Id=zone_id)
    domain = (f.domain_name or "").lower().rstrip(".")
    if code:
        return [
            Result(
                check,
                Status.FAIL,
                f"hosted zone {zone_id} does not exist in account {ctx.account}",
                f"create a public zone for {domain or 'the domain'} (aws route53 create-hosted-zone --name <zone> "
                "--caller-reference <unique>) and set platform:domain.hostedZoneId to its id",
            )
        ]
    zone = response["HostedZone"]
    name = str(zone["Name"]).lower().rstrip(".")
    if zone.get("Config", {}).get("PrivateZone"):
        return [
            Result(
                check,
                Status.FAIL,
                f"hosted zone {zone_id} ({name}) is private: ACM cannot validate through it",
                "use a public hosted zone for the domain",
            )
        ]
    if domain and not (domain == name or domain.endswith(f".{name}")):
        return [
            Result(
                check,
                Status.FAIL,
                f"hosted zone {zone_id} is {name}, which does not contain {domain}",
                f"set platform:domain.hostedZoneId to the zone of {domain} or a parent of it",
            )
        ]
    ours = sorted(n.lower().rstrip(".") for n in response.get("DelegationSet", {}).get("NameServers", []))
    resolve = ctx.resolve_ns or public_name_servers
    try:
        public = sorted(n.lower().rstrip(".") for n in resolve(name))
    except LookupError as exc:
        return [
            Result(
                check,
                Status.FAIL,
                f"{exc}: zone {zone_id} is not authoritative for {name}",
                f"delegate {name} to {', '.join(ours)} (NS records at the registrar or in the parent zone)",
            )
        ]
    if public != ours:
        return [
            Result(
                check,
                Status.FAIL,
                f"{name} is delegated to {', '.join(public)}, not to zone {zone_id} ({', '.join(ours)})",
                f"set the NS records of {name} at the registrar or parent zone to {', '.join(ours)}",
            )
        ]
    return [Result(check, Status.PASS, f"public zone {zone_id} ({name}) is authoritative for {domain or name}")]


# --- service-linked roles -------------------------------------------------------------------------

# Service -> role name, from "AWS services that work with IAM" and each service's page on its
# service-linked role (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_aws-services-that-work-with-iam.html).
ALB = ("elasticloadbalancing.amazonaws.com", "AWSServiceRoleForElasticLoadBalancing")
RDS = ("rds.amazonaws.com", "AWSServiceRoleForRDS")
ELASTICACHE = ("elasticache.amazonaws.com", "AWSServiceRoleForElastiCache")
ECS = ("ecs.amazonaws.com", "AWSServiceRoleForECS")
ECS_SCALING = ("ecs.application-autoscaling.amazonaws.com", "AWSServiceRoleForApplicationAutoScaling_ECSService")
EKS = ("eks.amazonaws.com", "AWSServiceRoleForAmazonEKS")
EKS_NODEGROUP = ("eks-nodegroup.amazonaws.com", "AWSServiceRoleForAmazonEKSNodegroup")
AUTOSCALING = ("autoscaling.amazonaws.com", "AWSServiceRoleForAutoScaling")
INSPECTOR = ("inspector2.amazonaws.com", "AWSServiceRoleForAmazonInspector2")
INSPECTOR_ACTIONS = ("inspector2:Enable", "inspector2:ListAccountPermissions")
"""`ecr.scanning: enhanced` (PutRegistryScanningConfiguration, scan type ENHANCED) turns on Amazon
Inspector for ECR with the caller's rights: the caller needs these and iam:CreateServiceLinkedRole
for inspector2.amazonaws.com, as Inspector creates its service-linked role then (ECR User Guide,
"IAM permissions required for enhanced scanning in Amazon ECR",
https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning-enhanced-iam.html)."""
MUST_EXIST = {AUTOSCALING[1]}
"""Named as a principal in the data key's policy (EBS volumes of the node groups); KMS refuses a
key policy whose principal does not exist yet (MalformedPolicyDocumentException), so the service
creating it on first use is too late."""


def required_service_linked_roles(
    platform: str, cache_provider: str, ecr_scanning: str = "basic"
) -> list[tuple[str, str]]:
    roles = [ALB, RDS]
    if cache_provider == "elasticache":
        roles.append(ELASTICACHE)
    roles += [EKS, EKS_NODEGROUP, AUTOSCALING] if platform == "eks" else [ECS, ECS_SCALING]
    if ecr_scanning == "enhanced":
        roles.append(INSPECTOR)
    return roles


def _principal_arn(ctx: Context, check: str) -> str | None:
    """The IAM ARN the simulator accepts for the caller (a role's ARN with its path)."""
    if "principal" in ctx.cache:
        return ctx.cache["principal"]
    arn = ctx.caller_arn
    principal: str | None = arn
    if ":assumed-role/" in arn:
        role_name = arn.split(":assumed-role/", 1)[1].split("/", 1)[0]
        response, code = call(ctx, check, "iam", "get_role", ("NoSuchEntity",), RoleName=role_name)
        principal = None if code else response["Role"]["Arn"]
    ctx.cache["principal"] = principal
    return principal


def _simulate(ctx: Context, check: str, actions: list[str], **kwargs: object) -> bool | None:
    """Whether the caller's IAM policies allow every action (IAM policy simulation), or None
    when the simulation cannot run."""
    principal = _principal_arn(ctx, check)
    if principal is None:
        return None
    try:
        response, _ = call(
            ctx, check, "iam", "simulate_principal_policy", PolicySourceArn=principal, ActionNames=actions, **kwargs
        )
    except (CheckAbortedError, NotImplementedError):
        return None
    results = response.get("EvaluationResults", [])
    return bool(results) and all(r.get("EvalDecision") == "allowed" for r in results)


def _may_create(ctx: Context, check: str, service: str, role: str) -> bool:
    # cannot tell (None): the role is reported missing, with the command that creates it
    return bool(
        _simulate(
            ctx,
            check,
            ["iam:CreateServiceLinkedRole"],
            ResourceArns=[f"arn:{ctx.partition}:iam::{ctx.account}:role/aws-service-role/{service}/{role}"],
            ContextEntries=[
                {"ContextKeyName": "iam:AWSServiceName", "ContextKeyValues": [service], "ContextKeyType": "string"}
            ],
        )
    )


def _inspector_enable(ctx: Context, check: str) -> Result:
    """Enhanced ECR scanning: the deploy identity turns on Amazon Inspector in the ECR stage."""
    actions = ", ".join(INSPECTOR_ACTIONS)
    fix = f"allow {actions} to the deploy role (and iam:CreateServiceLinkedRole for {INSPECTOR[0]})"
    allowed = _simulate(ctx, check, list(INSPECTOR_ACTIONS), ResourceArns=["*"])
    if allowed:
        return Result(check, Status.PASS, "the deploy identity may turn on Amazon Inspector (ecr.scanning: enhanced)")
    if allowed is None:
        return Result(
            check,
            Status.WARN,
            f"could not simulate {actions}: ecr.scanning enhanced turns on Amazon Inspector with the deploy identity",
            fix,
        )
    return Result(
        check,
        Status.FAIL,
        f"the deploy identity may not call {actions}: ecr.scanning enhanced turns on Amazon Inspector with it",
        fix,
    )


def service_linked_roles(ctx: Context) -> list[Result]:
    check = "service-linked-roles"
    out = []
    f = ctx.facts
    for service, role in required_service_linked_roles(f.platform, f.cache_provider, f.ecr_scanning):
        _, code = call(ctx, check, "iam", "get_role", ("NoSuchEntity",), RoleName=role)
        fix = f"aws iam create-service-linked-role --aws-service-name {service}"
        if code is None:
            out.append(Result(check, Status.PASS, f"{role} exists"))
        elif role in MUST_EXIST:
            out.append(Result(check, Status.FAIL, f"{role} is missing; the data key's policy names it", fix))
        elif _may_create(ctx, check, service, role):
            out.append(Result(check, Status.WARN, f"{role} is missing; {service} creates it on first use", fix))
        else:
            out.append(Result(check, Status.FAIL, f"{role} is missing and the deploy identity may not create it", fix))
    if f.ecr_scanning == "enhanced":
        out.append(_inspector_enable(ctx, check))
    return out


# --- EKS access entries ---------------------------------------------------------------------------

EKS_ACCESS_KEYS = ("platform:compute.eks.adminRoleArns", "platform:compute.eks.readOnlyRoleArns")


def role_identity(arn: str) -> tuple[str, str] | None:
    """(account, role name) of an IAM role ARN (any path) or of an STS assumed-role session ARN
    (`arn:aws:sts::<account>:assumed-role/<role>/<session>`), else None. Role names are unique
    in an account whatever their path, so this is what an access entry's principal comes down to."""
    parts = arn.split(":", 5)
    if len(parts) != 6:
        return None
    account, resource = parts[4], parts[5]
    if parts[2] == "sts" and resource.startswith("assumed-role/"):
        return account, resource.split("/")[1]
    if parts[2] == "iam" and resource.startswith("role/"):
        return account, resource.rsplit("/", 1)[-1]
    return None


def eks_access_entries(ctx: Context) -> list[Result]:
    """The deploy identity must not be in `adminRoleArns` or `readOnlyRoleArns`.

    The cluster is created with authentication mode API and pulumi-eks leaves
    `bootstrapClusterCreatorAdminPermissions` at true (EKS's default, CreateAccessConfigRequest),
    so EKS gives the identity that creates the cluster (the deploy role) a cluster-admin access
    entry. The program creates one more entry per listed role, and EKS refuses a second entry for
    the same principal: "You can't specify the same ARN in more than one access entry"
    (CreateAccessEntry, ResourceInUseException;
    https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateAccessEntry.html)."""
    check = "eks-access-entries"
    f = ctx.facts
    if not f.eks:
        return [Result(check, Status.SKIP, "ECS stack: no EKS access entries")]
    caller = role_identity(ctx.caller_arn)
    listed = [
        key
        for key in EKS_ACCESS_KEYS
        for arn in f.role_arns.get(key, [])
        if arn == ctx.caller_arn or (caller is not None and role_identity(arn) == caller)
    ]
    who = f"role {caller[1]}" if caller is not None else ctx.caller_arn
    if not listed:
        return [
            Result(
                check,
                Status.PASS,
                f"the deploy identity ({who}) is in neither list: EKS makes the cluster's creator admin",
            )
        ]
    cluster = f.naming.eks_cluster
    _, code = call(ctx, check, "eks", "describe_cluster", ("ResourceNotFoundException",), name=cluster)
    keys = " and ".join(sorted(set(listed)))
    why = (
        "EKS gives the identity that creates the cluster an admin access entry "
        "(bootstrapClusterCreatorAdminPermissions), and a second entry for the same role fails "
        "CreateAccessEntry with ResourceInUseException"
    )
    fix = (
        f"remove the deploy role from {keys}: adminRoleArns is for admins other than the identity "
        "that creates the cluster, readOnlyRoleArns for the preview role"
    )
    if code:
        return [Result(check, Status.FAIL, f"{keys} lists the deploy identity ({who}): {why}", fix)]
    return [
        Result(
            check,
            Status.WARN,
            f"{keys} lists the deploy identity ({who}) and cluster {cluster} exists: right only if another "
            f"identity created it; otherwise {why}",
            f"if the deploy identity created {cluster}, {fix}",
        )
    ]


# --- cost allocation tags -------------------------------------------------------------------------

COST_TAGS = ("Project", "Environment")
"""The tags the budget filters on (`monitoring.py`): a budget over inactive tags sees no cost."""


def cost_allocation_tags(ctx: Context) -> list[Result]:
    check = "cost-allocation-tags"
    statuses: dict[str, str] = {}
    token: str | None = None
    while True:
        kwargs = {"TagKeys": list(COST_TAGS), "Type": "UserDefined", **({"NextToken": token} if token else {})}
        response, _ = call(ctx, check, "ce", "list_cost_allocation_tags", **kwargs)
        for tag in response.get("CostAllocationTags", []):
            statuses[tag["TagKey"]] = tag.get("Status", "")
        token = response.get("NextToken")
        if not token:
            break
    out = []
    for key in COST_TAGS:
        activate = f"aws ce update-cost-allocation-tags-status --cost-allocation-tags-status TagKey={key},Status=Active"
        status = statuses.get(key)
        if status == "Active":
            out.append(Result(check, Status.PASS, f"{key} is an active cost-allocation tag"))
        elif status is None:
            out.append(
                Result(
                    check,
                    Status.WARN,
                    f"{key} is not yet known to Billing (it appears up to 24 h after the first tagged resource)",
                    f"after the first deploy: {activate}",
                )
            )
        else:
            out.append(
                Result(check, Status.FAIL, f"{key} is {status}: the budget sees none of the stack's cost", activate)
            )
    return out


# --- alarm e-mail subscriptions -----------------------------------------------------------------


def alarm_subscriptions(ctx: Context) -> list[Result]:
    check = "alarm-subscriptions"
    f = ctx.facts
    out = []
    for tier, emails in f.alarm_emails.items():
        if not emails:
            continue
        arn = f"arn:{ctx.partition}:sns:{f.region}:{ctx.account}:{f.naming.sns_topic(tier)}"
        subscriptions: dict[str, str] = {}
        token: str | None = None
        missing_topic = False
        while True:
            kwargs = {"TopicArn": arn, **({"NextToken": token} if token else {})}
            response, code = call(ctx, check, "sns", "list_subscriptions_by_topic", ("NotFound",), **kwargs)
            if code:
                missing_topic = True
                break
            for sub in response.get("Subscriptions", []):
                if sub.get("Protocol") == "email":
                    subscriptions[str(sub.get("Endpoint", "")).lower()] = str(sub.get("SubscriptionArn", ""))
            token = response.get("NextToken")
            if not token:
                break
        if missing_topic:
            out.append(
                Result(
                    check,
                    Status.WARN,
                    f"topic {f.naming.sns_topic(tier)} does not exist yet (first deploy)",
                    f"after the deploy, {', '.join(emails)} must confirm the mail from AWS Notifications",
                )
            )
            continue
        for email in emails:
            sub_arn = subscriptions.get(email.lower())
            resubscribe = f"aws sns subscribe --topic-arn {arn} --protocol email --notification-endpoint {email}"
            if sub_arn is None:
                out.append(Result(check, Status.FAIL, f"{email} is not subscribed to {tier} alarms", resubscribe))
            elif not sub_arn.startswith("arn:"):
                # Unconfirmed subscriptions list "PendingConfirmation" instead of an ARN
                # (https://docs.aws.amazon.com/sns/latest/api/API_Subscription.html).
                out.append(
                    Result(
                        check,
                        Status.FAIL,
                        f"{email} has not confirmed the {tier} alarm subscription",
                        f"confirm the mail from AWS Notifications (expired: {resubscribe})",
                    )
                )
            else:
                out.append(Result(check, Status.PASS, f"{email} receives {tier} alarms"))
    return out or [Result(check, Status.SKIP, "no alarm e-mail addresses configured")]


CHECKS: dict[str, Callable[[Context], list[Result]]] = {
    "config": config,
    "placeholders": placeholders,
    "hosted-zone": hosted_zone,
    "service-linked-roles": service_linked_roles,
    "eks-access-entries": eks_access_entries,
    "cost-allocation-tags": cost_allocation_tags,
    "alarm-subscriptions": alarm_subscriptions,
}
