# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Decode Security Center's scanner ``status``: a string holding an integer bit field.

Bit names follow the only public numeric table (Net::SecurityCenter) and the UI names of Tenable's
"Nessus Scanner Statuses" page. The health rule is the collection's, documented as an inference:
a scanner is healthy when the Working bit is set and no error bit is. No I/O here.
"""

from __future__ import annotations

from .sc_types import to_int

# bit -> (name, kind). kind: ok | error | transient | degraded | other
SCANNER_STATUS_BITS = (
    (1, "Working", "ok"),
    (2, "Connection Error", "error"),
    (4, "Connection Timeout", "error"),
    (8, "Certificate Mismatch", "error"),
    (16, "Protocol Error", "error"),
    (32, "Authentication Error", "error"),
    (64, "Invalid Configuration", "error"),
    (128, "Reloading Scanner", "transient"),
    (256, "Plugins Out of Sync", "degraded"),
    (512, "PVS Results Ready", "other"),
    (1024, "Updating Plugins", "transient"),
    (2048, "LCE Main Daemon Down", "other"),
    (4096, "LCE Query Daemon Down", "other"),
    (8192, "Updating Status", "transient"),
    (16384, "User Disabled", "error"),
    (32768, "Upgrade Required", "error"),
    (65536, "LCE Version Too Low", "other"),
    (131072, "License Invalid", "error"),
    (262144, "Not Used", "other"),
    (524288, "Resource Unavailable", "error"),
)
ERROR_MASK = sum(bit for bit, _name, kind in SCANNER_STATUS_BITS if kind == "error")
WORKING = 1


def decode_scanner_status(value):
    """Decode a status value (``"8193"``, ``1``, ``None``) into a dict.

    ``flags`` names every set bit, ``errors`` the error bits; ``healthy`` is Working and no error;
    ``summary`` is what a person reads ("Working", "Connection Error", "Working, Updating Status").
    Unknown bits are named ``Unknown bit N`` so nothing is silently dropped.
    """
    code = to_int(value)
    if code is None or code < 0:
        return {"code": None, "flags": [], "errors": [], "working": False, "healthy": False,
                "transient": False, "summary": "Unknown (no status)"}
    flags, errors, transient = [], [], False
    known = 0
    for bit, name, kind in SCANNER_STATUS_BITS:
        known |= bit
        if code & bit:
            flags.append(name)
            if kind == "error":
                errors.append(name)
            elif kind == "transient":
                transient = True
    rest = code & ~known
    bit = 1
    while rest:
        if rest & 1:
            name = "Unknown bit %d" % bit
            flags.append(name)
            errors.append(name)
        rest >>= 1
        bit <<= 1
    working = bool(code & WORKING)
    healthy = working and not errors
    return {
        "code": code,
        "flags": flags,
        "errors": errors,
        "working": working,
        "healthy": healthy,
        "transient": transient,
        "summary": ", ".join(flags) if flags else "Unknown (status 0)",
    }


def describe_scanner(scanner):
    """A scanner as the collection reports it: Security Center's fields, the decoded status, zone names."""
    decoded = decode_scanner_status(scanner.get("status"))
    return dict(
        scanner,
        status_decoded=decoded,
        healthy=decoded["healthy"],
        zone_names=[zone.get("name") for zone in scanner.get("zones") or []],
    )


def describe_zone(zone):
    """A scan zone with each scanner's status decoded and the healthy/unhealthy scanner names."""
    scanners = [describe_scanner(scanner) for scanner in zone.get("scanners") or []]
    healthy = [s.get("name") for s in scanners if s["healthy"]]
    unhealthy = [s.get("name") for s in scanners if not s["healthy"]]
    return dict(
        zone,
        scanners=scanners,
        healthy_scanners=healthy,
        unhealthy_scanners=unhealthy,
        healthy=bool(scanners) and not unhealthy,
    )
