"""Where the installed policy pack is, for `pulumi preview --policy-pack DIR` and the offline preview.

The distribution installs the pack's entry files (`PulumiPolicy.yaml`, `__main__.py`,
`requirements.txt`: the repository's `policies/` directory) as `platform_policies/pack/`.

* `secure-platform-policy-pack` prints that directory. The offline preview (and any Python that has
  the distribution installed) loads it as is: `__main__.py` imports `platform_policies` from
  site-packages.
* `secure-platform-policy-pack --copy-to DIR` writes a self-contained pack (entry files plus the
  `platform_policies` package) to DIR. The Pulumi CLI needs this form: it runs a Python pack in a
  virtualenv it builds inside the pack directory from `requirements.txt` (`runtime.options` of
  PulumiPolicy.yaml), where only what sits in the directory is importable, exactly like this
  repository's `policies/`. See https://www.pulumi.com/docs/iac/crossguard/get-started/ .
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
ENTRY_FILES = ("PulumiPolicy.yaml", "__main__.py", "requirements.txt")


def pack_directory() -> Path:
    """The installed pack directory (entry files next to nothing else the CLI needs), or this
    repository's `policies/` when running from a checkout."""
    for candidate in (PACKAGE_DIR / "pack", PACKAGE_DIR.parent):
        if all((candidate / name).is_file() for name in ENTRY_FILES):
            return candidate
    raise FileNotFoundError(
        f"no policy pack entry files ({', '.join(ENTRY_FILES)}) next to {PACKAGE_DIR}: "
        "the distribution is incomplete; reinstall pulumi-secure-platform"
    )


def copy_pack(destination: Path) -> Path:
    """Write a self-contained pack to `destination` (created; must be empty if it exists)."""
    if destination.exists() and (not destination.is_dir() or any(destination.iterdir())):
        raise FileExistsError(f"{destination}: exists and is not an empty directory; choose a new one")
    source = pack_directory()
    destination.mkdir(parents=True, exist_ok=True)
    for name in ENTRY_FILES:
        shutil.copy2(source / name, destination / name)
    shutil.copytree(
        PACKAGE_DIR,
        destination / "platform_policies",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "pack"),
    )
    return destination


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="secure-platform-policy-pack",
        description="Print the installed CrossGuard pack's directory (usable with the offline preview's "
        "--policy-pack), or with --copy-to write a self-contained pack for `pulumi preview --policy-pack DIR`.",
    )
    parser.add_argument("--copy-to", metavar="DIR", help="write a self-contained pack to this new or empty directory")
    args = parser.parse_args(argv)
    try:
        path = copy_pack(Path(args.copy_to)) if args.copy_to else pack_directory()
    except (FileExistsError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(path.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
