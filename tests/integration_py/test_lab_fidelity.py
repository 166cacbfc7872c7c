"""The lab's Security Center answers hold the same keys and types as answers recorded from real ones."""

from __future__ import annotations

import json
import os

import pytest
import requests

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "unit", "fixtures", "securitycenter")
# Keys some real versions add that the lab's version does not claim (6.x ioSync*, agent fields...).
OPTIONAL = {"ioSyncStatus", "ioSyncStart", "ioSyncFinish", "ioSyncDuration", "ioSyncErrorDetails", "agentScanUUID",
            "agentScanContainerUUID", "type", "uuid", "certInfo", "accessKey", "secretKey"}


def fixture(name):
    with open(os.path.join(FIXTURES, name), encoding="utf-8") as handle:
        return json.load(handle)


def kind(value):
    if value is None:
        return "null"
    return type(value).__name__


def assert_same_shape(real, ours, where="response"):
    """Every key of the real answer is in ours, with the same JSON type (recursively for objects)."""
    if isinstance(real, dict):
        assert isinstance(ours, dict), where
        for key, value in real.items():
            if key in OPTIONAL and key not in ours:
                continue
            assert key in ours, "%s.%s missing" % (where, key)
            if value is None or ours[key] is None:
                continue  # e.g. "cert": null / "version": null on a new scanner
            assert_same_shape(value, ours[key], "%s.%s" % (where, key))
    elif isinstance(real, list):
        assert isinstance(ours, list), where
        if real and ours:
            assert_same_shape(real[0], ours[0], where + "[0]")
    elif real == -1 and isinstance(ours, str) and ours.isdigit():
        return  # a null reference (-1) where ours points at a real object: positive ids are strings
    else:
        assert kind(real) == kind(ours), "%s: real %s %r, lab %s %r" % (where, kind(real), real, kind(ours), ours)


class Api:
    def __init__(self, lab):
        s = lab.settings
        self.base = s["TSC_URL"] + "/rest/"
        self.session = requests.Session()
        self.session.verify = s["TSC_CA_PATH"]
        self.session.headers["x-apikey"] = "accesskey=%s; secretkey=%s;" % (s["TSC_ACCESS_KEY"], s["TSC_SECRET_KEY"])

    def get(self, path, **params):
        response = self.session.get(self.base + path, params=params, timeout=10, verify=self.session.verify)
        return response, response.json()


@pytest.fixture
def api(lab):
    return Api(lab)


def test_envelope_key_order_and_types(api):
    _response, body = api.get("zone/7")
    real = fixture("zone_detail.json")
    assert list(body) == list(real)
    assert_same_shape(real, body, "envelope")


@pytest.mark.parametrize("fixture_name, path, params", [
    ("scanresult_detail_completed.json", "scanResult/{completed}", {}),
    ("scanresult_detail_error_xsoar.json", "scanResult/{completed}", {}),
    ("scanresult_running_pause_response_docs_example.json", "scanResult/{completed}", {}),
    ("scan_detail_template_schedule.json", "scan/14", {}),  # ALC_adhoc_template: a template schedule as recorded
    ("scanner_detail.json", "scanner/12", {}),  # not working: uptime -1 as recorded
    ("zone_detail.json", "zone/7", {}),
    ("zone_list_sc6_xsoar.json", "zone", {}),
    ("scanner_list.json", "scanner", {}),
    ("scan_list.json", "scan", {}),
    ("scanresult_list_completed_partial.json", "scanResult", {}),
    ("scanresult_list_fields.json", "scanResult", {"fields": "id,name,description"}),
    ("zone_list_fields.json", "zone", {"fields": "id,name,description"}),
    ("status_get.json", "status", {}),
])
def test_answers_have_the_recorded_shape(api, lab, fixture_name, path, params):
    completed = next(r.id for r in lab.sc.runs.values() if r.view(lab.world.clock.now())["status"] == "Completed")
    response, body = api.get(path.format(completed=completed), **params)
    assert response.status_code == 200
    real = fixture(fixture_name)["response"]
    if fixture_name == "scanresult_detail_error_xsoar.json":
        real = {k: v for k, v in real.items() if k != "progress"}  # an Error result has progress [] instead
    if fixture_name == "status_get.json":
        real = {k: real[k] for k in ("jobd", "licenseStatus", "activeIPs", "licensedIPs")}
    assert_same_shape(real, body["response"])


def test_list_without_fields_returns_only_the_default_fields(api):
    _response, body = api.get("scanResult")
    assert set(body["response"]["usable"][0]) == {"id", "name", "description", "status"}


def test_errors_match_the_recorded_ones(api, lab):
    response, body = api.get("scan/31")
    real = fixture("error_403_scan_not_found.json")
    assert response.status_code == 403 and body["error_code"] == real["error_code"] == 147
    assert_same_shape(real, body, "envelope")
    api.session.headers.pop("x-apikey")
    response, body = api.get("system/locale")
    assert response.status_code in (403, 404)
    response, body = api.get("scanner", **{"X-SecurityCenter": "1"})
    real = fixture("error_403_invalid_token.json")
    assert response.status_code == 403 and response.headers["Content-Type"].startswith("text/html")
    assert (body["error_code"], body["error_msg"]) == (real["error_code"], real["error_msg"])


def test_bad_api_keys_answer_like_sc_5_20(api):
    api.session.headers["x-apikey"] = "accesskey=nope; secretkey=nope;"
    response, body = api.get("system")
    assert response.status_code == 403 and response.headers["Content-Type"].startswith("text/html")
    assert body == dict(fixture("system_get_403_invalid_apikey_sc5.20.json"), timestamp=body["timestamp"])


def test_unauthenticated_system_like_the_recording(api):
    api.session.headers.pop("x-apikey")
    _response, body = api.get("system")
    real = fixture("system_get_unauth_sc.json")["response"]
    for key in ("buildID", "releaseID", "uuid", "serverAuth", "sessionTimeout", "licenseStatus", "timezones"):
        assert kind(body["response"][key]) == kind(real[key])
    assert "version" not in body["response"]


def test_login_launch_and_logout_shapes(lab):
    s = lab.settings
    session = requests.Session()
    session.verify = s["TSC_CA_PATH"]
    response = session.post(s["TSC_URL"] + "/rest/token", json={"username": s["TSC_USERNAME"], "password": s["TSC_PASSWORD"]},
                            timeout=10, verify=s["TSC_CA_PATH"])
    body = response.json()
    assert_same_shape(fixture("token_post_integer_token.json"), body, "token")
    cookie = response.cookies.get("TNS_SESSIONID")
    assert len(cookie) == 32 and int(cookie, 16) >= 0
    assert "secure" in response.headers["Set-Cookie"].lower() and "httponly" in response.headers["Set-Cookie"].lower()
    headers = {"X-SecurityCenter": str(body["response"]["token"])}
    launched = session.post(s["TSC_URL"] + "/rest/scan/3/launch", json={}, headers=headers, timeout=10,
                            verify=s["TSC_CA_PATH"]).json()
    assert_same_shape(fixture("scan_launch.json"), launched, "launch")
    assert launched["response"]["scanResult"]["status"] == "Queued"
    bad = session.post(s["TSC_URL"] + "/rest/token", json={"username": s["TSC_USERNAME"], "password": "x"}, timeout=10,
                       verify=s["TSC_CA_PATH"]).json()
    assert_same_shape(fixture("token_post_invalid_credentials.json"), bad, "bad login")
    assert bad["error_code"] == 161 and bad["response"] == []
    out = session.delete(s["TSC_URL"] + "/rest/token", headers=headers, timeout=10, verify=s["TSC_CA_PATH"]).json()
    assert_same_shape(fixture("token_delete.json"), out, "logout")


def test_update_status_shape(api, lab):
    response = api.session.post(api.base + "scanner/updateStatus", json={}, timeout=10, verify=api.session.verify)
    assert_same_shape(fixture("scanner_update_status.json"), response.json(), "updateStatus")


def test_results_follow_the_status_machine_in_simulated_time(api, lab):
    launched = api.session.post(api.base + "scan/3/launch", json={}, timeout=10, verify=api.session.verify).json()
    rid = launched["response"]["scanResult"]["id"]
    seen = []
    for advance in (0, 30, 60, 600, 10 ** 5):
        lab.world.clock.advance(advance)
        _response, body = api.get("scanResult/" + rid)
        seen.append(body["response"]["status"])
        progress = body["response"]["progress"]
        if body["response"]["status"] == "Running":
            assert progress["scanningSize"] > 0 and progress["scanningIPs"]
    assert seen[0] == "Queued" and seen[-1] == "Completed" and "Running" in seen


def test_unknown_query_parameters_are_ignored(api):
    response, body = api.get("scanResult", optimizeCompletedScanResults="true", fields="id,status")
    assert response.status_code == 200 and body["response"]["usable"]
