"""The fault matrix and the bad-input suite print their tables at the end of the run.

Each test (in whichever xdist worker) appends its row to tests/output/fault_matrix.jsonl, tagged with its table;
the controller empties the file when the run starts and prints the tables from it when the run ends.
"""

from __future__ import annotations

import json
import os

import pytest

ROWS_FILE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "output", "fault_matrix.jsonl")
TABLES = {
    "test_fault_matrix": ("fault matrix", ("scenario", "fault", "outcome", "duplicates"), "duplicate actions"),
    "test_bad_input": ("bad input", ("case", "input", "outcome", "changes"), "changes made"),
}


def pytest_configure(config):
    if not hasattr(config, "workerinput"):
        os.makedirs(os.path.dirname(ROWS_FILE), exist_ok=True)
        with open(ROWS_FILE, "w", encoding="utf-8"):
            pass


@pytest.fixture
def matrix_row(request):
    """``matrix_row(name, what, outcome, count)``: one line of the module's table (count must be 0)."""
    table = request.module.__name__.rsplit(".", 1)[-1]

    def add(*row):
        with open(ROWS_FILE, "a", encoding="utf-8") as handle:
            handle.write(json.dumps([table] + list(row)) + "\n")
    return add


def pytest_terminal_summary(terminalreporter):
    if not os.path.exists(ROWS_FILE):
        return
    with open(ROWS_FILE, encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    for table, (title, header, counted) in TABLES.items():
        mine = sorted(tuple(r[1:]) for r in rows if r[0] == table)
        if not mine:
            continue
        terminalreporter.write_sep("=", title)
        widths = [max(len(str(r[i])) for r in mine + [header]) for i in range(4)]
        for row in [header] + mine:
            terminalreporter.write_line("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)))
        terminalreporter.write_line("%d cases, %s in all: %d" % (len(mine), counted, sum(r[3] for r in mine)))
