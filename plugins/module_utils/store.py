# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where the remediation records and the zones' leases live: a local directory, or files of a GitHub repository.

Both stores answer the same four calls on named text files (``name`` is a relative path such as
``leases/ALC_Prod_WDC06_SZ.json``):

* ``read(name)``: ``(text, version)``, or ``(None, None)`` when there is no such file;
* ``names(folder)``: the files directly in ``folder``;
* ``write(name, text, version)``: replaces the file only if it still is ``version`` (``None``: only if there is no
  such file yet) and returns the new version; else :class:`Conflict`, and nothing was written;
* ``delete(name, version)``: removes that version; :class:`Conflict` when the file changed, nothing when it is gone.

That compare-and-swap is what lets two runs (two AWX jobs, a Jenkins agent and a laptop) share one history and
one lease without locking each other out for ever. A local store's version is the SHA-1 of the file's bytes and
its compare-and-swap holds an exclusive ``flock`` on ``.lock`` in the directory (one machine, any number of
processes); a GitHub store's version is the file's blob ``sha`` and the contents API does the compare-and-swap
(409 for a stale ``sha``).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import tempfile

from .github import GitHubClient, StaleError

# A stored name: relative, no "..", no empty part: what a record's or a lease's name can be.
NAME = re.compile(r"^(?!.*(?:^|/)\.\.?(?:/|$))[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*$")


class Conflict(Exception):
    """The file is not (or no longer) the version the write was based on: read it again."""


def checked(name):
    if not isinstance(name, str) or not NAME.match(name):
        raise ValueError("not a stored file name: %r" % (name,))
    return name


def version_of(data):
    return hashlib.sha1(data).hexdigest()


class LocalStore:
    """Files under ``directory`` (created when missing), written through a temporary file and an atomic rename."""

    kind = "local"

    def __init__(self, directory, mode=0o640):
        self.directory = directory
        self.mode = mode

    def where(self, name):
        return os.path.join(self.directory, checked(name))

    def _read_bytes(self, name):
        try:
            with open(self.where(name), "rb") as handle:
                return handle.read()
        except FileNotFoundError:
            return None

    def read(self, name):
        data = self._read_bytes(name)
        if data is None:
            return None, None
        return data.decode("utf-8"), version_of(data)

    def names(self, folder=""):
        path = self.where(folder) if folder != "" else self.directory
        try:
            return sorted(entry.name for entry in os.scandir(path) if entry.is_file() and not entry.name.startswith("."))
        except (FileNotFoundError, NotADirectoryError):
            return []

    def _locked(self):
        os.makedirs(self.directory, mode=0o755, exist_ok=True)
        handle = open(os.path.join(self.directory, ".lock"), "a+b")  # pylint: disable=consider-using-with
        fcntl.flock(handle, fcntl.LOCK_EX)
        return handle

    def write(self, name, text, version=None):
        data = text.encode("utf-8")
        path = self.where(name)
        lock = self._locked()
        try:
            current = self._read_bytes(name)
            if (None if current is None else version_of(current)) != version:
                raise Conflict("%s changed since it was read" % name)
            os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                os.chmod(tmp, self.mode)
                os.replace(tmp, path)
            except BaseException:
                if os.path.exists(tmp):
                    os.unlink(tmp)
                raise
        finally:
            lock.close()  # releases the flock
        return version_of(data)

    def delete(self, name, version):
        lock = self._locked()
        try:
            current = self._read_bytes(name)
            if current is None:
                return
            if version_of(current) != version:
                raise Conflict("%s changed since it was read" % name)
            os.unlink(self.where(name))
        finally:
            lock.close()


class GitHubStore:
    """Files under ``root`` in the repository of a :class:`~.github.GitHubClient` (its default branch); every write
    is a commit whose message says what it is."""

    kind = "github"

    def __init__(self, client, root="remediation"):
        self.client = client
        self.root = root.strip("/")

    def where(self, name):
        return "%s/%s" % (self.root, checked(name))

    def read(self, name):
        return self.client.read_file(self.where(name))

    def names(self, folder=""):
        return self.client.list_files(self.where(folder) if folder != "" else self.root)

    def write(self, name, text, version=None):
        try:
            return self.client.write_file(self.where(name), text, "remediation: %s" % name, sha=version)
        except StaleError as exc:
            raise Conflict(str(exc)) from exc

    def delete(self, name, version):
        try:
            self.client.delete_file(self.where(name), version, "remediation: remove %s" % name)
        except StaleError as exc:
            raise Conflict(str(exc)) from exc


GITHUB_SETTINGS = ("GITHUB_API_URL", "GITHUB_TOKEN", "GITHUB_REPOSITORY")


def spec_for(kind, directory=None, root="remediation"):
    """What a record keeps of its store (no secret: a GitHub store's settings are read from the environment)."""
    if kind == "local":
        if not directory:
            raise ValueError("a local store needs its directory")
        return {"kind": "local", "dir": directory}
    if kind == "github":
        return {"kind": "github", "repository": os.environ.get("GITHUB_REPOSITORY", ""), "root": root}
    raise ValueError("store must be local or github, not %r" % (kind,))


def location(spec, name=""):
    """Where a spec's store (or its file ``name``) is, for people: a local path, or ``github:<repository>/<path>``."""
    if spec["kind"] == "local":
        return os.path.join(spec["dir"], name) if name else spec["dir"]
    base = "github:%s/%s" % (spec.get("repository"), spec.get("root"))
    return "%s/%s" % (base, name) if name else base


def open_store(spec, environ=None):
    """The store a spec (from :func:`spec_for`) names. A GitHub store takes the collection's GitHub settings from the
    environment: GITHUB_API_URL, GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_CA_PATH, GITHUB_VALIDATE_CERTS,
    GITHUB_TIMEOUT; a missing one is a ValueError that names it, before any request."""
    if spec.get("kind") == "local":
        return LocalStore(spec["dir"])
    if spec.get("kind") != "github":
        raise ValueError("store must be local or github, not %r" % (spec.get("kind"),))
    env = os.environ if environ is None else environ
    missing = [name for name in GITHUB_SETTINGS if not env.get(name)]
    if missing:
        raise ValueError("the github store needs %s in the environment" % ", ".join(missing))
    if spec.get("repository") and spec["repository"] != env["GITHUB_REPOSITORY"]:
        raise ValueError("this record lives in %s, GITHUB_REPOSITORY names %s"
                         % (spec["repository"], env["GITHUB_REPOSITORY"]))
    validate = env.get("GITHUB_VALIDATE_CERTS", "true").strip().lower() not in ("0", "false", "no", "off")
    client = GitHubClient(env["GITHUB_API_URL"], env["GITHUB_TOKEN"], env["GITHUB_REPOSITORY"],
                          ca_path=env.get("GITHUB_CA_PATH") or None, validate_certs=validate,
                          timeout=float(env.get("GITHUB_TIMEOUT") or 30))
    return GitHubStore(client, spec.get("root") or "remediation")
