"""Start the lab's servers on loopback, write the connection settings, stop after a time to live."""

from __future__ import annotations

import json
import logging
import os
import shlex
import shutil
import signal
import ssl
import threading
import time

import trustme
import yaml
from werkzeug.serving import WSGIRequestHandler, make_server

from .classic import NessusStatus
from .core import LabApp
from .hosts import Hosts
from .slack import SlackApp
from .world import World, load_scenario


def _loopback(address):
    if not address.startswith("127."):
        raise SystemExit("the lab binds loopback addresses only (127.0.0.0/8), not %s" % address)
    return address


class RequestHandler(WSGIRequestHandler):
    """Werkzeug's handler, with TCP_NODELAY on each connection, as production web servers answer: an answer's headers
    and body leave together. Without it, Nagle's algorithm holds the body until the client acknowledges the headers,
    which a client with delayed ACKs does 40 ms later: a stall on every POST that the real APIs do not have."""

    disable_nagle_algorithm = True


class Lab:
    """The running lab: a world and one HTTPS server per system, each in its own thread."""

    def __init__(self, scenario, lab_dir, bind="127.0.0.1", speed=None, ssh=None):
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the request log is the lab's own record
        self.lab_dir = os.path.abspath(lab_dir)
        # this lab world's remediation records: a new world (lab-up) starts a history of its own, so that the runs of
        # an earlier world (its reboots, its reloads) never count against this one's daily and weekly limits
        self.records_dir = os.path.join(self.lab_dir, "records", time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()))
        os.makedirs(self.lab_dir, exist_ok=True)
        spec = load_scenario(scenario)
        if speed is not None:
            spec.setdefault("clock", {})["speed"] = speed
        self.bind = _loopback(bind)
        self.world = World(spec, self.lab_dir)
        self.ca = trustme.CA(organization_name="conductors.nessus_compliance lab")
        self.ca_path = os.path.join(self.lab_dir, "ca.pem")
        self.ca.cert_pem.write_to_path(self.ca_path)
        self.servers = {}
        self.threads = []
        # SSH scanner hosts: the scenario's "ssh: true", or asked for (python -m lab up --ssh, LAB_SSH=1).
        self.ssh = bool(spec.get("ssh")) if ssh is None else ssh
        self.hosts = None

    def _tls(self, *names):
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.ca.issue_cert(*names).configure_cert(context)
        return context

    def start(self):
        tls = self._tls(self.bind, "localhost")
        world = self.world
        for name, system in (("securitycenter", world.sc), ("github", world.github), ("pagerduty", world.pagerduty),
                             ("servicenow", world.servicenow), ("classic", world.classic), ("jenkins", world.jenkins),
                             ("awx", world.awx)):
            self._serve(name, LabApp(name, system, world, system.error_body), tls)
        self._serve("slack", SlackApp("slack", world.slack, world, world.slack.error_body), tls)
        self._start_scanners()
        world.github.base_url = self.url("github")
        world.servicenow.base_url = self.url("servicenow")
        world.jenkins.base_url = self.url("jenkins")
        world.awx.base_url = self.url("awx")
        world.slack.base_url = self.url("slack")
        self.write_settings()
        return self

    def _serve(self, name, app, tls, address=None, port=0):
        server = make_server(address or self.bind, port, app, threaded=True, ssl_context=tls,
                             request_handler=RequestHandler)
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="lab-" + name,
                                  daemon=True)
        thread.start()
        self.servers[name] = server
        self.threads.append(thread)
        return server

    def _start_scanners(self):
        """Each scanner's Nessus listens on its own address, port 8834, only while nessusd runs."""
        machines = list(self.world.classic.machines.values())
        if self.ssh:
            self.hosts = Hosts(self.lab_dir, machines)
            self.hosts.sync(self.world.clock.now())
            self.hosts.wait_ready()
        self.nessus_tls = self._tls(*[m.address for m in machines]) if machines else None
        self.nessus_servers = {}
        self._stop_scanners = threading.Event()
        # the scanners whose Nessus runs at the start listen before the lab says it is up (a first probe must not
        # find a running scanner silent because the watcher had not had its first tick on a loaded machine)
        self._sync_scanners(machines)
        thread = threading.Thread(target=self._watch_scanners, args=(machines,), name="lab-nessus", daemon=True)
        thread.start()
        self.threads.append(thread)

    def _watch_scanners(self, machines):
        while not self._stop_scanners.wait(0.1):
            self._sync_scanners(machines)

    def _sync_scanners(self, machines):
        """Each machine's Nessus listens on 8834 exactly while its nessusd runs (lab time)."""
        now = self.world.clock.now()
        if self.hosts is not None:
            self.hosts.sync(now)
        for machine in machines:
            listening = machine.hostname in self.nessus_servers
            wanted = machine.nessusd(now) != "stopped"
            if wanted and not listening:
                app = LabApp("nessus", NessusStatus(machine, self.world.clock), self.world)
                try:
                    server = make_server(machine.address, 8834, app, threaded=True, ssl_context=self.nessus_tls,
                                         request_handler=RequestHandler)
                except (OSError, SystemExit):  # werkzeug exits when the address is taken: try again next tick
                    continue
                server.daemon_threads = True
                threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
                self.nessus_servers[machine.hostname] = server
            elif listening and not wanted:
                server = self.nessus_servers.pop(machine.hostname)
                server.shutdown()
                server.server_close()

    def url(self, name):
        server = self.servers[name]
        return "https://%s:%d" % (self.bind, server.server_port)

    def settings(self):
        """Connection settings, named as the modules' environment fallbacks read them."""
        sc = self.world.sc
        access_key = next(iter(sc.api_keys))
        user = next(iter(sc.users.values()))
        return {
            "TSC_URL": self.url("securitycenter"),
            "TSC_ACCESS_KEY": access_key,
            "TSC_SECRET_KEY": sc.api_keys[access_key][0],
            "TSC_USERNAME": user["username"],
            "TSC_PASSWORD": user["password"],
            "TSC_CA_PATH": self.ca_path,
            "TSC_VALIDATE_CERTS": "true",
            "GITHUB_API_URL": self.url("github") + "/api/v3",
            "GITHUB_TOKEN": self.world.github.token,
            "GITHUB_REPOSITORY": self.world.github.repository,
            "GITHUB_CA_PATH": self.ca_path,
            "PAGERDUTY_EVENTS_URL": self.url("pagerduty"),
            "PAGERDUTY_ROUTING_KEY": self.world.pagerduty.routing_key,
            "PAGERDUTY_API_URL": self.url("pagerduty"),
            "PAGERDUTY_API_TOKEN": self.world.pagerduty.api_token,
            "PAGERDUTY_FROM": self.world.pagerduty.user_email,
            "PAGERDUTY_CA_PATH": self.ca_path,
            "SN_HOST": self.url("servicenow"),
            "SN_USERNAME": self.world.servicenow.username,
            "SN_PASSWORD": self.world.servicenow.password,
            "SN_CA_PATH": self.ca_path,
            "SL_USERNAME": self.world.classic.username,
            "SL_API_KEY": self.world.classic.api_key,
            "SL_ENDPOINT_URL": self.url("classic") + "/rest/v3.1",
            "SL_CA_PATH": self.ca_path,
            "NESSUS_CA_PATH": self.ca_path,
            "JENKINS_URL": self.url("jenkins"),
            "JENKINS_USER": self.world.jenkins.user,
            "JENKINS_TOKEN": self.world.jenkins.api_token,
            "JENKINS_CA_PATH": self.ca_path,
            # awx.awx's modules read these (they take no CA file: trust the lab's CA with SSL_CERT_FILE=$LAB_DIR/ca.pem)
            "CONTROLLER_HOST": self.url("awx"),
            "CONTROLLER_USERNAME": self.world.awx.username,
            "CONTROLLER_PASSWORD": self.world.awx.password,
            "SLACK_WEBHOOK_URL": self.url("slack") + self.world.slack.webhook_path,
            "SLACK_API_URL": self.url("slack") + "/api",
            "SLACK_BOT_TOKEN": self.world.slack.bot_token,
            "SLACK_CHANNEL": self.world.slack.default_channel,
            "SLACK_CA_PATH": self.ca_path,
            "NESSUS_COMPLIANCE_RECORD_DIR": self.records_dir,
            "LAB_INVENTORY": os.path.join(self.lab_dir, "lab.scan_zones.yml"),
            "LAB_DIR": self.lab_dir,
            "LAB_SCENARIO": self.world.spec.get("name", ""),
            "LAB_REQUEST_LOG": self.world.recorder.path,
            "LAB_VIOLATIONS_LOG": self.world.violations.path,
            "LAB_ADMIN_URL": self.url("securitycenter") + "/_lab",
            "LAB_SSH": "1" if self.hosts is not None else "",
        }

    def write_inventory(self):
        """The shipped scan-zone table, with this lab's domain as the site setting and each scanner's address."""
        table = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "inventory", "alc.scan_zones.yml")
        extra = (self.world.spec.get("scan_zone_table") or {}).get("zones")
        if extra:  # the site's copy of the table with zones the shipped one does not have
            with open(table, encoding="utf-8") as handle:
                data = yaml.safe_load(handle)
            data["zones"] = list(data.get("zones") or []) + extra
            table = os.path.join(self.lab_dir, "scan_zones_table.yml")
            with open(table, "w", encoding="utf-8") as handle:
                yaml.safe_dump(data, handle, sort_keys=False)
        zones = sorted({z["name"] for z in self.world.sc.zones.values()})
        lines = ["# Written by the lab: the shipped table with the lab's site settings.",
                 "plugin: conductors.nessus_compliance.scan_zones", "table_file: %s" % json.dumps(table), "site_settings:"]
        lines += ["  %s: {domain: %s}" % (json.dumps(z), self.world.domain) for z in zones if "SOS" not in z]
        with open(os.path.join(self.lab_dir, "lab.scan_zones.yml"), "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
        # With SSH hosts: how to reach each scanner, next to the inventory as Ansible reads it.
        for sub in ("group_vars", "host_vars"):
            shutil.rmtree(os.path.join(self.lab_dir, sub), ignore_errors=True)
        if self.hosts is not None:
            group, per_host = self.hosts.inventory_vars()
            os.makedirs(os.path.join(self.lab_dir, "group_vars"))
            os.makedirs(os.path.join(self.lab_dir, "host_vars"))
            with open(os.path.join(self.lab_dir, "group_vars", "scanners.yml"), "w", encoding="utf-8") as handle:
                handle.write("---\n# Written by the lab: the scanners' SSH hosts.\n" + json.dumps(group, indent=2) + "\n")
            for name, host_vars in per_host.items():
                with open(os.path.join(self.lab_dir, "host_vars", name + ".yml"), "w", encoding="utf-8") as handle:
                    handle.write("---\n" + json.dumps(host_vars) + "\n")

    def write_settings(self):
        self.write_inventory()
        settings = self.settings()
        env_sh = os.path.join(self.lab_dir, "env.sh")
        fd = os.open(env_sh + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write("# conductors.nessus_compliance lab: source this file (. .lab/env.sh)\n")
            for key, value in settings.items():
                handle.write("export %s=%s\n" % (key, shlex.quote(value)))
        os.replace(env_sh + ".tmp", env_sh)
        fd = os.open(os.path.join(self.lab_dir, "env.json"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(settings, handle, indent=2)
        # Secret values, so that tests can prove none of them leaks into output or logs.
        fd = os.open(os.path.join(self.lab_dir, "secrets.json"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(sorted(set(self.world.secrets.values.values())), handle)
        state = {"pid": os.getpid(), "started": time.time(), "scenario": self.world.spec.get("name", ""),
                 "urls": {n: self.url(n) for n in self.servers},
                 "securitycenter": {"scans": len(self.world.sc.scans), "results": len(self.world.sc.runs)}}
        with open(os.path.join(self.lab_dir, "state.json.tmp"), "w", encoding="utf-8") as handle:
            json.dump(state, handle)
        os.replace(os.path.join(self.lab_dir, "state.json.tmp"), os.path.join(self.lab_dir, "state.json"))

    def stop(self):
        if getattr(self, "_stop_scanners", None) is not None:
            self._stop_scanners.set()
        if self.hosts is not None:
            self.hosts.stop()
        for server in list(getattr(self, "nessus_servers", {}).values()) + list(self.servers.values()):
            server.shutdown()
            server.server_close()
        self.world.recorder.close()


def serve(scenario, lab_dir, bind="127.0.0.1", ttl=7200.0, speed=None, ssh=None):
    """Run the lab in the foreground until SIGTERM/SIGINT or ``ttl`` seconds have passed."""
    lab = Lab(scenario, lab_dir, bind, speed, ssh).start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print("lab %s up: %s (ttl %ss)" % (lab.world.spec.get("name"), ", ".join(lab.url(n) for n in lab.servers), ttl),
          flush=True)
    stop.wait(ttl)
    lab.stop()
    try:
        os.unlink(os.path.join(lab.lab_dir, "state.json"))
    except OSError:
        pass
    print("lab stopped", flush=True)
