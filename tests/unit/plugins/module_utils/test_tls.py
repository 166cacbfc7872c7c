"""TLS verification is on by default for every system's client: against the lab's HTTPS, a client without the lab's
CA bundle is refused before any request reaches it, and the same client with the bundle gets through."""

from __future__ import annotations

import pytest

from ansible_collections.conductors.nessus_compliance.plugins.module_utils.settings import SYSTEMS, from_environment
from ansible_collections.conductors.nessus_compliance.plugins.module_utils.transport import (
    ALLOW_HTTP_ENV,
    ApiError,
    TransportError,
)


def client(system, settings, ca_path):
    params, problems = from_environment(system, settings)
    assert problems == [] and params["validate_certs"] is True  # the default, nowhere turned off
    params["ca_path"] = ca_path
    cls = SYSTEMS[system][2]
    made = cls(*[params[name] for name in cls.MODULE_PARAMS])
    return made, getattr(made, "http", None) or made.events


@pytest.mark.parametrize("system", sorted(SYSTEMS))
def test_an_unknown_ca_is_refused(system, lab):
    made, http = client(system, lab.settings, None)
    with made:
        with pytest.raises(TransportError) as err:
            http.request("GET", "/")
    assert "TLS verification failed" in str(err.value) and str(err.value).startswith(SYSTEMS[system][0])
    assert lab.calls() == []  # refused in the handshake: nothing reached the lab
    made, http = client(system, lab.settings, lab.settings["TSC_CA_PATH"])
    with made:
        try:
            http.request("GET", "/")
        except TransportError as exc:  # pragma: no cover - the failure message says why
            pytest.fail("with the lab's CA: %s" % exc)
        except ApiError:
            pass  # an HTTP answer (404 and the like): TLS was fine
    assert lab.calls(), "the request with the CA bundle reached the lab"


@pytest.mark.parametrize("system", sorted(SYSTEMS))
def test_plain_http_is_refused_unless_its_host_is_named(system, lab, monkeypatch):
    settings = {k: v.replace("https://", "http://") if isinstance(v, str) else v for k, v in lab.settings.items()}
    monkeypatch.delenv(ALLOW_HTTP_ENV, raising=False)
    with pytest.raises(ValueError, match="plain http .*clear text.*%s" % ALLOW_HTTP_ENV):
        client(system, settings, None)
    monkeypatch.setenv(ALLOW_HTTP_ENV, "sc.example.com, 127.0.0.1")  # opted in by name, for a test system
    made, _http = client(system, settings, None)
    made.close()
    assert lab.calls() == []
