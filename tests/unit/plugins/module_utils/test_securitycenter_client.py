"""The Security Center client against the lab: auth, envelope, retries, faults, TLS, bad settings."""

from __future__ import annotations

import re

import pytest

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.transport import (
    AccountLockedError,
    ApiError,
    AuthError,
    NotFoundError,
    TransportError,
    UnexpectedResponseError,
)
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.securitycenter import (
    SecurityCenterClient,
    credentials_mode,
)


def client(lab, auth="api_key", **overrides):
    s = lab.settings
    kwargs = dict(url=s["TSC_URL"], access_key=s["TSC_ACCESS_KEY"], secret_key=s["TSC_SECRET_KEY"],
                  username=s["TSC_USERNAME"], password=s["TSC_PASSWORD"], auth=auth, ca_path=s["TSC_CA_PATH"],
                  timeout=10, retries=3, backoff=0.01)
    kwargs.update(overrides)
    return SecurityCenterClient(**kwargs)


def scenario(tmp_path, text):
    path = tmp_path / "scenario.yaml"
    path.write_text("extends: default\n" + text)
    return str(path)


def test_api_keys_list_zones_in_one_request(lab):
    with client(lab) as sc:
        zones = sc.list_zones()
    wdc06 = next(z for z in zones if z["name"] == "ALC_Prod_WDC06_SZ")
    assert wdc06["totalScanners"] == 2 and wdc06["activeScanners"] == 1
    assert [s["name"] for s in wdc06["scanners"]] == ["prod-wdc06-infra-nessus-01", "prod-wdc06-infra-nessus-02"]
    assert lab.calls() == ["GET /rest/zone"]


def test_pytenable_header_spelling_is_accepted(lab):
    s = lab.settings
    with client(lab) as sc:
        sc.http.session.headers["x-apikey"] = "accessKey=%s; secretKey=%s" % (s["TSC_ACCESS_KEY"], s["TSC_SECRET_KEY"])
        assert sc.current_user()["username"] == "sre-automation"


def test_wrong_keys_fail_once_with_a_clear_error(lab):
    with pytest.raises(AuthError) as err:
        with client(lab, secret_key="0" * 32) as sc:
            sc.list_scanners()
    assert err.value.status == 403
    assert "TSC_ACCESS_KEY/TSC_SECRET_KEY" in str(err.value)
    assert lab.calls() == ["GET /rest/scanner"]  # one request, never retried


def test_session_login_uses_token_and_cookie_and_logs_out(lab):
    with client(lab, auth="session") as sc:
        assert len(sc.list_scanners()) == 21
    assert lab.calls() == ["POST /rest/token", "GET /rest/scanner", "DELETE /rest/token"]
    assert lab.sc.sessions == {}


def test_wrong_password_is_not_retried_and_says_how_to_unlock(lab):
    with pytest.raises(AuthError) as err:
        with client(lab, auth="session", password="wrong") as sc:
            sc.list_scans()
    assert err.value.code == 161
    assert "login refused for user 'sre-automation'" in str(err.value)
    assert "not retried" in str(err.value) and "Unlock" in str(err.value)
    assert lab.calls() == ["POST /rest/token"]


def test_locked_account_is_reported_as_locked_after_the_limit(lab):
    for _attempt in range(5):
        with pytest.raises(AuthError):
            client(lab, auth="session", password="wrong").login()
    with pytest.raises(AccountLockedError) as err:
        client(lab, auth="session").login()  # the right password, but the account is locked now
    assert "account 'sre-automation' is locked" in str(err.value)
    assert lab.calls() == ["POST /rest/token"] * 6


def test_locked_account_from_the_scenario(lab_factory, tmp_path):
    locked = lab_factory(scenario(tmp_path, "securitycenter:\n  users:\n  - {username: sre-automation, locked: true}\n"))
    with pytest.raises(AccountLockedError):
        with client(locked, auth="session") as sc:
            sc.list_zones()
    assert locked.calls() == ["POST /rest/token"]


def test_503_then_200_is_retried_and_recorded(lab):
    lab.admin("faults", {"system": "securitycenter", "method": "GET", "path": "^/rest/scanner$", "times": 2,
                         "action": {"status": 503, "body": "html"}})
    with client(lab) as sc:
        assert len(sc.list_scanners()) == 21
        assert [(r["status"], r["method"], r["path"]) for r in sc.retry_log] == [
            (503, "GET", "/rest/scanner"), (503, "GET", "/rest/scanner")]
    assert [e["status"] for e in lab.requests()] == [503, 503, 200]


def test_503_that_does_not_end_gives_up_with_the_last_answer(lab):
    lab.admin("faults", {"path": "^/rest/zone$", "action": {"status": 503, "body": "html"}})
    with pytest.raises(UnexpectedResponseError) as err:
        with client(lab, retries=2) as sc:
            sc.list_zones()
    assert err.value.status == 503
    assert "undergoing maintenance" in str(err.value)
    assert len(lab.requests()) == 3


def test_a_change_is_never_retried(lab):
    lab.admin("faults", {"method": "POST", "path": "updateStatus", "times": 1, "action": {"status": 503}})
    with pytest.raises(ApiError) as err:
        with client(lab) as sc:
            sc.update_scanner_status()
    assert err.value.status == 503
    assert lab.calls() == ["POST /rest/scanner/updateStatus"]


def test_expired_session_mid_run_logs_in_again_once(lab):
    with client(lab, auth="session") as sc:
        sc.list_zones()
        lab.admin("sc/expire-sessions")
        sc.list_scanners()
        assert sc.logins == 2
    assert lab.calls() == ["POST /rest/token", "GET /rest/zone", "GET /rest/scanner", "POST /rest/token",
                           "GET /rest/scanner", "DELETE /rest/token"]
    assert [e["status"] for e in lab.requests()][2] == 403


def test_release_session_at_the_session_limit(lab_factory, tmp_path):
    limited = lab_factory(scenario(tmp_path, "securitycenter:\n  max_sessions: 1\n"))
    first = client(limited, auth="session")
    first.login()
    with client(limited, auth="session") as second:
        second.list_zones()
    assert limited.calls()[:3] == ["POST /rest/token", "POST /rest/token", "POST /rest/token"]


def test_html_403_body_is_still_read_as_an_envelope(lab):
    with pytest.raises(NotFoundError) as err:
        with client(lab) as sc:
            sc.get_scan(999)
    assert err.value.code == 147 and err.value.status == 403
    assert "Scan #999 does not exist" in str(err.value)


def test_html_page_instead_of_json_is_a_clear_error(lab):
    lab.admin("faults", {"path": "^/rest/scan$", "action": {"status": 403, "body": "html"}})
    with pytest.raises(UnexpectedResponseError) as err:
        with client(lab) as sc:
            sc.list_scans()
    assert "non-JSON body (text/html; charset=UTF-8)" in str(err.value)
    assert "GET /rest/scan, HTTP 403" in str(err.value)


def test_error_code_with_http_200_is_an_error(lab):
    body = {"type": "regular", "response": "", "error_code": 142, "error_msg": "Invalid parameters.\n",
            "warnings": [], "timestamp": 1}
    lab.admin("faults", {"path": "^/rest/zone$", "action": {"status": 200, "json": body}})
    with pytest.raises(ApiError) as err:
        with client(lab) as sc:
            sc.list_zones()
    assert err.value.code == 142 and err.value.status == 200


def test_unknown_ca_is_refused_unless_a_bundle_is_given(lab):
    with pytest.raises(TransportError) as err:
        with client(lab, ca_path=None) as sc:
            sc.system()
    assert "TLS verification failed" in str(err.value) and "ca_path" in str(err.value)
    with client(lab, ca_path=None, validate_certs=False) as sc:
        assert sc.system()["sessionTimeout"] == "3600"


def test_unreachable_endpoint(lab):
    with pytest.raises(TransportError) as err:
        with client(lab, url="https://127.0.0.1:1", retries=0) as sc:
            sc.list_zones()
    assert "cannot connect" in str(err.value)


def test_unauthenticated_system_has_no_version_and_authenticated_has(lab):
    with client(lab) as sc:
        assert sc.system()["version"] == "6.4.0"
    with client(lab, validate_certs=False) as sc:
        sc.http.session.headers.pop("x-apikey")
        assert "version" not in sc.system()


@pytest.mark.parametrize("kwargs, message", [
    (dict(access_key="a"), "secret_key (TSC_SECRET_KEY) is missing"),
    (dict(secret_key="s"), "access_key (TSC_ACCESS_KEY) is missing"),
    (dict(username="u"), "password (TSC_PASSWORD) is missing"),
    (dict(), "no credentials"),
    (dict(username="u", password="p", auth="api_key"), "auth=api_key needs"),
])
def test_missing_or_partial_credentials(kwargs, message):
    args = dict(access_key=None, secret_key=None, username=None, password=None)
    args.update(kwargs)
    with pytest.raises(ValueError, match=re.escape(message)):
        credentials_mode(**args)


def test_both_credentials_prefer_api_keys():
    assert credentials_mode("a", "s", "u", "p") == "api_key"
    assert credentials_mode("a", "s", "u", "p", auth="session") == "session"


@pytest.mark.parametrize("url, timeout, message", [
    ("sc.example.com", 30, "must be an absolute http"),
    ("", 30, "no URL given"),
    ("https://sc.example.com", -1, "timeout must be a positive"),
])
def test_bad_settings_fail_before_any_request(url, timeout, message):
    with pytest.raises(ValueError, match=message):
        SecurityCenterClient(url, access_key="a", secret_key="s", timeout=timeout)


def test_secrets_never_appear_in_errors(lab):
    s = lab.settings
    with pytest.raises(AuthError) as err:
        with client(lab, auth="session", password="wrong-" + s["TSC_SECRET_KEY"]) as sc:
            sc.list_zones()
    text = str(err.value) + repr(err.value.to_dict())
    assert s["TSC_SECRET_KEY"] not in text and "wrong-" not in text
