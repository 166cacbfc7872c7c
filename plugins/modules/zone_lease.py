#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: zone_lease
short_description: One remediation run per scan zone at a time
version_added: 0.1.0
description:
  - Takes (O(state=taken)) or gives back (O(state=released)) the lease of a scan zone, in the store of the run's
    remediation record (a local directory, or the team's GitHub repository that every AWX job, Jenkins agent and
    laptop shares). A run takes its zone's lease before its first change and gives it back at the end, so that an
    AWX schedule, an alert through Event-Driven Ansible and an SRE by hand never heal the same zone at once.
  - The lease names its holder (run id, who - the AWX job or the user -, the machine, since when) and expires after
    O(ttl) seconds. A lease held by another run is waited for up to O(wait) seconds, then the task returns
    C(taken=false) with a sentence naming the holder; the playbooks then close their record and stop without
    changing anything. An expired lease (a run that died) is taken over, and the sentence says whose it was.
  - Taking is a compare-and-swap on the lease file (the GitHub contents API refuses a write whose C(sha) is stale
    with 409; a local store holds a lock file), so of two runs that try at the same moment exactly one gets it.
  - With O(max_zones), at most that many zones heal at once across the fleet. A run that took its zone's lease adds
    the zone to the list of zones healing (C(healing.json) in the store, changed by compare-and-swap only, so two runs
    never both see room for one more); when O(max_zones) other zones heal already, it gives its lease back and
    returns C(taken=false), C(verdict=fleet_full) and the zones healing. When many zones fail together something
    larger is wrong (Security Center, a region, the network), and more reboots will not fix it.
  - Giving back removes the lease, and the zone from the zones healing, only if this run still holds it.
  - This is an action plugin - it runs on the controller - with no module to transfer.
author:
  - Conductors SRE (@conductors)
options:
  state:
    description: V(taken) takes (or renews) the lease; V(released) gives it back.
    type: str
    default: taken
    choices: [taken, released]
  zone:
    description: The scan zone.
    type: str
    required: true
  store:
    description: The store of the run's record (C(remediation_record_data.store)).
    type: dict
    required: true
  run_id:
    description: The run's id (C(remediation_record_data.run_id)).
    type: str
    required: true
  ttl:
    description:
      - Seconds the lease holds without being given back. Longer than the longest run (an OS reload of bare metal
        takes up to 4 hours); a run that died blocks its zone this long at most.
    type: float
    default: 21600
  wait:
    description: Seconds to wait for a lease another run holds (0 answers at once).
    type: float
    default: 0
  poll_interval:
    description: Seconds between two looks at a held lease while waiting.
    type: float
    default: 30
  max_zones:
    description: At most this many zones heal at once across the fleet (C(remediation_max_zones_healing)); 0 for no limit.
    type: int
    default: 0
attributes:
  check_mode:
    support: full
    details:
      - A dry run takes the lease too, so that it reads the zone as no other run is changing it.
      - It takes no place among the zones healing (O(max_zones)) - it only says whether the fleet is full.
  diff_mode:
    support: none
  platform:
    platforms: all
  action:
    support: full
  async:
    support: none
  become:
    support: none
  bypass_host_loop:
    support: none
  connection:
    support: none
  delegation:
    support: none
    details: It always runs on the controller.
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.conn
  - ansible.builtin.action_common_attributes.flow
"""

EXAMPLES = r"""
- name: Take the zone's lease (one run per zone at a time)
  conductors.nessus_compliance.zone_lease:
    zone: ALC_Prod_WDC06_SZ
    store: "{{ remediation_record_data.store }}"
    run_id: "{{ remediation_record_data.run_id }}"
    wait: 600
  register: lease

- name: Give it back
  conductors.nessus_compliance.zone_lease:
    state: released
    zone: ALC_Prod_WDC06_SZ
    store: "{{ remediation_record_data.store }}"
    run_id: "{{ remediation_record_data.run_id }}"
"""

RETURN = r"""
taken:
  description: Whether this run holds the lease now.
  returned: state=taken
  type: bool
verdict:
  description:
    - V(take) (it was free), V(renew) (this run held it), V(take_over) (it had expired), V(held) (another run holds
      it) or V(fleet_full) (O(max_zones) other zones heal already).
  returned: state=taken
  type: str
text:
  description: What happened, in a sentence naming the holder (for the record and the output).
  returned: always
  type: str
details:
  description: The record entry's evidence (C(event) C(lease_<verdict>), C(zone), C(holder), C(expires), C(healing)).
  returned: state=taken
  type: dict
lease:
  description: The lease as stored now (C(run_id), C(who), C(where), C(since), C(expires), C(took_over)).
  returned: state=taken
  type: dict
healing:
  description: With V(fleet_full), the leases of the zones that heal already (C(zone), C(run_id), C(who), C(where), ...).
  returned: state=taken
  type: list
  elements: dict
released:
  description: Whether the lease was this run's and was removed.
  returned: state=released
  type: bool
"""
