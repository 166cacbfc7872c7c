"""Outside text shown to people is inert: code spans, code blocks, plain text without ServiceNow's HTML escape."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings, strategies as st

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.inert import inert

HOSTILE = "@org/team see [here](http://evil.example) <img src=x onerror=alert(1)> `tick` | cell"


@pytest.mark.parametrize("value, how, expected", [
    (HOSTILE, "code", "``@org/team see [here](http://evil.example) <img src=x onerror=alert(1)> `tick` \\| cell``"),
    ("`starts with a tick", "code", "`` `starts with a tick ``"),
    ("a\nb\tc", "code", "`a b c`"),
    ("", "code", ""),
    (["Started by user sre", "@org/team", "```", "Finished: FAILURE"], "block",
     "````text\nStarted by user sre\n@org/team\n```\nFinished: FAILURE\n````"),
    ("line1\r\nline2", "block", "```text\nline1\nline2\n```"),
    ("[code]<script>x</script>[/code] done\x1b[31m", "plain", "[ code ]<script>x</script>[/ code ] done[31m"),
    (None, "plain", ""),
    ("x" * 20, "plain", "x" * 20),
])
def test_inert(value, how, expected):
    assert inert(value, how) == expected


def test_limit_and_unknown_kind():
    assert inert("abcdefghij", "plain", limit=6) == "abc..."
    with pytest.raises(ValueError, match="how must be one of code, block, plain"):
        inert("x", "html")


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=200))
def test_a_code_span_cannot_be_escaped(text):
    out = inert(text, "code")
    if not out:
        assert not inert(text, "plain").split()
        return
    fence = re.match(r"`+", out).group(0)
    assert out.endswith(fence) and "\n" not in out
    inner = out[len(fence):-len(fence)]
    assert fence not in inner and "|" not in inner.replace("\\|", "")


@settings(max_examples=400, deadline=None)
@given(st.lists(st.text(max_size=60), max_size=8))
def test_a_code_block_cannot_be_escaped(lines):
    out = inert(lines, "block").split("\n")
    fence = out[0][:-len("text")]
    assert set(fence) == {"`"} and out[-1] == fence
    assert all(not line.startswith(fence) for line in out[1:-1])


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=200))
def test_plain_text_has_no_control_characters_or_servicenow_code(text):
    out = inert(text, "plain")
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", out)
    assert not re.search(r"\[/?code\]", out, re.IGNORECASE)
