"""The remediation planner: the ladder's order and resume rule, the look after each step, the guards."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.conductors.nessus_compliance.plugins.module_utils import planner
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.scanner_status import describe_scanner

STEPS = planner.ladder_steps()
WORKING = describe_scanner({"name": "s1", "status": "1"})
AUTH_ERROR = describe_scanner({"name": "s1", "status": "32"})
CONNECTION_ERROR = describe_scanner({"name": "s1", "status": "2"})
RELOADING = describe_scanner({"name": "s1", "status": "128"})


def entry(event, at, step=None, run_id="r1"):
    details = {"event": event, "scanner": "s1"}
    if step:
        details["step"] = step
    return {"at": at, "run_id": run_id, "details": details}


def test_the_ladder_is_the_runbooks_order():
    assert planner.ladder_steps() == ["reboot_soft", "reboot_hard", "power_cycle"]
    assert planner.ladder_steps(True) == ["restart_nessusd", "reboot_soft", "reboot_hard", "power_cycle"]


@pytest.mark.parametrize("history, expected", [
    ([], []),
    ([entry("ladder_step", "2026-11-30T01:00:00Z", "reboot_soft")], ["reboot_soft"]),
    # a heal ends the episode: its steps are not resumed
    ([entry("ladder_step", "2026-11-30T01:00:00Z", "reboot_soft"), entry("ladder_healed", "2026-11-30T01:10:00Z")], []),
    ([entry("ladder_step", "2026-11-30T01:00:00Z", "reboot_soft"), entry("os_reload_healed", "2026-11-30T01:10:00Z"),
      entry("ladder_step", "2026-11-30T02:00:00Z", "reboot_hard")], ["reboot_hard"]),
    ([entry("ladder_planned", "2026-11-30T01:00:00Z", "reboot_soft")], []),  # a plan is not a step
])
def test_taken_since_heal(history, expected):
    assert [e["details"]["step"] for e in planner.taken_since_heal(history)] == expected


@pytest.mark.parametrize("nessus, sc, expected", [
    ("ready", WORKING, "healed"),
    ("ready", AUTH_ERROR, "reenable"),
    ("ready", CONNECTION_ERROR, "reenable"),  # after the wait for Security Center: runbook situation 3
    ("loading", WORKING, "not_healed"),
    ("down", None, "not_healed"),
    ("error", None, "not_healed"),
    (None, None, "not_healed"),
])
def test_look_again(nessus, sc, expected):
    assert planner.look_again(nessus, sc) == expected


@pytest.mark.parametrize("sc, settled", [
    (WORKING, True), (AUTH_ERROR, True), (CONNECTION_ERROR, False), (RELOADING, False), (None, False), ({}, False),
])
def test_sc_settled_waits_out_connection_errors_only(sc, settled):
    assert planner.sc_settled(sc) is settled


def test_already_healthy_needs_no_step():
    state = planner.start("s1", STEPS, [], "ready", WORKING)
    assert state["outcome"] == "already_healthy" and state["next"] is None and state["text"] is None


def test_healthy_after_an_earlier_runs_step_says_which_step_healed_it():
    history = [entry("ladder_step", "2026-11-30T01:00:00Z", "reboot_soft", run_id="run-7")]
    state = planner.start("s1", STEPS, history, "ready", WORKING)
    assert state["outcome"] == "already_healthy" and state["healed_by"] == "reboot_soft"
    assert state["text"] == "s1 works again after the soft reboot run run-7 took: nothing more to do"


@pytest.mark.parametrize("looks, outcome, done", [
    ([("ready", WORKING)], "healed", ["reboot_soft"]),
    ([("down", None), ("ready", WORKING)], "healed", ["reboot_soft", "reboot_hard"]),
    ([("down", None), ("down", None), ("down", None)], "failed", STEPS),
    # Nessus back after the soft reboot, Security Center does not use it: an SOS request, not the hard reboot
    ([("ready", AUTH_ERROR)], "reenable", ["reboot_soft"]),
    ([("loading", None), ("ready", AUTH_ERROR)], "reenable", ["reboot_soft", "reboot_hard"]),
])
def test_the_ladder_looks_again_after_every_step(looks, outcome, done):
    state = planner.start("s1", STEPS, [], "down")
    for nessus, sc in looks:
        state = planner.observe(state, state["next"]["step"], nessus, sc)
    assert state["outcome"] == outcome and state["done"] == done and state["next"] is None
    assert [look["step"] for look in state["looked"]] == done


def test_reenable_says_why_for_the_sos_request():
    state = planner.observe(planner.start("s1", STEPS, [], "down"), "reboot_soft", "ready", AUTH_ERROR)
    assert state["sc_status"] == "Authentication Error"
    assert state["why"] == "had a soft reboot and its Nessus answers ready"
    assert "runbook situation 3" in state["text"] and "not rebooting it again" in state["text"]


def test_failed_names_every_step():
    state = planner.start("s1", STEPS, [], "down")
    for step in STEPS:
        state = planner.observe(state, step, "down")
    assert state["text"] == ("s1 still does not work after the soft reboot, hard reboot, power cycle: an OS reload "
                             "(last resort) or IaaS support is needed")


def test_an_interrupted_ladder_resumes_its_step_and_goes_on():
    history = [entry("ladder_step", "2026-11-30T01:00:00Z", "reboot_soft"),
               entry("ladder_step", "2026-11-30T01:20:00Z", "reboot_hard", run_id="run-2")]
    state = planner.start("s1", STEPS, history, "down")
    assert state["next"]["step"] == "reboot_soft" and state["next"]["how"] == "resume"
    state = planner.observe(state, "reboot_soft", "down")
    assert state["next"]["how"] == "resume" and state["next"]["earlier"]["run_id"] == "run-2"
    state = planner.observe(state, "reboot_hard", "down")
    assert state["next"] == dict(step="power_cycle", index=2, how="take", earlier=None, words="power cycle")


def test_a_step_that_is_not_next_changes_nothing():
    state = planner.start("s1", STEPS, [], "down")
    assert planner.observe(state, "power_cycle", "ready", WORKING) == state


def test_check_mode_plans_the_next_step_only():
    state = planner.start("s1", STEPS, [], "down", then="an OS reload (allow_osreload)")
    state = planner.observe(state, "reboot_soft", check_mode=True)
    assert state["outcome"] == "planned" and state["planned"] == "reboot_soft"
    assert state["later"] == ["reboot_hard", "power_cycle"] and state["plan"] == "soft reboot of s1"
    assert state["text"] == ("then look at s1 again; if the soft reboot does not heal it: the hard reboot, then the "
                             "power cycle, then an OS reload (allow_osreload)")


@pytest.mark.parametrize("scanner, working, allow, refused", [
    ("a", {"a": True, "b": False}, False, True),
    ("a", {"a": True, "b": False}, True, False),
    ("a", {"a": True, "b": True}, False, False),
    ("a", {"a": False, "b": False}, False, False),  # not working: rebooting it cannot make the zone worse
    ("a", {"a": True}, False, True),
])
def test_last_working_guard(scanner, working, allow, refused):
    reason = planner.last_working_guard(scanner, working, allow, "Z")
    assert bool(reason) is refused
    if refused:
        assert reason == "a is the last working scanner of Z: not rebooting it without allow_last_working_scanner=true"


@pytest.mark.parametrize("allow, ladder_failed, history, working, allow_last, expected", [
    (False, True, [], {}, False, "an OS reload of a is not allowed: run with allow_osreload=true to allow it"),
    (True, False, [], {}, False, "not reloading a: its reboot ladder has not failed in this run or a recorded earlier one"),
    (True, False, [entry("ladder_failed", "2026-11-30T01:00:00Z")], {"a": False}, False, ""),
    (True, True, [], {"a": True, "b": False}, False,
     "a is the last working scanner of Z: not reloading it without allow_last_working_scanner=true"),
    (True, True, [], {"a": True, "b": False}, True, ""),
    (True, True, [], {"a": False, "b": True}, False, ""),
])
def test_os_reload_guard(allow, ladder_failed, history, working, allow_last, expected):
    assert planner.os_reload_guard("a", "Z", allow, ladder_failed, history, working, allow_last) == expected


@pytest.mark.parametrize("last, unreachable", [("down", True), ("error", False), ("loading", False)])
def test_a_failed_ladder_says_whether_the_machine_came_back(last, unreachable):
    """Nessus silent after the power cycle: the machine is off or not reachable, a case for IaaS support."""
    state = planner.start("s1", STEPS, [], "down")
    for step, nessus in zip(STEPS, ("down", "down", last)):
        state = planner.observe(state, step, nessus)
    assert state["outcome"] == "failed" and state["unreachable"] is unreachable


DECIDED_MON = dict(entry("os_reload_decided", "2026-11-23T10:00:00Z"), run_id="R1",
                   details={"scanner": "a", "event": "os_reload_decided", "previous_reload_id": 7})
HEALED_MON = entry("os_reload_healed", "2026-11-23T12:00:00Z")
FAILED_NOW = entry("ladder_failed", "2026-11-30T09:00:00Z")
WEEK_AGO = "2026-11-23T11:00:00Z"


@pytest.mark.parametrize("history, since, max_reloads, refused", [
    ([DECIDED_MON, HEALED_MON, FAILED_NOW], "2026-11-23T09:00:00Z", 1, True),   # reloaded this week, healed, broke again
    ([DECIDED_MON, HEALED_MON, FAILED_NOW], WEEK_AGO, 1, False),                 # that reload is 7 days old: may reload
    ([DECIDED_MON, HEALED_MON, FAILED_NOW], "2026-11-23T09:00:00Z", 2, False),  # the limit allows two
    ([DECIDED_MON, HEALED_MON, FAILED_NOW], "2026-11-23T09:00:00Z", 0, False),  # no limit
    ([DECIDED_MON, FAILED_NOW], "2026-11-23T09:00:00Z", 1, False),               # the open episode's reload continues
])
def test_os_reload_weekly_limit(history, since, max_reloads, refused):
    reason = planner.os_reload_guard("a", "Z", True, True, history, {"a": False}, False, max_reloads, since)
    assert bool(reason) is refused
    if refused:
        assert reason == ("not reloading a: its OS was reloaded 1 time(s) in the last 7 days (at most 1: "
                          "os_reload_max_per_week), the last decided at 2026-11-23T10:00:00Z by run R1, and it broke again")


def test_the_open_reload_decision_is_the_latest_after_the_last_heal():
    later = dict(entry("os_reload_decided", "2026-11-29T10:00:00Z"),
                 details={"scanner": "a", "event": "os_reload_decided", "previous_reload_id": 9})
    assert planner.open_reload_decision([]) == {}
    assert planner.open_reload_decision([DECIDED_MON]) == DECIDED_MON["details"]
    # healed since: that episode is over, a new one decides again (the old decision must not be followed)
    assert planner.open_reload_decision([DECIDED_MON, HEALED_MON]) == {}
    assert planner.open_reload_decision([DECIDED_MON, HEALED_MON, later]) == later["details"]
    assert planner.open_reload_decision([DECIDED_MON, later]) == later["details"]
    # reloaded, never recorded healed (SOS re-enabled it later), then down again: the new ladder starts a new episode
    done = entry("os_reload_done", "2026-11-23T11:00:00Z")
    step = entry("ladder_step", "2026-11-29T08:00:00Z", "reboot_soft")
    assert planner.open_reload_decision([DECIDED_MON, done]) == DECIDED_MON["details"]  # registration still to do
    assert planner.open_reload_decision([DECIDED_MON, done, step]) == {}
    assert planner.os_reload_guard("a", "Z", True, True, [DECIDED_MON, done, step], {"a": False}, False, 1,
                                   "2026-11-23T09:00:00Z").startswith("not reloading a: its OS was reloaded 1 time(s)")


# Properties over any sequence of looks: the ladder never takes a step twice, never goes past its end or back,
# stops at the first heal or re-enable, and ends with exactly one outcome.
LOOKS = st.lists(st.sampled_from([("down", None), ("loading", None), ("error", None), ("ready", WORKING),
                                  ("ready", AUTH_ERROR), ("ready", CONNECTION_ERROR)]), max_size=6)


@settings(max_examples=300, deadline=None)
@given(looks=LOOKS, restart_first=st.booleans(), resumed=st.integers(min_value=0, max_value=4))
def test_ladder_properties(looks, restart_first, resumed):
    steps = planner.ladder_steps(restart_first)
    history = [entry("ladder_step", "2026-11-30T01:%02d:00Z" % i, step) for i, step in enumerate(steps[:resumed])]
    state = planner.start("s1", steps, history, "down")
    for nessus, sc in looks:
        if state["next"] is None:
            break
        state = planner.observe(state, state["next"]["step"], nessus, sc)
    done = state["done"]
    assert len(done) == len(set(done)) and done == steps[:len(done)]
    if state["next"] is not None:
        assert state["outcome"] is None and state["next"]["step"] == steps[len(done)]
        assert state["next"]["how"] == ("resume" if len(done) < min(resumed, len(steps)) else "take")
        return
    assert state["outcome"] in ("healed", "reenable", "failed")
    last = state["looked"][-1]
    assert (state["outcome"] == "healed") == (last["situation"] == "healed")
    assert (state["outcome"] == "reenable") == (last["situation"] == "reenable")
    assert (state["outcome"] == "failed") == (len(done) == len(steps) and last["situation"] == "not_healed")
    assert all(look["situation"] == "not_healed" for look in state["looked"][:-1])


@settings(max_examples=300, deadline=None)
@given(working=st.dictionaries(st.sampled_from(["a", "b", "c"]), st.booleans(), min_size=1), allow=st.booleans())
def test_the_zone_never_loses_its_last_working_scanner(working, allow):
    for scanner in working:
        others = [name for name, ok in working.items() if ok and name != scanner]
        refused = planner.last_working_guard(scanner, working, allow, "Z") is not None
        assert refused == (not allow and working[scanner] and not others)


@pytest.mark.parametrize("events, nessus, ssh, rc, expected", [
    ([], "ready", False, None, {"bootstrapped": True, "registered": False}),
    ([], "down", False, None, {"bootstrapped": False, "registered": False}),
    ([], "ready", True, 1, {"bootstrapped": False, "registered": False}),
    ([], "ready", True, None, {"bootstrapped": False, "registered": False}),  # SSH did not reach it
    (["os_reload_done", "bastion_registered"], "ready", True, 0, {"bootstrapped": True, "registered": True}),
    # a later reload needs a new registration
    (["os_reload_done", "bastion_registered", "os_reload_done"], "ready", False, None,
     {"bootstrapped": True, "registered": False}),
])
def test_after_reload(events, nessus, ssh, rc, expected):
    history = [entry(event, "2026-11-30T0%d:00:00Z" % i) for i, event in enumerate(events)]
    assert planner.after_reload(history, nessus, ssh, rc) == expected


def test_ladders_are_counted_from_the_first_step_after_each_heal():
    history = [entry("ladder_step", "2026-11-29T01:00:00Z", "reboot_soft", "r0"),   # yesterday's, more than 24 h ago
               entry("ladder_healed", "2026-11-29T01:10:00Z", run_id="r0"),
               entry("ladder_step", "2026-11-30T01:00:00Z", "reboot_soft", "r1"),
               entry("ladder_step", "2026-11-30T01:05:00Z", "reboot_hard", "r2"),   # the same ladder, another run
               entry("ladder_healed", "2026-11-30T01:10:00Z", run_id="r2"),
               entry("ladder_step", "2026-11-30T05:00:00Z", "reboot_soft", "r3"),
               entry("reenabled", "2026-11-30T05:30:00Z", run_id="r3")]
    assert planner.ladders_started(history, "2026-11-29T06:00:00Z") == 2
    assert planner.ladders_started(history, "2026-11-29T00:00:00Z") == 3
    assert planner.ladders_started([], "2026-11-29T00:00:00Z") == 0


def test_a_scanner_that_breaks_again_is_not_rebooted_in_a_loop():
    limited = planner.start("s1", STEPS, [], "down", ladders_today=2, max_ladders=2)
    assert (limited["outcome"], limited["limited"], limited["next"]) == ("failed", True, None)
    assert limited["text"].startswith("s1 broke again after 2 reboot ladders in the last 24 hours (at most 2")
    assert planner.start("s1", STEPS, [], "down", ladders_today=1, max_ladders=2)["next"]["step"] == STEPS[0]
    assert planner.start("s1", STEPS, [], "down", ladders_today=9, max_ladders=0)["next"]["step"] == STEPS[0]
    # a ladder under way (a step since the last heal) goes on: the limit counts ladders, not steps
    going = planner.start("s1", STEPS, [entry("ladder_step", "2026-11-30T05:00:00Z", STEPS[0])], "down",
                          ladders_today=2, max_ladders=2)
    assert going["limited"] is False and going["next"]["how"] == "resume"
    # a healthy scanner needs no step, limit or not
    assert planner.start("s1", STEPS, [], "ready", WORKING, ladders_today=5, max_ladders=2)["outcome"] == "already_healthy"


def test_scanner_work_sorts_the_zone_s_scanners_by_situation():
    rows = [{"name": "a", "situation": "healthy", "ladder": False, "sc_working": True},
            {"name": "b", "situation": "server_down", "ladder": True, "sc_working": False},
            {"name": "c", "situation": "not_reenabled", "ladder": False, "sc_working": False},
            {"name": "d", "situation": "unknown", "ladder": False, "sc_working": None},
            {"name": "e", "situation": "not_reenabled", "ladder": False, "sc_working": False}]
    history = [{"details": {"event": "os_reload_done", "scanner": "e"}}, {"details": {"event": "ladder_step", "scanner": "c"}}]
    work = planner.scanner_work(rows, history, after_reboot=[{"name": "b", "ip": "1"}], requested=["c"])
    assert work["working"] == {"a": True, "b": False, "c": False, "d": False, "e": False}
    assert [r["name"] for r in work["ladder"]] == ["b"]
    assert [r["name"] for r in work["reenable"]] == ["c", "e"]
    assert [r["name"] for r in work["unknown"]] == ["d"]
    assert [r["name"] for r in work["reloaded_earlier"]] == ["e"]  # an earlier run reloaded it
    assert [r["name"] for r in work["to_reenable"]] == ["e", "b"]  # c's reload asked SOS already
    assert planner.scanner_work([]) == {"working": {}, "ladder": [], "reenable": [], "unknown": [],
                                        "reloaded_earlier": [], "to_reenable": []}
