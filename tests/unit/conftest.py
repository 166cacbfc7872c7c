from __future__ import annotations

import pytest

from labtools import LabRun


@pytest.fixture
def lab_factory(tmp_path):
    started = []

    def start(scenario="default", speed=None):
        run = LabRun(scenario, tmp_path / ("lab%d" % len(started)), speed=speed)
        started.append(run)
        return run

    yield start
    for run in started:
        run.stop()


@pytest.fixture
def lab(lab_factory):
    return lab_factory("default")
