# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: scan_zones
short_description: Nessus scanners and scan zones from the runbook's scan-zone table
version_added: 0.1.0
description:
  - Turns the scan-zone table of the Nessus scan compliance runbook into an inventory. Every scanner
    of a private zone (our C(infra-nessus) machines) becomes a host; every zone becomes a group.
  - Hosts get their zone, environment (C(dev), C(prestage), C(stage), C(stgiks), C(prod), C(sup)),
    datacenter, the regions and accounts the zone covers, the bastion registration job family and
    target, and their IBM Cloud classic host name and domain.
  - Groups - one per zone (a valid group name derived from the zone name, for example C(ALC_SOS~FR2_SZ)
    becomes C(ALC_SOS_FR2_SZ)), C(env_<environment>), C(dc_<datacenter>), C(scanners), C(private_zones)
    and C(public_zones) (whose children are the zone groups).
  - Public zones (C(ALC_SOS_SZ), C(ALC_SOS~FR2_SZ)) run on the SOS team's scanners, so they have no
    hosts; their data, like every zone's, is in the variable C(scan_zones) (zone name to zone) of every host.
  - A table error (unknown field, bad visibility, private zone without scanners, duplicate scanner)
    fails the inventory, naming the file, the zone and the problem.
  - The source file must end in C(scan_zones.yml) or C(scan_zones.yaml).
author:
  - Conductors SRE (@conductors)
extends_documentation_fragment:
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
options:
  plugin:
    description: The name of this plugin; it makes this file a source for it.
    type: str
    required: true
    choices: [conductors.nessus_compliance.scan_zones]
  zones:
    description:
      - The table, inline. Each zone is a mapping with C(name), C(visibility) (V(private) or V(public)),
        C(scanners) (host names; none for public zones), and optionally C(description), C(covers) (the
        runbook's words), C(environment), C(datacenter), C(regions), C(accounts), C(c_code), C(bastion_job)
        (V(ww) or V(eu-fr2)), C(bastion_target) (a worker of the region) and C(domain) (IBM Cloud classic
        domain of the scanners).
      - C(bastion_target) and C(domain) are site settings; hosts list the unset ones in C(site_settings_missing).
      - Mutually exclusive with O(table_file).
    type: list
    elements: dict
  table_file:
    description:
      - A YAML file holding C(zones) (as in O(zones)), relative to this source file when not absolute.
    type: str
  site_settings:
    description:
      - Per-zone values that fill in or override the table's site settings (C(domain), C(bastion_target)),
        keyed by zone name. See the examples and the shipped C(inventory/site.scan_zones.yml.example).
      - A value of C(SET ME) (the example's placeholder) or null counts as not set.
    type: dict
    default: {}
"""

EXAMPLES = r"""
# inventory/alc.scan_zones.yml (shipped): the runbook's table, inline
plugin: conductors.nessus_compliance.scan_zones
zones:
  - name: ALC_Prod_WDC06_SZ
    visibility: private
    environment: prod
    datacenter: wdc06
    regions: [us-east]
    covers: US East region
    bastion_job: ww
    bastion_target: prod-wdc04-carrier1-worker-1001
    domain: null            # site setting
    scanners: [prod-wdc06-infra-nessus-01, prod-wdc06-infra-nessus-02]
  - name: ALC_SOS_SZ
    visibility: public
    c_code: ALC


# site.scan_zones.yml: the shipped table with the site's settings and constructed groups
# (commented: EXAMPLES must be one YAML document for ansible-core 2.16's sanity)
# plugin: conductors.nessus_compliance.scan_zones
# table_file: alc_table.yml
# site_settings:
#   ALC_Prod_WDC06_SZ:
#     domain: infra.example.cloud
# compose:
#   ansible_host: classic_hostname ~ '.' ~ classic_domain
# keyed_groups:
#   - key: scanner_regions
#     prefix: region
# strict: true
# cache: true
# cache_plugin: ansible.builtin.jsonfile
# cache_connection: ~/.cache/ansible-scan-zones
"""

import os

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.scan_zones import (
    SITE_SETTINGS,
    TableError,
    load_table,
    safe_group_name,
    scanner_facts,
)


PLACEHOLDER = "SET ME"  # inventory/site.scan_zones.yml.example's mark for a value the site must give


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    NAME = "conductors.nessus_compliance.scan_zones"

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(("scan_zones.yml", "scan_zones.yaml"))

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        cache_key = self.get_cache_key(path)
        use_cache = self.get_option("cache") and cache
        zones = None
        if use_cache:
            try:
                zones = self._cache[cache_key]
            except KeyError:
                zones = None
        if zones is None:
            zones = self._load(path)
            if self.get_option("cache"):
                self._cache[cache_key] = zones
        self._populate(zones)

    def _load(self, path):
        inline, table_file = self.get_option("zones"), self.get_option("table_file")
        if bool(inline) == bool(table_file):
            raise AnsibleParserError("%s: give the table either inline (zones) or as table_file, not both or neither" % path)
        source = path
        data = inline
        if table_file:
            table_file = os.path.expanduser(table_file)
            source = table_file if os.path.isabs(table_file) else os.path.join(os.path.dirname(path), table_file)
            content = self.loader.load_from_file(source, cache="none")
            data = content.get("zones") if isinstance(content, dict) else None
        try:
            zones = load_table(data, source)
        except TableError as exc:
            raise AnsibleParserError(str(exc))
        settings = self.get_option("site_settings") or {}
        known = {zone["name"] for zone in zones}
        for name, values in settings.items():
            if name not in known:
                raise AnsibleParserError("%s: site_settings names zone %s, which the table does not have" % (path, name))
            unknown = sorted(set(values or {}) - set(SITE_SETTINGS))
            if unknown:
                raise AnsibleParserError("%s: site_settings of %s: unknown setting(s) %s; settings: %s"
                                         % (path, name, ", ".join(unknown), ", ".join(SITE_SETTINGS)))
        for zone in zones:
            for key, value in (settings.get(zone["name"]) or {}).items():
                if value not in (None, "", PLACEHOLDER):  # the example's "SET ME" is not a value
                    zone[key] = value
            if zone["visibility"] == "private":
                zone["site_settings_missing"] = [f for f in SITE_SETTINGS if not zone.get(f)]
        return zones

    def _populate(self, zones):
        inventory = self.inventory
        strict = self.get_option("strict")
        for group in ("scanners", "private_zones", "public_zones"):
            inventory.add_group(group)
        inventory.set_variable("all", "scan_zones", {zone["name"]: zone for zone in zones})
        for zone in zones:
            group = inventory.add_group(safe_group_name(zone["name"]))
            inventory.add_child("%s_zones" % zone["visibility"], group)
            inventory.set_variable(group, "scan_zone_info", zone)
            for scanner in zone["scanners"]:
                facts = scanner_facts(zone, scanner)
                inventory.add_host(scanner, group=group)
                inventory.add_host(scanner, group="scanners")
                for prefix, key in (("env", "scanner_environment"), ("dc", "scanner_datacenter")):
                    if facts[key]:
                        inventory.add_host(scanner, group=inventory.add_group("%s_%s" % (prefix, facts[key])))
                for key, value in facts.items():
                    inventory.set_variable(scanner, key, value)
                hostvars = inventory.get_host(scanner).get_vars()
                self._set_composite_vars(self.get_option("compose"), hostvars, scanner, strict=strict)
                self._add_host_to_composed_groups(self.get_option("groups"), hostvars, scanner, strict=strict)
                self._add_host_to_keyed_groups(self.get_option("keyed_groups"), hostvars, scanner, strict=strict)
