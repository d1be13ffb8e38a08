"""回访 by SMS: one link per reply, a public page that records a valid revisit once."""

import json

import pytest
from django.core import signing

from hotline.dispatch.services import dispatch_ticket
from hotline.evaluation.links import LinkError, rating_token, send_rating_links, ticket_for_token
from hotline.evaluation.models import Revisit
from hotline.handling import services as handling
from hotline.outbox import delivery
from hotline.tickets.models import Status, Ticket
from hotline.tickets.tests.helpers import at, new_ticket, township_matter


@pytest.fixture
def replied(people, settings, tmp_path):
    settings.OUTBOX = {**settings.OUTBOX, "FILE": tmp_path / "outbox.jsonl"}
    ticket = new_ticket(people.operator)
    dispatch_ticket(ticket, lead_unit=people.township, matter=township_matter(), at=at(2026, 11, 2, 9, 10))
    handling.sign(ticket, unit=people.township, at=at(2026, 11, 2, 10))
    handling.reply(ticket, unit=people.township, result="已清理占道摊点。", at=at(2026, 11, 3, 15))
    people.ticket = ticket
    people.outbox = tmp_path / "outbox.jsonl"
    return people


def test_one_sms_per_reply_with_a_working_link(replied):
    assert send_rating_links(now=at(2026, 11, 3, 16)) == {"queued": 1}
    assert send_rating_links(now=at(2026, 11, 3, 17)) == {"queued": 0}
    delivery.deliver_due(now=at(2026, 11, 3, 17))
    sms = json.loads(replied.outbox.read_text(encoding="utf-8"))
    assert sms["to"] == "13912345678" and replied.ticket.code in sms["body"] and "/s/rate/" in sms["body"]


def test_the_public_page_records_a_valid_sms_revisit_once(replied, client):
    url = f"/s/rate/{rating_token(replied.ticket)}/"
    page = client.get(url)
    assert page.status_code == 200 and replied.ticket.code in page.content.decode()
    answer = {"contacted": "yes", "solved": "yes", "satisfaction": "satisfied"}
    assert client.post(url, answer).status_code == 200
    revisit = Revisit.objects.get()
    assert revisit.method == Revisit.Method.SMS and revisit.outcome == Revisit.Outcome.VALID
    assert Ticket.objects.get(pk=replied.ticket.pk).status == Status.CLOSED
    assert client.post(url, answer).status_code == 410  # rated already: the link is spent
    assert Revisit.objects.count() == 1


def test_dissatisfied_and_unsolved_from_the_page_reopens(replied, client):
    url = f"/s/rate/{rating_token(replied.ticket)}/"
    client.post(url, {"contacted": "no", "solved": "no", "satisfaction": "dissatisfied", "comment": "没人来"})
    assert Ticket.objects.get(pk=replied.ticket.pk).status == Status.REOPENED


@pytest.mark.parametrize("answer", [{}, {"contacted": "maybe", "solved": "yes", "satisfaction": "satisfied"}])
def test_an_incomplete_or_malformed_answer_records_nothing(replied, client, answer):
    response = client.post(f"/s/rate/{rating_token(replied.ticket)}/", answer)
    assert response.status_code == 200 and not Revisit.objects.exists()
    assert Ticket.objects.get(pk=replied.ticket.pk).status == Status.REPLIED


def test_forged_tampered_and_stale_links_are_refused(replied, client):
    token = rating_token(replied.ticket)
    assert client.get("/s/rate/not-a-token/").status_code == 410
    assert client.get(f"/s/rate/{token[:-2]}xx/").status_code == 410
    forged = signing.dumps({"t": replied.ticket.pk, "r": 0}, salt="hotline.evaluation.rating", compress=True)
    with pytest.raises(LinkError):
        ticket_for_token(forged)
    assert client.get("/s/rate/" + "A" * 5000 + "/").status_code == 410
