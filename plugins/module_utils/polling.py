# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one waiter of the collection: ask something again and again until it answers what is waited for.

Every loop that follows something (a scan result, a machine's transactions, a Jenkins queue item or build, a
scanner's Nessus) runs on :func:`poll_until`, so the rules are written once: ask first, then decide, then sleep; an
interval that may grow by half each time up to a ceiling; a sleep that may be cut to the time left; the clock and the
sleep injectable, so that unit tests run without sleeping.
"""

from __future__ import annotations

import time


class Waited:
    """How a wait ended: ``value`` (the last answer of the probe), ``done`` (it answered what was waited for),
    ``timed_out``, ``polls`` (times the probe was asked) and ``seconds`` (from the start to the end of the wait)."""

    __slots__ = ("value", "done", "timed_out", "polls", "seconds")

    def __init__(self, value, done, timed_out, polls, seconds):
        self.value = value
        self.done = done
        self.timed_out = timed_out
        self.polls = polls
        self.seconds = seconds


def poll_until(probe, timeout, interval, max_interval=None, growth=1.5, clock=time.monotonic, sleep=time.sleep,
               cut_to_timeout=False, timeout_inclusive=True, on_wait=None):
    """Ask ``probe(since)`` until it answers ``(True, value)``, or ``timeout`` seconds have passed.

    ``probe`` gets ``since()``, the seconds since the start of the wait, and answers ``(done, value)``. After an answer that is not done, the
    wait times out when ``timeout`` seconds have passed (``timeout_inclusive=False``: only once they are exceeded);
    else it sleeps ``interval`` seconds - cut to the time left with ``cut_to_timeout`` - and asks again. With
    ``max_interval``, the interval grows by ``growth`` after each sleep, up to ``max_interval``. ``on_wait(elapsed)``,
    when given, is called before each sleep (progress lines).

    Returns a :class:`Waited`.
    """
    started, wait, polls = clock(), interval, 0

    def since():
        return clock() - started

    while True:
        polls += 1
        done, value = probe(since)
        elapsed = since()
        if done:
            return Waited(value, True, False, polls, elapsed)
        if elapsed >= timeout if timeout_inclusive else elapsed > timeout:
            return Waited(value, False, True, polls, elapsed)
        if on_wait is not None:
            on_wait(elapsed)
        sleep(min(wait, max(0.0, timeout - elapsed)) if cut_to_timeout else wait)
        if max_interval is not None:
            wait = min(wait * growth, max_interval)
