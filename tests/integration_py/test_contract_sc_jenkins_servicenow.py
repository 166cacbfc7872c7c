"""The lab refuses what the real Security Center, Jenkins and ServiceNow refuse, and keeps their data where they do.

Each refusal here is one a client sends only by mistake: the stand-in answers it as the vendor does and counts it as
a contract violation, which these tests take (``take_violations``) and assert on.
"""

from __future__ import annotations

import pytest
import requests
import yaml

JOB = "armada-ops/bastion-register-nodes-ww"
JOB_URL = "/job/armada-ops/job/bastion-register-nodes-ww/"
ITEM = "45ef56a7db7c4c10c717e9ec0b96193a"
VARIABLES = {"short_description": "Nessus scans failing", "u_c_code": "ALC", "u_severity": "2"}


class Client:
    def __init__(self, lab, base, auth=None, headers=None):
        self.base = lab.settings[base].rstrip("/")
        self.session = requests.Session()
        self.session.auth = auth
        self.session.headers.update(headers or {})
        self.verify = lab.settings["TSC_CA_PATH"]

    def __call__(self, method, path, **kwargs):
        return self.session.request(method, self.base + path, verify=self.verify, timeout=10, allow_redirects=False,
                                    **kwargs)


def sc(lab):
    s = lab.settings
    key = "accesskey=%s; secretkey=%s;" % (s["TSC_ACCESS_KEY"], s["TSC_SECRET_KEY"])
    return Client(lab, "TSC_URL", headers={"x-apikey": key})


def snow(lab):
    return Client(lab, "SN_HOST", auth=(lab.settings["SN_USERNAME"], lab.settings["SN_PASSWORD"]),
                  headers={"Accept": "application/json"})


def scenario(tmp_path, body):
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(dict({"extends": "default"}, **body)))
    return str(path)


# -- Security Center ------------------------------------------------------------------------------------------------

def refused(response, status=403):
    body = response.json()
    assert response.status_code == status
    assert list(body) == ["type", "response", "error_code", "error_msg", "warnings", "timestamp"]
    return body["error_code"], body["error_msg"]


def test_sc_refuses_a_launch_of_an_unknown_scan(lab):
    code, message = refused(sc(lab)("POST", "/rest/scan/4242/launch", json={}))
    assert (code, message) == (147, "Scan #4242 does not exist.\n")
    assert [v["rule"] for v in lab.take_violations()] == ["Security Center: launch of scan #4242, which does not exist"]
    assert [r["status"] for r in lab.requests("securitycenter")] == [403]
    assert not any(r.scan and r.scan["id"] == 4242 for r in lab.sc.runs.values())


def test_sc_refuses_progress_in_a_result_list_and_times_that_are_not_epochs(lab):
    api = sc(lab)
    code, _message = refused(api("GET", "/rest/scanResult", params={"fields": "id,name,progress"}))
    assert code == 142
    code, message = refused(api("GET", "/rest/scanResult", params={"startTime": "yesterday"}))
    assert code == 142 and "startTime" in message
    assert len(lab.take_violations()) == 2
    # what the brief leaves open is not refused: unknown field names are ignored, start after end is an empty window
    ok = api("GET", "/rest/scanResult", params={"fields": "id,name,noSuchField"})
    assert ok.status_code == 200 and ok.json()["response"]["usable"]
    assert all(set(item) == {"id", "name"} for item in ok.json()["response"]["usable"])
    now = int(lab.world.clock.now())
    empty = api("GET", "/rest/scanResult", params={"startTime": now, "endTime": now - 86400})
    assert empty.status_code == 200 and empty.json()["response"]["usable"] == []
    detail = api("GET", "/rest/scanResult/%s" % ok.json()["response"]["usable"][0]["id"], params={"fields": "id,progress"})
    assert detail.status_code == 200 and "progress" in detail.json()["response"]
    assert lab.take_violations() == []


def test_sc_refuses_api_keys_together_with_a_session_token(lab):
    api = sc(lab)
    api.session.headers["X-SecurityCenter"] = "1234567890"
    response = api("GET", "/rest/scan")
    assert response.status_code == 400
    assert [v["rule"] for v in lab.take_violations()] == [
        "Security Center: API keys and a session token in the same request"]


# -- Jenkins --------------------------------------------------------------------------------------------------------

def test_jenkins_root_carries_the_version_for_a_user_and_refuses_anonymous(lab):
    anonymous = Client(lab, "JENKINS_URL")
    user = Client(lab, "JENKINS_URL", auth=(lab.settings["JENKINS_USER"], lab.settings["JENKINS_TOKEN"]))
    wrong = Client(lab, "JENKINS_URL", auth=(lab.settings["JENKINS_USER"], "nope"))
    refused_anonymous = anonymous("GET", "/")
    assert refused_anonymous.status_code == 403 and refused_anonymous.headers["X-Jenkins"] == lab.world.jenkins.version
    assert refused_anonymous.headers["X-You-Are-Authenticated-As"] == "anonymous"
    root = user("GET", "/")
    assert root.status_code == 200 and root.headers["X-Jenkins"] == lab.world.jenkins.version
    assert wrong("GET", "/").status_code == 401
    assert user("GET", "/me/api/json").json()["id"] == lab.settings["JENKINS_USER"]
    seen = [(r["path"], r["status"]) for r in lab.requests("jenkins")]
    assert seen == [("/", 403), ("/", 200), ("/", 401), ("/me/api/json", 200)]


def test_jenkins_answers_build_with_parameters_on_a_job_without_parameters_with_500(lab_factory, tmp_path):
    lab = lab_factory(scenario(tmp_path, {"jenkins": {"jobs": {
        "armada-ops/plain": {"parameters": {}}, "armada-ops/plain-off": {"parameters": {}, "disabled": True}}}}))
    user = Client(lab, "JENKINS_URL", auth=(lab.settings["JENKINS_USER"], lab.settings["JENKINS_TOKEN"]))
    plain = user("POST", "/job/armada-ops/job/plain/buildWithParameters", data={"TARGET_HOSTS_IP": "10.190.0.12"})
    assert plain.status_code == 500 and "Oops!" in plain.text and plain.headers["X-Jenkins"]
    # Jenkins checks that the job is buildable before it looks for parameters
    off = user("POST", "/job/armada-ops/job/plain-off/buildWithParameters", data={"TARGET_HOSTS_IP": "10.190.0.12"})
    assert off.status_code == 409 and "armada-ops/plain-off is not buildable!" in off.text
    twice = user("POST", JOB_URL + "buildWithParameters?TARGET_HOSTS_IP=10.190.0.12", data={"TARGET_HOSTS_IP": "10.1.1.1"})
    assert twice.status_code == 500
    assert [v["rule"] for v in lab.take_violations()] == [
        "Jenkins: buildWithParameters on a job without parameters (IllegalStateException: This build is not "
        "parameterized!)",
        "Jenkins: parameter TARGET_HOSTS_IP given more than once (IllegalArgumentException: Illegal number of "
        "parameter values)"]
    assert lab.world.jenkins.triggers == []
    job = user("GET", "/job/armada-ops/job/plain/api/json").json()
    assert job["property"] == []
    parameterized = user("GET", JOB_URL + "api/json").json()
    assert [d["name"] for d in parameterized["property"][0]["parameterDefinitions"]] == [
        "TARGET_HOSTS_IP", "TARGET_HOSTNAME", "Branch"]


def test_jenkins_refuses_a_password_post_without_its_crumb(lab):
    password = Client(lab, "JENKINS_URL", auth=(lab.settings["JENKINS_USER"], lab.world.jenkins.password))
    response = password("POST", JOB_URL + "buildWithParameters", data={"TARGET_HOSTS_IP": "10.190.0.12"})
    assert response.status_code == 403 and "No valid crumb" in response.text
    assert [v["rule"] for v in lab.take_violations()] == [
        "Jenkins CSRF: a password-authenticated POST without a valid crumb"]
    token = Client(lab, "JENKINS_URL", auth=(lab.settings["JENKINS_USER"], lab.settings["JENKINS_TOKEN"]))
    assert token("POST", JOB_URL + "buildWithParameters", data={"TARGET_HOSTS_IP": "10.190.0.12"}).status_code == 201


# -- ServiceNow -----------------------------------------------------------------------------------------------------

def test_order_now_keeps_the_variables_with_the_requested_item(lab):
    api = snow(lab)
    ordered = api("POST", "/api/sn_sc/servicecatalog/items/%s/order_now" % ITEM,
                  json={"sysparm_quantity": 1, "variables": VARIABLES})
    assert ordered.status_code == 200
    result = ordered.json()["result"]
    assert set(result) == {"sys_id", "number", "request_number", "request_id", "table"}
    assert result["table"] == "sc_request" and result["sys_id"] == result["request_id"]
    assert result["number"] == result["request_number"] and result["number"].startswith("REQ")
    request = api("GET", "/api/now/table/sc_request/%s" % result["sys_id"]).json()["result"]
    assert "u_c_code" not in request and request["correlation_id"] == ""  # variables are not fields of the request
    items = api("GET", "/api/now/table/sc_req_item", params={
        "sysparm_query": "request=%s" % result["sys_id"], "sysparm_exclude_reference_link": "true",
        "sysparm_fields": "number,request,cat_item,variables.u_c_code,variables.u_severity"}).json()["result"]
    assert len(items) == 1 and items[0]["number"].startswith("RITM")
    assert (items[0]["request"], items[0]["cat_item"]) == (result["sys_id"], ITEM)
    assert (items[0]["variables.u_c_code"], items[0]["variables.u_severity"]) == ("ALC", "2")
    # the variables themselves: one sc_item_option each, tied to the item by sc_item_option_mtom
    links = api("GET", "/api/now/table/sc_item_option_mtom", params={"sysparm_exclude_reference_link": "true"}).json()
    assert len(links["result"]) == len(VARIABLES)
    item_id = lab.world.servicenow.requested_items(result["sys_id"])[0]["sys_id"]
    assert {link["request_item"] for link in links["result"]} == {item_id}
    options = api("GET", "/api/now/table/sc_item_option").json()["result"]
    assert sorted(o["value"] for o in options) == sorted(VARIABLES.values())
    by_variable = api("GET", "/api/now/table/sc_req_item", params={"sysparm_query": "variables.u_c_code=ALC"})
    assert [i["number"] for i in by_variable.json()["result"]] == [items[0]["number"]]
    assert lab.calls("servicenow")[0] == "POST /api/sn_sc/servicecatalog/items/%s/order_now" % ITEM


def test_order_now_with_two_step_checkout_answers_only_a_cart(lab_factory, tmp_path):
    lab = lab_factory(scenario(tmp_path, {"servicenow": {"two_step_checkout": True}}))
    api = snow(lab)
    ordered = api("POST", "/api/sn_sc/servicecatalog/items/%s/order_now" % ITEM,
                  json={"sysparm_quantity": 1, "variables": VARIABLES})
    assert ordered.status_code == 200 and list(ordered.json()["result"]) == ["cart_id"]
    assert lab.world.servicenow.records("sc_request") == [] and lab.world.servicenow.records("sc_req_item") == []


@pytest.mark.parametrize("quantity", [None, "many"])
def test_order_now_needs_a_quantity(lab, quantity):
    body = {"variables": VARIABLES} if quantity is None else {"sysparm_quantity": quantity, "variables": VARIABLES}
    response = snow(lab)("POST", "/api/sn_sc/servicecatalog/items/%s/order_now" % ITEM, json=body)
    assert response.status_code == 400 and response.json()["status"] == "failure"
