"""IAM policy documents: parsing, action expansion, and the least-privilege questions we ask.

Documents arrive as JSON strings (or objects). `Statement` may be one object or a list;
`Action`, `Resource`, `Principal` values may be strings or lists; `Principal` may be `"*"` or a
map of type -> string | list. Every finding names the statement (`Sid "X"` or `statement #n`).

Action facts (access level, whether an action supports resource-level permissions) come from
`data/iam_actions.json.gz`, generated from the AWS Service Authorization Reference (see
`data/README.md`), not from a hand-kept list that drifts.
"""

from __future__ import annotations

import fnmatch
import gzip
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from .helpers import is_world, parse_json

DATA = Path(__file__).resolve().parent / "data"

WRITE_LEVELS = frozenset({"W", "P", "T"})
"""Write, Permissions management and Tagging: what "write action" means here."""

LEVEL_NAMES = {"L": "List", "R": "Read", "W": "Write", "P": "Permissions management", "T": "Tagging"}


class DocumentError(ValueError):
    """The document is not a valid IAM policy (the message says why)."""


@dataclass(frozen=True)
class Statement:
    index: int
    sid: str | None
    effect: str
    actions: tuple[str, ...]
    not_actions: tuple[str, ...]
    resources: tuple[str, ...]
    not_resources: tuple[str, ...]
    principal: Any
    """None, "*", or {type: (ids...)} with ids as strings."""
    not_principal: Any
    conditions: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f'statement Sid "{self.sid}"' if self.sid else f"statement #{self.index + 1}"

    @property
    def allows(self) -> bool:
        return self.effect == "Allow"

    def principal_ids(self) -> list[tuple[str, str]]:
        """(type, id) pairs; `"*"` becomes ("*", "*")."""
        if self.principal is None:
            return []
        if self.principal == "*":
            return [("*", "*")]
        return [(kind, ident) for kind, ids in self.principal.items() for ident in ids]

    def condition_keys(self) -> dict[str, list[tuple[str, tuple[str, ...]]]]:
        """Lower-cased condition key -> [(operator, values)]."""
        out: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        for op, block in self.conditions.items():
            for key, values in block.items():
                out.setdefault(key.lower(), []).append((op, values))
        return out


@dataclass(frozen=True)
class PolicyDocument:
    statements: tuple[Statement, ...]

    @property
    def allows(self) -> list[Statement]:
        return [s for s in self.statements if s.allows]


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise DocumentError(f"{where} must be a string or a list of strings, got {json.dumps(value)[:80]}")


def _principal(value: Any, where: str) -> Any:
    if value is None:
        return None
    if value == "*":
        return "*"
    if isinstance(value, dict):
        return {str(k): _strings(v, f"{where}.{k}") for k, v in value.items()}
    raise DocumentError(f'{where} must be "*" or a map of principal type to ids')


def _conditions(value: Any, where: str) -> dict[str, dict[str, tuple[str, ...]]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise DocumentError(f"{where} must be a map of operator to {{key: values}}")
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    for op, block in value.items():
        if not isinstance(block, dict):
            raise DocumentError(f"{where}.{op} must be a map of condition key to values")
        out[str(op)] = {str(k): tuple(str(x) for x in (v if isinstance(v, list) else [v])) for k, v in block.items()}
    return out


def parse_document(value: Any) -> PolicyDocument:
    """Parse a policy document given as a JSON string or an object."""
    try:
        doc = parse_json(value)
    except ValueError as exc:
        raise DocumentError(f"not valid JSON ({exc})") from None
    if not isinstance(doc, dict):
        raise DocumentError("a policy document must be a JSON object with a Statement")
    raw = doc.get("Statement")
    if raw is None:
        raise DocumentError("the document has no Statement")
    items = [raw] if isinstance(raw, dict) else raw
    if not isinstance(items, list):
        raise DocumentError("Statement must be an object or a list of objects")
    statements: list[Statement] = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise DocumentError(f"statement #{i + 1} is not an object")
        sid = item.get("Sid")
        where = f'statement Sid "{sid}"' if sid else f"statement #{i + 1}"
        effect = item.get("Effect")
        if effect not in ("Allow", "Deny"):
            raise DocumentError(f'{where}: Effect must be "Allow" or "Deny", got {effect!r}')
        statements.append(
            Statement(
                index=i,
                sid=str(sid) if sid else None,
                effect=effect,
                actions=_strings(item.get("Action"), f"{where}: Action"),
                not_actions=_strings(item.get("NotAction"), f"{where}: NotAction"),
                resources=_strings(item.get("Resource"), f"{where}: Resource"),
                not_resources=_strings(item.get("NotResource"), f"{where}: NotResource"),
                principal=_principal(item.get("Principal"), f"{where}: Principal"),
                not_principal=_principal(item.get("NotPrincipal"), f"{where}: NotPrincipal"),
                conditions=_conditions(item.get("Condition"), f"{where}: Condition"),
            )
        )
    return PolicyDocument(tuple(statements))


# --- the action catalogue -------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    service: str
    name: str
    level: str
    scoped: bool

    @property
    def full(self) -> str:
        return f"{self.service}:{self.name}"


@cache
def _catalogue() -> dict[str, dict[str, str]]:
    data = json.loads(gzip.decompress((DATA / "iam_actions.json.gz").read_bytes()))
    return {svc.lower(): actions for svc, actions in data["services"].items()}


@cache
def catalogue_source() -> str:
    data = json.loads(gzip.decompress((DATA / "iam_actions.json.gz").read_bytes()))
    return f"{data['source']} ({data['sourceVersion']})"


def known_service(service: str) -> bool:
    return service.lower() in _catalogue()


@cache
def expand(pattern: str) -> tuple[Action, ...]:
    """Every documented action a pattern (`s3:Get*`, `*`, `kms:Decrypt`) grants, case-insensitive."""
    pattern = pattern.strip()
    if pattern == "*":
        return tuple(a for svc in _catalogue() for a in expand(f"{svc}:*"))
    service, _, name = pattern.partition(":")
    actions = _catalogue().get(service.lower())
    if not actions or not name:
        return ()
    lowered = name.lower()
    return tuple(
        Action(service.lower(), a, code[0], code[1] == "1")
        for a, code in actions.items()
        if fnmatch.fnmatchcase(a.lower(), lowered)
    )


def is_wildcard(pattern: str) -> bool:
    return "*" in pattern or "?" in pattern


def describe_levels(actions: Iterable[Action]) -> str:
    levels = sorted({LEVEL_NAMES[a.level] for a in actions})
    return "/".join(levels)


def matches(pattern: str, action: str) -> bool:
    """IAM's case-insensitive action matching (`iam:Pass*` matches `iam:PassRole`)."""
    return fnmatch.fnmatchcase(action.lower(), pattern.strip().lower())


def statement_grants(stmt: Statement, action: str) -> bool:
    """Whether an Allow statement grants `action` on some resource (NotAction counts)."""
    if stmt.actions:
        return any(matches(p, action) for p in stmt.actions)
    if stmt.not_actions:
        return not any(matches(p, action) for p in stmt.not_actions)
    return False


# --- conditions that narrow a public principal -----------------------------------------------

RESTRICTING_CONDITION_KEYS = frozenset(
    k.lower()
    for k in (
        "aws:SourceArn",
        "aws:SourceAccount",
        "aws:SourceOwner",
        "aws:SourceVpc",
        "aws:SourceVpce",
        "aws:SourceIp",
        "aws:PrincipalOrgID",
        "aws:PrincipalOrgPaths",
        "aws:PrincipalAccount",
        "aws:PrincipalArn",
        "aws:ResourceOrgID",
        "aws:SourceOrgID",
        "aws:userid",
        "kms:CallerAccount",
    )
)
"""Condition keys that pin a `*` principal to an account, organisation, network or caller.
(Conditions such as `aws:SecureTransport` restrict *how*, not *who*, and do not count; nor does
`kms:ViaService` alone: it names the service a request comes through, and a principal of any
account can call that service. AWS-managed key policies pair it with `kms:CallerAccount`. Nor does
`sts:ExternalId`: IAM's guide on the confused deputy says the external ID is not a secret, and it is
meant beside a named third-party account, never with `*`.)"""

_ARN_KEYS = frozenset({"aws:sourcearn", "aws:principalarn"})
_ID_KEYS = frozenset(
    {
        "aws:sourceaccount",
        "aws:sourceowner",
        "aws:principalaccount",
        "aws:principalorgid",
        "aws:resourceorgid",
        "aws:sourceorgid",
        "kms:calleraccount",
    }
)


def arn_pins_owner(value: str, *, account_required: bool = False) -> bool:
    """Whether an ARN pattern names one owner: its account field is concrete, or (S3 ARNs carry no
    account) the whole ARN is, unless `account_required`. `arn:aws:iam::*:role/x` and
    `arn:aws:s3:::logs-*` match anyone's."""
    parts = value.split(":", 5)
    if len(parts) < 6:
        return False
    account = parts[4]
    if not account:
        return not account_required and not is_wildcard(value)
    return not is_wildcard(account)


def _pins(op: str, key: str, value: str) -> bool:
    """Whether `key <op> value` admits only callers of the named account, organisation, network or
    role, read as IAM evaluates it (IAM User Guide, "IAM JSON policy elements: Condition operators"
    and "Multivalued context keys"):
    * a negated operator (`StringNotEquals`, `ArnNotLike`, `NotIpAddress`, ...) admits everyone
      except the value; `Null` and `Bool` test presence or a flag, not who;
    * `...IfExists` is true when the key is absent, and `ForAllValues:` is true for an absent key
      (the empty set): an anonymous caller or one outside a VPC endpoint has no such key;
    * a wildcard that covers any account (`*`, `arn:aws:iam::*:root`, `1*`; ArnEquals matches
      wildcards as ArnLike does), a policy variable (`${aws:PrincipalAccount}`, always the caller's
      own) or a world-wide address range (`0.0.0.0/0`) narrows nothing."""
    qualifier, _, base = op.rpartition(":")
    base = base.lower()
    if qualifier.lower() == "forallvalues" or base.endswith("ifexists"):
        return False
    if "not" in base or base.startswith(("null", "bool")):
        return False
    if value in ("", "*") or "${" in value:  # a policy variable names the caller's own context
        return False
    if base.startswith("ipaddress"):
        return not is_world(value)
    # `*` and `?` are wildcards under the Like operators and under every ARN operator (IAM treats
    # ArnEquals as ArnLike).
    wildcard = ("like" in base or base.startswith("arn")) and is_wildcard(value)
    if not wildcard:
        return True
    if key in _ID_KEYS:
        return False
    if key == "aws:principalorgpaths":
        org = value.split("/", 1)[0]
        return bool(org) and not is_wildcard(org)
    if key in _ARN_KEYS:
        return arn_pins_owner(value)
    if key == "aws:userid":
        unique_id = value.split(":", 1)[0]
        return bool(unique_id) and not is_wildcard(unique_id)
    return False  # `vpce-*`, `vpc-*`, a wildcard external id: any account's


def restricts_principal(stmt: Statement) -> bool:
    """A `*` principal narrowed by a condition on who or where the caller is, with concrete values
    that each pin it (a key with several values admits any of them)."""
    for key, entries in stmt.condition_keys().items():
        if key not in RESTRICTING_CONDITION_KEYS:
            continue
        for op, values in entries:
            if values and all(_pins(op, key, v) for v in values):
                return True
    return False


def public_principal(stmt: Statement) -> bool:
    """`Principal: "*"` or `{"AWS": "*"}` (anyone, any account), or a `NotPrincipal`: an Allow with
    NotPrincipal grants every principal but the ones it names, anonymous callers included (IAM User
    Guide, "AWS JSON policy elements: NotPrincipal", which advises against it)."""
    return stmt.not_principal is not None or any(ident == "*" for _, ident in stmt.principal_ids())
