"""playbooks/awx_configure.yml against the lab's AWX: from the repository root and as the installed collection's
playbook, what AWX was asked to create, and a second run that changes nothing; its credential types inject what the
modules read."""

from __future__ import annotations

import glob
import json
import os
import re
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request

import yaml
from ansible.parsing.yaml.loader import AnsibleLoader

from conftest import COLLECTIONS_ROOT, REPO_ROOT  # pylint: disable=import-error

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.classic import CLASSIC_ARGUMENT_SPEC
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.github import GITHUB_ARGUMENT_SPEC
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.jenkins import JENKINS_ARGUMENT_SPEC
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.pagerduty import PAGERDUTY_ARGUMENT_SPEC
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.scan_zones import load_table, zone_names
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.securitycenter import SC_ARGUMENT_SPEC
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.servicenow import SERVICENOW_ARGUMENT_SPEC

PLAYBOOK = os.path.join(REPO_ROOT, "playbooks", "awx_configure.yml")
BIN = os.path.dirname(sys.executable)
VENV_COLLECTIONS = os.path.join(REPO_ROOT, ".venv", "collections")
SPECS = {"securitycenter": SC_ARGUMENT_SPEC, "classic": CLASSIC_ARGUMENT_SPEC, "jenkins": JENKINS_ARGUMENT_SPEC,
         "servicenow": SERVICENOW_ARGUMENT_SPEC, "pagerduty": PAGERDUTY_ARGUMENT_SPEC, "github": GITHUB_ARGUMENT_SPEC}
RECORDS = "/srv/nessus_compliance/records"  # a site's own record directory, given on the command line


def play_vars():
    with open(PLAYBOOK, encoding="utf-8") as handle:
        return AnsibleLoader(handle).get_single_data()[0]["vars"]


def read_by_modules(spec):
    return {name for option in spec.values() if option.get("fallback") for name in option["fallback"][1]}


def read_by_roles():
    names = set()
    for path in glob.glob(os.path.join(REPO_ROOT, "roles", "*", "defaults", "main.yml")):
        with open(path, encoding="utf-8") as handle:
            names.update(re.findall(r"lookup\('ansible\.builtin\.env', '([A-Z_]+)'\)", handle.read()))
    return names


def private_zones_of_the_table():
    with open(os.path.join(REPO_ROOT, "inventory", "alc.scan_zones.yml"), encoding="utf-8") as handle:
        return zone_names(load_table(yaml.safe_load(handle)["zones"]), "private")


def test_each_credential_type_injects_variables_its_system_s_modules_read():
    types = play_vars()["awx_credential_types"]
    assert set(types) == set(SPECS)
    roles = read_by_roles()
    for system, credential_type in types.items():
        injected = set(credential_type["env"])
        assert injected <= read_by_modules(SPECS[system]) | roles, (system, injected - read_by_modules(SPECS[system]))
        fields = {field["id"] for field in credential_type["fields"]}
        for variable, template in credential_type["env"].items():  # each injects one of its own fields, literally
            assert template == "{{ %s }}" % template.strip("{} "), (system, variable)
            assert template.strip("{} ") in fields, (system, variable)
        assert set(credential_type["required"]) <= fields
        secrets = {f["id"] for f in credential_type["fields"] if f.get("secret")}
        assert secrets, system  # every system has a secret, and it is marked secret in AWX


def test_the_secrets_the_modules_need_are_injected():
    injected = {name for t in play_vars()["awx_credential_types"].values() for name in t["env"]}
    assert {"TSC_URL", "TSC_ACCESS_KEY", "TSC_SECRET_KEY", "SL_USERNAME", "SL_API_KEY", "JENKINS_URL", "JENKINS_USER",
            "JENKINS_TOKEN", "SN_HOST", "SN_USERNAME", "SN_PASSWORD", "PAGERDUTY_ROUTING_KEY", "PAGERDUTY_API_TOKEN",
            "GITHUB_API_URL", "GITHUB_TOKEN", "GITHUB_REPOSITORY"} <= injected


def test_job_templates_run_playbooks_that_exist_with_known_credentials():
    variables = play_vars()
    for template in variables["awx_job_templates"]:
        assert os.path.exists(os.path.join(REPO_ROOT, template["playbook"])), template["playbook"]
        assert set(template["credentials"]) <= set(variables["awx_credentials"])


def start(lab, cmd, cwd, **env):
    """``ansible-playbook`` against the lab's AWX, at -vvv, with the environment a user has after ``. .lab/env.sh``
    (awx.awx takes no CA file: the lab's CA is trusted through SSL_CERT_FILE)."""
    run_env = lab.env(SSL_CERT_FILE=lab.settings["TSC_CA_PATH"], ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0",
                      ANSIBLE_VERBOSITY="3", ANSIBLE_PYTHON_INTERPRETER=sys.executable,
                      PATH=BIN + os.pathsep + os.environ.get("PATH", ""))
    for name in ("ANSIBLE_COLLECTIONS_PATH", "ANSIBLE_CONFIG", "ANSIBLE_INVENTORY"):
        run_env.pop(name, None)
    for name, value in env.items():
        if value is None:
            run_env.pop(name, None)
        else:
            run_env[name] = value
    return subprocess.Popen(cmd, cwd=cwd, env=run_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish(lab, proc):
    output = proc.communicate(timeout=600)[0]
    lab.outputs.append(output)
    assert proc.returncode == 0, output[-4000:]
    recap = re.search(r"localhost\s+: ok=\d+\s+changed=(\d+)", output)
    return output, int(recap.group(1))


def assert_configured(lab, records, notify=None, group=None, store="local"):
    """What the stand-in holds after one run: every object awx_configure.yml describes, as it describes it;
    ``notify`` the notification settings given (``notify_settings``), ``group`` the instance group given, ``store``
    the remediation store."""
    awx, variables = lab.world.awx, play_vars()
    (project,) = awx.find("projects", name=variables["awx_project_name"])
    assert (project["scm_type"], project["scm_url"], project["scm_branch"], project["status"]) == (
        "git", variables["awx_project_scm_url"], "main", "successful")
    # updated from this checkout's HEAD as it was then (a commit made since is a descendant of it)
    assert subprocess.run(["git", "merge-base", "--is-ancestor", project["scm_revision"], "HEAD"], cwd=REPO_ROOT,
                          check=False).returncode == 0
    playbooks = awx.objects["projects"][project["id"]]["_playbooks"]  # what AWX found in the project's checkout
    # the job templates, their playbooks (in the project), credentials and record directory
    templates = {t["name"]: t for t in awx.find("job_templates")}
    assert set(templates) == {t["name"] for t in variables["awx_job_templates"]}
    for wanted in variables["awx_job_templates"]:
        template = templates[wanted["name"]]
        assert template["playbook"] == wanted["playbook"] and wanted["playbook"] in playbooks
        assert os.path.isfile(os.path.join(REPO_ROOT, template["playbook"]))
        assert template["project"] == project["id"] and template["inventory"] is not None
        systems = set(wanted["credentials"]) | ({"github"} if wanted.get("records") and store == "github" else set())
        assert sorted(c["name"] for c in awx.credentials_of(template["id"])) == sorted(
            variables["awx_credentials"][s] for s in systems)
        extra_vars = json.loads(template["extra_vars"])
        assert extra_vars.get("remediation_record_dir") == (records if wanted.get("records") else None), wanted["name"]
        assert extra_vars.get("remediation_store") == (store if wanted.get("records") else None), wanted["name"]
        assert template["survey_enabled"] is bool(wanted.get("survey"))
    # the private branch's survey offers exactly the table's private zones
    survey = awx.survey("job_templates", templates["Nessus private scan remediation"]["id"])
    zone_question = next(q for q in survey["spec"] if q["variable"] == "zone")
    assert zone_question["choices"] == private_zones_of_the_table()
    # each credential type injects only variables the modules (or the roles) read; each credential, created from
    # the lab's settings, gives a job exactly those settings (a CA path of this machine is never taken)
    types = {t["name"]: t for t in awx.find("credential_types", managed=False)}
    assert set(types) == {t["name"] for t in variables["awx_credential_types"].values()}
    for system, wanted in variables["awx_credential_types"].items():
        injected = set(types[wanted["name"]]["injectors"]["env"])
        assert injected == set(wanted["env"]) and injected <= read_by_modules(SPECS[system]) | read_by_roles()
        (credential,) = awx.find("credentials", name=variables["awx_credentials"][system])
        environment = awx.injected_env(credential["id"])
        given = {k: v for k, v in lab.settings.items() if k in injected and k not in ("TSC_CA_PATH",)}
        assert {k: v for k, v in environment.items() if v} == given, system
    # the inventory's source: the site's scan-zone file of the project (the example lists every private zone's domain)
    (source,) = awx.find("inventory_sources")
    assert (source["source"], source["source_project"], source["source_path"]) == (
        "scm", project["id"], "inventory/site.scan_zones.yml")
    with open(os.path.join(REPO_ROOT, "inventory", "site.scan_zones.yml.example"), encoding="utf-8") as handle:
        example = yaml.safe_load(handle)
    assert example["table_file"] == "alc.scan_zones.yml"
    assert {z for z, s in example["site_settings"].items() if "domain" in s} == set(private_zones_of_the_table())
    # the schedule and the workflow: the check, then the remediation on its failure
    (schedule,) = awx.find("schedules")
    assert schedule["unified_job_template"] == templates["Nessus scan compliance check"]["id"]
    assert schedule["rrule"] == variables["awx_schedule_rrule"] and schedule["enabled"]
    nodes = {n["identifier"]: n for n in awx.find("workflow_job_template_nodes")}
    assert nodes["check"]["unified_job_template"] == templates["Nessus scan compliance check"]["id"]
    assert nodes["remediate"]["unified_job_template"] == templates["Nessus remediation from the alert"]["id"]
    assert nodes["check"]["failure_nodes"] == [nodes["remediate"]["id"]]
    assert nodes["check"]["success_nodes"] == nodes["check"]["always_nodes"] == []
    assert_healing_runs_one_at_a_time(awx, variables, templates)
    assert_osreload_waits_for_approval(awx, variables, templates)
    assert_notifications(awx, variables, templates, notify)
    for template in templates.values():  # every job of every template runs in the group given, or where AWX chooses
        assert [g["name"] for g in awx.associated("job_templates", template["id"], "instance_groups")] == (
            [group] if group else []), template["name"]


def assert_healing_runs_one_at_a_time(awx, variables, templates):
    """A healing template and both workflows run one job at a time; no template is sliced or asks for slices."""
    for wanted in variables["awx_job_templates"]:
        template = templates[wanted["name"]]
        assert template["job_slice_count"] == 1 and template["ask_job_slice_count_on_launch"] is False
        if wanted.get("healing"):
            assert template["allow_simultaneous"] is False, wanted["name"]
    assert {t["name"] for t in variables["awx_job_templates"] if t.get("healing")} == {
        "Nessus private scan remediation", "Nessus public scan remediation", "Nessus remediation from the alert"}
    for workflow in awx.find("workflow_job_templates"):
        assert workflow["allow_simultaneous"] is False, workflow["name"]


def assert_osreload_waits_for_approval(awx, variables, templates):
    """The OS reload workflow: its only root is the approval (with its timeout); approved, the private branch runs with
    allow_osreload; denied or timed out (a failed approval node), it runs without; the workflow's own variables never
    name allow_osreload."""
    (workflow,) = awx.find("workflow_job_templates", name=variables["awx_osreload_workflow"])
    assert workflow["survey_enabled"] and "allow_osreload" not in (workflow["extra_vars"] or "")
    survey = awx.survey("workflow_job_templates", workflow["id"])
    assert [q["variable"] for q in survey["spec"]] == ["zone", "allow_last_working_scanner"]
    assert survey["spec"][0]["choices"] == private_zones_of_the_table()
    nodes = {n["identifier"]: n for n in awx.find("workflow_job_template_nodes", workflow_job_template=workflow["id"])}
    assert set(nodes) == {"approve-osreload", "heal-with-osreload", "heal-without-osreload"}
    approve, with_reload = nodes["approve-osreload"], nodes["heal-with-osreload"]
    without = nodes["heal-without-osreload"]
    (approval,) = awx.find("workflow_approval_templates")
    assert approve["unified_job_template"] == approval["id"]
    assert approve["summary_fields"]["unified_job_template"]["unified_job_type"] == "workflow_approval"
    assert approval["timeout"] == variables["awx_osreload_approval_timeout"] == 14400
    assert approval["name"] and approval["description"]
    assert approve["success_nodes"] == [with_reload["id"]] and approve["failure_nodes"] == [without["id"]]
    assert approve["always_nodes"] == []
    for node, allowed in ((with_reload, "true"), (without, "false")):
        assert node["unified_job_template"] == templates["Nessus private scan remediation"]["id"]
        assert node["extra_data"] == {"allow_osreload": allowed}
        assert node["success_nodes"] == node["failure_nodes"] == node["always_nodes"] == []
    links = ("success_nodes", "failure_nodes", "always_nodes")
    children = {child for n in nodes.values() for link in links for child in n[link]}
    assert {n["id"] for n in nodes.values()} - children == {approve["id"]}


NOTIFY_CHANNELS = ["#sre-nessus"]


def notify_settings(lab):
    """PagerDuty and Slack settings for AWX's notifications, from the lab's own secrets (so that the test's check for
    printed secrets covers them)."""
    return {"awx_notify_pagerduty_service_key": lab.settings["PAGERDUTY_ROUTING_KEY"],
            "awx_notify_pagerduty_subdomain": "sre-example",
            "awx_notify_pagerduty_token": lab.settings["PAGERDUTY_API_TOKEN"],
            "awx_notify_slack_token": lab.settings["SLACK_BOT_TOKEN"], "awx_notify_slack_channels": NOTIFY_CHANNELS}


def assert_notifications(awx, variables, templates, notify):
    """With settings: both notification templates (their tokens kept by AWX, shown as $encrypted$), on the healing
    templates' errors and on the OS reload workflow's approvals (Slack only); without: none at all."""
    names = variables["awx_notification_templates"]
    notices = {n["name"]: n for n in awx.find("notification_templates")}
    (workflow,) = awx.find("workflow_job_templates", name=variables["awx_osreload_workflow"])
    approvals = [n["name"] for n in awx.associated("workflow_job_templates", workflow["id"],
                                                   "notification_templates_approvals")]
    errors = {t["name"]: [n["name"] for n in awx.associated("job_templates", t["id"], "notification_templates_error")]
              for t in templates.values()}
    for resource in ("job_templates", "workflow_job_templates"):  # never on start or success
        for obj in awx.find(resource):
            for note in ("started", "success"):
                assert awx.associated(resource, obj["id"], "notification_templates_" + note) == []
    if notify is None:
        assert notices == {} and approvals == [] and all(v == [] for v in errors.values())
        return
    assert set(notices) == {names["pagerduty"], names["slack"]}
    pagerduty, slack = notices[names["pagerduty"]], notices[names["slack"]]
    assert (pagerduty["notification_type"], pagerduty["notification_configuration"]) == ("pagerduty", {
        "subdomain": notify["awx_notify_pagerduty_subdomain"], "token": "$encrypted$",
        "service_key": notify["awx_notify_pagerduty_service_key"],
        "client_name": variables["awx_notify_pagerduty_client_name"]})
    assert (slack["notification_type"], slack["notification_configuration"]) == ("slack", {
        "token": "$encrypted$", "channels": NOTIFY_CHANNELS})
    stored = awx.objects["notification_templates"]  # what AWX keeps: the tokens themselves
    assert stored[pagerduty["id"]]["notification_configuration"]["token"] == notify["awx_notify_pagerduty_token"]
    assert stored[slack["id"]]["notification_configuration"]["token"] == notify["awx_notify_slack_token"]
    for wanted in variables["awx_job_templates"]:
        assert sorted(errors[wanted["name"]]) == (sorted(names.values()) if wanted.get("healing") else []), wanted
    assert approvals == [names["slack"]]


def test_configures_awx_from_the_repository_root_and_installed_and_a_second_run_changes_nothing(lab_factory, tmp_path):
    checkout, installed = lab_factory("default"), lab_factory("default")
    work = tmp_path / "work"  # the installed collection's playbook, run from a directory of the user's own
    work.mkdir()
    # from the repository root, as typed (its ansible.cfg; user and password), and installed (a token), side by side
    from_root = start(checkout, ["ansible-playbook", "playbooks/awx_configure.yml"], REPO_ROOT)
    from_installed = start(installed, ["ansible-playbook", "conductors.nessus_compliance.awx_configure",
                                       "-e", "awx_remediation_record_dir=" + RECORDS], str(work),
                           ANSIBLE_COLLECTIONS_PATH=os.pathsep.join([COLLECTIONS_ROOT, VENV_COLLECTIONS]),
                           CONTROLLER_USERNAME=None, CONTROLLER_PASSWORD=None,
                           CONTROLLER_OAUTH_TOKEN=installed.world.awx.token)
    _output, changed = finish(checkout, from_root)
    assert changed > 0
    assert_configured(checkout, play_vars()["awx_remediation_record_dir"])
    _output, changed = finish(installed, from_installed)
    assert changed > 0
    assert_configured(installed, RECORDS)
    assert installed.world.awx.issued == []  # the token given was used, none was asked for
    # the second run finds everything as it is and changes nothing: no write at all
    before, writes = checkout.world.awx.state(), len(checkout.world.awx.log)
    _output, changed = finish(checkout, start(checkout, ["ansible-playbook", "playbooks/awx_configure.yml"], REPO_ROOT))
    assert changed == 0
    assert checkout.world.awx.log[writes:] == []
    assert checkout.world.awx.state() == before
    # awx.awx logged in with the password, took a token for each module and gave every one back; none was printed
    assert checkout.world.awx.issued and not checkout.world.awx.objects["tokens"].keys() - {1}
    assert not [t for t in checkout.world.awx.issued if any(t in output for output in checkout.outputs)]


def test_notifications_and_an_instance_group_when_given_and_a_run_without_them_keeps_them(lab_factory, tmp_path):
    scenario = tmp_path / "awx_instance_groups.yaml"  # an AWX whose admins made the group
    scenario.write_text("extends: default\nawx:\n  instance_groups: [nessus-sre]\n", encoding="utf-8")
    lab = lab_factory(str(scenario))
    given = dict(notify_settings(lab), awx_instance_groups={"ALC_": "nessus-sre"}, awx_remediation_store="github")
    records = play_vars()["awx_remediation_record_dir"]
    with_settings = ["ansible-playbook", "playbooks/awx_configure.yml", "-e", json.dumps(given)]
    _output, changed = finish(lab, start(lab, with_settings, REPO_ROOT))
    assert changed > 0
    assert_configured(lab, records, notify=given, group="nessus-sre", store="github")
    # the same settings again: nothing changes and nothing is written (the notifications are made once)
    before, writes = lab.world.awx.state(), len(lab.world.awx.log)
    _output, changed = finish(lab, start(lab, with_settings, REPO_ROOT))
    assert changed == 0 and lab.world.awx.log[writes:] == [] and lab.world.awx.state() == before
    # someone let the private branch run twice at once: a run without the notifications and the group sets it back,
    # and keeps them as they are
    (private,) = lab.world.awx.find("job_templates", name="Nessus private scan remediation")
    assert awx_call(lab, "PATCH", private["url"], {"allow_simultaneous": True})[0] == 200
    writes = len(lab.world.awx.log)
    _output, changed = finish(lab, start(lab, ["ansible-playbook", "playbooks/awx_configure.yml", "-e",
                                               "awx_remediation_store=github"], REPO_ROOT))
    assert changed == 1
    assert [(w["action"], w["name"], w["fields"]) for w in lab.world.awx.log[writes:]] == [
        ("update", "Nessus private scan remediation", ["allow_simultaneous"])]
    assert_configured(lab, records, notify=given, group="nessus-sre", store="github")


def test_settings_that_cannot_be_right_stop_the_run_before_anything_changes(lab_factory):
    lab = lab_factory("default")
    for given, shown in (({"awx_notify_pagerduty_service_key": "only-the-key"}, "PagerDuty needs"),
                         ({"awx_notify_slack_channels": "#sre"}, "awx_notify_slack_channels (a list)"),
                         ({"awx_instance_groups": {"ALC_Prod_": "nessus-prod"}}, "'ALC_Dev_MON01_SZ': []"),
                         ({"awx_instance_groups": {"ALC_": "nessus-sre", "ALC_Prod_": "nessus-prod"}},
                          "'ALC_Prod_WDC06_SZ': ['nessus-sre', 'nessus-prod']"),
                         ({"awx_osreload_approval_timeout": 0}, "awx_osreload_approval_timeout (0)"),
                         ({"awx_remediation_store": "s3"}, "awx_remediation_store (s3) local or github")):
        proc = start(lab, ["ansible-playbook", "playbooks/awx_configure.yml", "-e", json.dumps(given)], REPO_ROOT)
        output = proc.communicate(timeout=600)[0]
        lab.outputs.append(output)
        assert proc.returncode == 2 and "Check the settings before changing anything" in output, output[-3000:]
        assert shown in re.sub(r"\s+", " ", output), (given, output[-3000:])
    assert lab.world.awx.log == []


def awx_call(lab, method, path, body=None, token=None):
    """One request to the lab's AWX: (status, JSON answer)."""
    request = urllib.request.Request(lab.settings["CONTROLLER_HOST"] + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json", "Authorization": "Bearer %s" % (
                                         lab.world.awx.token if token is None else token)})
    context = ssl.create_default_context(cafile=lab.settings["TSC_CA_PATH"])
    try:
        with urllib.request.urlopen(request, context=context, timeout=10) as answer:  # loopback only
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def test_the_labs_awx_refuses_what_awx_refuses(lab_factory):
    lab = lab_factory("default")
    assert awx_call(lab, "GET", "/api/v2/projects/", token="")[0] == 401
    status, project = awx_call(lab, "POST", "/api/v2/projects/", {
        "name": "p", "organization": 1, "scm_type": "git", "scm_url": play_vars()["awx_project_scm_url"]})
    assert status == 201 and project["summary_fields"]["current_update"]["status"] == "pending"
    for _attempt in range(100):  # the update runs in simulated time, as the module waits for it
        if awx_call(lab, "GET", project["url"])[1]["status"] == "successful":
            break
        time.sleep(0.05)
    _status, inventory = awx_call(lab, "POST", "/api/v2/inventories/", {"name": "i", "organization": 1})
    template = {"name": "t", "project": project["id"], "inventory": inventory["id"], "playbook": "playbooks/nope.yml"}
    assert awx_call(lab, "POST", "/api/v2/job_templates/", template) == (
        400, {"playbook": ["Playbook not found for project."]})
    template["playbook"] = "playbooks/scan_compliance.yml"
    status, job_template = awx_call(lab, "POST", "/api/v2/job_templates/", template)
    assert status == 201
    assert awx_call(lab, "POST", "/api/v2/inventories/", {"name": "i", "organization": 1}) == (
        400, {"__all__": ["Inventory with this Name and Organization already exists."]})
    assert awx_call(lab, "GET", "/api/v2/job_templates/?bogus=1")[0] == 400
    assert awx_call(lab, "GET", "/api/v2/job_templates/999/") == (404, {"detail": "Not found."})
    assert [v["path"] for v in lab.take_violations()] == ["/api/v2/job_templates/", "/api/v2/inventories/",
                                                          "/api/v2/job_templates/"]
    # a node's variables: only those its template asks for (a survey's, or any with ask_variables_on_launch)
    _status, workflow = awx_call(lab, "POST", "/api/v2/workflow_job_templates/", {"name": "w", "organization": 1})
    node = {"workflow_job_template": workflow["id"], "unified_job_template": job_template["id"],
            "extra_data": {"allow_osreload": "true"}}
    assert awx_call(lab, "POST", "/api/v2/workflow_job_template_nodes/", node) == (400, {"extra_data": [
        "Variables allow_osreload are not allowed on launch. Check the Prompt on Launch setting on the Job Template to "
        "include Extra Variables."]})
    # an approval node: a node without a template, then its approval template (a detail without a list)
    _status, bare = awx_call(lab, "POST", "/api/v2/workflow_job_template_nodes/",
                             {"workflow_job_template": workflow["id"], "identifier": "approve", "extra_data": {"a": 1}})
    assert bare["extra_data"] == {} and bare["unified_job_template"] is None  # kept only with a template
    create = bare["related"]["create_approval_template"]
    assert awx_call(lab, "POST", create, {"timeout": 60}) == (400, {"name": ["This field is required."]})
    status, approval = awx_call(lab, "POST", create, {"name": "Reload?", "timeout": 60})
    assert (status, approval["type"], approval["timeout"]) == (201, "workflow_approval_template", 60)
    bare = awx_call(lab, "GET", bare["url"])[1]
    assert bare["unified_job_template"] == approval["id"]
    assert bare["related"]["unified_job_template"] == approval["url"] == "/api/v2/workflow_approval_templates/%d/" % (
        approval["id"])
    assert bare["summary_fields"]["unified_job_template"]["timeout"] == 60
    assert awx_call(lab, "GET", "/api/v2/workflow_approval_templates/")[0] == 404
    assert awx_call(lab, "GET", approval["url"] + "success_nodes/")[0] == 404
    _status, second = awx_call(lab, "POST", create, {"name": "Reload, again?"})  # the first one is deleted
    assert awx_call(lab, "GET", approval["url"])[0] == 404 and second["timeout"] == 0
    # notification templates: the type's parameters, a token never shown again and kept by $encrypted$
    notice = {"name": "n", "organization": 1, "notification_type": "slack", "notification_configuration": {
        "token": "xoxb-lab"}}
    assert awx_call(lab, "POST", "/api/v2/notification_templates/", notice) == (
        400, {"__all__": ["Missing required fields for Notification Configuration: ['channels']."]})
    notice["notification_configuration"]["channels"] = ["#sre"]
    status, notice = awx_call(lab, "POST", "/api/v2/notification_templates/", notice)
    assert (status, notice["notification_configuration"]) == (201, {"token": "$encrypted$", "channels": ["#sre"]})
    assert awx_call(lab, "PATCH", notice["url"], {"notification_configuration": {
        "token": "$encrypted$", "channels": ["#sre-nessus"]}})[0] == 200
    assert lab.world.awx.objects["notification_templates"][notice["id"]]["notification_configuration"] == {
        "token": "xoxb-lab", "channels": ["#sre-nessus"]}
    # on a job template's errors (associated once); approvals are a workflow's
    errors = job_template["related"]["notification_templates_error"]
    for _attempt in range(2):
        assert awx_call(lab, "POST", errors, {"id": notice["id"]})[0] == 204
    assert [n["id"] for n in awx_call(lab, "GET", errors)[1]["results"]] == [notice["id"]]
    assert awx_call(lab, "POST", job_template["url"] + "notification_templates_approvals/", {"id": 1})[0] == 404
    approvals = workflow["related"]["notification_templates_approvals"]
    assert awx_call(lab, "POST", approvals, {"id": notice["id"]})[0] == 204
    assert awx_call(lab, "POST", approvals, {"id": notice["id"], "disassociate": True})[0] == 204
    assert awx_call(lab, "GET", approvals)[1]["count"] == 0
    assert [v["path"] for v in lab.take_violations()] == ["/api/v2/workflow_job_template_nodes/", create,
                                                          "/api/v2/notification_templates/"]
