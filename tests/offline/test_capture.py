"""The capture engine records what the engine would see, on a program that is not ours."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import weakref
from pathlib import Path

import pytest

from offline_preview import ProgramError, UserError, run_program
from offline_preview import capture as capture_module
from offline_preview.capture import close_current_event_loop
from offline_preview.capturing_monitor import WORKER_LOOPS
from tests.stack_runs import stack_capture

MINIMAL = Path(__file__).resolve().parent.parent / "examples" / "minimal_program"
REPO = Path(__file__).resolve().parents[2]
BUCKET = "aws:s3/bucket:Bucket"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"


@pytest.fixture(scope="module")
def capture():
    return run_program(MINIMAL, "test", mode="up")


def test_records_type_name_parent_and_urn(capture):
    bucket = capture.of_type(BUCKET)[0]
    # As the engine names it: a top-level resource's type without the root stack's.
    assert bucket.urn == "urn:pulumi:test::minimal::aws:s3/bucket:Bucket::data"
    assert bucket.parent == capture.stack_urn
    assert bucket.custom and not bucket.remote


def test_urns_carry_every_parent_type_as_the_engine_gives_them():
    capture = stack_capture("dev", "preview")
    (bucket,) = [r for r in capture.of_type(BUCKET) if r.name == "state"]
    assert bucket.urn == (
        "urn:pulumi:dev::platform::platform:index:BackendState$platform:index:SecureBucket$aws:s3/bucket:Bucket::state"
    )
    for r in capture.resources:
        parent = capture.by_urn().get(r.parent or "")
        expected = r.type if parent is None else f"{parent.urn.split('::')[2]}${r.type}"
        assert r.urn.split("::")[2] == expected, r.urn


def test_inputs_are_camel_case_as_crossguard_sees_them(capture):
    sse = capture.of_type(SSE)[0]
    rule = sse.inputs["rules"][0]["applyServerSideEncryptionByDefault"]
    assert rule["sseAlgorithm"] == "aws:kms"
    assert rule["kmsMasterKeyId"].startswith("arn:aws:kms:eu-west-1:123456789012:key/")


def test_dependencies_and_property_dependencies_are_urns(capture):
    sse = capture.of_type(SSE)[0]
    bucket = capture.of_type(BUCKET)[0]
    key = capture.of_type("aws:kms/key:Key")[0]
    assert set(sse.dependencies) == {bucket.urn, key.urn}
    assert sse.property_dependencies["bucket"] == [bucket.urn]


def test_outputs_are_realistic_for_the_stack_region(capture):
    bucket = capture.of_type(BUCKET)[0]
    assert bucket.outputs["bucket"].startswith("example-")
    assert bucket.outputs["arn"] == f"arn:aws:s3:::{bucket.outputs['bucket']}"
    assert bucket.outputs["bucketRegionalDomainName"].endswith(".s3.eu-west-1.amazonaws.com")


def test_policy_document_invoke_renders_real_iam_json(capture):
    policy = json.loads(capture.of_type("aws:iam/rolePolicy:RolePolicy")[0].inputs["policy"])
    bucket_arn = capture.of_type(BUCKET)[0].outputs["arn"]
    assert policy == {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{bucket_arn}/*"}],
    }


def test_secrets_are_masked_in_inputs_and_stack_outputs(capture):
    version = capture.of_type("aws:secretsmanager/secretVersion:SecretVersion")[0]
    assert version.secret_paths == ["secretString"]
    assert version.masked_inputs()["secretString"] == "[secret]"
    assert capture.outputs["token"] == "[secret]"
    assert capture.secret_outputs == ["token"]
    assert capture.outputs["bucketName"] == capture.of_type(BUCKET)[0].outputs["bucket"]


def test_runs_are_deterministic_and_isolated(capture):
    again = run_program(MINIMAL, "test", mode="up")
    assert [(r.urn, r.id, r.inputs) for r in again.resources] == [(r.urn, r.id, r.inputs) for r in capture.resources]
    other = run_program(MINIMAL, "test", config={"minimal:skipEncryption": True}, mode="up")
    assert not other.of_type(SSE)
    assert len(other.resources) == len(capture.resources) - 1


def test_leaves_no_files_behind(tmp_path):
    before = subprocess.run(
        ["git", "status", "--porcelain", "--ignored", str(MINIMAL)], capture_output=True, text=True, check=True
    ).stdout
    run_program(MINIMAL, "test")
    after = subprocess.run(
        ["git", "status", "--porcelain", "--ignored", str(MINIMAL)], capture_output=True, text=True, check=True
    ).stdout
    assert after == before
    assert not list(MINIMAL.rglob("__pycache__"))


def test_missing_required_config_is_a_user_error_and_registers_nothing(tmp_path):
    stack_file = tmp_path / "Pulumi.test.yaml"
    stack_file.write_text("config:\n  aws:region: eu-west-1\n")
    with pytest.raises(UserError) as err:
        run_program(MINIMAL, "test", config_file=stack_file)
    assert "bucketPrefix" in str(err.value)
    assert err.value.capture.resources == []


def test_a_stack_without_a_stack_file_is_a_user_error_naming_the_stacks():
    with pytest.raises(UserError) as err:
        run_program(MINIMAL, "nonexistent-stack")
    assert str(err.value).startswith(f"no Pulumi.nonexistent-stack.yaml in {MINIMAL} (stacks: test)")


def test_program_exception_is_reported_with_its_location(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: broken\nruntime: python\n")
    (tmp_path / "__main__.py").write_text("import pulumi\n\nraise ValueError('boom')\n")
    with pytest.raises(ProgramError) as err:
        run_program(tmp_path, "dev")
    assert "ValueError: boom" in str(err.value)
    assert "__main__.py:3" in str(err.value)


def test_unanswered_invokes_are_listed_with_the_programs_call_site(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: inv\nruntime: python\n")
    (tmp_path / "__main__.py").write_text(
        "import pulumi_aws as aws\n"
        "\n"
        "vpc = aws.ec2.get_vpc(default=True)\n"
        "offering = aws.ec2.get_instance_type(instance_type='t3.micro')\n"
        "aws.s3.Bucket('b', tags={'vpc': vpc.id, 'type': offering.id})\n"
    )
    cap = run_program(tmp_path, "dev", config={"aws:region": "us-west-2"})
    assert cap.unknown_invokes == ["aws:ec2/getInstanceType:getInstanceType"]
    assert cap.invoke_sites == {"aws:ec2/getInstanceType:getInstanceType": ["__main__.py:4"]}
    tags = cap.of_type(BUCKET)[0].inputs["tags"]
    assert tags["vpc"].startswith("vpc-")  # answered: the default VPC
    assert isinstance(tags["type"], str) and tags["type"]  # unanswered, but typed: never a silent {}


def test_an_unanswered_invoke_gives_one_placeholder_element_for_a_list_of_nested_results(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: inv\nruntime: python\n")
    (tmp_path / "__main__.py").write_text(
        "import pulumi\n"
        "import pulumi_aws as aws\n"
        "import pulumi_tls as tls\n"
        "\n"
        "cert = tls.get_certificate(url='https://oidc.example.com')\n"
        "pools = aws.ec2.get_coip_pools()\n"
        "aws.iam.OpenIdConnectProvider('oidc', url='https://oidc.example.com', client_id_lists=['sts.amazonaws.com'],\n"
        "    thumbprint_lists=[cert.certificates[0].sha1_fingerprint])\n"
        "pulumi.export('first', pools.pool_ids[0])\n"
        "pulumi.export('filters', pools.filters)\n"
        "pulumi.export('version', cert.certificates[0].version)\n"
    )
    cap = run_program(tmp_path, "dev", config={"aws:region": "us-east-1"})
    assert sorted(cap.unknown_invokes) == [
        "aws:ec2/getCoipPools:getCoipPools",
        "tls:index/getCertificate:getCertificate",
    ]
    assert cap.invoke_sites["tls:index/getCertificate:getCertificate"] == ["__main__.py:5"]
    (provider,) = cap.of_type("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
    (thumbprint,) = provider.inputs["thumbprintLists"]
    assert isinstance(thumbprint, str) and thumbprint  # a placeholder of the nested result's shape
    assert cap.outputs.get("version") is None  # numbers have no honest placeholder (None is not exported)
    # An argument the provider only echoes back is not made up when the program left it out.
    assert isinstance(cap.outputs["first"], str) and cap.outputs.get("filters") is None


def test_published_ids_and_account_lookups_are_answered_and_a_declined_call_keeps_its_own_site(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: inv\nruntime: python\n")
    (tmp_path / "__main__.py").write_text(
        "import pulumi\n"
        "import pulumi_aws as aws\n"
        "\n"
        "optimized = aws.cloudfront.get_cache_policy(name='Managed-CachingOptimized')\n"
        "cors = aws.cloudfront.get_origin_request_policy(name='CORS-S3Origin')\n"
        "headers = aws.cloudfront.get_response_headers_policy(name='Managed-SecurityHeadersPolicy')\n"
        "own = aws.cloudfront.get_cache_policy(name='team-policy')\n"
        "table = aws.ec2.get_route_table(subnet_id='subnet-0123456789abcdef0')\n"
        "origin = aws.ec2.get_prefix_list(name='com.amazonaws.global.cloudfront.origin-facing')\n"
        "vpcs = aws.ec2.get_vpcs()\n"
        "me = aws.iam.get_session_context(arn='arn:aws:sts::123456789012:assumed-role/deployer/ci')\n"
        "pulumi.export('ids', [optimized.id, cors.id, headers.id, table.route_table_id, origin.id, vpcs.ids[0]])\n"
        "pulumi.export('issuer', me.issuer_arn)\n"
        "aws.s3.Bucket('b', tags={'policy': own.id})\n"
    )
    cap = run_program(tmp_path, "dev", config={"aws:region": "us-east-1"})
    optimized, cors, headers, table, origin, vpc = cap.outputs["ids"]
    # AWS's published ids of its managed policies (CloudFront Developer Guide, managed policies).
    assert optimized == "658327ea-f89d-4fab-a63d-7e88639e58f6"
    assert cors == "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf"
    assert headers == "67f7725c-6f97-4210-82d7-5512b31e9d03"
    assert table.startswith("rtb-") and origin.startswith("pl-") and vpc.startswith("vpc-")
    assert cap.outputs["issuer"] == "arn:aws:iam::123456789012:role/deployer"
    # The account's own policy cannot be read offline: listed, at its own call only.
    assert cap.unknown_invokes == ["aws:cloudfront/getCachePolicy:getCachePolicy"]
    assert cap.invoke_sites == {"aws:cloudfront/getCachePolicy:getCachePolicy": ["__main__.py:7"]}


def _program_with_lib(directory: Path, value: str) -> Path:
    directory.mkdir()
    (directory / "Pulumi.yaml").write_text(f"name: {directory.name}\nruntime: python\n")
    (directory / "lib.py").write_text(f"VALUE = {value!r}\n")
    (directory / "__main__.py").write_text(
        "import pulumi\nimport pulumi_aws as aws\n\nimport lib\n\naws.s3.Bucket('b')\npulumi.export('value', lib.VALUE)\n"
    )
    return directory


def test_a_programs_modules_do_not_leak_into_another_with_the_same_names(tmp_path):
    first = _program_with_lib(tmp_path / "first", "one")
    second = _program_with_lib(tmp_path / "second", "two")
    assert run_program(first, "dev").outputs["value"] == "one"
    assert run_program(second, "dev").outputs["value"] == "two"
    assert run_program(first, "dev").outputs["value"] == "one"


def test_a_program_never_gets_a_module_another_program_brought(tmp_path):
    with_lib = _program_with_lib(tmp_path / "with_lib", "one")
    without = tmp_path / "without"
    without.mkdir()
    (without / "Pulumi.yaml").write_text("name: without\nruntime: python\n")
    (without / "__main__.py").write_text("import pulumi_aws as aws\n\nimport lib\n\naws.s3.Bucket('b')\n")
    assert run_program(with_lib, "dev").outputs["value"] == "one"
    with pytest.raises(ProgramError, match="No module named 'lib'"):
        run_program(without, "dev")
    assert run_program(with_lib, "dev").outputs["value"] == "one"


def test_an_sdk_in_a_programs_own_virtualenv_stays_imported_for_the_next_program(tmp_path):
    """A project's virtualenv usually sits in its directory (Pulumi.yaml `virtualenv: venv`): the
    SDK modules loaded from there belong to no one program, and importing one again for the next
    program breaks the SDKs (a provider package may be registered only once per process)."""
    site = tmp_path / "first" / "venv" / "lib" / "python3.11" / "site-packages"
    (site / "registering_sdk").mkdir(parents=True)
    (site / "registering_sdk" / "__init__.py").write_text(
        "import os\nos.environ['REGISTERING_SDK_IMPORTS'] = str(int(os.environ.get('REGISTERING_SDK_IMPORTS', '0')) + 1)\n"
    )
    main = (
        f"import sys\nsys.path.insert(0, {str(site)!r})\n"
        "import pulumi\nimport pulumi_aws as aws\nimport registering_sdk\n\naws.s3.Bucket('b')\n"
    )
    for name in ("first", "second"):
        (tmp_path / name).mkdir(exist_ok=True)
        (tmp_path / name / "Pulumi.yaml").write_text(f"name: {name}\nruntime: python\n")
        (tmp_path / name / "__main__.py").write_text(main)
    os.environ.pop("REGISTERING_SDK_IMPORTS", None)
    try:
        run_program(tmp_path / "first", "dev")
        run_program(tmp_path / "second", "dev")
        run_program(tmp_path / "first", "dev")
        assert os.environ["REGISTERING_SDK_IMPORTS"] == "1"
    finally:
        os.environ.pop("REGISTERING_SDK_IMPORTS", None)
        sys.modules.pop("registering_sdk", None)
        while str(site) in sys.path:
            sys.path.remove(str(site))


def test_transforms_change_what_is_registered_as_under_the_engine(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: tr\nruntime: python\n")
    (tmp_path / "__main__.py").write_text(
        "import pulumi\n"
        "import pulumi_aws as aws\n"
        "\n"
        "def widen(a):\n"
        "    if a.type_ == 'aws:iam/rolePolicy:RolePolicy':\n"
        "        return pulumi.ResourceTransformResult(props={**a.props, 'policy': '{\"Statement\": []}'}, opts=a.opts)\n"
        "\n"
        "def stack_wide(a):\n"
        "    seen = a.props.get('policy', '')\n"
        "    opts = pulumi.ResourceOptions.merge(a.opts, pulumi.ResourceOptions(protect=False))\n"
        "    return pulumi.ResourceTransformResult(props={**a.props, 'tags': {'seen': str(len(seen))}}, opts=opts)\n"
        "\n"
        "pulumi.runtime.register_resource_transform(stack_wide)\n"
        "aws.iam.RolePolicy('p', role='r', policy='{}', opts=pulumi.ResourceOptions(transforms=[widen]))\n"
        "aws.s3.Bucket('b', opts=pulumi.ResourceOptions(protect=True))\n"
    )
    cap = run_program(tmp_path, "dev", config={"aws:region": "us-east-1"})
    (policy,) = cap.of_type("aws:iam/rolePolicy:RolePolicy")
    (bucket,) = cap.of_type(BUCKET)
    assert policy.inputs["policy"] == '{"Statement": []}'  # the resource's own transform
    assert policy.inputs["tags"] == {"seen": "17"}  # then the stack's, on the first one's result
    assert bucket.protect is False and bucket.inputs["tags"] == {"seen": "0"}


def test_an_aws_managed_policy_looked_up_by_name_is_awss_and_the_accounts_own_is_unanswered(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: pol\nruntime: python\n")
    (tmp_path / "__main__.py").write_text(
        "import pulumi\n"
        "import pulumi_aws as aws\n"
        "\n"
        "admin = aws.iam.get_policy(name='AdministratorAccess')\n"
        "execution = aws.iam.get_policy(name='AmazonECSTaskExecutionRolePolicy')\n"
        "own = aws.iam.get_policy(name='team-boundary')\n"
        "pulumi.export('arns', [admin.arn, execution.arn])\n"
        "pulumi.export('admin', admin.policy)\n"
    )
    cap = run_program(tmp_path, "dev", config={"aws:region": "us-east-1"})
    assert cap.outputs["arns"] == [
        "arn:aws:iam::aws:policy/AdministratorAccess",
        "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
    ]
    assert '"Action": "*"' in cap.outputs["admin"]
    assert cap.invoke_sites == {"aws:iam/getPolicy:getPolicy": ["__main__.py:6"]}


def test_rerunning_a_program_keeps_its_classes_picklable_by_reference():
    # A fresh interpreter imports the library only through the program; the second run must see the
    # same classes the dynamic provider was pickled with (purging them after a run broke this).
    repo = Path(__file__).resolve().parents[2]
    code = (
        "from offline_preview import run_program\n"
        f"for _ in range(2): run_program({str(repo)!r}, 'staging')\n"
        "print('ok')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=repo, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "ok"


def test_regions_are_those_a_new_account_has_or_all_of_the_partition():
    from offline_preview.invokes import INVOKES

    regions = INVOKES["aws:index/getRegions:getRegions"]
    default = regions({}, "us-east-1")
    assert default is not None and len(default["names"]) == 17  # enabled in every new account
    assert "us-west-2" in default["names"] and "af-south-1" not in default["names"]
    every = regions({"allRegions": True}, "eu-west-1")
    assert every is not None and "af-south-1" in every["names"] and "cn-north-1" not in every["names"]
    china = regions({}, "cn-north-1")
    assert china is not None and china["names"] == ["cn-north-1", "cn-northwest-1"]


def test_the_event_loops_programs_ran_on_are_closed_at_exit_not_left_to_the_collector(monkeypatch):
    """Closed at exit, a loop's `__del__` has nothing to do at interpreter shutdown (where it could
    otherwise print an ignored exception after a clean run): the thread's own, and those the SDK's
    mock monitor opens on its worker threads, which it never closes."""
    seen: list[bool] = []
    workers: weakref.WeakSet[asyncio.AbstractEventLoop] = weakref.WeakSet()
    monkeypatch.setattr(capture_module, "WORKER_LOOPS", workers)  # not this process's real ones

    def in_thread() -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        worker = asyncio.new_event_loop()
        workers.add(worker)
        loop.run_until_complete(asyncio.sleep(0))
        close_current_event_loop()
        seen.extend([loop.is_closed(), worker.is_closed()])

    thread = threading.Thread(target=in_thread)
    thread.start()
    thread.join()
    assert seen == [True, True]


def test_the_monitor_remembers_the_loops_its_worker_threads_open(capture):
    assert capture.resources  # a program ran: the monitor answered from its worker threads
    assert any(not loop.is_closed() for loop in WORKER_LOOPS)
