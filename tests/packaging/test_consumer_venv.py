"""examples/consumer, installed as an outside user would: the wheel in a fresh virtualenv, run from
a directory outside the repository with PYTHONPATH empty.

Installing pulumi-aws & co. fresh means downloading several hundred megabytes; the new virtualenv
instead sees the third-party dependencies of the virtualenv running these tests through a `.pth`
file (the same effect as `--system-site-packages` from an interpreter that has them). That
virtualenv does not contain this repository: the test checks that `secure_platform` cannot be
imported in the new one before the wheel is installed, and from site-packages after.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging_helpers import REPO, clean_env, run

pytestmark = pytest.mark.slow

LIBRARY = ("secure_platform", "offline_preview", "platform_policies")


@dataclass(frozen=True)
class Installed:
    python: Path
    bin: Path
    site_packages: Path
    consumer: Path


def _site_packages(python: Path) -> Path:
    out = run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=python.parent)
    return Path(out.stdout.strip())


@pytest.fixture(scope="module")
def installed(built_wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    work = tmp_path_factory.mktemp("consumer-venv")
    assert not work.resolve().is_relative_to(REPO)
    venv = work / "venv"
    # Without pip of its own (bootstrapping one costs seconds); the running pip installs into it.
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=work)
    python = venv / "bin" / "python"
    site_packages = _site_packages(python)
    deps = Path(sysconfig.get_paths()["purelib"])
    (site_packages / "zz-dependencies.pth").write_text(f"{deps}\n", encoding="utf-8")

    before = subprocess.run(
        [str(python), "-c", "import secure_platform"],
        cwd=work,
        env=clean_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert before.returncode != 0 and "No module named 'secure_platform'" in before.stderr, (
        "the dependencies' virtualenv must not contain this repository"
    )
    # --no-index: every dependency is already satisfied; nothing may be fetched or substituted.
    run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-index", str(built_wheel)],
        cwd=work,
    )
    consumer = work / "consumer"
    shutil.copytree(REPO / "examples" / "consumer", consumer, ignore=shutil.ignore_patterns("__pycache__", "venv"))
    return Installed(python, venv / "bin", site_packages, consumer)


def test_the_library_is_imported_from_site_packages(installed: Installed) -> None:
    code = (
        "import json, "
        + ", ".join(LIBRARY)
        + "; print(json.dumps({m: __import__(m).__file__ for m in "
        + repr(LIBRARY)
        + "}))"
    )
    files = json.loads(run([str(installed.python), "-c", code], cwd=installed.consumer).stdout)
    for module, path in files.items():
        assert Path(path).resolve().is_relative_to(installed.site_packages.resolve()), (module, path)


def test_the_consumers_own_tests_pass_with_the_installed_plugin(installed: Installed) -> None:
    done = run([str(installed.python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], cwd=installed.consumer)
    assert " passed" in done.stdout and "failed" not in done.stdout and "error" not in done.stdout.lower(), done.stdout


def test_the_consumer_program_previews_offline_with_the_installed_pack(installed: Installed) -> None:
    pack = run([str(installed.bin / "secure-platform-policy-pack")], cwd=installed.consumer).stdout.strip()
    assert Path(pack).resolve().is_relative_to(installed.site_packages.resolve())
    # The console script's main, in a process that then says where the library was imported from.
    code = (
        "import sys; from offline_preview.cli import main; "
        f"rc = main(['qa', '--program', '.', '--policy-pack', {pack!r}, '--quiet', '--json', 'preview.json']); "
        "print(sys.modules['secure_platform.platform'].__file__); sys.exit(rc)"
    )
    done = run([str(installed.python), "-c", code], cwd=installed.consumer)
    assert Path(done.stdout.strip().splitlines()[-1]).resolve().is_relative_to(installed.site_packages.resolve())
    result = json.loads((installed.consumer / "preview.json").read_text(encoding="utf-8"))
    types = {r["type"] for r in result["resources"]}
    for component in ("BackendState", "Security", "Networking", "Monitoring", "Storage", "Ecr", "Compute"):
        assert f"platform:index:{component}" in types
    assert "orders:index:Reporting" in types
    assert result["project"] == "orders" and result["stack"] == "qa"
    assert not [v for v in result["policy"]["violations"] if v["enforcement"] == "mandatory"]


def test_console_scripts_and_module_entry_points_work(installed: Installed) -> None:
    for command in (
        [str(installed.bin / "secure-platform-preview"), "--help"],
        [str(installed.bin / "secure-platform-spot"), "--help"],
        [str(installed.python), "-m", "offline_preview", "--help"],
        [str(installed.python), "-m", "secure_platform.spot", "--help"],
    ):
        assert "usage:" in run(command, cwd=installed.consumer).stdout


def test_the_pack_can_be_copied_for_the_pulumi_cli(installed: Installed) -> None:
    target = installed.consumer.parent / "pack-copy"
    run([str(installed.bin / "secure-platform-policy-pack"), "--copy-to", str(target)], cwd=installed.consumer)
    for name in ("PulumiPolicy.yaml", "__main__.py", "requirements.txt", "platform_policies/__init__.py"):
        assert (target / name).is_file(), name
    # Self-contained: loads with only the copy on the import path (as the CLI's pack venv would see it).
    code = "import sys; sys.path.insert(0, '.'); import platform_policies; print(platform_policies.__file__)"
    location = run([str(installed.python), "-c", code], cwd=target).stdout.strip()
    assert Path(location).resolve().is_relative_to(target.resolve())


def test_the_installed_provider_infers_the_checked_in_schema(installed: Installed) -> None:
    """The analyzer reads the component sources from site-packages (inspect.getsource): what
    `pulumi package add` of the installed plugin directory would serve."""
    code = (
        "import json; from secure_platform.provider.generate import SCHEMA_FILE, render_schema; "
        "print(json.loads(render_schema()) == json.loads(SCHEMA_FILE.read_text()), SCHEMA_FILE)"
    )
    same, location = run([str(installed.python), "-c", code], cwd=installed.consumer).stdout.split()
    assert same == "True"
    assert Path(location).resolve().is_relative_to(installed.site_packages.resolve())


def test_installed_the_preview_defaults_to_the_program_in_the_current_directory(installed: Installed) -> None:
    done = subprocess.run(
        [str(installed.bin / "secure-platform-preview"), "nosuchstack", "--no-policy"],
        cwd=installed.consumer,
        env=clean_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    # The consumer's stack files were found: the error names its one stack.
    assert done.returncode == 2
    assert "(stacks: qa)" in " ".join(done.stderr.split()), done.stderr
