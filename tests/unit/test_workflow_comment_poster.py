"""The pull-request comment poster (`pull-request-comment.yml`'s github-script, run under node with
a fake GitHub API) and how `pull-request.yml` packs the report it posts."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
STACKS = ["dev", "staging", "prod"]


def load(name: str) -> dict[str, Any]:
    doc = yaml.safe_load((WORKFLOWS / name).read_text())
    if True in doc:  # YAML 1.1 reads the `on:` key as a boolean
        doc["on"] = doc.pop(True)
    return doc


def step_with(job: dict[str, Any], uses: str) -> list[dict[str, Any]]:
    return [s for s in job["steps"] if s.get("uses", "").startswith(uses)]


# --- the PR comment poster (github-script, run under node with a fake GitHub API) ---------------

HARNESS = r"""
const fs = require('fs');
const script = fs.readFileSync(process.argv[2], 'utf8');
const state = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));
const calls = [];
const github = {
  paginate: async () => state.comments,
  rest: {
    pulls: { get: async () => ({ data: { head: { sha: state.prHead } } }) },
    issues: {
      listComments: 'listComments',
      updateComment: async (a) => { calls.push(['update', a.comment_id, a.body]); },
      createComment: async (a) => { calls.push(['create', a.issue_number, a.body]); },
      deleteComment: async (a) => { calls.push(['delete', a.comment_id]); },
    },
  },
};
const core = { setFailed: (m) => calls.push(['failed', m]), notice: (m) => calls.push(['notice', m]) };
const context = { repo: { owner: 'o', repo: 'r' } };
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
new AsyncFunction('require', 'github', 'context', 'core', script)(require, github, context, core)
  .then(() => console.log(JSON.stringify(calls)));
"""


def post_comments(tmp_path: Path, files: dict[str, str], comments: list[dict[str, Any]], pr_head: str = "abc"):
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    [job] = load("pull-request-comment.yml")["jobs"].values()
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "script.js").write_text(job["steps"][-1]["with"]["script"])
    (tmp_path / "harness.js").write_text(HARNESS)
    (tmp_path / "state.json").write_text(json.dumps({"comments": comments, "prHead": pr_head}))
    preview = tmp_path / "preview"
    preview.mkdir()
    (preview / "pr-number").write_text("7\n")
    for name, text in files.items():
        (preview / name).write_text(text)
    proc = subprocess.run(
        [node, "harness.js", "script.js", "state.json"],
        cwd=tmp_path,
        env={"PATH": os.environ["PATH"], "HEAD_SHA": "abc"},
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def bot(comment_id: int, body: str, login: str = "github-actions[bot]") -> dict[str, Any]:
    return {"id": comment_id, "body": body, "user": {"login": login, "type": "Bot"}}


def test_comment_poster_updates_its_comments_in_place_and_removes_leftovers(tmp_path: Path):
    files = {"comment-1.md": "<!-- offline-preview:1 -->\n## Offline preview (1/2)\n\nA", "comment-2.md": "B"}
    existing = [
        bot(11, "<!-- offline-preview -->\nold single comment"),  # before the split: becomes comment 1
        bot(12, "<!-- offline-preview:3 -->\nleft from a longer report"),
        bot(13, "<!-- offline-preview:2 -->\nnot ours", login="someone-else[bot]"),
        bot(14, "### pulumi preview of staging"),
    ]
    calls = post_comments(tmp_path, files, existing)
    assert calls[0] == ["update", 11, "<!-- offline-preview:1 -->\n## Offline preview (1/2)\n\nA"]
    assert calls[1] == ["create", 7, "<!-- offline-preview:2 -->\nB"]
    assert calls[2:] == [["delete", 12]]


def test_comment_poster_cuts_an_oversized_body_and_refuses_odd_artifacts(tmp_path: Path):
    calls = post_comments(tmp_path / "big", {"comment-1.md": "x" * 70_000}, [])
    [(verb, _number, body)] = calls
    assert verb == "create" and len(body) <= 65_536 and body.startswith("<!-- offline-preview:1 -->")
    for case, files in enumerate(({"comment-2.md": "gap"}, {f"comment-{i}.md": "x" for i in range(1, 12)}, {})):
        calls = post_comments(tmp_path / f"odd-{case}", files, [])
        assert [c[0] for c in calls] == ["failed"], files
    stale = post_comments(tmp_path / "stale", {"comment-1.md": "A"}, [], pr_head="def")
    assert [c[0] for c in stale] == ["notice"]


def test_pull_request_packs_the_report_into_the_comments_the_poster_reads():
    job = load("pull-request.yml")["jobs"]["offline-preview"]
    [assemble] = [s for s in job["steps"] if "tools.pr_comment" in s.get("run", "")]
    script = assemble["run"]
    for part in ["cost difference=out/cost-diff.md", *(f"{s}=out/head/{s}.md" for s in STACKS)]:
        assert f'--part "{part}"' in script
    match = re.search(r"tools\.pr_comment (\S+)", script)
    assert match is not None
    out_dir = match.group(1)
    assert f"> {out_dir}/pr-number" in script and '--artifact-url "$ARTIFACT_URL"' in script
    uploads = {s["with"]["name"]: s for s in step_with(job, "actions/upload-artifact@")}
    assert uploads["offline-preview"]["with"]["path"].rstrip("/") == out_dir
    reports = uploads["offline-preview-reports"]
    assert job["steps"].index(reports) < job["steps"].index(assemble)
    assert assemble["env"]["ARTIFACT_URL"] == f"${{{{ steps.{reports['id']}.outputs.artifact-url }}}}"
    [poster] = load("pull-request-comment.yml")["jobs"].values()
    [download] = step_with(poster, "actions/download-artifact@")
    assert download["with"]["name"] == "offline-preview" and download["with"]["path"] == "preview"
    assert "preview/comment-${i}.md" in poster["steps"][-1]["with"]["script"]
