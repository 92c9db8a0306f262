"""The library for every Pulumi language: a component provider the Pulumi CLI runs from source.

`pulumi package add <this directory>` (it holds `PulumiPlugin.yaml`) makes the CLI run
`__main__.py` here, which hosts the components below through the SDK's
`component_provider_host`; their schema (`schema.json`, checked in) is inferred by the SDK's
analyzer from the argument TypedDicts and the components' annotated outputs.

* `SecurePlatform`: the whole platform of one environment; its arguments are the stack
  configuration's sections (`config_types.py`, generated from the config model).
* `SecureBucket`: the private, KMS-encrypted, versioned, TLS-only bucket on its own.
"""

from __future__ import annotations

from .component import SecureBucket, SecurePlatform

PACKAGE_NAME = "secure-platform"
"""The Pulumi package name: resource types are `secure-platform:index:<Component>`."""
PACKAGE_VERSION = "0.1.0"
COMPONENTS = (SecurePlatform, SecureBucket)

__all__ = ["COMPONENTS", "PACKAGE_NAME", "PACKAGE_VERSION", "SecureBucket", "SecurePlatform"]
