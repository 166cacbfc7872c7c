"""The fault matrix prints its table at the end of the run: scenario, fault, outcome, duplicate actions.

Each test (in whichever xdist worker) appends its row to tests/output/fault_matrix.jsonl; the controller
empties the file when the run starts and prints the table from it when the run ends.
"""

from __future__ import annotations

import json
import os

import pytest

ROWS_FILE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "output", "fault_matrix.jsonl")
HEADER = ("scenario", "fault", "outcome", "duplicates")


def pytest_configure(config):
    if not hasattr(config, "workerinput"):
        os.makedirs(os.path.dirname(ROWS_FILE), exist_ok=True)
        with open(ROWS_FILE, "w", encoding="utf-8"):
            pass


@pytest.fixture
def matrix_row():
    """``matrix_row(scenario, fault, outcome, duplicates)``: one line of the table."""
    def add(*row):
        with open(ROWS_FILE, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(list(row)) + "\n")
    return add


def pytest_terminal_summary(terminalreporter):
    if not os.path.exists(ROWS_FILE):
        return
    with open(ROWS_FILE, encoding="utf-8") as handle:
        rows = sorted(tuple(json.loads(line)) for line in handle if line.strip())
    if not rows:
        return
    terminalreporter.write_sep("=", "fault matrix")
    widths = [max(len(str(r[i])) for r in rows + [HEADER]) for i in range(4)]
    for row in [HEADER] + rows:
        terminalreporter.write_line("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)))
    terminalreporter.write_line("%d scenarios, duplicate actions in all: %d" % (len(rows), sum(r[3] for r in rows)))
