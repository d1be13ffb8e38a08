"""Live work: the top bar's counts come from the workbenches' own selectors, per role, and change
without a reload when another person's action brings work."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from hotline.dispatch.selectors import queue_counts
from hotline.dispatch.services import dispatch_ticket
from hotline.handling.selectors import inbox_counts
from hotline.orgs.models import Staff
from hotline.supervision.selectors import pool_counts
from hotline.tickets.tests.helpers import new_ticket, township_matter
from hotline.web import live

pytestmark = pytest.mark.django_db


def as_(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def counts_in(html: str) -> dict[str, int]:
    return {key: int(n) for key, n in re.findall(r'data-live="(\w+)" data-n="(\d+)"', html)}


def test_each_role_sees_its_own_counts_from_the_workbench_selectors(people):
    first = new_ticket(people.operator)
    second = new_ticket(people.operator, requester_phone="13900000001")
    dispatch_ticket(second, lead_unit=people.township, matter=township_matter())
    del first

    dispatcher = counts_in(as_(people.dispatcher).get("/live/").content.decode())
    queue = queue_counts(people.dispatcher)
    assert dispatcher["queue"] == queue["registered"] == 1
    assert dispatcher["returned"] == queue["returned"] == 0
    assert dispatcher["extensions"] == 0  # dispatchers decide extensions too

    street = counts_in(as_(people.street).get("/live/").content.decode())
    assert street == {
        "to_sign": inbox_counts(people.street)["to_sign"],
        "overdue": inbox_counts(people.street)["overdue"],
    }
    assert street["to_sign"] == 1

    # Another street office sees none of that unit's work.
    assert counts_in(as_(people.outsider).get("/live/").content.decode()) == {"to_sign": 0, "overdue": 0}

    # The operator's own waiting work: revisits (none replied yet).
    assert counts_in(as_(people.operator).get("/live/").content.decode()) == {"revisits": 0}

    supervisor = counts_in(as_(people.supervisor).get("/live/").content.decode())
    pool = pool_counts(people.supervisor)
    assert (supervisor["red"], supervisor["yellow"]) == (pool["red"], pool["yellow"])
    assert "queue" not in supervisor and "to_sign" not in supervisor


def test_the_bar_polls_only_for_people_with_a_role(people, django_user_model):
    page = as_(people.street).get("/inbox/").content.decode()
    assert 'id="live"' in page and f"every {live.POLL_SECONDS}s" in page
    nobody = django_user_model.objects.create_user("nobody", password="x")
    assert as_(nobody).get("/live/").content.decode().strip() == ""  # no role: no counts
    # A visitor whose session ended stops the polling (htmx's 286) instead of getting a login page.
    response = Client().get("/live/")
    assert response.status_code == 286 and response.content == b""


def test_a_unit_manager_and_an_administrator_see_the_counts_of_what_they_may_do(people, django_user_model):
    manager = django_user_model.objects.create_user("manager", password="x")
    Staff.objects.create(user=manager, role=Staff.Role.UNIT_MANAGER, unit=people.township)
    assert set(counts_in(as_(manager).get("/live/").content.decode())) == {"to_sign", "overdue"}
    admin = django_user_model.objects.create_superuser("root", password="x")
    # The administrator holds every permission but belongs to no unit: an inbox of nothing.
    got = counts_in(as_(admin).get("/live/").content.decode())
    assert got["to_sign"] == 0 and {"queue", "red", "extensions"} <= set(got)
