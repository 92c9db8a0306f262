"""Analyzer requests built from a capture exactly as the engine serializes them for a policy pack.

The engine marshals a resource's properties for `Analyze`, `AnalyzeStack` and `Remediate` with
`MarshalOptions{KeepUnknowns: true, KeepSecrets: true}` (pulumi/pulumi
`sdk/go/common/resource/plugin/analyzer_plugin.go`): a value not known yet travels as the unknown
sentinel string, a secret as `{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
"value": ...}`. Provider properties, resource options (custom timeouts in seconds), parents,
dependencies and property dependencies go into the same messages the CLI sends, so the pack's own
analyzer service (`pulumi_policy.policy._PolicyAnalyzerServicer`) decodes them as it would under the
CLI.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from google.protobuf import json_format, struct_pb2
from pulumi.output import Unknown
from pulumi.runtime import proto

from .capture import CapturedResource

SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"  # noqa: S105 - wire signature, not a secret
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"  # noqa: S105 - wire signature, not a secret
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
"""The engine's unknown sentinel (`plugin.UnknownStringValue`); `unknown_checking_proxy` raises
`UnknownValueError` when a policy reads it."""


def wire_value(value: Any, secret_paths: frozenset[str] = frozenset(), path: str = "") -> Any:
    """A captured (plain) value with the secrets at `secret_paths` wrapped as the engine wraps them;
    an unknown (the wire sentinel already, or the SDK's `Unknown` object) as the sentinel."""
    if isinstance(value, Unknown):
        return UNKNOWN
    if path and path in secret_paths:
        return {SECRET_SIG_KEY: SECRET_SIG, "value": wire_value(value)}
    if isinstance(value, Mapping):
        return {str(k): wire_value(v, secret_paths, f"{path}.{k}" if path else str(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [wire_value(v, secret_paths, f"{path}[{i}]") for i, v in enumerate(value)]
    return value


def to_struct(props: Mapping[str, Any], secret_paths: frozenset[str] = frozenset()) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    json_format.ParseDict(wire_value(dict(props), secret_paths), struct)
    return struct


def from_struct(struct: struct_pb2.Struct) -> dict[str, Any]:
    """A struct back to plain values, secrets unwrapped (remediated inputs, as the capture keeps them)."""
    return _unwrap(json_format.MessageToDict(struct))


def _unwrap(value: Any) -> Any:
    if isinstance(value, dict):
        if value.get(SECRET_SIG_KEY) == SECRET_SIG:
            return _unwrap(value.get("value"))
        return {k: _unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    return value


def _duration_seconds(text: str | None) -> float:
    """`"10m"`, `"1h30m"`, `"45s"` -> seconds (the SDK sends Go duration strings)."""
    units = {"h": 3600, "m": 60, "s": 1}
    total, number = 0.0, ""
    for ch in text or "":
        if ch.isdigit() or ch == ".":
            number += ch
        elif ch in units and number:
            total += float(number) * units[ch]
            number = ""
    return total


def resource_options(r: CapturedResource) -> Any:
    opts = proto.AnalyzerResourceOptions(
        protect=r.protect,
        ignoreChanges=list(r.ignore_changes),
        deleteBeforeReplace=bool(r.delete_before_replace),
        deleteBeforeReplaceDefined=r.delete_before_replace is not None,
        additionalSecretOutputs=list(r.additional_secret_outputs),
        parent=r.parent or "",
    )
    if r.custom_timeouts:
        opts.customTimeouts.CopyFrom(
            proto.AnalyzerResourceOptions.CustomTimeouts(
                create=_duration_seconds(r.custom_timeouts.get("create")),
                update=_duration_seconds(r.custom_timeouts.get("update")),
                delete=_duration_seconds(r.custom_timeouts.get("delete")),
            )
        )
    return opts


def provider_resource(
    type_: str, urn: str, name: str, props: Mapping[str, Any], secret_paths: frozenset[str] = frozenset()
) -> Any:
    return proto.AnalyzerProviderResource(type=type_, urn=urn, name=name, properties=to_struct(props, secret_paths))


def analyze_request(r: CapturedResource, inputs: Mapping[str, Any], provider: Any | None) -> Any:
    """`Analyze`/`Remediate` request: the resource's inputs (the goal state the engine checks)."""
    request = proto.AnalyzeRequest(
        type=r.type,
        urn=r.urn,
        name=r.name,
        properties=to_struct(inputs, frozenset(r.secret_paths)),
        options=resource_options(r),
    )
    if provider is not None:
        request.provider.CopyFrom(provider)
    return request


def stack_resource(r: CapturedResource, inputs: Mapping[str, Any], provider: Any | None) -> Any:
    """One `AnalyzeStack` resource: its state (outputs, over which the final inputs are laid, as a
    preview's planned state holds them), parent, dependencies and non-empty property dependencies."""
    state = {**r.outputs, **inputs}
    resource = proto.AnalyzerResource(
        type=r.type,
        urn=r.urn,
        name=r.name,
        properties=to_struct(state, frozenset(r.secret_paths)),
        options=resource_options(r),
        parent=r.parent or "",
        dependencies=list(r.dependencies),
    )
    for key, urns in r.property_dependencies.items():
        if urns:
            resource.propertyDependencies[key].CopyFrom(proto.AnalyzerPropertyDependencies(urns=list(urns)))
    if provider is not None:
        resource.provider.CopyFrom(provider)
    return resource
