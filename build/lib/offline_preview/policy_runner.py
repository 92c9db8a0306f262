"""Run a CrossGuard (pulumi-policy, Python) pack in-process over a capture.

The pack is loaded by running its own `__main__.py` with `PolicyPack` replaced by a recorder (the
real constructor starts a gRPC server and blocks forever), so any Python pack works, not only ours.
Policies are then called exactly as the analyzer host calls them: resource policies once per
resource with `ResourceValidationArgs` (props behind `unknown_checking_proxy`), stack policies once
with `StackValidationArgs` whose resources carry parents and dependencies; enforcement levels and
per-policy config are resolved as `pulumi preview --policy-pack-config FILE` resolves them.
Remediations follow the engine's step generator: for each resource, the `remediate`-level
policies' remediations run first (reported; later remediations, validations and stack policies
see the new inputs), then validation, where a remediation-only policy is "not applicable".
"""

from __future__ import annotations

import asyncio
import contextlib
import difflib
import importlib.metadata
import json
import os
import runpy
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from inspect import isawaitable
from pathlib import Path
from typing import Any

import jsonschema
import pulumi_policy
import pulumi_policy.policy as policy_module
import yaml
from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.policy import PolicyCustomTimeouts, _NotApplicableError
from pulumi_policy.proxy import UnknownValueError, _DictProxy, _ListProxy, unknown_checking_proxy

from .capture import Capture, CapturedResource, ProgramError, forget_shadowed_modules
from .stack_files import UserError


@dataclass
class LoadedPack:
    name: str
    version: str
    directory: Path
    policies: list[Policy]
    enforcement_level: EnforcementLevel
    initial_config: dict[str, Any]


@dataclass
class ResolvedPolicy:
    policy: Policy
    enforcement: EnforcementLevel
    config: dict[str, Any]


@dataclass
class Violation:
    policy: str
    enforcement: str
    severity: str
    urn: str
    message: str
    description: str


@dataclass
class Remediation:
    """A remediate-level policy rewrote a resource's inputs (what `pulumi preview` shows as remediated)."""

    policy: str
    urn: str
    changed: list[str]
    """Top-level input properties the remediation added, changed or removed (values not shown: they may be secret)."""


@dataclass
class PolicyReport:
    pack: str
    version: str
    policies_run: int
    violations: list[Violation] = field(default_factory=list)
    not_applicable: list[tuple[str, str, str]] = field(default_factory=list)
    """(policy, urn, reason): the policy did not judge that resource, e.g. a remediation-only
    policy in the validation pass ("Policy does not implement validate"), as the analyzer reports it."""
    diagnostics: list[str] = field(default_factory=list)
    """Policies that could not run because a value is unknown (advisory, as in a real preview)."""
    remediations: list[Remediation] = field(default_factory=list)

    @property
    def mandatory(self) -> list[Violation]:
        return [v for v in self.violations if v.enforcement == "mandatory"]

    def not_evaluated(self) -> list[tuple[str, str, int]]:
        """(policy, reason, resources) of the not-applicable results, grouped for reports."""
        counts: dict[tuple[str, str], int] = {}
        for policy, _, reason in self.not_applicable:
            counts[(policy, reason)] = counts.get((policy, reason), 0) + 1
        return [(policy, reason, n) for (policy, reason), n in sorted(counts.items())]


class _RecordedPack:
    """Stands in for `pulumi_policy.PolicyPack` while the pack's program runs."""

    last: _RecordedPack | None = None

    def __init__(
        self,
        name: str,
        policies: list[Policy],
        enforcement_level: EnforcementLevel | None = None,
        initial_config: dict[str, Any] | None = None,
        **_: Any,
    ) -> None:
        self.name = name
        self.policies = list(policies)
        self.enforcement_level = enforcement_level or EnforcementLevel.ADVISORY
        self.initial_config = dict(initial_config or {})
        _RecordedPack.last = self


@contextlib.contextmanager
def _pack_environment(directory: Path) -> Iterator[None]:
    forget_shadowed_modules(directory)
    old_cwd, old_path = Path.cwd(), list(sys.path)
    originals = (pulumi_policy.PolicyPack, policy_module.PolicyPack)
    pulumi_policy.PolicyPack = _RecordedPack  # type: ignore[misc,assignment]
    policy_module.PolicyPack = _RecordedPack  # type: ignore[misc,assignment]
    sys.path.insert(0, str(directory))
    os.chdir(directory)
    old_bytecode, sys.dont_write_bytecode = sys.dont_write_bytecode, True
    try:
        yield
    finally:
        pulumi_policy.PolicyPack, policy_module.PolicyPack = originals  # type: ignore[misc]
        os.chdir(old_cwd)
        sys.path[:] = old_path
        sys.dont_write_bytecode = old_bytecode


def load_policy_pack(directory: str | Path) -> LoadedPack:
    root = Path(directory).resolve()
    manifest = root / "PulumiPolicy.yaml"
    entry = root / "__main__.py"
    if not manifest.exists() or not entry.exists():
        raise UserError(f"{root}: not a Python policy pack (needs PulumiPolicy.yaml and __main__.py)")
    meta = yaml.safe_load(manifest.read_text(encoding="utf-8")) or {}
    _RecordedPack.last = None
    with _pack_environment(root):
        try:
            runpy.run_path(str(entry), run_name="__main__")
        except Exception as exc:
            raise ProgramError(f"policy pack {root} failed to load: {type(exc).__name__}: {exc}") from exc
    recorded = _RecordedPack.last
    if recorded is None:
        raise UserError(f"{entry}: did not construct a PolicyPack")
    return LoadedPack(
        name=recorded.name,
        version=str(meta.get("version", "0.0.1")),
        directory=root,
        policies=recorded.policies,
        enforcement_level=recorded.enforcement_level,
        initial_config=recorded.initial_config,
    )


def _level(value: Any, where: str) -> EnforcementLevel:
    if isinstance(value, EnforcementLevel):
        return value
    try:
        return EnforcementLevel(value)
    except ValueError:
        allowed = ", ".join(level.value for level in EnforcementLevel)
        raise UserError(f"{where}: enforcement level {value!r} is not one of {allowed}") from None


def resolve_config(
    pack: LoadedPack, file_config: Mapping[str, Any] | None, source: str = "policy config"
) -> list[ResolvedPolicy]:
    """Enforcement level and properties of each policy: the policy's own level (or the pack's),
    then `all` and per-policy entries of the pack's initial config, then those of the file; schema
    defaults fill in properties, and the result is validated against the policy's schema."""
    names = [p.name for p in pack.policies]
    for key in file_config or {}:
        if key != "all" and key not in names:
            close = difflib.get_close_matches(key, names, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise UserError(f"{source}: unknown policy '{key}'{hint}")
    resolved: list[ResolvedPolicy] = []
    for policy in pack.policies:
        level = policy.enforcement_level or pack.enforcement_level
        props: dict[str, Any] = {}
        schema = policy.config_schema
        if schema is not None:
            for prop, spec in (schema.properties or {}).items():
                if isinstance(spec, dict) and "default" in spec:
                    props[prop] = spec["default"]
        for layer, where in ((pack.initial_config, "initial config"), (file_config or {}, source)):
            if "all" in layer:
                level = _level(layer["all"], f"{where} 'all'")
            entry = layer.get(policy.name)
            if isinstance(entry, dict):
                if "enforcementLevel" in entry:
                    level = _level(entry["enforcementLevel"], f"{where} '{policy.name}'")
                props.update({k: v for k, v in entry.items() if k != "enforcementLevel"})
            elif entry is not None:
                level = _level(entry, f"{where} '{policy.name}'")
        if schema is not None and level != EnforcementLevel.DISABLED:
            full = {"type": "object", "properties": schema.properties or {}}
            if schema.required:
                full["required"] = schema.required
            try:
                jsonschema.validate(props, full)
            except jsonschema.ValidationError as exc:
                raise UserError(f"{source}: config of policy '{policy.name}' is invalid: {exc.message}") from None
        resolved.append(ResolvedPolicy(policy, level, props))
    return resolved


def _options(r: CapturedResource) -> PolicyResourceOptions:
    def seconds(text: str | None) -> float:
        return _duration_seconds(text) if text else 0.0

    timeouts = PolicyCustomTimeouts(
        seconds(r.custom_timeouts.get("create")),
        seconds(r.custom_timeouts.get("update")),
        seconds(r.custom_timeouts.get("delete")),
    )
    return PolicyResourceOptions(
        r.protect, r.ignore_changes, r.delete_before_replace, [], timeouts, r.additional_secret_outputs, r.parent
    )


def _duration_seconds(text: str) -> float:
    units = {"h": 3600, "m": 60, "s": 1}
    total, number = 0.0, ""
    for ch in text:
        if ch.isdigit() or ch == ".":
            number += ch
        elif ch in units and number:
            total += float(number) * units[ch]
            number = ""
    return total


def _default_provider_props(package: str, config: Mapping[str, str]) -> dict[str, Any]:
    """What the engine passes as the default provider's inputs: the stack's `<package>:*` config."""
    props: dict[str, Any] = {}
    for key, value in config.items():
        ns, _, name = key.partition(":")
        if ns == package and name:
            try:
                props[name] = json.loads(value)
            except ValueError:
                props[name] = value
    return props


class _Evaluator:
    def __init__(self, capture: Capture, stack_config: Mapping[str, str]) -> None:
        self.capture = capture
        self.index = capture.by_urn()
        self.stack_config = stack_config
        self._default_providers: dict[str, PolicyProviderResource] = {}

    def provider_for(self, r: CapturedResource) -> PolicyProviderResource | None:
        if not r.custom or r.type.startswith("pulumi:providers:"):
            return None
        if r.provider and r.provider in self.index:
            p = self.index[r.provider]
            return PolicyProviderResource(p.type, unknown_checking_proxy(p.inputs), p.urn, p.name)
        package = r.type.split(":", 1)[0]
        if package not in self._default_providers:
            props = _default_provider_props(package, self.stack_config)
            name = default_provider_name(package)
            urn = f"urn:pulumi:{self.capture.stack}::{self.capture.project}::pulumi:providers:{package}::{name}"
            self._default_providers[package] = PolicyProviderResource(
                f"pulumi:providers:{package}", unknown_checking_proxy(props), urn, name
            )
        return self._default_providers[package]

    def stack_resources(self, inputs: Mapping[str, Mapping[str, Any]]) -> list[PolicyResource]:
        """Resources with their state (inputs, after remediations, merged with outputs), parents and
        dependencies."""
        made: dict[str, PolicyResource] = {}
        for r in self.capture.resources:
            state = {**r.outputs, **inputs.get(r.urn, r.inputs)}
            made[r.urn] = PolicyResource(
                r.type, unknown_checking_proxy(state), r.urn, r.name, _options(r), self.provider_for(r), None, [], {}
            )
        for r in self.capture.resources:
            res = made[r.urn]
            res.parent = made.get(r.parent or "")
            res.dependencies = [made[d] for d in r.dependencies if d in made]
            res.property_dependencies = {
                k: [made[d] for d in urns if d in made] for k, urns in r.property_dependencies.items()
            }
        return list(made.values())


def _settle(result: Any) -> Any:
    if isawaitable(result):
        loop = asyncio.new_event_loop()
        try:
            return loop.run_until_complete(result)
        finally:
            loop.close()
    return result


def _run_validation(fn: Any, args: Any, report: Any) -> None:
    _settle(fn(args, report))


def _unproxy(value: Any) -> Any:
    """A remediation's result as plain data (it may hand back the proxied props it was given)."""
    if isinstance(value, (_DictProxy, _ListProxy)):
        return _unproxy(value["__target"])
    if isinstance(value, Mapping):
        return {str(k): _unproxy(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_unproxy(v) for v in value]
    return value


_NO_VALIDATE = "Policy does not implement validate"
_NO_REMEDIATE = "Policy does not implement remediate"


def evaluate(
    pack: LoadedPack,
    capture: Capture,
    file_config: Mapping[str, Any] | None = None,
    stack_config: Mapping[str, str] | None = None,
    source: str = "policy config",
) -> PolicyReport:
    resolved = resolve_config(pack, file_config, source)
    active = [rp for rp in resolved if rp.enforcement != EnforcementLevel.DISABLED]
    report = PolicyReport(pack=pack.name, version=pack.version, policies_run=len(active))
    evaluator = _Evaluator(capture, stack_config or {})

    def reporter(rp: ResolvedPolicy, default_urn: str) -> Any:
        level = rp.enforcement
        if level == EnforcementLevel.REMEDIATE:
            level = EnforcementLevel.MANDATORY
        severity = rp.policy.severity.value if rp.policy.severity is not None else "unspecified"

        def report_violation(message: str, urn: str | None = None) -> None:
            report.violations.append(
                Violation(
                    rp.policy.name,
                    level.value,
                    severity,
                    urn or default_urn,
                    message or rp.policy.description,
                    rp.policy.description,
                )
            )

        return report_violation

    def guarded(rp: ResolvedPolicy, urn: str, validate: Any, args: Any) -> None:
        try:
            _run_validation(validate, args, reporter(rp, urn))
        except UnknownValueError as exc:
            report.diagnostics.append(
                f"can't run policy '{rp.policy.name}' on {urn or 'the stack'} during preview: {exc.message}"
            )
        except _NotApplicableError as exc:
            report.not_applicable.append((rp.policy.name, urn, exc.reason or ""))
        except Exception as exc:  # a policy bug fails the run, as it would under the CLI
            raise ProgramError(
                f"policy '{rp.policy.name}' raised {type(exc).__name__}: {exc} (on {urn or 'the stack'})"
            ) from exc

    def remediate(rp: ResolvedPolicy, policy: ResourceValidationPolicy, args: Any) -> dict[str, Any] | None:
        """One remediation, as the analyzer's `Remediate` runs it; the new inputs, if any."""
        try:
            result = _settle(policy.remediate(args))
        except UnknownValueError as exc:
            report.diagnostics.append(
                f"can't run remediation '{rp.policy.name}' on {args.urn} during preview: {exc.message}"
            )
            return None
        except _NotApplicableError as exc:
            report.not_applicable.append((rp.policy.name, args.urn, exc.reason or ""))
            return None
        except Exception as exc:
            raise ProgramError(
                f"policy '{rp.policy.name}' remediation raised {type(exc).__name__}: {exc} (on {args.urn})"
            ) from exc
        return _unproxy(result) if result else None

    resource_checks = [(rp, rp.policy) for rp in active if isinstance(rp.policy, ResourceValidationPolicy)]
    stack_checks = [(rp, rp.policy) for rp in active if isinstance(rp.policy, StackValidationPolicy)]
    remediators = [(rp, p) for rp, p in resource_checks if rp.enforcement == EnforcementLevel.REMEDIATE]
    final_inputs: dict[str, dict[str, Any]] = {}
    for r in capture.resources:
        provider = evaluator.provider_for(r)
        opts = _options(r)
        # The engine's two passes per resource: remediations first (each sees the previous one's
        # result; in a preview they are reported, and the rest of the run sees the remediated
        # inputs), then validation of the final inputs.
        inputs = dict(r.inputs)
        for rp, policy in remediators:
            if not policy.has_remediation():
                report.not_applicable.append((policy.name, r.urn, _NO_REMEDIATE))
                continue
            args = ResourceValidationArgs(
                r.type, unknown_checking_proxy(dict(inputs)), r.urn, r.name, opts, provider, rp.config
            )
            new_inputs = remediate(rp, policy, args)
            if new_inputs is not None:
                changed = sorted(k for k in {*inputs, *new_inputs} if inputs.get(k) != new_inputs.get(k))
                report.remediations.append(Remediation(policy.name, r.urn, changed))
                inputs = new_inputs
        final_inputs[r.urn] = inputs
        props = unknown_checking_proxy(dict(inputs))
        for rp, policy in resource_checks:
            if not policy.has_validation():
                # A remediation-only policy: the analyzer reports it as not applicable.
                report.not_applicable.append((policy.name, r.urn, _NO_VALIDATE))
                continue
            args = ResourceValidationArgs(r.type, props, r.urn, r.name, opts, provider, rp.config)
            guarded(rp, r.urn, policy.validate, args)
    if stack_checks:
        resources = evaluator.stack_resources(final_inputs)
        for rp, policy in stack_checks:
            guarded(rp, "", policy.validate, StackValidationArgs(resources, rp.config))
    return report


def read_policy_config(path: str | Path) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{path}: policy config file not found") from None
    except ValueError as exc:
        raise UserError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise UserError(f"{path}: expected a JSON object of policy name -> level or settings")
    return data


def default_provider_name(package: str) -> str:
    """The engine's name for a package's default provider: `default_<version>` with `_` for `.`
    (the SDK asks for the version of the installed `pulumi_<package>`), plain `default` when the
    package is not a Python distribution."""
    try:
        version = importlib.metadata.version(f"pulumi_{package.replace('-', '_')}")
    except importlib.metadata.PackageNotFoundError:
        return "default"
    return "default_" + version.replace(".", "_").replace("-", "_").replace("+", "_")
