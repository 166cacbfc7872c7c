"""The team's chat through remediate_private_scan.yml against the lab's Slack: one message per run that changed
something or escalated, with the run's summary and where its record is; none for a run that changed nothing or a
dry run; never a secret; outside text inert."""

from __future__ import annotations

from private_branch import power, record, run  # pylint: disable=import-error


def test_one_message_per_run_that_changed_something_and_none_otherwise(lab_factory, tmp_path):
    lab = lab_factory("default")
    records = tmp_path / "records"
    proc = run(lab, records)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert power(lab) == [("prod-wdc06-infra-nessus-01", "rebootSoft")]
    (message,) = lab.world.slack.messages
    first = record(records)
    assert message["channel"] == lab.settings["SLACK_CHANNEL"]
    assert message["text"].startswith(":white_check_mark:") or "changed" in message["text"]
    rendered = message["rendered"]
    assert "Nessus scan remediation, private scan ALC_Prod_WDC06_SZ: changed" in rendered
    assert first["outcome"] in rendered and first["files"]["markdown"] in rendered
    assert message["mentions"] == [] and message["links"] == []
    assert lab.leaked(str(message)) == []
    assert [c for c in lab.calls("slack") if c.startswith("POST")] == ["POST /api/chat.postMessage"]

    # the zone scans now: a run that changes nothing says nothing; a dry run neither
    for args in ((), ("--check",)):
        proc = run(lab, records, *args)
        assert proc.returncode == 0, proc.stdout[-3000:]
    assert len(lab.world.slack.messages) == 1


def test_a_message_that_cannot_be_posted_is_said_and_the_run_stands(lab_factory, tmp_path):
    lab = lab_factory("default")
    lab.admin("faults", {"system": "slack", "action": {"status": 200, "json": {"ok": False, "error": "channel_not_found"}}})
    proc = run(lab, tmp_path / "records")
    assert proc.returncode == 0, proc.stdout[-3000:]
    said = " ".join(proc.stdout.split())  # the callback folds long lines
    assert "summary was not posted" in said and "channel_not_found" in said
    assert lab.world.slack.messages == [] and record(tmp_path / "records")["outcome"].startswith("Scanning")
