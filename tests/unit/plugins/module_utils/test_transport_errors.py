"""The base client's mapping of HTTP error statuses to typed errors, and what each client says differently."""

from __future__ import annotations

import pytest

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.classic import ClassicClient
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.pagerduty import PagerDutyClient
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.transport import (
    AccountLockedError,
    ApiClient,
    ApiError,
    AuthError,
    NotFoundError,
)


class Client(ApiClient):
    SYSTEM = "Test"
    AUTH_HINT = "check TEST_TOKEN"


@pytest.mark.parametrize("status, kind, message, hint", [
    (401, AuthError, "credentials refused", "check TEST_TOKEN"),
    (403, AuthError, "credentials refused", "check TEST_TOKEN"),
    (404, NotFoundError, "object not found", None),
    (400, ApiError, "request failed", None),
    (500, ApiError, "request failed", None),
    (200, ApiError, "request failed", None),  # an error envelope on HTTP 200
])
def test_default_mapping(status, kind, message, hint):
    err = Client().error(status, "GET", "/x")
    assert err.__class__ is kind and (err.message, err.hint, err.status, err.system) == (message, hint, status, "Test")
    assert err.to_dict()["kind"] == kind.__name__


def test_the_api_s_own_message_and_kind_win():
    err = Client().error(500, "POST", "/token", "account 'x' is locked", kind=AccountLockedError, hint="unlock it",
                         code=7, detail="locked")
    assert isinstance(err, AuthError) and err.message == "account 'x' is locked" and err.hint == "unlock it"
    assert (err.code, err.detail) == (7, "locked")


def test_clients_name_their_own_messages_and_hints():
    assert ClassicClient.ERROR_MESSAGES[ApiError] == "refused"
    classic = ClassicClient.__new__(ClassicClient)
    assert classic.error(401, "GET", "/x").hint == "check SL_USERNAME/SL_API_KEY"
    pagerduty = PagerDutyClient.__new__(PagerDutyClient)
    assert pagerduty.error(403, "GET", "/incidents").message == "token refused"
    assert pagerduty.error(401, "POST", "/v2/enqueue", "bad", hint=None).hint is None  # the Events API has no token
