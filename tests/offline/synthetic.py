"""Registrations built by hand, for tests that state exactly what an estimator reads."""

from __future__ import annotations

from typing import Any

from offline_preview.capture import CapturedResource


def captured_resource(type_: str, name: str, **fields: Any) -> CapturedResource:
    """A custom resource of `type_` named `name` in stack `s` of project `p`, with no parent,
    dependencies, options or inputs unless `fields` gives them (any `CapturedResource` field)."""
    base: dict[str, Any] = {
        "urn": f"urn:pulumi:s::p::{type_}::{name}",
        "type": type_,
        "name": name,
        "custom": True,
        "remote": False,
        "parent": None,
        "dependencies": [],
        "property_dependencies": {},
        "provider": None,
        "protect": False,
        "retain_on_delete": False,
        "delete_before_replace": None,
        "ignore_changes": [],
        "replace_on_changes": [],
        "additional_secret_outputs": [],
        "custom_timeouts": {},
        "import_id": "",
        "inputs": {},
        "secret_paths": [],
    }
    return CapturedResource(**{**base, **fields})
