"""Fixtures for the spot selection tests."""

from __future__ import annotations

import pytest
from spot_fakes import FakeMarket


@pytest.fixture
def fake() -> FakeMarket:
    return FakeMarket()
