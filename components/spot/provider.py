"""`components.spot.provider.SpotSelectionProvider`, the path older stack state names."""

from secure_platform.spot.provider import SpotSelectionProvider

__all__ = ["SpotSelectionProvider"]
