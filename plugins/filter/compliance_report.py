# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: compliance_report
short_description: The compliance check's issue body or summary, from its verdicts
version_added: 0.1.0
description:
  - V(markdown) - the GHE issue body - the runbook's alert text, the failing scans' table with their evidence and
    runbook step, what else was seen, the period and the counts; Security Center's text is shown inert.
  - V(summary) - the lines a person reads at the end of the check - what fails and why, what was raised, where
    the reports are.
  - V(junit) - the JUnit document for Jenkins - a test case per due run, failing runs as failures (verdict, reason,
    runbook step and evidence), maintenance and unreadable schedules as skipped; with O(error), the document of a
    check that could not run (one case in error). Text XML cannot carry is shown as U+FFFD.
author:
  - Conductors SRE (@conductors)
positional: form
options:
  _input:
    description: M(conductors.nessus_compliance.sc_scan_compliance)'s result.
    type: dict
    required: true
  form:
    description: Which text.
    type: str
    choices: [markdown, summary, junit]
    default: markdown
  run_url:
    description: Link to this run, for V(markdown).
    type: str
    default: ""
  report_dir:
    description: Where the reports are, for V(summary).
    type: str
    default: ""
  issue:
    description: What M(conductors.nessus_compliance.github_issue) registered, for V(summary).
    type: dict
  page:
    description: What the PagerDuty trigger registered, for V(summary).
    type: dict
  resolve:
    description: What the PagerDuty resolve registered, for V(summary).
    type: dict
  error:
    description: For V(junit), why the check could not run; the input is then not read.
    type: str
"""

EXAMPLES = r"""
- name: The issue body
  ansible.builtin.debug:
    msg: "{{ scan_compliance_result | conductors.nessus_compliance.compliance_report('markdown') }}"

- name: The JUnit report for Jenkins
  ansible.builtin.copy:
    content: "{{ scan_compliance_result | conductors.nessus_compliance.compliance_report('junit') }}"
    dest: reports/scan_compliance.junit.xml
    mode: "0644"
"""

RETURN = r"""
_value:
  description: The Markdown text (V(markdown)), the lines (V(summary)) or the XML text (V(junit)).
  type: raw
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.reporting import (
    compliance_error_junit,
    compliance_junit,
    compliance_markdown,
    compliance_summary,
)


def _registered(value):
    return dict(value) if isinstance(value, dict) else None


def report(result, form="markdown", run_url="", report_dir="", issue=None, page=None, resolve=None, error=None):
    if form == "markdown":
        return compliance_markdown(result or {}, run_url or "")
    if form == "summary":
        return compliance_summary(result or {}, report_dir, _registered(issue), _registered(page), _registered(resolve))
    if form == "junit":
        return compliance_junit(result or {}) if error is None else compliance_error_junit(error)
    raise AnsibleFilterError("compliance_report: form must be markdown, summary or junit, got %r" % (form,))


class FilterModule:
    def filters(self):
        return {"compliance_report": report}
