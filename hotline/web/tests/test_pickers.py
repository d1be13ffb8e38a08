"""Pickers that scale (issue 13, item 6): matters and units typed or searched as you type over
``/pick/<kind>/``, validated on the server so the fields work without script; the operator's title."""

from __future__ import annotations

import pytest
from django.test import Client

from hotline.catalog.models import Matter
from hotline.orgs.models import Unit
from hotline.tickets.models import Ticket
from hotline.tickets.tests.helpers import new_ticket


def as_(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_endpoint_finds_matters_and_units_by_words_or_code(people):
    operator = as_(people.operator)
    rows = operator.get("/pick/matter/", {"q": "电梯困人"}).json()["results"]
    lift = Matter.objects.get(name="电梯困人", is_leaf=True)
    assert rows[0]["code"] == lift.code and rows[0]["text"] == f"{lift.path} · {lift.code}"
    assert len(operator.get("/pick/matter/", {"q": "路灯"}).json()["results"]) >= 2
    assert operator.get("/pick/leaf/", {"q": lift.code[:2]}).json()["results"]  # a code's start finds its branch
    units = operator.get("/pick/unit/", {"q": "东关大街"}).json()["results"]
    assert people.township.code in [u["code"] for u in units]
    assert all(u["code"] != Unit.objects.get(kind=Unit.Kind.CENTRE).code for u in units)  # never the centre
    assert len(operator.get("/pick/unit/", {"q": "区"}).json()["results"]) == 20  # capped
    # Empty, hostile and huge questions answer nothing and break nothing.
    for q in ("", "   ", "<script>alert(1)</script>", "'; DROP TABLE tickets_ticket; --", "路" * 100_000):
        response = operator.get("/pick/unit/", {"q": q})
        assert response.status_code == 200 and response.json()["results"] == []
    assert operator.get("/pick/nothing/", {"q": "a"}).status_code == 404
    assert Client().get("/pick/unit/", {"q": "东关"}).status_code == 302  # sign in first


def _register(client, **fields):
    data = {"channel": "phone_12345", "kind": "help", "urgency": "normal", "content": "电梯困人，物业电话打不通。"}
    data.update(fields)
    return client.post("/console/", data)


def test_the_console_reads_a_typed_matter_without_script(people):
    operator = as_(people.operator)
    page = operator.get("/console/")
    assert page.content.decode().count("<option") < 40  # no list of 598 matters in the page
    lift = Matter.objects.get(name="电梯困人", is_leaf=True)
    assert _register(operator, matter="电梯困人", requester_phone="13900000001").status_code == 302
    assert Ticket.objects.get(requester_phone="13900000001").matter == lift
    assert _register(operator, matter=f"{lift.path} · {lift.code}", requester_phone="13900000002").status_code == 302
    assert Ticket.objects.get(requester_phone="13900000002").matter == lift
    assert _register(operator, matter=lift.code, requester_phone="13900000003").status_code == 302
    # Words that name several, nothing, or something hostile: an error that names the candidates,
    # the form comes back with what was typed, and no ticket is written.
    before = Ticket.objects.count()
    response = _register(operator, matter="路灯", requester_phone="13900000004")
    assert response.status_code == 400
    error = " ".join(response.context["form"].errors["matter"])
    assert "路灯" in error and "·" in error
    for typed in ("<script>alert(1)</script>", "没有这个事项", "9" * 10_000):
        response = _register(operator, matter=typed, content="保留我写的内容", requester_phone="13900000005")
        assert response.status_code == 400 and response.context["form"].errors["matter"]
        assert "保留我写的内容" in response.content.decode()
    assert Ticket.objects.count() == before
    # A category is no leaf: the console files a request under a leaf matter only.
    category = Matter.objects.filter(level=1).first()
    assert _register(operator, matter=category.code, requester_phone="13900000006").status_code == 400


def test_the_operator_writes_the_title_or_intake_writes_it(people):
    operator = as_(people.operator)
    _register(operator, requester_phone="13900000011", title="东关大街12号电梯困人")
    assert Ticket.objects.get(requester_phone="13900000011").title == "东关大街12号电梯困人"
    _register(operator, requester_phone="13900000012", title="", address="城东区东关大街街道东关大街12号")
    written = Ticket.objects.get(requester_phone="13900000012").title
    assert written and "东关大街" in written
    # The suggestion the console pre-fills is the title intake writes for the same words.
    suggestion = operator.get(
        "/console/suggest/", {"content": "电梯困人，物业电话打不通。", "address": "城东区东关大街街道东关大街12号"}
    )
    assert f'data-title="{written}"' in suggestion.content.decode()


def test_dispatch_and_search_take_units_by_name_or_code(people):
    ticket = new_ticket(people.operator)
    dispatcher = as_(people.dispatcher)
    page = dispatcher.get(f"/tickets/{ticket.code}/")
    assert page.content.decode().count("<option") < 300  # neither 598 matters nor 265 units twice
    matter = Matter.objects.filter(is_leaf=True, owner_level="township", tier=7).order_by("code").first()
    response = dispatcher.post(
        f"/tickets/{ticket.code}/dispatch/",
        {"dispatch-matter": matter.code, "dispatch-lead_unit": people.township.name, "dispatch-note": ""},
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.lead_unit == people.township
    found = dispatcher.get("/search/", {"lead_unit": people.township.name})
    assert [t.code for t in found.context["page"]] == [ticket.code]
    wrong = dispatcher.get("/search/", {"lead_unit": "没有这个单位"})
    assert wrong.context["filter"].errors and wrong.context["page"].paginator.count == 0


@pytest.mark.parametrize("kind", ["matter", "leaf", "unit", "region"])
def test_every_picker_answers_in_a_few_queries(people, kind, django_assert_max_num_queries):
    operator = as_(people.operator)
    operator.get("/pick/unit/", {"q": "x"})  # the session is read once
    with django_assert_max_num_queries(4):
        operator.get(f"/pick/{kind}/", {"q": "城"})


def test_co_units_are_typed_as_several_entries(people):
    ticket = new_ticket(people.operator)
    dispatcher = as_(people.dispatcher)
    matter = Matter.objects.filter(is_leaf=True, owner_level="township", tier=7).order_by("code").first()
    data = {"dispatch-matter": matter.code, "dispatch-lead_unit": people.township.code, "dispatch-note": ""}
    # One entry that names nothing refuses the whole dispatch, and names what it could not read.
    refused = dispatcher.post(
        f"/tickets/{ticket.code}/dispatch/", {**data, "dispatch-co_units": f"{people.housing.code}；没有这个单位"}
    )
    assert refused.status_code == 400 and "没有这个单位" in refused.content.decode()
    ticket.refresh_from_db()
    assert ticket.lead_unit is None
    both = f"{people.housing.name}; {people.other_township.code}；{people.housing.code}；"
    assert dispatcher.post(f"/tickets/{ticket.code}/dispatch/", {**data, "dispatch-co_units": both}).status_code == 302
    co = set(ticket.assignments.filter(role="co").values_list("unit", flat=True))
    assert co == {people.housing.pk, people.other_township.pk}  # a unit named twice counts once
