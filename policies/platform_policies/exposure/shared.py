"""What several exposure modules use: the network controls their policies cite, the load balancer
types, and property reads for matching resources (unknown or missing means no match).
"""

from __future__ import annotations

from typing import Any

from ..helpers import peek
from ..registry import Controls

NETWORK = Controls(soc2=("CC6.6",), iso27001=("A.8.20", "A.8.22"), pci=("1.3.1", "1.4.1"))
LOAD_BALANCERS = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")


def _safe(props: Any, key: str) -> Any:
    return peek(props, key)
