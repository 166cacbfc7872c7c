# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Connection options of the GitHub (Enterprise) modules (module_utils/github.py).
    DOCUMENTATION = r"""
options:
  api_url:
    description:
      - Base URL of the GitHub REST API. For GitHub Enterprise Server it is C(https://HOST/api/v3).
      - If not set, the environment variable E(GITHUB_API_URL) is used.
    type: str
    default: https://api.github.com
  token:
    description:
      - A token that may read and write issues in O(repository).
      - If not set, the environment variable E(GITHUB_TOKEN) is used.
    type: str
    required: true
  repository:
    description:
      - The repository, as C(OWNER/NAME).
      - If not set, the environment variable E(GITHUB_REPOSITORY) is used.
    type: str
    required: true
notes:
  - The transport options (conductors.nessus_compliance.transport) fall back on the environment variables of prefix C(GITHUB) -
    O(ca_path) on E(GITHUB_CA_PATH), O(validate_certs) on E(GITHUB_VALIDATE_CERTS), O(timeout) on E(GITHUB_TIMEOUT).
"""

    ACTION_GROUP = r"""
attributes:
  action_group:
    description: Use C(group/conductors.nessus_compliance.github) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - conductors.nessus_compliance.github
"""
