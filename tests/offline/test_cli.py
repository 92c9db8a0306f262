"""The command line: exit codes, JSON shape, Markdown comment, clean error messages."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from offline_preview.cli import default_policy_pack, main
from offline_preview.mocks import UNKNOWN

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
MINIMAL = EXAMPLES / "minimal_program"
INSECURE = EXAMPLES / "insecure_program"
STACK_REFERENCE = EXAMPLES / "stack_reference_program"
PACK = EXAMPLES / "test_pack"


def _run(*args: str) -> int:
    return main(["test", "--program", str(MINIMAL), "--policy-pack", str(PACK), "--quiet", *args])


def test_clean_program_exits_0_and_writes_the_documented_json(tmp_path):
    out = tmp_path / "out.json"
    assert _run("--json", str(out)) == 0
    doc = json.loads(out.read_text())
    assert set(doc) >= {"stack", "project", "resources", "policy", "outputs"}
    assert doc["stack"] == "test" and doc["project"] == "minimal"
    resource = doc["resources"][0]
    assert set(resource) >= {
        "urn",
        "id",
        "type",
        "name",
        "parent",
        "dependencies",
        "provider",
        "protect",
        "custom",
        "remote",
        "inputs",
        "outputs",
    }
    assert set(doc["policy"]) >= {"policiesRun", "violations"}
    violation = doc["policy"]["violations"][0]
    assert set(violation) == {"policy", "enforcement", "severity", "urn", "message"}
    assert doc["outputs"]["token"] == "[secret]"
    assert "[secret]" in json.dumps(doc) and "AAABAKxhbXBsZS1jaXBoZXJ0ZXh0" not in json.dumps(doc)


def test_mandatory_violation_exits_1_and_markdown_lists_it(tmp_path):
    cfg = tmp_path / "Pulumi.test.yaml"
    cfg.write_text("config:\n  aws:region: eu-west-1\n  minimal:bucketPrefix: other\n  minimal:apiToken: x\n")
    md = tmp_path / "comment.md"
    assert _run("--config", str(cfg), "--markdown", str(md)) == 1
    text = md.read_text()
    assert ":x:" in text and "`bucket-prefix`" in text and "mandatory" in text


def test_bad_arguments_and_bad_files_exit_2_without_traceback(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "offline_preview", "test", "--program", str(tmp_path / "nope")],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert proc.returncode == 2
    assert "program directory not found" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert main(["test", "--bogus"]) == 2


def _copy_pack(target: Path) -> Path:
    shutil.copytree(PACK, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def test_policy_config_from_the_pack_config_dir_by_default(tmp_path):
    """Without --policy-config, <pack>/config/<stack>.json is used when it exists, else none."""
    pack = _copy_pack(tmp_path / "pack")
    base = ["test", "--program", str(MINIMAL), "--policy-pack", str(pack), "--quiet"]
    assert main(base) == 0  # no config/test.json: the schema default prefix "example" matches
    (pack / "config").mkdir()
    (pack / "config" / "test.json").write_text(json.dumps({"bucket-prefix": {"prefix": "nomatch"}}))
    assert main(base) == 1  # picked up without being named
    (pack / "config" / "test.json").write_text(json.dumps({"bucket-prefix": {"prefix": "example"}}))
    assert main(base) == 0


def test_an_explicit_policy_config_must_exist(tmp_path):
    cfg = tmp_path / "policy.json"
    cfg.write_text(json.dumps({"bucket-prefix": {"prefix": "nomatch"}}))
    assert _run("--policy-config", str(cfg)) == 1
    assert _run("--policy-config", str(tmp_path / "missing.json")) == 2


def test_the_repository_pack_judges_a_foreign_program_by_default(monkeypatch, tmp_path):
    """--policy-pack defaults to the program's own policies/ if it is a pack, else ./policies."""
    monkeypatch.chdir(REPO)
    out = tmp_path / "out.json"
    assert main(["test", "--program", str(INSECURE), "--quiet", "--json", str(out)]) == 1
    assert (
        json.loads(out.read_text())["policy"]["pack"] == "aws-platform-guardrails"
    )  # policies/, the repository's pack
    assert default_policy_pack(INSECURE) == REPO / "policies"
    # A program that ships its own pack is judged by it, not by the one of the current directory.
    program = tmp_path / "own"
    shutil.copytree(MINIMAL, program, ignore=shutil.ignore_patterns("__pycache__"))
    _copy_pack(program / "policies")
    assert main(["test", "--program", str(program), "--quiet", "--json", str(out)]) == 0
    assert json.loads(out.read_text())["policy"]["pack"] == "test-pack"
    # Nowhere a pack: none runs.
    monkeypatch.chdir(tmp_path)
    assert default_policy_pack(MINIMAL) is None
    assert main(["test", "--program", str(MINIMAL), "--quiet", "--json", str(out)]) == 0
    assert json.loads(out.read_text())["policy"] is None


def test_an_unknown_stack_names_the_stacks_that_exist(capsys):
    assert main(["nosuch", "--program", str(REPO), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"no Pulumi.nosuch.yaml in {REPO}" in " ".join(err.split())
    assert "(stacks: dev, prod, staging)" in err
    assert "required but missing" not in err and "Traceback" not in err


def test_stack_references_are_answered_from_stack_outputs(tmp_path, capsys):
    """A StackReference previews offline: a stack not given has unknown outputs in preview (none
    under --mode up) and is listed as not covered; --stack-outputs answers it."""
    out = tmp_path / "out.json"
    base = ["test", "--program", str(STACK_REFERENCE), "--no-policy", "--quiet", "--json", str(out)]
    assert main(base) == 0
    doc = json.loads(out.read_text())
    assert doc["outputs"]["vpcId"] == UNKNOWN
    assert doc["unansweredStackReferences"] == ["acme/network/test"]
    [ref] = [r for r in doc["resources"] if r["type"] == "pulumi:pulumi:StackReference"]
    assert ref["id"] == "acme/network/test"
    assert main([*base, "--mode", "up"]) == 0
    doc = json.loads(out.read_text())
    assert doc["outputs"].get("vpcId") is None and doc["unansweredStackReferences"] == ["acme/network/test"]
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps({"acme/network/test": {"vpcId": "vpc-0123456789abcdef0"}}))
    assert main([*base, "--stack-outputs", str(outputs)]) == 0
    doc = json.loads(out.read_text())
    assert doc["outputs"]["vpcId"] == "vpc-0123456789abcdef0" and "unansweredStackReferences" not in doc
    [group] = [r for r in doc["resources"] if r["type"] == "aws:ec2/securityGroup:SecurityGroup"]
    assert group["inputs"]["vpcId"] == "vpc-0123456789abcdef0"
    outputs.write_text("[1]")
    assert main([*base, "--stack-outputs", str(outputs)]) == 2
    assert "expected a JSON object of stack name" in capsys.readouterr().err


def test_a_stack_reference_without_outputs_is_named_in_every_format(tmp_path, capsys):
    md = tmp_path / "report.md"
    args = ["test", "--program", str(STACK_REFERENCE), "--no-policy", "--markdown", str(md)]
    assert main(args) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "Not covered: stack references without outputs: 1" in text
    assert "Stack references without outputs: acme/network/test (outputs unknown in this preview" in text
    assert "acme/network/test (outputs unknown in this preview; --stack-outputs FILE gives them)" in md.read_text()


def test_require_output_of_a_given_stack_without_that_output_is_a_program_error(tmp_path, capsys):
    program = tmp_path / "program"
    program.mkdir()
    (program / "Pulumi.yaml").write_text("name: app\nruntime: python\n")
    (program / "__main__.py").write_text(
        "import pulumi\nimport pulumi_aws as aws\n"
        "net = pulumi.StackReference('acme/network/test')\n"
        "aws.s3.Bucket('b', bucket=net.require_output('bucketName'))\n"
    )
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps({"acme/network/test": {"vpcId": "vpc-1"}}))
    out = tmp_path / "out.json"
    args = ["test", "--program", str(program), "--no-policy", "--quiet", "--json", str(out)]
    assert main([*args, "--stack-outputs", str(outputs)]) == 2
    err = capsys.readouterr().err
    assert "KeyError" in err and "bucketName" in err and "--stack-outputs" in err
    assert "never awaited" not in err and "Traceback" not in err
    assert json.loads(out.read_text())["error"]
    # Not given at all, the same program previews: the output is unknown, as nothing offline knows it.
    assert main(args) == 0
    assert json.loads(out.read_text())["unansweredStackReferences"] == ["acme/network/test"]


def test_terminal_report_renders(capsys):
    assert main(["test", "--program", str(MINIMAL), "--policy-pack", str(PACK)]) == 0
    out = capsys.readouterr().out
    assert "Offline preview" in out and "owner-tag" in out and "Resources by type" in out


def test_a_failure_of_the_tool_itself_exits_2_with_reports_never_1(tmp_path, capsys, monkeypatch):
    import offline_preview.cli as cli

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "preview", broken)
    out = tmp_path / "out.json"
    assert main(["test", "--program", str(MINIMAL), "--no-policy", "--json", str(out)]) == 2
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: boom" in err and "Traceback" not in err
    assert json.loads(out.read_text())["error"]["kind"] == "internal"


def test_a_failure_while_rendering_the_report_is_also_an_internal_error(capsys, monkeypatch):
    import offline_preview.cli as cli

    def broken(*args, **kwargs):
        raise ValueError("cannot render")

    monkeypatch.setattr(cli, "print_terminal", broken)
    assert main(["test", "--program", str(MINIMAL), "--no-policy"]) == 2
    assert "internal error: ValueError: cannot render" in capsys.readouterr().err


def test_a_missing_required_config_value_names_the_key_the_call_and_where_to_set_it(tmp_path, capsys):
    program = tmp_path / "program"
    program.mkdir()
    (program / "Pulumi.yaml").write_text("name: app\nruntime: python\n")
    (program / "__main__.py").write_text(
        "import pulumi\nimport pulumi_aws as aws\n\nsecret = pulumi.Config().require_secret('dbPassword')\n"
        "aws.s3.Bucket('b')\n"
    )
    (program / "Pulumi.dev.yaml").write_text("config:\n  aws:region: us-east-1\n")
    out = tmp_path / "out.json"
    assert main(["dev", "--program", str(program), "--no-policy", "--quiet", "--json", str(out)]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "missing required configuration variable 'app:dbPassword' (required at __main__.py:4)" in err
    assert "under `config:` in Pulumi.dev.yaml" in err and "pulumi config set --secret app:dbPassword" in err
    assert json.loads(out.read_text())["error"]["kind"] == "configuration"


def test_a_config_value_of_the_wrong_type_names_the_programs_line(tmp_path, capsys):
    program = tmp_path / "program"
    program.mkdir()
    (program / "Pulumi.yaml").write_text("name: app\nruntime: python\n")
    (program / "__main__.py").write_text("import pulumi\n\ncount = pulumi.Config().require_int('count')\n")
    (program / "Pulumi.dev.yaml").write_text("config:\n  app:count: three\n")
    assert main(["dev", "--program", str(program), "--no-policy", "--quiet"]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "'app:count' value 'three' is not a valid 'int' (at __main__.py:3)" in err
