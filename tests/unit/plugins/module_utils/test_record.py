"""The remediation record: entries, Markdown, atomic files."""

from __future__ import annotations

import datetime
import json
import os

import pytest

from ansible_collections.conductors.nessus_compliance.plugins.module_utils import record as rec

T0 = "2026-11-26T10:00:00Z"


def sample():
    record = rec.new_record("private scan", "ALC_Prod_WDC06_SZ", play="Heal", now=T0)
    record = rec.add_entry(record, "found", "Check the scanzones", "prod-wdc06-infra-nessus-01:\n  nessusd_not_running", now=T0)
    record = rec.add_entry(record, "done", "Reboot the scanner(s)", "soft reboot sent", {"sent": True}, now=T0)
    record = rec.add_entry(record, "left", "Escalation Policy", "SOS investigates", now=T0)
    return rec.finish(record, "Scanning  again.", now="2026-11-26T10:05:00Z")


def test_run_id_is_time_and_random_and_unique():
    a = rec.new_record("b", "s", now=T0)
    b = rec.new_record("b", "s", now=T0)
    assert a["run_id"].startswith("20261126T100000Z-") and a["run_id"] != b["run_id"]
    assert a["entries"] == [] and a["finished"] is None and a["outcome"] is None


def test_entries_keep_order_fold_white_space_and_do_not_mutate():
    first = rec.new_record("b", "s", now=T0)
    second = rec.add_entry(first, "done", "step", "a\n   b", now=T0)
    assert first["entries"] == []
    assert second["entries"] == [{"at": T0, "kind": "done", "step": "step", "text": "a b", "details": {}}]


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="found, done, left"):
        rec.add_entry(rec.new_record("b", "s"), "maybe", "step", "text")


def test_markdown_groups_entries_by_kind_and_ends_with_outcome():
    text = rec.markdown(sample())
    assert text.splitlines()[0].startswith("### Remediation 20261126T100000Z-")
    assert "Play `Heal`, started 2026-11-26T10:00:00Z, finished 2026-11-26T10:05:00Z." in text
    found, done, left = text.index("**Found**"), text.index("**Done**"), text.index("**Left for a human**")
    assert found < done < left < text.index("**Outcome:** Scanning again.")
    assert "- 2026-11-26T10:00:00Z - Check the scanzones: prod-wdc06-infra-nessus-01: nessusd_not_running" in text


def test_check_mode_is_said_in_the_title():
    assert "(check mode: nothing was changed)" in rec.markdown(rec.new_record("b", "s", check_mode=True))


def test_write_then_read_round_trips_and_leaves_no_temporary_file(tmp_path):
    record = sample()
    json_path, md_path = rec.write(str(tmp_path / "reports"), record)
    assert json.loads(open(json_path, encoding="utf-8").read()) == record
    assert open(md_path, encoding="utf-8").read() == rec.markdown(record)
    # the two files and the store's lock file (its compare-and-swap), nothing temporary
    assert sorted(os.listdir(tmp_path / "reports")) == sorted([".lock", os.path.basename(json_path),
                                                               os.path.basename(md_path)])
    assert rec.read(str(tmp_path / "reports"), dict(record, entries=[])) == record
    # what a run found and did is for the team: readable by the owner's group, not by every user of the machine
    assert {os.stat(p).st_mode & 0o777 for p in (json_path, md_path)} == {0o640}


def test_read_ignores_another_runs_file(tmp_path):
    record = sample()
    rec.write(str(tmp_path), record)
    other = rec.new_record("b", "s")
    assert rec.read(str(tmp_path), other) is other


def test_unfinished_finds_only_open_real_runs_of_the_same_branch_and_subject_in_the_window(tmp_path):
    now = datetime.datetime(2026, 11, 26, 12, 0, tzinfo=datetime.timezone.utc)
    open_run = rec.new_record("private scan", "ALC_Prod_WDC06_SZ", now="2026-11-26T10:00:00Z")
    rec.write(str(tmp_path), open_run)
    rec.write(str(tmp_path), sample())  # closed
    rec.write(str(tmp_path), rec.new_record("private scan", "ALC_Prod_LON02_SZ", now="2026-11-26T10:00:00Z"))  # other zone
    rec.write(str(tmp_path), rec.new_record("public scan", "ALC_Prod_WDC06_SZ", now="2026-11-26T10:00:00Z"))  # other branch
    rec.write(str(tmp_path), rec.new_record("private scan", "ALC_Prod_WDC06_SZ", check_mode=True, now="2026-11-26T11:00:00Z"))
    rec.write(str(tmp_path), rec.new_record("private scan", "ALC_Prod_WDC06_SZ", now="2026-11-24T10:00:00Z"))  # too old
    (tmp_path / "remediation-broken.json").write_text("{")
    found = rec.unfinished(str(tmp_path), "private scan", "ALC_Prod_WDC06_SZ", since_hours=24, now=now)
    assert [r["run_id"] for r in found] == [open_run["run_id"]]
