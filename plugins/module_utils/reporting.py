# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reports people read, built from the modules' structured results (no I/O).

The scan-zone health report (the runbook's "Check the scanzones for any issues") and the compliance check's
issue body and summary. Security Center's text is shown inert (see ``inert``).
"""

from __future__ import annotations

import hashlib
import json
import re
from xml.etree import ElementTree

from .inert import inert, said, truncate


def zone_report(scanners, zones):
    """Each scan zone (by name) with its scanners beside their Security Center record, and the unhealthy ones.

    ``scanners``: ``sc_scanner_info``'s ``scanners``; ``zones``: ``sc_zone_info``'s ``zones``.
    """
    by_id = {s.get("id"): s for s in scanners or ()}
    out, unhealthy = [], []
    for zone in sorted(zones or (), key=lambda z: str(z.get("name")).lower()):
        members = []
        for member in zone.get("scanners") or ():
            full = by_id.get(member.get("id"), {})
            decoded = member.get("status_decoded") or {}
            row = {"name": member.get("name"), "id": member.get("id"), "ip": full.get("ip"), "version": full.get("version"),
                   "status": decoded.get("code"), "status_summary": decoded.get("summary"), "errors": decoded.get("errors"),
                   "healthy": member.get("healthy")}
            members.append(row)
            if not member.get("healthy"):
                unhealthy.append(dict(row, zone=zone.get("name")))
        out.append({"name": zone.get("name"), "healthy": zone.get("healthy"), "active_scanners": zone.get("activeScanners"),
                    "total_scanners": zone.get("totalScanners"), "scanners": members})
    return {"zones": out, "unhealthy_scanners": unhealthy, "zone_count": len(out),
            "scanner_count": sum(len(z["scanners"]) for z in out)}


def zone_report_lines(report):
    """The zone report as a person reads it: a line per zone, then one per scanner, then the counts."""
    lines = []
    for zone in report.get("zones") or ():
        lines.append("%s: %s/%s working%s" % (zone["name"], said(zone.get("active_scanners")),
                                              said(zone.get("total_scanners")),
                                              "" if zone.get("healthy") else "  <-- check this zone"))
        for s in zone.get("scanners") or ():
            lines.append("  %s %s (%s): %s [status %s]" % ("OK  " if s.get("healthy") else "BAD ", s.get("name"),
                                                           s.get("ip") or "no ip", said(s.get("status_summary")),
                                                           said(s.get("status"))))
    unhealthy = len(report.get("unhealthy_scanners") or ())
    lines.append("%s zones, %s scanners, %s not healthy" % (report.get("zone_count"), report.get("scanner_count"), unhealthy))
    return lines


def _cell(text):
    return inert(text, "code", 600)


def _evidence(e):
    if not e:
        return ""
    text = "result #%s %s, %s/%s IPs, created %s" % (
        said(e.get("result_id")), _cell(e.get("status")),
        "?" if e.get("scanned_ips") is None else e["scanned_ips"],
        "?" if e.get("total_ips") is None else e["total_ips"], said(e.get("created_at")))
    if e.get("finished_at"):
        text += ", finished %s" % e["finished_at"]
    return text + ": "


def compliance_markdown(result, run_url=""):
    """The compliance check's issue body: the runbook's alert text, the failing scans' table, what else was seen."""
    r = result
    failing, remediable, scans = r.get("failing") or [], r.get("remediable") or [], r.get("scans") or []
    out = []
    if failing:
        out += [r["alert_text"].split("\n\n[")[0], "", inert("[" + " ".join(remediable) + "]", "block")]
        if len(remediable) < len(failing):
            others = ", ".join(inert(n, "code", 120) for n in failing if n not in remediable)
            out += ["", "Not remediated automatically (not the shape of a scan name): " + others]
        out += ["", "| Scan | Zone | Verdict | Due | Evidence | Runbook step |", "|---|---|---|---|---|---|"]
        for row in scans:
            if not row.get("failing"):
                continue
            out.append("| %s | %s (%s) | **%s** | %s | %s%s | %s |" % (
                _cell(row.get("name")), _cell(row["zone"]) if row.get("zone") else "all zones", said(row.get("visibility")),
                said(row.get("verdict")), said(row.get("due_local")), _evidence(row.get("evidence") or {}),
                _cell(row.get("reason")), _cell(row.get("runbook_step"))))
    else:
        out.append("Every scheduled scan completed in the window it is set up to run in.")
    notes = [row for row in scans if row.get("verdict") in ("running", "maintenance", "unknown_schedule")]
    if notes:
        out += ["", "Also seen (not alerted):", "", "| Scan | Verdict | Due | Reason |", "|---|---|---|---|"]
        out += ["| %s | %s | %s | %s |" % (_cell(row.get("name")), said(row.get("verdict")), row.get("due_local") or "-",
                                           _cell(row.get("reason"))) for row in notes]
    period = r.get("period") or {}
    out += ["", "Checked runs due from %s to %s (Security Center time %s):" % (
        said(period.get("start_at")), said(period.get("end_at")), said(period.get("now_at"))),
        ", ".join("%s %s" % (verdict, count) for verdict, count in (r.get("counts") or {}).items() if count) + ".",
        "Runbook: Nessus scan compliance alert." + (" Run: %s" % run_url if run_url else "")]
    return "\n".join(out) + "\n"


# What XML 1.0 cannot carry at all, not even escaped (control characters, lone surrogates, U+FFFE/U+FFFF): shown as
# U+FFFD, so that a scan name or an error text with such a character still gives Jenkins a report it can read.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
JUNIT_SKIPPED = ("maintenance", "unknown_schedule")


def _xml_text(value):
    return _NOT_XML.sub("\ufffd", said(value))


def _junit(suite_counts, cases):
    """The JUnit document: a ``testsuites`` root and one ``testsuite`` with ``cases`` (elements), both with the counts."""
    root = ElementTree.Element("testsuites", dict(suite_counts[0], name="nessus-scan-compliance"))
    suite = ElementTree.SubElement(root, "testsuite", dict(suite_counts[1], name="nessus-scan-compliance"))
    suite.extend(cases)
    if hasattr(ElementTree, "indent"):  # Python 3.9+
        ElementTree.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root, encoding="unicode") + "\n"


def compliance_junit(result):
    """The compliance check as JUnit for Jenkins: a test case per due run; failing runs fail, skipped ones are skipped.

    Each case is named after its scan and due time and filed under its zone; a failure carries the verdict and reason,
    and the runbook step with the evidence (JSON) as its text. Security Center's text is escaped by the XML writer.
    """
    rows = result.get("scans") or []
    cases = []
    for row in rows:
        name = _xml_text(row.get("name")) + (" @ " + _xml_text(row["due_local"]) if row.get("due_local") else "")
        case = ElementTree.Element("testcase", {"classname": "nessus_scan_compliance." + _xml_text(row.get("zone") or "all_zones"),
                                                "name": name})
        verdict_said = _xml_text("%s: %s" % (said(row.get("verdict")), said(row.get("reason"))))
        if row.get("failing"):
            failure = ElementTree.SubElement(case, "failure", {"type": _xml_text(row.get("verdict")), "message": verdict_said})
            failure.text = _xml_text("%s\n%s" % (said(row.get("runbook_step")), json.dumps(row.get("evidence"))))
        elif row.get("verdict") in JUNIT_SKIPPED:
            ElementTree.SubElement(case, "skipped", {"message": verdict_said})
        else:
            ElementTree.SubElement(case, "system-out").text = verdict_said
        cases.append(case)
    counts = {"tests": str(len(rows)), "failures": str(sum(1 for row in rows if row.get("failing"))), "errors": "0",
              "skipped": str(sum(1 for row in rows if not row.get("failing") and row.get("verdict") in JUNIT_SKIPPED))}
    timestamp = _xml_text((result.get("period") or {}).get("now_at"))
    return _junit((counts, dict(counts, timestamp=timestamp)), cases)


def compliance_error_junit(message):
    """The JUnit document of a check that could not run: one case in error, no failing scan."""
    case = ElementTree.Element("testcase", {"classname": "nessus_scan_compliance", "name": "compliance check"})
    ElementTree.SubElement(case, "error", {"type": "check_error",
                                           "message": _xml_text("The compliance check could not run: %s" % said(message))})
    counts = {"tests": "1", "failures": "0", "errors": "1"}
    return _junit((counts, counts), [case])


def compliance_summary(result, report_dir, issue=None, page=None, resolve=None):
    """The compliance check's summary lines: what fails and why, what was raised, where the reports are."""
    r = result
    lines = []
    if r.get("failing"):
        lines.append("FAILING (%d): %s" % (len(r["failing"]), ", ".join(r["failing"])))
        lines += ["  %s: %s - %s" % (row.get("name"), row.get("verdict"), truncate(row.get("reason"), 110))
                  for row in r.get("scans") or () if row.get("failing")]
    else:
        counts = r.get("counts") or {}
        lines.append("All scheduled scans completed in their windows (%s ok, %s running)."
                     % (counts.get("ok"), counts.get("running")))
    if issue and issue.get("issue"):
        lines.append("GHE issue: %s %s" % (issue.get("action"), issue["issue"].get("html_url")))
    if page and "sent" in page:
        lines.append("PagerDuty: triggered %s" % page.get("dedup_key"))
    if resolve and "sent" in resolve:
        lines.append("PagerDuty: %s" % (("resolved %s" % resolve.get("dedup_key")) if resolve["sent"] else resolve.get("message")))
    lines.append("Reports: %s/scan_compliance.{json,md,junit.xml}" % report_dir)
    return lines


def credential_inputs(injectors, environment, skipped=()):
    """A new AWX credential's inputs: each field its type injects as VARIABLE, from VARIABLE in ``environment``
    when it is set there (never those ``skipped``, such as a CA bundle's path on this machine)."""
    inputs = {}
    for variable, template in (injectors or {}).items():
        value = (environment or {}).get(variable)
        if value and variable not in (skipped or ()):
            inputs[str(template).strip()[2:-2].strip()] = value
    return inputs


def zone_instance_groups(zones, groups_by_prefix):
    """Each zone's AWX instance groups: those whose zone-name prefix the zone's name starts with, each once, in the
    order ``groups_by_prefix`` gives them."""
    return {zone: list(dict.fromkeys(group for prefix, group in (groups_by_prefix or {}).items()
                                     if str(zone).startswith(str(prefix))))
            for zone in zones or ()}


def sos_escalation(scans, tried, day):
    """The SOS escalation of failing scans (the runbook's "Engage SOS"): its key (one per scan set and day), the
    ServiceNow request's short description and description, the PagerDuty summary, and what is left to people."""
    names = sorted(str(s.get("name")) for s in scans or ())
    key = "nessus-sos-%s-%s" % (hashlib.sha1(",".join(names).encode("utf-8")).hexdigest()[:12], day)
    lines = ["Nessus scans are failing and automation could not fix them (runbook: Nessus scan compliance alert).", "",
             "Failing scans:"]
    for s in scans or ():
        line = "- " + inert(s.get("name"))
        if s.get("zone"):
            line += " (scan zone %s)" % inert(s["zone"])
        line += ": " + inert(s.get("status") or "unknown status")
        if s.get("result_id"):
            line += ", result #%s" % s["result_id"]
        if s.get("error_details"):
            line += ": " + inert(s["error_details"], limit=2000)
        lines.append(line)
    lines += ["", "What automation already tried:"]
    lines += ["- " + inert(t, limit=2000) for t in tried or ()] or ["- nothing yet"]
    lines += ["", "Assignment group: SOS Vulnerability Scanning. C_Code: ALC. Severity 2.", "Correlation id: " + key]
    return {"key": key, "names": names, "description": "\n".join(lines) + "\n",
            "short_description": ("Nessus scans failing: " + inert(" ".join(names)))[:160],
            "page_summary": "SCANS FAILED - automation could not fix: " + inert(" ".join(names), limit=900),
            "left": "SOS and the security compliance focal investigate " + ", ".join(names)}


def latest_results(results, names, hours=48):
    """What the runbook's "Review the scan(s) in Security Center" finds for each scan: its latest result (the first
    of ``results`` for it), as a record entry (``name``, ``text``, ``details``)."""
    entries = []
    for name in names or ():
        latest = next((r for r in results or () if ((r or {}).get("scan") or {}).get("name") == name), None)
        if not latest:
            entries.append({"name": name, "text": "%s: no result in the last %s hours" % (name, hours), "details": {}})
            continue
        ips = "%s/%s" % ("?" if "scannedIPs" not in latest else said(latest["scannedIPs"]),
                         "?" if "totalIPs" not in latest else said(latest["totalIPs"]))
        error = (": " + str(latest["errorDetails"])) if latest.get("errorDetails") else ""
        entries.append({"name": name, "details": latest,
                        "text": "%s: %s (result #%s, %s IPs%s)" % (name, said(latest.get("status")),
                                                                   said(latest.get("id")), ips, error)})
    return entries
