# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Connection options of the ServiceNow modules (module_utils/servicenow.py).
    DOCUMENTATION = r"""
options:
  host:
    description:
      - The ServiceNow instance, C(https://instance.service-now.com) (a bare host name gets C(https://)).
      - If not set, the environment variable E(SN_HOST) is used.
    type: str
    required: true
  username:
    description:
      - User for Basic authentication.
      - If not set, the environment variable E(SN_USERNAME) is used.
    type: str
    required: true
  password:
    description:
      - Password of O(username).
      - If not set, the environment variable E(SN_PASSWORD) is used.
    type: str
    required: true
notes:
  - The transport options (conductors.nessus_compliance.transport) fall back on the environment variables of prefix C(SN) -
    O(ca_path) on E(SN_CA_PATH), O(validate_certs) on E(SN_VALIDATE_CERTS), O(timeout) on E(SN_TIMEOUT).
"""

    ACTION_GROUP = r"""
attributes:
  action_group:
    description: Use C(group/conductors.nessus_compliance.servicenow) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - conductors.nessus_compliance.servicenow
"""
