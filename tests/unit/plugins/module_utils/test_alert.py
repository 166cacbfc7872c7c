"""The alert parser: the runbook's bracketed list, and no input makes it crash."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings, strategies as st

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.alert import AlertError, alert_scans

RUNBOOK = ("The following scans are identified as failing and need investigation:\n\n"
           "[ALC_all_envs_public_import ALC_Prod_WDC06_private_import]")


@pytest.mark.parametrize("text, names", [
    (RUNBOOK, ["ALC_all_envs_public_import", "ALC_Prod_WDC06_private_import"]),
    ("[ALC_Prod_WDC06_private_import]", ["ALC_Prod_WDC06_private_import"]),
    ("[a, b,c  a]", ["a", "b", "c"]),
    ("[ALC_Prod_WDC06_CM7_All-ports]", ["ALC_Prod_WDC06_CM7_All-ports"]),
    # a GHE issue body: only the line under the header chooses; Security Center's brackets elsewhere choose nothing
    ("## Failing\n" + RUNBOOK.replace("\n\n[", "\n\n~~~\n[") + "\n~~~\n\nerror_details: [Errno 111] Connection refused "
     "[ALC_Prod_LON02_private_import partial]", ["ALC_all_envs_public_import", "ALC_Prod_WDC06_private_import"]),
    ("SCANS FAILED - failed nessus scans require investigation: ALC_Prod_TOK02_private_import ALC_FR2_public_import",
     ["ALC_Prod_TOK02_private_import", "ALC_FR2_public_import"]),
    ('{"check": {"failing": ["ALC_FR2_public_import"]}}', ["ALC_FR2_public_import"]),
])
def test_alert_scans(text, names):
    assert alert_scans(text) == names


@pytest.mark.parametrize("text, message", [
    ("", "empty alert"),
    ("   \n", "empty alert"),
    (None, "empty alert"),
    ("[ , ]", "empty alert: it names no scan"),
    ("SCANS FAILED - failed nessus scans require investigation", "malformed alert 'SCANS FAILED"),
    ("[]", "empty alert: it names no scan"),
    ("[ALC_ok <script>]", "malformed alert: '<script>' is not a scan name"),
    # any bracketed text anywhere no longer chooses scans
    ("SCANS FAILED [ALC_Prod_TOK02_private_import]\n see [ALC_FR2_public_import]", "malformed alert 'SCANS FAILED"),
    ("Scanner down: [Errno 111] Connection refused", "malformed alert"),
    ("[ALC_x {{ lookup('pipe', 'id') }}]", "malformed alert: '{{' is not a scan name"),
    ("[ALC_x {%raw%}]", "malformed alert: '{%raw%}' is not a scan name"),
    ("The following scans are identified as failing and need investigation:\n\nsee below [A]",
     "the line under 'The following"),
    ("The following scans are identified as failing and need investigation:\n[A]\n"
     "The following scans are identified as failing and need investigation:\n[B]", "ambiguous alert"),
    ('{"check": {}}', "malformed report: no check.failing"),
    ('{"check": {"failing": ["{{ lookup(1) }}"]}}', "malformed report: '{{ lookup(1) }}' is not a scan name"),
    ('{"check": ' * 3000, "malformed report: not JSON"),
])
def test_bad_alerts_say_what_was_expected(text, message):
    with pytest.raises(AlertError, match=re.escape(message)):
        alert_scans(text)


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(max_size=300), st.builds(lambda a, b: "%s[%s]" % (a, b), st.text(max_size=50), st.text(max_size=80))))
def test_no_input_makes_it_crash(text):
    try:
        names = alert_scans(text)
    except AlertError:
        return
    assert names and all(name and "[" not in name and " " not in name for name in names)
    assert len(names) == len(set(names))
