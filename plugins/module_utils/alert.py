# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read the runbook's alert strictly: which scans failed, and nothing else. Pure, no I/O.

The alert is outside text (a GHE issue body, a PagerDuty title, a webhook payload): it is read, never
templated, and only in the shapes the compliance check writes:

    The following scans are identified as failing and need investigation:

    [ALC_all_envs_public_import ALC_Prod_WDC06_private_import]

- the bracketed line right under that header (a GHE issue body may say anything else around it, and a
  bracket anywhere else, such as Security Center's ``[Errno 111]``, chooses nothing);
- a text that is nothing but one bracketed list (``-e alert="[A B]"`` by hand);
- the PagerDuty summary ``SCANS FAILED - failed nessus scans require investigation: A B``;
- the compliance check's JSON report (``check.failing``).

Every name must have the shape Security Center's scan names have here; the caller then checks each against
Security Center and the scan-zone table before anything happens.
"""

from __future__ import annotations

import json
import re

ALERT_HEADER = "The following scans are identified as failing and need investigation:"
PAGERDUTY_SUMMARY = "SCANS FAILED - failed nessus scans require investigation"
SCAN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.~+-]{0,127}$")
MAX_SCANS = 100
MAX_TEXT = 262144
EXPECTED = ("expected the line under %r, a text that is only a bracketed list such as "
            "[ALC_all_envs_public_import ALC_Prod_WDC06_private_import], the PagerDuty summary %r, or the compliance "
            "check's JSON report" % (ALERT_HEADER, PAGERDUTY_SUMMARY + ": NAME ..."))
_BRACKETED = re.compile(r"^\[([^\[\]]*)\]$")
_FENCE = re.compile(r"^(~{3,}|`{3,})[\w-]*$")


class AlertError(ValueError):
    """The alert cannot be read; the message says what was expected and what was not understood."""


def shown(text, limit=80):
    """Outside text quoted for an error message: repr (no control characters), cut to ``limit``."""
    text = str(text)
    return repr(text[:limit] + ("..." if len(text) > limit else ""))


def scan_names(words, where="the alert"):
    """Validated scan names, in order, without duplicates; AlertError names the first word that is not one."""
    if not isinstance(words, (list, tuple)):
        raise AlertError("malformed %s: expected a list of scan names, got %s" % (where, type(words).__name__))
    names = []
    for word in words:
        if not isinstance(word, str) or not SCAN_NAME.match(word):
            raise AlertError("malformed %s: %s is not a scan name (a letter or digit, then up to 127 letters, digits, "
                             "_ . ~ + -)" % (where, shown(word)))
        if word not in names:
            names.append(word)
    if not names:
        raise AlertError("empty %s: it names no scan" % where)
    if len(names) > MAX_SCANS:
        raise AlertError("%s names %d scans; at most %d are read at once" % (where, len(names), MAX_SCANS))
    return names


def _split(chunk, where):
    return scan_names([word for word in re.split(r"[\s,]+", chunk.strip()) if word], where)


def report_scans(report):
    """The failing scans of the compliance check's JSON report (``check.failing``)."""
    failing = (report.get("check") or {}).get("failing") if isinstance(report, dict) else None
    if failing is None:
        raise AlertError("malformed report: no check.failing list (is this the compliance check's "
                         "scan_compliance.json?)")
    if not failing:
        raise AlertError("the compliance report lists no failing scan")
    return scan_names(failing, "report")


def _under_header(lines, at):
    for line in lines[at + 1:]:
        line = line.strip()
        if not line or _FENCE.match(line):
            continue
        match = _BRACKETED.match(line)
        if not match:
            raise AlertError("malformed alert: the line under %r is %s, not a bracketed list of scans"
                             % (ALERT_HEADER, shown(line)))
        return _split(match.group(1), "alert")
    raise AlertError("malformed alert: nothing under %r" % ALERT_HEADER)


def alert_scans(text):
    """The scan names of an alert, in order, without duplicates. AlertError for anything else."""
    if not isinstance(text, str) or not text.strip():
        raise AlertError("empty alert: " + EXPECTED)
    if len(text) > MAX_TEXT:
        raise AlertError("the alert is %d characters long; at most %d are read" % (len(text), MAX_TEXT))
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            report = json.loads(stripped)
        except (ValueError, RecursionError) as exc:
            raise AlertError("malformed report: not JSON (%s)" % shown(exc)) from None
        return report_scans(report)
    lines = stripped.splitlines()
    headers = [i for i, line in enumerate(lines) if line.strip() == ALERT_HEADER]
    if len(headers) > 1:
        raise AlertError("ambiguous alert: %r appears %d times" % (ALERT_HEADER, len(headers)))
    if headers:
        return _under_header(lines, headers[0])
    match = _BRACKETED.match(stripped)
    if match:
        return _split(match.group(1), "alert")
    if stripped.startswith(PAGERDUTY_SUMMARY + ":") and "\n" not in stripped:
        return _split(stripped[len(PAGERDUTY_SUMMARY) + 1:], "PagerDuty summary")
    raise AlertError("malformed alert %s: %s" % (shown(stripped), EXPECTED))
