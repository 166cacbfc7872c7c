"""The lab refuses what the real GitHub and PagerDuty refuse, with their own error bodies, and counts each refusal as a
contract violation; its own answers are held to the response schemas."""

from __future__ import annotations

import json

import requests
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from lab.core import json_response

DOCS = "https://docs.github.com/enterprise-server@3.19/rest"


def github(lab, method, path, **kwargs):
    s = lab.settings
    headers = dict(kwargs.pop("headers", {}), Authorization="Bearer " + s["GITHUB_TOKEN"])
    return requests.request(method, s["GITHUB_API_URL"] + path, verify=s["GITHUB_CA_PATH"], timeout=10,
                            headers=headers, **kwargs)


def pagerduty(lab, method, path, **kwargs):
    s = lab.settings
    headers = {"Authorization": "Token token=" + s["PAGERDUTY_API_TOKEN"], "Accept": "application/vnd.pagerduty+json;version=2"}
    return requests.request(method, s["PAGERDUTY_API_URL"] + path, verify=s["PAGERDUTY_CA_PATH"], timeout=10,
                            headers=headers, **kwargs)


def issues_path(lab):
    return "/repos/%s/issues" % lab.settings["GITHUB_REPOSITORY"]


def test_an_issue_without_a_title_is_refused_as_github_does(lab):
    answer = github(lab, "POST", issues_path(lab), json={"body": "no title"})
    assert answer.status_code == 422
    assert answer.json() == {"message": "Validation Failed", "documentation_url": DOCS, "status": "422",
                             "errors": [{"resource": "Issue", "field": "title", "code": "missing_field"}]}
    (violation,) = lab.take_violations()
    assert (violation["system"], violation["method"], violation["side"]) == ("github", "POST", "request")
    assert violation["path"] == "/api/v3" + issues_path(lab) and "title" in violation["rule"]
    assert lab.world.github.repositories[lab.world.github.repository]["issues"] == {}


def test_a_blank_title_or_a_body_over_githubs_limit_is_refused(lab):
    blank = github(lab, "POST", issues_path(lab), json={"title": "  ", "body": "x"})
    assert blank.status_code == 422 and blank.json()["errors"] == [
        {"resource": "Issue", "field": "title", "code": "missing_field"}]
    long = github(lab, "POST", issues_path(lab), json={"title": "t", "body": "x" * 65537})
    assert long.status_code == 422 and long.json()["errors"] == [
        {"resource": "Issue", "code": "custom", "field": "body", "message": "body is too long (maximum is 65536 characters)"}]
    assert len(lab.take_violations()) == 2
    assert lab.world.github.repositories[lab.world.github.repository]["issues"] == {}


def test_our_client_cuts_a_report_too_long_for_an_issue_and_says_so(lab):
    from ansible_collections.conductors.nessus_compliance.plugins.module_utils.github import MAX_BODY, fit_body

    assert fit_body("short") == "short" and fit_body(None) is None
    cut = fit_body("x" * 100000)
    assert len(cut) == MAX_BODY and cut.endswith("the whole report is in the job's reports)")
    assert github(lab, "POST", issues_path(lab), json={"title": "t", "body": cut}).status_code == 201


def test_a_body_that_is_no_json_or_of_the_wrong_type_is_refused(lab):
    answer = github(lab, "POST", issues_path(lab), data="{not json", headers={"Content-Type": "application/json"})
    assert answer.status_code == 400 and answer.json()["message"] == "Problems parsing JSON"
    answer = github(lab, "POST", issues_path(lab), json={"title": "t", "labels": "bug"})
    assert answer.status_code == 422
    assert answer.json()["message"] == "Invalid request.\n\nFor 'properties/labels', \"bug\" is not an array."
    assert [v["side"] for v in lab.take_violations()] == ["request", "request"]


def test_an_unknown_query_enum_is_refused(lab):
    answer = github(lab, "GET", issues_path(lab), params={"state": "opened"})
    assert answer.status_code == 422
    assert answer.json()["errors"] == [{"resource": "Issue", "field": "state", "code": "invalid", "value": "opened"}]
    (violation,) = lab.take_violations()
    assert violation["side"] == "request" and "state" in violation["rule"] and "opened" in violation["rule"]
    answer = pagerduty(lab, "GET", "/incidents", params={"statuses[]": ["triggered", "open"]})
    assert answer.status_code == 400
    assert answer.json() == {"error": {"message": "Invalid Input Provided", "code": 2001,
                                       "errors": ["Status must be a list of triggered, acknowledged, or resolved."]}}
    (violation,) = lab.take_violations()
    assert (violation["system"], violation["path"]) == ("pagerduty", "/incidents") and "statuses[]" in violation["rule"]


def test_an_event_without_a_routing_key_is_refused_as_pagerduty_does(lab):
    event = {"event_action": "trigger", "payload": {"summary": "s", "source": "x", "severity": "error"}}
    answer = requests.post(lab.settings["PAGERDUTY_EVENTS_URL"] + "/v2/enqueue", json=event,
                           verify=lab.settings["PAGERDUTY_CA_PATH"], timeout=10)
    assert answer.status_code == 400
    assert answer.json() == {"status": "invalid event", "message": "Event object is invalid",
                             "errors": ["'routing_key' is missing or blank"]}
    (violation,) = lab.take_violations()
    assert (violation["system"], violation["path"], violation["side"]) == ("pagerduty", "/v2/enqueue", "request")
    assert lab.world.pagerduty.events == []


def test_an_operation_the_contract_does_not_have_is_not_found(lab):
    answer = github(lab, "POST", issues_path(lab) + "/1/labels", json={"labels": ["x"]})
    assert answer.status_code == 404 and answer.json()["message"] == "Not Found"
    (violation,) = lab.take_violations()
    assert "no operation" in violation["rule"]


def test_incidents_are_listed_for_the_last_month_unless_asked_for_all(lab_factory, tmp_path):
    scenario = tmp_path / "old_incident.yaml"
    scenario.write_text(json.dumps({"extends": "default", "pagerduty": {"incidents": [
        {"incident_key": "old", "title": "open since two months", "age_days": 60},
        {"incident_key": "new", "title": "open since yesterday", "age_days": 1}]}}), encoding="utf-8")
    lab = lab_factory(str(scenario))
    default = pagerduty(lab, "GET", "/incidents").json()
    assert [i["incident_key"] for i in default["incidents"]] == ["new"]
    everything = pagerduty(lab, "GET", "/incidents", params={"date_range": "all", "total": "true"}).json()
    assert [i["incident_key"] for i in everything["incidents"]] == ["old", "new"] and everything["total"] == 2
    one = pagerduty(lab, "GET", "/incidents/" + everything["incidents"][0]["id"]).json()["incident"]
    assert one["title"] == "open since two months" and one["self"].endswith(one["id"])


def test_the_lab_answers_are_held_to_the_response_schemas(lab):
    """check_answer reports an answer that lacks what the schema requires (the conftest fails a test on it)."""
    path = "/api/v3" + issues_path(lab)
    request = Request(EnvironBuilder(method="POST", path=path, json={"title": "t"}).get_environ())
    drifted = json_response({"id": 1, "number": 1, "title": "t"}, status=201)
    problems = lab.world.github.check_answer(request, drifted)
    assert problems and any("'node_id' is a required property" in p for p in problems)
    created = github(lab, "POST", issues_path(lab), json={"title": "t", "labels": ["bug"]})
    assert lab.world.github.check_answer(request, json_response(created.json(), status=201)) == []
    request = Request(EnvironBuilder(method="POST", path="/v2/enqueue", json={}).get_environ())
    assert lab.world.pagerduty.check_answer(request, json_response({"message": "no status"}, status=202))
