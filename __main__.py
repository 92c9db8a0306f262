"""The stack program: this repository's environments (dev, staging, prod) built with the library.

The wiring lives in `secure_platform.platform.build_platform`, which other programs use too; this
file only reads the stack's config and exports the outputs.
"""

import pulumi

from secure_platform.config import load_config
from secure_platform.platform import build_platform, stack_outputs

# load_config raises ConfigError (a RunError: message, no traceback) before anything is registered.
platform = build_platform(load_config())
for name, value in stack_outputs(platform).items():
    pulumi.export(name, value)
