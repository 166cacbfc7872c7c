"""The planner's filters as the roles call them."""

from __future__ import annotations

from ansible_collections.conductors.nessus_compliance.plugins.filter.ladder_next import FilterModule as Next
from ansible_collections.conductors.nessus_compliance.plugins.filter.ladder_start import FilterModule as Start
from ansible_collections.conductors.nessus_compliance.plugins.filter.sc_settled import FilterModule as Settled
from ansible_collections.conductors.nessus_compliance.plugins.filter.scanner_guard import FilterModule as Guard

START = Start().filters()["ladder_start"]
NEXT = Next().filters()["ladder_next"]
GUARD = Guard().filters()["scanner_guard"]
SETTLED = Settled().filters()["sc_settled"]
AUTH_ERROR = {"healthy": False, "status_decoded": {"errors": ["Authentication Error"], "summary": "Authentication Error"}}


def test_a_ladder_as_the_role_runs_it():
    state = START([], scanner="s1", steps=["reboot_soft", "reboot_hard"], nessus="down", sc=None)
    assert state["next"]["step"] == "reboot_soft"
    state = NEXT(state, step="reboot_soft", nessus="ready", sc=AUTH_ERROR)
    assert state["outcome"] == "reenable" and state["looked"][-1]["text"] == (
        "after the soft reboot, s1: Nessus ready, Security Center Authentication Error - not healed")


def test_check_mode_and_a_skipped_look():
    state = START(None, scanner="s1", steps=["reboot_soft"], nessus="down", then="the escalation to SOS")
    planned = NEXT(state, step="reboot_soft", check_mode=True)
    assert planned["outcome"] == "planned" and planned["text"].endswith("the escalation to SOS")
    failed = NEXT(state, step="reboot_soft", nessus="down", sc=None)
    assert failed["outcome"] == "failed"


def test_guards_return_text_or_nothing():
    assert GUARD("a", {"a": True, "b": False}, zone="Z").startswith("a is the last working scanner of Z")
    assert GUARD("a", {"a": True, "b": True}, zone="Z") == ""
    assert GUARD("a", {}, zone="Z", action="os_reload").startswith("an OS reload of a is not allowed")
    assert GUARD("a", {"a": False}, zone="Z", action="os_reload", allow_osreload=True, ladder_failed=True) == ""


def test_settled():
    assert SETTLED(AUTH_ERROR) is True
    assert SETTLED({"healthy": False, "status_decoded": {"errors": ["Connection Error"]}}) is False


def test_resume_hours_zero_takes_every_step_again():
    history = [{"at": "2026-11-30T01:00:00Z", "run_id": "r1", "details": {"event": "ladder_step", "step": "reboot_soft"}}]
    # one notion of now for the judgement (the step is an hour old), never the machine's clock
    now = "2026-11-30T02:00:00Z"
    assert START(history, scanner="s1", steps=["reboot_soft"], nessus="down", now=now)["next"]["how"] == "resume"
    assert START(history, scanner="s1", steps=["reboot_soft"], nessus="down", resume_hours=0, now=now)["next"]["how"] == "take"


def test_ladder_start_resumes_within_its_hours_and_counts_the_days_ladders():
    def entry(event, at, step=None):
        return {"at": at, "run_id": "r", "details": dict({"event": event, "scanner": "s1"}, **({"step": step} if step else {}))}

    history = [entry("ladder_step", "2026-11-30T00:00:00Z", "reboot_soft"), entry("ladder_healed", "2026-11-30T00:10:00Z"),
               entry("ladder_step", "2026-11-30T02:00:00Z", "reboot_soft"), entry("ladder_healed", "2026-11-30T02:10:00Z")]
    steps = ["reboot_soft", "reboot_hard"]
    limited = START(history, scanner="s1", steps=steps, nessus="down", now="2026-11-30T09:00:00Z")
    assert limited["outcome"] == "failed" and limited["limited"] is True
    # a day later both ladders are past the 24 hours: a new one starts
    assert START(history, scanner="s1", steps=steps, nessus="down", now="2026-12-01T03:00:00Z")["next"]["step"] == "reboot_soft"
    assert START(history, scanner="s1", steps=steps, nessus="down", now="2026-11-30T09:00:00Z",
                 max_per_day=0)["next"]["how"] == "take"
    # a step of the last resume_hours since the last heal is resumed; an older one is not
    open_step = history[:2] + [entry("ladder_step", "2026-11-30T06:00:00Z", "reboot_soft")]
    assert START(open_step, scanner="s1", steps=steps, nessus="down", now="2026-11-30T09:00:00Z",
                 resume_hours=12)["next"]["how"] == "resume"
    assert START(open_step, scanner="s1", steps=steps, nessus="down", now="2026-11-30T19:00:00Z",
                 resume_hours=12, max_per_day=3)["next"]["how"] == "take"
    # (with the default limit, that 13-hour-old ladder and the morning's are two ladders of the last 24 hours)
    assert START(open_step, scanner="s1", steps=steps, nessus="down", now="2026-11-30T19:00:00Z",
                 resume_hours=12)["limited"] is True
