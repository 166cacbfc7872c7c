# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Connection options of the PagerDuty modules (module_utils/pagerduty.py).
    DOCUMENTATION = r"""
options:
  events_url:
    description:
      - Base URL of the PagerDuty Events API v2; events are posted to C(/v2/enqueue) below it.
      - If not set, the environment variable E(PAGERDUTY_EVENTS_URL) is used.
    type: str
    default: https://events.pagerduty.com
  routing_key:
    description:
      - Integration key of the Events API v2 integration of the service to alert.
      - If not set, the environment variable E(PAGERDUTY_ROUTING_KEY) is used.
    type: str
  api_url:
    description:
      - Base URL of the PagerDuty REST API, to read incidents.
      - If not set, the environment variable E(PAGERDUTY_API_URL) is used.
    type: str
    default: https://api.pagerduty.com
  api_token:
    description:
      - A REST API token (read access is enough), to read incidents.
      - If not set, the environment variable E(PAGERDUTY_API_TOKEN) is used.
    type: str
notes:
  - The transport options (conductors.nessus_compliance.transport) fall back on the environment variables of prefix C(PAGERDUTY) -
    O(ca_path) on E(PAGERDUTY_CA_PATH), O(validate_certs) on E(PAGERDUTY_VALIDATE_CERTS), O(timeout) on E(PAGERDUTY_TIMEOUT).
"""

    ACTION_GROUP = r"""
attributes:
  action_group:
    description: Use C(group/conductors.nessus_compliance.pagerduty) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - conductors.nessus_compliance.pagerduty
"""
