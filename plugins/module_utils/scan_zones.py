# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The scan-zone table: reading and checking it, mapping scan names to zones, drift against Security Center.

The runbook's table says which Nessus scan zones exist, which of our ``infra-nessus`` scanners each
one uses, and which regions and accounts it covers. Everything here is pure (no I/O): the inventory
plugin, the playbooks' zone validation and the drift report all use it.
"""

from __future__ import annotations

import re

VISIBILITIES = ("private", "public")
BASTION_JOBS = {"ww": "armada-ops/bastion-register-nodes-ww", "eu-fr2": "armada-ops/bastion-register-nodes"}
ZONE_FIELDS = frozenset((
    "name", "visibility", "description", "environment", "datacenter", "regions", "accounts", "covers", "c_code",
    "bastion_job", "bastion_target", "domain", "scanners",
))
# Values the runbook does not give: a site fills them in; a remediation that needs an unset one stops.
SITE_SETTINGS = ("domain", "bastion_target")
SCANNER_NAME = re.compile(r"^(?P<environment>[a-z]+)-(?P<datacenter>[a-z]+[0-9]+)-infra-nessus-[0-9]+$")


class TableError(ValueError):
    """A problem in the scan-zone table; the message names the source, the zone and the problem."""


def load_table(zones, source="scan-zone table"):
    """Check a list of zone mappings and return them normalized (lists filled, bastion job path added).

    Raises TableError for an unknown field, a bad visibility, a private zone without scanners, a
    duplicate zone or scanner, a bad bastion job family or a scanner name that is not a host name.
    """
    if not isinstance(zones, list) or not zones:
        raise TableError("%s: 'zones' must be a non-empty list of scan zones" % source)
    seen_zones, seen_scanners, out = {}, {}, []
    for index, zone in enumerate(zones):
        where = "%s: zone #%d" % (source, index + 1)
        if not isinstance(zone, dict):
            raise TableError("%s: must be a mapping, got %r" % (where, zone))
        name = zone.get("name")
        if not name or not isinstance(name, str):
            raise TableError("%s: has no name" % where)
        where = "%s: zone %s" % (source, name)
        unknown = sorted(set(zone) - ZONE_FIELDS)
        if unknown:
            raise TableError("%s: unknown field(s) %s; known fields: %s" % (where, ", ".join(unknown), ", ".join(sorted(ZONE_FIELDS))))
        if name in seen_zones:
            raise TableError("%s: listed twice" % where)
        seen_zones[name] = True
        visibility = zone.get("visibility")
        if visibility not in VISIBILITIES:
            raise TableError("%s: visibility must be private or public, got %r" % (where, visibility))
        scanners = zone.get("scanners") or []
        if not isinstance(scanners, list) or not all(isinstance(s, str) and s for s in scanners):
            raise TableError("%s: scanners must be a list of host names" % where)
        if visibility == "private" and not scanners:
            raise TableError("%s: a private zone needs scanners (our infra-nessus hosts)" % where)
        if visibility == "public" and scanners:
            raise TableError("%s: a public zone runs on the SOS team's scanners; list none of ours" % where)
        for scanner in scanners:
            if not re.match(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$", scanner):
                raise TableError("%s: scanner %r is not a host name" % (where, scanner))
            if scanner in seen_scanners:
                raise TableError("%s: scanner %s is also in zone %s (duplicate scanner)" % (where, scanner, seen_scanners[scanner]))
            seen_scanners[scanner] = name
        bastion_job = zone.get("bastion_job", "ww" if visibility == "private" else None)
        if visibility == "private" and bastion_job not in BASTION_JOBS:
            raise TableError("%s: bastion_job must be one of %s, got %r" % (where, ", ".join(BASTION_JOBS), bastion_job))
        for field in ("regions", "accounts"):
            value = zone.get(field) or []
            if not isinstance(value, list):
                raise TableError("%s: %s must be a list" % (where, field))
        normalized = dict(zone)
        normalized.update(
            description=zone.get("description") or "",
            regions=[str(r) for r in zone.get("regions") or []],
            accounts=[str(a) for a in zone.get("accounts") or []],
            scanners=list(scanners),
            bastion_job=bastion_job,
            bastion_job_path=BASTION_JOBS.get(bastion_job),
            bastion_target=zone.get("bastion_target"),
            domain=zone.get("domain"),
            site_settings_missing=[f for f in SITE_SETTINGS if visibility == "private" and not zone.get(f)],
        )
        out.append(normalized)
    return out


def scanner_facts(zone, scanner):
    """Host variables of one scanner of a (normalized) zone."""
    match = SCANNER_NAME.match(scanner)
    return {
        "scan_zone": zone["name"],
        "scan_zone_visibility": zone["visibility"],
        "scanner_environment": zone.get("environment") or (match.group("environment") if match else None),
        "scanner_datacenter": zone.get("datacenter") or (match.group("datacenter") if match else None),
        "scanner_regions": zone["regions"],
        "scanner_accounts": zone["accounts"],
        "bastion_job": zone["bastion_job"],
        "bastion_job_path": zone["bastion_job_path"],
        "bastion_target": zone["bastion_target"],
        "classic_hostname": scanner,
        "classic_domain": zone["domain"],
        "site_settings_missing": zone["site_settings_missing"],
    }


def safe_group_name(name):
    """A valid Ansible group name from a zone name (``ALC_SOS~FR2_SZ`` -> ``ALC_SOS_FR2_SZ``)."""
    safe = re.sub(r"[^A-Za-z0-9_]", "_", name)
    return safe if not safe[:1].isdigit() else "_" + safe


def zone_names(zones, visibility=None):
    return [z["name"] for z in zones if visibility is None or z["visibility"] == visibility]


def validate_zone(name, zones, visibility=None):
    """The zone called ``name``, or ValueError listing the valid zones (of that visibility)."""
    for zone in zones:
        if zone["name"] == name:
            if visibility and zone["visibility"] != visibility:
                raise ValueError("%s is a %s scan zone; this needs a %s one: %s"
                                 % (name, zone["visibility"], visibility, ", ".join(zone_names(zones, visibility))))
            return zone
    raise ValueError("unknown scan zone %r; valid %szones: %s"
                     % (name, visibility + " " if visibility else "", ", ".join(zone_names(zones, visibility))))


def zone_by_naming_rule(scan_name, zones):
    """The zone a scan's name points to, or None.

    ``ALC_Prod_WDC06_private_import`` and ``ALC_Prod_WDC06_CM7_All-ports`` -> ``ALC_Prod_WDC06_SZ`` (the
    longest zone prefix); a name with ``public`` -> the public zone of its c-code (``FR2`` -> ``ALC_SOS~FR2_SZ``).
    """
    best = None
    for zone in zones:
        prefix = zone["name"][:-3] if zone["name"].endswith("_SZ") else zone["name"]
        if zone["visibility"] == "private" and scan_name.lower().startswith(prefix.lower() + "_"):
            if best is None or len(prefix) > len(best[0]):
                best = (prefix, zone)
    if best:
        return best[1]
    if re.search(r"public", scan_name, re.IGNORECASE):
        public = [z for z in zones if z["visibility"] == "public"]
        fr2 = [z for z in public if "FR2" in z["name"].upper()]
        other = [z for z in public if "FR2" not in z["name"].upper()]
        if "FR2" in scan_name.upper() and fr2:
            return fr2[0]
        if other:
            return other[0]
    return None


def zone_for_scan(scan_name, zones, sc_zone_name=None):
    """Map a failing scan to its zone. Security Center's definition ``zone`` is the authority; the naming
    rule is the fallback; a disagreement between them is reported.

    Returns ``{zone, visibility, source, disagreement}``; raises ValueError for a scan neither can place.
    """
    by_name = {z["name"]: z for z in zones}
    ruled = zone_by_naming_rule(scan_name, zones)
    if sc_zone_name:
        zone = by_name.get(sc_zone_name)
        if zone is None:
            raise ValueError("scan %s runs in Security Center zone %s, which the scan-zone table does not have; "
                             "known zones: %s" % (scan_name, sc_zone_name, ", ".join(by_name)))
        disagreement = None
        if ruled is not None and ruled["name"] != zone["name"]:
            disagreement = ("the name of %s points to %s but Security Center runs it in %s; using %s"
                            % (scan_name, ruled["name"], zone["name"], zone["name"]))
        return {"zone": zone["name"], "visibility": zone["visibility"], "source": "security_center",
                "disagreement": disagreement}
    if ruled is None:
        raise ValueError("cannot tell the scan zone of %r: expected <zone prefix>_private_import (for example "
                         "ALC_Prod_WDC06_private_import -> ALC_Prod_WDC06_SZ), <zone prefix>_CM7_All-ports, or a "
                         "public scan (ALC_all_envs_public_import); zones: %s" % (scan_name, ", ".join(by_name)))
    return {"zone": ruled["name"], "visibility": ruled["visibility"], "source": "naming_rule", "disagreement": None}


def zone_drift(zones, sc_zones, sc_scanners=()):
    """Differences between the table and Security Center (``/rest/zone`` and ``/rest/scanner``).

    Returns ``{zones_missing_in_sc, zones_not_in_table, scanners_missing_in_sc, scanners_not_in_table,
    scanners_in_another_zone, in_sync}``. Public zones are compared by name only (their scanners are SOS's).
    """
    table = {z["name"]: z for z in zones}
    sc = {z.get("name"): z for z in sc_zones}
    sc_members = {}
    for zone in sc_zones:
        for scanner in zone.get("scanners") or []:
            sc_members.setdefault(scanner.get("name"), []).append(zone.get("name"))
    known_in_sc = set(sc_members) | {s.get("name") for s in sc_scanners}
    table_members = {s: z["name"] for z in zones for s in z["scanners"]}
    private_sc_zones = {name for name in sc if name in table and table[name]["visibility"] == "private"}
    drift = {
        "zones_missing_in_sc": sorted(name for name in table if name not in sc),
        "zones_not_in_table": sorted(name for name in sc if name not in table),
        "scanners_missing_in_sc": sorted(s for s in table_members if s not in known_in_sc),
        "scanners_not_in_table": sorted(
            s for s, in_zones in sc_members.items() if s not in table_members and any(z in private_sc_zones for z in in_zones)),
        "scanners_in_another_zone": sorted(
            ({"scanner": s, "table_zone": z, "sc_zones": sorted(sc_members[s])}
             for s, z in table_members.items() if s in sc_members and z not in sc_members[s]),
            key=lambda item: item["scanner"]),
    }
    drift["in_sync"] = not any(drift.values())
    drift["report"] = drift_report(drift)
    return drift


def drift_report(drift):
    """The differences as lines a person reads."""
    if drift["in_sync"]:
        return ["The scan-zone table and Security Center agree."]
    lines = []
    for key, text in (("zones_missing_in_sc", "Zones in the table, not in Security Center"),
                      ("zones_not_in_table", "Zones in Security Center, not in the table"),
                      ("scanners_missing_in_sc", "Scanners in the table, not in Security Center"),
                      ("scanners_not_in_table", "Scanners in Security Center's private zones, not in the table")):
        if drift[key]:
            lines.append("%s: %s" % (text, ", ".join(drift[key])))
    for move in drift["scanners_in_another_zone"]:
        lines.append("Scanner %s is in %s in the table, in %s in Security Center"
                     % (move["scanner"], move["table_zone"], ", ".join(move["sc_zones"])))
    return lines
