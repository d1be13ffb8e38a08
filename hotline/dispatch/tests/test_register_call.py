"""话务台: the console's service, called directly. One call is one ticket, answered or dispatched in
the same transaction as its registration; a retried registration makes no second ticket."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from hotline import limits
from hotline.catalog.models import Matter
from hotline.dispatch.models import DispatchSuggestion
from hotline.dispatch.services import register_call
from hotline.dispatch.tests.test_intelligence import trained  # noqa: F401  (the small-model fixture)
from hotline.knowledge.models import Article
from hotline.tickets.models import Status, Ticket, TicketEvent

KEY = "3f2a9c0d1e4b5a6c7d8e9f0a1b2c3d4e"


def call(**changes):
    fields = {
        "channel": "phone_12345",
        "content": "小区门口占道经营，早晚高峰堵得走不动",
        "requester_phone": "13912345678",
        "address": "城东区东关大街街道",
        "idempotency_key": KEY,
        "actor": None,
    }
    fields.update(changes)
    return register_call(**fields)


def written() -> tuple[int, int, int]:
    return Ticket.objects.count(), TicketEvent.objects.count(), DispatchSuggestion.objects.count()


def test_a_call_is_registered_for_a_dispatcher_while_no_classifier_is_trained(ref):
    ticket, new = call()
    assert new and ticket.status == Status.REGISTERED and ticket.external_id == f"console-{KEY}"
    assert written() == (1, 1, 1)
    assert DispatchSuggestion.objects.get().held == DispatchSuggestion.Held.NO_MODEL  # m18: the page says why


def test_a_registration_retried_after_a_dropped_connection_makes_no_second_ticket(ref):
    first, _new = call()
    # The operator's browser never saw the answer and sends the same form, with the same key.
    again, new = call()
    assert again.pk == first.pk and not new
    assert written() == (1, 1, 1)
    # A new call is a new showing of the form: a new key, a second ticket (the caller may call twice).
    other, new = call(idempotency_key="a" * 32)
    assert new and other.pk != first.pk
    # Without a key (a page from before keys), each sending registers.
    assert call(idempotency_key="")[1] and call(idempotency_key="")[1]
    assert Ticket.objects.count() == 4


def test_an_answer_from_the_knowledge_base_is_given_once(ref):
    article = Article.objects.filter(is_active=True).order_by("pk").first()
    cited = article.cited
    ticket, _new = call(article=article.pk)
    assert ticket.status == Status.ANSWERED and ticket.result == article.answer
    again, new = call(article=article.pk)
    assert again.pk == ticket.pk and not new
    assert Article.objects.get(pk=article.pk).cited == cited + 1  # cited once, not per sending


@pytest.mark.parametrize(
    "bad, field",
    [
        ({"article": 10**9}, "article"),  # gone, or never published: no silent dispatch instead
        ({"idempotency_key": "short"}, "idempotency_key"),
        ({"idempotency_key": "<script>alert(1)</script>"}, "idempotency_key"),
        ({"idempotency_key": "k" * 65}, "idempotency_key"),
        ({"content": ""}, "content"),
        ({"content": "字" * (limits.CONTENT + 1)}, "content"),
        ({"content": "x" * 100_001}, "content"),
        ({"requester_phone": "12345"}, "requester_phone"),
        ({"channel": "nowhere"}, "channel"),
        ({"address": "路" * (limits.ADDRESS + 1)}, "address"),
    ],
)
def test_a_refused_call_says_why_and_writes_nothing(ref, bad, field):
    with pytest.raises(ValidationError) as refused:
        call(**bad)
    assert field in refused.value.message_dict
    assert written() == (0, 0, 0)


def test_a_failure_after_registering_takes_the_ticket_back_with_it(ref, monkeypatch):
    from hotline.dispatch import services

    def refuse(*args, **kwargs):
        raise ValidationError({"note": "refused"})

    monkeypatch.setattr(services, "answer_with_article", refuse)
    with pytest.raises(ValidationError):
        call(article=Article.objects.filter(is_active=True).first().pk)
    assert written() == (0, 0, 0)
    assert call()[1]  # the key was not used up by the failed attempt


def test_a_sure_call_is_dispatched_and_a_disagreement_waits_for_a_dispatcher(trained, settings):  # noqa: F811
    settings.HOTLINE = {**settings.HOTLINE, "AUTO_DISPATCH_CONFIDENCE": 0.0}
    matter = Matter.objects.filter(code__startswith="0401", is_leaf=True).first()
    text = matter.example_list()[0]
    sure, _new = call(content=text, address="湟中县鲁沙尔镇")
    assert sure.status == Status.DISPATCHED and sure.lead_unit is not None
    assert DispatchSuggestion.objects.get(ticket=sure).auto
    assert call(content=text, address="湟中县鲁沙尔镇")[0].dispatch_count == 1  # the retry dispatches nothing more
    # The operator chose another matter than the machine: registered, the suggestion kept for the dispatcher.
    other = Matter.objects.filter(code__startswith="1001", is_leaf=True).first()
    waiting, _new = call(content=text, address="湟中县鲁沙尔镇", matter=other, idempotency_key="b" * 32)
    assert waiting.status == Status.REGISTERED and waiting.matter == other
    remembered = DispatchSuggestion.objects.get(ticket=waiting)
    assert not remembered.auto and remembered.matter == matter


def test_a_direct_answer_carries_a_matter_and_counts_by_matter(trained, settings):  # noqa: F811
    """M12: the operator's matter when chosen, else the article's, else the classifier's when sure."""
    from django.utils import timezone

    from hotline.reports.figures import period_figures

    settings.HOTLINE = {**settings.HOTLINE, "AUTO_DISPATCH_CONFIDENCE": 0.0}
    tagged = Article.objects.exclude(matter=None).order_by("pk").first()
    by_article, _new = call(article=tagged.pk)
    assert by_article.status == Status.ANSWERED and by_article.matter == tagged.matter
    chosen = Matter.objects.filter(code__startswith="1001", is_leaf=True).first()
    by_operator, _new = call(article=tagged.pk, matter=chosen, idempotency_key="b" * 32)
    assert by_operator.matter == chosen
    untagged = Article.objects.filter(matter=None).first()
    sure = Matter.objects.filter(code__startswith="0401", is_leaf=True).first()
    by_model, _new = call(content=sure.example_list()[0], article=untagged.pk, idempotency_key="c" * 32)
    assert by_model.status == Status.ANSWERED and by_model.matter == sure
    figures = period_figures("daily", timezone.localdate())
    assert sum(row.n for row in figures.by_category) == figures.total == 3


def test_the_ticket_page_says_why_the_machine_did_not_dispatch(trained, settings, people):  # noqa: F811
    """m18: the reason is stored when the decision is made and shown on the ticket page."""
    from django.test import Client

    settings.HOTLINE = {**settings.HOTLINE, "AUTO_DISPATCH_CONFIDENCE": 0.0}
    matter = Matter.objects.filter(code__startswith="0401", is_leaf=True).first()
    other = Matter.objects.filter(code__startswith="1001", is_leaf=True).first()
    text = matter.example_list()[0]
    chosen, _new = call(content=text, address="湟中县鲁沙尔镇", matter=other)
    settings.HOTLINE = {**settings.HOTLINE, "AUTO_DISPATCH_CONFIDENCE": 1.01}
    low, _new = call(content=text, address="湟中县鲁沙尔镇", idempotency_key="b" * 32)
    held = dict(DispatchSuggestion.objects.values_list("ticket__code", "held"))
    assert held == {
        chosen.code: DispatchSuggestion.Held.OPERATOR_MATTER,
        low.code: DispatchSuggestion.Held.BELOW_THRESHOLD,
    }
    client = Client()
    client.force_login(people.dispatcher)
    page = client.get(f"/tickets/{low.code}/").content.decode()
    assert "未自动派单" in page and "低于自动派单阈值" in page and "阈值101%" in page
    assert "话务员选择的事项与模型推荐不同" in client.get(f"/tickets/{chosen.code}/").content.decode()
