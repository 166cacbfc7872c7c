# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: remediation_history
short_description: What earlier remediation runs recorded about a scanner
version_added: 0.1.0
description:
  - Reads the remediation records (C(remediation-*.json)) of the run's store (O(store), or the directory O(dir)) and
    returns, oldest first, the entries whose
    C(details.scanner) is one of the terms and that carry a C(details.event) (C(ladder_failed), C(os_reload_sent),
    C(os_reload_done), C(bootstrap_confirmed), C(bastion_registered), C(reenable_requested), ...).
  - The OS reload branch uses it so that a re-run never reloads a scanner twice and picks up where the last run
    stopped, and so that a reload is only done for a scanner whose reboot ladder failed in this run or an earlier one.
  - Each entry gains C(run_id) and C(record) (the file it came from). Unreadable files are skipped with a warning.
author:
  - Conductors SRE (@conductors)
options:
  _terms:
    description: Scanner host names.
    type: list
    elements: str
    required: true
  dir:
    description: The record directory (C(remediation_record_dir)) of a local store. One of O(dir) and O(store) is
      needed.
    type: path
  store:
    description:
      - The store of the run's record (C(remediation_record_data.store)) - a local directory or the team's GitHub
        repository, whose settings (C(GITHUB_API_URL), C(GITHUB_TOKEN), C(GITHUB_REPOSITORY)) come from the
        environment. With it, every run reads the same history wherever it ran.
    type: dict
  since_hours:
    description: Only entries of the last this many hours (0 for all).
    type: float
    default: 168
"""

EXAMPLES = r"""
- name: What was done to the scanner in the last week
  ansible.builtin.set_fact:
    history: "{{ lookup('conductors.nessus_compliance.remediation_history', 'prod-wdc06-infra-nessus-01',
                         store=remediation_record_data.store, wantlist=true) }}"
"""

RETURN = r"""
_raw:
  description: The entries (C(at), C(kind), C(step), C(text), C(details), C(run_id), C(record)), oldest first.
  type: list
  elements: dict
"""

import datetime

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display

from ansible_collections.conductors.nessus_compliance.plugins.module_utils import record as rec
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.store import location, open_store, spec_for
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.transport import ApiError

display = Display()


def skipping(path, exc):
    display.warning("remediation_history: skipping %s: %s" % (path, exc))


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        spec = self.get_option("store") or (spec_for("local", self.get_option("dir")) if self.get_option("dir") else None)
        if not spec:
            raise AnsibleLookupError("remediation_history needs store (remediation_record_data.store) or dir")
        since_hours = self.get_option("since_hours")
        cutoff = None
        if since_hours:
            cutoff = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=since_hours)).strftime(
                "%Y-%m-%dT%H:%M:%SZ")
        wanted = set()
        for term in terms:  # lookup('...', ['a', 'b']) and lookup('...', 'a', 'b') alike
            wanted.update(str(t) for t in (term if isinstance(term, (list, tuple)) else [term]))
        found = []
        try:
            store = open_store(spec)
            for name, record in rec.load(store, since=cutoff, on_error=lambda n, exc: skipping(location(spec, n), exc)):
                for entry in record.get("entries") or []:
                    details = entry.get("details") or {}
                    if details.get("scanner") in wanted and details.get("event") and (
                            cutoff is None or entry.get("at", "") >= cutoff):
                        found.append(dict(entry, run_id=record.get("run_id"), record=location(spec, name)))
        except (ValueError, OSError, ApiError) as exc:
            raise AnsibleLookupError("remediation_history: cannot read the records: %s" % exc) from exc
        return sorted(found, key=lambda e: e.get("at", ""))
