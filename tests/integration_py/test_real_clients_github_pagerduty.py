"""Second opinion: PyGithub and pdpyras - clients no one here wrote - drive the lab's GitHub and PagerDuty unchanged,
with no contract violation."""

from __future__ import annotations

import github
import pdpyras


def test_pygithub_opens_finds_comments_and_labels_an_issue(lab):
    s = lab.settings
    gh = github.Github(auth=github.Auth.Token(s["GITHUB_TOKEN"]), base_url=s["GITHUB_API_URL"], verify=s["GITHUB_CA_PATH"], lazy=True,
                       retry=None)
    repo = gh.get_repo(s["GITHUB_REPOSITORY"])
    issue = repo.create_issue(title="Nessus scan compliance: failing scans on 2026-11-26", body="two scans failed",
                              labels=["nessus-compliance"])
    assert issue.number == 1 and issue.user.login == "conductors-automation" and issue.html_url.endswith("/issues/1")
    found = [i for i in repo.get_issues(state="open", labels=["nessus-compliance"]) if i.title == issue.title]
    assert [i.number for i in found] == [1]
    for n in range(3):
        issue.create_comment("still failing (%d)" % n)
    comments = issue.get_comments()
    assert [c.body for c in comments] == ["still failing (0)", "still failing (1)", "still failing (2)"]
    issue.edit(labels=["nessus-compliance", "escalated"])
    assert sorted(label.name for label in repo.get_issue(1).labels) == ["escalated", "nessus-compliance"]
    assert {label.name for label in repo.get_labels()} == {"escalated", "nessus-compliance"}
    searched = gh.search_issues('"failing scans on 2026-11-26" repo:%s is:issue is:open in:title' % s["GITHUB_REPOSITORY"])
    assert [i.number for i in searched] == [1]
    assert lab.violations() == []


def test_pygithub_reads_every_page(lab):
    s = lab.settings
    gh = github.Github(auth=github.Auth.Token(s["GITHUB_TOKEN"]), base_url=s["GITHUB_API_URL"], verify=s["GITHUB_CA_PATH"], lazy=True,
                       per_page=30, retry=None)
    repo = gh.get_repo(s["GITHUB_REPOSITORY"])
    for n in range(35):
        repo.create_issue(title="issue %d" % n)
    assert len(list(repo.get_issues(state="all"))) == 35
    assert sum(1 for e in lab.requests("github") if e["method"] == "GET") == 2  # followed the Link header once


def test_pdpyras_triggers_and_lists_incidents(lab, monkeypatch):
    s = lab.settings
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", s["PAGERDUTY_CA_PATH"])
    events = pdpyras.EventsAPISession(s["PAGERDUTY_ROUTING_KEY"])
    events.url = s["PAGERDUTY_EVENTS_URL"]
    key = events.trigger("SCANS FAILED - failed nessus scans require investigation", "security-center",
                         dedup_key="nessus-scan-compliance-2026-11-26", severity="error",
                         custom_details={"failing": ["ALC_Prod_WDC06_private_import"]},
                         links=[{"href": "https://ghe.example.com/alchemy-conductors/team/issues/1", "text": "issue"}])
    assert key == "nessus-scan-compliance-2026-11-26"
    api = pdpyras.APISession(s["PAGERDUTY_API_TOKEN"])
    api.url = s["PAGERDUTY_API_URL"]
    incidents = list(api.iter_all("incidents", params={"statuses[]": ["triggered", "acknowledged"], "date_range": "all"}))
    keys = [i["incident_key"] for i in incidents]
    assert "nessus-scan-compliance-2026-11-26" in keys and len(keys) == len(set(keys))
    one = api.rget("incidents/%s" % incidents[-1]["id"])
    assert one["id"] == incidents[-1]["id"]
    assert events.resolve("nessus-scan-compliance-2026-11-26") == "nessus-scan-compliance-2026-11-26"
    assert lab.violations() == []
