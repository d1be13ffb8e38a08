"""The findings of the security test of 2026-11-30 (../shared/findings/2026-11-30-security.md),
one test each, written to fail before the fix: what a role that sees a phone masked can learn,
scope after a return, exports, and the web's refusals of hostile input."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model

from hotline.dispatch.services import dispatch_ticket
from hotline.orgs.models import Staff, Unit
from hotline.tickets.tests.helpers import new_ticket, township_matter


def _person(username: str, role: str, unit: Unit):
    user = get_user_model().objects.create_user(username=username, password="pw-for-tests-only")
    Staff.objects.create(user=user, role=role, unit=unit)
    return user


@pytest.fixture
def overseers(people):
    """A district overseer of 城东区 and a leader: both see requesters masked."""
    district = _person("district", Staff.Role.DISTRICT, Unit.objects.get(code="D630102-GOVSVC"))
    leader = _person("leader", Staff.Role.LEADER, people.centre)
    return district, leader


def _listed(client, url: str, code: str) -> bool:
    return code in client.get(url).content.decode()


def test_h1_a_masked_phone_cannot_be_completed_by_searching_its_tail(client, people, overseers):
    ticket = new_ticket(people.operator, requester_phone="13797178139")
    dispatch_ticket(ticket, lead_unit=people.township, matter=township_matter())
    district, leader = overseers
    for viewer in (district, leader, people.street):  # street: dispatched, not signed: masked
        client.force_login(viewer)
        page = client.get(f"/tickets/{ticket.code}/").content.decode()
        assert "137****8139" in page
        for url in ("/search/?q=78139", "/search/?q=13797178139", "/pool/?q=8139"):
            if viewer is people.street and url.startswith("/pool/"):
                continue
            assert not _listed(client, url, ticket.code), (viewer.username, url)
        # The code's tail still finds it.
        assert _listed(client, f"/search/?q={ticket.code[-6:]}", ticket.code)
    # The centre, which sees the number, finds the ticket by it.
    client.force_login(people.supervisor)
    assert _listed(client, "/search/?q=78139", ticket.code)
    # The repeat panel: a leader's number does not find the caller; the operator's does.
    panel = "/insight/repeats/?phone=13797178139&address=城东区东关大街街道东关大街12号"
    client.force_login(leader)
    same_caller = re.compile("同一来电人(；|</td>)")
    assert not same_caller.search(client.get(panel).content.decode())
    client.force_login(people.operator)
    assert same_caller.search(client.get(panel).content.decode())
