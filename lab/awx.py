"""AWX (Automation Controller) stand-in: the REST API v2 under ``/api/v2/`` that the awx.awx collection calls.

Held to AWX 24.6.1's own source (``awx/api/serializers.py``, ``awx/api/views``, ``awx/api/generics.py``,
``awx/main/fields.py``, ``awx/main/models``) for what ``playbooks/awx_configure.yml`` and awx.awx's modules use:

- every path ends with ``/`` (one without it is redirected with 301, as Django's ``APPEND_SLASH`` does; for a
  write, whose body the redirect loses, that is a contract violation); every answer carries
  ``X-API-Product-Name: AWX`` and ``X-API-Product-Version`` (awx.awx compares them with its own);
- ``/api/``, ``/api/v2/`` and ``/api/v2/ping/`` answer anyone; everything else wants HTTP Basic (``CONTROLLER_USERNAME``
  / ``CONTROLLER_PASSWORD``) or a Bearer token (``CONTROLLER_OAUTH_TOKEN``, or one from ``POST /api/v2/tokens/``, which
  awx.awx asks for with Basic auth and deletes when its module ends): 401 ``{"detail": ...}`` without;
- lists in the envelope ``{count, next, previous, results}`` (25 a page, ``page_size`` up to 200, ``next`` a path
  with ``page``), filtered by field (``name=``, ``organization=``, ``or__id=``/``or__name=``, ``__in``, ``__isnull``,
  ``__icontains``...; an unknown field is 400); details with ``url``, ``related`` links and ``summary_fields``;
  404 ``{"detail": "Not found."}`` for an unknown id;
- POST (201, ``Location``), PATCH and PUT through each serializer's rules: 400 with field errors for a missing
  required field (``This field is required.``), an unknown reference (``Invalid pk "9" - object does not exist.``), a
  bad choice, a duplicate name (``__all__``); null coerced to ``""``/``false`` where AWX's CharNullField and
  BooleanNullField do, so that an unchanged object reads back as it was sent (awx.awx compares to decide
  ``changed``);
- credential types: only ``cloud``/``net`` kinds, inputs and injectors checked against AWX's JSON schemas, every
  injector template rendered against the type's fields (an undefined field is refused), ``ANSIBLE_*`` and AWX's own
  variables refused; credentials: inputs checked against their type, secret inputs read back as ``$encrypted$``;
- projects: a git project is updated when it is created or its URL/branch changes (``summary_fields.current_update``;
  the update runs in simulated time): the lab is the git server - ``awx.repositories`` in a scenario maps an SCM URL
  to a local repository, by default this collection's ``galaxy.yml`` repository URL to this checkout, with branch
  ``main`` at its ``HEAD`` - and the update lists the playbooks as AWX does (``could_be_playbook``); an unknown URL or
  branch fails the update; a job template's playbook must be one of them (``Playbook not found for project.``);
- inventory sources (``scm`` needs a ``source_project``), job templates (a project; an inventory or
  ``ask_inventory_on_launch``; one credential per credential type, of an assignable kind), surveys
  (``/survey_spec/``, validated as ``JobTemplateSurveySpec`` does), schedules (AWX's rrule rules), workflow job
  templates, their nodes (``identifier`` unique per workflow) and the ``success_nodes``/``failure_nodes``/
  ``always_nodes`` links (no cycle, one link kind per pair), labels, ``unified_job_templates``;
- a node's ``extra_data`` checked against its template (the survey's answers, and no other variable unless the
  template asks for variables on launch; a survey's required answers may come later), kept only with a template;
- workflow approval templates: ``POST /workflow_job_template_nodes/<id>/create_approval_template/`` (``name``,
  ``description``, ``timeout``) makes one the node's template (the one before is deleted, as is a deleted node's);
  ``/workflow_approval_templates/<id>/`` is a detail only (no list), a unified job template with ``timeout``;
- notification templates (``/notification_templates/``): ``notification_configuration`` checked against the type's
  backend parameters (a missing one refused, the defaults filled in), password parameters stored and read back as
  ``$encrypted$`` (which keeps the stored value on an update), ``messages`` by event; the
  ``notification_templates_started``/``_success``/``_error`` lists of organizations, projects, inventory sources,
  job templates and workflow job templates, and ``_approvals`` of organizations and workflow job templates, and a job
  template's ``instance_groups`` (in their order): POST ``{"id": n}`` associates, ``{"id": n, "disassociate":
  true}`` takes it off.

A request AWX refuses (400, and the 403 of a managed object) is answered as AWX answers it and counted as a contract
violation; 401 and 404 are answers, not violations. The scenario key ``awx`` sets ``username``, ``password``,
``token``, ``repositories``, ``project_update_seconds`` (simulated, 8 by default) and ``instance_groups`` (names of
instance groups it has besides ``controlplane`` and ``default``; AWX's admins make them). Every create,
update, association and survey written is kept in ``log`` (with the fields that changed) and the objects in
``objects``; ``state()`` gives them as the API shows them, for the tests (``/_lab/awx`` from outside).
"""

from __future__ import annotations

import copy
import json
import os
import posixpath
import re
import secrets
import subprocess
import threading
import uuid
from base64 import b64decode
from datetime import datetime, timezone
from urllib.parse import quote, urlencode

import yaml
from jsonschema import Draft4Validator

from werkzeug.wrappers import Response

from .core import ContractViolation, json_response

VERSION = "24.6.1"
API = "/api/v2/"
PAGE_SIZE, MAX_PAGE_SIZE = 25, 200
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
UNAUTHENTICATED = {"detail": "Authentication credentials were not provided. To establish a login session, visit "
                             "/api/login/."}
ENV_BLOCKLIST = frozenset(("VIRTUAL_ENV", "PATH", "PYTHONPATH", "JOB_ID", "INVENTORY_ID", "INVENTORY_SOURCE_ID",
                           "INVENTORY_UPDATE_ID", "AD_HOC_COMMAND_ID", "REST_API_URL", "REST_API_TOKEN",
                           "MAX_EVENT_RES", "CALLBACK_QUEUE", "CALLBACK_CONNECTION", "CACHE", "JOB_CALLBACK_DEBUG",
                           "INVENTORY_HOSTVARS", "AWX_HOST", "PROJECT_REVISION", "SUPERVISOR_CONFIG_PATH"))
INV_ENV_VARIABLE_BLOCKED = ("HOME", "USER", "_", "TERM", "PATH")
CREDENTIAL_KINDS = ("ssh", "vault", "net", "scm", "cloud", "registry", "token", "insights", "external", "kubernetes",
                    "galaxy", "cryptography")
INVENTORY_SOURCES = ("file", "constructed", "scm", "ec2", "gce", "azure_rm", "vmware", "satellite6", "openstack",
                     "rhv", "controller", "insights", "terraform", "openshift_virtualization")
SURVEY_TYPES = {"text": str, "textarea": str, "password": str, "multiplechoice": str, "multiselect": str,
                "integer": int, "float": (float, int)}
PLAYBOOK_LINE = re.compile(r"^\s*?-?\s*?(?:hosts|(ansible\.builtin\.)?include|(ansible\.builtin\.)?import_playbook)"
                           r":\s*?.*?$")
INVENTORY_LINE = re.compile(r"^[a-zA-Z0-9_.=\[\]]")
IMAGE = re.compile(r"(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*"
                   r"[a-zA-Z0-9]))*(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[_.]|__|[-]*)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[_.]|__|"
                   r"[-]*)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*"
                   r":[0-9a-fA-F]{32,})?")
RESERVED_QUERY = {"page", "page_size", "order_by", "search", "format", "count_disabled"}
MISSING = object()
# Each notification backend's init_parameters (awx/main/notifications/*_backend.py): field -> (type, default); a
# field without a default must be in notification_configuration, and a "password" one is stored encrypted
NOTIFICATION_PARAMETERS = {
    "awssns": {"aws_region": ("string", ""), "aws_access_key_id": ("string", ""),
               "aws_secret_access_key": ("password", ""), "aws_session_token": ("password", ""),
               "sns_topic_arn": ("string", "")},
    "email": {"host": ("string", MISSING), "port": ("int", MISSING), "username": ("string", MISSING),
              "password": ("password", MISSING), "use_tls": ("bool", MISSING), "use_ssl": ("bool", MISSING),
              "sender": ("string", MISSING), "recipients": ("list", MISSING), "timeout": ("int", 30)},
    "grafana": {"grafana_url": ("string", MISSING), "grafana_key": ("password", MISSING)},
    "irc": {"server": ("string", MISSING), "port": ("int", MISSING), "nickname": ("string", MISSING),
            "password": ("password", MISSING), "use_ssl": ("bool", MISSING), "targets": ("list", MISSING)},
    "mattermost": {"mattermost_url": ("string", MISSING), "mattermost_no_verify_ssl": ("bool", MISSING)},
    "pagerduty": {"subdomain": ("string", MISSING), "token": ("password", MISSING),
                  "service_key": ("string", MISSING), "client_name": ("string", MISSING)},
    "rocketchat": {"rocketchat_url": ("string", MISSING), "rocketchat_no_verify_ssl": ("bool", MISSING)},
    "slack": {"token": ("password", MISSING), "channels": ("list", MISSING)},
    "twilio": {"account_sid": ("string", MISSING), "account_token": ("password", MISSING),
               "from_number": ("string", MISSING), "to_numbers": ("list", MISSING)},
    "webhook": {"url": ("string", MISSING), "http_method": ("string", "POST"),
                "disable_ssl_verification": ("bool", False), "username": ("string", ""), "password": ("password", ""),
                "headers": ("object", MISSING)},
}
NOTIFICATION_VALUE_TYPES = {"string": (str,), "int": (int,), "bool": (bool,), "list": (list,), "password": (str,),
                            "object": (dict,)}
NOTIFICATION_EVENTS = ("started", "success", "error", "workflow_approval")
APPROVAL_EVENTS = ("running", "approved", "timed_out", "denied")
NOTIFICATION_OWNERS = {  # who has which notification_templates_* list (awx/api/urls/*.py)
    "organizations": NOTIFICATION_EVENTS[:3] + ("approvals",), "projects": NOTIFICATION_EVENTS[:3],
    "inventory_sources": NOTIFICATION_EVENTS[:3], "job_templates": NOTIFICATION_EVENTS[:3],
    "workflow_job_templates": NOTIFICATION_EVENTS[:3] + ("approvals",)}
# AWX's CredentialTypeInputField and CredentialTypeInjectorField schemas (awx/main/fields.py)
TYPE_INPUTS_SCHEMA = {
    "type": "object", "additionalProperties": False,
    "properties": {
        "required": {"type": "array", "items": {"type": "string"}},
        "fields": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["id", "label"],
            "properties": {
                "type": {"enum": ["string", "boolean"]}, "format": {"enum": ["ssh_private_key", "url"]},
                "choices": {"type": "array", "minItems": 1, "items": {"type": "string"}, "uniqueItems": True},
                "id": {"type": "string", "pattern": "^[a-zA-Z_]+[a-zA-Z0-9_]*$"},
                "label": {"type": "string"}, "help_text": {"type": "string"}, "multiline": {"type": "boolean"},
                "secret": {"type": "boolean"}, "ask_at_runtime": {"type": "boolean"}, "default": {}}}}}}
TYPE_INJECTORS_SCHEMA = {
    "type": "object", "additionalProperties": False,
    "properties": {
        "file": {"type": "object", "additionalProperties": False,
                 "patternProperties": {r"^template(\.[a-zA-Z_]+[a-zA-Z0-9_]*)?$": {"type": "string"}}},
        "env": {"type": "object", "additionalProperties": False,
                "patternProperties": {"^[a-zA-Z_]+[a-zA-Z0-9_]*$": {"type": "string", "pattern": "^[\x00-\x7F]*$"}}},
        "extra_vars": {"type": "object", "additionalProperties": False,
                       "patternProperties": {r"^[a-zA-Z_\{\}]+[a-zA-Z0-9_\{\}]*$": {
                           "anyOf": [{"type": "string"}, {"type": "array"}, {"$ref": "#/properties/extra_vars"}]}}}}}


class F:
    """A serializer field: ``kind`` char (CharNullField: null reads as ""), nchar (a nullable char), bool
    (BooleanNullField), int, choice (ChoiceNullField), fk (a primary key of ``ref``), json, vars (JSON/YAML text)."""

    def __init__(self, kind, default=None, required=False, ro=False, null=False, choices=None, ref=None, minimum=None,
                 write_only=False):
        self.kind, self.default, self.required, self.ro, self.null = kind, default, required, ro, null
        self.choices, self.ref, self.minimum, self.write_only = choices, ref, minimum, write_only


def _char(default=""):
    return F("char", default)


def _bool(default=False):
    return F("bool", default)


def _fk(ref, required=False):
    return F("fk", None, required=required, null=not required, ref=ref)


def _ro(default=None):
    return F("ro", default, ro=True)


BASE = {"name": F("char", "", required=True), "description": _char()}
UJT = {"last_job_run": _ro(), "last_job_failed": _ro(False), "next_job_run": _ro(), "status": _ro("never updated"),
       "execution_environment": _fk("execution_environments")}
LAUNCH_CONFIG = {"extra_data": F("json", {}), "inventory": _fk("inventories"), "scm_branch": F("nchar", null=True),
                 "job_type": F("choice", None, null=True, choices=("run", "check")), "job_tags": F("nchar", null=True),
                 "skip_tags": F("nchar", null=True), "limit": F("nchar", null=True),
                 "diff_mode": F("nbool", None, null=True),
                 "verbosity": F("choice", None, null=True, choices=(0, 1, 2, 3, 4, 5)),
                 "execution_environment": _fk("execution_environments"), "forks": F("int", None, null=True, minimum=0),
                 "job_slice_count": F("int", None, null=True, minimum=0), "timeout": F("int", None, null=True)}


class Kind:
    """One collection of the API: its path, ``type``, serializer fields and uniqueness rules."""

    def __init__(self, endpoint, type_name, label, fields, unique=(), order="id"):
        self.endpoint, self.type, self.label, self.fields, self.unique, self.order = (endpoint, type_name, label,
                                                                                      fields, unique, order)


KINDS = {k.endpoint: k for k in (
    Kind("organizations", "organization", "Organization",
         dict(BASE, max_hosts=F("int", 0, minimum=0), custom_virtualenv=_ro(),
              default_environment=_fk("execution_environments")), unique=(("name",),), order="name"),
    Kind("credential_types", "credential_type", "Credential type",
         dict(BASE, kind=F("choice", None, required=True, choices=CREDENTIAL_KINDS), namespace=_ro(),
              managed=_ro(False), inputs=F("json", {}), injectors=F("json", {})), unique=(("name", "kind"),),
         order="kind"),
    Kind("credentials", "credential", "Credential",
         dict(BASE, organization=_fk("organizations"), credential_type=_fk("credential_types", required=True),
              managed=_ro(False), inputs=F("json", {}), kind=_ro(), cloud=_ro(False), kubernetes=_ro(False),
              user=F("fk", None, null=True, ref="users", write_only=True),
              team=F("fk", None, null=True, ref="teams", write_only=True)),
         unique=(("organization", "name", "credential_type"),), order="name"),
    Kind("execution_environments", "execution_environment", "Execution environment",
         dict(BASE, organization=_fk("organizations"), image=F("char", "", required=True), managed=_ro(False),
              credential=_fk("credentials"), pull=F("choice", "", choices=("", "always", "missing", "never"))),
         unique=(("name",),)),
    Kind("projects", "project", "Project",
         dict(BASE, local_path=_char(), scm_type=F("choice", "", choices=("", "git", "svn", "insights", "archive")),
              scm_url=_char(), scm_branch=_char(), scm_refspec=_char(), scm_clean=_bool(),
              scm_track_submodules=_bool(), scm_delete_on_update=_bool(), credential=_fk("credentials"),
              timeout=F("int", 0), scm_revision=_ro(""), last_job_run=_ro(), last_job_failed=_ro(False),
              next_job_run=_ro(), status=_ro("never updated"), organization=_fk("organizations"),
              scm_update_on_launch=_bool(), scm_update_cache_timeout=F("int", 0, minimum=0), allow_override=_bool(),
              custom_virtualenv=_ro(), default_environment=_fk("execution_environments"),
              signature_validation_credential=_fk("credentials"), last_update_failed=_ro(False), last_updated=_ro()),
         unique=(("name", "organization"),)),
    Kind("inventories", "inventory", "Inventory",
         dict(BASE, organization=_fk("organizations", required=True),
              kind=F("choice", "", choices=("", "smart", "constructed")), host_filter=F("nchar", None, null=True),
              variables=F("vars", ""), has_active_failures=_ro(False), total_hosts=_ro(0),
              hosts_with_active_failures=_ro(0), total_groups=_ro(0), has_inventory_sources=_ro(False),
              total_inventory_sources=_ro(0), inventory_sources_with_failures=_ro(0), pending_deletion=_ro(False),
              prevent_instance_group_fallback=_bool()), unique=(("name", "organization"),), order="name"),
    Kind("inventory_sources", "inventory_source", "Inventory source",
         dict(BASE, source=F("choice", "", choices=INVENTORY_SOURCES), source_path=_char(), source_vars=F("vars", ""),
              scm_branch=_char(), credential=_fk("credentials"), enabled_var=_char(), enabled_value=_char(),
              host_filter=_char(), overwrite=_bool(), overwrite_vars=_bool(), custom_virtualenv=_ro(),
              timeout=F("int", 0), verbosity=F("choice", 1, choices=(0, 1, 2)), limit=_char(), **UJT,
              inventory=_fk("inventories", required=True), update_on_launch=_bool(),
              update_cache_timeout=F("int", 0, minimum=0), source_project=_fk("projects"),
              last_update_failed=_ro(False), last_updated=_ro()), unique=(("name", "inventory"),)),
    Kind("job_templates", "job_template", "Job template",
         dict(BASE, job_type=F("choice", "run", choices=("run", "check")), inventory=_fk("inventories"),
              project=_fk("projects"), playbook=_char(), scm_branch=_char(), forks=F("int", 0, minimum=0),
              limit=_char(), verbosity=F("choice", 0, choices=(0, 1, 2, 3, 4, 5)), extra_vars=F("vars", ""),
              job_tags=_char(), force_handlers=_bool(), skip_tags=_char(), start_at_task=_char(),
              timeout=F("int", 0), use_fact_cache=_bool(), organization=_ro(), **UJT, host_config_key=_char(),
              **{"ask_%s_on_launch" % a: _bool() for a in (
                  "scm_branch", "diff_mode", "variables", "limit", "tags", "skip_tags", "job_type", "verbosity",
                  "inventory", "credential", "execution_environment", "labels", "forks", "job_slice_count",
                  "timeout", "instance_groups")},
              survey_enabled=_bool(), become_enabled=_bool(), diff_mode=_bool(), allow_simultaneous=_bool(),
              custom_virtualenv=_ro(), job_slice_count=F("int", 1, minimum=0),
              webhook_service=F("choice", "", choices=("", "github", "gitlab", "bitbucket_dc")),
              webhook_credential=_fk("credentials"), prevent_instance_group_fallback=_bool()),
         unique=(("name", "organization"),), order="name"),
    Kind("workflow_job_templates", "workflow_job_template", "Workflow job template",
         dict(BASE, **{k: v for k, v in UJT.items() if k != "execution_environment"}, extra_vars=F("vars", ""),
              organization=_fk("organizations"), survey_enabled=_bool(), allow_simultaneous=_bool(),
              ask_variables_on_launch=_bool(), inventory=_fk("inventories"), limit=F("nchar", null=True),
              scm_branch=F("nchar", null=True), ask_inventory_on_launch=_bool(), ask_scm_branch_on_launch=_bool(),
              ask_limit_on_launch=_bool(),
              webhook_service=F("choice", "", choices=("", "github", "gitlab", "bitbucket_dc")),
              webhook_credential=_fk("credentials"), ask_labels_on_launch=_bool(), ask_skip_tags_on_launch=_bool(),
              ask_tags_on_launch=_bool(), skip_tags=F("nchar", null=True), job_tags=F("nchar", null=True)),
         unique=(("name", "organization"),), order="name"),
    Kind("workflow_job_template_nodes", "workflow_job_template_node", "Workflow job template node",
         dict(LAUNCH_CONFIG, workflow_job_template=_fk("workflow_job_templates", required=True),
              unified_job_template=_fk("unified_job_templates"), success_nodes=_ro(), failure_nodes=_ro(),
              always_nodes=_ro(), all_parents_must_converge=_bool(), identifier=F("char", None)),
         unique=(("identifier", "workflow_job_template"),)),
    Kind("schedules", "schedule", "Schedule",
         dict(BASE, **LAUNCH_CONFIG, unified_job_template=_fk("unified_job_templates", required=True),
              enabled=_bool(True), dtstart=_ro(), dtend=_ro(), rrule=F("char", "", required=True), next_run=_ro(),
              timezone=_ro(""), until=_ro("")), unique=(("unified_job_template", "name"),)),
    Kind("labels", "label", "Label", dict(name=F("char", "", required=True), organization=_fk("organizations", True)),
         unique=(("name", "organization"),), order="name"),
    Kind("instance_groups", "instance_group", "Instance group", dict(name=F("char", "", required=True)),
         unique=(("name",),), order="name"),
    Kind("notification_templates", "notification_template", "Notification template",
         dict(BASE, organization=F("fk", None, required=True, null=True, ref="organizations"),
              notification_type=F("choice", None, required=True, choices=tuple(sorted(NOTIFICATION_PARAMETERS))),
              notification_configuration=F("json", {}),
              messages=F("json", {e: None for e in NOTIFICATION_EVENTS}, null=True)),
         unique=(("organization", "name"),), order="name"),
    # no list and no POST: made by POST /workflow_job_template_nodes/<id>/create_approval_template/
    Kind("workflow_approval_templates", "workflow_approval_template", "Workflow approval template",
         dict(BASE, **UJT, timeout=F("int", 0))),
)}
TEMPLATE_KINDS = ("projects", "inventory_sources", "job_templates", "workflow_job_templates")
UJT_KINDS = TEMPLATE_KINDS + ("workflow_approval_templates",)  # the unified job templates, one id sequence
NO_LIST = ("workflow_approval_templates",)  # AWX has their detail only
SUMMARY = {  # AWX's SUMMARIZABLE_FK_FIELDS, for the references the objects here have
    "organization": ("id", "name", "description"), "inventory": ("id", "name", "description", "kind"),
    "project": ("id", "name", "description", "status", "scm_type", "allow_override"),
    "execution_environment": ("id", "name", "description", "image"),
    "default_environment": ("id", "name", "description", "image"), "credential_type": ("id", "name", "description"),
    "source_project": ("id", "name", "description", "status", "scm_type", "allow_override"),
    "credential": ("id", "name", "description", "kind", "cloud", "kubernetes", "credential_type_id"),
    "workflow_job_template": ("id", "name", "description"),
    "unified_job_template": ("id", "name", "description", "unified_job_type"),
    "notification_template": ("id", "name", "description"),
    "webhook_credential": ("id", "name", "description", "kind", "cloud", "credential_type_id"),
}


class Refused(Exception):
    """A request AWX refuses: its answer (status, body, headers), counted as a contract violation."""

    def __init__(self, body, status=400, headers=None):
        super().__init__(body)
        self.body, self.status, self.headers = body, status, headers


def skip_directory(relative):
    parts = [p for p in relative.split("/") if p]
    return bool({"roles", "tasks", "group_vars", "host_vars"} & set(parts)) or any(p.startswith(".") for p in parts)


class Repository:
    """The git server the lab plays for project updates: a local repository and the branches it publishes."""

    def __init__(self, path, branches=None):
        self.path, self.branches = path, dict(branches or {})

    def _git(self, *args, data=None):
        return subprocess.run(["git", "-C", self.path] + list(args), input=data, capture_output=True, timeout=60,
                              check=False)

    def resolve(self, branch):
        """The commit a project's ``scm_branch`` names (its default branch when empty), or None."""
        ref = self.branches.get(branch or "main", branch or "HEAD")
        done = self._git("rev-parse", "--verify", "--quiet", "%s^{commit}" % ref)
        return done.stdout.decode().strip() if done.returncode == 0 else None

    def scan(self, commit):
        """The playbooks and inventory files of a commit, found as AWX finds them in a project's checkout."""
        listing = self._git("ls-tree", "-r", "-z", commit).stdout.decode("utf-8", "replace").split("\0")
        entries = []
        for line in filter(None, listing):
            meta, _tab, path = line.partition("\t")
            if meta.split()[1] == "blob" and not skip_directory(posixpath.dirname(path)):
                entries.append((meta.split()[0], path))
        wanted = [p for _m, p in entries if os.path.splitext(p)[1] in (".yml", ".yaml")
                  or not os.path.splitext(posixpath.basename(p))[1]]
        out = self._git("cat-file", "--batch", data="".join("%s:%s\n" % (commit, p) for p in wanted).encode()).stdout
        contents, pos = {}, 0
        for path in wanted:
            header_end = out.index(b"\n", pos)
            size = int(out[pos:header_end].split()[2])
            contents[path] = out[header_end + 1:header_end + 1 + size].decode("utf-8", "ignore")
            pos = header_end + 1 + size + 1
        playbooks, inventories = [], []
        for mode, path in entries:
            name, ext = posixpath.basename(path), os.path.splitext(path)[1]
            text = contents.get(path, "")
            if ext in (".yml", ".yaml") and (text.startswith("$ANSIBLE_VAULT;")
                                             or any(PLAYBOOK_LINE.match(line) for line in text.splitlines())):
                playbooks.append(path)
            if name in ("inventory", "hosts") or ext == ".ini" or mode == "100755" or (
                    "." not in ext and any(INVENTORY_LINE.match(line) for line in text.splitlines()[:11])):
                inventories.append(path)
        return sorted(playbooks, key=str.lower), sorted(inventories, key=str.lower)[:51]


def default_repositories():
    """This collection's repository URL (galaxy.yml), served from this checkout; its ``main`` is the checkout's HEAD."""
    with open(os.path.join(REPO_ROOT, "galaxy.yml"), encoding="utf-8") as handle:
        url = yaml.safe_load(handle)["repository"]
    return {url: {"path": REPO_ROOT, "branches": {"main": "HEAD"}}}


class AWX:
    def __init__(self, spec, clock, secrets_store):
        self.username = spec.get("username", "admin")
        self.password = spec.get("password") or secrets_store.new("CONTROLLER_PASSWORD")
        self.token = spec.get("token") or secrets_store.new("CONTROLLER_OAUTH_TOKEN", 15)
        self.tokens = {}  # token -> id (the personal token handed out, then each one POST /api/v2/tokens/ issues)
        self.clock, self.lock = clock, threading.RLock()
        self.issued = []  # the tokens issued through the API, so that tests can look for them in output
        self.install_uuid = str(uuid.UUID(int=0x5eed))
        self.update_seconds = float(spec.get("project_update_seconds", 8))
        self.instance_groups = list(spec.get("instance_groups") or [])  # besides AWX's own controlplane and default
        self.repositories = {}
        for url, repo in dict(default_repositories(), **(spec.get("repositories") or {})).items():
            repo = repo if isinstance(repo, dict) else {"path": repo}
            self.repositories[self._normal_url(url)] = Repository(repo["path"], repo.get("branches"))
        self.objects = {name: {} for name in list(KINDS) + ["project_updates", "tokens", "users", "teams"]}
        self.next_id = {name: 1 for name in self.objects}
        self.log = []  # every write: action, resource, id, name, and the fields it changed
        self.base_url = ""
        self._seed()
        self.tokens[self.token] = self._token_object(description="lab personal access token")["id"]

    def error_body(self, status, message, action=None):
        return {"detail": message}

    # --- objects ---------------------------------------------------------------------------------------------------

    @staticmethod
    def _normal_url(url):
        url = (url or "").strip().rstrip("/")
        return url[:-4] if url.endswith(".git") else url

    def _stamp(self):
        return datetime.fromtimestamp(self.clock.now(), timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    def _new(self, resource, values):
        with self.lock:
            obj_id = self.next_id[resource]
            self.next_id[resource] += 1
            now = self._stamp()
            obj = dict(values, id=obj_id, _created=now, _modified=now)
            self.objects[resource][obj_id] = obj
            return obj

    def _seed(self):
        """What a fresh AWX 24 has: the Default organization, its execution environments, instance groups, the admin
        user and some of the managed credential types."""
        def defaults(resource, **values):
            kind = KINDS[resource]
            out = {n: copy.deepcopy(f.default) for n, f in kind.fields.items() if not f.write_only}
            out.update(values)
            return self._new(resource, out)

        self._new("users", {"username": self.username, "is_superuser": True, "first_name": "", "last_name": "",
                            "email": "admin@example.com"})
        defaults("organizations", name="Default", description="")
        for name in ["controlplane", "default"] + [g for g in self.instance_groups
                                                   if g not in ("controlplane", "default")]:
            defaults("instance_groups", name=name)
        defaults("execution_environments", name="AWX EE (latest)", image="quay.io/ansible/awx-ee:latest", pull="")
        defaults("execution_environments", name="Control Plane Execution Environment",
                 image="quay.io/ansible/awx-ee:%s" % VERSION, managed=True)
        for name, kind, namespace, fields in (
                ("Machine", "ssh", "ssh", ["username", "password", "ssh_key_data"]),
                ("Source Control", "scm", "scm", ["username", "password", "ssh_key_data"]),
                ("Vault", "vault", "vault", ["vault_password", "vault_id"]),
                ("Container Registry", "registry", "registry", ["host", "username", "password"]),
                ("GitHub Personal Access Token", "token", "github_token", ["token"]),
                ("Ansible Galaxy/Automation Hub API Token", "galaxy", "galaxy_api_token", ["url", "token"])):
            defaults("credential_types", name=name, kind=kind, namespace=namespace, managed=True,
                     inputs={"fields": [{"id": f, "label": f.replace("_", " ").title(), "type": "string"}
                                        for f in fields]})
        galaxy = next(o for o in self.objects["credential_types"].values() if o["kind"] == "galaxy")
        defaults("credentials", name="Ansible Galaxy", credential_type=galaxy["id"], managed=True,
                 inputs={"url": "https://galaxy.ansible.com/"})

    def _token_object(self, description="", token=None):
        return self._new("tokens", {"description": description, "user": 1, "token": token, "application": None,
                                    "scope": "write", "refresh_token": None})

    def _get(self, resource, obj_id):
        if resource == "unified_job_templates":
            for name in UJT_KINDS:
                if obj_id in self.objects[name] and self.objects[name][obj_id].get("_ujt"):
                    return self.objects[name][obj_id]
            return None
        return self.objects[resource].get(obj_id)

    def _ujt_id(self):
        """Unified job templates share one id sequence, as the model's table does."""
        with self.lock:
            taken = [o["id"] for r in UJT_KINDS for o in self.objects[r].values()]
            new = max(taken + [0]) + 1
            for name in UJT_KINDS:
                self.next_id[name] = new
            return new

    def find(self, resource, **filters):
        """The objects of a collection as the API shows them, filtered by exact field values (for the tests)."""
        with self.lock:
            self._advance()
            rows = [self.view(resource, o) for o in self._all(resource)]
            return [r for r in rows if all(r.get(k) == v for k, v in filters.items())]

    def state(self):
        """Every object a client made, as the API shows it, without the times (the tests compare two states)."""
        with self.lock:
            self._advance()
            out = {}
            for resource in KINDS:
                rows = []
                for obj in self._all(resource):
                    row = self.view(resource, obj)
                    for key in ("created", "modified", "summary_fields", "related", "last_job_run", "next_run",
                                "next_job_run", "last_updated"):
                        row.pop(key, None)
                    if resource in ("job_templates", "workflow_job_templates"):
                        row["survey_spec"] = obj.get("_survey", {})
                        row["credentials"] = sorted(obj.get("_credentials", []))
                        for sub, key in self._member_lists(resource):
                            row[sub] = list(obj.get(key, []))
                    rows.append(row)
                out[resource] = rows
            return out

    def survey(self, resource, obj_id):
        return copy.deepcopy(self.objects[resource][obj_id].get("_survey", {}))

    @staticmethod
    def _member_lists(resource):
        """The association lists of a template besides its credentials: (sub-path, key in the object)."""
        out = [("notification_templates_" + note, "_nt_" + note) for note in NOTIFICATION_OWNERS.get(resource, ())]
        return out + ([("instance_groups", "_instance_groups")] if resource == "job_templates" else [])

    def associated(self, resource, obj_id, sub):
        """The objects (as the API shows them) in one association list of an object, in its order: ``sub`` is the
        sub-path (``notification_templates_error``, ``instance_groups``, ``success_nodes``...), for the tests."""
        with self.lock:
            obj = self.objects[resource][obj_id]
            note = sub[len("notification_templates_"):] if sub.startswith("notification_templates_") else None
            key = "_nt_" + note if note else "_" + sub
            target = {"instance_groups": "instance_groups", "credentials": "credentials", "labels": "labels"}.get(
                sub, "notification_templates" if key.startswith("_nt_") else "workflow_job_template_nodes")
            return [self.view(target, self.objects[target][i]) for i in obj.get(key, []) if i in self.objects[target]]

    def credentials_of(self, obj_id):
        """The credentials (as the API shows them) of a job template."""
        return [self.view("credentials", self.objects["credentials"][c])
                for c in self.objects["job_templates"][obj_id].get("_credentials", [])]

    def injected_env(self, credential_id):
        """The environment AWX's ``CredentialType.inject_credential`` gives a job from this credential's ``env``
        injectors (a field the credential does not set renders empty)."""
        import jinja2.sandbox  # pylint: disable=import-outside-toplevel
        credential = self.objects["credentials"][credential_id]
        ctype = self.objects["credential_types"][credential["credential_type"]]
        namespace = dict(credential.get("inputs") or {})
        environment = jinja2.sandbox.ImmutableSandboxedEnvironment()
        templates = (ctype.get("injectors") or {}).get("env", {})
        return {name: environment.from_string(template).render(**namespace)
                for name, template in templates.items() if name not in ENV_BLOCKLIST}

    def _all(self, resource):
        if resource == "unified_job_templates":
            rows = [o for r in UJT_KINDS for o in self.objects[r].values() if o.get("_ujt")]
            return sorted(rows, key=lambda o: (o["name"], o["id"]))
        return list(self.objects[resource].values())

    def _resource_of(self, obj):
        for name, objects in self.objects.items():
            if objects.get(obj["id"]) is obj:
                return name
        return None

    # --- representation --------------------------------------------------------------------------------------------

    def _url(self, resource, obj_id, sub=""):
        return "%s%s/%d/%s" % (API, resource, obj_id, sub + "/" if sub else "")

    def view(self, resource, obj):
        """An object as AWX's serializer shows it."""
        if resource == "unified_job_templates":
            resource = self._resource_of(obj)
        if resource == "project_updates":
            return self._update_view(obj)
        kind = KINDS[resource]
        out = {"id": obj["id"], "type": kind.type, "url": self._url(resource, obj["id"]),
               "related": self._related(resource, obj), "summary_fields": self._summary(resource, obj),
               "created": obj["_created"], "modified": obj["_modified"]}
        for name, field in kind.fields.items():
            if not field.write_only:
                out[name] = copy.deepcopy(obj.get(name, field.default))
        if resource == "credentials":
            ctype = self.objects["credential_types"][obj["credential_type"]]
            secret = {f["id"] for f in (ctype.get("inputs") or {}).get("fields", []) if f.get("secret")}
            out["inputs"] = {k: ("$encrypted$" if k in secret and v not in ("", None) else v)
                             for k, v in (obj.get("inputs") or {}).items()}
            out.update(kind=ctype.get("namespace"), cloud=ctype["kind"] == "cloud",
                       kubernetes=ctype["kind"] == "kubernetes")
        if resource == "projects" and not obj.get("scm_type"):
            out["scm_revision"] = ""
        if resource == "workflow_job_template_nodes":
            for link in ("success_nodes", "failure_nodes", "always_nodes"):
                out[link] = list(obj.get("_" + link, []))
        if resource == "notification_templates":  # display_notification_configuration: a stored secret is not shown
            parameters = NOTIFICATION_PARAMETERS.get(obj.get("notification_type"), {})
            out["notification_configuration"] = {
                k: ("$encrypted$" if parameters.get(k, ("",))[0] == "password" and v not in ("", None) else v)
                for k, v in (obj.get("notification_configuration") or {}).items()}
        return out

    def _related(self, resource, obj):
        res = {}
        named = self._named(resource, obj)
        if named:
            res["named_url"] = "%s%s/%s/" % (API, resource, quote(named, safe="+"))
        if resource not in ("instance_groups",):
            res.update(created_by=self._url("users", 1), modified_by=self._url("users", 1))
        subs = {
            "organizations": ("execution_environments", "projects", "inventories", "job_templates",
                              "workflow_job_templates", "users", "admins", "teams", "credentials", "applications",
                              "activity_stream", "notification_templates", "notification_templates_started",
                              "notification_templates_success", "notification_templates_error",
                              "notification_templates_approvals", "object_roles", "access_list",
                              "instance_groups", "galaxy_credentials"),
            "credential_types": ("credentials", "activity_stream"),
            "credentials": ("activity_stream", "access_list", "object_roles", "owner_users", "owner_teams", "copy",
                            "input_sources"),
            "execution_environments": ("activity_stream", "unified_job_templates", "copy"),
            "projects": ("teams", "playbooks", "inventory_files", "update", "project_updates",
                         "scm_inventory_sources", "schedules", "activity_stream", "notification_templates_started",
                         "notification_templates_success", "notification_templates_error", "access_list",
                         "object_roles", "copy"),
            "inventories": ("hosts", "variable_data", "script", "activity_stream", "job_templates",
                            "ad_hoc_commands", "access_list", "object_roles", "instance_groups", "copy", "labels",
                            "groups", "root_groups", "update_inventory_sources", "inventory_sources", "tree"),
            "inventory_sources": ("update", "inventory_updates", "schedules", "activity_stream", "hosts", "groups",
                                  "notification_templates_started", "notification_templates_success",
                                  "notification_templates_error", "credentials"),
            "job_templates": ("labels", "credentials", "jobs", "schedules", "activity_stream", "launch",
                              "webhook_key", "notification_templates_started", "notification_templates_success",
                              "notification_templates_error", "access_list", "survey_spec", "object_roles",
                              "instance_groups", "slice_workflow_jobs", "copy"),
            "workflow_job_templates": ("workflow_jobs", "schedules", "launch", "webhook_key", "workflow_nodes",
                                       "labels", "activity_stream", "notification_templates_started",
                                       "notification_templates_success", "notification_templates_error",
                                       "notification_templates_approvals", "access_list", "object_roles",
                                       "survey_spec", "copy"),
            "workflow_job_template_nodes": ("create_approval_template", "success_nodes", "failure_nodes",
                                            "always_nodes", "credentials", "labels", "instance_groups"),
            "schedules": ("unified_jobs", "credentials", "labels", "instance_groups"),
            "labels": (), "instance_groups": ("jobs", "instances"),
            "notification_templates": ("test", "notifications", "copy"),
            "workflow_approval_templates": ("jobs",),
        }[resource]
        if resource == "workflow_approval_templates":  # AWX names its list of approvals "jobs"
            res["jobs"] = self._url(resource, obj["id"], "approvals")
        res.update({sub: self._url(resource, obj["id"], sub) for sub in subs})
        if resource == "projects":
            res["inventory_files"] = self._url(resource, obj["id"], "inventories")
        if resource in ("job_templates", "workflow_job_templates"):
            res["webhook_receiver"] = ""
        for name, field in KINDS[resource].fields.items():
            if field.kind == "fk" and obj.get(name) and not field.write_only:
                target = self._get(field.ref, obj[name])
                if target is not None:
                    res[name] = self._url(self._resource_of(target), target["id"])
        for link in ("current_update", "last_update"):
            if obj.get("_" + link):
                res[link] = self._url("project_updates", obj["_" + link])
        return res

    def _named(self, resource, obj):
        """The object's named URL part, as AWX's NAMED_URL_GRAPH builds it (``name++organization``, ...)."""
        def org(item):
            return self.objects["organizations"][item["organization"]]["name"] if item.get("organization") else ""

        if resource in ("organizations", "execution_environments", "instance_groups"):
            return obj["name"]
        if resource == "credential_types":
            return "%s+%s" % (obj["name"], obj["kind"])
        if resource in ("projects", "inventories", "job_templates", "workflow_job_templates", "labels",
                        "notification_templates"):
            return "%s++%s" % (obj["name"], org(obj))
        if resource == "credentials":
            ctype = self.objects["credential_types"][obj["credential_type"]]
            return "%s++%s+%s++%s" % (obj["name"], ctype["name"], ctype["kind"], org(obj))
        return None

    def _summary(self, resource, obj):
        out = {}
        for name, field in KINDS[resource].fields.items():
            if field.kind == "fk" and obj.get(name) and name in SUMMARY and not field.write_only:
                target = self._get(field.ref, obj[name])
                if target is None:
                    continue
                target_view = dict(target)
                target_resource = self._resource_of(target)
                if target_resource == "credentials":
                    target_view.update(credential_type_id=target["credential_type"],
                                       kind=self.objects["credential_types"][target["credential_type"]]["namespace"])
                if name == "unified_job_template":
                    target_view["unified_job_type"] = {"projects": "project_update",
                                                       "inventory_sources": "inventory_update",
                                                       "job_templates": "job",
                                                       "workflow_job_templates": "workflow_job",
                                                       "workflow_approval_templates": "workflow_approval"
                                                       }[target_resource]
                out[name] = {k: target_view.get(k) for k in SUMMARY[name] if target_view.get(k) is not None}
                if name == "unified_job_template" and target_resource == "workflow_approval_templates":
                    out[name]["timeout"] = target.get("timeout", 0)
        out["created_by"] = out["modified_by"] = {"id": 1, "username": self.username, "first_name": "",
                                                  "last_name": ""}
        out["user_capabilities"] = {"edit": True, "delete": True}
        if resource == "organizations":
            out["related_field_counts"] = {r: sum(1 for o in self.objects[r].values()
                                                  if o.get("organization") == obj["id"])
                                           for r in ("inventories", "job_templates", "projects")}
            out["related_field_counts"].update(teams=0, users=0, admins=0)
        for link in ("current_update", "last_update"):
            if obj.get("_" + link):
                update = self.objects["project_updates"][obj["_" + link]]
                out[link] = {"id": update["id"], "name": update["name"], "description": "",
                             "status": update["status"], "failed": update["status"] in ("failed", "error")}
        if resource == "notification_templates":
            out["recent_notifications"] = []
            out["user_capabilities"]["copy"] = True
        if resource in ("job_templates", "workflow_job_templates"):
            survey = obj.get("_survey") or {}
            if "name" in survey and "description" in survey:
                out["survey"] = {"title": survey["name"], "description": survey["description"]}
            out["recent_jobs"] = []
            out["labels"] = {"count": len(obj.get("_labels", [])), "results": [
                {"id": i, "name": self.objects["labels"][i]["name"]} for i in obj.get("_labels", [])[:10]]}
        if resource == "job_templates":
            out["credentials"] = [{"id": c["id"], "name": c["name"], "description": c["description"],
                                   "kind": c["kind"], "cloud": c["cloud"]} for c in self.credentials_of(obj["id"])]
        return out

    def _update_view(self, update):
        project = self.objects["projects"].get(update["project"])
        return {"id": update["id"], "type": "project_update", "url": self._url("project_updates", update["id"]),
                "related": {"project": self._url("projects", update["project"]),
                            "unified_job_template": self._url("projects", update["project"]),
                            "cancel": self._url("project_updates", update["id"], "cancel"),
                            "events": self._url("project_updates", update["id"], "events"),
                            "stdout": self._url("project_updates", update["id"], "stdout")},
                "summary_fields": {"project": {"id": update["project"], "name": project["name"] if project else "",
                                               "status": project["status"] if project else ""}},
                "created": update["_created"], "modified": update["_modified"], "name": update["name"],
                "description": "", "unified_job_template": update["project"], "launch_type": update["launch_type"],
                "status": update["status"], "execution_environment": update["execution_environment"],
                "failed": update["status"] in ("failed", "error"), "started": update.get("started"),
                "finished": update.get("finished"), "canceled_on": None, "elapsed": update.get("elapsed", 0.0),
                "job_explanation": update.get("job_explanation", ""), "execution_node": "awx-lab",
                "result_traceback": "", "event_processing_finished": update["status"] in ("successful", "failed"),
                "launched_by": {"id": 1, "name": self.username, "type": "user", "url": self._url("users", 1)},
                "work_unit_id": None, "local_path": update["local_path"], "scm_type": update["scm_type"],
                "scm_url": update["scm_url"], "scm_branch": update["scm_branch"], "scm_refspec": "",
                "scm_clean": False, "scm_track_submodules": False, "scm_delete_on_update": False, "credential": None,
                "timeout": 0, "scm_revision": update.get("scm_revision", ""), "project": update["project"],
                "job_type": "check", "job_tags": "update_git,install_roles,install_collections"}

    # --- project updates (the lab is the git server) ---------------------------------------------------------------

    def _start_update(self, project):
        update = self._new("project_updates", {
            "name": project["name"], "project": project["id"], "status": "pending", "launch_type": "manual",
            "execution_environment": project.get("default_environment"), "local_path": project["local_path"],
            "scm_type": project["scm_type"], "scm_url": project["scm_url"], "scm_branch": project["scm_branch"],
            "_sim": self.clock.now()})
        project["_current_update"] = update["id"]
        project["status"] = "pending"
        return update

    def _advance(self):
        """Project updates move on in simulated time: pending, running, then successful or failed."""
        now = self.clock.now()
        for update in self.objects["project_updates"].values():
            if update["status"] in ("successful", "failed"):
                continue
            elapsed = now - update["_sim"]
            project = self.objects["projects"].get(update["project"])
            if elapsed < min(2.0, self.update_seconds):
                continue
            if elapsed < self.update_seconds:
                if update["status"] == "pending":
                    update.update(status="running", started=self._stamp())
                    if project is not None:
                        project["status"] = "running"
                continue
            self._finish_update(update, project, elapsed)

    def _finish_update(self, update, project, elapsed):
        repo = self.repositories.get(self._normal_url(update["scm_url"]))
        commit = repo.resolve(update["scm_branch"]) if repo is not None else None
        update.update(started=update.get("started") or self._stamp(), finished=self._stamp(),
                      elapsed=round(elapsed, 3))
        if commit is None:
            update.update(status="failed", job_explanation=(
                "fatal: repository '%s' not found" % update["scm_url"] if repo is None else
                "fatal: couldn't find remote ref %s" % (update["scm_branch"] or "HEAD")))
        else:
            playbooks, inventories = repo.scan(commit)
            update.update(status="successful", scm_revision=commit)
        if project is None or project.get("_current_update") != update["id"]:
            return
        project.update(_current_update=None, _last_update=update["id"], status=update["status"],
                       last_update_failed=update["status"] == "failed", last_updated=update["finished"],
                       last_job_run=update["finished"], last_job_failed=update["status"] == "failed")
        if commit is not None:
            project.update(scm_revision=commit, _playbooks=playbooks, _inventories=inventories)

    # --- HTTP ------------------------------------------------------------------------------------------------------

    def _answer(self, payload=None, status=200, headers=None):
        headers = dict(headers or {}, **{"X-API-Product-Name": "AWX", "X-API-Product-Version": VERSION,
                                         "X-API-Node": "awx-lab", "X-API-Time": "0.010s", "Vary": "Accept"})
        if payload is None:
            return Response(b"", status=status, headers=headers)
        return json_response(payload, status=status, headers=headers)

    def _user(self, request):
        """1 (the admin) for good credentials, None for none sent, False for refused ones."""
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            return 1 if header[7:].strip() in self.tokens else False
        if header.startswith("Basic "):
            try:
                user, _sep, password = b64decode(header[6:]).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                return False
            return 1 if user == self.username and secrets.compare_digest(password, self.password) else False
        return False if header else None

    def __call__(self, request):
        try:
            with self.lock:
                self._advance()
                return self._route(request)
        except Refused as exc:
            raise ContractViolation(self._answer(exc.body, status=exc.status, headers=exc.headers),
                                    "AWX refuses %s %s: %s" % (request.method, request.path,
                                                               json.dumps(exc.body, sort_keys=True)[:300]))

    def _route(self, request):
        path = request.path
        if not path.endswith("/"):
            location = path + "/" + ("?" + request.query_string.decode() if request.query_string else "")
            if request.method in ("GET", "HEAD"):
                return self._answer({}, status=301, headers={"Location": location})
            # Django's APPEND_SLASH redirects it too, and the client's redirect drops the body: the write is lost
            raise Refused({}, status=301, headers={"Location": location})
        if path == "/api/":
            return self._answer({"description": "AWX REST API", "current_version": API,
                                 "available_versions": {"v2": API}, "oauth2": "/api/o/", "custom_logo": "",
                                 "custom_login_info": "", "login_redirect_override": ""})
        if path == API:
            return self._answer({n: API + n + "/" for n in ["ping", "config", "me", "tokens", "users", "teams",
                                                            "unified_job_templates", "project_updates"]
                                 + [k for k in KINDS if k not in NO_LIST]})
        if path == API + "ping/":
            return self._answer({"ha": False, "version": VERSION, "active_node": "awx-lab",
                                 "install_uuid": self.install_uuid,
                                 "instances": [{"node": "awx-lab", "node_type": "hybrid", "uuid": self.install_uuid,
                                                "heartbeat": self._stamp(), "capacity": 100, "version": VERSION}],
                                 "instance_groups": [{"name": o["name"], "capacity": 100, "instances": ["awx-lab"]}
                                                     for o in self.objects["instance_groups"].values()]})
        user = self._user(request)
        if user is None:
            return self._answer(UNAUTHENTICATED, status=401, headers={"WWW-Authenticate": 'Bearer realm="api"'})
        if user is False:
            detail = ("Invalid username/password." if request.headers.get("Authorization", "").startswith("Basic ")
                      else "Invalid token header.")
            return self._answer({"detail": detail}, status=401, headers={"WWW-Authenticate": 'Bearer realm="api"'})
        if not path.startswith(API):
            return self._answer({"detail": "The requested resource could not be found."}, status=404)
        parts = path[len(API):].strip("/").split("/")
        if parts == ["me"]:
            return self._page(request, [self._user_view(self.objects["users"][1])])
        if parts == ["config"]:
            return self._answer({"time_zone": "UTC", "version": VERSION, "eula": "", "analytics_status": "off",
                                 "license_info": {"license_type": "open", "valid_key": True, "subscription_name":
                                                  "OPEN", "product_name": "AWX"}, "project_base_dir":
                                 "/var/lib/awx/projects", "project_local_paths": [], "custom_virtualenvs": [],
                                 "become_methods": [["sudo", "Sudo"], ["su", "Su"]], "ui_next": False})
        if parts[0] == "tokens":
            return self._tokens(request, parts)
        if parts[0] == "project_updates":
            return self._project_updates(request, parts)
        resource = parts[0]
        if resource not in KINDS and resource != "unified_job_templates":
            return self._answer({"detail": "The requested resource could not be found."}, status=404)
        if len(parts) == 1:
            if resource in NO_LIST:
                return self._answer({"detail": "The requested resource could not be found."}, status=404)
            if request.method in ("GET", "HEAD"):
                return self._page(request, [self.view(resource, o) for o in self._list(request, resource)])
            if request.method == "POST" and resource not in ("unified_job_templates", "instance_groups"):
                return self._create(resource, self._body(request))
            return self._not_allowed(request)
        if not parts[1].isdigit():
            return self._answer({"detail": "Not found."}, status=404)
        obj = self._get(resource, int(parts[1]))
        if obj is None:
            return self._answer({"detail": "Not found."}, status=404)
        if resource == "unified_job_templates":
            resource = self._resource_of(obj)
        if len(parts) == 2:
            return self._detail(request, resource, obj)
        return self._sub(request, resource, obj, "/".join(parts[2:]))

    def _not_allowed(self, request):
        return self._answer({"detail": 'Method "%s" not allowed.' % request.method}, status=405)

    @staticmethod
    def _body(request):
        if not request.data:
            return {}
        if "json" not in (request.mimetype or ""):
            raise Refused({"detail": 'Unsupported media type "%s" in request.' % request.mimetype}, status=415)
        try:
            return json.loads(request.data)
        except ValueError as exc:
            raise Refused({"detail": "JSON parse error - %s" % exc}) from None

    def _user_view(self, user):
        return {"id": user["id"], "type": "user", "url": self._url("users", user["id"]), "related": {},
                "summary_fields": {}, "created": self._stamp(), "modified": self._stamp(),
                "username": user["username"], "first_name": "", "last_name": "", "email": user["email"],
                "is_superuser": True, "is_system_auditor": False, "password": "$encrypted$", "ldap_dn": "",
                "last_login": self._stamp(), "external_account": None}

    def _tokens(self, request, parts):
        if len(parts) == 1 and request.method == "POST":
            body = self._body(request)
            scope = body.get("scope", "write")
            if scope not in ("read", "write"):
                raise Refused({"scope": ["Invalid scope: %s. Must be one or more of: read, write." % scope]})
            token = secrets.token_urlsafe(22)
            obj = self._token_object(body.get("description") or "", token)
            self.tokens[token] = obj["id"]
            self.issued.append(token)
            return self._answer(self._token_view(obj, with_token=True), status=201,
                                headers={"Location": self._url("tokens", obj["id"])})
        if len(parts) == 1 and request.method == "GET":
            return self._page(request, [self._token_view(o) for o in self.objects["tokens"].values()])
        obj = self.objects["tokens"].get(int(parts[1])) if len(parts) == 2 and parts[1].isdigit() else None
        if obj is None:
            return self._answer({"detail": "Not found."}, status=404)
        if request.method == "DELETE":
            del self.objects["tokens"][obj["id"]]
            self.tokens = {t: i for t, i in self.tokens.items() if i != obj["id"]}
            return self._answer(None, status=204)
        return self._answer(self._token_view(obj))

    def _token_view(self, obj, with_token=False):
        return {"id": obj["id"], "type": "o_auth2_access_token", "url": self._url("tokens", obj["id"]),
                "related": {"user": self._url("users", 1),
                            "activity_stream": self._url("tokens", obj["id"], "activity_stream")},
                "summary_fields": {"user": {"id": 1, "username": self.username}}, "created": obj["_created"],
                "modified": obj["_modified"], "description": obj["description"], "user": 1,
                "token": obj["token"] if with_token else "************", "refresh_token": None, "application": None,
                "expires": "2999-12-31T00:00:00Z", "scope": obj["scope"]}

    def _project_updates(self, request, parts):
        if len(parts) == 1:
            return self._page(request, [self._update_view(u) for u in self.objects["project_updates"].values()])
        update = self.objects["project_updates"].get(int(parts[1])) if parts[1].isdigit() else None
        if update is None:
            return self._answer({"detail": "Not found."}, status=404)
        if len(parts) == 2 and request.method in ("GET", "HEAD"):
            return self._answer(self._update_view(update))
        return self._not_allowed(request)

    # --- lists -----------------------------------------------------------------------------------------------------

    def _list(self, request, resource, rows=None):
        rows = self._all(resource) if rows is None else rows
        views = {o["id"]: self.view(resource, o) for o in rows}
        ors = []
        for key in request.args:
            if key in RESERVED_QUERY:
                continue
            values = request.args.getlist(key)
            if key.startswith("or__"):
                ors.append((key[4:], values))
                continue
            rows = [o for o in rows if all(self._matches(resource, views[o["id"]], key, v) for v in values)]
        if ors:
            rows = [o for o in rows if any(self._matches(resource, views[o["id"]], k, v) for k, vs in ors for v in vs)]
        search = request.args.get("search")
        if search:
            rows = [o for o in rows if search.lower() in (o.get("name", "") + o.get("description", "")).lower()]
        order = request.args.get("order_by") or KINDS.get(resource, KINDS["job_templates"]).order
        reverse = order.startswith("-")
        return sorted(rows, key=lambda o: (str(views[o["id"]].get(order.lstrip("-"), "")), o["id"]), reverse=reverse)

    def _matches(self, resource, row, key, value):
        if key.startswith("not__"):
            return not self._matches(resource, row, key[5:], value)
        field, _sep, lookup = key.partition("__")
        lookup = lookup or "exact"
        fields = (set(row) - {"url", "related", "summary_fields"}) | {"type"}
        if resource == "unified_job_templates":
            fields |= {"name", "description", "organization", "type", "status", "execution_environment"}
        if field not in fields or lookup not in ("exact", "iexact", "contains", "icontains", "startswith",
                                                 "istartswith", "in", "isnull", "gt", "gte", "lt", "lte"):
            raise Refused({"detail": "Cannot resolve keyword '%s' into field. Choices are: %s"
                                     % (key, ", ".join(sorted(fields)))})
        have = row.get(field)
        if lookup == "isnull":
            return (have is None) == (value.lower() in ("true", "1"))
        text = "" if have is None else (str(have).lower() if isinstance(have, bool) else str(have))
        if lookup == "in":
            return text in value.split(",")
        if lookup in ("gt", "gte", "lt", "lte"):
            try:
                left, right = float(text), float(value)
            except ValueError:
                left, right = text, value
            return {"gt": left > right, "gte": left >= right, "lt": left < right, "lte": left <= right}[lookup]
        if isinstance(have, bool):
            value = {"1": "true", "0": "false"}.get(value.lower(), value.lower())
        if have is None:
            return value in ("None", "null") and lookup == "exact"
        return {"exact": text == value, "iexact": text.lower() == value.lower(), "contains": value in text,
                "icontains": value.lower() in text.lower(), "startswith": text.startswith(value),
                "istartswith": text.lower().startswith(value.lower())}[lookup]

    def _page(self, request, rows):
        try:
            size = min(int(request.args.get("page_size", PAGE_SIZE)), MAX_PAGE_SIZE)
            page = int(request.args.get("page", 1))
        except ValueError:
            return self._answer({"detail": "Invalid page."}, status=404)
        pages = max(1, -(-len(rows) // max(size, 1)))
        if page < 1 or page > pages:
            return self._answer({"detail": "Invalid page."}, status=404)

        def link(number):
            query = [(k, v) for k in request.args for v in request.args.getlist(k) if k != "page"]
            return request.path + "?" + urlencode(query + [("page", number)])
        return self._answer({"count": len(rows), "next": link(page + 1) if page < pages else None,
                             "previous": link(page - 1) if page > 1 else None,
                             "results": rows[(page - 1) * size:page * size]})

    # --- writes ----------------------------------------------------------------------------------------------------

    def _coerce(self, field, value, errors, name):
        if field.kind == "nbool":
            field = F("bool") if value is not None else field
        if value is None and field.kind in ("char", "choice", "bool", "vars") and not field.null:
            value = {"bool": False}.get(field.kind, "")  # AWX's CharNullField/ChoiceNullField/BooleanNullField
        if value is None:
            if field.null or field.kind == "nbool":
                return None
            errors[name] = ["This field may not be null."]
            return None
        if field.kind in ("char", "nchar", "vars"):
            if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                errors[name] = ["Not a valid string."]
                return None
            value = str(value)
            if field.kind == "vars" and value.strip():
                try:
                    parsed = json.loads(value)
                except ValueError:
                    try:
                        parsed = yaml.safe_load(value)
                    except yaml.YAMLError as exc:
                        errors[name] = ["Cannot parse as JSON (error: %s) or YAML (error: %s)." % ("invalid", exc)]
                        return None
                if not isinstance(parsed, dict):
                    errors[name] = ["Input type `%s` is not a dictionary" % type(parsed).__name__]
                    return None
            return value
        if field.kind == "bool":
            truth = {"true": True, "false": False, "1": True, "0": False, "": False}  # DRF's BooleanField, and ""
            text = str(value).lower() if isinstance(value, (bool, int, str)) else None
            if text not in truth:
                errors[name] = ["Must be a valid boolean."]
                return None
            return truth[text]
        if field.kind == "int":
            if isinstance(value, bool) or not str(value).lstrip("-").isdigit():
                errors[name] = ["A valid integer is required."]
                return None
            if field.minimum is not None and int(value) < field.minimum:
                errors[name] = ["Ensure this value is greater than or equal to %d." % field.minimum]
                return None
            return int(value)
        if field.kind == "choice":
            value = {str(c): c for c in field.choices}.get(str(value), value) if not isinstance(value, bool) else value
            if value not in field.choices:
                errors[name] = ['"%s" is not a valid choice.' % value]
                return None
            return value
        if field.kind == "fk":
            if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).isdigit():
                errors[name] = ["Incorrect type. Expected pk value, received %s." % type(value).__name__]
                return None
            if self._get(field.ref, int(value)) is None:
                errors[name] = ['Invalid pk "%s" - object does not exist.' % value]
                return None
            return int(value)
        if field.kind == "json":
            if not isinstance(value, (dict, list)):
                errors[name] = ["Value must be valid JSON."]
                return None
            return copy.deepcopy(value)
        return value

    def _attrs(self, resource, body, obj=None, partial=False):
        if not isinstance(body, dict):
            raise Refused({"non_field_errors": ["Invalid data. Expected a dictionary, but got %s."
                                                % type(body).__name__]})
        kind, attrs, errors = KINDS[resource], {}, {}
        for name, field in kind.fields.items():
            if field.ro or (field.write_only and obj is not None):
                continue
            if name in body:
                attrs[name] = self._coerce(field, body[name], errors, name)
            elif field.required and (obj is None or not partial):
                errors[name] = ["This field is required."]
            elif obj is None or not partial:
                attrs[name] = copy.deepcopy(field.default)
        if resource in ("inventory_sources", "workflow_job_template_nodes") and obj is not None:
            pinned = "inventory" if resource == "inventory_sources" else "workflow_job_template"
            attrs.pop(pinned, None)  # read-only once created
        if errors:
            raise Refused(errors)
        return attrs

    def _create(self, resource, body, parent=None):
        attrs = self._attrs(resource, body)
        if parent:
            attrs.update(parent)
        merged = self._validate(resource, attrs, None)
        self._unique(resource, merged, None)
        for owner in ("user", "team"):  # write-only: they only give the new credential its owner
            merged.pop(owner, None)
        if resource in TEMPLATE_KINDS:
            self._ujt_id()
        obj = self._new(resource, dict(merged, _ujt=resource in TEMPLATE_KINDS))
        self._after_save(resource, obj, None, set(merged))
        self.log.append({"action": "create", "resource": resource, "id": obj["id"],
                         "name": obj.get("name", obj.get("identifier")), "fields": sorted(merged)})
        return self._answer(self.view(resource, obj), status=201, headers={"Location": self._url(resource, obj["id"])})

    def _detail(self, request, resource, obj):
        if request.method in ("GET", "HEAD"):
            return self._answer(self.view(resource, obj))
        if request.method in ("PATCH", "PUT"):
            attrs = self._attrs(resource, self._body(request), obj, partial=request.method == "PATCH")
            before = {k: copy.deepcopy(v) for k, v in obj.items()}
            merged = self._validate(resource, attrs, obj)
            self._unique(resource, dict(obj, **merged), obj)
            changed = sorted(k for k, v in merged.items() if before.get(k) != v)
            obj.update(merged)
            if changed:
                obj["_modified"] = self._stamp()
            self._after_save(resource, obj, before, set(changed))
            self.log.append({"action": "update", "resource": resource, "id": obj["id"],
                             "name": obj.get("name", obj.get("identifier")), "fields": changed})
            return self._answer(self.view(resource, obj))
        if request.method == "DELETE":
            del self.objects[resource][obj["id"]]
            self.log.append({"action": "delete", "resource": resource, "id": obj["id"], "name": obj.get("name"),
                             "fields": []})
            self._after_delete(resource, obj)
            return self._answer(None, status=202 if resource == "inventories" else 204)
        return self._not_allowed(request)

    def _after_delete(self, resource, obj):
        """AWX's signals: a node takes its approval template with it; a node whose template is gone has none."""
        if resource == "workflow_job_template_nodes":
            self._drop_approval_template(obj.get("unified_job_template"))
        if resource in UJT_KINDS:
            for node in self.objects["workflow_job_template_nodes"].values():
                if node.get("unified_job_template") == obj["id"]:
                    node["unified_job_template"] = None

    def _drop_approval_template(self, ujt_id):
        approval = self.objects["workflow_approval_templates"].pop(ujt_id or 0, None)
        if approval is not None:
            self.log.append({"action": "delete", "resource": "workflow_approval_templates", "id": approval["id"],
                             "name": approval.get("name"), "fields": []})

    def _unique(self, resource, values, obj):
        for fields in KINDS[resource].unique:
            for other in self.objects[resource].values():
                if other is obj or (obj is not None and other["id"] == obj["id"]):
                    continue
                if all(other.get(f) == values.get(f) for f in fields):
                    label = KINDS[resource].label
                    if fields == ("name",):
                        raise Refused({"name": ["%s with this Name already exists." % label]})
                    if resource in TEMPLATE_KINDS:
                        model = {"projects": "Project", "inventory_sources": "InventorySource",
                                 "job_templates": "JobTemplate",
                                 "workflow_job_templates": "WorkflowJobTemplate"}[resource]
                        raise Refused({"__all__": ["%s with this (%s) combination already exists."
                                                   % (model, ", ".join(fields))]})
                    labels = [f.replace("_", " ").capitalize() for f in fields]  # Django's get_text_list
                    names = ", ".join(labels[:-1]) + " and " + labels[-1]
                    raise Refused({"__all__": ["%s with this %s already exists." % (label, names)]})

    def _validate(self, resource, attrs, obj):
        """The serializer's ``validate`` and the model's ``clean``: returns the attributes to save."""
        def current(name):
            return attrs.get(name, (obj or {}).get(name))

        if resource == "credential_types":
            if obj is not None and obj.get("managed"):
                raise Refused({"detail": "Modifications not allowed for managed credential types"}, status=403)
            if "kind" in attrs and attrs["kind"] not in ("cloud", "net"):
                raise Refused({"kind": ["Must be 'cloud' or 'net', not %s" % attrs["kind"]]})
            if obj is not None and "inputs" in attrs and attrs["inputs"] != obj.get("inputs") and any(
                    c["credential_type"] == obj["id"] for c in self.objects["credentials"].values()):
                raise Refused({"detail": "Modifications to inputs are not allowed for credential types that are in "
                                         "use"}, status=403)
            attrs.update(self._check_type(current("inputs") or {}, current("injectors") or {}, attrs))
            attrs["managed"] = False
            attrs.setdefault("namespace", None)
        elif resource == "credentials":
            if obj is not None and obj.get("managed"):
                raise Refused({"detail": "Modifications not allowed for managed credentials"}, status=403)
            if obj is None and not any(attrs.get(k) for k in ("user", "team", "organization")):
                raise Refused({"detail": "Missing 'user', 'team', or 'organization'."})
            ctype = self.objects["credential_types"][current("credential_type")]
            inputs = dict(current("inputs") or {})
            if obj is not None and "inputs" in attrs:  # $encrypted$ keeps what is stored
                inputs = {k: (obj.get("inputs", {}).get(k) if v == "$encrypted$" else v) for k, v in inputs.items()}
            attrs["inputs"] = self._check_inputs(ctype, inputs, obj is None)
        elif resource == "execution_environments":
            if "image" in attrs and not IMAGE.fullmatch(attrs["image"] or ""):
                raise Refused({"image": ["The container image name %s is not valid" % attrs["image"]]})
            if attrs.get("credential"):
                cred = self.objects["credentials"][attrs["credential"]]
                if self.objects["credential_types"][cred["credential_type"]]["kind"] != "registry":
                    raise Refused({"credential": ["Only Container Registry credentials can be associated with an "
                                                  "Execution Environment"]})
        elif resource == "projects":
            self._validate_project(attrs, obj, current)
        elif resource == "inventories":
            if current("kind") == "smart" and not current("host_filter"):
                raise Refused({"host_filter": ["Smart inventories must specify host_filter"]})
        elif resource == "inventory_sources":
            self._validate_inventory_source(attrs, obj, current)
        elif resource == "job_templates":
            self._validate_job_template(attrs, obj, current)
        elif resource == "workflow_job_template_nodes":
            if obj is None and not attrs.get("identifier"):
                attrs["identifier"] = str(uuid.uuid4())
            ujt = self._get("unified_job_templates", current("unified_job_template") or 0)
            if ujt is not None and self._resource_of(ujt) == "projects" and not ujt.get("scm_type"):
                raise Refused({"unified_job_template": ["Manual Project cannot have a schedule set."]})
            if ujt is None:  # LaunchConfigurationBaseSerializer.validate: without a template only these are kept
                return {k: v for k, v in attrs.items()
                        if k in ("workflow_job_template", "identifier", "all_parents_must_converge")}
            if attrs.get("extra_data"):
                self._check_node_variables(ujt, attrs["extra_data"])
        elif resource == "schedules":
            self._validate_schedule(attrs, current)
        elif resource == "notification_templates":
            self._validate_notification_template(attrs, obj, current)
        elif resource in ("workflow_job_templates", "organizations", "workflow_approval_templates"):
            pass
        return attrs

    def _check_node_variables(self, ujt, extra_data):
        """A node's ``extra_data`` against its template, as ``_accept_or_ignore_job_kwargs`` checks it for a node
        (``exclude_errors=('required',)``: a survey's required answers may come from the workflow or the launch)."""
        resource = self._resource_of(ujt)
        if resource not in ("job_templates", "workflow_job_templates"):
            raise Refused({"extra_data": ["Field is not allowed on launch."]})
        if not isinstance(extra_data, dict):
            raise Refused({"extra_data": ["Input type `%s` is not a dictionary" % type(extra_data).__name__]})
        errors, left = {}, dict(extra_data)
        survey = ujt.get("_survey") or {}
        if ujt.get("survey_enabled") and survey:
            problems = []
            for item in survey.get("spec", []):
                found = self._survey_answer_errors(item, extra_data)
                problems += found
                left.pop(item.get("variable"), None)
            if problems:
                errors["variables_needed_to_start"] = problems
        if ujt.get("ask_variables_on_launch"):
            left = {}
        text = ujt.get("extra_vars") or ""
        own = (json.loads(text) if text.lstrip().startswith("{") else yaml.safe_load(text)) if text.strip() else {}
        left = {k: v for k, v in left.items() if not (k in (own or {}) and own[k] == v)}
        if left:
            errors["extra_data"] = ["Variables %s are not allowed on launch. Check the Prompt on Launch setting on the "
                                    "%s to include Extra Variables." % (", ".join(str(k) for k in left), {
                                        "job_templates": "Job Template",
                                        "workflow_job_templates": "Workflow Job Template"}[resource])]
        if errors:
            raise Refused(errors)

    @staticmethod
    def _survey_answer_errors(item, data):
        """AWX's ``_survey_element_validation`` of one answer given (a missing one is not checked here)."""
        variable, qtype = item.get("variable"), item.get("type")
        if variable not in data:
            return []
        value = data[variable]
        if qtype in ("text", "textarea", "password") and not isinstance(value, str):
            return ["Value %s for '%s' expected to be a string." % (value, variable)]
        if qtype == "integer" and type(value) is not int:  # pylint: disable=unidiomatic-typecheck
            return ["Value %s for '%s' expected to be an integer." % (value, variable)]
        if qtype == "float" and type(value) not in (float, int):  # pylint: disable=unidiomatic-typecheck
            return ["Value %s for '%s' expected to be a numeric type." % (value, variable)]
        choices = item.get("choices") or []
        if isinstance(choices, str):
            choices = [c for c in choices.splitlines() if c.strip() != ""]
        if qtype == "multiselect":
            if not isinstance(value, list):
                return ["'%s' value is expected to be a list." % variable]
            return ["Value %s for '%s' expected to be one of %s." % (v, variable, choices) for v in value
                    if v not in choices]
        if qtype == "multiplechoice" and value not in choices:
            return ["Value %s for '%s' expected to be one of %s." % (value, variable, choices)]
        return []

    def _validate_notification_template(self, attrs, obj, current):
        """NotificationTemplateSerializer.validate (and validate_messages): the configuration against the type's
        backend parameters, filled with their defaults; ``$encrypted$`` keeps a stored secret on an update."""
        notification_type = current("notification_type")
        if not notification_type:
            raise Refused({"__all__": ["Missing required fields for Notification Configuration: notification_type"]})
        if attrs.get("messages") is not None:
            self._check_messages(attrs["messages"])
        if "notification_configuration" not in attrs:
            return
        config = attrs["notification_configuration"]
        if not isinstance(config, dict):
            raise Refused({"notification_configuration": ['Expected a dictionary of items but got type "%s".'
                                                          % type(config).__name__]})
        missing, wrong, errors, forward = [], [], [], []
        for field, (field_type, default) in NOTIFICATION_PARAMETERS[notification_type].items():
            if field not in config:
                if default is MISSING:
                    missing.append(field)
                    continue
                config[field] = copy.deepcopy(default)
            value = config[field]
            if type(value) not in NOTIFICATION_VALUE_TYPES[field_type]:  # pylint: disable=unidiomatic-typecheck
                wrong.append((field, field_type))
                continue
            if field_type == "list" and len(value) < 1:
                errors.append("No values specified for field '%s'" % field)
                continue
            if field_type == "password" and value == "$encrypted$" and obj is not None:
                forward.append(field)
            if field == "http_method" and value.lower() not in ("put", "post"):
                errors.append("HTTP method must be either 'POST' or 'PUT'.")
        if missing:
            errors.append("Missing required fields for Notification Configuration: %s." % missing)
        errors += ["Configuration field '%s' incorrect type, expected %s." % w for w in wrong]
        if errors:
            raise Refused({"__all__": errors})
        for field in forward:
            config[field] = (obj.get("notification_configuration") or {}).get(field, "")

    @staticmethod
    def _check_messages(messages):
        """The structure NotificationTemplateSerializer.validate_messages asks of ``messages`` (not the rendering)."""
        errors = []

        def check(pair):
            for kind, text in pair.items():
                if kind not in ("message", "body"):
                    errors.append("Message type '%s' invalid, must be either 'message' or 'body'" % kind)
                elif text is not None and not isinstance(text, str):
                    errors.append("Expected string for '%s', found %s, " % (kind, type(text)))
                elif kind == "message" and text and "\n" in text:
                    errors.append("Messages cannot contain newlines")

        if not isinstance(messages, dict):
            errors.append("Expected dict for 'messages' field, found %s" % type(messages))
        else:
            for event, value in messages.items():
                if event not in NOTIFICATION_EVENTS:
                    errors.append("Event '%s' invalid, must be one of 'started', 'success', 'error', or "
                                  "'workflow_approval'" % event)
                elif value is not None and not isinstance(value, dict):
                    errors.append("Expected dict for event '%s', found %s" % (event, type(value)))
                elif value is not None and event == "workflow_approval":
                    for sub, pair in value.items():
                        if sub not in APPROVAL_EVENTS:
                            errors.append("Workflow Approval event '%s' invalid, must be one of 'running', 'approved', "
                                          "'timed_out', or 'denied'" % sub)
                        elif isinstance(pair, dict):
                            check(pair)
                elif value is not None:
                    check(value)
        if errors:
            raise Refused({"messages": errors})

    def _check_type(self, inputs, injectors, attrs):
        """AWX's CredentialTypeInputField and CredentialTypeInjectorField."""
        for name, value, schema in (("inputs", inputs, TYPE_INPUTS_SCHEMA),
                                    ("injectors", injectors, TYPE_INJECTORS_SCHEMA)):
            if not isinstance(value, dict):
                raise Refused({name: ["Must be a dict"]})
            for error in Draft4Validator(schema).iter_errors(value):
                message = error.message
                if error.validator == "pattern" and list(error.path)[-1:] == ["id"]:
                    message = "%s is an invalid variable name" % error.instance
                raise Refused({name: ["%s%s" % ("%s: " % ".".join(str(p) for p in error.path) if error.path else "",
                                                message)]})
        if "dependencies" in inputs:
            raise Refused({"inputs": ["'dependencies' is not supported for custom credentials."]})
        ids = set()
        for field in inputs.get("fields", []):
            if field["id"] == "tower":
                raise Refused({"inputs": ['"tower" is a reserved field name']})
            if field["id"] in ids:
                raise Refused({"inputs": ["field IDs must be unique (%s)" % field["id"]]})
            ids.add(field["id"])
            field.setdefault("type", "string")  # AWX stores the default type in the field
            if "default" in field and not isinstance(field["default"], {"string": str, "boolean": bool}[field["type"]]):
                raise Refused({"inputs": ["%s is not a %s" % (field["default"], field["type"])]})
            for key in ("choices", "multiline", "format", "secret"):
                if key in field and field["type"] != "string":
                    raise Refused({"inputs": ["%s not allowed for %s type (%s)" % (key, field["type"], field["id"])]})
            if field.get("ask_at_runtime"):
                raise Refused({"inputs": ["'ask_at_runtime' is not supported for custom credentials."]})
        import jinja2  # pylint: disable=import-outside-toplevel
        import jinja2.sandbox  # pylint: disable=import-outside-toplevel
        environment = jinja2.sandbox.ImmutableSandboxedEnvironment(undefined=jinja2.StrictUndefined)
        namespace = {field_id: "EXAMPLE" for field_id in ids}
        for type_, injector in injectors.items():
            for key, template in (injector.items() if type_ != "extra_vars" else self._flat(injector)):
                if type_ == "env" and key.startswith("ANSIBLE_"):
                    raise Refused({"injectors": ["Environment variable %s may affect Ansible configuration so its use "
                                                 "is not allowed in credentials." % key]})
                if type_ == "env" and key in ENV_BLOCKLIST:
                    raise Refused({"injectors": ["Environment variable %s is not allowed to be used in credentials."
                                                 % key]})
                try:
                    environment.from_string(template).render(namespace)
                except jinja2.UndefinedError as exc:
                    raise Refused({"injectors": ["%s uses an undefined field (%s)" % (key, exc)]}) from None
                except jinja2.TemplateSyntaxError as exc:
                    raise Refused({"injectors": ["Syntax error rendering template for %s inside of %s (%s)"
                                                 % (key, type_, exc)]}) from None
        return {"inputs": inputs, "injectors": injectors} if "inputs" in attrs or "injectors" in attrs else {}

    def _flat(self, node, key=None):
        if isinstance(node, dict):
            for k, v in node.items():
                yield from self._flat(v, k if key is None else "%s.%s" % (key, k))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                yield from self._flat(v, "%s[%d]" % (key, i))
        else:
            yield key, node

    @staticmethod
    def _check_inputs(ctype, inputs, creating):
        """AWX's CredentialInputField: the inputs against the fields of their credential type."""
        fields = {f["id"]: f for f in (ctype.get("inputs") or {}).get("fields", [])}
        secret = {k for k, f in fields.items() if f.get("secret")}
        if creating:
            for name in secret:
                if inputs.get(name) == "$encrypted$":
                    raise Refused({"inputs": ["$encrypted$ is a reserved keyword, and cannot be used for %s." % name]})
        errors = {}
        for name, value in inputs.items():
            if name not in fields:
                raise Refused({"inputs": ["Additional properties are not allowed (%r was unexpected)" % name]})
            want = {"string": str, "boolean": bool}[fields[name].get("type", "string")]
            if not isinstance(value, want):
                errors[name] = ["%r is not of type %r" % (value, fields[name].get("type", "string"))]
            elif fields[name].get("choices") and value not in fields[name]["choices"]:
                errors[name] = ["%r is not one of %r" % (value, fields[name]["choices"])]
        if errors:
            raise Refused({"inputs": errors})
        return inputs

    def _validate_project(self, attrs, obj, current):
        scm_type = current("scm_type") or ""
        errors = {}
        if obj is not None and scm_type and "local_path" in attrs and attrs["local_path"] != obj.get("local_path"):
            errors["local_path"] = ["Cannot change local_path for %s-based projects" % scm_type]
        if scm_type:
            attrs.pop("local_path", None)
        if current("scm_branch") and scm_type == "archive":
            errors["scm_branch"] = ["SCM branch cannot be used with archive projects."]
        if current("scm_refspec") and scm_type != "git":
            errors["scm_refspec"] = ["SCM refspec can only be used with git projects."]
        if current("scm_track_submodules") and scm_type != "git":
            errors["scm_track_submodules"] = ["SCM track_submodules can only be used with git projects."]
        if errors:
            raise Refused(errors)
        if not scm_type:
            for name in ("scm_update_on_launch", "scm_delete_on_update", "scm_track_submodules", "scm_clean"):
                if current(name):
                    raise Refused({name: ["Update options must be set to false for manual projects."]})
        if scm_type and not current("scm_url"):
            raise Refused({"scm_url": ["SCM URL is required."]})
        if attrs.get("credential"):
            kind = self.objects["credential_types"][self.objects["credentials"][attrs["credential"]]
                                                    ["credential_type"]]["kind"]
            if kind != "scm":
                raise Refused({"credential": ["Credential kind must be 'scm'."]})
        if obj is not None and "allow_override" in attrs and obj.get("allow_override") and not attrs["allow_override"]:
            used = [str(j["id"]) for j in self.objects["job_templates"].values() if j.get("project") == obj["id"]
                    and (j.get("ask_scm_branch_on_launch") or j.get("scm_branch"))]
            if used:
                raise Refused({"allow_override": ["One or more job templates depend on branch override behavior for "
                                                  "this project (ids: %s)." % " ".join(used)]})

    def _validate_inventory_source(self, attrs, obj, current):
        source = current("source")
        if "source_vars" in attrs and attrs["source_vars"].strip():
            for name in (json.loads(attrs["source_vars"]) if attrs["source_vars"].lstrip().startswith("{")
                         else yaml.safe_load(attrs["source_vars"])):
                if name in INV_ENV_VARIABLE_BLOCKED:
                    raise Refused({"source_vars": ["`%s` is a prohibited environment variable" % name]})
        project = self.objects["projects"].get(current("source_project") or 0)
        if attrs.get("source_project") and project is not None and not project.get("scm_type"):
            raise Refused({"source_project": ["Cannot use manual project for SCM-based inventory."]})
        inventory = self.objects["inventories"].get(current("inventory") or 0)
        if "inventory" in attrs and inventory is not None and inventory.get("kind") in ("constructed", "smart"):
            raise Refused({"inventory": {"detail": "Cannot create Inventory Source for Smart or Constructed "
                                                   "Inventories"}})
        if source == "scm":
            if ("source" in attrs or "source_project" in attrs) and project is None:
                raise Refused({"source_project": ["Project required for scm type sources."]})
        elif source == "constructed":
            raise Refused({"error": "constructed not a valid source for inventory"})
        else:
            redundant = [n for n in ("source_project", "source_path", "scm_branch") if attrs.get(n)]
            if redundant:
                raise Refused({"detail": "Cannot set %s if not SCM type." % " ".join(redundant)})
        if current("scm_branch") and project is not None and not project.get("allow_override"):
            raise Refused({"scm_branch": ["Project does not allow overriding branch."]})

    def _validate_job_template(self, attrs, obj, current):
        project = self.objects["projects"].get(current("project") or 0)
        if current("host_config_key") and not current("inventory"):
            raise Refused({"host_config_key": ["Cannot enable provisioning callback without an inventory set."]})
        if project is None:
            raise Refused({"project": ["Job Templates must have a project assigned."]})
        if not current("inventory") and not current("ask_inventory_on_launch"):
            raise Refused({"inventory": ["You must either set a default value or ask to prompt on launch."]})
        credential = self.objects["credentials"].get(current("webhook_credential") or 0)
        if credential is not None:
            ctype = self.objects["credential_types"][credential["credential_type"]]
            if ctype["kind"] != "token":
                raise Refused({"webhook_credential": ["Must be a Personal Access Token."]})
            if not current("webhook_service") or ctype["namespace"] != "%s_token" % current("webhook_service"):
                raise Refused({"webhook_credential": ["Must match the selected webhook service."]})
        playbook = current("playbook") or ""
        known = project.get("_playbooks", []) if project.get("scm_type") else []
        if playbook and project.get("scm_type") and not project.get("allow_override") and playbook not in known:
            raise Refused({"playbook": ["Playbook not found for project."]})
        if not playbook:
            raise Refused({"playbook": ["Must select playbook for project."]})
        if current("scm_branch") and not project.get("allow_override"):
            raise Refused({"scm_branch": ["Project does not allow overriding branch."]})
        if current("ask_scm_branch_on_launch") and not project.get("allow_override"):
            raise Refused({"ask_scm_branch_on_launch": ["Project does not allow overriding branch."]})
        attrs["organization"] = project.get("organization")  # read-only: the project's

    def _validate_schedule(self, attrs, current):
        rrule = current("rrule") or ""
        errors = []
        starts = re.findall(r".*?(DTSTART(;[^:]+)?\:[0-9]+T[0-9]+Z?)", rrule)
        if not starts:
            errors.append("Valid DTSTART required in rrule. Value should start with: DTSTART:YYYYMMDDTHHMMSSZ")
        if re.findall(r".*?(DTSTART:[0-9]+T[0-9]+) ", rrule):
            errors.append("DTSTART cannot be a naive datetime.  Specify ;TZINFO= or YYYYMMDDTHHMMSSZZ.")
        if len(starts) > 1:
            errors.append("Multiple DTSTART is not supported.")
        if "rrule:" not in rrule.lower():
            errors.append("One or more rule required in rrule.")
        for word in ("exdate", "rdate"):
            if word + ":" in rrule.lower():
                raise Refused({"rrule": ["%s not allowed in rrule." % word.upper()]})
        for rule in re.findall(r".*?(RULE\:[^\s]*)", rrule):
            if "interval" not in rule.lower():
                errors.append("INTERVAL required in rrule: %s" % rule)
            elif "secondly" in rule.lower():
                errors.append("SECONDLY is not supported: %s" % rule)
            if re.match(r".*?BYDAY[\:\=][0-9]+[a-zA-Z]{2}", rule):
                errors.append("BYDAY with numeric prefix not supported: %s" % rule)
            if "COUNT" in rule and "UNTIL" in rule:
                errors.append("RRULE may not contain both COUNT and UNTIL: %s" % rule)
            count = re.match(r".*?(COUNT\=[0-9]+)", rule)
            if count and int(count.group(1).split("=")[1]) > 999:
                errors.append("COUNT > 999 is unsupported: %s" % rule)
        computed = {}
        if not errors:
            computed = self._rrule_times(rrule, errors)
        if errors:
            raise Refused({"rrule": errors})
        ujt = self._get("unified_job_templates", current("unified_job_template") or 0)
        if ujt is not None and self._resource_of(ujt) == "projects" and not ujt.get("scm_type"):
            raise Refused({"unified_job_template": ["Manual Project cannot have a schedule set."]})
        attrs.update(computed)

    def _rrule_times(self, rrule, errors):
        """dtstart, next_run and timezone as AWX computes them (with dateutil when the lab has it)."""
        tzid = re.search(r"DTSTART;TZID=([^:]+):", rrule)
        out = {"timezone": tzid.group(1) if tzid else "UTC", "until": "", "dtend": None}
        try:
            from dateutil import rrule as rrules  # pylint: disable=import-outside-toplevel
        except ImportError:
            return out
        try:
            ruleset = rrules.rrulestr(rrule, forceset=True)
            first = ruleset[0]
            if first.tzinfo is None:
                raise ValueError("A valid TZID must be provided (e.g., America/New_York)")
        except (ValueError, IndexError, KeyError) as exc:
            errors.append("rrule parsing failed validation: %s" % exc)
            return out
        now = datetime.fromtimestamp(self.clock.now(), timezone.utc)
        upcoming = ruleset.after(now)
        fmt = "%Y-%m-%dT%H:%M:%SZ"
        out.update(dtstart=first.astimezone(timezone.utc).strftime(fmt),
                   next_run=upcoming.astimezone(timezone.utc).strftime(fmt) if upcoming else None)
        return out

    def _after_save(self, resource, obj, before, changed):
        if resource == "projects":
            if before is None and obj.get("scm_type"):
                obj["local_path"] = "_%d__%s" % (obj["id"], re.sub(r"[^a-z0-9]+", "_", obj["name"].lower()).strip("_"))
            triggers = {"scm_url", "scm_branch", "scm_type", "scm_refspec"}
            if obj.get("scm_type") and (before is None or changed & triggers):
                self._start_update(obj)
            if not obj.get("scm_type") and before is None:
                obj["status"] = "missing" if not obj.get("local_path") else "ok"
        if resource == "inventory_sources" and before is None:
            inventory = self.objects["inventories"][obj["inventory"]]
            inventory.update(has_inventory_sources=True,
                             total_inventory_sources=inventory.get("total_inventory_sources", 0) + 1)
        if resource == "workflow_job_template_nodes" and before is not None and "unified_job_template" in changed:
            self._drop_approval_template(before.get("unified_job_template"))  # delete_approval_node_type_change

    def _create_approval_template(self, request, node):
        """POST /workflow_job_template_nodes/<id>/create_approval_template/ (WorkflowJobTemplateNodeCreateApproval):
        a new approval template from ``name``, ``description`` and ``timeout``, made the node's template (the one it
        had before is deleted); GET shows an empty form."""
        if request.method in ("GET", "HEAD"):
            return self._answer({})
        if request.method != "POST":
            return self._not_allowed(request)
        body = self._body(request)
        if not isinstance(body, dict):
            raise Refused({"non_field_errors": ["Invalid data. Expected a dictionary, but got %s."
                                                % type(body).__name__]})
        fields = {n: KINDS["workflow_approval_templates"].fields[n] for n in ("timeout", "name", "description")}
        attrs, errors = {}, {}
        for name, field in fields.items():
            if name in body:
                attrs[name] = self._coerce(field, body[name], errors, name)
            elif field.required:
                errors[name] = ["This field is required."]
        if errors:
            raise Refused(errors)
        kind = KINDS["workflow_approval_templates"]
        values = {n: copy.deepcopy(f.default) for n, f in kind.fields.items()}
        values.update(attrs, _ujt=True)
        self._ujt_id()
        approval = self._new("workflow_approval_templates", values)
        self.log.append({"action": "create", "resource": "workflow_approval_templates", "id": approval["id"],
                         "name": approval["name"], "fields": sorted(attrs)})
        previous = node.get("unified_job_template")
        node.update(unified_job_template=approval["id"], _modified=self._stamp())
        self.log.append({"action": "update", "resource": "workflow_job_template_nodes", "id": node["id"],
                         "name": node.get("identifier"), "fields": ["unified_job_template"]})
        if previous != approval["id"]:
            self._drop_approval_template(previous)
        return self._answer(self.view("workflow_approval_templates", approval), status=201)

    # --- sub-resources ---------------------------------------------------------------------------------------------

    def _sub(self, request, resource, obj, sub):
        links = {("job_templates", "credentials"): ("credentials", "_credentials"),
                 ("job_templates", "labels"): ("labels", "_labels"),
                 ("job_templates", "instance_groups"): ("instance_groups", "_instance_groups"),
                 ("workflow_job_templates", "labels"): ("labels", "_labels"),
                 ("organizations", "instance_groups"): ("instance_groups", "_instance_groups"),
                 ("organizations", "galaxy_credentials"): ("credentials", "_galaxy_credentials"),
                 ("inventories", "instance_groups"): ("instance_groups", "_instance_groups"),
                 ("workflow_job_template_nodes", "success_nodes"): ("workflow_job_template_nodes", "_success_nodes"),
                 ("workflow_job_template_nodes", "failure_nodes"): ("workflow_job_template_nodes", "_failure_nodes"),
                 ("workflow_job_template_nodes", "always_nodes"): ("workflow_job_template_nodes", "_always_nodes"),
                 ("workflow_job_template_nodes", "credentials"): ("credentials", "_credentials"),
                 ("schedules", "credentials"): ("credentials", "_credentials")}
        for owner, notes in NOTIFICATION_OWNERS.items():
            for note in notes:
                links[(owner, "notification_templates_" + note)] = ("notification_templates", "_nt_" + note)
        if (resource, sub) in links:
            return self._association(request, resource, obj, sub, *links[(resource, sub)])
        if resource == "workflow_job_template_nodes" and sub == "create_approval_template":
            return self._create_approval_template(request, obj)
        if resource == "workflow_approval_templates" and sub == "approvals" and request.method == "GET":
            return self._page(request, [])  # the lab runs no workflow: no approval was ever asked
        if sub == "survey_spec" and resource in ("job_templates", "workflow_job_templates"):
            return self._survey(request, resource, obj)
        if resource == "projects" and sub in ("playbooks", "inventories") and request.method == "GET":
            return self._answer(list(obj.get("_" + sub, [])) if obj.get("scm_type") else [])
        if resource == "projects" and sub == "project_updates" and request.method == "GET":
            return self._page(request, [self._update_view(u) for u in self.objects["project_updates"].values()
                                        if u["project"] == obj["id"]])
        if resource == "projects" and sub == "update":
            if request.method == "GET":
                return self._answer({"can_update": bool(obj.get("scm_type"))})
            if request.method == "POST" and obj.get("scm_type"):
                update = self._start_update(obj)
                view = self._update_view(update)
                return self._answer(dict(view, project_update=update["id"]), status=202,
                                    headers={"Location": view["url"]})
            return self._not_allowed(request)
        if sub == "workflow_nodes" and resource == "workflow_job_templates":
            rows = [n for n in self.objects["workflow_job_template_nodes"].values()
                    if n["workflow_job_template"] == obj["id"]]
            if request.method == "POST":
                return self._create("workflow_job_template_nodes", self._body(request),
                                    parent={"workflow_job_template": obj["id"]})
            return self._page(request, [self.view("workflow_job_template_nodes", n)
                                        for n in self._list(request, "workflow_job_template_nodes", rows)])
        if sub == "schedules" and resource in TEMPLATE_KINDS:
            rows = [s for s in self.objects["schedules"].values() if s["unified_job_template"] == obj["id"]]
            if request.method == "POST":
                return self._create("schedules", self._body(request), parent={"unified_job_template": obj["id"]})
            return self._page(request, [self.view("schedules", s) for s in self._list(request, "schedules", rows)])
        return self._answer({"detail": "The requested resource could not be found."}, status=404)

    def _association(self, request, resource, obj, sub, target, key):
        members = obj.setdefault(key, [])
        if request.method == "GET":
            rows = [self.objects[target][i] for i in members if i in self.objects.get(target, {})]
            listed = self._list(request, target, rows)
            if target == "instance_groups" and not request.args.get("order_by"):  # ordered by position
                listed = sorted(listed, key=lambda o: members.index(o["id"]))
            return self._page(request, [self.view(target, o) for o in listed])
        if request.method != "POST":
            return self._not_allowed(request)
        body = self._body(request)
        if not isinstance(body, dict):
            raise Refused("invalid type for post data")
        sub_id = body.get("id")
        if sub_id is not None and (isinstance(sub_id, bool) or not isinstance(sub_id, int)):
            raise Refused({"msg": '"id" field must be an integer.'})
        if "disassociate" in body:
            if not sub_id:
                raise Refused({"msg": '"id" is required to disassociate'})
            if sub_id in members:
                members.remove(sub_id)
                self.log.append({"action": "disassociate", "resource": resource, "id": obj["id"],
                                 "name": obj.get("name", obj.get("identifier")), "fields": [sub], "member": sub_id})
            return self._answer(None, status=204)
        if not sub_id:
            raise Refused({"msg": "%s 'id' field is missing." % KINDS.get(target, KINDS["labels"]).label.title()})
        other = self.objects.get(target, {}).get(sub_id)
        if other is None:
            raise Refused({"detail": "Not found."})
        error = self._relation_error(resource, obj, sub, target, other)
        if error:
            raise Refused(error)
        if sub_id not in members:
            members.append(sub_id)
            self.log.append({"action": "associate", "resource": resource, "id": obj["id"],
                             "name": obj.get("name", obj.get("identifier")), "fields": [sub], "member": sub_id})
        return self._answer(None, status=204)

    def _relation_error(self, resource, obj, sub, target, other):
        if resource == "job_templates" and sub == "credentials":
            ctype = self.objects["credential_types"][other["credential_type"]]
            if any(self.objects["credentials"][c]["credential_type"] == other["credential_type"]
                   for c in obj.get("_credentials", [])):
                return {"error": "Cannot assign multiple %s credentials." % ctype["name"]}
            if ctype["kind"] not in ("ssh", "vault", "cloud", "net", "kubernetes"):
                return {"error": "Cannot assign a Credential of kind `%s`." % ctype["kind"]}
        if target == "workflow_job_template_nodes":
            if other["id"] == obj["id"]:
                return {"Error": "Cycle detected."}
            if other["workflow_job_template"] != obj["workflow_job_template"]:
                raise Refused({"detail": "You do not have permission to perform this action."}, status=403)
            kinds = ["_success_nodes", "_failure_nodes", "_always_nodes"]
            kinds.remove("_" + sub)
            if any(other["id"] in obj.get(k, []) for k in kinds):
                return {"Error": "Relationship not allowed."}
            if self._reaches(other, obj["id"]):
                return {"Error": "Cycle detected."}
        return None

    def _reaches(self, node, goal, seen=None):
        seen = seen or set()
        if node["id"] == goal:
            return True
        seen.add(node["id"])
        for key in ("_success_nodes", "_failure_nodes", "_always_nodes"):
            for child in node.get(key, []):
                if child not in seen and self._reaches(self.objects["workflow_job_template_nodes"][child], goal, seen):
                    return True
        return False

    def _survey(self, request, resource, obj):
        if request.method == "GET":
            spec = copy.deepcopy(obj.get("_survey") or {})
            for item in spec.get("spec", []):
                if item.get("type") == "password" and item.get("default"):
                    item["default"] = "$encrypted$"
            return self._answer(spec)
        if request.method == "DELETE":
            obj["_survey"] = {}
            self.log.append({"action": "survey", "resource": resource, "id": obj["id"], "name": obj["name"],
                             "fields": ["survey_spec"]})
            return self._answer(None, status=200)
        if request.method != "POST":
            return self._not_allowed(request)
        spec = self._body(request)
        self._check_survey(spec, obj.get("_survey") or {})
        changed = spec != obj.get("_survey")
        obj["_survey"] = spec
        self.log.append({"action": "survey", "resource": resource, "id": obj["id"], "name": obj["name"],
                         "fields": ["survey_spec"] if changed else []})
        return self._answer(None, status=200)

    @staticmethod
    def _check_survey(spec, old):
        """AWX's JobTemplateSurveySpec._validate_spec_data."""
        if not isinstance(spec, dict):
            raise Refused({"error": "Survey spec must be a JSON object."})
        for field, want, label in (("name", str, "string"), ("description", str, "string"),
                                   ("spec", list, "list of items")):
            if field not in spec:
                raise Refused({"error": "Field '%s' is missing from survey spec." % field})
            if not isinstance(spec[field], want):
                raise Refused({"error": "Expected %s for field '%s', received %s type."
                                        % (label, field, type(spec[field]).__name__)})
        if not spec["spec"]:
            raise Refused({"error": "'spec' doesn't contain any items."})
        variables = set()
        old_items = {i.get("variable"): i for i in (old or {}).get("spec", []) if isinstance(i, dict)}
        for idx, item in enumerate(spec["spec"]):
            if not isinstance(item, dict):
                raise Refused({"error": "Survey question %d is not a json object." % idx})
            for name in ("type", "question_name", "variable", "required"):
                if name not in item:
                    raise Refused({"error": "'%s' missing from survey question %d" % (name, idx)})
                want, label = (bool, "boolean") if name == "required" else (str, "string")
                if not isinstance(item[name], want):
                    raise Refused({"error": "'%s' in survey question %d expected to be %s." % (name, idx, label)})
            if item["variable"] in variables:
                raise Refused({"error": "'variable' '%s' duplicated in survey question %d." % (item["variable"], idx)})
            variables.add(item["variable"])
            qtype = item["type"]
            if qtype not in SURVEY_TYPES:
                raise Refused({"error": "'%s' in survey question %d is not one of '%s' allowed question types."
                                        % (qtype, idx, ", ".join(SURVEY_TYPES))})
            if "default" in item and item["default"] != "" and not isinstance(item["default"], SURVEY_TYPES[qtype]):
                label = qtype if qtype in ("integer", "float") else "string"
                raise Refused({"error": "Default value %s in survey question %d expected to be %s."
                                        % (item["default"], idx, label)})
            for key in ("min", "max"):
                if item.get(key) is not None and not isinstance(item[key], int):
                    raise Refused({"error": "The %s limit in survey question %d expected to be integer." % (key, idx)})
            if qtype in ("multiselect", "multiplechoice"):
                if "choices" not in item:
                    raise Refused({"error": "Survey question %d of type %s must specify choices." % (idx, qtype)})
                if isinstance(item["choices"], str):
                    item["choices"] = "\n".join(c for c in item["choices"].splitlines() if c.strip() != "")
                if "default" in item:
                    if isinstance(item["default"], str):
                        item["default"] = "\n".join(c for c in item["default"].splitlines() if c.strip() != "")
                        defaults = item["default"].splitlines()
                    else:
                        defaults = item["default"]
                    if qtype == "multiplechoice" and len(defaults) > 1:
                        raise Refused({"error": "Multiple Choice (Single Select) can only have one default value."})
                    if any(d not in item["choices"] for d in defaults):
                        raise Refused({"error": "Default choice must be answered from the choices listed."})
            default = item.get("default")
            if isinstance(default, str) and default.startswith("$encrypted$"):
                if qtype != "password":
                    raise Refused({"error": "$encrypted$ is a reserved keyword for password question defaults, survey "
                                            "question %d is type %s." % (idx, qtype)})
                previous = old_items.get(item["variable"], {}).get("default")
                if not (isinstance(previous, str) and (previous.startswith("$encrypted$") or previous == "")):
                    raise Refused({"error": "$encrypted$ is a reserved keyword, may not be used for new default in "
                                            "position %d." % idx})
                item["default"] = previous
