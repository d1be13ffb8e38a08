"""The portal's submission service, called directly: every check in order, refusals that write
nothing, and a form sent twice giving one ticket."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from hotline import limits
from hotline.dispatch.models import DispatchSuggestion
from hotline.publicity import services
from hotline.publicity.models import Attempt
from hotline.tickets.models import Ticket
from hotline.tickets.tests.helpers import at

ASKED = at(2026, 11, 2, 9)  # the challenge is asked; every call below is dated, none reads the clock
SENT = ASKED + dt.timedelta(seconds=30)


def request(asked: dt.datetime = ASKED, **changes):
    question, token = services.make_challenge(now=asked)
    a, b = (int(x) for x in question.split(" = ")[0].split(" + "))
    fields = {
        "kind": "complaint",
        "content": "东关大街夜市烧烤油烟扰民，晚上十点后还在营业",
        "address": "城东区东关大街",
        "requester_phone": "13900002222",
        "challenge": token,
        "answer": str(a + b),
        "nonce": "n1",
        "client": "10.1.2.3",
        "now": asked + dt.timedelta(seconds=30),
    }
    fields.update(changes)
    return fields


def written() -> tuple[int, int]:
    return Ticket.objects.count(), Attempt.objects.count()


def test_a_request_is_registered_and_counted_once(ref):
    ticket, new = services.submit_request(**request())
    assert new and ticket.channel_id == services.CHANNEL and ticket.external_id == "portal-n1"
    assert ticket.received_at == SENT and ticket.content.startswith("东关大街夜市")
    assert Attempt.objects.filter(scope="submit", key="10.1.2.3").count() == 1
    # M2: the place is kept; m18: a dispatcher checks portal requests first, and the page says so.
    assert ticket.region.name == "城东区"  # 东关大街 runs through two townships: the district is sure
    assert DispatchSuggestion.objects.get(ticket=ticket).held == DispatchSuggestion.Held.CHANNEL


def test_the_same_form_sent_again_gives_the_same_ticket_and_is_not_counted(ref):
    first, _new = services.submit_request(**request())
    # The answer was lost on the way back (a dropped connection); the browser sends the form again.
    again, new = services.submit_request(**request())
    assert again.pk == first.pk and not new
    assert written() == (1, 1)
    # Even once the network has used up its hour: the resend is its own request's answer.
    for n in range(services.SUBMITS_PER_HOUR - 1):
        services.submit_request(**request(nonce=f"other-{n}"))
    assert services.submit_request(**request())[0].pk == first.pk
    with pytest.raises(ValidationError) as limited:
        services.submit_request(**request(nonce="one-more"))
    assert "12345" in limited.value.message_dict[NON_FIELD_ERRORS][0]
    assert written() == (services.SUBMITS_PER_HOUR, services.SUBMITS_PER_HOUR)
    # Another network, or the next hour, is not held back.
    assert services.submit_request(**request(nonce="elsewhere", client="10.9.9.9"))[1]
    next_hour = ASKED + services.HOUR + dt.timedelta(minutes=1)
    assert services.submit_request(**request(nonce="next-hour", asked=next_hour))[1]


@pytest.mark.parametrize(
    "bad, field",
    [
        ({"website": "http://spam.example"}, NON_FIELD_ERRORS),  # the honeypot: scripts fill it
        ({"answer": "999"}, "answer"),
        ({"challenge": "forged"}, "answer"),
        ({"now": ASKED + dt.timedelta(seconds=1)}, "answer"),  # answered faster than a person reads
        ({"nonce": ""}, NON_FIELD_ERRORS),
        ({"nonce": "x" * 65}, NON_FIELD_ERRORS),
        ({"nonce": "<script>"}, NON_FIELD_ERRORS),
        ({"content": ""}, "content"),
        ({"content": "很" * (limits.PORTAL_CONTENT + 1)}, "content"),
        ({"content": "a" * 100_001}, "content"),
        ({"address": "路" * (limits.PORTAL_ADDRESS + 1)}, "address"),
        ({"address": "北京市朝阳区建国路1号"}, "address"),  # outside the hotline's area
        ({"requester_phone": "12345"}, "requester_phone"),
        ({"requester_phone": ""}, "requester_phone"),
        ({"kind": "bogus"}, "kind"),
        # M13: what the form's hint forbids, and text that carries no information.
        ({"content": "aaa", "address": "abc"}, "content"),
        ({"address": "abc"}, "address"),
        ({"address": "不知道"}, "address"),
        ({"content": "啊啊啊啊"}, "content"),
        ({"content": "我的身份证号630102199001011235，社保卡丢了想补办"}, "content"),
    ],
)
def test_a_refused_request_says_why_and_writes_nothing(ref, bad, field):
    with pytest.raises(ValidationError) as refused:
        services.submit_request(**request(**bad))
    assert field in refused.value.message_dict
    assert written() == (0, 0)


def test_short_genuine_requests_pass_and_get_a_title_that_says_place_and_problem(ref):
    """M13: a few real words are enough; m9: the title is written from them, not cut at 30."""
    ticket, _new = services.submit_request(**request(content="停水了", address="胜利路"))
    assert ticket.title == "胜利路：停水了"
    refused = pytest.raises(
        ValidationError, services.submit_request, **request(content="aaa", address="abc", nonce="n2")
    )
    assert "中文" in str(refused.value) or "Chinese" in str(refused.value)


def test_hostile_text_of_the_full_length_is_kept_as_sent(ref):
    hostile = ("<script>alert(1)</script>😀\u202e" * 100)[: limits.PORTAL_CONTENT]
    ticket, _new = services.submit_request(**request(content=hostile, requester_name="<b>王</b>"))
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.content == hostile and stored.requester_name == "<b>王</b>"


def test_a_drafted_case_reads_in_whole_sentences_without_the_callers_details(ref):
    """m13: a typical case drafted from a ticket is whole sentences, anonymised, not a cut."""
    content = "来电人王建国称：本人电话13912345678。" + "城中区总寨镇某小区整个小区停电了，冰箱里的东西都坏了。" * 12
    ticket, _new = services.submit_request(**request(content=content, requester_name="王建国"))
    case = services.draft_case(ticket)
    assert case.summary.endswith("。") and len(case.summary) <= services.CASE_SUMMARY
    assert "来电人" not in case.summary and "13912345678" not in case.summary and "王建国" not in case.summary
    assert case.title == ticket.title and "：" in case.title
