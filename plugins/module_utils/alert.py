# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read the runbook's alert: the failing scan names in square brackets. Pure, no I/O.

    The following scans are identified as failing and need investigation:

    [ALC_all_envs_public_import ALC_Prod_WDC06_private_import]
"""

from __future__ import annotations

import re

SCAN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.~+-]*$")


class AlertError(ValueError):
    """The alert cannot be read; the message says what was expected."""


def alert_scans(text):
    """The scan names of an alert, in order, without duplicates. Raises AlertError for a malformed or empty alert."""
    if not isinstance(text, str) or not text.strip():
        raise AlertError("empty alert: expected the failing scans in square brackets, for example "
                         "[ALC_all_envs_public_import ALC_Prod_WDC06_private_import]")
    lists = re.findall(r"\[([^\[\]]*)\]", text)
    if not lists:
        raise AlertError("malformed alert: no [...] list of scans found; expected for example "
                         "[ALC_all_envs_public_import ALC_Prod_WDC06_private_import]")
    names = []
    for chunk in lists:
        for name in re.split(r"[\s,]+", chunk.strip()):
            if not name:
                continue
            if not SCAN_NAME.match(name):
                raise AlertError("malformed alert: %r is not a scan name (letters, digits, _ . ~ + -)" % name[:80])
            if name not in names:
                names.append(name)
    if not names:
        raise AlertError("empty alert: the [...] list names no scan")
    return names
