"""The shared store (a local directory, or a GitHub repository through the contents API) and the zone lease on it.

The GitHub store runs against the lab's GitHub Enterprise stand-in, held to the GHES 3.19 contract (a request it
refuses or an answer that does not fit fails the test)."""

from __future__ import annotations

import json
import threading

import pytest

from ansible_collections.conductors.nessus_compliance.plugins.module_utils import lease
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.github import GitHubClient
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.store import Conflict, GitHubStore, LocalStore

ZONE = "ALC_Prod_WDC06_SZ"
NOW = 1_800_000_000


def github_client(lab):
    s = lab.settings
    return GitHubClient(s["GITHUB_API_URL"], s["GITHUB_TOKEN"], s["GITHUB_REPOSITORY"], ca_path=s["GITHUB_CA_PATH"])


def race(make, runs, act):
    """``act(store, number)`` of ``runs`` runs started at the same moment, each with its own store object."""
    outcomes, start = {}, threading.Barrier(runs)

    def run(number):
        store = make()
        start.wait()
        outcomes[number] = act(store, number)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return outcomes


@pytest.fixture(params=["local", "github"])
def backend(request, tmp_path, lab_factory):
    """(a factory of stores on one shared place, the lab or None): each call is another run's own store object."""
    if request.param == "local":
        return (lambda: LocalStore(str(tmp_path / "store"))), None
    lab = lab_factory("default")
    return (lambda: GitHubStore(github_client(lab))), lab


def test_compare_and_swap(backend):
    make, lab = backend
    store = make()
    assert store.read("records/a.json") == (None, None) and store.names("records") == []
    first = store.write("records/a.json", "one\n")
    with pytest.raises(Conflict):
        store.write("records/a.json", "two\n")  # created meanwhile: a create does not overwrite
    second = store.write("records/a.json", "two\n", first)
    assert second != first and store.read("records/a.json") == ("two\n", second)
    with pytest.raises(Conflict):
        store.write("records/a.json", "three\n", first)  # a stale version is refused, nothing written
    with pytest.raises(Conflict):
        store.delete("records/a.json", first)
    assert store.read("records/a.json") == ("two\n", second)
    store.write("records/b.json", "{}")
    assert store.names("records") == ["a.json", "b.json"]
    store.delete("records/a.json", second)
    store.delete("records/a.json", second)  # gone already: nothing to do
    assert store.read("records/a.json") == (None, None) and store.names("records") == ["b.json"]
    for bad in ("../x", "/etc/passwd", "a/../../b", "", "a//b", "a b"):
        with pytest.raises(ValueError):
            store.read(bad)
    if lab is not None:
        # GitHub did the compare-and-swap: the refused writes are its 422 (no sha over a file) and 409 (stale sha)
        puts = [(e["method"], e["status"]) for e in lab.requests("github") if e["method"] in ("PUT", "DELETE")]
        assert puts == [("PUT", 201), ("PUT", 422), ("PUT", 200), ("PUT", 409), ("DELETE", 409), ("PUT", 201),
                        ("DELETE", 200), ("DELETE", 404)]
        files = lab.world.github.repositories["alchemy-conductors/team"]["files"]
        assert sorted(files) == ["remediation/records/b.json"]


@pytest.mark.parametrize("current, run_id, now, verdict", [
    (None, "r1", NOW, "take"),
    ({"run_id": "r1", "expires": NOW + 10}, "r1", NOW, "renew"),
    ({"run_id": "r0", "expires": NOW + 10}, "r1", NOW, "held"),
    ({"run_id": "r0", "expires": NOW}, "r1", NOW, "take_over"),
    ({"unreadable": "not a lease"}, "r1", NOW, "take_over"),
])
def test_decide(current, run_id, now, verdict):
    assert lease.decide(current, run_id, now) == verdict


def test_a_lease_is_held_taken_over_when_expired_and_given_back_by_its_holder_only(backend):
    make, _lab = backend
    store = make()
    first = {"run_id": "20261130T090000Z-aaaaaa", "who": "awx job 41", "where": "awx-ee-1"}
    got = lease.take(store, ZONE, first, 3600, NOW)
    assert got["taken"] and got["verdict"] == "take" and got["lease"]["expires"] == NOW + 3600
    second = {"run_id": "20261130T091000Z-bbbbbb", "who": "sre", "where": "laptop"}
    held = lease.take(make(), ZONE, second, 3600, NOW + 600)
    assert not held["taken"] and held["verdict"] == "held"
    assert (held["lease"]["run_id"], held["lease"]["who"], held["lease"]["since"]) == (first["run_id"], "awx job 41", NOW)
    assert not lease.give_back(make(), ZONE, second["run_id"])  # not its lease
    renewed = lease.take(store, ZONE, first, 3600, NOW + 1200)
    assert renewed["verdict"] == "renew" and renewed["lease"]["since"] == NOW and renewed["lease"]["expires"] == NOW + 4800
    over = lease.take(make(), ZONE, second, 3600, NOW + 4800)  # the first run died: its lease ran out
    assert over["taken"] and over["verdict"] == "take_over"
    assert over["lease"]["took_over"] == {"run_id": first["run_id"], "who": "awx job 41", "where": "awx-ee-1",
                                          "since": NOW, "expires": NOW + 4800, "why": "expired"}
    assert not lease.give_back(store, ZONE, first["run_id"])  # the dead run's lease is gone: nothing of it to remove
    assert lease.give_back(make(), ZONE, second["run_id"])
    assert store.read(lease.lease_name(ZONE)) == (None, None)


def test_a_lease_whose_run_is_known_dead_is_taken_over_before_it_expires(backend):
    make, _lab = backend
    lease.take(make(), ZONE, {"run_id": "r0", "where": "here", "pid": 4242}, 3600, NOW)
    assert lease.take(make(), ZONE, {"run_id": "r1"}, 3600, NOW + 60, is_dead=lambda held: False)["verdict"] == "held"
    over = lease.take(make(), ZONE, {"run_id": "r1"}, 3600, NOW + 60, is_dead=lambda held: held["pid"] == 4242)
    assert over["taken"] and over["lease"]["took_over"]["why"] == "dead" and over["lease"]["took_over"]["run_id"] == "r0"


def test_a_lease_file_that_is_not_a_lease_is_taken_over_and_named(backend):
    make, _lab = backend
    store = make()
    store.write(lease.lease_name(ZONE), "{not json")
    got = lease.take(store, ZONE, {"run_id": "r1"}, 60, NOW)
    assert got["verdict"] == "take_over" and "unreadable" in got["lease"]["took_over"]


def test_of_runs_that_take_a_zone_at_the_same_moment_exactly_one_gets_it(backend):
    make, _lab = backend
    outcomes = race(make, 6, lambda store, number: lease.take(store, ZONE, {"run_id": "run-%d" % number}, 3600, NOW))
    winners = [n for n, got in outcomes.items() if got["taken"]]
    assert len(outcomes) == 6 and len(winners) == 1
    holder = json.loads(make().read(lease.lease_name(ZONE))[0])["run_id"]
    assert holder == "run-%d" % winners[0]
    assert all(got["lease"]["run_id"] == holder for got in outcomes.values())


def test_at_most_max_zones_heal_at_once_and_a_zone_given_back_frees_its_place(backend):
    make, _lab = backend
    zones = ["Z%d" % n for n in range(4)]
    for n, zone in enumerate(zones[:3]):
        got = lease.take(make(), zone, {"run_id": "r%d" % n}, 3600, NOW + n, max_zones=3)
        assert got["taken"] and got["healing"] == []
    full = lease.take(make(), zones[3], {"run_id": "r3"}, 3600, NOW + 10, max_zones=3)
    assert not full["taken"] and full["verdict"] == "fleet_full"
    assert [item["zone"] for item in full["healing"]] == zones[:3]
    assert make().read(lease.lease_name(zones[3])) == (None, None)  # its own lease was given back at once
    assert lease.take(make(), zones[3], {"run_id": "r3"}, 3600, NOW + 10)["taken"]  # no limit: taken
    assert lease.give_back(make(), zones[3], "r3")
    assert lease.give_back(make(), zones[0], "r0")  # one zone done: its place is free
    assert lease.take(make(), zones[3], {"run_id": "r3"}, 3600, NOW + 20, max_zones=3)["taken"]
    healing = json.loads(make().read(lease.FLEET)[0])["zones"]
    assert sorted(item["zone"] for item in healing) == zones[1:]


def test_expired_and_dead_runs_do_not_count_against_the_fleet(backend):
    make, _lab = backend
    lease.take(make(), "Z0", {"run_id": "r0"}, 60, NOW, max_zones=2)                   # expires at NOW + 60
    lease.take(make(), "Z1", {"run_id": "r1", "pid": 4242}, 3600, NOW, max_zones=2)   # its process ends
    got = lease.take(make(), "Z2", {"run_id": "r2"}, 3600, NOW + 120, is_dead=lambda held: held.get("pid") == 4242,
                     max_zones=2)
    assert got["taken"]
    # Z2's run dropped Z0 (expired) and Z1 (dead) from the zones healing: one place is left, then none
    assert lease.take(make(), "Z3", {"run_id": "r3"}, 3600, NOW + 130, max_zones=2)["taken"]
    full = lease.take(make(), "Z4", {"run_id": "r4"}, 3600, NOW + 140, max_zones=2)
    assert full["verdict"] == "fleet_full" and [item["zone"] for item in full["healing"]] == ["Z2", "Z3"]


def test_a_dry_run_takes_no_place_and_a_failed_join_keeps_no_lease(backend, monkeypatch):
    make, _lab = backend
    lease.take(make(), "Z0", {"run_id": "r0"}, 3600, NOW, max_zones=1)
    before = make().read(lease.FLEET)
    full = lease.take(make(), "Z1", {"run_id": "dry"}, 3600, NOW, max_zones=1, dry=True)
    assert full["verdict"] == "fleet_full" and make().read(lease.lease_name("Z1")) == (None, None)
    assert lease.take(make(), "Z1", {"run_id": "dry"}, 3600, NOW, max_zones=2, dry=True)["taken"]
    assert make().read(lease.FLEET) == before  # the dry run said where it stands, and took no place

    def broken(*_args, **_kwargs):
        raise OSError("the store went away")

    monkeypatch.setattr(lease, "join_fleet", broken)
    with pytest.raises(OSError):
        lease.take(make(), "Z2", {"run_id": "r2"}, 3600, NOW, max_zones=3)
    assert make().read(lease.lease_name("Z2")) == (None, None)  # not left holding the zone until it expires


def test_of_zones_taken_at_the_same_moment_never_more_than_max_zones_heal(backend):
    make, _lab = backend
    outcomes = race(make, 6, lambda store, number: lease.take(store, "Z%d" % number, {"run_id": "run-%d" % number}, 3600,
                                                              NOW, max_zones=3))
    taken = sorted(n for n, got in outcomes.items() if got["taken"])
    assert len(outcomes) == 6 and len(taken) == 3, outcomes  # the semaphore lets exactly 3 in, whatever the timing
    healing = json.loads(make().read(lease.FLEET)[0])["zones"]
    assert sorted(item["run_id"] for item in healing) == ["run-%d" % n for n in taken]
    store = make()
    assert sorted(n for n in range(6) if store.read(lease.lease_name("Z%d" % n))[0]) == taken


def test_zone_names_are_checked():
    for bad in ("../x", "a/b", "", "x" * 200, None):
        with pytest.raises(ValueError):
            lease.lease_name(bad)
