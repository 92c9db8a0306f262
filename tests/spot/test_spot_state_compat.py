"""Stack state pickled the spot provider as `components.spot.provider`: it must still unpickle."""

from __future__ import annotations

import base64
import subprocess
import sys
from pathlib import Path

import dill

from secure_platform.spot.provider import SpotSelectionProvider

ROOT = Path(__file__).resolve().parents[2]


def _pickled_under_the_old_module_path() -> bytes:
    """A provider pickled exactly as a program did when the class lived in `components.spot.provider`
    (dill pickles a class by reference when its `__module__` names an importable module holding it)."""
    import components.spot.provider as old_home

    cls = SpotSelectionProvider
    assert old_home.SpotSelectionProvider is cls
    saved = cls.__module__
    try:
        cls.__module__ = "components.spot.provider"
        return dill.dumps(SpotSelectionProvider(), protocol=dill.settings["protocol"])
    finally:
        cls.__module__ = saved


def test_state_from_before_the_move_unpickles_in_a_fresh_provider_host():
    raw = _pickled_under_the_old_module_path()
    assert b"components.spot.provider" in raw and b"secure_platform" not in raw
    # The provider host runs `python -m pulumi.dynamic` in the project directory: the project
    # root is on sys.path, nothing else of ours is imported beforehand.
    script = (
        "import base64, dill\n"
        f"provider = dill.loads(base64.b64decode({base64.b64encode(raw).decode()!r}))\n"
        "from secure_platform.spot.provider import SpotSelectionProvider\n"
        "assert type(provider) is SpotSelectionProvider, type(provider)\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_the_alias_is_not_part_of_the_library():
    alias = (ROOT / "components" / "spot" / "provider.py").read_text()
    assert "from secure_platform.spot.provider import SpotSelectionProvider" in alias
    assert not (ROOT / "secure_platform" / "components").exists()
