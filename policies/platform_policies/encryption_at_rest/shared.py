"""What the encryption-at-rest modules share: whether a key reference names a customer-managed
key, and the controls most of their policies cite.
"""

from __future__ import annotations

from typing import Any

from ..helpers import is_customer_managed_key
from ..registry import Controls

CRYPTO = Controls(soc2=("CC6.1", "C1.1"), iso27001=("A.8.24",), pci=("3.5.1",))


def _cmk(value: Any) -> bool:
    return is_customer_managed_key(value)
