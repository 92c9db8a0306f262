"""Preview semantics: what `pulumi preview` gives a program, and the event-loop fix.

Under the engine's preview the provider knows a new resource's inputs and the name it autonames,
and computes its id, ARN and endpoints only on create: those are unknown, and `.apply` on them does
not run. Remote components are never their inputs echoed back; invokes answer in both modes.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pulumi
import pulumi_aws as aws

from offline_preview import run_program
from offline_preview.capture import UNKNOWN

REGION = {"aws:region": "eu-west-1"}


def test_applies_on_provider_computed_outputs_do_not_run_in_preview(tmp_path: Path) -> None:
    ran: list[str] = []

    def program() -> None:
        bucket = aws.s3.Bucket("logs", tags={"team": "a"})
        bucket.arn.apply(lambda arn: ran.append(f"arn {arn}"))
        bucket.tags.apply(lambda tags: ran.append(f"tags {tags}"))
        bucket.bucket.apply(lambda name: ran.append(f"name {name}"))
        pulumi.export("arn", bucket.arn)
        pulumi.export("dry", pulumi.runtime.is_dry_run())

    cap = run_program(tmp_path, "dev", config=REGION, program=program)
    # Inputs and the autonamed bucket name are known; the ARN is not, and its apply never ran.
    assert sorted(r.split()[0] for r in ran) == ["name", "tags"]
    assert cap.outputs == {"arn": UNKNOWN, "dry": True}
    [bucket] = cap.of_type("aws:s3/bucket:Bucket")
    assert bucket.id == "" and bucket.outputs["arn"] == UNKNOWN
    assert bucket.outputs["bucket"].startswith("logs-")

    ran.clear()
    up = run_program(tmp_path, "dev", config=REGION, program=program, mode="up")
    assert sorted(r.split()[0] for r in ran) == ["arn", "name", "tags"]
    assert up.outputs["arn"].startswith("arn:aws:s3:::logs-") and up.outputs["dry"] is False


def test_unmodelled_types_get_their_sdk_computed_outputs(tmp_path: Path) -> None:
    def program() -> None:
        api = aws.apigateway.RestApi("api")
        pulumi.export("execution", api.execution_arn)

    cap = run_program(tmp_path, "dev", config=REGION, program=program)
    [api] = cap.of_type("aws:apigateway/restApi:RestApi")
    assert api.outputs["executionArn"] == UNKNOWN and api.outputs["rootResourceId"] == UNKNOWN
    up = run_program(tmp_path, "dev", config=REGION, program=program, mode="up")
    assert up.outputs["execution"].startswith("arn:aws:apigateway:eu-west-1:123456789012:")


def test_a_policy_document_given_as_an_object_reads_back_as_its_json_text(tmp_path: Path) -> None:
    """pulumi-aws takes `iam.PolicyDocumentArgs` where it takes a JSON text, and its Check turns the
    object into the text (`tfbridge.TransformJSONDocument`): the program reads a string back (the
    SDK's output type), with the keys sorted and the numbers as written; an unknown part makes the
    whole text unknown in preview. The captured input stays the object the program sent."""
    read: list[str] = []
    version = aws.iam.PolicyDocumentVersion.POLICY_DOCUMENT_VERSION_2012_10_17
    trust = aws.iam.PolicyDocumentArgs(
        version=version,
        statement=[
            aws.iam.PolicyStatementArgs(
                effect=aws.iam.PolicyStatementEffect.ALLOW,
                action="sts:AssumeRole",
                principal=aws.iam.ServicePrincipalArgs(service="lambda.amazonaws.com"),
            )
        ],
    )

    def program() -> None:
        role = aws.iam.Role("fn", assume_role_policy=trust)
        role.assume_role_policy.apply(read.append)
        queue = aws.sqs.Queue("jobs")
        policy = aws.sqs.QueuePolicy(
            "jobs",
            queue_url=queue.url,
            # A plain dict, as programs often write it (the SDK types it as sqs's own PolicyDocumentArgs).
            policy={  # pyright: ignore[reportArgumentType]
                "Version": "2012-10-17",
                "Statement": [{"Action": "sqs:SendMessage", "Effect": "Deny", "Principal": "*", "Resource": queue.arn}],
            },
        )
        pulumi.export("queue_policy", policy.policy)

    for mode in ("preview", "up"):
        read.clear()
        cap = run_program(tmp_path, "dev", config=REGION, program=program, mode=mode)
        assert read == [
            '{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow",'
            '"Principal":{"Service":"lambda.amazonaws.com"}}],"Version":"2012-10-17"}'
        ]
        [role] = cap.of_type("aws:iam/role:Role")
        assert role.inputs["assumeRolePolicy"]["Statement"][0]["Action"] == "sts:AssumeRole"
        if mode == "preview":
            assert cap.outputs["queue_policy"] == UNKNOWN  # the queue's ARN is not known yet
        else:
            assert cap.outputs["queue_policy"].startswith(
                '{"Statement":[{"Action":"sqs:SendMessage","Effect":"Deny","Principal":"*","Resource":"arn:aws:sqs:'
            )


def test_a_resource_read_with_get_is_known_in_preview(tmp_path: Path) -> None:
    """The engine reads an existing resource (`Bucket.get(name, id)`) during a preview too: its id
    and properties are known, unlike those of a resource about to be created."""
    seen: list[str] = []

    def program() -> None:
        existing = aws.s3.Bucket.get("existing", "legacy-assets")
        existing.id.apply(seen.append)
        pulumi.export("arn", existing.arn)

    cap = run_program(tmp_path, "dev", config=REGION, program=program)
    assert seen == ["legacy-assets"]
    assert cap.outputs["arn"] != UNKNOWN and cap.outputs["arn"].startswith("arn:aws:s3:::")
    [read] = cap.of_type("aws:s3/bucket:Bucket")
    assert read.read and read.id == "legacy-assets"


class Widget(pulumi.ComponentResource):
    """A multi-language component: one remote registration, children only in its own provider."""

    def __init__(self, name: str) -> None:
        super().__init__("acme:index:Widget", name, {"natGateways": {"strategy": "Single"}, "vpcId": None}, remote=True)


def test_remote_components_never_echo_their_inputs(tmp_path: Path) -> None:
    def program() -> None:
        widget = Widget("w")
        pulumi.export("nat", getattr(widget, "natGateways"))  # noqa: B009 - an output the SDK sets

    for mode in ("preview", "up"):
        cap = run_program(tmp_path, "dev", config=REGION, program=program, mode=mode)
        assert cap.outputs["nat"] in (UNKNOWN, None), mode
        modelled, not_expanded = cap.remote_components()
        assert modelled == [] and [r.type for r in not_expanded] == ["acme:index:Widget"]


def test_resource_outputs_of_a_remote_component_are_children_in_up_and_unknown_in_preview(tmp_path: Path) -> None:
    import pulumi_awsx as awsx
    import pulumi_eks as eks

    def program() -> None:
        alb = awsx.lb.ApplicationLoadBalancer("lb", listener=awsx.lb.ListenerArgs(port=80))
        vpc = awsx.ec2.Vpc("vpc")
        # pulumi-eks node groups: their outputs are resources of modules the program never imports
        # (cloudformation.Stack, autoscaling.Group), read on the monitor's threads.
        cluster = eks.Cluster("k8s", skip_default_node_group=True)
        eks.NodeGroup("ng", cluster=cluster, instance_type="t3.medium")
        eks.NodeGroupV2("ng2", cluster=cluster, instance_type="t3.medium")
        pulumi.export("dns", alb.load_balancer.dns_name)
        pulumi.export("subnet", vpc.private_subnets.apply(lambda subnets: subnets[0].id))

    up = run_program(tmp_path, "dev", config=REGION, program=program, mode="up")
    assert up.outputs["dns"].endswith(".elb.amazonaws.com")
    assert up.outputs["subnet"].startswith("subnet-")
    # A child the reference names is no registration: dependencies on it point at its component.
    urns = {r.urn for r in up.resources} | {up.stack_urn}
    assert all(u in urns for r in up.resources for u in r.dependencies)
    preview = run_program(tmp_path, "dev", config=REGION, program=program, mode="preview")
    assert preview.outputs["dns"] == UNKNOWN and preview.outputs["subnet"] == UNKNOWN


def test_up_gives_every_computed_output_a_value_also_for_types_with_their_own_model(tmp_path: Path) -> None:
    def program() -> None:
        server = aws.ec2.Instance("web", ami="ami-0abcdef1234567890", instance_type="t3.micro")
        site = aws.s3.BucketV2("site")
        pulumi.export("url", pulumi.Output.concat("http://", server.public_ip, "/"))
        pulumi.export("dns", server.private_dns)
        pulumi.export("domain", site.bucket_regional_domain_name)

    up = run_program(tmp_path, "dev", config=REGION, program=program, mode="up")
    public = up.outputs["url"].removeprefix("http://").rstrip("/")
    assert ipaddress.ip_address(public).is_global is False  # documentation range (RFC 5737)
    assert public.startswith("203.0.113.") and up.outputs["dns"].endswith(".amazonaws.com")
    assert isinstance(up.outputs["domain"], str) and up.outputs["domain"]


def test_invokes_answer_real_region_values(tmp_path: Path) -> None:
    def program() -> None:
        azs = aws.get_availability_zones()
        ami = aws.ec2.get_ami(most_recent=True, owners=["amazon"], filters=[{"name": "name", "values": ["al2023-*"]}])
        vpc = aws.ec2.get_vpc(default=True)
        subnets = aws.ec2.get_subnets(filters=[{"name": "vpc-id", "values": [vpc.id]}])
        doc = aws.iam.get_policy_document(statements=[{"actions": ["s3:GetObject"], "resources": ["*"]}])
        aws.ec2.Instance("web", ami=ami.id, instance_type="t3.micro", subnet_id=subnets.ids[0])
        pulumi.export("azs", azs.names)
        pulumi.export("zoneIds", azs.zone_ids)
        pulumi.export("cidr", vpc.cidr_block)
        pulumi.export("doc", doc.json)

    cap = run_program(tmp_path, "dev", config={"aws:region": "us-west-1"}, program=program)
    assert cap.outputs["azs"] == ["us-west-1a", "us-west-1b"]
    assert cap.outputs["zoneIds"] == ["usw1-az3", "usw1-az1"]
    assert cap.outputs["cidr"] == "172.31.0.0/16"
    assert '"Action": "s3:GetObject"' in cap.outputs["doc"]
    [instance] = cap.of_type("aws:ec2/instance:Instance")
    assert instance.inputs["ami"].startswith("ami-") and instance.inputs["subnetId"].startswith("subnet-")
    assert cap.unknown_invokes == []


LOOP_PROGRAM = """
import pulumi
import pulumi_aws as aws

azs = aws.get_availability_zones()
vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
subnets = [
    aws.ec2.Subnet(f"s{i}", vpc_id=vpc.id, cidr_block=f"10.0.{i}.0/24", availability_zone=azs.names[i])
    for i in range(3)
]
role = aws.iam.Role("role", assume_role_policy="{}")
profile = aws.iam.InstanceProfile("profile", role=role)
bucket = aws.s3.Bucket("b")


def policy(arns):
    return aws.iam.get_policy_document(statements=[{"actions": ["s3:GetObject"], "resources": arns}]).json


aws.iam.RolePolicy("rp", role=role, policy=pulumi.Output.all(bucket.arn, role.arn, *[s.arn for s in subnets]).apply(policy))
ids = pulumi.Output.all(*[s.id for s in subnets])
aws.iam.Policy("p", policy=ids.apply(
    lambda i: aws.iam.get_policy_document_output(statements=[{"actions": ["ec2:*"], "resources": i}]).json
))
sg = aws.ec2.SecurityGroup("sg", vpc_id=vpc.id)
lb = aws.lb.LoadBalancer("lb", subnets=[s.id for s in subnets], security_groups=[sg])
tg = aws.lb.TargetGroup("tg", port=80, protocol="HTTP", vpc_id=vpc.id)
aws.lb.Listener("l", load_balancer_arn=lb, port=80, default_actions=[{"type": "forward", "target_group_arn": tg.arn}])
pulumi.export("x", pulumi.Output.all(lb.dns_name, profile.name).apply(lambda a: "/".join(str(x) for x in a)))
"""


def test_resources_as_inputs_never_fail_with_another_event_loop(tmp_path: Path) -> None:
    """Resources passed as inputs, `Output.all` across them and invokes awaited inside applies,
    100 times in one process (this failed about one run in three before the fix)."""
    (tmp_path / "Pulumi.yaml").write_text("name: loopy\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  aws:region: eu-west-1\n")
    (tmp_path / "__main__.py").write_text(LOOP_PROGRAM)
    failures = []
    for i in range(100):
        try:
            cap = run_program(tmp_path, "dev", mode="up")  # up: every apply runs
            assert len(cap.resources) == 13 and "/" in cap.outputs["x"]
        except Exception as exc:  # noqa: BLE001 - collected, asserted below
            failures.append(f"run {i}: {exc}")
    assert failures == []
