"""Helpers of the private-branch scenarios (tests/integration_py/test_private_branch*.py)."""

from __future__ import annotations

import json

# The lab runs 300 times faster than real time here: a reboot (2 min down, 5 min booting, 2 min loading) takes 2 s.
SPEED = 300
FAST = {"remediate_private_scan_wait_timeout": 6, "remediate_private_scan_poll_interval": 0.5,
        "remediate_private_scan_poll_max_interval": 1, "reboot_ladder_poll_interval": 1,
        "reboot_ladder_nessus_timeout": 8, "reboot_ladder_sc_timeout": 6,
        "remediate_private_scan_reenable_timeout": 6, "remediate_private_scan_reenable_poll_interval": 0.5}
# What the private branch's summary adds when the day's public scan fails too (the default scenario's day): the
# branch names it, and leaves it to its own branch.
PUBLIC_LEFT = (" Also failing, not in ALC_Prod_WDC06_SZ (left for their own branch; the alert runs them all: "
               "remediate.yml): ALC_all_envs_public_import.")


def run(lab, tmp_path, *args, zone="ALC_Prod_WDC06_SZ", **extra):
    variables = dict(FAST, zone=zone, remediation_record_dir=str(tmp_path))
    variables.update(extra)
    return lab.playbook("playbooks/remediate_private_scan.yml", "-i", lab.settings["LAB_INVENTORY"], *args,
                        extra_vars=variables)


def record(tmp_path):
    paths = sorted(tmp_path.glob("remediation-*.json"))
    return json.loads(paths[-1].read_text())


def power(lab):
    return [(lab.world.classic.machines[mid].hostname, method) for _t, _s, mid, method in lab.world.classic.commands]


def changes(lab, system=None):
    """What the run changed, in order; the run's Slack message is left to tests/integration_py/test_chat_summary.py."""
    chat = set(lab.calls("slack"))
    return [c for c in lab.calls(system) if not c.startswith("GET ") and "updateStatus" not in c and c not in chat]


# The OS reload branch at the same speed: polls of half a second, short timeouts.
RELOAD = dict(FAST)
RELOAD.update(allow_osreload=True, allowed_by="jdoe", reboot_ladder_machine_timeout=20, reboot_ladder_nessus_timeout=4,
              os_reload_poll_interval=0.5, os_reload_sc_poll_interval=0.5, os_reload_nessus_timeout=20,
              os_reload_reenable_timeout=15, os_reload_bastion_poll_interval=0.3)


def reloads(lab):
    return [(lab.world.classic.machines[mid].hostname, config) for _t, mid, config in lab.world.classic.reload_requests]
