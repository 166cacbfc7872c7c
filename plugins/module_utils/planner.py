# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The remediation planner: what to do next with a scanner of the zone, and why. No I/O.

The roles gather evidence (Security Center, Nessus, classic infrastructure, the records of earlier runs) and
carry out the planner's answer; every rule of the runbook that decides an action lives here once:

- the ladder's order (restart nessusd when asked, soft reboot, hard reboot, power cycle) and its resume rule
  (a step an earlier run took since the scanner last healed is not taken again: its outcome is waited for);
- after every step the scanner is looked at again and re-classified: healed, or up with Nessus ready while
  Security Center still does not show it Working (the runbook's third situation: an SOS re-enable request,
  not the next reboot), or not healed (the next step);
- the last-working-scanner rule (no reboot or reload of the zone's last working scanner without the override);
- the guards of the OS reload (allowed, the ladder failed in this run or a recorded one, not the last working).

The record's event names are the constants below.
"""

from __future__ import annotations

# The record's event names (details.event of remediation_record entries).
LADDER_STEP = "ladder_step"
LADDER_STEP_RESUMED = "ladder_step_resumed"
LADDER_HEALED = "ladder_healed"
LADDER_FAILED = "ladder_failed"
LADDER_PLANNED = "ladder_planned"
LADDER_REENABLE = "ladder_reenable"
LADDER_REFUSED = "ladder_refused"
OS_RELOAD_REFUSED = "os_reload_refused"
OS_RELOAD_DECIDED = "os_reload_decided"
OS_RELOAD_DONE = "os_reload_done"
OS_RELOAD_FAILED = "os_reload_failed"
OS_RELOAD_PLANNED = "os_reload_planned"
OS_RELOAD_HEALED = "os_reload_healed"
BASTION_REGISTERED = "bastion_registered"
REENABLE_REQUESTED = "reenable_requested"
REENABLED = "reenabled"
REENABLE_PENDING = "reenable_pending"
# The events that say a scanner works again: they end a ladder's episode (its steps are not resumed after them).
HEALED_EVENTS = (LADDER_HEALED, OS_RELOAD_HEALED, REENABLED)

# The ladder, in the runbook's order, and how each step reads.
STEPS = ("restart_nessusd", "reboot_soft", "reboot_hard", "power_cycle")
STEP_WORDS = {
    "restart_nessusd": "nessusd restart",
    "reboot_soft": "soft reboot",
    "reboot_hard": "hard reboot",
    "power_cycle": "power cycle",
}
# What Nessus's answer (nessus_status_info's state) reads as.
NESSUS_WORDS = {"ready": "ready", "loading": "still loading its plugins", "down": "does not answer",
                "error": "answers with an error"}
# Security Center errors that say "the scanner answers, but Security Center cannot use it": once Nessus is ready,
# waiting longer does not change them (SOS must re-enable the scanner in its zone). Connection errors may be stale
# for a poll or two after a reboot, so they are waited out.
NOT_REENABLED_ERRORS = frozenset(("Authentication Error", "Certificate Mismatch", "Protocol Error",
                                  "Invalid Configuration", "User Disabled"))

# The outcomes of a ladder (reboot_ladder_result.outcome).
HEALTHY, HEALED, REENABLE, FAILED, PLANNED = "already_healthy", "healed", "reenable", "failed", "planned"


def ladder_steps(restart_nessusd_first=False):
    """The ladder's steps, in order."""
    return list(STEPS if restart_nessusd_first else STEPS[1:])


def step_words(steps):
    """``["soft reboot", "hard reboot"]`` for ``["reboot_soft", "reboot_hard"]``."""
    return [STEP_WORDS[step] for step in steps]


def _event(entry):
    return (entry.get("details") or {}).get("event")


def taken_since_heal(history):
    """The ladder steps earlier runs recorded since the scanner last healed, oldest first.

    ``history`` is the scanner's record entries (remediation_history lookup): dicts with ``at`` (ISO time),
    ``run_id`` and ``details``. Steps recorded before the latest heal belong to an episode that is over.
    """
    healed = max((e.get("at") or "" for e in history if _event(e) in HEALED_EVENTS), default="")
    return [e for e in history if _event(e) == LADDER_STEP and (e.get("at") or "") > healed]


def sc_settled(scanner):
    """True when Security Center's view of a scanner whose Nessus is ready will not change by waiting: it shows
    the scanner healthy, or an error that only SOS can clear (runbook situation 3)."""
    decoded = (scanner or {}).get("status_decoded") or {}
    if (scanner or {}).get("healthy"):
        return True
    return bool(NOT_REENABLED_ERRORS.intersection(decoded.get("errors") or ()))


def look_again(nessus_state, scanner):
    """The scanner re-classified after a step: ``healed``, ``reenable`` (Nessus ready, Security Center not
    Working: the runbook's third situation) or ``not_healed``."""
    if nessus_state == "ready" and (scanner or {}).get("healthy"):
        return "healed"
    if nessus_state == "ready":
        return "reenable"
    return "not_healed"


def ladders_started(history, since):
    """How many reboot ladders were started on the scanner at or after ``since`` (an ISO time): a ladder starts with
    the first step recorded after the scanner healed (or ever), and goes on, over runs, until it heals again."""
    count, open_ = 0, False
    for entry in sorted(history, key=lambda e: e.get("at") or ""):
        event = _event(entry)
        if event in HEALED_EVENTS:
            open_ = False
        elif event == LADDER_STEP and not open_:
            open_ = True
            count += (entry.get("at") or "") >= since
    return count


def start(scanner, steps, history, nessus_state, sc_scanner=None, then="", ladders_today=0, max_ladders=0):
    """The ladder's state before its first step.

    ``nessus_state`` is what the scanner's Nessus answered (after waiting while it loads); ``sc_scanner`` is
    Security Center's record of it when Nessus was ready. Returns the state that :func:`observe` advances:
    ``outcome`` (None while steps are left), ``next`` (the step to take or resume, and how), ``taken`` (the
    steps earlier runs took since the scanner last healed), ``done`` (this run's steps) and ``healed_by``.

    A new ladder (no step taken since the scanner last healed) is not started when ``ladders_today`` (the ladders
    started on it in the last 24 hours, :func:`ladders_started`) has reached ``max_ladders`` (0: no limit): a scanner
    that keeps breaking after its reboots is not rebooted in a loop. The outcome is then ``failed``, ``limited``.
    """
    taken = taken_since_heal(history)
    state = {"scanner": scanner, "steps": list(steps), "then": then, "taken": taken, "done": [], "planned": None,
             "later": [], "outcome": None, "healed_by": None, "situation": None, "next": None, "looked": [], "unreachable": False,
             "sc_status": None, "text": None, "healed_earlier": False, "limited": False}
    if nessus_state == "ready" and (sc_scanner or {}).get("healthy"):
        state.update(outcome=HEALTHY, healed_by=taken[-1]["details"].get("step") if taken else "already healthy")
        if taken:
            state["healed_earlier"] = True
            state["text"] = "%s works again after the %s run %s took: nothing more to do" % (
                scanner, ", ".join(STEP_WORDS[e["details"].get("step")] for e in taken), taken[-1].get("run_id"))
        return state
    if not taken and max_ladders and ladders_today >= max_ladders:
        state.update(outcome=FAILED, limited=True, text=(
            "%s broke again after %d reboot ladders in the last 24 hours (at most %d: reboot_ladder_max_per_day): no "
            "further reboot; an OS reload (last resort) or IaaS support is needed" % (scanner, ladders_today,
                                                                                      max_ladders)))
        return state
    return _advance(state, 0)


def _advance(state, index):
    """Point ``next`` at the step at ``index`` (or end the ladder)."""
    steps = state["steps"]
    if index >= len(steps):
        state.update(next=None, outcome=FAILED, text="%s still does not work after the %s: an OS reload (last resort) "
                     "or IaaS support is needed" % (state["scanner"], ", ".join(step_words(steps))))
        # the last step did not bring the machine back where Nessus answers (off, or not reachable): a case for the
        # infrastructure's support when no OS reload runs, not for SOS alone
        state["unreachable"] = bool(state["looked"]) and state["looked"][-1]["nessus"] == "down"
        return state
    step = steps[index]
    earlier = [e for e in state["taken"] if (e.get("details") or {}).get("step") == step]
    state["next"] = {"step": step, "index": index, "how": "resume" if earlier else "take",
                     "earlier": earlier[-1] if earlier else None, "words": STEP_WORDS[step]}
    return state


def observe(state, step, nessus_state=None, sc_scanner=None, check_mode=False):
    """Advance the ladder after ``step``: look at the scanner again and re-classify it.

    In check mode the plan stops at this step (the real run looks at the scanner again before deciding more):
    ``outcome`` is ``planned`` and ``later`` holds the steps that would follow if it does not heal.
    """
    state = dict(state)
    current = state["next"] or {}
    if current.get("step") != step:
        return state  # not this state's step: nothing was done
    state["done"] = state["done"] + [step]
    if check_mode:
        state.update(outcome=PLANNED, planned=step, next=None, later=state["steps"][current["index"] + 1:],
                     plan="%s of %s" % (STEP_WORDS[step], state["scanner"]))
        state["text"] = plan_later_text(state)
        return state
    situation = look_again(nessus_state, sc_scanner)
    summary = ((sc_scanner or {}).get("status_decoded") or {}).get("summary") or "not checked"
    looked = {"step": step, "nessus": nessus_state, "sc_status": summary, "situation": situation,
              "text": "after the %s, %s: Nessus %s, Security Center %s - %s" % (
                  STEP_WORDS[step], state["scanner"], NESSUS_WORDS.get(nessus_state, nessus_state), summary,
                  "healed" if situation == "healed" else "not healed")}
    state["looked"] = state["looked"] + [looked]
    state["situation"] = situation
    if situation == "healed":
        state.update(outcome=HEALED, healed_by=step, next=None,
                     text="%s works again after the %s" % (state["scanner"], STEP_WORDS[step]))
        return state
    if situation == "reenable":
        text = ("after the %s, %s answers (Nessus ready) but Security Center reports %s: not rebooting it again, SOS "
                "must re-enable it as a scanner of the zone (runbook situation 3)" % (STEP_WORDS[step], state["scanner"],
                                                                                      summary))
        state.update(outcome=REENABLE, next=None, sc_status=summary, text=text,
                     why="had a %s and its Nessus answers ready" % STEP_WORDS[step])
        return state
    return _advance(state, current["index"] + 1)


def plan_later_text(state):
    """What a check-mode plan leaves to the scanner's next look, as the record says it."""
    then = state.get("then")
    later = ["the " + STEP_WORDS[s] for s in state.get("later") or []] + ([then] if then else [])
    return "then look at %s again; if the %s does not heal it: %s" % (
        state["scanner"], STEP_WORDS[state["planned"]], ", then ".join(later) or "nothing more")


def last_working_guard(scanner, working, allow=False, zone="its zone", action="rebooting"):
    """None when a destructive step may run on ``scanner``; else why not.

    ``working`` maps each scanner of the zone to whether Security Center reports it Working. Rebooting or
    reloading the zone's last working scanner would leave the zone without one.
    """
    if allow or not working.get(scanner):
        return None
    if any(ok for name, ok in working.items() if name != scanner):
        return None
    return "%s is the last working scanner of %s: not %s it without allow_last_working_scanner=true" % (
        scanner, zone, action)


def episode_start(history):
    """When the scanner's current episode began (an ISO time, '' for its whole history): after its latest heal, or
    at the first reboot step taken after an OS reload finished (the reloaded scanner broke again, and nothing
    recorded a heal in between: SOS re-enabled it later, say)."""
    boundary = reloaded = ""
    for entry in sorted(history, key=lambda e: e.get("at") or ""):
        event, at = _event(entry), entry.get("at") or ""
        if event in HEALED_EVENTS:
            boundary, reloaded = at, ""
        elif event == OS_RELOAD_DONE:
            reloaded = at
        elif event == LADDER_STEP and reloaded:
            boundary, reloaded = at, ""
    return boundary


def open_reload_decision(history):
    """The details of the OS reload decision of the scanner's current episode ({} when none): the latest decision
    recorded since the episode began (:func:`episode_start`). A run that continues an interrupted reload follows it
    (the machine's reload id before the reload, who allowed it); a decision of an episode that is over is not."""
    began = episode_start(history)
    open_ = [e for e in history if _event(e) == OS_RELOAD_DECIDED and (e.get("at") or "") >= began]
    return (open_[-1].get("details") or {}) if open_ else {}


def reloads_since(history, since):
    """The OS reloads decided for the scanner at or after ``since`` (an ISO time), oldest first."""
    return [e for e in history if _event(e) == OS_RELOAD_DECIDED and (e.get("at") or "") >= since]


def os_reload_guard(scanner, zone, allow, ladder_failed, history, working, allow_last_working=False, max_reloads=0,
                    since=""):
    """'' when the OS reload of ``scanner`` may run; else why not.

    The reload is the last resort: it must be allowed (allow_osreload), the scanner's ladder must have failed
    in this run or in a recorded earlier one, and it must not be the zone's last working scanner. A new reload is
    refused when ``max_reloads`` (0: no limit) reloads were decided for the scanner since ``since`` (7 days ago):
    a scanner that breaks again after its OS was reloaded needs people, not another reload. A run that continues
    the reload of the current episode (:func:`open_reload_decision`) is not refused by that limit.
    """
    if not allow:
        return "an OS reload of %s is not allowed: run with allow_osreload=true to allow it" % scanner
    if not (ladder_failed or any(_event(e) == LADDER_FAILED for e in history)):
        return "not reloading %s: its reboot ladder has not failed in this run or a recorded earlier one" % scanner
    recent = reloads_since(history, since)
    if max_reloads and not open_reload_decision(history) and len(recent) >= max_reloads:
        last = recent[-1]
        return ("not reloading %s: its OS was reloaded %d time(s) in the last 7 days (at most %d: os_reload_max_per_week), "
                "the last decided at %s by run %s, and it broke again" % (
                    scanner, len(recent), max_reloads, last.get("at") or "?", last.get("run_id") or "?"))
    return last_working_guard(scanner, working, allow_last_working, zone, "reloading") or ""


def after_reload(history, nessus_state, ssh_checked=False, bootstrap_rc=None):
    """Where a reloaded scanner stands: ``bootstrapped`` (Nessus answers ready, and the bootstrap check over SSH
    passed when it ran) and ``registered`` (the bastion registration was recorded after the latest reload: a
    re-run does not register it again)."""
    events = [_event(e) for e in history if _event(e) in (OS_RELOAD_DONE, BASTION_REGISTERED)]
    return {"bootstrapped": nessus_state == "ready" and (not ssh_checked or bootstrap_rc == 0),
            "registered": bool(events) and events[-1] == BASTION_REGISTERED}


def scanner_work(scanners, history=(), after_reboot=(), requested=()):
    """What the private branch does with each scanner of the zone's health report, by the runbook's situations.

    ``scanners``: the health report's rows (``name``, ``situation``, ``ladder``, ``sc_working``); ``history``: the
    record entries of the scanners to re-enable (the remediation_history lookup); ``after_reboot``: the scanners a
    reboot left for SOS to re-enable (they answer, Security Center does not use them); ``requested``: the scanners
    whose OS reload asked SOS already.

    Returns ``working`` (name -> Security Center uses it), ``ladder`` (the reboot ladder), ``reenable`` (situation
    3: an SOS re-enable request), ``unknown`` (left to a human), ``reloaded_earlier`` (of ``reenable``, those an
    earlier run reloaded: the steps after the reload are finished first) and ``to_reenable`` (``reenable`` and
    ``after_reboot``, less ``requested``: each asked for once).
    """
    rows = [row for row in scanners or () if isinstance(row, dict)]
    reenable = [row for row in rows if row.get("situation") == "not_reenabled"]
    reloaded = {(e.get("details") or {}).get("scanner") for e in history or () if _event(e) == OS_RELOAD_DONE}
    asked = set(requested or ())
    return {
        "working": {row.get("name"): bool(row.get("sc_working")) for row in rows},
        "ladder": [row for row in rows if row.get("ladder")],
        "reenable": reenable,
        "unknown": [row for row in rows if row.get("situation") == "unknown"],
        "reloaded_earlier": [row for row in reenable if row.get("name") in reloaded],
        "to_reenable": [row for row in reenable + list(after_reboot or ()) if row.get("name") not in asked],
    }
