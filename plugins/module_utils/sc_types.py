# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Security Center's wire types, converted in one place.

Security Center sends almost every scalar as a string: ids (``"121"``), counts (``"2048"``), epoch
times (``"1550037606"``, ``"-1"`` when unset) and booleans (``"true"``). Null references are the
number ``-1``. Some fields are real numbers (``progress.scanningSize``, zone ``activeScanners``) and
documentation examples sometimes show raw types. This module turns all of that into Python types,
keeping Security Center's field names, so every other part of the collection compares integers,
booleans and ``None``. No I/O here.
"""

from __future__ import annotations

INT_FIELDS = frozenset((
    "id", "scanID", "jobID", "repositoryID", "initiatorID", "ownerID", "ownerGID", "resultsSyncID", "dependentID",
    "totalIPs", "scannedIPs", "completedIPs", "completedChecks", "totalChecks", "checksPerHost", "scanDuration", "importDuration",
    "numDependents", "numScans", "numHosts", "numSessions", "numTCPSessions", "port", "activeScanners",
    "totalScanners", "failedLogins", "scanningSize", "scannedSize", "awaitingDownloadSize", "deadHostSize",
    "distributedSize", "chunkCompleted", "classifyMitigatedAge", "inactivityTimeout", "uptime", "status_code",
))
EPOCH_FIELDS = frozenset((
    "createdTime", "modifiedTime", "startTime", "finishTime", "importStart", "importFinish", "nextRun",
    "lastLogin", "lastFailedLogin", "ioSyncStart", "ioSyncFinish", "timestamp",
))
BOOL_FIELDS = frozenset((
    "running", "enabled", "canUse", "canManage", "downloadAvailable", "diagnosticAvailable", "agentCapable",
    "wasCapable", "useProxy", "verifyHost", "managePlugins", "admin", "msp", "unassociatedCert", "dhcpTracking",
    "emailOnLaunch", "emailOnFinish", "scanningVirtualHosts", "releaseSession",
))
# Inside ``progress`` (and its scanners and chunks) these are IP range strings, not counts.
PROGRESS_IP_LISTS = frozenset(("scannedIPs", "scanningIPs", "awaitingDownloadIPs", "deadHostIPs", "ips"))


def to_int(value):
    """``"12"``/``12``/``12.0`` -> 12; ``None``/``""``/``"unlimited"`` -> None."""
    if type(value) is str:  # pylint: disable=unidiomatic-typecheck  # what Security Center sends: the fast path
        try:
            return int(value)
        except ValueError:
            pass
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    text = str(value).strip()
    try:
        return int(text)
    except ValueError:
        try:
            return int(float(text))
        except ValueError:
            return None


def to_epoch(value):
    """An epoch in seconds, or None for Security Center's unset markers (``-1``, ``0``, ``""``)."""
    number = _str_int(value)
    if number is None or number <= 0:
        return None
    return number


def to_bool(value):
    if isinstance(value, bool):
        return value
    if value is None:
        return None
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off", ""):
        return False
    return None


def to_id(value):
    """An object id; Security Center's null reference ``-1`` (and ``0`` for "all zones") -> None."""
    number = _str_int(value)
    if number is None or number < 0:
        return None
    return number


def _str_int(value):
    """to_int(value), with the string of digits Security Center sends read first (no second call for it)."""
    if type(value) is str:  # pylint: disable=unidiomatic-typecheck  # the fast path, as in to_int
        try:
            return int(value)
        except ValueError:
            pass
    return to_int(value)


# Each field's converter (the three sets are disjoint; ``id``, in INT_FIELDS, is an object id: its null reference is None).
CONVERTERS = {}
CONVERTERS.update((key, to_bool) for key in BOOL_FIELDS)
CONVERTERS.update((key, to_epoch) for key in EPOCH_FIELDS)
CONVERTERS.update((key, to_int) for key in INT_FIELDS)
CONVERTERS.update(id=to_id, maxScanTime=to_int)  # seconds; "unlimited" -> None


def normalize(value, in_progress=False, owned=False):
    """Convert a decoded Security Center payload (dict, list or scalar) recursively.

    ``owned=True`` (a payload just decoded, that no one else holds) converts its objects in place instead of copying
    them: a list of tens of thousands of results is then not built twice and dropped once.
    """
    if isinstance(value, list):
        return [normalize(item, in_progress, owned) for item in value]
    if not isinstance(value, dict):
        return value
    out = value if owned else {}
    convert = CONVERTERS.get
    for key, item in value.items():  # (in place, only values change: the keys being walked stay as they are)
        converter = convert(key)
        if converter is None:  # most fields (and ``progress``, which has none)
            if key == "progress":
                # ``progress`` is ``[]`` when nothing ran: make it an empty object.
                out[key] = normalize(item, True, owned) if isinstance(item, dict) else {}
            elif isinstance(item, (dict, list)):
                out[key] = normalize(item, in_progress, owned)
            elif not owned:
                out[key] = item
        elif in_progress and key in PROGRESS_IP_LISTS:
            out[key] = "" if item is None else str(item)
        else:
            out[key] = converter(item)
    return out


def dedupe_by_id(*lists):
    """Merge lists of objects (``usable`` + ``manageable``) keeping the first of each id, in order."""
    seen = set()
    merged = []
    for items in lists:
        for item in items or ():
            key = item.get("id")
            if key in seen:
                continue
            seen.add(key)
            merged.append(item)
    return merged


def usable_and_manageable(response):
    """The objects of a list response, whether it is a plain list or ``{usable, manageable}``."""
    if isinstance(response, list):
        return response
    if isinstance(response, dict):
        return dedupe_by_id(response.get("usable"), response.get("manageable"))
    return []


def select_by_name(items, names, kind):
    """The items whose ``name`` is in ``names`` (all when none are given).

    Raises ValueError naming the unknown names and the known ones, so a typo is caught before anything runs.
    """
    if not names:
        return items
    known = {item.get("name") for item in items}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValueError("unknown %s: %s; Security Center has: %s"
                         % (kind, ", ".join(unknown), ", ".join(sorted(n for n in known if n)) or "none"))
    wanted = set(names)
    return [item for item in items if item.get("name") in wanted]
