"""The one waiter: ask, decide, sleep; growth, cut sleeps, timeouts, without sleeping for real."""

from __future__ import annotations

import pytest

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.polling import poll_until


def answers(*values):
    """A probe answering ``values`` in order (each is (done, value))."""
    it = iter(values)
    return lambda since: next(it)


def test_done_at_the_first_answer_sleeps_not(fake):
    waited = poll_until(answers((True, "x")), 10, 2, clock=fake.clock, sleep=fake.sleep)
    assert (waited.value, waited.done, waited.timed_out, waited.polls, waited.seconds) == ("x", True, False, 1, 0)
    assert fake.sleeps == []


def test_the_interval_grows_by_half_up_to_its_ceiling(fake):
    waited = poll_until(answers(*[(False, i) for i in range(6)] + [(True, 6)]), 600, 2, max_interval=5,
                        clock=fake.clock, sleep=fake.sleep)
    assert waited.done and waited.value == 6 and waited.polls == 7
    assert fake.sleeps == [2, 3.0, 4.5, 5, 5, 5]


def test_a_fixed_interval_without_a_ceiling(fake):
    poll_until(answers(*[(False, None)] * 3 + [(True, None)]), 600, 3, clock=fake.clock, sleep=fake.sleep)
    assert fake.sleeps == [3, 3, 3]


@pytest.mark.parametrize("cut, inclusive, sleeps, polls", [
    (True, True, [4, 4, 2], 4),      # the last sleep is cut to the time left; times out at 10 s
    (False, True, [4, 4, 4], 4),     # not cut: 12 s >= 10 s
    (False, False, [4, 4, 4], 4),    # strictly past: 12 s > 10 s
])
def test_timeout_returns_the_last_answer(cut, inclusive, sleeps, polls, fake):
    waited = poll_until(lambda since: (False, since()), 10, 4, clock=fake.clock, sleep=fake.sleep,
                        cut_to_timeout=cut, timeout_inclusive=inclusive)
    assert waited.timed_out and not waited.done and waited.polls == polls
    assert fake.sleeps == sleeps and waited.value == sum(sleeps)


def test_exclusive_timeout_asks_once_more_at_the_limit(fake):
    waited = poll_until(lambda since: (False, since()), 8, 4, clock=fake.clock, sleep=fake.sleep,
                        timeout_inclusive=False)
    assert fake.sleeps == [4, 4, 4] and waited.polls == 4  # at 8 s it is not past 8 s yet


def test_on_wait_is_told_before_each_sleep_and_the_probe_sees_the_time(fake):
    seen, told = [], []

    def probe(since):
        seen.append(since())
        return len(seen) == 3, None

    poll_until(probe, 60, 5, clock=fake.clock, sleep=fake.sleep, on_wait=told.append)
    assert seen == [0, 5, 10] and told == [0, 5]


def test_an_error_of_the_probe_ends_the_wait():
    def probe(since):
        raise ValueError("refused")

    with pytest.raises(ValueError):
        poll_until(probe, 10, 1, sleep=lambda s: None)
