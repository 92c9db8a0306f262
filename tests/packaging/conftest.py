"""The plugin's fixture, imported as pytest would load it from the `pytest11` entry point of an
installed distribution (this checkout is not installed into its own virtualenv)."""

from offline_preview.pytest_plugin import offline_pulumi  # noqa: F401 - re-exported as a fixture
