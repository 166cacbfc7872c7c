"""servicenow_ticket through main() against the lab's ServiceNow: catalog orders found again by their request's
correlation id, two-step checkout refused clearly, Table API records once per correlation id."""

from __future__ import annotations

from ansible_collections.conductors.nessus_compliance.plugins.modules import servicenow_ticket

ITEM = "45ef56a7db7c4c10c717e9ec0b96193a"
CID = "nessus-sos-3f2a9c1d7e20-2026-11-26"
FIELDS = {"short_description": "Nessus scans failing: ALC_all_envs_public_import", "u_c_code": "ALC", "u_severity": "2"}
ORDER = "POST /api/sn_sc/servicecatalog/items/%s/order_now" % ITEM


def order_args(**extra):
    return dict({"catalog_item": ITEM, "correlation_id": CID, "fields": FIELDS}, **extra)


def test_a_catalog_order_keeps_its_variables_on_the_item_and_a_rerun_orders_nothing(lab_env, run_module):
    first = run_module(servicenow_ticket, order_args(work_note="still failing"))
    assert (first["changed"], first["action"]) == (True, "created")
    assert first["ticket"]["number"].startswith("REQ") and first["ticket"]["table"] == "sc_request"
    calls = lab_env.calls("servicenow")
    request_id = first["ticket"]["sys_id"]
    assert calls == ["GET /api/now/table/sc_request", ORDER, "PATCH /api/now/table/sc_request/%s" % request_id]
    snow = lab_env.world.servicenow
    request = next(r for r in snow.records("sc_request") if r["sys_id"] == request_id)
    assert request["correlation_id"] == CID and "u_c_code" not in request
    items = snow.requested_items(request_id)
    assert len(items) == 1 and items[0]["variables"] == FIELDS  # the variables, and no correlation_id among them

    again = run_module(servicenow_ticket, order_args(work_note="still failing"))
    assert (again["changed"], again["action"], again["ticket"]["number"]) == (True, "work_note", first["ticket"]["number"])
    quiet = run_module(servicenow_ticket, order_args())
    assert (quiet["changed"], quiet["action"]) == (False, "unchanged")
    calls = lab_env.calls("servicenow")[3:]
    assert calls == ["GET /api/now/table/sc_request", "PATCH /api/now/table/sc_request/%s" % request_id,
                     "GET /api/now/table/sc_request"]
    assert lab_env.calls("servicenow").count(ORDER) == 1
    assert len(snow.records("sc_request")) == 1 and len(snow.records("sc_req_item")) == 1
    assert [j["value"] for j in request["_journal"]] == ["still failing"]


def test_two_step_checkout_fails_clearly_and_creates_nothing(lab_factory, run_module, monkeypatch):
    lab = lab_factory("servicenow_two_step_checkout")
    for key, value in lab.settings.items():
        monkeypatch.setenv(key, value)
    result = run_module(servicenow_ticket, order_args(), fails=True)
    assert "two-step checkout" in result["msg"] and "no request was created" in result["msg"]
    assert result.get("action") != "created" and not result.get("changed")
    assert lab.calls("servicenow") == ["GET /api/now/table/sc_request", ORDER]  # no PATCH: nothing to correlate
    assert lab.world.servicenow.records("sc_request") == []


def test_a_table_record_is_created_once_per_correlation_id(lab_env, run_module):
    args = {"table": "sc_request", "correlation_id": CID, "fields": dict(FIELDS, assignment_group="SOS Vulnerability Scanning")}
    first = run_module(servicenow_ticket, args)
    again = run_module(servicenow_ticket, args)
    assert (first["action"], again["action"]) == ("created", "unchanged")
    assert lab_env.calls("servicenow") == ["GET /api/now/table/sc_request", "POST /api/now/table/sc_request",
                                           "GET /api/now/table/sc_request"]


def test_check_mode_orders_nothing(lab_env, run_module):
    result = run_module(servicenow_ticket, order_args(), check_mode=True)
    assert (result["changed"], result["action"], result["ticket"]) == (True, "would_create", None)
    assert lab_env.calls("servicenow") == ["GET /api/now/table/sc_request"]
