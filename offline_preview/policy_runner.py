"""Run a CrossGuard (pulumi-policy, Python) pack in-process over a capture, through the pack's own
analyzer service.

The pack is loaded by running its own `__main__.py` with `PolicyPack` replaced by a recorder (the
real constructor starts a gRPC server and blocks forever), so any Python pack works, not only ours.
The recorded arguments build pulumi-policy's `_PolicyAnalyzerServicer`, the object the CLI talks to
over gRPC; `evaluate` calls its `Configure`, `Remediate`, `Analyze` and `AnalyzeStack` methods
directly with the request messages the engine sends (`analyzer_wire`: unknowns as the engine's
sentinel, secrets wrapped). How each policy is called, the unknown-value notes, not-applicable
results and remediations are the servicer's own code, not a copy of it; `servicer_calls` says how the
calls are kept affordable without changing what a policy sees.
"""

from __future__ import annotations

import contextlib
import difflib
import importlib.metadata
import json
import os
import runpy
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import pulumi_policy
import pulumi_policy.policy as policy_module
import yaml
from google.protobuf import json_format
from pulumi.runtime import proto
from pulumi_policy import EnforcementLevel, Policy, ResourceValidationPolicy, StackValidationPolicy

from secure_platform.config.stack_files import UserError

from . import analyzer_wire as wire
from .capture import Capture, CapturedResource, ProgramError, forget_shadowed_modules
from .heap import frozen_heap
from .servicer_calls import PolicyScopes, closing_policy_loops, judges, memoized_conversions


@dataclass
class LoadedPack:
    name: str
    version: str
    directory: Path
    policies: list[Policy]
    enforcement_level: EnforcementLevel
    initial_config: dict[str, Any]
    options: dict[str, Any] = field(default_factory=dict)
    """The other `PolicyPack` arguments (description, display name, readme, provider, tags, repository)."""

    def servicer(self, policies: list[Policy] | None = None) -> Any:
        """A fresh analyzer service for this pack (what `PolicyPack(...)` serves over gRPC), or for
        some of its policies."""
        return policy_module._PolicyAnalyzerServicer(
            self.name,
            self.version,
            self.policies if policies is None else policies,
            self.enforcement_level,
            self.initial_config or None,
            **{k: self.options.get(k) for k in _PACK_OPTIONS},
        )


_PACK_OPTIONS = ("description", "display_name", "readme", "provider", "tags", "repository")


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
class FindingGroup:
    """All findings of one policy at one level: what text and markdown reports show as one entry
    (the JSON report keeps one finding per resource)."""

    policy: str
    enforcement: str
    severity: str
    description: str
    findings: list[Violation]

    @property
    def urns(self) -> list[str]:
        return list(dict.fromkeys(v.urn for v in self.findings))


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
    unjudged: dict[str, int] = field(default_factory=dict)
    """Resource type -> count of the program's resources that no active policy has a rule for, by
    the types the pack's policies declare (`judges_type`; a rule for every type of a provider, such
    as tagging, does not count); a policy that declares none reads every type."""

    @property
    def mandatory(self) -> list[Violation]:
        return [v for v in self.violations if v.enforcement == "mandatory"]

    def grouped(self) -> list[FindingGroup]:
        """Findings grouped by policy and level, mandatory first, then by policy name; each group
        keeps its findings in URN order."""
        groups: dict[tuple[str, str], FindingGroup] = {}
        for v in sorted(self.violations, key=lambda v: (v.enforcement != "mandatory", v.policy, v.urn)):
            key = (v.policy, v.enforcement)
            if key not in groups:
                groups[key] = FindingGroup(v.policy, v.enforcement, v.severity, v.description, [])
            groups[key].findings.append(v)
        return list(groups.values())

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
        **options: Any,
    ) -> None:
        self.options = {k: v for k, v in options.items() if k in _PACK_OPTIONS}
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
        options=recorded.options,
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


class _Providers:
    """The provider of each resource as the engine hands it to the analyzer: an explicit provider's
    inputs, or the package's default provider (`default_<version>`) with the stack's config."""

    def __init__(self, capture: Capture, stack_config: Mapping[str, str]) -> None:
        self.capture = capture
        self.index = capture.by_urn()
        self.stack_config = stack_config
        self._defaults: dict[str, Any] = {}

    def of(self, r: CapturedResource) -> Any | None:
        if not r.custom or r.type.startswith("pulumi:providers:"):
            return None
        if r.provider and r.provider in self.index:
            p = self.index[r.provider]
            return wire.provider_resource(p.type, p.urn, p.name, p.inputs, frozenset(p.secret_paths))
        package = r.type.split(":", 1)[0]
        if package not in self._defaults:
            name = default_provider_name(package)
            urn = f"urn:pulumi:{self.capture.stack}::{self.capture.project}::pulumi:providers:{package}::{name}"
            props = _default_provider_props(package, self.stack_config)
            self._defaults[package] = wire.provider_resource(f"pulumi:providers:{package}", urn, name, props)
        return self._defaults[package]


_NO_VALIDATE = "Policy does not implement validate"
_NO_REMEDIATE = "Policy does not implement remediate"
_LEVELS = {
    proto.ADVISORY: "advisory",
    proto.MANDATORY: "mandatory",
    proto.REMEDIATE: "mandatory",
    proto.DISABLED: "disabled",
}
_SEVERITIES = {
    proto.POLICY_SEVERITY_LOW: "low",
    proto.POLICY_SEVERITY_MEDIUM: "medium",
    proto.POLICY_SEVERITY_HIGH: "high",
    proto.POLICY_SEVERITY_CRITICAL: "critical",
}


def _configure_request(resolved: list[ResolvedPolicy]) -> Any:
    """`Configure` as the CLI sends it: every policy with its reconciled level and properties."""
    request = proto.ConfigureAnalyzerRequest()
    for rp in resolved:
        entry = request.policyConfig[rp.policy.name]
        entry.enforcementLevel = {
            EnforcementLevel.ADVISORY: proto.ADVISORY,
            EnforcementLevel.MANDATORY: proto.MANDATORY,
            EnforcementLevel.REMEDIATE: proto.REMEDIATE,
            EnforcementLevel.DISABLED: proto.DISABLED,
        }[rp.enforcement]
        if rp.config:
            json_format.ParseDict(rp.config, entry.properties)
    return request


def _call(method: Any, request: Any, where: str) -> Any:
    """One servicer call; an exception a policy raises fails the run, as it fails the CLI's."""
    try:
        return method(request, None)
    except Exception as exc:
        raise ProgramError(f"policy pack raised {type(exc).__name__}: {exc} ({where})") from exc


def evaluate(
    pack: LoadedPack,
    capture: Capture,
    file_config: Mapping[str, Any] | None = None,
    stack_config: Mapping[str, str] | None = None,
    source: str = "policy config",
) -> PolicyReport:
    """Judge a capture through the pack's own analyzer service, as `pulumi preview --policy-pack`
    does: `Configure` with the reconciled config, then per resource `Remediate` (when any policy is
    at the remediate level; later calls see the new inputs) and `Analyze`, then one `AnalyzeStack`.

    Re-implemented here, because the servicer cannot do it: the CLI's reconciliation of the pack's
    defaults with `--policy-pack-config` (`resolve_config`), and the engine's part around the calls
    (which resources it sends, applying remediated inputs, reading the diagnostics back)."""
    with frozen_heap(), memoized_conversions(), closing_policy_loops():
        return _evaluate(pack, capture, resolve_config(pack, file_config, source), stack_config or {})


def _evaluate(
    pack: LoadedPack, capture: Capture, resolved: list[ResolvedPolicy], stack_config: Mapping[str, str]
) -> PolicyReport:
    active = [rp for rp in resolved if rp.enforcement != EnforcementLevel.DISABLED]
    report = PolicyReport(pack=pack.name, version=pack.version, policies_run=len(active))
    scopes = PolicyScopes(pack.servicer, _configure_request(resolved), [rp.policy for rp in active])
    providers = _Providers(capture, stack_config)
    remediating = any(
        rp.enforcement == EnforcementLevel.REMEDIATE and isinstance(rp.policy, ResourceValidationPolicy)
        for rp in resolved
    )
    sent: dict[str, tuple[dict[str, Any], Any]] = {}  # URN -> inputs after remediation, provider
    for r in capture.resources:
        provider = providers.of(r)
        inputs = dict(r.inputs)
        if remediating:
            request = wire.analyze_request(r, inputs, provider)
            response = _call(scopes.servicer(pack.policies).Remediate, request, f"remediating {r.urn}")
            for m in response.remediations:
                if m.diagnostic:
                    report.diagnostics.append(f"{m.diagnostic} (on {r.urn})")
                if m.HasField("properties"):
                    new_inputs = wire.from_struct(m.properties)
                    changed = sorted(k for k in {*inputs, *new_inputs} if inputs.get(k) != new_inputs.get(k))
                    report.remediations.append(Remediation(m.policyName, r.urn, changed))
                    inputs = new_inputs
            report.not_applicable += [(n.policy_name, r.urn, n.reason) for n in response.not_applicable]
        sent[r.urn] = (inputs, provider)
        judging = scopes.for_resource(r.type)
        if judging:
            request = wire.analyze_request(r, inputs, provider)
            response = _call(scopes.servicer(judging).Analyze, request, f"on {r.urn}")
            _read_diagnostics(response, r.urn, report)
            report.not_applicable += [(n.policy_name, r.urn, n.reason) for n in response.not_applicable]
    stack_policies = [rp.policy for rp in active if isinstance(rp.policy, StackValidationPolicy)]
    read: dict[str, bool] = {}  # type -> whether some active policy has a rule for it
    for r in capture.resources:
        if not r.custom or r.type.startswith("pulumi:"):
            continue
        if r.type not in read:
            read[r.type] = any(_reads_type(rp.policy, r.type) for rp in active)
        if not read[r.type]:
            report.unjudged[r.type] = report.unjudged.get(r.type, 0) + 1
    if stack_policies:
        request = proto.AnalyzeStackRequest(resources=[wire.stack_resource(r, *sent[r.urn]) for r in capture.resources])
        response = _call(scopes.servicer(pack.policies).AnalyzeStack, request, "on the stack")
        _read_diagnostics(response, "", report)
        report.not_applicable += [(n.policy_name, "", n.reason) for n in response.not_applicable]
    return report


def _reads_type(policy: Any, resource_type: str) -> bool:
    """Whether `policy` has a rule for `resource_type` of its own: it declares the types it reads
    (`judges_type`) and this is one of them, and it is not a rule for every type of the provider
    (`required-tags` reads any `aws:` type, so it would hide a CloudFormation stack or a Glacier
    vault that no security rule reads). A policy that declares no types reads everything."""
    if not callable(getattr(policy, "judges_type", None)):
        return True
    if not judges(policy, resource_type):
        return False
    package = resource_type.split(":", 1)[0]
    return not judges(policy, f"{package}:noSuchModule/noSuchType:NoSuchType")


def _read_diagnostics(response: Any, urn: str, report: PolicyReport) -> None:
    """Violations, and the analyzer's advisory "can't run policy ... during preview" notes (the
    servicer sends both as diagnostics; the notes carry no severity and start with that text)."""
    for d in response.diagnostics:
        if d.message.startswith(f"can't run policy '{d.policyName}' from policy pack "):
            report.diagnostics.append(f"{d.message} (on {urn or 'the stack'})")
            continue
        prefix = f"{d.description}\n"
        message = d.message[len(prefix) :] if d.message.startswith(prefix) else d.message
        report.violations.append(
            Violation(
                d.policyName,
                _LEVELS.get(d.enforcementLevel, "advisory"),
                _SEVERITIES.get(d.severity, "unspecified"),
                d.urn or urn,
                message,
                d.description,
            )
        )


def read_policy_config(path: str | Path) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{path}: policy config file not found") from None
    except ValueError as exc:
        raise UserError(f"{path}: not valid JSON ({exc})") from None
    except RecursionError:
        raise UserError(f"{path}: nested too deeply to read; allowed: a JSON object of policy settings") from None
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
