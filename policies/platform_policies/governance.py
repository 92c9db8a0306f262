"""Infrastructure the pack cannot see into: resources that deploy other resources, or run code,
from a definition no policy reads.

A CloudFormation stack's template, a Service Catalog product, a Cloud Control resource's desired
state, a Helm chart, a command or a dynamic provider can create an open security group, an admin
role or a public database that the engine registers as one opaque resource: `pulumi preview
--policy-pack` and `pulumi up` see the wrapper, never what it creates, so every other policy of
the pack passes it. The same holds for aws-native resources: the pack judges pulumi-aws types, so
an aws-native bucket is judged by nothing. Such a resource is refused unless the pack's config
(reviewed, and read from the base branch by the pull-request workflow) allows it: a type in
`allowedTypes`, a Helm chart in `allowedHelmCharts`, a dynamic provider class in
`allowedDynamicProviders`.

Left out on purpose: resources that run code the program itself defines and the pack judges in
its own right (a Lambda function and its role, an `aws.lambda.Invocation` of it, EC2 user data
under the instance's role, SSM associations), and components whose children the engine registers
(pulumi-eks, awsx, `kubernetes:yaml` and `helm.v4.Chart`): each child is judged as any resource.
"""

from __future__ import annotations

import base64
import binascii
import pickletools
from typing import Any

from pulumi_policy import ResourceValidationArgs, Severity

from .helpers import get, matches_any
from .registry import Controls, Report, config_value, resource_policy

CHANGE_CONTROL = Controls(soc2=("CC8.1", "CC6.1"), iso27001=("A.8.32", "A.8.9"), pci=("6.5.1", "2.2.1"))

TEMPLATE_DEPLOYERS: dict[str, str] = {
    "aws:cloudformation/stack:Stack": "a CloudFormation template",
    "aws:cloudformation/stackSet:StackSet": "a CloudFormation template (into other accounts and Regions)",
    "aws:cloudformation/stackSetInstance:StackSetInstance": "a stack set's CloudFormation template",
    "aws:cloudformation/stackInstances:StackInstances": "a stack set's CloudFormation template",
    "aws:serverlessrepository/cloudFormationStack:CloudFormationStack": "a Serverless Application Repository template",
    "aws:servicecatalog/provisionedProduct:ProvisionedProduct": "a Service Catalog product's template",
    "aws:cloudcontrol/resource:Resource": "a Cloud Control desired state (any CloudFormation type)",
    "aws:elasticbeanstalk/environment:Environment": "Elastic Beanstalk's own instances, groups and load balancer",
}
"""Types that deploy resources from a definition the engine does not expand (type -> what)."""

COMMANDS: dict[str, str] = {
    "command:local:Command": "a shell command on the deploying machine, with its cloud credentials",
    "command:remote:Command": "a shell command on a remote host",
}
HELM_RELEASE = "kubernetes:helm.sh/v3:Release"
"""A Helm release is installed by the Kubernetes provider: the chart's objects never reach the
engine, so the Kubernetes policies (privileged pods, host access) never see them. `helm.v4.Chart`
and `helm.v3.Chart` are components whose objects are registered, and judged, one by one."""
DYNAMIC_PATTERNS = ("pulumi-python:dynamic*", "pulumi-nodejs:dynamic*")
"""Dynamic providers: `pulumi-python:dynamic:Resource`, or `pulumi-python:dynamic/<module>:<name>`
for a resource class that names its type (any program may pick any name)."""
AWS_NATIVE = "aws-native:*"

DEFAULT_HELM_CHARTS = [
    "https://kubernetes.github.io/autoscaler/cluster-autoscaler",
    "https://aws.github.io/eks-charts/aws-load-balancer-controller",
    "https://aws.github.io/eks-charts/aws-for-fluent-bit",
    "https://kubernetes-sigs.github.io/metrics-server/metrics-server",
    "https://prometheus-community.github.io/helm-charts/kube-prometheus-stack",
    "https://open-telemetry.github.io/opentelemetry-helm-charts/opentelemetry-collector",
]
"""The charts the platform library installs on EKS (pinned in its compute/eks/versions.py)."""
DEFAULT_DYNAMIC_PROVIDERS = [
    "secure_platform.spot.provider.SpotSelectionProvider",
    "components.spot.provider.SpotSelectionProvider",
]
"""The platform library's spot-selection provider, under its module path and the older one that
existing stack state names."""

CONFIG = {
    "allowedTypes": {
        "type": "array",
        "items": {"type": "string"},
        "default": [],
        "description": "Resource types (exact tokens or shell patterns such as 'aws-native:s3:*') allowed although the pack cannot judge what they create.",
    },
    "allowedHelmCharts": {
        "type": "array",
        "items": {"type": "string"},
        "default": DEFAULT_HELM_CHARTS,
        "description": "Helm charts a Release may install: '<repository URL>/<chart>', or the chart's oci:// reference or local path.",
    },
    "allowedDynamicProviders": {
        "type": "array",
        "items": {"type": "string"},
        "default": DEFAULT_DYNAMIC_PROVIDERS,
        "description": "Python dynamic provider classes ('module.Class') a dynamic resource may run; the provider must be pickled by reference to one of them and nothing else.",
    },
}

_STRING_OPS = frozenset(
    {"SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "UNICODE", "SHORT_BINSTRING", "BINSTRING", "STRING"}
)
_MEMO_PUTS = frozenset({"PUT", "BINPUT", "LONG_BINPUT"})
_MEMO_GETS = frozenset({"GET", "BINGET", "LONG_BINGET"})
_UNREADABLE = frozenset({"EXT1", "EXT2", "EXT4", "PERSID", "BINPERSID"})


def pickled_globals(payload: str) -> set[str] | None:
    """The `module.name` globals a base64 pickle refers to, read without unpickling it
    (`pickletools.genops` only parses); None when they cannot all be told (not base64, not a
    pickle, persistent ids or extension codes, or a global whose name is built at load time).

    The Python SDK serializes a dynamic provider with dill into the resource's `__provider` input
    (pulumi/dynamic/dynamic.py, `serialize_provider`): a class pickled by reference is one global;
    a provider pickled by value carries dill's code constructors (`dill._dill._create_code`)."""
    try:
        data = base64.b64decode(payload, validate=True)
        ops = list(pickletools.genops(data))
    except (binascii.Error, ValueError, TypeError):
        return None
    found: set[str] = set()
    memo: dict[int, Any] = {}
    recent: list[Any] = []
    """The values of the last pushes that matter to STACK_GLOBAL (strings; anything else is None)."""
    for op, arg, _ in ops:
        name = op.name
        if name in _UNREADABLE:
            return None
        if name == "GLOBAL":
            module, _, attribute = str(arg).partition(" ")
            found.add(f"{module}.{attribute}")
            recent.append(None)
        elif name == "STACK_GLOBAL":
            if len(recent) < 2 or not all(isinstance(v, str) for v in recent[-2:]):
                return None
            found.add(f"{recent[-2]}.{recent[-1]}")
            recent[-2:] = [None]
        elif name in _STRING_OPS:
            recent.append(arg.decode("utf-8", "replace") if isinstance(arg, bytes) else str(arg))
        elif name == "MEMOIZE":
            memo[len(memo)] = recent[-1] if recent else None
        elif name in _MEMO_PUTS:
            memo[int(str(arg))] = recent[-1] if recent else None
        elif name in _MEMO_GETS:
            recent.append(memo.get(int(str(arg))))
        elif name not in ("PROTO", "FRAME", "STOP"):
            recent.append(None)
    return found


def helm_chart(props: Any) -> str:
    """A Release's chart as '<repository URL>/<chart>' (or its oci:// reference or local path)."""
    chart = str(get(props, "chart") or "")
    repository = str(get(props, "repositoryOpts", "repo") or "").rstrip("/")
    if not repository or chart.startswith("oci://"):
        return chart
    return f"{repository}/{chart}"


def _opaque(args: ResourceValidationArgs, report: Report) -> None:
    kind = args.resource_type
    if matches_any(kind, config_value(args, "allowedTypes", [])):
        return
    what = f"{kind.split(':')[-1]} '{args.name}' ({kind})"
    allow = f"or allow the type in a reviewed change (allowedTypes: '{kind}')"
    if kind in TEMPLATE_DEPLOYERS:
        report(
            f"{what} deploys resources from {TEMPLATE_DEPLOYERS[kind]}, which no policy of the pack reads: "
            f"what it creates is never judged. Write those resources with pulumi-aws, {allow}."
        )
    elif kind in COMMANDS:
        report(f"{what} runs {COMMANDS[kind]}; what it changes is never judged. Use provider resources, {allow}.")
    elif kind == HELM_RELEASE:
        chart = helm_chart(args.props)
        allowed = config_value(args, "allowedHelmCharts", DEFAULT_HELM_CHARTS)
        if chart not in {str(c).rstrip("/") for c in allowed}:
            report(
                f"{what} installs the chart '{chart or '(none given)'}', whose objects the Kubernetes policies "
                "never see. Install a reviewed chart listed in allowedHelmCharts, add this one there after "
                "review, or deploy it with helm.v4.Chart so that each object is judged."
            )
    elif kind.startswith("aws-native:"):
        report(
            f"{what} is an aws-native resource: the pack judges pulumi-aws types, so no policy reads it. Use the "
            f"pulumi-aws type, {allow}."
        )
    else:
        _dynamic(args, what, allow, report)


def _dynamic(args: ResourceValidationArgs, what: str, allow: str, report: Report) -> None:
    allowed = set(config_value(args, "allowedDynamicProviders", DEFAULT_DYNAMIC_PROVIDERS))
    provider = get(args.props, "__provider")
    if not args.resource_type.startswith("pulumi-python:"):
        report(
            f"{what} runs a Node.js dynamic provider's code at deploy time, which no policy reads. Use provider resources, {allow}."
        )
        return
    references = pickled_globals(provider) if isinstance(provider, str) else None
    if references is None:
        report(
            f"{what} runs a dynamic provider whose serialized code cannot be read (its `__provider` is not a pickle "
            f"of named classes): what it does at deploy time is never judged. Use provider resources, {allow}."
        )
    elif not references or not references <= allowed:
        outside = ", ".join(sorted(references - allowed)) or "nothing named"
        report(
            f"{what} runs a dynamic provider that is not one of allowedDynamicProviders (its pickle refers to "
            f"{outside}); its deploy-time code is never judged. List a reviewed provider class there, {allow}."
        )


opaque_infrastructure = resource_policy(
    "no-infrastructure-hidden-from-the-pack",
    category="governance",
    description="No resource deploys infrastructure or runs code the pack cannot judge (CloudFormation stacks and stack sets, Service Catalog products, Cloud Control resources, Elastic Beanstalk environments, commands, unlisted Helm charts and dynamic providers, aws-native resources) unless the pack config allows it.",
    severity=Severity.HIGH,
    controls=CHANGE_CONTROL,
    remediation="Write the resources with pulumi-aws (or helm.v4.Chart for Kubernetes objects) so that every policy judges them; where that is not possible, allow the type, chart or provider class in this policy's config in a reviewed change.",
    validate=_opaque,
    types=(*TEMPLATE_DEPLOYERS, *COMMANDS, HELM_RELEASE, *DYNAMIC_PATTERNS, AWS_NATIVE),
    config=CONFIG,
)

POLICIES = [opaque_infrastructure]
