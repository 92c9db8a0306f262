"""Can the deploy runner reach what `pulumi up` talks to: the EKS API endpoint and the VPC's
interface endpoints (whose private DNS names resolve inside the VPC)."""

from __future__ import annotations

from collections.abc import Callable

from secure_platform.config import NetworkConfig
from secure_platform.preflight.model import Context, Result, Status, call
from secure_platform.preflight.stages import step

NETWORK_RUNNER_KEY = "platform:network.runnerSecurityGroupIds"


def network_runner_key_supported() -> bool:
    """Whether this program's config model has the network-wide runner list (which opens the
    EKS API and every interface endpoint to the runner)."""
    return "runner_security_group_ids" in NetworkConfig.model_fields


def _group_vpcs(ctx: Context, check: str, groups: list[str]) -> dict[str, str | None]:
    """The VPC of each runner group; None for a group that does not exist in the account and Region."""
    key = f"groups:{','.join(sorted(groups))}"
    if key not in ctx.cache:
        vpcs: dict[str, str | None] = {}
        for group in groups:  # one call per group: a missing id fails the whole request
            response, code = call(
                ctx,
                check,
                "ec2",
                "describe_security_groups",
                ("InvalidGroup.NotFound", "InvalidGroupId.Malformed", "InvalidGroupId.NotFound"),
                GroupIds=[group],
            )
            found = response.get("SecurityGroups", []) if not code else []
            vpcs[group] = str(found[0].get("VpcId", "")) if found else None
        ctx.cache[key] = vpcs
    return ctx.cache[key]


def _stack_vpcs(ctx: Context, check: str) -> list[str]:
    """The stack's VPC (found by the default tags every resource carries), once the network exists."""
    if "stack-vpcs" not in ctx.cache:
        f = ctx.facts
        filters = [
            {"Name": "tag:Project", "Values": [f.project]},
            {"Name": "tag:Environment", "Values": [f.environment]},
        ]
        response, _ = call(ctx, check, "ec2", "describe_vpcs", Filters=filters)
        ctx.cache["stack-vpcs"] = [str(v["VpcId"]) for v in response.get("Vpcs", [])]
    return ctx.cache["stack-vpcs"]


def _placed(ctx: Context, check: str, listed: list[str]) -> Result | None:
    """A failure when the listed runner groups do not exist, a warning when they sit outside the
    stack's VPC or it does not exist yet; None when they are in it."""
    f = ctx.facts
    vpcs = _group_vpcs(ctx, check, listed)
    present = {g: v for g, v in vpcs.items() if v is not None}
    if not present:
        return Result(
            check,
            Status.FAIL,
            f"runner group {', '.join(listed)} does not exist in {ctx.account} {f.region}",
            "pass the runner's real group (--runner-security-group-id), or run on the runner",
        )
    stack_vpcs = _stack_vpcs(ctx, check)
    if not stack_vpcs:
        return Result(
            check,
            Status.WARN,
            f"the stack's VPC does not exist yet; runner group {next(iter(present))} must end up inside it",
            f"network stage first, then start the runner in a private subnet of its VPC: {step('network').for_stack(f.stack)}",
        )
    if not any(v in stack_vpcs for v in present.values()):
        group, vpc = next(iter(present.items()))
        # Rules may reference a group of a peered VPC (or across a transit gateway with security
        # group referencing): possible, but then private DNS and routing must be set up too.
        return Result(
            check,
            Status.WARN,
            f"runner group {group} is in {vpc}, the stack's VPC is {', '.join(stack_vpcs)}: reachable only "
            "through VPC peering or a transit gateway, with routes and private DNS",
            f"run the runner in a private subnet of {stack_vpcs[0]} with a group of that VPC",
        )
    return None


def _unknown_runner(ctx: Context, check: str, what: str) -> Result:
    f = ctx.facts
    where = f"its address {ctx.runner.cidr}" if ctx.runner.cidr else "its address is unknown"
    return Result(
        check,
        Status.FAIL,
        f"the runner's security group is unknown (not on EC2, no --runner-security-group-id) and {where}: "
        f"it cannot be shown to reach {what}",
        f"run on the stack's runner, or pass --runner-security-group-id sg-... (listed in {f.runner_key})",
    )


def eks_api(ctx: Context) -> list[Result]:
    check = "eks-api"
    f, runner = ctx.facts, ctx.runner
    if not f.eks:
        return [Result(check, Status.SKIP, f"compute.platform is {f.platform}: no cluster API")]
    if f.endpoint_public_access_cidrs and runner.within(f.endpoint_public_access_cidrs):
        return [Result(check, Status.PASS, f"runner {runner.cidr} is within endpointPublicAccessCidrs")]
    if not runner.security_group_ids:
        return [_unknown_runner(ctx, check, "the EKS API endpoint")]
    listed = [g for g in runner.security_group_ids if g in f.runner_security_group_ids]
    if not listed:
        groups = ", ".join(runner.security_group_ids)
        return [
            Result(
                check,
                Status.FAIL,
                f"runner group {groups} is not in {f.runner_key}: the private API endpoint refuses it",
                f"add {runner.security_group_ids[0]} to {f.runner_key}",
            )
        ]
    problem = _placed(ctx, check, listed)
    if problem is not None:
        return [problem]
    return [Result(check, Status.PASS, f"runner group {listed[0]} is allowed to the EKS API ({f.runner_key})")]


def interface_endpoints(ctx: Context) -> list[Result]:
    check = "interface-endpoints"
    f, runner = ctx.facts, ctx.runner
    if not f.interface_endpoints:
        return [Result(check, Status.SKIP, "no interface endpoints: the runner uses the public AWS endpoints")]
    services = ", ".join(f.interface_endpoints)
    if not runner.security_group_ids:
        if f.eks:
            return [_unknown_runner(ctx, check, f"the interface endpoints ({services})")]
        return [
            Result(
                check,
                Status.WARN,
                f"runner group unknown: a runner inside the VPC resolves {services} to the endpoints",
                f"a runner inside the VPC must be listed in {NETWORK_RUNNER_KEY}",
            )
        ]
    if not network_runner_key_supported():
        return [
            Result(
                check,
                Status.WARN,
                f"this program opens the interface endpoints ({services}) to the app tier only; a runner inside "
                "the VPC resolves them there and its calls time out",
                "run the runner outside the VPC's private DNS, or use a program with " + NETWORK_RUNNER_KEY,
            )
        ]
    if f.runner_key != NETWORK_RUNNER_KEY:
        return [
            Result(
                check,
                Status.FAIL,
                f"{NETWORK_RUNNER_KEY} is not set: the endpoints ({services}) admit only the app tier",
                f"set {NETWORK_RUNNER_KEY} to [{runner.security_group_ids[0]}]",
            )
        ]
    listed = [g for g in runner.security_group_ids if g in f.runner_security_group_ids]
    if not listed:
        return [
            Result(
                check,
                Status.FAIL,
                f"runner group {', '.join(runner.security_group_ids)} is not admitted by the interface endpoints "
                f"({services}): calls to them from the VPC time out",
                f"add {runner.security_group_ids[0]} to {NETWORK_RUNNER_KEY}",
            )
        ]
    problem = _placed(ctx, check, listed)
    if problem is not None:
        return [problem]
    return [Result(check, Status.PASS, f"runner group {listed[0]} is admitted by the endpoints ({services})")]


CHECKS: dict[str, Callable[[Context], list[Result]]] = {
    "eks-api": eks_api,
    "interface-endpoints": interface_endpoints,
}
