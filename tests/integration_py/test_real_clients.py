"""Second opinion: the vendors' own client libraries against the lab, unchanged.

pyTenable (``tenable.sc.TenableSC``, pinned 26.10.1) and python-jenkins (``jenkins.Jenkins``, pinned 1.8.3) were
written against the real Security Center and the real Jenkins. Each call below must work against the lab as it
stands, with no contract violation counted: where one fails, the lab is wrong (a path, an envelope, a string-typed
field, a header), and the lab is fixed, never the call.
"""

from __future__ import annotations

import warnings
from urllib.parse import urlsplit

import pytest

tenable_sc = pytest.importorskip("tenable.sc")
jenkins = pytest.importorskip("jenkins")

JOB = "armada-ops/bastion-register-nodes-ww"
PARAMS = {"TARGET_HOSTS_IP": "10.190.0.12", "TARGET_HOSTNAME": "prod-wdc04-carrier1-worker-1001"}


@pytest.fixture
def lab(lab_factory, monkeypatch):
    # pyTenable reads TSC_* from the environment when an argument is missing: keep the test's own settings only
    for key in ("TSC_URL", "TSC_ACCESS_KEY", "TSC_SECRET_KEY", "TSC_USERNAME", "TSC_PASSWORD"):
        monkeypatch.delenv(key, raising=False)
    run = lab_factory("default", speed=1)  # simulated time moves only as the tests advance it (a loaded machine too)
    yield run
    assert run.violations() == []


def sc_client(lab, **auth):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # pyTenable warns about session auth
        # restfly passes ssl_verify to requests as ``verify``: a CA bundle path verifies against the lab's CA
        return tenable_sc.TenableSC(url=lab.settings["TSC_URL"], ssl_verify=lab.settings["TSC_CA_PATH"], **auth)


def exercise_security_center(lab, sc):
    """Every call the runbook's Security Center steps need, as pyTenable makes them."""
    assert sc.version == lab.sc.version  # GET /rest/system, authenticated: it carries the version
    scans = sc.scans.list()
    assert set(scans) == {"usable", "manageable"} and scans["usable"]
    scan = scans["usable"][0]
    details = sc.scans.details(int(scan["id"]))
    assert details["id"] == scan["id"] and isinstance(details["schedule"], dict)
    instances = sc.scan_instances.list()
    assert set(instances) == {"usable", "manageable"} and instances["usable"]
    instance = sc.scan_instances.details(int(instances["usable"][0]["id"]))
    assert instance["status"] and isinstance(instance["progress"], (dict, list))
    scanners = sc.scanners.list()
    assert scanners and all(isinstance(x["status"], str) for x in scanners)
    scanner = sc.scanners.details(int(scanners[0]["id"]))
    assert scanner["name"] == scanners[0]["name"] and scanner["zones"]
    zones = sc.scan_zones.list()
    assert zones and {z["name"] for z in zones} >= {z["name"] for z in scanner["zones"]}
    launched = sc.scans.launch(int(scan["id"]))
    assert launched["scanID"] == scan["id"] and launched["scanResult"]["status"] == "Queued"
    again = sc.scan_instances.details(int(launched["scanResult"]["id"]))
    assert again["scan"]["id"] == scan["id"]


def test_pytenable_with_api_keys(lab):
    sc = sc_client(lab, access_key=lab.settings["TSC_ACCESS_KEY"], secret_key=lab.settings["TSC_SECRET_KEY"])
    exercise_security_center(lab, sc)
    calls = lab.calls("securitycenter")
    assert calls[0] == "GET /rest/system"  # pyTenable asks the version first (API keys need SC >= 5.13)
    assert sum(1 for c in calls if c.endswith("/launch")) == 1
    assert "POST /rest/token" not in calls


def test_pytenable_with_username_and_password(lab):
    sc = sc_client(lab, username=lab.settings["TSC_USERNAME"], password=lab.settings["TSC_PASSWORD"])
    exercise_security_center(lab, sc)
    sc.logout()
    calls = lab.calls("securitycenter")
    # pyTenable reads the (unauthenticated) system first, logs in, then reads the version with its session
    assert calls[:3] == ["GET /rest/system", "POST /rest/token", "GET /rest/system"] and calls[-1] == "DELETE /rest/token"
    assert all(e["status"] == 200 for e in lab.requests("securitycenter"))


def jenkins_client(lab, monkeypatch, **auth):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", lab.settings["JENKINS_CA_PATH"] if "JENKINS_CA_PATH" in lab.settings
                       else lab.settings["TSC_CA_PATH"])
    return jenkins.Jenkins(lab.settings["JENKINS_URL"], **auth)


def test_python_jenkins_triggers_follows_and_reads_the_build(lab, monkeypatch):
    anonymous = jenkins_client(lab, monkeypatch)
    with pytest.raises(jenkins.BadHTTPException):
        anonymous.get_version()  # anonymous: 403, as on a Jenkins without anonymous read
    server = jenkins_client(lab, monkeypatch, username=lab.settings["JENKINS_USER"],
                            password=lab.settings["JENKINS_TOKEN"])
    assert server.get_whoami()["id"] == lab.settings["JENKINS_USER"]  # resolves the auth, which get_version does not
    assert server.get_version() == lab.world.jenkins.version
    queue_id = server.build_job(JOB, PARAMS)
    item = server.get_queue_item(queue_id)
    assert item["_class"] == "hudson.model.Queue$WaitingItem" and item["why"]
    lab.admin("clock", {"advance": 60})
    item = server.get_queue_item(queue_id)
    assert item["_class"] == "hudson.model.Queue$LeftItem" and item["executable"]["number"] == 1
    build = server.get_build_info(JOB, item["executable"]["number"])
    assert build["building"] is True and build["result"] is None and build["queueId"] == queue_id
    lab.admin("clock", {"advance": 600})
    build = server.get_build_info(JOB, 1)
    assert (build["building"], build["result"]) == (False, "SUCCESS")
    console = server.get_build_console_output(JOB, 1)
    assert console.rstrip().endswith("Finished: SUCCESS") and PARAMS["TARGET_HOSTS_IP"] in console
    assert lab.world.jenkins.triggers[0][1:] == (JOB, dict(PARAMS, Branch="master"))
    calls = lab.calls("jenkins")
    assert calls[0] == "GET /" and calls.count("POST /job/armada-ops/job/bastion-register-nodes-ww/buildWithParameters") == 1
    statuses = [(e["method"], e["path"], e["status"]) for e in lab.requests("jenkins")]
    assert statuses[0] == ("GET", "/", 403)
    assert [s for s in statuses if s[1] == "/"][1:] == [("GET", "/", 200)]
    assert urlsplit(lab.settings["JENKINS_URL"]).hostname.startswith("127.")


def test_python_jenkins_sees_the_real_refusals(lab, monkeypatch, tmp_path):
    server = jenkins_client(lab, monkeypatch, username=lab.settings["JENKINS_USER"],
                            password=lab.settings["JENKINS_TOKEN"])
    wrong = jenkins_client(lab, monkeypatch, username=lab.settings["JENKINS_USER"], password="not-the-token")
    with pytest.raises(jenkins.JenkinsException, match=r"\[401\]"):
        wrong.get_queue_item(1)
    with pytest.raises(jenkins.NotFoundException):
        server.build_job("armada-ops/no-such-job", PARAMS)
    assert lab.take_violations() == []
