"""JSON text as the Go providers write it, for values the program reads back from them.

Numbers cross protobuf as doubles (the program's 80 arrives as 80.0) while the Go side holds the
integer the program wrote; `encoding/json.Marshal` writes objects compactly with their keys sorted,
UTF-8 as is, and `<`, `>`, `&`, U+2028 and U+2029 escaped (its default HTML escaping).
"""

from __future__ import annotations

import json
from typing import Any

_GO_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def whole_numbers(value: Any) -> Any:
    """`value` with every integral double (below 2**53) as the integer it came from."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, list):
        return [whole_numbers(v) for v in value]
    if isinstance(value, dict):
        return {k: whole_numbers(v) for k, v in value.items()}
    return value


def marshal(value: Any) -> str:
    """`json.Marshal(value)` of Go (the characters it escapes only occur inside strings, so
    translating the whole text escapes exactly those)."""
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False).translate(_GO_ESCAPES)
