"""github_issue, pagerduty_event and pagerduty_incident_info against what the real GitHub and PagerDuty do (review findings
of issue 14): rate limits, labels dropped without push access, every page of a list, PagerDuty's one-month default."""

from __future__ import annotations

import time

import pytest
import yaml

from ansible_collections.conductors.nessus_compliance.plugins.modules import github_issue, pagerduty_incident_info

ISSUE = {"title": "Nessus scan compliance: failing scans on 2026-11-26", "body": "two scans failed",
         "labels": ["nessus-compliance"]}
HOST = "prod-wdc06-infra-nessus-02"
RATE_LIMITED = {"message": "API rate limit exceeded for user ID 4242. If you reach out to GitHub Support for help, please "
                           "include the request ID 9C2E:1A2B:3C4D:5E6F.",
                "documentation_url": "https://docs.github.com/enterprise-server@3.19/rest/using-the-rest-api/rate-limits-for-the-rest-api"}


@pytest.fixture
def scenario_env(lab_factory, tmp_path, monkeypatch):
    """A lab of the default scenario with ``extra`` merged in, its settings in the environment."""
    def start(extra):
        path = tmp_path / "scenario.yaml"
        path.write_text(yaml.safe_dump(dict({"extends": "default"}, **extra)), encoding="utf-8")
        run = lab_factory(str(path))
        for key, value in run.settings.items():
            monkeypatch.setenv(key, value)
        return run
    return start


def issues(lab):
    return lab.world.github.repositories[lab.world.github.repository]["issues"]


def github_calls(lab):
    return ["%s %s %s" % (e["method"], e["path"].rsplit("/", 1)[-1], e["status"]) for e in lab.requests("github")]


def test_an_incident_open_for_longer_than_a_month_is_seen(scenario_env, run_module):
    lab = scenario_env({"pagerduty": {"incidents": [
        {"incident_key": "sensu-uptime-%s" % HOST, "title": "sensu-uptime: %s is down" % HOST, "age_days": 45}]}})
    result = run_module(pagerduty_incident_info, {"hosts": [HOST]})
    assert [i["title"] for i in result["incidents"]] == ["sensu-uptime: %s is down" % HOST]
    (listed,) = lab.requests("pagerduty")
    assert listed["query"]["date_range"] == "all" and listed["query"]["statuses[]"] == ["triggered", "acknowledged"]


def test_a_lost_answer_is_found_by_title_when_github_dropped_the_labels(scenario_env, run_module):
    """A token without push access: GitHub opens the issue without its labels and says nothing."""
    lab = scenario_env({"github": {"push_access": False}})
    lab.admin("faults", {"system": "github", "method": "POST", "times": 1, "action": {"pass_through": True, "delay_after": 3}})
    result = run_module(github_issue, dict(ISSUE, timeout=1.5))
    assert (result["action"], result["answer_lost"], result["issue"]["number"]) == ("created", True, 1)
    assert len(issues(lab)) == 1 and issues(lab)[1]["labels"] == []
    assert [c.split()[0] for c in lab.calls("github")] == ["GET", "POST", "GET"]  # found again, not sent twice
    again = run_module(github_issue, dict(ISSUE, comment="still failing"))
    assert (again["action"], again["issue"]["number"], len(issues(lab))) == ("commented", 1, 1)


def rate_limit(reset_in, status=403, method="POST"):
    return {"system": "github", "method": method, "path": "/issues$", "times": 1,
            "action": {"status": status, "json": RATE_LIMITED,
                       "headers": {"x-ratelimit-limit": "5000", "x-ratelimit-remaining": "0", "x-ratelimit-used": "5000",
                                   "x-ratelimit-reset": str(int(time.time() + reset_in)), "x-ratelimit-resource": "core"}}}


def test_a_rate_limit_within_the_timeout_is_waited_out_and_the_issue_opened_once(lab_env, run_module):
    lab_env.admin("faults", rate_limit(2))
    started = time.monotonic()
    result = run_module(github_issue, ISSUE)
    assert time.monotonic() - started >= 1.5  # waited for the reset, not hammered
    assert result["action"] == "created" and len(result["rate_limit_waits"]) == 1
    assert github_calls(lab_env) == ["GET issues 200", "POST issues 403", "POST issues 201"]
    assert len(issues(lab_env)) == 1


def test_a_rate_limit_longer_than_the_timeout_fails_saying_when_to_retry(lab_env, run_module):
    lab_env.admin("faults", rate_limit(3600))
    failed = run_module(github_issue, ISSUE, fails=True)
    reset = time.strftime("%Y-%m-%dT%H:", time.gmtime(time.time() + 3600))
    assert "rate limit exceeded; retry after %s" % reset in failed["msg"] and "HTTP 403" in failed["msg"]
    assert github_calls(lab_env) == ["GET issues 200", "POST issues 403"]  # never sent blind again
    assert len(issues(lab_env)) == 0


def test_a_secondary_rate_limit_on_a_read_is_waited_as_retry_after_says(lab_env, run_module):
    lab_env.admin("faults", {"system": "github", "method": "GET", "times": 1, "action": {
        "status": 429, "json": {"message": "You have exceeded a secondary rate limit. Please wait a few minutes before "
                                           "you try again.", "documentation_url": RATE_LIMITED["documentation_url"]},
        "headers": {"retry-after": "1"}}})
    started = time.monotonic()
    result = run_module(github_issue, ISSUE)
    assert time.monotonic() - started >= 1
    # a read with retry-after is waited out by the transport (urllib3 honours retry-after on 429)
    assert result["action"] == "created" and [r["status"] for r in result["retries"]] == [429]
    assert github_calls(lab_env) == ["GET issues 429", "GET issues 200", "POST issues 201"]


def test_a_lost_comment_is_looked_for_on_every_page(lab_env, run_module):
    first = run_module(github_issue, ISSUE)
    issue = issues(lab_env)[first["issue"]["number"]]
    for n in range(130):  # earlier comments: the new one is on the second page of 100
        issue["_comments"].append({"id": 90000 + n, "body": "run %d" % n, "login": "someone", "created_at": time.time()})
        issue["comments"] += 1
    lab_env.admin("faults", {"system": "github", "method": "POST", "path": "/comments$", "times": 1,
                             "action": {"pass_through": True, "delay_after": 3}})
    result = run_module(github_issue, dict(ISSUE, comment="still failing", timeout=1.5))
    assert (result["action"], result["answer_lost"]) == ("commented", True)
    assert [c["body"] for c in issue["_comments"]].count("still failing") == 1
    pages = [e["query"].get("page") for e in lab_env.requests("github") if e["path"].endswith("/comments")
             and e["method"] == "GET"]
    assert pages == [None, "2"]  # page 1, then the Link header's next


def test_every_page_of_open_issues_is_read(lab_env, run_module):
    github = lab_env.world.github
    repo = github.repositories[github.repository]
    github._new_issue(repo, ISSUE["title"], "the oldest", [])
    for n in range(250):
        github._new_issue(repo, "another issue %d" % n, "", [])
    result = run_module(github_issue, dict(ISSUE, comment_on_existing=False))
    assert (result["action"], result["issue"]["number"]) == ("unchanged", 1)
    assert [e["query"].get("page") for e in lab_env.requests("github")] == [None, "2", "3"]
