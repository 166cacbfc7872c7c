# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Connection options of the IBM Cloud classic infrastructure modules (module_utils/classic.py).
    DOCUMENTATION = r"""
options:
  username:
    description:
      - Classic infrastructure user name (C(ACCOUNT_email)), or C(apikey) with an IBM Cloud API key.
      - If not set, the environment variable E(SL_USERNAME) is used.
    type: str
    required: true
  api_key:
    description:
      - The API key of O(username).
      - If not set, the environment variable E(SL_API_KEY) is used.
    type: str
    required: true
  endpoint_url:
    description:
      - The REST endpoint; C(https://api.service.softlayer.com/rest/v3.1) on the private network.
      - If not set, the environment variable E(SL_ENDPOINT_URL) is used.
    type: str
    default: https://api.softlayer.com/rest/v3.1
  timeout:
    description:
      - Seconds to wait for each HTTP answer (a whole account's machines can take the API a while).
      - If not set, the environment variable E(SL_TIMEOUT) is used.
    type: float
    default: 60.0
notes:
  - The transport options (conductors.nessus_compliance.transport) fall back on the environment variables of prefix C(SL) -
    O(ca_path) on E(SL_CA_PATH), O(validate_certs) on E(SL_VALIDATE_CERTS), O(timeout) on E(SL_TIMEOUT).
"""

    # How the modules name a machine (module_utils/classic.py MACHINE_ARGUMENT_SPEC).
    MACHINE = r"""
options:
  hostname:
    description: Host name of the machine (the scan-zone table's C(classic_hostname)).
    type: str
    required: true
  domain:
    description: Domain of the machine (the zone's C(domain) site setting).
    type: str
    required: true
  type:
    description: V(guest) (virtual server), V(hardware) (bare metal), or V(auto) to look for both.
    type: str
    choices: [auto, guest, hardware]
    default: auto
"""

    ACTION_GROUP = r"""
attributes:
  action_group:
    description: Use C(group/conductors.nessus_compliance.classic) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - conductors.nessus_compliance.classic
"""
