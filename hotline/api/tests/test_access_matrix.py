"""The API's access matrix: every endpoint × client scope × ticket owner. A client without the
scope gets 403; with it, a ticket it does not own is 404, as if it did not exist; and no answer
ever carries the code of a ticket the client may not see (0 leaks)."""

import itertools
import json

import pytest
from django.utils import timezone

from hotline.api.api import api
from hotline.api.services import create_client
from hotline.api.tests.conftest import auth
from hotline.dispatch.services import dispatch_ticket
from hotline.linkage.models import Agency
from hotline.linkage.services import transfer_out
from hotline.tickets.tests.helpers import new_ticket

SCOPES = ["submit", "read_own", "unit_work", "transfer", "calls"]

# (method, path, body, scope, target kind): the target kind says which ids fill the path.
ENDPOINTS = [
    ("POST", "/api/v1/tickets", {"content": "路灯不亮", "anonymous": True}, "submit", None),
    ("GET", "/api/v1/tickets/{code}", None, "read_own", "submitted"),
    ("GET", "/api/v1/tickets/{code}/timeline", None, "read_own", "submitted"),
    ("GET", "/api/v1/unit/inbox", None, "unit_work", None),
    ("GET", "/api/v1/unit/inbox?view=done", None, "unit_work", None),
    ("GET", "/api/v1/unit/tickets/{code}", None, "unit_work", "unit"),
    ("POST", "/api/v1/unit/tickets/{code}/sign", {}, "unit_work", "unit"),
    ("POST", "/api/v1/unit/tickets/{code}/contact", {"note": "电话联系"}, "unit_work", "unit"),
    ("POST", "/api/v1/unit/tickets/{code}/extension", {"days": 2, "reason": "需要协调"}, "unit_work", "unit"),
    ("POST", "/api/v1/unit/tickets/{code}/return", {"reason": "非本单位职责"}, "unit_work", "unit"),
    ("POST", "/api/v1/unit/tickets/{code}/reply", {"result": "已办结"}, "unit_work", "unit"),
    ("GET", "/api/v1/transfers", None, "transfer", None),
    ("GET", "/api/v1/transfers?direction=in", None, "transfer", None),
    ("POST", "/api/v1/transfers", {"case_number": "JJ-M-1", "content": "路灯不亮", "address": ""}, "transfer", None),
    ("GET", "/api/v1/transfers/{pk}", None, "transfer", "transfer"),
    ("POST", "/api/v1/transfers/{pk}/receipt", {"their_ref": "JJ-9"}, "transfer", "transfer"),
    ("POST", "/api/v1/transfers/{pk}/feedback", {"feedback": "已处置"}, "transfer", "transfer"),
    ("POST", "/api/v1/calls/events", {"call_id": "M-1", "event": "ringing", "caller": "13912345678"}, "calls", None),
]


def test_the_matrix_covers_every_endpoint():
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    served = {(m.upper(), p) for p, ops in schema["paths"].items() for m in ops}
    covered = {(m, p.split("?")[0].replace("{code}", "{code}").replace("{pk}", "{pk}")) for m, p, *_ in ENDPOINTS}
    assert served == covered


@pytest.mark.clock
def test_no_client_reaches_what_it_does_not_own(client, people):
    now = timezone.now()
    police, fire = Agency.objects.get(code="110"), Agency.objects.get(code="119")
    # One client per scope, each owning something, and a twin of each owning something else.
    owners = {}
    for scope, twin in itertools.product(SCOPES, ("a", "b")):
        unit = (people.housing if twin == "a" else people.other_township) if scope == "unit_work" else None
        agency = (police if twin == "a" else fire) if scope == "transfer" else None
        owners[(scope, twin)] = create_client(
            name=f"{scope}-{twin}", channel="app_shiliuzi", scopes=[scope], unit=unit, agency=agency
        )
    nothing, nothing_token = create_client(name="no scope", channel="app_shiliuzi", scopes=[])

    # What each owns: tickets submitted, tickets of its unit, transfers of its agency.
    submitted = {}
    for twin in ("a", "b"):
        c, token = owners[("submit", twin)]
        # read_own and submit are separate clients: give the read_own twin its own submission.
        reader, reader_token = owners[("read_own", twin)]
        reader.scopes = "submit,read_own"
        reader.save()
        made = client.post(
            "/api/v1/tickets",
            data=json.dumps({"content": f"{twin} 小区垃圾没人清", "anonymous": True}),
            content_type="application/json",
            **auth(reader_token, f"own-{twin}"),
        )
        submitted[twin] = made.json()["code"]
        reader.scopes = "read_own"
        reader.save()
    unit_ticket = {}
    for twin, unit in (("a", people.housing), ("b", people.other_township)):
        t = new_ticket(people.operator, when=now, content=f"{twin} 占道经营")
        dispatch_ticket(t, lead_unit=unit, actor=people.dispatcher)
        unit_ticket[twin] = t.code
    transfer = {}
    for twin, agency in (("a", police), ("b", fire)):
        t = new_ticket(people.operator, when=now, content=f"{twin} 有人打架")
        transfer[twin] = (transfer_out(t, agency=agency, reason="警情", actor=people.operator).pk, t.code)

    targets = {
        "submitted": {twin: {"code": code} for twin, code in submitted.items()},
        "unit": {twin: {"code": code} for twin, code in unit_ticket.items()},
        "transfer": {twin: {"pk": pk} for twin, (pk, _code) in transfer.items()},
    }
    visible = {  # the ticket codes a client may ever see in an answer
        ("read_own", "a"): {submitted["a"]},
        ("read_own", "b"): {submitted["b"]},
        ("unit_work", "a"): {unit_ticket["a"]},
        ("unit_work", "b"): {unit_ticket["b"]},
        ("transfer", "a"): {transfer["a"][1]},
        ("transfer", "b"): {transfer["b"][1]},
    }
    every_code = set(submitted.values()) | set(unit_ticket.values()) | {code for _pk, code in transfer.values()}

    callers = [(key, token) for key, (_c, token) in owners.items()] + [(("none", "-"), nothing_token)]
    checked = 0
    for (method, path, body, scope, kind), ((has, twin), token) in itertools.product(ENDPOINTS, callers):
        fills = [(t, values) for t, values in targets.get(kind, {}).items()] if kind else [(None, {})]
        for owner_twin, values in fills:
            url = path.format(**values)
            if method == "GET":
                response = client.get(url, **auth(token))
            else:
                response = client.post(
                    url, data=json.dumps(body), content_type="application/json", **auth(token, f"{url}-{has}-{twin}")
                )
            checked += 1
            where = (method, url, has, twin)
            if has != scope:
                assert response.status_code == 403 and response.json()["code"] == "scope", where
                continue
            if kind is not None and owner_twin != twin:
                assert response.status_code == 404, where
            else:
                assert response.status_code in (200, 201, 400, 409), (where, response.content)
            leaked = {
                code for code in every_code - visible.get((has, twin), set()) if code in response.content.decode()
            }
            # A client may see the ticket it just made; none other.
            made = response.json().get("ticket") or response.json().get("code") if method == "POST" else None
            assert leaked - {made} == set(), (where, leaked)
    assert checked == sum(len(targets.get(k, {})) or 1 for *_, k in ENDPOINTS) * len(callers)
