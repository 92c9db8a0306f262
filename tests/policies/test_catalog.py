"""`python -m policies.catalog` counts the policies by category; policies/README.md carries the
tables it generates (kept in sync here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from platform_policies import REGISTRY

REPO = Path(__file__).resolve().parents[2]


def _run(*args: str) -> str:
    done = subprocess.run([sys.executable, *args], cwd=REPO, capture_output=True, text=True, check=True)
    return done.stdout


def test_catalog_counts_policies_by_category() -> None:
    out = _run("-m", "policies.catalog")
    counts = {line.split()[0]: int(line.split()[1]) for line in out.splitlines()[: out.splitlines().index("")]}
    assert counts.pop("total") == len(REGISTRY) == sum(counts.values())
    assert counts["least-privilege"] >= 10 and counts["encryption-at-rest"] >= 15


def test_readme_tables_match_the_catalog() -> None:
    readme = (REPO / "policies" / "README.md").read_text(encoding="utf-8")
    begin = readme.index("<!-- BEGIN GENERATED")
    begin = readme.index("\n", begin) + 1
    end = readme.index("<!-- END GENERATED -->")
    assert readme[begin:end].strip() == _run("policies/catalog.py", "--markdown").strip()
    assert f"{len(REGISTRY)} policies" in readme


def test_the_project_readme_states_the_pack_s_size() -> None:
    """The top-level README's one-line summary is hand-written: it must follow the catalog."""
    types = {t for info in REGISTRY for t in (*info.resource_types, *info.links) if "*" not in t}
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"pack of {len(REGISTRY)} policies over {len(types)} resource types" in readme


def test_catalog_lists_every_resource_type_with_its_policies() -> None:
    out = _run("-m", "policies.catalog", "--types")
    for info in REGISTRY:
        for t in (*info.resource_types, *info.links):
            if "*" not in t:
                assert f"\n{t}\n" in f"\n{out}", t
    assert "judged by exact type" in out.splitlines()[-1]


def test_policy_catalog_page_is_current() -> None:
    """docs/policies.md is generated from the code: every rule with its levels, controls, fix and test pair."""
    page = (REPO / "docs" / "policies.md").read_text(encoding="utf-8")
    assert page == _run("policies/catalog_page.py")
    for info in REGISTRY:
        row = next(line for line in page.splitlines() if line.startswith(f"| `{info.name}` |"))
        assert row.rstrip().endswith("|") and not row.rstrip().endswith("| - |"), info.name  # has a test pair
