# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Attributes every module of the collection declares.
    DOCUMENTATION = r"""
attributes:
  platform:
    description: Target OS/families that can be operated against.
    support: N/A
    platforms: posix
"""

    # Read-only modules.
    INFO_MODULE = r"""
attributes:
  check_mode:
    description: Can run in check mode and return the same data, since the module changes nothing.
    support: full
  diff_mode:
    description: Will return details on what has changed when in diff mode.
    support: N/A
    details: The module changes nothing.
"""

    SECURITYCENTER = r"""
attributes:
  action_group:
    description: Use C(group/conductors.nessus_compliance.securitycenter) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - conductors.nessus_compliance.securitycenter
"""

    # Modules that change something in another system.
    ACTION = r"""
attributes:
  check_mode:
    description: Can run in check mode; nothing is sent and the result says what would be.
    support: full
  diff_mode:
    description: Will return details on what has changed when in diff mode.
    support: none
"""
