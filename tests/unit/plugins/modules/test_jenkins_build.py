"""jenkins_build through main() against the lab's Jenkins: token and password auth, the queue, results, faults."""

from __future__ import annotations

import pytest

from ansible_collections.conductors.nessus_compliance.plugins.modules import jenkins_build

JOB = "armada-ops/bastion-register-nodes-ww"
PARAMS = {"TARGET_HOSTS_IP": "10.190.0.12", "TARGET_HOSTNAME": "prod-wdc04-carrier1-worker-1001"}
FAST = {"poll_interval": 0.05}


@pytest.fixture
def jenkins(lab_factory, monkeypatch, tmp_path):
    """A lab with fast Jenkins times (simulated: queue 20 s, build 240 s) at 600x, its settings in the environment."""
    def start(jobs=None, speed=600):
        path = tmp_path / "jenkins.yaml"
        import yaml  # pylint: disable=import-outside-toplevel
        path.write_text(yaml.safe_dump({"extends": "default", "jenkins": {"jobs": jobs or {}}}))
        lab = lab_factory(str(path), speed=speed)
        for key, value in lab.settings.items():
            monkeypatch.setenv(key, value)
        return lab
    return start


def jenkins_calls(lab):
    return list(lab.calls("jenkins"))


def test_token_triggers_once_follows_the_queue_and_waits_for_success(jenkins, run_module):
    lab = jenkins({JOB: {"queue_seconds": 600}})  # one real second in the queue: the first poll sees it waiting
    result = run_module(jenkins_build, dict(FAST, job=JOB, parameters=PARAMS))
    assert (result["changed"], result["result"], result["building"]) == (True, "SUCCESS", False)
    assert result["build_url"].endswith("/job/armada-ops/job/bastion-register-nodes-ww/1/")
    assert result["queued_item_reused"] is False and result["history"][0].startswith("WaitingItem: In the quiet period")
    calls = jenkins_calls(lab)
    assert calls.count("POST /job/armada-ops/job/bastion-register-nodes-ww/buildWithParameters") == 1
    assert "GET /crumbIssuer/api/json" not in calls  # an API token needs no crumb
    now, job, params = lab.world.jenkins.triggers[0]
    assert job == JOB and params == dict(PARAMS, Branch="master")  # Branch left at the job's default


def test_password_auth_fetches_the_crumb_and_keeps_its_session(jenkins, run_module, monkeypatch):
    lab = jenkins()
    monkeypatch.delenv("JENKINS_TOKEN")
    monkeypatch.setenv("JENKINS_PASSWORD", lab.world.jenkins.password)
    result = run_module(jenkins_build, dict(FAST, job=JOB, parameters=PARAMS))
    assert result["result"] == "SUCCESS"
    assert jenkins_calls(lab)[:2] == ["GET /crumbIssuer/api/json",
                                      "POST /job/armada-ops/job/bastion-register-nodes-ww/buildWithParameters"]


def test_a_failed_build_fails_with_its_console(jenkins, run_module):
    lab = jenkins({JOB: {"result": "FAILURE"}})
    result = run_module(jenkins_build, dict(FAST, job=JOB, parameters=PARAMS), fails=True)
    assert result["msg"].startswith("%s #1 ended FAILURE: https://" % JOB)
    assert result["console_tail"][-1] == "Finished: FAILURE"
    assert any("UNREACHABLE" in line for line in result["console_tail"])
    assert jenkins_calls(lab).count("POST /job/armada-ops/job/bastion-register-nodes-ww/buildWithParameters") == 1


def test_a_vanished_queue_item_is_found_among_the_builds_by_its_queue_id(jenkins, run_module):
    lab = jenkins({JOB: {"vanish_seconds": 0}})
    result = run_module(jenkins_build, dict(FAST, job=JOB, parameters=PARAMS))
    assert result["result"] == "SUCCESS" and result["build_number"] == 1
    assert any("vanished; found build #1 by its queue id" in h for h in result["history"])
    assert "GET /job/armada-ops/job/bastion-register-nodes-ww/api/json" in jenkins_calls(lab)


def test_a_cancelled_item_and_an_unknown_or_disabled_job_fail_clearly(jenkins, run_module):
    jenkins({JOB: {"cancel": True}, "armada-ops/off": {"disabled": True}})
    cancelled = run_module(jenkins_build, dict(FAST, job=JOB, parameters=PARAMS), fails=True)
    assert "was cancelled before it ran" in cancelled["msg"] and cancelled["queue_id"] > 0
    unknown = run_module(jenkins_build, dict(FAST, job="armada-ops/nope", parameters=PARAMS), fails=True)
    assert "job armada-ops/nope not found" in unknown["msg"]
    disabled = run_module(jenkins_build, dict(FAST, job="armada-ops/off", parameters=PARAMS), fails=True)
    assert "disabled" in disabled["msg"]


def test_an_identical_item_still_queued_is_followed_not_duplicated(jenkins, run_module):
    lab = jenkins({JOB: {"queue_seconds": 6000}}, speed=1)
    first = run_module(jenkins_build, dict(FAST, job=JOB, parameters=PARAMS, queue_timeout=0.3), fails=True)
    again = run_module(jenkins_build, dict(FAST, job=JOB, parameters=PARAMS, queue_timeout=0.3), fails=True)
    assert again["queued_item_reused"] is True and again["queue_id"] == first["queue_id"]
    assert len(lab.world.jenkins.queue) == 1


def test_check_mode_and_bad_credentials(jenkins, run_module, monkeypatch):
    lab = jenkins()
    would = run_module(jenkins_build, {"job": JOB, "parameters": PARAMS}, check_mode=True)
    assert would["changed"] is True and "would trigger" in would["msg"] and jenkins_calls(lab) == []
    monkeypatch.setenv("JENKINS_TOKEN", "wrong")
    refused = run_module(jenkins_build, {"job": JOB, "parameters": PARAMS}, fails=True)
    assert "credentials refused" in refused["msg"] and "wrong" not in str(refused)
    monkeypatch.delenv("JENKINS_TOKEN")
    missing = run_module(jenkins_build, {"job": JOB}, fails=True)
    assert "no credentials" in missing["msg"]


def test_a_job_without_parameters_fails_clearly(jenkins, run_module):
    lab = jenkins({"armada-ops/plain": {"parameters": {}}})
    result = run_module(jenkins_build, dict(FAST, job="armada-ops/plain", parameters=PARAMS), fails=True)
    assert "the job takes no parameters" in result["msg"] and "This build is not parameterized!" in result["msg"]
    assert jenkins_calls(lab) == ["POST /job/armada-ops/job/plain/buildWithParameters",  # 500, never retried
                                  "GET /job/armada-ops/job/plain/api/json"]
    assert [v["rule"] for v in lab.take_violations()] == [
        "Jenkins: buildWithParameters on a job without parameters (IllegalStateException: This build is not "
        "parameterized!)"]
