"""What a provider computes, read from its Python SDK (generated from the provider's schema).

A resource class's output properties are its `@pulumi.getter`s; its `<Name>Args` class holds the
inputs. Whatever is an output but not an input is computed by the provider on create (ids, ARNs,
endpoints, `execution_arn`, `invoke_url`, `uris`, ...): unknown during `pulumi preview`, given a
plausible value under `--mode up`. An invoke's result type (`GetAmiResult` for
`aws:ec2/getAmi:getAmi`) lists the fields a data source returns the same way.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import re
from typing import Any

_PULUMI_NAME = "_pulumi_name"  # attribute `pulumi.getter` sets on a getter (pulumi/_types.py)


def _sdk_module(package: str, module: str) -> Any | None:
    """`aws` + `apigateway/restApi` -> the `pulumi_aws.apigateway` module (None if not installed)."""
    base = "pulumi_" + package.replace("-", "_")
    mod = module.split("/", 1)[0]
    # `lambda` is a Python keyword: the SDK's module is `lambda_`.
    candidates = [base] if mod in ("index", "") else [f"{base}.{mod}", f"{base}.{mod}_", base]
    for name in candidates:
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    return None


def _getters(cls: type) -> dict[str, str]:
    """Wire (camelCase) name -> annotation text of every `@pulumi.getter` property of `cls`."""
    out: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        for attr in vars(klass).values():
            fget = getattr(attr, "fget", None)
            name = getattr(fget, _PULUMI_NAME, None)
            if isinstance(name, str):
                annotation = getattr(fget, "__annotations__", {}).get("return", "")
                out[name] = annotation.__name__ if isinstance(annotation, type) else str(annotation)
    return out


def _token_parts(token: str) -> tuple[str, str, str] | None:
    parts = token.split(":")
    if len(parts) != 3:
        return None
    return parts[0], parts[1], parts[2]


@functools.cache
def _sdk_classes(type_token: str) -> tuple[type | None, type | None]:
    """The SDK's resource class of `type_token` and its `<Name>Args` class (None where absent)."""
    parts = _token_parts(type_token)
    if parts is None:
        return None, None
    package, module, name = parts
    sdk = _sdk_module(package, module)
    cls, args_cls = (getattr(sdk, name, None), getattr(sdk, f"{name}Args", None)) if sdk else (None, None)
    return (cls if isinstance(cls, type) else None), (args_cls if isinstance(args_cls, type) else None)


@functools.cache
def computed_outputs(type_token: str) -> dict[str, str]:
    """Output name -> kind (`str`, `list`, `int`, `bool`, `object`) of the outputs the provider
    computes for `type_token` (outputs that are not inputs). Empty when the SDK is not installed."""
    cls, args_cls = _sdk_classes(type_token)
    if cls is None:
        return {}
    inputs = set(_getters(args_cls)) if args_cls is not None else set()
    return {k: _kind(v) for k, v in _getters(cls).items() if k not in inputs and k not in ("id", "urn")}


@functools.cache
def input_names(type_token: str) -> frozenset[str]:
    """Wire names of the inputs of `type_token` (its SDK `<Name>Args` class)."""
    _, args_cls = _sdk_classes(type_token)
    return frozenset(_getters(args_cls)) if args_cls is not None else frozenset()


_RESOURCE_CLASS = re.compile(r"ForwardRef\('(pulumi_[\w.]+)\.(\w+)'\)")


@functools.cache
def resource_outputs(type_token: str) -> dict[str, tuple[str, bool]]:
    """Output name -> (type token, whether a list) of the outputs of `type_token` that are
    resources of a provider package (awsx's `ApplicationLoadBalancer.load_balancer` is an
    `aws:lb/loadBalancer:LoadBalancer`): the engine gives them as references to the component's
    children. The token comes from the resource modules the package registered with the SDK
    (`_utilities.register`: module `fqn` and `classes`, token -> class name)."""
    cls, _ = _sdk_classes(type_token)
    if cls is None:
        return {}
    typed = {k: (m, a) for k, a in _getters(cls).items() if (m := _RESOURCE_CLASS.search(a)) is not None}
    for match, _ in typed.values():
        importlib.import_module(match.group(1).split(".", 1)[0])  # registers the package's modules
    tokens = _registered_tokens() if typed else {}
    out: dict[str, tuple[str, bool]] = {}
    for key, (match, annotation) in typed.items():
        token = tokens.get((match.group(1), match.group(2)))
        if token is not None:
            out[key] = (token, _kind(annotation) == "objects")
    return out


def _registered_tokens() -> dict[tuple[str, str], str]:
    """(module fqn, class name) -> type token, over every resource module registered so far."""
    from pulumi.runtime import rpc

    tokens: dict[tuple[str, str], str] = {}
    for modules in rpc._RESOURCE_MODULES.values():
        for module in modules:
            info = getattr(module, "mod_info", None)
            if isinstance(info, dict) and isinstance(info.get("classes"), dict):
                for token, class_name in info["classes"].items():
                    tokens[(str(info.get("fqn")), str(class_name))] = str(token)
    return tokens


_STRING_OR_DOCUMENT = re.compile(r"^(typing\.)?Union\[(_?builtins\.)?str, ForwardRef\('\w+Args'\)")


@functools.cache
def json_document_inputs(type_token: str) -> frozenset[str]:
    """Inputs that take a JSON text or the document as an object (`assume_role_policy=
    iam.PolicyDocumentArgs(...)`) and whose output is text: the provider's Check turns the object
    into its JSON text (pulumi-terraform-bridge `tfbridge.TransformJSONDocument`, which pulumi-aws
    sets on its policy documents), so the program reads a string back, never the object."""
    cls, args_cls = _sdk_classes(type_token)
    if cls is None or args_cls is None:
        return frozenset()
    outputs = _getters(cls)
    return frozenset(
        k
        for k, annotation in _getters(args_cls).items()
        if _STRING_OR_DOCUMENT.match(annotation) and _kind(outputs.get(k, "")) == "str"
    )


def autonamed(type_token: str, field_name: str) -> bool:
    """Whether the provider fills `field_name` itself when the program leaves it out: pulumi-aws
    autonames a resource's optional name property at Check (`SetAutonaming` in its resources.go),
    i.e. before any create, so the name is known in preview."""
    return field_name in input_names(type_token)


@functools.cache
def _invoke_result(token: str) -> tuple[Any, type] | None:
    """The SDK module and the result class of the invoke `token`."""
    parts = _token_parts(token)
    if parts is None:
        return None
    package, module, function = parts
    sdk = _sdk_module(package, module)
    cls = getattr(sdk, function[:1].upper() + function[1:] + "Result", None) if sdk is not None else None
    return (sdk, cls) if isinstance(cls, type) else None


_OUTPUT_TYPE = re.compile(r"'outputs\.(\w+)'")


def placeholder_result(token: str, given: dict[str, Any], c: Any) -> dict[str, Any]:
    """A result of the right shape for an invoke without an offline answer: the arguments it was
    given, and a `plausible` value for each other field of its SDK result type. A list of nested
    results gets one element built the same way (so `get_certificate(...).certificates[0]` is an
    object of placeholders, as `get_subnets().ids[0]` is a placeholder id), unless the field is
    also an argument of the function, which the provider only echoes back."""
    found = _invoke_result(token)
    out = dict(given)
    if found is None:
        return out
    sdk, cls = found
    function = getattr(sdk, _snake(token.rsplit(":", 1)[-1]), None)
    try:
        parameters = set(inspect.signature(function).parameters) if callable(function) else set()
    except (TypeError, ValueError):
        parameters = set()
    for key, annotation in _getters(cls).items():
        if key in out:
            continue
        if _snake(key) in parameters and _kind(annotation) in ("objects", "object"):
            continue
        value = _placeholder(key, annotation, sdk, c, depth=0)
        if value is not None:
            out[key] = value
    return out


def _placeholder(name: str, annotation: str, sdk: Any, c: Any, depth: int) -> Any:
    kind = _kind(annotation)
    if kind in ("objects", "object"):
        match = _OUTPUT_TYPE.search(annotation)
        element = getattr(getattr(sdk, "outputs", None), match.group(1), None) if match else None
        if not isinstance(element, type) or depth >= 2:
            return [] if kind == "objects" else None
        fields = {
            k: v for k, a in _getters(element).items() if (v := _placeholder(k, a, sdk, c, depth + 1)) is not None
        }
        return [fields] if kind == "objects" else fields
    return plausible(name, kind, c)


def _kind(annotation: str) -> str:
    text = annotation.replace("_builtins.", "").replace("builtins.", "").replace("typing.", "")
    text = text.replace("collections.abc.", "").replace("pulumi.output.", "pulumi.")
    inner = re.sub(r"^(pulumi\.)?Output\[(.*)\]$", r"\2", text)
    inner = re.sub(r"^Optional\[(.*)\]$", r"\1", inner)
    if re.fullmatch(r"(Sequence|list|List)\[str\]", inner):
        return "list"
    if inner.startswith(("Sequence[", "list[", "List[")):
        return "objects"
    if inner in ("str", "int", "float", "bool"):
        return inner
    return "object"


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def plausible(name: str, kind: str, c: Any) -> Any:
    """A value of the right shape for output `name` of kind `kind` (`c`: the output builders' `Ctx`), or
    None where no honest guess exists (numbers, booleans, nested objects stay unset)."""
    if kind == "list":
        value = plausible(name.removesuffix("s"), "str", c)
        return [value] if value is not None else []
    if kind == "objects":
        return []
    if kind != "str":
        return None
    lower = name.lower()
    service = c.type.split(":")[1].split("/")[0] if c.type.count(":") == 2 else "service"
    resource = c.type.rsplit(":", 1)[-1]
    if lower.endswith("arn"):
        kind_part = _snake(resource).replace("_", "-")
        return c.arn(service, f"{kind_part}/{c.physical()}") if lower == "arn" else c.arn(service, c.hex(10, name))
    if lower.endswith(("url", "uri", "endpoint")) or lower == "uris":
        return f"https://{c.hex(10, name)}.{service}.{c.region}.amazonaws.com"
    if name.endswith(("Ip", "IpAddress")) or lower in ("ip", "ipaddress"):  # not `ownership`
        # Private addresses in the default VPC's range; public ones in TEST-NET-3 (RFC 5737).
        last = int(c.hex(2, name), 16) % 250 + 2
        return f"172.31.{int(c.hex(2, name + 'x'), 16)}.{last}" if "private" in lower else f"203.0.113.{last}"
    if lower.endswith(("domainname", "dnsname", "hostname", "address", "dns")):
        return f"{c.hex(10, name)}.{service}.{c.region}.amazonaws.com"
    if lower.endswith("id"):
        prefix = "".join(w[0] for w in _snake(resource).split("_"))[:4] or "id"
        return f"{prefix}-{c.hex(17, name)}"
    if lower.endswith("name"):
        return c.physical()
    return f"{_snake(name).replace('_', '-')}-{c.hex(8, name)}"
