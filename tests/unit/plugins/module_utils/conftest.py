"""Fixtures of the module_utils tests."""

from __future__ import annotations

import pytest


class FakeTime:
    """A clock that moves only when the waiter sleeps, and the sleeps it was asked for."""

    def __init__(self):
        self.sleeps = []

    def clock(self):
        return float(sum(self.sleeps))

    def sleep(self, seconds):
        self.sleeps.append(seconds)


@pytest.fixture
def fake():
    """Time for a waiter that must not sleep: ``fake.clock``, ``fake.sleep``, ``fake.sleeps``."""
    return FakeTime()
