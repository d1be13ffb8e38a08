"""答复审核 (issue 15, item 4): a reviewer checks replies before the revisit (all, or the risky
ones, by the policy); a reply sent back is a redo with its reason."""

import pytest
from django.core.exceptions import ValidationError

from hotline.dispatch.services import dispatch_ticket
from hotline.evaluation.links import send_rating_links
from hotline.evaluation.selectors import awaiting_review, awaiting_revisit
from hotline.evaluation.services import close_expired_revisits, record_revisit, review_reply
from hotline.handling import services as handling
from hotline.tickets.models import Status, Ticket, TicketEvent, Urgency
from hotline.tickets.tests.helpers import at, new_ticket, township_matter
from hotline.tickets.transitions import TransitionError

YES = {"contacted": True, "solved": True, "satisfaction": "satisfied"}


def replied(p, **kwargs):
    ticket = new_ticket(p.operator, **kwargs)
    dispatch_ticket(ticket, lead_unit=p.township, matter=township_matter(), at=at(2026, 11, 2, 9, 10))
    handling.sign(ticket, unit=p.township, at=at(2026, 11, 2, 10))
    handling.reply(ticket, unit=p.township, result="已处理。", at=at(2026, 11, 3, 15))
    return ticket


@pytest.fixture
def review_all(settings, tmp_path):
    settings.HOTLINE = {**settings.HOTLINE, "REPLY_REVIEW": "all"}
    settings.OUTBOX = {**settings.OUTBOX, "FILE": tmp_path / "outbox.jsonl"}


def test_by_default_no_reply_waits_for_review(people):
    assert not replied(people).review_pending


def test_a_reply_waits_for_review_before_the_revisit(review_all, people):
    ticket = replied(people)
    assert ticket.review_pending
    assert [t.pk for t in awaiting_review(people.supervisor)] == [ticket.pk]
    assert not awaiting_revisit(people.operator, now=at(2026, 11, 3, 16)).exists()
    assert send_rating_links(now=at(2026, 11, 3, 16)) == {"queued": 0}
    with pytest.raises(ValidationError, match="review"):
        record_revisit(ticket, **YES, at=at(2026, 11, 3, 16))
    assert close_expired_revisits(now=at(2026, 11, 20)) == 0  # never closed unreviewed
    review_reply(ticket, approve=True, actor=people.supervisor, at=at(2026, 11, 4))
    assert not ticket.review_pending
    record_revisit(ticket, **YES, at=at(2026, 11, 4, 10))
    assert Ticket.objects.get(pk=ticket.pk).status == Status.CLOSED


def test_a_reply_sent_back_is_a_redo_with_its_reason(review_all, people):
    ticket = replied(people)
    with pytest.raises(ValidationError):
        review_reply(ticket, approve=False, note="", at=at(2026, 11, 4))  # a reason is required
    review_reply(ticket, approve=False, note="未附现场照片", actor=people.supervisor, at=at(2026, 11, 4))
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert fresh.status == Status.REOPENED and fresh.redo_count == 1 and not fresh.review_pending
    event = TicketEvent.objects.filter(ticket=ticket, action="reopen").get()
    assert "未附现场照片" in event.note and event.data["review"] == "sent_back"
    with pytest.raises(TransitionError):
        review_reply(fresh, approve=True, at=at(2026, 11, 4, 10))  # nothing to review any more


def test_risk_based_review_takes_the_risky_replies_only(settings, people):
    settings.HOTLINE = {**settings.HOTLINE, "REPLY_REVIEW": "risk"}
    plain = replied(people, content="路灯不亮。")
    urgent = replied(people, content="燃气味道很重。", urgency=Urgency.URGENT, requester_phone="13800000001")
    assert not plain.review_pending and urgent.review_pending


def test_reviewing_a_reply_not_waiting_is_refused(people):
    ticket = replied(people)
    with pytest.raises(ValidationError):
        review_reply(ticket, approve=True)


def test_the_review_page_and_action(review_all, people, client):
    ticket = replied(people)
    client.force_login(people.supervisor)
    assert ticket.code in client.get("/reviews/").content.decode()
    response = client.post(f"/tickets/{ticket.code}/review-reply/", {"review-reply-approve": "1"})
    assert response.status_code == 302 and not Ticket.objects.get(pk=ticket.pk).review_pending
    client.force_login(people.operator)
    assert client.get("/reviews/").status_code == 403
