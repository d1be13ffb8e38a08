"""并单 (issue 15, item 12): every requester of a merged group gets the reply and a revisit of their
own, and each revisit counts once in the rates."""

import json

import pytest
from django.core.exceptions import ValidationError

from hotline.dispatch.services import dispatch_ticket
from hotline.evaluation.links import LinkError, rating_token, send_rating_links, ticket_for_token
from hotline.evaluation.models import Revisit
from hotline.evaluation.selectors import awaiting_revisit, three_rates, unit_scores
from hotline.evaluation.services import record_requester_revisit, record_revisit
from hotline.handling import services as handling
from hotline.intake.services import merge_ticket
from hotline.outbox import delivery
from hotline.tickets.models import Status, Ticket, TicketEvent
from hotline.tickets.tests.helpers import at, new_ticket, township_matter

YES = {"contacted": True, "solved": True, "satisfaction": "satisfied"}


@pytest.fixture
def group(people, settings, tmp_path):
    """One ticket and two duplicates from other callers merged into it, then replied."""
    settings.OUTBOX = {**settings.OUTBOX, "FILE": tmp_path / "outbox.jsonl"}
    main = new_ticket(people.operator)
    second = new_ticket(people.operator, requester_phone="13800000002", requester_name="李女士")
    third = new_ticket(people.operator, requester_phone="13800000003", requester_name="赵先生")
    for dup in (second, third):
        merge_ticket(dup, into=main, actor=people.operator, at=at(2026, 11, 2, 9, 5))
    dispatch_ticket(main, lead_unit=people.township, matter=township_matter(), at=at(2026, 11, 2, 9, 10))
    handling.sign(main, unit=people.township, at=at(2026, 11, 2, 10))
    handling.reply(main, unit=people.township, result="已清理占道摊点，并安排每日巡查。", at=at(2026, 11, 3, 15))
    people.main, people.second, people.third = main, Ticket.objects.get(pk=second.pk), Ticket.objects.get(pk=third.pk)
    people.outbox = tmp_path / "outbox.jsonl"
    return people


def test_every_requester_gets_the_reply_and_a_link_once(group):
    assert send_rating_links(now=at(2026, 11, 3, 16)) == {"queued": 1, "merged": 2}
    assert send_rating_links(now=at(2026, 11, 3, 17)) == {"queued": 0}  # once per reply
    delivery.deliver_due(now=at(2026, 11, 3, 17))
    messages = [json.loads(line) for line in group.outbox.read_text(encoding="utf-8").splitlines()]
    to_second = next(m for m in messages if m["to"] == "13800000002")
    assert group.second.code in to_second["body"] and group.main.code in to_second["body"]
    assert "已清理占道摊点" in to_second["body"] and "/s/rate/" in to_second["body"]
    assert {m["to"] for m in messages} == {"13912345678", "13800000002", "13800000003"}


def test_each_requester_is_revisited_once_and_counts_once(group):
    record_revisit(group.main, **YES, at=at(2026, 11, 4, 10))  # the group ticket's own requester: closes it
    assert Ticket.objects.get(pk=group.main.pk).status == Status.CLOSED
    # The group is closed, but its merged requesters still wait for theirs.
    assert [t.pk for t in awaiting_revisit(group.operator, now=at(2026, 11, 4, 11))] == [group.main.pk]
    record_requester_revisit(
        group.second, contacted=True, solved=False, satisfaction="dissatisfied", at=at(2026, 11, 4, 11)
    )
    record_requester_revisit(group.third, **YES, at=at(2026, 11, 4, 12))
    assert not awaiting_revisit(group.operator, now=at(2026, 11, 4, 13)).exists()
    # A second valid revisit of the same requester about the same reply is refused: it counts once.
    with pytest.raises(ValidationError, match="counts once"):
        record_requester_revisit(group.second, **YES, at=at(2026, 11, 4, 14))
    assert Revisit.objects.count() == 3
    rates = three_rates(Revisit.objects.all())
    assert rates["n"] == 3 and rates["resolution"] == pytest.approx(200 / 3)  # three requesters, three answers
    row = next(r for r in unit_scores("2026-11") if r["key"] == group.township.pk)
    assert row["n"] == 3
    # A dissatisfied merged requester is recorded; the group ticket stays closed.
    assert Ticket.objects.get(pk=group.main.pk).status == Status.CLOSED
    events = TicketEvent.objects.filter(ticket=group.main, action="requester_revisit")
    assert sorted(e.data["requester"] for e in events) == sorted([group.second.code, group.third.code])


def test_an_unreachable_requester_may_be_tried_again(group):
    record_requester_revisit(group.second, outcome=Revisit.Outcome.UNREACHABLE, at=at(2026, 11, 4, 10))
    record_requester_revisit(group.second, **YES, at=at(2026, 11, 4, 15))
    assert three_rates(Revisit.objects.all())["n"] == 1


def test_refused_before_the_reply_after_the_window_and_for_a_ticket_not_merged(group, people):
    with pytest.raises(ValidationError, match="merged"):
        record_requester_revisit(group.main, **YES, at=at(2026, 11, 4, 10))
    # After the group's revisit window (3 working days after the reply).
    with pytest.raises(ValidationError, match="window"):
        record_requester_revisit(group.second, **YES, at=at(2026, 11, 20, 10))
    # A group that has not replied yet.
    other = new_ticket(people.operator, content="路灯不亮。")
    dup = new_ticket(people.operator, content="路灯不亮，请修。", requester_phone="13800000009")
    merge_ticket(dup, into=other, at=at(2026, 11, 2, 9, 30))
    with pytest.raises(ValidationError, match="no reply yet"):
        record_requester_revisit(Ticket.objects.get(pk=dup.pk), **YES, at=at(2026, 11, 4, 10))
    # An incomplete valid answer.
    with pytest.raises(ValidationError):
        record_requester_revisit(
            group.second, contacted=True, solved=None, satisfaction="satisfied", at=at(2026, 11, 4)
        )
    assert not Revisit.objects.exists()


def test_the_sms_page_records_a_merged_requesters_answer_once(group, client, clock):
    clock.move_to(at(2026, 11, 4, 10))  # within the group's revisit window
    url = f"/s/rate/{rating_token(group.second, group.main)}/"
    page = client.get(url)
    assert page.status_code == 200 and "已清理占道摊点" in page.content.decode()
    answer = {"contacted": "yes", "solved": "yes", "satisfaction": "satisfied"}
    assert client.post(url, answer).status_code == 200
    revisit = Revisit.objects.get()
    assert revisit.requester_id == group.second.pk and revisit.ticket_id == group.main.pk
    assert revisit.lead_unit_id == group.township.pk and revisit.method == Revisit.Method.SMS
    assert Ticket.objects.get(pk=group.main.pk).status == Status.REPLIED  # only its own requester closes it
    assert client.post(url, answer).status_code == 410  # the link is spent
    assert Revisit.objects.count() == 1


def test_a_merged_requesters_link_dies_when_the_group_replies_again(group):
    token = rating_token(group.second, group.main)
    assert ticket_for_token(token, now=at(2026, 11, 4)).pk == group.second.pk
    record_revisit(
        group.main, contacted=True, solved=False, satisfaction="dissatisfied", actionable=True, at=at(2026, 11, 4)
    )
    main = Ticket.objects.get(pk=group.main.pk)
    handling.sign(main, unit=group.township, at=at(2026, 11, 4, 11))
    handling.reply(main, unit=group.township, result="已重新处理。", at=at(2026, 11, 5, 10))
    with pytest.raises(LinkError):
        ticket_for_token(token, now=at(2026, 11, 5, 11))


def test_the_ticket_page_revisits_a_merged_requester(group, client, clock):
    clock.move_to(at(2026, 11, 4, 10))
    client.force_login(group.operator)
    page = client.get(f"/tickets/{group.main.code}/")
    assert b"requester-revisit" in page.content
    form = {
        "requester-revisit-requester": group.third.code,
        "requester-revisit-outcome": "valid",
        "requester-revisit-contacted": "true",
        "requester-revisit-solved": "true",
        "requester-revisit-satisfaction": "satisfied",
        "requester-revisit-note": "",
    }
    url = f"/tickets/{group.main.code}/requester-revisit/"
    assert client.post(url, form).status_code == 302
    assert Revisit.objects.get().requester_id == group.third.pk
    # A code that was not merged into this ticket is refused and nothing is written.
    refused = client.post(url, {**form, "requester-revisit-requester": group.main.code})
    assert refused.status_code == 400
    # The same requester twice: refused, counted once.
    again = client.post(url, form)
    assert again.status_code == 400
    assert Revisit.objects.count() == 1
