"""Realistic mocked outputs for registrations and invokes.

Ids, ARNs, endpoints and names follow the real formats, with the stack's region (or the explicit
provider's region) and a fixed account, and are derived from the resource's URN so that two runs of
the same program produce the same capture (golden inventories stay stable).

This module is the SDK `Mocks` implementation: what the program sees in preview versus `up`, remote
components, stack references and invokes. The per-type output builders live in `output_builders`,
which this module dispatches to.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from typing import Any

from pulumi.output import Unknown
from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs, Mocks

from .go_json import marshal, whole_numbers
from .invokes import INVOKES
from .output_builders import _SIG_KEY, BUILDERS, Ctx, _generic, _kubernetes, with_computed_outputs
from .program_guard import InvokeError, invoke_key
from .sdk_schema import (
    autonamed,
    computed_outputs,
    json_document_inputs,
    placeholder_result,
    plausible,
    resource_outputs,
)

STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
"""The engine's unknown sentinel (pulumi/runtime/rpc.py UNKNOWN): deserialized as unknown in preview."""
TERRAFORM_UNKNOWN = "74D93920-ED26-11E3-AC10-0800200C9A66"
"""Terraform's unknown-value placeholder (hcl2shim.UnknownVariableValue, repeated in
pulumi-terraform-bridge's shim schema): how a bridged provider's data source receives an argument
not known yet."""
MODELLED_REMOTE_TYPES = frozenset({"eks:index:Cluster"})
"""Remote components whose outputs (and the children they refer to) this project models."""

_AUTONAMED = {
    "aws:s3/bucket:Bucket": ("bucket", 63),
    "aws:s3/bucketV2:BucketV2": ("bucket", 63),
    "aws:rds/instance:Instance": ("identifier", 63),
    "aws:rds/cluster:Cluster": ("clusterIdentifier", 63),
    "aws:rds/clusterInstance:ClusterInstance": ("identifier", 63),
}
"""Types whose autonamed property is not `name` (pulumi-aws resources.go names them)."""

_current = threading.local()


def _is_unknown(value: Any) -> bool:
    """An unknown value: the SDK deserializes one as `pulumi.output.Unknown` (rpc.deserialize_property,
    in a dry run); the sentinel text may also arrive as is."""
    return isinstance(value, Unknown) or value == UNKNOWN


def _contains_unknown(value: Any) -> bool:
    """Whether an input holds an unknown anywhere."""
    if isinstance(value, dict):
        return any(_contains_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(_contains_unknown(v) for v in value)
    return _is_unknown(value)


def invoke_arguments(value: Any) -> Any:
    """An invoke's arguments as the provider receives them. The SDK answers an invoke unknown only
    when an unknown sits at the top level or inside a list of objects (`rpc.struct_contains_unknowns`
    in pulumi/runtime/rpc.py looks no deeper); one inside a list of strings, such as a policy
    statement's `resources` built from a bucket's id, is sent on, and the bridged provider hands it
    to the Terraform data source as Terraform's unknown placeholder. The answers here see that same
    text, never a Python `Unknown` object (whose text would differ from run to run)."""
    if isinstance(value, dict):
        return {k: invoke_arguments(v) for k, v in value.items()}
    if isinstance(value, list):
        return [invoke_arguments(v) for v in value]
    return TERRAFORM_UNKNOWN if _is_unknown(value) else value


def checked_inputs(type_token: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """The inputs as the provider's Check leaves them for the program to read back: a policy
    document given as an object becomes its JSON text (unknown while any part is unknown), as
    `tfbridge.TransformJSONDocument` does. The captured inputs stay what the program sent."""
    state = dict(inputs)
    for key in json_document_inputs(type_token):
        value = state.get(key)
        if isinstance(value, (dict, list)):
            state[key] = UNKNOWN if _contains_unknown(value) else marshal(whole_numbers(value))
    return state


def set_current_request(urn: str, remote: bool) -> None:
    """Called by the monitor just before `new_resource`, on the same thread."""
    _current.urn = urn
    _current.remote = remote


class PlatformMocks(Mocks):
    """Mocks that answer like AWS would: real formats, stable values."""

    def __init__(
        self,
        region: str,
        on_unknown_invoke: Callable[[str, str | None], None] | None = None,
        on_unanswered_reference: Callable[[str], None] | None = None,
        dynamic_outputs: Callable[[MockResourceArgs], dict[str, Any] | None] | None = None,
        stack_outputs: Mapping[str, Mapping[str, Any]] | None = None,
        preview: bool = True,
    ) -> None:
        self.region = region
        self.preview = preview
        self.stack_outputs = {k: dict(v) for k, v in (stack_outputs or {}).items()}
        """Outputs of the stacks a `pulumi.StackReference` reads, by the name the program gives."""
        self.provider_regions: dict[str, str] = {}
        self._on_unknown_invoke = on_unknown_invoke
        self._on_unanswered_reference = on_unanswered_reference
        self._dynamic_outputs = dynamic_outputs
        self.children_of: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
        """Parent URN -> children its outputs refer to (the monitor registers their state)."""

    def _region_for(self, provider_ref: str | None) -> str:
        if provider_ref:
            urn = provider_ref.rsplit("::", 1)[0]
            return self.provider_regions.get(urn, self.region)
        return self.region

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        urn = getattr(_current, "urn", f"urn:{args.typ}:{args.name}")
        remote = bool(getattr(_current, "remote", False))
        if args.typ == "pulumi:providers:aws":
            region = args.inputs.get("region")
            if isinstance(region, str) and region:
                self.provider_regions[urn] = region
        if args.typ == STACK_REFERENCE_TYPE:
            return self._stack_reference(args)
        c = Ctx(args, urn, self._region_for(args.provider))
        if remote and args.typ not in MODELLED_REMOTE_TYPES:
            return self._remote(c)
        if self.preview and not args.resource_id:
            return self._planned(c, remote, bool(args.custom))
        if args.typ.startswith("pulumi-python:dynamic") and self._dynamic_outputs is not None:
            extra = self._dynamic_outputs(args)
            if extra is not None:
                return f"{args.name}-{c.hex(8)}", {**args.inputs, **extra}
        builder = BUILDERS.get(args.typ, _generic)
        rid, outputs = builder(c)
        # A builder models the outputs that matter to this project; every other output the
        # provider computes gets a value of its shape too (`--mode up` leaves none None).
        outputs = with_computed_outputs(c, outputs)
        if c.children:
            self.children_of[urn] = list(c.children)
        merged = {**checked_inputs(args.typ, args.inputs), **outputs}
        merged.setdefault("id", rid)
        if args.typ.startswith("aws:"):
            merged.setdefault("tagsAll", args.inputs.get("tags") or {})
        return rid, merged

    def _remote(self, c: Ctx) -> tuple[str, dict[str, Any]]:
        """A remote component this project does not model: its outputs come from the package's own
        provider, which does not run offline. Never its inputs echoed back (an `awsx.ec2.Vpc`'s
        `nat_gateways` argument is not its `nat_gateways` output): unknown in preview, a value of the
        right shape under `--mode up`."""
        outputs = computed_outputs(c.type)
        if self.preview:
            return "", dict.fromkeys(outputs, UNKNOWN)
        # In `up` the SDK fills any output the engine leaves out with the input of the same name
        # (rpc.resolve_outputs), so the inputs' names are answered explicitly with the unknown
        # sentinel, which outside a dry run resolves as None (rpc.deserialize_property).
        values = {k: plausible(k, kind, c) for k, kind in outputs.items()}
        # Outputs that are the component's children (awsx `load_balancer`, `private_subnets`):
        # references to children of plausible state, one for a list, which the SDK reads back
        # through getResource as it reads a real component's children.
        for key, (child_type, many) in resource_outputs(c.type).items():
            if key in outputs:
                ref = c.resource_ref(child_type, f"{c.name}-{key}", BUILDERS.get(child_type, _generic), {})
                values[key] = [ref] if many else ref
        if c.children:
            self.children_of[c.urn] = list(c.children)
        return "", {**dict.fromkeys(c.inputs, UNKNOWN), **{k: v for k, v in values.items() if v is not None}}

    def _planned(self, c: Ctx, remote: bool, custom: bool) -> tuple[str, dict[str, Any]]:
        """What `pulumi preview` gives the program for a resource about to be created: its inputs,
        the name the provider would autoname (pulumi-aws autonames at Check, before any create),
        and everything the provider computes on create (id, ARN, endpoints...) unknown. The SDK
        resolves the unknown sentinel and the empty id as unknown (pulumi/runtime/rpc.py
        `resolve_outputs`), so applies on them do not run, as under the engine."""
        if not custom and not remote:
            return "", {}
        state: dict[str, Any] = checked_inputs(c.type, c.inputs)
        if remote:
            # A modelled remote component: the children its outputs refer to exist in preview
            # (their URNs are known) with unknown ids; everything else is unknown.
            _, outputs = BUILDERS[c.type](c)
            self.children_of[c.urn] = [(urn, "", {**c.child_inputs[urn], "urn": urn}) for urn, _, _ in c.children]
            refs = {k: {**v, "id": ""} for k, v in outputs.items() if isinstance(v, dict) and v.get(_SIG_KEY)}
            return "", {**{k: UNKNOWN for k in outputs if k not in refs}, **refs}
        if c.type.startswith("kubernetes:"):
            _, outputs = _kubernetes(c)
            state["metadata"] = outputs["metadata"]  # the Kubernetes provider autonames at Check too
            return "", state
        if c.type.startswith(("pulumi:providers:", "pulumi-python:dynamic")):
            return "", state
        field_name, max_len = _AUTONAMED.get(c.type, ("name", 255))
        if c.type in ("aws:lb/loadBalancer:LoadBalancer", "aws:lb/targetGroup:TargetGroup"):
            max_len = 32
        # A `<name>Prefix` makes the provider generate the name on create (unknown in preview).
        if field_name not in state and f"{field_name}Prefix" not in state and autonamed(c.type, field_name):
            name = c.physical(field_name, max_len)
            state[field_name] = name.lower() if field_name != "name" else name
        if c.type.startswith("aws:") and "tags" in state:
            state.setdefault("tagsAll", state.get("tags") or {})
        for key in computed_outputs(c.type):
            state.setdefault(key, UNKNOWN)
        return "", state

    def _stack_reference(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        """A `StackReference` is a read of `pulumi:pulumi:StackReference` whose id is the referenced
        stack's name; the engine answers it with that stack's outputs, read from the backend
        (pulumi/stack_reference.py reads them from the `outputs` property). Offline they come from
        `--stack-outputs`. A stack not given there is reported as unanswered; in preview its outputs
        are unknown, which is all that can honestly be said of them offline (`get_output` and
        `require_output` then give unknown outputs whose applies do not run); under `--mode up`,
        where every value must be concrete, it has none (`get_output` gives None, `require_output`
        fails and the error points at `--stack-outputs`). A stack that is given but lacks an output
        fails `require_output` in both modes, as with the engine."""
        name = str(args.inputs.get("name") or args.resource_id or args.name)
        if name in self.stack_outputs:
            outputs: Any = dict(self.stack_outputs[name])
        else:
            if self._on_unanswered_reference is not None:
                self._on_unanswered_reference(name)
            outputs = UNKNOWN if self.preview else {}
        return name, {"name": name, "outputs": outputs, "secretOutputNames": []}

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        region = self._region_for(args.provider)
        handler = INVOKES.get(args.token)
        arguments = invoke_arguments(dict(args.args))
        try:
            answer = handler(arguments, region) if handler is not None else None
        except Exception as exc:  # noqa: BLE001 - any failure of an answer is the invoke's failure
            # (StopIteration must not escape either: asyncio cannot put it in a future, and the
            # program's invoke would wait forever)
            raise InvokeError(args.token, invoke_key(arguments), f"{exc}") from None
        if answer is None:
            if self._on_unknown_invoke is not None:
                self._on_unknown_invoke(args.token, invoke_key(arguments))
            return self._generic_answer(args.token, arguments, region), []
        return answer, []

    def report_unanswered(self, token: str) -> None:
        if self._on_unknown_invoke is not None:
            self._on_unknown_invoke(token, None)

    def _generic_answer(self, token: str, arguments: dict[str, Any], region: str) -> dict[str, Any]:
        """An invoke without an offline answer: every field of its SDK result type with a value of
        the right shape (so `get_x().id` is a string, not None), built from the arguments. It is
        listed in the report as unanswered; nothing here claims to be what AWS would return."""
        c = Ctx(
            MockResourceArgs(typ=token, name=token.rsplit(":", 1)[-1], inputs={}, provider=None, resource_id=None),
            f"invoke:{token}:{json.dumps(arguments, sort_keys=True, default=str)}",
            region,
        )
        return placeholder_result(token, arguments, c)
