"""execution-environment.yml: ansible-builder writes a build context that holds the collection and what it declares."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import yaml

from conftest import REPO_ROOT  # pylint: disable=import-error

BIN = os.path.dirname(sys.executable)


def test_ansible_builder_creates_the_context_with_the_collection_and_its_dependencies(tmp_path):
    for name in ("execution-environment.yml", "requirements.txt", "bindep.txt"):
        shutil.copy(os.path.join(REPO_ROOT, name), tmp_path / name)
    build = subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "build", "--force", "--output-path",
                            str(tmp_path / "dist"), REPO_ROOT], capture_output=True, text=True, timeout=300, check=False)
    assert build.returncode == 0, build.stdout + build.stderr
    create = subprocess.run([os.path.join(BIN, "ansible-builder"), "create", "-f", "execution-environment.yml", "-c",
                             "context", "--output-filename", "Containerfile"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=300, check=False)
    assert create.returncode == 0, create.stdout + create.stderr
    built = tmp_path / "context" / "_build"
    # what the collection declares for execution environments is in the context, unchanged
    with open(os.path.join(REPO_ROOT, "meta", "execution-environment.yml"), encoding="utf-8") as handle:
        declared = yaml.safe_load(handle)["dependencies"]
    assert (built / "requirements.txt").read_text() == (tmp_path / declared["python"]).read_text()
    assert (built / "bindep.txt").read_text() == (tmp_path / declared["system"]).read_text()
    assert "requests" in (built / "requirements.txt").read_text() and "jmespath" in (built / "requirements.txt").read_text()
    # the collection itself, installed from the tarball in the galaxy stage
    assert [p.name for p in (built / "collections").iterdir()] == ["conductors-nessus_compliance-0.1.0.tar.gz"]
    assert yaml.safe_load((built / "requirements.yml").read_text())["collections"] == [
        {"name": "/build/collections/conductors-nessus_compliance.tar.gz", "type": "file"}]
    containerfile = (tmp_path / "context" / "Containerfile").read_text()
    assert "COPY _build/collections/ /build/collections/" in containerfile
    assert "ansible-galaxy collection install" in containerfile
    assert "introspect --user-pip=requirements.txt --user-bindep=bindep.txt" in containerfile
