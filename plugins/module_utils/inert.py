# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Conductors SRE
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Outside text made inert for the people who read it. Pure, no I/O.

What Security Center, Jenkins and ServiceNow send back (error details, scan names, consoles) is shown in GitHub
issues, ServiceNow tickets and PagerDuty summaries. There it must not mention a team, link anywhere, render HTML
or break out of the place it is shown in:

- ``code``: a Markdown code span (GitHub renders nothing inside it: no mention, no link, no HTML), on one line,
  with its ``|`` escaped so that it stays in its table cell;
- ``block``: a fenced code block with the text's real line breaks (a list is one line per item), fenced with more
  backticks than the text holds;
- ``plain``: for plain-text fields (ServiceNow descriptions and work notes, PagerDuty summaries): no control
  characters, and ServiceNow's ``[code]...[/code]`` HTML escape hatch defused.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_SN_CODE = re.compile(r"\[(/?)code\]", re.IGNORECASE)
HOW = ("code", "block", "plain")


def as_text(value):
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "\n".join(as_text(v) for v in value)
    return str(value)


def said(value, default=""):
    """``str(value)``, or ``default`` for None (ansible-core 2.19 renders None in a text as nothing)."""
    return default if value is None else str(value)


def truncate(text, length, end="...", leeway=5):
    """Jinja's ``truncate(length)``: at most about ``length`` characters, cut at a word with ``...``, unless the text is
    at most ``leeway`` characters too long."""
    text = str(text)
    if len(text) <= length + leeway:
        return text
    return text[:length - len(end)].rsplit(" ", 1)[0] + end


def _fence(text, minimum):
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(minimum, longest + 1)


def inert(value, how="plain", limit=None):
    """``value`` (text, or a list of lines) made inert for showing as ``how``; cut to ``limit`` characters."""
    if how not in HOW:
        raise ValueError("inert: how must be one of %s, got %r" % (", ".join(HOW), how))
    text = as_text(value).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text.replace("\t", "    "))
    if limit is not None and len(text) > int(limit):
        text = text[: max(int(limit) - 3, 0)] + "..."
    if how == "block":
        fence = _fence(text, 3)
        return "%stext\n%s\n%s" % (fence, text.rstrip("\n"), fence)
    if how == "code":
        text = " ".join(text.split())
        if not text:
            return ""
        fence = _fence(text, 1)
        pad = " " if text.startswith("`") or text.endswith("`") else ""
        return "%s%s%s%s%s" % (fence, pad, text.replace("|", "\\|"), pad, fence)
    return _SN_CODE.sub(lambda m: "[%s code ]" % m.group(1), text)
