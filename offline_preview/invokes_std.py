"""Offline answers for pulumi-std, the Terraform functions as Pulumi invokes (`std:index:<name>`).

Programs converted from Terraform (`pulumi convert`) and the Pulumi Registry's examples call them
for file contents, hashes, encodings, string and CIDR arithmetic. They are pure functions of their
arguments and of files beside the program (read from its directory, the working directory the
offline preview runs it in, as the std provider does under the CLI), so they are computed here as
the std provider computes them (github.com/pulumi/pulumi-std, after Terraform's function
reference). Nondeterministic ones (`timestamp`, `uuid`) are not answered: they stay listed as
unanswered. A file that does not exist fails the invoke, as it fails the provider.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .go_json import marshal, whole_numbers

Std = Callable[[dict[str, Any]], Any]


def _read(path: Any) -> bytes:
    file = Path(os.path.expanduser(str(path)))
    try:
        return file.read_bytes()
    except OSError as exc:
        raise ValueError(f"std: cannot read {path!r} from {Path.cwd()}: {exc.strerror}") from None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


_VERB = re.compile(r"%([-+# 0]*)(\d+)?(?:\.(\d+))?([%sdvqtfxXobe])")


def _format(template: str, args: list[Any]) -> str:
    """Terraform's `format` (Go's fmt verbs as Terraform documents them)."""
    values = iter(args)
    missing: Any = object()

    def one(m: re.Match[str]) -> str:
        flags, width, precision, verb = m.group(1), m.group(2), m.group(3), m.group(4)
        if verb == "%":
            return "%"
        value = next(values, missing)
        if value is missing:
            return f"%!{verb}(MISSING)"  # what Go's fmt, and so pulumi-std, prints
        if verb == "q":
            text = json.dumps(str(value))
        elif verb == "v":
            text = marshal(value) if isinstance(value, (list, dict)) else _plain(value)
        elif verb == "t":
            text = "true" if value is True or str(value).lower() == "true" else "false"
        elif verb in "dxXob":
            number = int(float(value))
            text = {"d": str(number), "x": f"{number:x}", "X": f"{number:X}", "o": f"{number:o}", "b": f"{number:b}"}[
                verb
            ]
            if "+" in flags and number >= 0:
                text = "+" + text
        elif verb in "fe":
            text = f"{float(value):.{int(precision) if precision else 6}{verb}}"
        else:
            text = _plain(value)
            if precision:
                text = text[: int(precision)]
        if width:
            if "-" in flags:
                text = text.ljust(int(width))
            elif "0" in flags and verb not in "sqvt" and text[:1] in "+-":
                text = text[0] + text[1:].rjust(int(width) - 1, "0")  # the sign before the zeros
            else:
                text = text.rjust(int(width), "0" if "0" in flags and verb not in "sqvt" else " ")
        return text

    return _VERB.sub(one, template)


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _replace(args: dict[str, Any]) -> str:
    text, search, replacement = str(args["text"]), str(args["search"]), str(args["replace"])
    if len(search) > 1 and search.startswith("/") and search.endswith("/"):
        # Terraform: a search string in slashes is a regular expression; "$1" / "${1}" in the
        # replacement are its groups and "$$" a dollar (Go's regexp.Expand).
        def expand(m: re.Match[str]) -> str:
            def group(ref: re.Match[str]) -> str:
                if ref.group(0) == "$$":
                    return "$"
                name = ref.group(1) or ref.group(2)
                index = int(name) if name.isdigit() else name
                try:
                    return m.group(index) or ""
                except IndexError:  # no such group: empty, as Go's Expand
                    return ""

            return re.sub(r"\$\$|\$\{(\w+)\}|\$(\w+)", group, replacement)

        return re.sub(search[1:-1], expand, text)
    return text.replace(search, replacement)


def _cidrsubnet(args: dict[str, Any]) -> str:
    network = ipaddress.ip_network(str(args["input"]), strict=False)
    newbits, netnum = int(args["newbits"]), int(args["netnum"])
    new_prefix = network.prefixlen + newbits
    if new_prefix > network.max_prefixlen:
        raise ValueError(f"std: cidrsubnet: {newbits} more bits do not fit in {network}")
    if not 0 <= netnum < (1 << newbits):
        raise ValueError(f"std: cidrsubnet: netnum {netnum} does not fit in {newbits} bits")
    base = network.network_address + (netnum << (network.max_prefixlen - new_prefix))
    return str(ipaddress.ip_network(f"{base}/{new_prefix}"))


def _cidrhost(args: dict[str, Any]) -> str:
    network = ipaddress.ip_network(str(args["input"]), strict=False)
    host = int(args["host"])
    base = network.broadcast_address if host < 0 else network.network_address
    address = base + (host + 1 if host < 0 else host)
    if address not in network:
        raise ValueError(f"std: cidrhost: host number {host} is outside {network}")
    return str(address)


def _lookup(args: dict[str, Any]) -> Any:
    table = args["map"]
    if not isinstance(table, dict):
        raise TypeError("std: lookup: the first argument is not a map")
    if args["key"] in table:
        return table[args["key"]]
    if "default" in args and args["default"] is not None:
        return args["default"]
    raise KeyError(f"std: lookup: key {args['key']!r} not found and no default given")


def _hash(name: str) -> Callable[[bytes], str]:
    return lambda data: hashlib.new(name, data).hexdigest()


def _b64hash(name: str) -> Callable[[bytes], str]:
    return lambda data: _b64(hashlib.new(name, data).digest())


_ON_FILE: dict[str, Callable[[bytes], Any]] = {
    "file": lambda data: data.decode("utf-8"),
    "filebase64": _b64,
    "filebase64sha256": _b64hash("sha256"),
    "filebase64sha512": _b64hash("sha512"),
    "filemd5": _hash("md5"),
    "filesha1": _hash("sha1"),
    "filesha256": _hash("sha256"),
    "filesha512": _hash("sha512"),
}
_ON_TEXT: dict[str, Callable[[bytes], Any]] = {
    "base64encode": _b64,
    "base64sha256": _b64hash("sha256"),
    "base64sha512": _b64hash("sha512"),
    "md5": _hash("md5"),
    "sha1": _hash("sha1"),
    "sha256": _hash("sha256"),
    "sha512": _hash("sha512"),
}
_OTHERS: dict[str, Std] = {
    "fileexists": lambda a: Path(os.path.expanduser(str(a["input"]))).is_file(),
    "base64decode": lambda a: base64.b64decode(str(a["input"]), validate=True).decode("utf-8"),
    "format": lambda a: _format(str(a["input"]), list(a.get("args") or [])),
    "join": lambda a: str(a["separator"]).join(_plain(x) for x in a.get("input") or []),
    "replace": _replace,
    "split": lambda a: str(a["text"]).split(str(a["separator"])),
    "jsonencode": lambda a: marshal(a.get("input")),
    "jsondecode": lambda a: json.loads(str(a["input"])),
    "lower": lambda a: str(a["input"]).lower(),
    "upper": lambda a: str(a["input"]).upper(),
    "trimspace": lambda a: str(a["input"]).strip(),
    "trimprefix": lambda a: str(a["input"]).removeprefix(str(a["prefix"])),
    "trimsuffix": lambda a: str(a["input"]).removesuffix(str(a["suffix"])),
    "basename": lambda a: os.path.basename(str(a["input"])),
    "dirname": lambda a: os.path.dirname(str(a["input"])) or ".",
    "abspath": lambda a: os.path.abspath(str(a["input"])),
    "cidrsubnet": _cidrsubnet,
    "cidrhost": _cidrhost,
    "cidrnetmask": lambda a: str(ipaddress.ip_network(str(a["input"]), strict=False).netmask),
    "length": lambda a: len(a["input"]),
    "tolist": lambda a: list(a["input"]),
    "toset": lambda a: list(dict.fromkeys(a["input"])),
    "tostring": lambda a: None if a.get("input") is None else _plain(a["input"]),
    "concat": lambda a: [x for xs in a.get("input") or [] for x in xs],
    "merge": lambda a: {k: v for m in a.get("input") or [] for k, v in (m or {}).items()},
    "keys": lambda a: sorted(a["input"]),
    "values": lambda a: [a["input"][k] for k in sorted(a["input"])],
    "lookup": _lookup,
    "element": lambda a: a["input"][int(a["index"]) % len(a["input"])],
}


def _answer(name: str) -> Callable[[dict[str, Any], str], dict[str, Any]]:
    if name in _ON_FILE:
        on_file = _ON_FILE[name]
        return lambda args, region: {"result": on_file(_read(args["input"]))}
    if name in _ON_TEXT:
        on_text = _ON_TEXT[name]
        return lambda args, region: {"result": on_text(str(args["input"]).encode("utf-8"))}
    other = _OTHERS[name]
    return lambda args, region: {"result": other(whole_numbers(args))}


STD_INVOKES: dict[str, Callable[[dict[str, Any], str], dict[str, Any]]] = {
    f"std:index:{name}": _answer(name) for name in (*_ON_FILE, *_ON_TEXT, *_OTHERS)
}
