"""The command line: exit codes, JSON shape, Markdown comment, clean error messages."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from offline_preview.cli import default_policy_pack, main

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
    """A StackReference previews offline: no outputs by default, or those of --stack-outputs."""
    out = tmp_path / "out.json"
    base = ["test", "--program", str(STACK_REFERENCE), "--no-policy", "--quiet", "--json", str(out)]
    assert main(base) == 0
    doc = json.loads(out.read_text())
    assert doc["outputs"].get("vpcId") is None
    [ref] = [r for r in doc["resources"] if r["type"] == "pulumi:pulumi:StackReference"]
    assert ref["id"] == "acme/network/test"
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps({"acme/network/test": {"vpcId": "vpc-0123456789abcdef0"}}))
    assert main([*base, "--stack-outputs", str(outputs)]) == 0
    doc = json.loads(out.read_text())
    assert doc["outputs"]["vpcId"] == "vpc-0123456789abcdef0"
    [group] = [r for r in doc["resources"] if r["type"] == "aws:ec2/securityGroup:SecurityGroup"]
    assert group["inputs"]["vpcId"] == "vpc-0123456789abcdef0"
    outputs.write_text("[1]")
    assert main([*base, "--stack-outputs", str(outputs)]) == 2
    assert "expected a JSON object of stack name" in capsys.readouterr().err


def test_terminal_report_renders(capsys):
    assert main(["test", "--program", str(MINIMAL), "--policy-pack", str(PACK)]) == 0
    out = capsys.readouterr().out
    assert "Offline preview" in out and "owner-tag" in out and "Resources by type" in out
