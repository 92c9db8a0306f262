"""The command line: exit codes, JSON shape, Markdown comment, clean error messages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from offline_preview.cli import main

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
MINIMAL = EXAMPLES / "minimal_program"
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


def test_policy_config_from_the_pack_config_dir_by_default(tmp_path):
    # --policy-config falls back to <pack>/config/<stack>.json only when it exists.
    cfg = tmp_path / "policy.json"
    cfg.write_text(json.dumps({"bucket-prefix": {"prefix": "nomatch"}}))
    assert _run("--policy-config", str(cfg)) == 1
    assert _run("--policy-config", str(tmp_path / "missing.json")) == 2


def test_terminal_report_renders(capsys):
    assert main(["test", "--program", str(MINIMAL), "--policy-pack", str(PACK)]) == 0
    out = capsys.readouterr().out
    assert "Offline preview" in out and "owner-tag" in out and "Resources by type" in out
