"""One test per preflight check, each with a passing and a failing account (botocore Stubber)."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from secure_platform.preflight import account as acct
from secure_platform.preflight import capacity, reach
from secure_platform.preflight.facts import compute_repositories
from secure_platform.preflight.model import Runner, Status, runner_from_metadata
from tests.preflight.stubs import (
    ACCOUNT,
    ANY,
    EC2_OD_USAGE,
    EC2_SPOT_USAGE,
    FARGATE_OD_USAGE,
    FARGATE_SPOT_USAGE,
    NAME_SERVERS,
    RUNNER_SG,
    ZONE,
    StubAccount,
    context,
    facts,
    hosted_zone_response,
    quota_response,
    ready_config,
    role_response,
    usage_response,
)


def statuses(results) -> list[str]:
    return [r.status.value for r in results]


# --- config and placeholders -------------------------------------------------------------------


def test_config_check_passes_a_valid_stack_and_lists_each_problem_of_a_broken_one():
    assert statuses(acct.config(context(facts("dev"), StubAccount()))) == ["PASS"]
    broken = ready_config("dev")
    broken["platform:network"]["natGateways"] = "sometimes"
    results = acct.config(context(facts("dev", broken), StubAccount()))
    assert statuses(results) == ["FAIL"]
    assert "platform:network.natGateways" in results[0].finding and "Pulumi.dev.yaml" in results[0].fix


def test_placeholders_in_the_shipped_prod_file_are_refused_key_by_key():
    results = acct.placeholders(context(facts("prod"), StubAccount()))
    assert set(statuses(results)) == {"FAIL"}
    found = " ".join(r.finding for r in results)
    for key in ("platform:domain.name", "platform:domain.hostedZoneId", "alarmEmails.critical", "alarmEmails.warning"):
        assert key in found, key
    assert statuses(acct.placeholders(context(facts("prod", ready_config()), StubAccount()))) == ["PASS"]


@pytest.mark.parametrize(
    "value, placeholder",
    [
        ("app.example.com", True),
        ("example.org", True),
        ("svc.test", True),
        ("shop.example", True),
        ("app.acme-shop.io", False),
        ("examples.com", False),
        ("example.com.au", False),
    ],
)
def test_documentation_domains(value: str, placeholder: bool):
    assert acct.placeholder_domain(value) is placeholder


def test_example_security_groups_are_placeholders():
    stack = facts("prod", ready_config(), runner_security_group_ids=("sg-0123456789abcdef0",))
    [result] = acct.placeholders(context(stack, StubAccount()))
    assert result.status is Status.FAIL and "sg-0123456789abcdef0" in result.finding


def test_example_role_arns_are_placeholders():
    stack = facts(
        "prod",
        ready_config(),
        role_arns={"platform:compute.eks.adminRoleArns": ["arn:aws:iam::123456789012:role/admin"]},
    )
    [result] = acct.placeholders(context(stack, StubAccount()))
    assert result.status is Status.FAIL and "adminRoleArns" in result.finding


# --- hosted zone ----------------------------------------------------------------------------------


def zone_context(name_servers=None, response=None, error: str | None = None):
    account = StubAccount()
    if error:
        account.error("route53", "get_hosted_zone", error, 404, params={"Id": ZONE})
    else:
        account.add("route53", "get_hosted_zone", response or hosted_zone_response(), {"Id": ZONE})
    return account, context(facts("prod", ready_config()), account, name_servers=name_servers)


def test_hosted_zone_passes_when_public_and_delegated_to_its_name_servers():
    account, ctx = zone_context(name_servers=[n.upper() + "." for n in reversed(NAME_SERVERS)])
    [result] = acct.hosted_zone(ctx)
    account.done()
    assert result.status is Status.PASS and ZONE in result.finding


def test_hosted_zone_fails_when_missing_private_foreign_or_not_delegated():
    _, ctx = zone_context(error="NoSuchHostedZone")
    [missing] = acct.hosted_zone(ctx)
    assert missing.status is Status.FAIL and "does not exist" in missing.finding and "create-hosted-zone" in missing.fix
    _, ctx = zone_context(response=hosted_zone_response(private=True))
    assert "private" in acct.hosted_zone(ctx)[0].finding
    _, ctx = zone_context(response=hosted_zone_response(name="other.io."))
    assert "does not contain app.acme-shop.io" in acct.hosted_zone(ctx)[0].finding
    _, ctx = zone_context(name_servers=["ns1.old-dns-host.net", "ns2.old-dns-host.net"])
    [stale] = acct.hosted_zone(ctx)
    assert stale.status is Status.FAIL and "ns1.old-dns-host.net" in stale.finding
    assert all(n in stale.fix for n in NAME_SERVERS)
    _, ctx = zone_context(name_servers=LookupError("acme-shop.io does not exist in public DNS"))
    [absent] = acct.hosted_zone(ctx)
    assert absent.status is Status.FAIL and "not authoritative" in absent.finding


def test_hosted_zone_access_denied_names_the_action():
    _, ctx = zone_context(error="AccessDenied")
    try:
        acct.hosted_zone(ctx)
    except acct.CheckAbortedError as exc:
        assert exc.result.status is Status.FAIL and "route53:GetHostedZone" in exc.result.fix
    else:
        raise AssertionError("an access error must abort the check")


# --- service-linked roles -------------------------------------------------------------------------


def test_service_linked_roles_of_an_eks_stack_exist():
    account = StubAccount()
    roles = acct.required_service_linked_roles("eks", "elasticache")
    for _, role in roles:
        account.add("iam", "get_role", role_response(role, "/aws-service-role/x/"), {"RoleName": role})
    results = acct.service_linked_roles(context(facts("prod", ready_config(), ecr_scanning="basic"), account))
    account.done()
    assert statuses(results) == ["PASS"] * len(roles)
    assert {"AWSServiceRoleForAutoScaling", "AWSServiceRoleForAmazonEKSNodegroup"} <= {r for _, r in roles}


def inspector_simulation(account: StubAccount, decision: str) -> None:
    account.add("iam", "get_role", role_response("platform-deploy"), {"RoleName": "platform-deploy"})
    results = [{"EvalActionName": a, "EvalDecision": decision} for a in acct.INSPECTOR_ACTIONS]
    params = {
        "PolicySourceArn": f"arn:aws:iam::{ACCOUNT}:role/platform-deploy",
        "ActionNames": list(acct.INSPECTOR_ACTIONS),
        "ResourceArns": ["*"],
    }
    account.add("iam", "simulate_principal_policy", {"EvaluationResults": results}, params)


@pytest.mark.parametrize("decision, status", [("allowed", "PASS"), ("implicitDeny", "FAIL")])
def test_enhanced_ecr_scanning_needs_inspectors_role_and_the_right_to_enable_inspector(decision, status):
    """PutRegistryScanningConfiguration(ENHANCED) turns on Amazon Inspector with the caller's
    rights: inspector2:Enable and the Inspector service-linked role (ECR User Guide)."""
    assert acct.INSPECTOR not in acct.required_service_linked_roles("eks", "elasticache", "basic")
    roles = acct.required_service_linked_roles("eks", "elasticache", "enhanced")
    assert roles[-1] == ("inspector2.amazonaws.com", "AWSServiceRoleForAmazonInspector2")
    account = StubAccount()
    for _, role in roles:
        account.add("iam", "get_role", role_response(role), {"RoleName": role})
    inspector_simulation(account, decision)
    prod = facts("prod", ready_config())
    assert prod.ecr_scanning == "enhanced"  # Pulumi.prod.yaml
    results = acct.service_linked_roles(context(prod, account))
    account.done()
    assert statuses(results) == ["PASS"] * len(roles) + [status]
    assert "Amazon Inspector" in results[-1].finding
    if status == "FAIL":
        assert "inspector2:Enable" in results[-1].fix and "iam:CreateServiceLinkedRole" in results[-1].fix


def test_missing_inspector_role_the_deploy_identity_may_not_create_fails():
    account = StubAccount()
    for _, role in acct.required_service_linked_roles("eks", "elasticache", "enhanced"):
        if role == acct.INSPECTOR[1]:
            account.error("iam", "get_role", "NoSuchEntity", 404, {"RoleName": role})
            account.add("iam", "get_role", role_response("platform-deploy"), {"RoleName": "platform-deploy"})
            denied = [{"EvalActionName": "iam:CreateServiceLinkedRole", "EvalDecision": "implicitDeny"}]
            account.add("iam", "simulate_principal_policy", {"EvaluationResults": denied})
        else:
            account.add("iam", "get_role", role_response(role), {"RoleName": role})
    allowed = [{"EvalActionName": a, "EvalDecision": "allowed"} for a in acct.INSPECTOR_ACTIONS]
    account.add("iam", "simulate_principal_policy", {"EvaluationResults": allowed})
    results = acct.service_linked_roles(context(facts("prod", ready_config()), account))
    account.done()
    (inspector,) = [r for r in results if acct.INSPECTOR[1] in r.finding]
    assert inspector.status is Status.FAIL
    assert inspector.fix == "aws iam create-service-linked-role --aws-service-name inspector2.amazonaws.com"


def test_missing_autoscaling_role_fails_and_a_creatable_role_only_warns():
    account = StubAccount()
    for _, role in acct.required_service_linked_roles("eks", "elasticache"):
        if role in ("AWSServiceRoleForAutoScaling", "AWSServiceRoleForElastiCache"):
            account.error("iam", "get_role", "NoSuchEntity", 404, {"RoleName": role})
            if role == "AWSServiceRoleForElastiCache":
                account.add("iam", "get_role", role_response("platform-deploy"), {"RoleName": "platform-deploy"})
                account.add(
                    "iam",
                    "simulate_principal_policy",
                    {
                        "EvaluationResults": [
                            {"EvalActionName": "iam:CreateServiceLinkedRole", "EvalDecision": "allowed"}
                        ]
                    },
                    {
                        "PolicySourceArn": f"arn:aws:iam::{ACCOUNT}:role/platform-deploy",
                        "ActionNames": ["iam:CreateServiceLinkedRole"],
                        "ResourceArns": ANY,
                        "ContextEntries": ANY,
                    },
                )
        else:
            account.add("iam", "get_role", role_response(role), {"RoleName": role})
    results = {
        r.finding.split()[0]: r
        for r in acct.service_linked_roles(context(facts("prod", ready_config(), ecr_scanning="basic"), account))
    }
    account.done()
    autoscaling = results["AWSServiceRoleForAutoScaling"]
    assert autoscaling.status is Status.FAIL
    assert autoscaling.fix == "aws iam create-service-linked-role --aws-service-name autoscaling.amazonaws.com"
    assert results["AWSServiceRoleForElastiCache"].status is Status.WARN


def test_ecs_stack_needs_the_ecs_roles_not_the_eks_ones():
    names = {r for _, r in acct.required_service_linked_roles("ecs", "none")}
    assert "AWSServiceRoleForECS" in names and "AWSServiceRoleForAmazonEKS" not in names
    assert "AWSServiceRoleForElastiCache" not in names


# --- EKS access entries ---------------------------------------------------------------------------

DEPLOY_ROLE = f"arn:aws:iam::{ACCOUNT}:role/platform-deploy"
PREVIEW_ROLE = f"arn:aws:iam::{ACCOUNT}:role/platform-preview"
ADMINS, READERS = acct.EKS_ACCESS_KEYS


def access_facts(admins: list[str], readers: list[str], stack: str = "prod"):
    return facts(stack, ready_config(stack), role_arns={ADMINS: admins, READERS: readers})


def test_the_preview_role_in_read_only_and_other_admins_pass_without_asking_aws():
    account = StubAccount()
    other_admin = f"arn:aws:iam::{ACCOUNT}:role/platform-admin"
    results = acct.eks_access_entries(context(access_facts([other_admin], [PREVIEW_ROLE]), account))
    account.done()
    assert statuses(results) == ["PASS"] and "platform-deploy" in results[0].finding


@pytest.mark.parametrize(
    "admins, readers, keys",
    [
        ([DEPLOY_ROLE], [PREVIEW_ROLE], ADMINS),
        ([], [DEPLOY_ROLE, PREVIEW_ROLE], READERS),
        # the same role under a path (role names are unique in an account whatever the path)
        ([f"arn:aws:iam::{ACCOUNT}:role/ci/platform-deploy"], [], ADMINS),
    ],
)
def test_the_deploy_identity_in_either_list_fails_before_the_cluster_exists(admins, readers, keys):
    """The cluster's creator gets an admin access entry from EKS; a second one for the same ARN
    fails CreateAccessEntry (ResourceInUseException) in the first full `pulumi up`."""
    account = StubAccount()
    account.error("eks", "describe_cluster", "ResourceNotFoundException", 404, {"name": "platform-prod-eks"})
    (result,) = acct.eks_access_entries(context(access_facts(admins, readers), account))
    account.done()
    assert result.status is Status.FAIL
    assert keys in result.finding and "role platform-deploy" in result.finding
    assert "ResourceInUseException" in result.finding and "readOnlyRoleArns for the preview role" in result.fix


def test_the_deploy_identity_listed_for_an_existing_cluster_only_warns():
    """Right when another identity created the cluster (then the deploy role needs the entry)."""
    account = StubAccount()
    account.add("eks", "describe_cluster", {"cluster": {"name": "platform-prod-eks"}}, {"name": "platform-prod-eks"})
    (result,) = acct.eks_access_entries(context(access_facts([DEPLOY_ROLE], []), account))
    account.done()
    assert result.status is Status.WARN and "another identity created it" in result.finding


def test_ecs_stacks_have_no_access_entries_to_check():
    (result,) = acct.eks_access_entries(context(access_facts([DEPLOY_ROLE], [], "dev"), StubAccount()))
    assert result.status is Status.SKIP


@pytest.mark.parametrize(
    "arn, identity",
    [
        (f"arn:aws:sts::{ACCOUNT}:assumed-role/platform-deploy/gh-1", (ACCOUNT, "platform-deploy")),
        (f"arn:aws:iam::{ACCOUNT}:role/a/b/platform-deploy", (ACCOUNT, "platform-deploy")),
        (f"arn:aws:iam::{ACCOUNT}:user/alice", None),
        ("not-an-arn", None),
    ],
)
def test_role_identity_maps_a_session_to_its_role(arn, identity):
    assert acct.role_identity(arn) == identity


# --- cost allocation tags -------------------------------------------------------------------------


def cost_tags(statuses_by_key: dict[str, str]):
    account = StubAccount()
    account.add(
        "ce",
        "list_cost_allocation_tags",
        {"CostAllocationTags": [{"TagKey": k, "Type": "UserDefined", "Status": s} for k, s in statuses_by_key.items()]},
        {"TagKeys": ["Project", "Environment"], "Type": "UserDefined"},
    )
    results = acct.cost_allocation_tags(context(facts("prod", ready_config()), account))
    account.done()
    return results


def test_cost_allocation_tags_active_pass_inactive_fail_unknown_warn():
    assert statuses(cost_tags({"Project": "Active", "Environment": "Active"})) == ["PASS", "PASS"]
    inactive = cost_tags({"Project": "Inactive"})
    assert statuses(inactive) == ["FAIL", "WARN"]
    assert "TagKey=Project,Status=Active" in inactive[0].fix


# --- alarm subscriptions --------------------------------------------------------------------------


def subscriptions(arn_by_email: dict[str, str] | None):
    account = StubAccount()
    stack = facts("prod", ready_config())
    for tier in ("critical", "warning"):
        topic = f"arn:aws:sns:us-east-1:{ACCOUNT}:platform-prod-{tier}"
        if arn_by_email is None:
            account.error("sns", "list_subscriptions_by_topic", "NotFound", 404, {"TopicArn": topic})
            continue
        subs = [
            {"SubscriptionArn": arn, "Owner": ACCOUNT, "Protocol": "email", "Endpoint": email, "TopicArn": topic}
            for email, arn in arn_by_email.items()
            if email in stack.alarm_emails[tier]
        ]
        account.add("sns", "list_subscriptions_by_topic", {"Subscriptions": subs}, {"TopicArn": topic})
    results = acct.alarm_subscriptions(context(stack, account))
    account.done()
    return results


def test_alarm_subscriptions_confirmed_pass_pending_fail_before_deploy_warn():
    confirmed = f"arn:aws:sns:us-east-1:{ACCOUNT}:platform-prod-critical:0f1e2d3c"
    both = {"oncall@acme-shop.io": confirmed, "platform-team@acme-shop.io": confirmed}
    assert statuses(subscriptions(both)) == ["PASS", "PASS"]
    pending = subscriptions({"oncall@acme-shop.io": "PendingConfirmation", "platform-team@acme-shop.io": confirmed})
    assert statuses(pending) == ["FAIL", "PASS"] and "oncall@acme-shop.io has not confirmed" in pending[0].finding
    assert statuses(subscriptions(None)) == ["WARN", "WARN"]


# --- reach: EKS API and interface endpoints ----------------------------------------------------------


def with_group(account: StubAccount, exists: bool = True, runner_vpc: str = "vpc-0a1b2c3d") -> None:
    params = {"GroupIds": [RUNNER_SG]}
    if exists:
        group = {"GroupId": RUNNER_SG, "GroupName": "gh-runner", "VpcId": runner_vpc, "OwnerId": ACCOUNT}
        account.add("ec2", "describe_security_groups", {"SecurityGroups": [group]}, params)
    else:
        account.error("ec2", "describe_security_groups", "InvalidGroup.NotFound", 400, params)


def with_stack_vpc(account: StubAccount, vpc: str | None = "vpc-0a1b2c3d", environment: str = "prod") -> None:
    filters = [{"Name": "tag:Project", "Values": ["platform"]}, {"Name": "tag:Environment", "Values": [environment]}]
    vpcs = [{"VpcId": vpc, "CidrBlock": "10.0.0.0/16"}] if vpc else []
    account.add("ec2", "describe_vpcs", {"Vpcs": vpcs}, {"Filters": filters})


def test_eks_api_passes_for_a_listed_runner_group_or_an_allowed_public_address():
    account = StubAccount()
    with_group(account)
    with_stack_vpc(account)
    assert statuses(reach.eks_api(context(facts("prod", ready_config()), account))) == ["PASS"]
    account.done()
    public = facts("prod", endpoint_public_access_cidrs=("198.51.100.0/24",))
    runner = Runner((), "198.51.100.7/32", "test")
    assert statuses(reach.eks_api(context(public, StubAccount(), runner))) == ["PASS"]


def test_eks_api_fails_for_an_unlisted_unknown_or_missing_runner_group_and_warns_outside_the_vpc():
    [unlisted] = reach.eks_api(context(facts("prod"), StubAccount()))  # shipped: apiClientSecurityGroupIds []
    assert unlisted.status is Status.FAIL and f"add {RUNNER_SG} to" in unlisted.fix
    [unknown] = reach.eks_api(context(facts("prod"), StubAccount(), Runner((), "203.0.113.9/32", "test")))
    assert unknown.status is Status.FAIL and "--runner-security-group-id" in unknown.fix
    account = StubAccount()
    with_group(account, exists=False)
    [missing] = reach.eks_api(context(facts("prod", ready_config()), account))
    assert missing.status is Status.FAIL and "does not exist" in missing.finding
    account = StubAccount()
    with_group(account, runner_vpc="vpc-0ffee000")
    with_stack_vpc(account)
    [elsewhere] = reach.eks_api(context(facts("prod", ready_config()), account))
    assert (
        elsewhere.status is Status.WARN and "is in vpc-0ffee000, the stack's VPC is vpc-0a1b2c3d" in elsewhere.finding
    )
    account = StubAccount()
    with_group(account)
    with_stack_vpc(account, None)
    [early] = reach.eks_api(context(facts("prod", ready_config()), account))
    assert early.status is Status.WARN and "network stage first" in early.fix
    account.done()
    assert statuses(reach.eks_api(context(facts("dev"), StubAccount()))) == ["SKIP"]


def test_interface_endpoints_admit_the_runner_only_through_the_network_runner_list(monkeypatch):
    monkeypatch.setattr(reach, "network_runner_key_supported", lambda: True)
    listed = facts("prod", ready_config(), runner_key=reach.NETWORK_RUNNER_KEY, runner_security_group_ids=(RUNNER_SG,))
    account = StubAccount()
    with_group(account)
    with_stack_vpc(account)
    assert statuses(reach.interface_endpoints(context(listed, account))) == ["PASS"]
    account.done()
    fallback = facts("prod", ready_config(), runner_key="platform:compute.eks.apiClientSecurityGroupIds")
    [result] = reach.interface_endpoints(context(fallback, StubAccount()))
    assert result.status is Status.FAIL and reach.NETWORK_RUNNER_KEY in result.fix
    other = facts(
        "prod", ready_config(), runner_key=reach.NETWORK_RUNNER_KEY, runner_security_group_ids=("sg-0fedcba9",)
    )
    assert statuses(reach.interface_endpoints(context(other, StubAccount()))) == ["FAIL"]
    monkeypatch.setattr(reach, "network_runner_key_supported", lambda: False)
    assert statuses(reach.interface_endpoints(context(listed, StubAccount()))) == ["WARN"]
    assert statuses(reach.interface_endpoints(context(facts("dev"), StubAccount()))) == ["SKIP"]


def test_runner_identity_comes_from_instance_metadata_v2():
    answers = {
        ("PUT", "/latest/api/token"): "tok",
        ("GET", "/latest/meta-data/mac"): "0a:1b:2c:3d:4e:5f",
        (
            "GET",
            "/latest/meta-data/network/interfaces/macs/0a:1b:2c:3d:4e:5f/security-group-ids",
        ): f"{RUNNER_SG}\nsg-0fedcba9",
        ("GET", "/latest/meta-data/public-ipv4"): "198.51.100.7",
    }
    seen_tokens = []

    def fetch(method: str, path: str, headers: dict[str, str]) -> str | None:
        if method == "GET":
            seen_tokens.append(headers.get("X-aws-ec2-metadata-token"))
        return answers.get((method, path))

    runner = runner_from_metadata(fetch)
    assert runner.security_group_ids == (RUNNER_SG, "sg-0fedcba9") and runner.cidr == "198.51.100.7/32"
    assert set(seen_tokens) == {"tok"}
    assert runner_from_metadata(lambda m, p, h: None) == Runner()


# --- images in ECR --------------------------------------------------------------------------------


def images(codes: Mapping[str, str], require: bool = False):
    account = StubAccount()
    stack = facts("prod", ready_config())
    for service in stack.repositories:
        params = {"repositoryName": f"platform/prod/{service}", "imageIds": [{"imageTag": "v1.0.0"}]}
        code = codes.get(service)
        if code:
            account.error("ecr", "describe_images", code, 400, params)
        else:
            detail = {"registryId": ACCOUNT, "repositoryName": params["repositoryName"], "imageTags": ["v1.0.0"]}
            account.add("ecr", "describe_images", {"imageDetails": [detail]}, params)
    results = capacity.ecr_images(context(stack, account, require_images=require))
    account.done()
    return results


def test_ecr_images_present_pass_missing_tag_fails_missing_repository_warns_until_required():
    assert compute_repositories("eks", ("frontend", "backend", "api-gateway", "sidecar")) == (
        "frontend",
        "backend",
        "api-gateway",
    )
    assert compute_repositories("ecs", ("frontend", "backend", "api-gateway", "sidecar")) == (
        "frontend",
        "backend",
        "sidecar",
    )
    assert statuses(images({})) == ["PASS"] * 3
    missing = images({"backend": "ImageNotFoundException"})
    assert statuses(missing) == ["PASS", "FAIL", "PASS"] and "make images STACK=prod" in missing[1].fix
    repos: dict[str, str] = dict.fromkeys(("frontend", "backend", "api-gateway"), "RepositoryNotFoundException")
    assert statuses(images(repos)) == ["WARN"] * 3
    assert statuses(images(repos, require=True)) == ["FAIL"] * 3


# --- quotas ---------------------------------------------------------------------------------------


def quota_account(stack_facts, *, eips_used: int, eip_quota: float, od_used: float, spot_quota: float = 64):
    account = StubAccount()
    addresses = [
        {"AllocationId": f"eipalloc-{i:08x}", "PublicIp": f"198.51.100.{i}", "Domain": "vpc"} for i in range(eips_used)
    ]
    account.add("ec2", "describe_addresses", {"Addresses": addresses})
    account.add(
        "service-quotas",
        "get_service_quota",
        quota_response("ec2", "L-0263D0A3", eip_quota),
        {"ServiceCode": "ec2", "QuotaCode": "L-0263D0A3"},
    )
    account.add("ec2", "describe_vpcs", {"Vpcs": [{"VpcId": "vpc-0a1b2c3d", "CidrBlock": "172.31.0.0/16"}]})
    account.error(
        "service-quotas",
        "get_service_quota",
        "NoSuchResourceException",
        404,
        {"ServiceCode": "vpc", "QuotaCode": "L-F678F1CE"},
    )
    account.add(
        "service-quotas",
        "get_aws_default_service_quota",
        quota_response("vpc", "L-F678F1CE", 5),
        {"ServiceCode": "vpc", "QuotaCode": "L-F678F1CE"},
    )
    account.add(
        "ec2",
        "describe_nat_gateways",
        {"NatGateways": [{"NatGatewayId": "nat-0a1b2c3d", "SubnetId": "subnet-0a1b2c3d"}]},
    )
    account.add(
        "ec2",
        "describe_subnets",
        {"Subnets": [{"SubnetId": "subnet-0a1b2c3d", "AvailabilityZone": "us-east-1a"}]},
        {"SubnetIds": ["subnet-0a1b2c3d"]},
    )
    account.add(
        "service-quotas",
        "get_service_quota",
        quota_response("vpc", "L-FE5A380F", 5),
        {"ServiceCode": "vpc", "QuotaCode": "L-FE5A380F"},
    )
    if stack_facts.eks:
        account.add(
            "ec2",
            "describe_instance_types",
            {
                "InstanceTypes": [
                    {"InstanceType": "t3.large", "VCpuInfo": {"DefaultVCpus": 2}},
                    {"InstanceType": "t3.medium", "VCpuInfo": {"DefaultVCpus": 2}},
                ]
            },
            {"InstanceTypes": ["t3.large", "t3.medium"]},
        )
        quotas = [
            ("ec2", "L-1216C47A", 64, EC2_OD_USAGE, od_used),
            ("ec2", "L-34B43A08", spot_quota, EC2_SPOT_USAGE, None),
        ]
    else:
        quotas = [
            ("fargate", "L-3032A538", 64, FARGATE_OD_USAGE, od_used),
            ("fargate", "L-36FBB829", spot_quota, FARGATE_SPOT_USAGE, None),
        ]
    for service, code, value, usage, used in quotas:
        account.add(
            "service-quotas",
            "get_service_quota",
            quota_response(service, code, value, usage),
            {"ServiceCode": service, "QuotaCode": code},
        )
        account.add(
            "cloudwatch",
            "get_metric_statistics",
            usage_response(used),
            {
                "Namespace": "AWS/Usage",
                "MetricName": "ResourceCount",
                "Dimensions": [{"Name": k, "Value": v} for k, v in sorted(usage.items())],
                "StartTime": ANY,
                "EndTime": ANY,
                "Period": 300,
                "Statistics": ["Maximum"],
            },
        )
    return account


def test_quotas_pass_with_headroom_and_fail_naming_the_increase():
    stack = facts("prod", ready_config())  # 3 NAT gateways, 20 x 2 on-demand vCPUs, 20 x 4 spot vCPUs
    account = quota_account(stack, eips_used=1, eip_quota=5, od_used=8, spot_quota=96)
    results = capacity.quotas(context(stack, account))
    account.done()
    assert statuses(results) == ["PASS"] * 5, [r.finding for r in results]
    account = quota_account(stack, eips_used=3, eip_quota=5, od_used=30, spot_quota=64)
    results = capacity.quotas(context(stack, account))
    assert statuses(results) == ["FAIL", "PASS", "PASS", "FAIL", "FAIL"], [r.finding for r in results]
    assert "--quota-code L-0263D0A3 --desired-value 6" in results[0].fix
    assert "30 used + 40 needed" in results[3].finding
    assert "--quota-code L-34B43A08 --desired-value 80" in results[4].fix


def test_fargate_quotas_follow_the_capacity_provider_strategy():
    stack = facts("dev")  # ECS: cpu 512, maxTasks 4, onDemandBase 0, weights 1 on-demand : 4 spot
    assert (stack.needs.fargate_on_demand_vcpus, stack.needs.fargate_spot_vcpus) == (0.5, 2.0)
    account = quota_account(stack, eips_used=0, eip_quota=5, od_used=0.25, spot_quota=1)
    results = capacity.quotas(context(stack, account))
    account.done()
    assert statuses(results) == ["PASS", "PASS", "PASS", "PASS", "FAIL"], [r.finding for r in results]
