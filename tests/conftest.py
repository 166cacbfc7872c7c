# -*- coding: utf-8 -*-
"""Make ``ansible_collections.conductors.nessus_compliance`` importable for plain ``pytest``.

The repository root is the collection. Python imports it as ``ansible_collections.conductors.
nessus_compliance`` only from a directory laid out that way, so when the checkout is not already
in such a tree this links it into a temporary one and installs Ansible's collection finder.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAMESPACE, NAME = "conductors", "nessus_compliance"


def _collections_root():
    parts = REPO_ROOT.split(os.sep)
    if parts[-3:] == ["ansible_collections", NAMESPACE, NAME]:
        return os.sep.join(parts[:-3]), False
    base = tempfile.mkdtemp(prefix="pytest-collections-")
    atexit.register(shutil.rmtree, base, True)
    os.makedirs(os.path.join(base, "ansible_collections", NAMESPACE))
    os.symlink(REPO_ROOT, os.path.join(base, "ansible_collections", NAMESPACE, NAME))
    return base, True


COLLECTIONS_ROOT, LINKED = _collections_root()
for path in (COLLECTIONS_ROOT, REPO_ROOT, os.path.join(REPO_ROOT, "tests")):
    if path not in sys.path:
        sys.path.insert(0, path)
if LINKED or not os.environ.get("ANSIBLE_COLLECTIONS_PATH"):
    os.environ["ANSIBLE_COLLECTIONS_PATH"] = COLLECTIONS_ROOT

from ansible.utils.collection_loader import AnsibleCollectionConfig  # noqa: E402

if AnsibleCollectionConfig.collection_finder is None:
    from ansible.plugins.loader import init_plugin_loader  # noqa: E402

    init_plugin_loader([COLLECTIONS_ROOT])


import pytest  # noqa: E402

from labtools import LabRun  # noqa: E402


@pytest.fixture
def lab_factory(tmp_path):
    """Start labs for one test (``lab_factory("scenario or path")``); all stop when the test ends."""
    started = []

    def start(scenario="default", speed=None):
        run = LabRun(scenario, tmp_path / ("lab%d" % len(started)), speed=speed)
        started.append(run)
        return run

    try:
        yield start
    finally:
        for run in started:
            run.stop()
    # No secret the labs handed out may appear in what the test's playbooks printed (at -vvv), in anything they wrote
    # under the test's directory (records, reports, JUnit files, logs) or in the labs' request logs.
    lab_dirs = {os.path.realpath(run.dir) for run in started}
    written = []
    for root, dirs, files in os.walk(tmp_path):
        dirs[:] = [d for d in dirs if os.path.realpath(os.path.join(root, d)) not in lab_dirs]
        for name in files:
            try:
                with open(os.path.join(root, name), encoding="utf-8", errors="replace") as handle:
                    written.append(handle.read())
            except OSError:
                continue
    leaked = sum(len(run.leaked(*written)) for run in started)
    assert leaked == 0, "%d secret value(s) the lab handed out were printed or written" % leaked
    # Every request the run made must be one the real systems accept, and every answer the lab gave must fit the
    # vendors' contracts (a test that sends a refused request on purpose takes its violations with take_violations()).
    violations = [v for run in started for v in run.violations()]
    assert not violations, "%d contract violation(s):\n%s" % (
        len(violations), "\n".join("%(system)s %(method)s %(path)s (%(side)s): %(rule)s" % v for v in violations[:20]))


@pytest.fixture
def lab(lab_factory):
    """The lab's default scenario: the runbook's example day."""
    return lab_factory("default")
