"""Drive a module's main() as Ansible does, and catch what it exits with."""

from __future__ import annotations

import pytest

from ansible.module_utils import basic

try:  # ansible-core >= 2.19
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core 2.16-2.18 (make matrix): the module reads its arguments from basic._ANSIBLE_ARGS
    import contextlib
    import json
    from unittest import mock

    from ansible.module_utils.common.text.converters import to_bytes

    @contextlib.contextmanager
    def patch_module_args(args=None):
        with mock.patch.object(basic, "_ANSIBLE_ARGS", to_bytes(json.dumps({"ANSIBLE_MODULE_ARGS": args or {}}))):
            yield


class ExitJson(Exception):
    """The module called exit_json; args[0] is its result."""


class FailJson(Exception):
    """The module called fail_json; args[0] is its result."""


def _exit_json(self, **kwargs):
    raise ExitJson(kwargs)


def _fail_json(self, **kwargs):
    raise FailJson(kwargs)


@pytest.fixture(autouse=True)
def module_exits(monkeypatch):
    monkeypatch.setattr(basic.AnsibleModule, "exit_json", _exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", _fail_json)


@pytest.fixture
def run_module():
    """``run_module(module, args, fails=False, check_mode=False)`` -> the module's result dict."""
    def run(module, args, fails=False, check_mode=False):
        if check_mode:
            args = dict(args, _ansible_check_mode=True)
        with patch_module_args(args):
            with pytest.raises(FailJson if fails else ExitJson) as exc:
                module.main()
        return exc.value.args[0]
    return run


@pytest.fixture
def lab_env(lab, monkeypatch):
    """The lab's settings as environment variables, as .lab/env.sh and AWX credentials set them."""
    for key, value in lab.settings.items():
        monkeypatch.setenv(key, value)
    return lab
