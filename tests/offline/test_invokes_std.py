"""pulumi-std (Terraform's functions as invokes) answered offline as the std provider computes them:
files beside the program, hashes, encodings, format, CIDR arithmetic; a file that is not there
fails the program at its own call site."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest

from offline_preview import ProgramError, run_program
from offline_preview.invokes import INVOKES


def std(name: str, **args: object) -> object:
    answer = INVOKES[f"std:index:{name}"](dict(args), "us-east-1")
    assert answer is not None
    return answer["result"]


def test_strings_hashes_and_encodings():
    assert std("base64encode", input="héllo") == base64.b64encode("héllo".encode()).decode()
    assert std("base64decode", input="aGk=") == "hi"
    assert std("sha256", input="x") == hashlib.sha256(b"x").hexdigest()
    assert std("base64sha256", input="x") == base64.b64encode(hashlib.sha256(b"x").digest()).decode()
    assert std("join", separator=", ", input=["a", 1, True]) == "a, 1, true"
    assert std("split", separator=",", text="a,b") == ["a", "b"]
    assert std("replace", text="a-b-c", search="-", replace="+") == "a+b+c"
    assert std("replace", text="v1.2", search="/v(\\d+)\\.(\\d+)/", replace="$2.$1") == "2.1"
    assert std("jsonencode", input={"a": [1, 2]}) == '{"a":[1,2]}'
    assert std("trimsuffix", input="name.txt", suffix=".txt") == "name"


def test_format_follows_terraforms_verbs():
    assert std("format", input="%s-%03d-%v-%q-%%", args=["a", 7, True, "x"]) == 'a-007-true-"x"-%'
    assert std("format", input="%.2f|%-4s|%4s|%x", args=[3.14159, "ab", "cd", 255]) == "3.14|ab  |  cd|ff"


def test_cidr_arithmetic():
    assert std("cidrsubnet", input="10.0.0.0/16", newbits=8, netnum=2) == "10.0.2.0/24"
    assert std("cidrhost", input="10.0.0.0/24", host=5) == "10.0.0.5"
    assert std("cidrhost", input="10.0.0.0/24", host=-2) == "10.0.0.254"
    assert std("cidrnetmask", input="10.0.0.0/20") == "255.255.240.0"
    with pytest.raises(ValueError, match="netnum 300"):
        std("cidrsubnet", input="10.0.0.0/16", newbits=8, netnum=300)


def test_files_are_read_beside_the_program_and_a_missing_one_fails_at_its_call(tmp_path: Path):
    (tmp_path / "Pulumi.yaml").write_text("name: std\nruntime: python\n")
    (tmp_path / "lambda.zip").write_bytes(b"PK\x03\x04 archive")
    (tmp_path / "__main__.py").write_text(
        "import pulumi\n"
        "import pulumi_aws as aws\n"
        "import pulumi_std as std\n"
        "\n"
        "digest = std.filebase64sha256(input='lambda.zip').result\n"
        "aws.s3.Bucket('b', tags={'digest': digest})\n"
        "if pulumi.Config().get_bool('missing'):\n"
        "    std.file(input='policy.json')\n"
    )
    cap = run_program(tmp_path, "dev")
    expected = base64.b64encode(hashlib.sha256(b"PK\x03\x04 archive").digest()).decode()
    assert cap.of_type("aws:s3/bucket:Bucket")[0].inputs["tags"] == {"digest": expected}
    assert cap.unknown_invokes == []
    with pytest.raises(ProgramError) as failed:
        run_program(tmp_path, "dev", config={"std:missing": True})
    assert "std:index:file failed" in str(failed.value) and "'policy.json'" in str(failed.value)
    assert failed.value.location == "__main__.py:8"


def test_what_terraform_does_at_the_edges():
    assert std("format", input="%s-%s", args=["a"]) == "a-%!s(MISSING)"  # never a hang
    assert std("format", input="%05d|%t", args=[-5, "false"]) == "-0005|false"
    assert std("format", input="%v", args=[[1.0, 2.0]]) == "[1,2]"  # numbers cross protobuf as doubles
    assert std("jsonencode", input={"port": 80.0, "b": [1.0, 2.5]}) == '{"b":[1,2.5],"port":80}'
    # Go's json.Marshal: UTF-8 as is, HTML characters escaped.
    assert std("jsonencode", input={"s": "café <a&b>"}) == '{"s":"café \\u003ca\\u0026b\\u003e"}'
    assert std("split", separator=",", text="") == [""]
    assert std("toset", input=["b", "a", "b"]) == ["b", "a"]
    assert std("replace", text="a1b", search="/(\\d)/", replace="${1}0$$") == "a10$b"
    assert std("replace", text="x", search="/x/", replace="C:\\dir") == "C:\\dir"
    assert std("cidrsubnet", input="10.0.0.0/8", newbits=24, netnum=16777215) == "10.255.255.255/32"
    assert std("cidrsubnet", input="fd00::/48", newbits=16, netnum=65535) == "fd00:0:0:ffff::/64"


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("lookup", {"map": {"a": 1}, "key": "b"}),
        ("base64decode", {"input": "aGk=$$"}),
        ("element", {"input": [], "index": 0}),
        ("replace", {"text": "x", "search": "/(/", "replace": ""}),
    ],
)
def test_an_answer_that_fails_is_the_invokes_failure_with_its_name(name, args):
    from pulumi.runtime.mocks import MockCallArgs

    from offline_preview.mocks import PlatformMocks
    from offline_preview.program_guard import InvokeError

    mocks = PlatformMocks(region="us-east-1")
    with pytest.raises(InvokeError, match=f"invoke std:index:{name} failed"):
        mocks.call(MockCallArgs(token=f"std:index:{name}", args=args, provider=""))


def test_call_sites_match_although_numbers_cross_as_doubles(tmp_path: Path):
    (tmp_path / "Pulumi.yaml").write_text("name: std\nruntime: python\n")
    (tmp_path / "__main__.py").write_text(
        "import pulumi_aws as aws\n"
        "import pulumi_std as std\n"
        "\n"
        "net = std.cidrsubnet_output(input='10.0.0.0/16', newbits=8, netnum=300)\n"
        "aws.s3.Bucket('b', tags={'net': net.result})\n"
    )
    with pytest.raises(ProgramError) as failed:
        run_program(tmp_path, "dev")
    assert "netnum 300" in str(failed.value) and failed.value.location == "__main__.py:4"
