"""`tools.pr_comment`: the offline report reaches the pull request as comments GitHub accepts
(each under 65,536 characters), with every part whole unless it is too large on its own."""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

import pytest

from offline_preview.compare import main as compare_main
from offline_preview.report import to_json, to_markdown
from tests.stack_runs import stack_preview
from tools.pr_comment import DEFAULT_LIMIT, GITHUB_LIMIT, Part, cut, main, pack

REPO = Path(__file__).resolve().parents[2]
STACKS = ("dev", "staging", "prod")
MARKER = re.compile(r"^<!-- offline-preview:(\d+) -->\n")


def bodies(directory: Path) -> list[str]:
    files = sorted(directory.glob("comment-*.md"), key=lambda p: int(p.stem.split("-")[1]))
    return [f.read_text(encoding="utf-8") for f in files]


def test_small_parts_share_one_comment_in_order():
    [body] = pack([Part("a", "first"), Part("b", "second")], limit=5_000)
    assert body == "<!-- offline-preview:1 -->\n## Offline preview\n\nfirst\n\nsecond\n"


def test_parts_spill_into_numbered_comments_whole_and_in_order():
    parts = [Part(str(i), f"part {i}\n" + "x" * 3_000) for i in range(5)]
    out = pack(parts, limit=7_000)
    assert len(out) == 3
    for index, body in enumerate(out, start=1):
        assert MARKER.match(body) and int(MARKER.match(body).group(1)) == index  # type: ignore[union-attr]
        assert f"## Offline preview ({index}/3)" in body and len(body) <= 7_000
    joined = "".join(out)
    assert [joined.index(p.text) for p in parts] == sorted(joined.index(p.text) for p in parts)


def test_a_part_too_large_for_one_comment_is_cut_with_its_blocks_closed_and_a_link():
    lines = ["<details><summary>findings</summary>", "", "```", *(f"line {i} " + "y" * 80 for i in range(2_000))]
    text = cut(Part("prod", "\n".join(lines)), 20_000, "the [reports](https://example.test/a)")
    assert len(text) <= 20_000
    assert text.count("```") % 2 == 0 and text.count("<details") == text.count("</details>")
    shown = sum(1 for ln in text.splitlines() if ln.startswith("line "))
    assert f"_prod: cut after {shown + 3} of {len(lines)} lines" in text and "(https://example.test/a)" in text
    [body] = pack([Part("prod", "\n".join(lines))], limit=20_000)
    assert len(body) <= 20_000


def test_missing_part_files_become_a_notice_and_the_limit_is_checked(tmp_path: Path):
    assert main([str(tmp_path / "out"), "--part", f"dev={tmp_path / 'nope.md'}", "--run-url", "https://run"]) == 0
    [body] = bodies(tmp_path / "out")
    assert "_dev: no report" in body and "(https://run)" in body
    assert main([str(tmp_path / "out"), "--limit", str(GITHUB_LIMIT + 1)]) == 2
    assert main([str(tmp_path / "out"), "--part", "no-equals-sign"]) == 2


def test_the_three_stack_reports_and_two_new_stacks_cost_diff_fit_github_comments(tmp_path: Path):
    """The real case: the reports of the three stacks plus the cost difference when staging and prod
    are new (hundreds of added resources) are larger than one comment may be."""
    head, base = tmp_path / "head", tmp_path / "base"
    head.mkdir()
    base.mkdir()
    for stack in STACKS:
        result = stack_preview(stack, "preview")
        (head / f"{stack}.json").write_text(json.dumps(to_json(result)), encoding="utf-8")
        (head / f"{stack}.md").write_text(to_markdown(result), encoding="utf-8")
    (base / "dev.json").write_text((head / "dev.json").read_text(encoding="utf-8"), encoding="utf-8")
    diff = tmp_path / "cost-diff.md"
    assert compare_main([str(base), str(head), "--markdown", str(diff), "--quiet"]) == 0
    parts = [f"cost difference={diff}", *(f"{s}={head / f'{s}.md'}" for s in STACKS)]
    argv = [str(tmp_path / "comment"), "--run-url", "https://run", "--artifact-url", "https://artifact"]
    assert main([*argv, *(a for p in parts for a in ("--part", p))]) == 0
    out = bodies(tmp_path / "comment")
    full = (tmp_path / "comment" / "comment.md").read_text(encoding="utf-8")
    assert all(len(b) <= DEFAULT_LIMIT < GITHUB_LIMIT for b in out), [len(b) for b in out]
    # No part is larger than a comment, so every part arrives whole, once, in order.
    texts = [diff.read_text(encoding="utf-8").strip()] + [
        (head / f"{s}.md").read_text(encoding="utf-8").strip() for s in STACKS
    ]
    joined = "\n".join(out)
    assert all(joined.count(t) == 1 for t in texts)
    assert [joined.index(t) for t in texts] == sorted(joined.index(t) for t in texts)
    assert all(t in full for t in texts)
    assert "not listed" in texts[0]  # the new stacks' $0 resources are counted, not listed


@pytest.mark.parametrize("limit", [5_000, 20_000, DEFAULT_LIMIT])
def test_every_comment_respects_the_limit_whatever_the_parts(limit: int):
    parts = [Part("a", "a" * (limit * 2)), Part("b", "b\n" * 10), Part("c", "c" * (limit - 500))]
    for body in pack(parts, limit=limit):
        assert len(body) <= limit


def test_the_packer_needs_only_the_standard_library():
    """pull-request.yml runs it with the runner's python3, so the comment is assembled even when
    installing the virtualenv failed."""
    tree = ast.parse((REPO / "tools" / "pr_comment.py").read_text(encoding="utf-8"))
    modules = {
        alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    }
    modules |= {
        node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    }
    assert modules and modules <= set(sys.stdlib_module_names) | {"__future__"}, modules
