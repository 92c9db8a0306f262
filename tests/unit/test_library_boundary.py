"""The library never imports the offline preview: installing the components does not drag the tool in."""

from __future__ import annotations

import ast
from pathlib import Path

LIBRARY = Path(__file__).resolve().parents[2] / "secure_platform"


def test_no_module_of_the_library_imports_the_offline_preview():
    offenders = []
    for path in sorted(LIBRARY.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            offenders += [
                f"{path.relative_to(LIBRARY.parent)}: {n}" for n in names if n.split(".")[0] == "offline_preview"
            ]
    assert not offenders, offenders
