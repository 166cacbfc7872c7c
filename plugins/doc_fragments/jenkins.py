# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Connection options of the Jenkins modules (module_utils/jenkins.py).
    DOCUMENTATION = r"""
options:
  url:
    description:
      - Jenkins' root URL (the jobs of the worldwide and the eu-fr2 registration may live on different Jenkins).
      - If not set, the environment variable E(JENKINS_URL) is used.
    type: str
    required: true
  user:
    description:
      - The Jenkins user.
      - If not set, the environment variable E(JENKINS_USER) is used.
    type: str
    required: true
  token:
    description:
      - The user's API token (preferred - Jenkins exempts API-token requests from CSRF protection).
      - If not set, the environment variable E(JENKINS_TOKEN) is used.
    type: str
  password:
    description:
      - The user's password, when no API token is given; each POST then carries a CSRF crumb and its session cookie.
      - If not set, the environment variable E(JENKINS_PASSWORD) is used.
    type: str
notes:
  - The transport options (conductors.nessus_compliance.transport) fall back on the environment variables of prefix C(JENKINS) -
    O(ca_path) on E(JENKINS_CA_PATH), O(validate_certs) on E(JENKINS_VALIDATE_CERTS), O(timeout) on E(JENKINS_TIMEOUT).
"""

    ACTION_GROUP = r"""
attributes:
  action_group:
    description: Use C(group/conductors.nessus_compliance.jenkins) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - conductors.nessus_compliance.jenkins
"""
