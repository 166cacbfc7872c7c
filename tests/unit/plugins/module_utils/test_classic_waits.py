"""The classic client's waits on poll_until, and bare metal's spacing refusal as a typed error - without sleeping."""

from __future__ import annotations

import pytest

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.classic import (
    SYSTEM,
    ClassicClient,
    SpacingRefusedError,
)
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.transport import ApiError

SPACING = "Cannot issue a remote management command: the last one was less than 20 minutes ago."


def client_answering(answers):
    """A ClassicClient whose API calls answer ``answers`` in order (an exception is raised)."""
    client = ClassicClient.__new__(ClassicClient)
    it = iter(answers)
    sent = []

    def call(service, method, ident=None, params=None, body=None, http_method="GET"):
        sent.append(method)
        answer = next(it)
        if isinstance(answer, Exception):
            raise answer
        return answer

    client.call = call
    client.sent = sent
    return client


def refusal(status=500, detail=SPACING):
    return ApiError("refused", SYSTEM, "GET", "/SoftLayer_Hardware_Server/1/rebootSoft.json", status=status, detail=detail)


@pytest.mark.parametrize("kind, error, typed", [
    ("hardware", refusal(), True),
    ("guest", refusal(), False),                         # only bare metal spaces its commands
    ("hardware", refusal(status=400), False),
    ("hardware", refusal(detail="something else"), False),
])
def test_only_bare_metal_s_spacing_refusal_is_typed(kind, error, typed):
    client = client_answering([error])
    with pytest.raises(ApiError) as err:
        client.power(kind, 1, "rebootSoft")
    assert isinstance(err.value, SpacingRefusedError) is typed
    assert str(err.value) == str(error)  # the message the module fails with is the same


def test_power_spaced_tries_again_until_accepted(fake):
    client = client_answering([refusal(), refusal(), True])
    client.power_spaced("hardware", 1, "rebootSoft", 1500, 30, clock=fake.clock, sleep=fake.sleep)
    assert client.sent == ["rebootSoft"] * 3 and fake.sleeps == [30, 30]


def test_power_spaced_gives_up_past_its_timeout_with_the_refusal(fake):
    client = client_answering([refusal()] * 5)
    with pytest.raises(SpacingRefusedError):
        client.power_spaced("hardware", 1, "rebootSoft", 60, 30, clock=fake.clock, sleep=fake.sleep)
    assert len(client.sent) == 4 and fake.sleeps == [30, 30, 30]  # at 60 s it is not past 60 s: once more


def test_power_spaced_does_not_wait_out_another_error():
    client = client_answering([refusal(status=503, detail="down")])
    with pytest.raises(ApiError) as err:
        client.power_spaced("hardware", 1, "rebootSoft", 1500, 30, sleep=pytest.fail)
    assert not isinstance(err.value, SpacingRefusedError)


def test_wait_running_until_on_without_a_transaction(fake):
    client = ClassicClient.__new__(ClassicClient)
    states = iter([("off", {"id": 1}), ("on", {"id": 1}), ("on", None)])

    def describe(kind, ident):
        power, transaction = next(states)
        return {"power_state": power, "active_transaction": transaction}

    client.describe = describe
    waited = client.wait_running("guest", 1, 600, 2, clock=fake.clock, sleep=fake.sleep)
    assert waited.done and waited.polls == 3 and waited.value["power_state"] == "on" and fake.sleeps == [2, 2]


def test_follow_reload_needs_the_new_reload_then_settled_polls(fake):
    client = ClassicClient.__new__(ClassicClient)
    reloading = {"provisionDate": None, "activeTransaction": {"id": 9, "transactionStatus": {"name": "RELOAD_STEP"}},
                 "lastOperatingSystemReload": {"id": 9}}
    done = {"provisionDate": "2026-11-30", "activeTransaction": None, "lastOperatingSystemReload": {"id": 9}}
    machines = iter([reloading, reloading, done, done])
    client.get = lambda kind, ident: next(machines)
    machine, state, steps, timed_out = client.follow_reload("guest", 1, 8, 600, 10, 2, clock=fake.clock,
                                                            sleep=fake.sleep)
    assert not timed_out and machine is done and state["last_reload_id"] == 9
    assert steps == [{"step": "RELOAD_STEP", "at_seconds": 0}] and fake.sleeps == [10, 10, 10]
