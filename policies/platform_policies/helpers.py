"""Reading what the engine hands a policy, without tripping over what it leaves out.

Props are camelCase inputs behind `unknown_checking_proxy`: reading an unknown value raises
`UnknownValueError`, which the analyzer host turns into an advisory "can't run during preview"
note. These helpers read only what a policy asks for and let that error propagate, except where an
unknown value still decides the verdict (`is_set`/`given`: the program did set the property;
`key_ref`: a key computed by the program is customer-managed; `known_or`/`peek`: matching only), so
that a preview, where provider-computed values are unknown, reaches the verdict of an update.
Missing optional properties are simply absent (None), numbers arrive as floats.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import PolicyProviderResource, PolicyResource
from pulumi_policy.proxy import UnknownValueError

_MISSING = object()


def get(props: Any, *path: str | int, default: Any = None) -> Any:
    """`props[a][b][c]`, or `default` when any step is absent or not a container.

    Unknown values raise `UnknownValueError` (on purpose: the host reports the policy as
    unable to run during preview rather than passing or failing it on a guess)."""
    current = props
    for key in path:
        if isinstance(key, int):
            if isinstance(current, Sequence) and not isinstance(current, str) and -len(current) <= key < len(current):
                current = current[key]
                continue
            return default
        if isinstance(current, Mapping) and key in current:
            current = current[key]
            continue
        return default
    return default if current is None else current


def as_list(value: Any) -> list[Any]:
    """None -> [], a scalar -> [it], a (proxied) sequence -> its items."""
    if value is None:
        return []
    if isinstance(value, (str | bytes, Mapping)):
        return [value]
    if isinstance(value, Iterable):
        return list(value)
    return [value]


SPOT_FLEET = "aws:ec2/spotFleetRequest:SpotFleetRequest"


def launch_specifications(props: Any) -> list[tuple[str, Any]]:
    """(label, settings) for each `launch_specifications` entry of a spot fleet request: the
    arguments of the instances the fleet launches, judged as an instance's own are (a spot fleet's
    `launch_template_configs` are judged at their launch template)."""
    return [
        (f"launch specification #{i + 1}", spec) for i, spec in enumerate(as_list(get(props, "launchSpecifications")))
    ]


def truthy(value: Any) -> bool:
    """Booleans as the providers accept them: True, "true" (launch templates use strings)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().lower() == "true"
    if isinstance(value, int | float):
        return value != 0
    return False


def number(value: Any, default: float | None = None) -> float | None:
    """Numbers arrive as floats (or numeric strings in a few schemas)."""
    if isinstance(value, bool):
        return default
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return default
    return default


def plain(value: Any) -> Any:
    """A deep plain copy of a proxied value (raises on unknowns inside, like any read)."""
    if isinstance(value, Mapping):
        return {str(k): plain(value[k]) for k in value}
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return [plain(v) for v in value]
    return value


def parse_json(value: Any) -> Any:
    """A JSON document given as a string (the usual case) or already as an object."""
    if isinstance(value, str):
        return json.loads(value)
    return plain(value)


def matches_any(value: str, patterns: Iterable[str]) -> bool:
    """Shell-style, case-sensitive patterns (`t3.*`, `db.r6g.*`)."""
    return any(fnmatch.fnmatchcase(value, p) for p in patterns)


# --- resources, names, messages ----------------------------------------------------------------


def of_type(resources: Iterable[PolicyResource], *types: str) -> Iterator[PolicyResource]:
    wanted = set(types)
    return (r for r in resources if r.resource_type in wanted)


def linked(resource: PolicyResource, prop: str) -> list[PolicyResource]:
    """Resources the value of `prop` was computed from (the engine's property dependencies)."""
    return list(resource.property_dependencies.get(prop, []) or [])


def targets(
    resource: PolicyResource,
    prop: str,
    candidates: Iterable[PolicyResource],
    match_props: Sequence[str] = ("id", "bucket", "arn", "name"),
) -> list[PolicyResource]:
    """The resources among `candidates` that `resource.props[prop]` refers to.

    First by the engine's property dependencies (what a real preview has, since new ids are
    unknown); then, when the value is a known string, by matching it against each candidate's
    id/name/arn (covers resources referenced by literal name). Never raises on unknowns of the
    candidates: an unknown candidate id simply does not match."""
    pool = list(candidates)
    by_urn = {c.urn: c for c in pool}
    found = [by_urn[d.urn] for d in linked(resource, prop) if d.urn in by_urn]
    if found:
        return found
    value = peek(resource.props, prop)
    if not isinstance(value, str) or not value:
        return []
    for c in pool:
        for key in match_props:
            other = peek(c.props, key)
            if isinstance(other, str) and other == value:
                found.append(c)
                break
    return found


def peek(props: Any, key: str) -> Any:
    """A value read for *matching* only: unknown or missing both mean "no match"."""
    try:
        return props.get(key) if isinstance(props, Mapping) else None
    except UnknownValueError:
        return None


def is_set(resource: PolicyResource, key: str) -> bool:
    """The property has a value, known or not: a preview leaves a value computed from another
    resource unknown (`replication_group_id=group.id`), yet the program did set it. The engine's
    property dependencies say so too."""
    if linked(resource, key):
        return True
    try:
        value = resource.props.get(key) if isinstance(resource.props, Mapping) else None
    except UnknownValueError:
        return True
    return value not in (None, "", [], {})


def given(props: Any, *path: str | int) -> bool:
    """A resource policy's `is_set`: the property has a value, or one that is unknown during preview
    (computed from another resource, so the program did set it)."""
    try:
        return get(props, *path) not in (None, "", [], {})
    except UnknownValueError:
        return True


def known_or(props: Any, key: str, fallback: Any) -> Any:
    """`get(props, key)`, or `fallback` when the value is unknown during preview."""
    try:
        return get(props, key)
    except UnknownValueError:
        return fallback


class Deferred:
    """Stack policies judge many resources: an unknown value on one of them must not stop the
    others from being judged. Each resource is checked inside `item()`; an unknown value there
    skips that resource only, and `finish()` re-raises the first one so the host still reports
    "can't run during preview" for what could not be decided."""

    def __init__(self) -> None:
        self.first: UnknownValueError | None = None

    def run(self, check: Any, *args: Any) -> None:
        try:
            check(*args)
        except UnknownValueError as exc:
            if self.first is None:
                self.first = exc

    def finish(self) -> None:
        if self.first is not None:
            raise self.first


# --- tags ---------------------------------------------------------------------------------------


def provider_default_tags(provider: PolicyProviderResource | None) -> dict[str, str]:
    """Tags the AWS provider adds to every taggable resource (`defaultTags.tags`).

    Explicit providers carry their inputs JSON-encoded (`'{"tags": {...}}'`); the default
    provider's come from stack config (`aws:defaultTags`), already an object."""
    if provider is None or not provider.resource_type.startswith("pulumi:providers:aws"):
        return {}
    raw = get(provider.props, "defaultTags")
    if raw is None:
        return {}
    try:
        value = parse_json(raw)
    except ValueError:
        return {}
    tags = value.get("tags") if isinstance(value, dict) else None
    return {str(k): str(v) for k, v in (tags or {}).items()}


def effective_tags(props: Mapping[str, Any], provider: PolicyProviderResource | None) -> dict[str, str]:
    tags = dict(provider_default_tags(provider))
    own = get(props, "tags")
    if isinstance(own, Mapping):
        tags.update({str(k): str(own[k]) for k in own})
    return tags


# --- small domain helpers -----------------------------------------------------------------------

_AWS_MANAGED_KEY = re.compile(r"(^|:)alias/aws/")

COMPUTED_KEY = "<a key computed by this program>"
"""What `key_ref` gives for a KMS key reference that is unknown during preview."""


def key_ref(props: Any, *path: str | int) -> Any:
    """A KMS key reference (`kmsKeyId`, `kmsMasterKeyId`, ...), like `get`, except that a value not
    known during preview is `COMPUTED_KEY`: it is computed from another resource of the program
    (a `aws.kms.Key`'s ARN or an alias's), and a program cannot create an AWS-managed key, so the
    reference is to a customer-managed key whatever its value turns out to be. This keeps the
    verdict of a preview the same as that of an update, where the ARN is known."""
    try:
        return get(props, *path)
    except UnknownValueError:
        return COMPUTED_KEY


def is_customer_managed_key(key: Any) -> bool:
    """A KMS key reference that is not an AWS-managed alias (`alias/aws/s3`, ...)."""
    return isinstance(key, str) and bool(key.strip()) and not _AWS_MANAGED_KEY.search(key)


SECRET_NAME = re.compile(
    r"(PASSWORD|PASSWD|PASSPHRASE|SECRET|SECRET_KEY|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIALS?)$",
    re.IGNORECASE,
)
"""A name that says its value is a secret (`DB_PASSWORD`, `GITHUB_TOKEN`, `DJANGO_SECRET_KEY`):
environment variables, shell variables and parameter names (with `-` read as `_`)."""

WORLD_CIDRS = frozenset({"0.0.0.0/0", "::/0"})

_PRIVATE_V4 = tuple(
    ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8")
)


def is_world(cidr: Any) -> bool:
    """Whether a CIDR opens to the internet at large: 0.0.0.0/0 and ::/0, and any range as wide as
    a /7 of IPv4 or a /16 of IPv6 outside the private blocks (0.0.0.0/1 with 128.0.0.0/1 is the
    world in two rules; no organisation owns such a range). Host bits set are ignored, as EC2 does."""
    if not isinstance(cidr, str):
        return False
    if cidr.strip() in WORLD_CIDRS:
        return True
    try:
        network = ipaddress.ip_network(cidr.strip(), strict=False)
    except ValueError:
        return False
    if network.version == 4:
        return network.prefixlen <= 7 and not any(network.subnet_of(p) for p in _PRIVATE_V4)  # type: ignore[arg-type]
    return network.prefixlen <= 16 and not network.is_private and not network.is_link_local


def provider_region(resource: Any) -> str | None:
    """The Region of the provider a resource is created through, when known."""
    provider = getattr(resource, "provider", None)
    value = peek(provider.props, "region") if provider is not None else None
    return value if isinstance(value, str) and value else None


def in_regions(resource: Any, regions: set[str | None]) -> bool:
    """Whether a Region-wide setting made in `regions` covers `resource`: only a Region known to
    differ on both sides rules it out (a component's or a default provider's may be unknown)."""
    region = provider_region(resource)
    return bool(regions) and (region is None or None in regions or region in regions)
