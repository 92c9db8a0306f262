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
    assert std("split", separator=",", text="a,b") == ["a", "b"] and std("split", separator=",", text="") == []
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
