"""Every sh step of the Jenkinsfile, as written there, run against the lab the way Jenkins runs it.

The Jenkinsfile is parsed (blocks by their braces, Groovy's string literals and escapes): each ``sh '''...'''`` body
runs with bash -xe in a workspace holding the checkout, with what Jenkins would give it - the pipeline's
``environment {}`` (its URLs replaced by the lab's), the parameters' defaults, BUILD_URL and WORKSPACE, the
credentials its ``withCredentials`` binds (filled from the lab's settings), its ``withEnv`` - and nothing the test
suite set for itself. The Groovy steps between them (readJSON, writeJSON, parallel) are done here as the Groovy does.
Set up runs as written too: the workspace's .venv is the one running these tests (pip finds everything installed,
with no index to reach), and the collection is built and installed into .collections, which the later steps use.
"""

from __future__ import annotations

import json
import os
import pwd
import re
import shutil
import subprocess
import sys
import tarfile
import threading
import time
import xml.etree.ElementTree as ET

import yaml

from conftest import REPO_ROOT  # pylint: disable=import-error
from private_branch import FAST, PUBLIC_LEFT, SPEED, power  # pylint: disable=import-error

JENKINSFILE = os.path.join(REPO_ROOT, "Jenkinsfile")
# the lab's short waits, for every playbook (the Jenkinsfile's ANSIBLE_EXTRA_ARGS hook: -e @file)
TIMINGS = dict(FAST, remediate_public_scan_poll_interval=0.5, remediate_public_scan_poll_max_interval=1)
# the pipeline's environment names that are not the lab's setting of the same name
LAB_NAME = {"JENKINS_URL_BASTION": "JENKINS_URL"}
# every system a stage may call: the pipeline must name each (else a module would call the vendor's default URL)
SYSTEM_URLS = {"TSC_URL", "SL_ENDPOINT_URL", "JENKINS_URL", "SN_HOST", "GITHUB_API_URL", "PAGERDUTY_EVENTS_URL",
               "PAGERDUTY_API_URL"}
# the CA bundles an agent that does not trust the lab's CA is given in its environment (node properties)
AGENT_SETTINGS = ("TSC_CA_PATH", "GITHUB_CA_PATH", "PAGERDUTY_CA_PATH", "SN_CA_PATH", "SL_CA_PATH", "NESSUS_CA_PATH",
                  "JENKINS_CA_PATH")
BUILD_URL = "http://127.0.0.1:9/job/nessus-compliance/42/"  # where Jenkins serves this build (never called)

# --- The Jenkinsfile, parsed -------------------------------------------------------------------------------------

ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", "\\": "\\", "'": "'", '"': '"', "$": "$"}


def groovy_unescape(raw):
    """A Groovy single-quoted string's value: its escapes applied, a backslash-newline removed (line continuation)."""
    out, i = [], 0
    while i < len(raw):
        char = raw[i]
        if char != "\\":
            out.append(char)
            i += 1
            continue
        nxt = raw[i + 1]
        if nxt == "\n":
            i += 2
        elif nxt in ESCAPES:
            out.append(ESCAPES[nxt])
            i += 2
        elif nxt == "u":
            out.append(chr(int(raw[i + 2:i + 6], 16)))
            i += 6
        else:
            raise ValueError("Groovy refuses the escape \\%s" % nxt)
    return "".join(out)


def parse_groovy(text):
    """The blocks of a Groovy source - (path of headers, body text) - and its sh '''...''' steps - (path, script).

    A block's header is what stands before its ``{`` in the same statement (``stage('Set up')``,
    ``withCredentials(credentials())``, ``def remediateZone(String zone)``); strings and comments are skipped, so a
    brace in them opens nothing."""
    blocks, steps, stack, statement, i = [], [], [], "", 0
    depth = 0  # of ( and [: a newline inside them does not end the statement
    while i < len(text):
        for quote in ("'''", '"""', "'", '"'):
            if text.startswith(quote, i):
                end = i + len(quote)
                while not text.startswith(quote, end):
                    end += 2 if text[end] == "\\" else 1
                    if end >= len(text):
                        raise ValueError("unterminated string at %d" % i)
                raw = text[i + len(quote):end]
                if quote == "'''" and re.search(r"(^|\W)sh\s*$", statement):
                    steps.append((tuple(entry[0] for entry in stack), groovy_unescape(raw)))
                statement += text[i:end + len(quote)]
                i = end + len(quote)
                break
        else:
            char = text[i]
            if text.startswith("//", i):
                i = text.index("\n", i)
                continue
            if text.startswith("/*", i):
                i = text.index("*/", i) + 2
                continue
            if char in "([":
                depth += 1
            elif char in ")]":
                depth -= 1
            if char == "{":
                stack.append((" ".join(statement.split()), i + 1))
                statement = ""
            elif char == "}":
                header, start = stack.pop()
                blocks.append((tuple(entry[0] for entry in stack) + (header,), text[start:i]))
                statement = header + " {...}"  # a closure in a condition: `if (x.any { ... }) {`
            elif char in ";" or (char == "\n" and depth == 0):
                statement = ""
            else:
                statement += char
            i += 1
    assert not stack, "unbalanced braces"
    return blocks, steps


def block(blocks, *path):
    (body,) = [b for p, b in blocks if p == path]
    return body


def literal(source):
    """The value of a Groovy literal of the pipeline's blocks: a single-quoted string, true, false."""
    source = source.strip()
    if source in ("true", "false"):
        return source
    match = re.fullmatch(r"'((?:[^'\\]|\\.)*)'", source)
    assert match, "not a literal: %s" % source
    return groovy_unescape(match.group(1))


def bindings(source):
    """The credential bindings of a withCredentials list: [(kind, credentialsId, {role: variable})]."""
    found = []
    for kind, args in re.findall(r"\b(usernamePassword|string|file)\s*\(([^()]*credentialsId[^()]*)\)", source):
        named = {k: literal(v) for k, v in re.findall(r"(\w+):\s*('(?:[^'\\]|\\.)*')", args)}
        found.append((kind, named.pop("credentialsId"), named))
    return found


class Jenkinsfile:
    """What a build needs from the Jenkinsfile: its environment, parameters, credentials and sh steps."""

    def __init__(self, path=JENKINSFILE):
        with open(path, encoding="utf-8") as handle:
            self.blocks, self.steps = parse_groovy(handle.read())
        self.environment = {name: literal(value) for name, value in re.findall(
            r"^\s*(\w+)\s*=\s*('(?:[^'\\]|\\.)*'|true|false)", block(self.blocks, "pipeline", "environment"), re.M)}
        self.parameters = {name: literal(default) for name, default in re.findall(
            r"\b(?:string|booleanParam)\s*\(\s*name:\s*'(\w+)',\s*defaultValue:\s*('[^']*'|true|false)",
            block(self.blocks, "pipeline", "parameters"))}
        self.credentials = bindings(block(self.blocks, "def credentials()"))

    def step(self, header):
        """The one sh step inside the block with this header: (its headers, its script)."""
        (found,) = [(path, script) for path, script in self.steps if header in path]
        return found

    def bound(self, path):
        """The bindings of the withCredentials blocks around a step."""
        found = []
        for header in path:
            if header.startswith("withCredentials("):
                found += self.credentials if header == "withCredentials(credentials())" else bindings(header)
        return found


def with_env(path, env, local):
    """The withEnv entries around a step, their ${...} evaluated as Groovy does (a local, or env.NAME)."""
    out = {}
    for header in path:
        if header.startswith("withEnv("):
            for entry in re.findall(r'"([^"]*)"', header):
                name, value = entry.split("=", 1)
                out[name] = re.sub(r"\$\{(env\.)?(\w+)\}",
                                   lambda m: (env if m.group(1) else local)[m.group(2)], value)
    return out


# --- The build ---------------------------------------------------------------------------------------------------

def workspace(tmp_path):
    """The checkout as Jenkins checks it out (the files git tracks, and new ones it does not ignore, as they are in
    the working tree), with the venv of an earlier build: the one running these tests."""
    ws = tmp_path / "workspace"
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO_ROOT,
                            capture_output=True, check=True).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = os.path.join(REPO_ROOT, name)
        if os.path.isfile(source):
            os.makedirs(os.path.dirname(ws / name), exist_ok=True)
            shutil.copy(source, ws / name)
    os.symlink(sys.prefix, ws / ".venv")  # Set up keeps a venv that works, and pip finds everything installed
    return ws


class Build:
    """One build of the pipeline against the lab: the agent's environment, and each sh step run in the workspace."""

    def __init__(self, lab, tmp_path, jenkinsfile, files):
        self.lab, self.tmp_path, self.jenkinsfile, self.files = lab, tmp_path, jenkinsfile, files
        self.ws = workspace(tmp_path)
        timings = tmp_path / "agent" / "timings.yml"
        timings.parent.mkdir()
        timings.write_text(yaml.safe_dump(TIMINGS))
        # The agent: a plain PATH (the steps name .venv/bin/), the agent user's home (as its passwd entry has it:
        # ansible looks for its async jobs there), the CA bundles, the site's ANSIBLE_EXTRA_ARGS; what Jenkins sets
        # (WORKSPACE, BUILD_URL, JENKINS_URL of this Jenkins - not the bastion's); pip with no index to reach. Every
        # system a playbook calls is the lab's: the pipeline names them all (see below).
        self.agent = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": pwd.getpwuid(os.getuid()).pw_dir,
                      "LANG": "C.UTF-8",
                      "WORKSPACE": str(self.ws), "BUILD_URL": BUILD_URL, "BUILD_NUMBER": "42",
                      "JOB_NAME": "nessus-compliance", "JENKINS_URL": "http://127.0.0.1:9/",
                      "ANSIBLE_EXTRA_ARGS": "-e @%s" % timings,
                      "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
        self.agent.update({name: lab.settings[name] for name in AGENT_SETTINGS})
        # the pipeline's environment {}, every system's URL replaced by the lab's
        pipeline = {}
        for name, value in jenkinsfile.environment.items():
            lab_name = LAB_NAME.get(name, name)
            if lab_name in lab.settings:
                pipeline[name] = lab.settings[lab_name]
            else:
                assert "://" not in value, "%s=%s: a URL the lab does not stand in for" % (name, value)
                pipeline[name] = value
        named = {LAB_NAME.get(name, name) for name in jenkinsfile.environment}
        assert SYSTEM_URLS <= named, "the pipeline does not name %s" % sorted(SYSTEM_URLS - named)
        self.pipeline = dict(pipeline, **jenkinsfile.parameters)  # params are in the environment too
        self.outputs = {}

    def env(self, path, local=None):
        env = dict(self.agent, **self.pipeline)
        for kind, credential, variables in self.jenkinsfile.bound(path):
            for variable in variables.values():
                env[variable] = self.files[credential] if kind == "file" else self.lab.settings[variable]
        env.update(with_env(path, env, local or {}))
        return env

    def sh(self, name, header, local=None):
        """Run the sh step inside the block with this header in the workspace: a script file run with -xe, as Jenkins
        runs it (bash here)."""
        path, script = self.jenkinsfile.step(header)
        durable = self.tmp_path / "workspace@tmp" / name.replace(" ", "-")
        durable.mkdir(parents=True)
        (durable / "script.sh").write_text(script)
        started = time.monotonic()
        proc = subprocess.run(["bash", "-xe", str(durable / "script.sh")], cwd=self.ws, env=self.env(path, local),
                              capture_output=True, text=True, timeout=300, check=False)
        # the console log, kept in the test's directory: the lab fixture searches it for the lab's secrets
        (durable / "console.log").write_text(proc.stdout + proc.stderr)
        self.outputs[name] = {"rc": proc.returncode, "output": proc.stdout + proc.stderr,
                              "seconds": round(time.monotonic() - started, 1)}
        return proc


def site_file(tmp_path, lab):
    """The site's nessus-scan-zones-site credential: the shipped example with the zones' domain set (the lab's)."""
    path = tmp_path / "credentials" / "site.scan_zones.yml"
    path.parent.mkdir()
    with open(os.path.join(REPO_ROOT, "inventory", "site.scan_zones.yml.example"), encoding="utf-8") as handle:
        path.write_text(handle.read().replace("domain: SET ME", "domain: %s" % lab.world.domain))
    return str(path)


def records(directory):
    return {r["subject"]: r for r in (json.loads(p.read_text()) for p in sorted(directory.glob("remediation-*.json")))}


def test_the_sh_steps_are_found_with_their_bindings():
    jenkinsfile = Jenkinsfile()
    assert len(jenkinsfile.steps) == 4
    for header in ("stage('Set up')", "stage('Compliance check')", "branches['public scans'] =",
                   "def remediateZone(String zone)"):
        path, script = jenkinsfile.step(header)
        assert "\\\n" not in script  # Groovy joined the continued lines
        variables = {v for binding in jenkinsfile.bound(path) for v in binding[2].values()}
        if header == "stage('Set up')":
            assert variables == {"SITE_SCAN_ZONES"}
        else:
            assert {"TSC_ACCESS_KEY", "TSC_SECRET_KEY", "GITHUB_TOKEN", "PAGERDUTY_ROUTING_KEY"} <= variables
            assert "ansible-playbook" in script and "$ANSIBLE_EXTRA_ARGS" in script
    zone_step = jenkinsfile.step("def remediateZone(String zone)")[0]
    evaluated = with_env(zone_step, {"JENKINS_URL_BASTION": "https://b"}, {"zone": "Z"})
    assert evaluated == {"ZONE_NAME": "Z", "JENKINS_URL": "https://b"}


def test_the_daily_build_against_the_lab(lab_factory, tmp_path):
    lab = lab_factory("default", speed=SPEED)
    jenkinsfile = Jenkinsfile()
    build = Build(lab, tmp_path, jenkinsfile, {"nessus-scan-zones-site": site_file(tmp_path, lab)})
    ws = build.ws

    setup = build.sh("Set up", "stage('Set up')")
    assert setup.returncode == 0, setup.stdout + setup.stderr
    installed = ws / ".collections" / "ansible_collections" / "conductors" / "nessus_compliance"
    assert (installed / "MANIFEST.json").is_file() and (ws / "inventory" / "site.scan_zones.yml").is_file()
    assert not (installed / "tests").exists()  # the built collection, not the checkout
    # the next build in the same workspace: the same venv, and only that build's collection in the tarball
    again = build.sh("Set up again", "stage('Set up')")
    assert again.returncode == 0, again.stdout + again.stderr
    (tarball,) = (ws / "dist").glob("*.tar.gz")
    with tarfile.open(tarball) as archive:
        assert not [n for n in archive.getnames() if n.split("/")[0] in (".collections", "dist", ".venv", "reports")]
    assert lab.calls() == []

    check = build.sh("Compliance check", "stage('Compliance check')")
    assert check.returncode == 0, check.stdout[-3000:] + check.stderr[-2000:]
    report = json.loads((ws / "reports" / "scan_compliance.json").read_text())
    junit = ET.parse(ws / "reports" / "scan_compliance.junit.xml").getroot()
    assert junit.get("failures") == "2"
    issues = lab.world.github.repositories[lab.settings["GITHUB_REPOSITORY"]]["issues"]
    assert len(issues) == 1 and issues[1]["title"].startswith("Nessus scan compliance: failing scans on ")
    assert "Run: %s" % BUILD_URL in issues[1]["body"] and report["run_url"] == BUILD_URL  # the build's BUILD_URL
    (event,) = lab.world.pagerduty.events
    assert event["action"] == "trigger"

    # Remediate failing zones: the Groovy (readJSON, findAll, writeJSON), then its branches in parallel
    failing = [s for s in report["check"]["scans"] if s["failing"]]
    zones = list(dict.fromkeys(s["zone"] for s in failing if s["visibility"] == "private"))
    public = [s["name"] for s in failing if s["visibility"] == "public"]
    assert zones == ["ALC_Prod_WDC06_SZ"] and public == ["ALC_all_envs_public_import"]
    (ws / "reports" / "public_scans.json").write_text(json.dumps({"scan": public}))
    branches = [threading.Thread(target=build.sh, args=("zone " + z, "def remediateZone(String zone)", {"zone": z}))
                for z in zones]
    branches.append(threading.Thread(target=build.sh, args=("public scans", "branches['public scans'] =")))
    for branch in branches:
        branch.start()
    for branch in branches:
        branch.join()
    for name in ["zone " + z for z in zones] + ["public scans"]:
        assert build.outputs[name]["rc"] == 0, "%s:\n%s" % (name, build.outputs[name]["output"][-4000:])

    assert power(lab) == [("prod-wdc06-infra-nessus-01", "rebootSoft")]
    written = records(ws / "reports")
    assert written["ALC_Prod_WDC06_SZ"]["outcome"] == \
        "Scanning: ALC_Prod_WDC06_private_import after healing 1 scanner(s)." + PUBLIC_LEFT
    assert written["ALC_all_envs_public_import"]["branch"] == "public scan"
    assert written["ALC_all_envs_public_import"]["outcome"].startswith("Not resubmitted (guard)")
    # nothing was escalated: still the one issue and the one page of the compliance stage, no SOS ticket
    assert len(lab.world.pagerduty.events) == 1 and len(issues) == 1
    assert lab.world.servicenow.records("sc_request") == []
    print({name: step["seconds"] for name, step in build.outputs.items()})
