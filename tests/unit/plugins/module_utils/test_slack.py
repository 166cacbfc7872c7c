"""The Slack message: outside text inert (no mention, no disguised link), within Block Kit's limits, read back as the
lab's Slack reads it; the route and the webhook URL's checks, which never repeat the secret."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings, strategies as st

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.slack import (
    MAX_BLOCKS,
    MAX_FALLBACK_TEXT,
    MAX_SECTION_TEXT,
    build_message,
    cut,
    escape,
    record_link,
    route,
    split_webhook_url,
)
from lab.slack import BlockChecker, read_message as read_by_slack

RECORD = "https://ghe.example.com/conductors/records/blob/main/2026-11-26.md?plain=1&x=2"
HOSTILE = ["<!channel> scan failed", "ask <@U123> & <#C999|ops>", "<https://x|y>", "<!subteam^S1|@sre> <!here>",
           "https://evil.example/bare & more"]
ENTITY = re.compile(r"&(amp|lt|gt);")


def texts(message):
    """Every mrkdwn text of a message, the fallback first."""
    out = [message["text"]]
    for block in message["blocks"]:
        for obj in [block.get("text")] + list(block.get("elements") or []):
            if obj:
                out.append(obj["text"])
    return out


@pytest.mark.parametrize("value, expected", [
    ("<!channel>", "&lt;!channel&gt;"),
    ("<@U123>", "&lt;@U123&gt;"),
    ("<https://x|y>", "&lt;https://x|y&gt;"),
    ("a & b", "a &amp; b"),
    ("&amp; already", "&amp;amp; already"),
    ("two\nlines\tand\x1b[31m colour\u202e", "two lines and[31m colour"),
    (None, ""),
    (42, "42"),
])
def test_escape(value, expected):
    assert escape(value) == expected


def test_hostile_text_is_shown_as_typed_and_neither_mentions_nor_links():
    message = build_message("Run for <!everyone> & co", HOSTILE, RECORD, outcome="escalated")
    mentions, links, shown = read_by_slack(message)
    assert mentions == []
    assert links == [RECORD, RECORD]  # the record, in the fallback and in its context block: no bare URL, nothing else
    for line in HOSTILE + ["Run for <!everyone> & co"]:
        assert line in shown  # a person reads exactly what the outside text said
    assert message["blocks"][0]["text"]["text"] == ":rotating_light: *Run for &lt;!everyone&gt; &amp; co*"
    assert message["blocks"][-1] == {"type": "context", "elements": [
        {"type": "mrkdwn", "text": "<%s|Remediation record>" % RECORD.replace("&", "&amp;"), "verbatim": True}]}
    assert all(b["text"]["verbatim"] for b in message["blocks"] if b["type"] == "section")


@pytest.mark.parametrize("link, shown", [
    (RECORD, "<%s|Remediation record>" % RECORD.replace("&", "&amp;")),
    ("/var/lib/records/2026-11-26.md", None),
    ("github:conductors/records/2026-11-26.md", None),
    ("https://x.example/a|<!channel>", None),
    ("https://x.example/a b", None),
    ("javascript:alert(1)", None),
    ("", None),
])
def test_only_an_http_url_becomes_the_record_link(link, shown):
    assert record_link(link) == shown
    if link and shown is None:
        message = build_message("t", [], link)
        assert read_by_slack(message)[:2] == ([], [])
        assert message["blocks"][-1]["elements"][0]["text"] == "Record: " + escape(link)


def test_a_long_line_is_cut_to_the_section_limit_without_splitting_an_entity():
    message = build_message("t", ["&" * 2000, "x" * 5000])
    sections = [b["text"]["text"] for b in message["blocks"][1:]]
    assert all(len(text) <= MAX_SECTION_TEXT for text in sections)
    assert sections[0].startswith(u"\u2022 &amp;&amp;") and sections[0].endswith(u"\u2026")
    assert "&" not in ENTITY.sub("", sections[0])  # no "&am" left where the cut fell
    assert sections[1] == u"\u2022 " + "x" * (MAX_SECTION_TEXT - 3) + u"\u2026"
    assert len(message["text"]) <= MAX_FALLBACK_TEXT and "&" not in ENTITY.sub("", message["text"])


@pytest.mark.parametrize("count", [0, 1, 40, 200, 5000])
def test_many_lines_keep_to_fifty_blocks_and_say_how_many_are_not_shown(count):
    lines = ["scan ALC_%04d failed on prod-wdc06-infra-nessus-%02d: %s" % (n, n % 7, "e" * 30) for n in range(count)]
    message = build_message("Nessus remediation", lines, RECORD)
    blocks = message["blocks"]
    assert len(blocks) <= MAX_BLOCKS and BlockChecker().check(blocks) == []
    shown = sum(b["text"]["text"].count(u"\u2022 ") for b in blocks[1:] if b["type"] == "section")
    notes = [b["elements"][0]["text"] for b in blocks if b["type"] == "context"][:-1]
    if shown == count:
        assert notes == []
    else:
        assert notes == ["%d more line(s) not shown: see the record" % (count - shown)]
    assert 0 < len(message["text"]) <= MAX_FALLBACK_TEXT and message["text"].endswith("|Remediation record>")


def test_empty_lines_are_dropped_and_a_title_is_required():
    assert [b["type"] for b in build_message("t", ["", "  ", "\x07"])["blocks"]] == ["section"]
    assert build_message("t", "one\ntwo")["blocks"][1]["text"]["text"] == u"\u2022 one\n\u2022 two"
    with pytest.raises(ValueError, match="needs a title"):
        build_message(" \n", ["x"])
    with pytest.raises(ValueError, match="outcome must be one of changed, escalated, failed, unchanged"):
        build_message("t", [], outcome="great")


@pytest.mark.parametrize("text, limit, expected", [
    ("abc", 3, "abc"),
    ("abcdef", 4, u"abc\u2026"),
    ("ab&amp;cd", 4, u"ab\u2026"),
    ("ab&amp;cd", 8, u"ab&amp;\u2026"),
    ("&lt;&lt;", 6, u"&lt;\u2026"),
])
def test_cut(text, limit, expected):
    assert cut(text, limit) == expected


# mostly Slack's own syntax: angle brackets, entities, mentions, links
SLACKISH = st.text(alphabet="<>&|!@#:/htps.amplgU \n\t", max_size=400)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=300), SLACKISH), st.lists(st.one_of(st.text(max_size=4000), SLACKISH), max_size=30),
       st.sampled_from(["changed", "escalated", "failed", "unchanged"]))
def test_any_outside_text_stays_inert_and_within_limits(title, lines, outcome):
    if not escape(title):
        return
    message = build_message(title, lines, RECORD, outcome)
    assert BlockChecker().check(message["blocks"]) == []
    assert len(message["text"]) <= MAX_FALLBACK_TEXT
    mentions, links, _shown = read_by_slack(message)
    assert mentions == [] and links == [RECORD, RECORD]
    for text in texts(message):
        assert "&" not in ENTITY.sub("", text)


@pytest.mark.parametrize("via, webhook, token, expected", [
    ("auto", "https://hooks", "xoxb-1", "api"),
    ("auto", "https://hooks", None, "webhook"),
    ("webhook", "https://hooks", "xoxb-1", "webhook"),
    ("api", None, "xoxb-1", "api"),
    (None, "https://hooks", "", "webhook"),
    ("api", "https://hooks", None, "chat.postMessage needs bot_token"),
    ("auto", None, None, "no webhook_url .SLACK_WEBHOOK_URL. and no bot_token"),
    ("email", None, None, "via must be one of auto, webhook, api"),
])
def test_route(via, webhook, token, expected):
    if expected in ("api", "webhook"):
        assert route(via, webhook, token) == expected
    else:
        with pytest.raises(ValueError, match=expected):
            route(via, webhook, token)


def test_a_webhook_url_is_checked_without_repeating_it():
    assert split_webhook_url("https://hooks.slack.com/services/T0001/B0002/s3cr3tS3cr3t") == (
        "https://hooks.slack.com", "/services/T0001/B0002/s3cr3tS3cr3t", "/services/T0001/B0002/***")
    for bad in ("http://hooks.slack.com/services/T0001/B0002/s3cr3tS3cr3t", "https://hooks.slack.com/s3cr3tS3cr3t",
                "https://hooks.slack.com/services/T0001/B0002/s3cr3tS3cr3t?x=1", "hooks.slack.com/services/T/B/s3cr3tS3cr3t"):
        with pytest.raises(ValueError, match="not an incoming webhook URL") as exc:
            split_webhook_url(bad)
        assert "s3cr3t" not in str(exc.value)
