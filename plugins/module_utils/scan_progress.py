# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a scan result's status and progress mean for the runbook. Pure functions, no I/O.

Security Center's scan-result statuses (Tenable's "Scan Result Statuses" table) fall in four groups:
waiting to scan, scanning (or pausing/stopping), paused, and finished (Completed, Partial, Error).
"""

from __future__ import annotations

WAITING_STATUSES = frozenset(("Queued", "Preparing", "Resolving Hostnames", "Verifying Targets", "Initializing Scanners"))
ACTIVE_STATUSES = WAITING_STATUSES | frozenset(("Running", "Pausing", "Paused", "Resuming", "Stopping"))
FINISHED_STATUSES = frozenset(("Completed", "Partial", "Error"))


def is_active(status):
    """Queued or running in any form: a second launch of the same definition would overlap it."""
    return status in ACTIVE_STATUSES


def summarize_progress(result):
    """The numbers a person watches on the scan results page, from a normalized scan result.

    ``scanning`` is true when the result shows IPs being scanned now (``progress.scanningIPs``)
    or IPs already done; ``percent`` is completedChecks/totalChecks.
    """
    progress = result.get("progress") or {}
    completed_ips = _first_int(progress.get("completedIPs"), result.get("completedIPs"))
    total_ips = _first_int(progress.get("totalIPs"), result.get("totalIPs"))
    completed_checks = _first_int(progress.get("completedChecks"), result.get("completedChecks"))
    total_checks = _first_int(progress.get("totalChecks"), result.get("totalChecks"))
    scanning_size = _first_int(progress.get("scanningSize")) or 0
    scanning_ips = progress.get("scanningIPs") or ""
    percent = None
    if total_checks:
        percent = round(100.0 * (completed_checks or 0) / total_checks, 1)
    status = result.get("status")
    return {
        "status": status,
        "active": is_active(status),
        "finished": status in FINISHED_STATUSES,
        "scanning": status == "Running" and (scanning_size > 0 or bool(scanning_ips) or (completed_ips or 0) > 0),
        "scanning_ips": scanning_ips,
        "scanning_size": scanning_size,
        "completed_ips": completed_ips,
        "total_ips": total_ips,
        "scanned_ips": _first_int(result.get("scannedIPs")),
        "completed_checks": completed_checks,
        "total_checks": total_checks,
        "percent": percent,
    }


def _first_int(*values):
    for value in values:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None
