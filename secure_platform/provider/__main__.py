"""Entry point the Pulumi CLI runs for `pulumi package add` / a program using the package.

The Python language host runs `python <plugin directory>` (this file) in the virtualenv it builds
from `requirements.txt` here, with the engine's address as arguments (pulumi-language-python's
RunPlugin). From a checkout of the repository the library sits two directories up; installed, it is
already importable.
"""

import sys
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parents[2]
if (_CHECKOUT / "pyproject.toml").is_file() and (_CHECKOUT / "secure_platform").is_dir():
    sys.path.insert(0, str(_CHECKOUT))

from pulumi.provider.experimental import component_provider_host  # noqa: E402 - after the path is set

from secure_platform.provider import COMPONENTS, PACKAGE_NAME, PACKAGE_VERSION  # noqa: E402

if __name__ == "__main__":
    component_provider_host(list(COMPONENTS), name=PACKAGE_NAME, version=PACKAGE_VERSION)
