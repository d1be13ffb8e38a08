"""Every writer of text a person sends keeps to its cap (``hotline/limits.py``).

For each field, one row says what happens to:
- text of exactly the cap, hostile in content (markup, emoji, right-to-left marks): stored as sent;
- one character more, and 100,001 characters: a ``ValidationError`` naming the field, nothing written;
- empty or blank text: refused where the field is required, accepted where it is optional;
- the same call made again: refused (the first one moved the ticket on), recorded a second time,
  or answered with the first row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from hotline import limits
from hotline.dispatch import returns
from hotline.dispatch import services as dispatching
from hotline.dispatch.models import Consultation, ConsultationTask
from hotline.evaluation.models import Praise, Revisit
from hotline.evaluation.services import record_praise, record_revisit
from hotline.handling import services as handling
from hotline.insight.models import Milestone, RectificationProject
from hotline.insight.services import create_project
from hotline.intake.services import answer_directly, invalidate_ticket, register_ticket
from hotline.knowledge.models import Article
from hotline.knowledge.services import answer_with_article
from hotline.orgs.models import Unit
from hotline.publicity.models import TypicalCase
from hotline.publicity.services import draft_case, publish_case
from hotline.supervision.models import Accountability, SpotCheck
from hotline.supervision.spotchecks import record_finding
from hotline.tickets.models import Assignment, Extension, Status, Ticket, TicketEvent
from hotline.tickets.tests.helpers import at, new_ticket, township_matter
from hotline.tickets.transitions import TransitionError
from hotline.web.views.knowledge import ArticleForm

T0 = at(2026, 11, 2, 9)  # a Monday; every step below is dated, none reads the clock


def step(n: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=10 * n)


NOW = step(10)
HUGE = 100_001


def hostile(n: int) -> str:
    """``n`` characters a renderer must escape and a database must keep: markup, emoji, RTL marks."""
    return ("<script>alert('x')</script>😀\u202e字&amp;" * (n // 20 + 1))[:n]


@dataclass
class World:
    township: Unit
    housing: Unit
    ticket: Ticket | None = None


# --- the states a writer needs, each reached through the services -----------------------------------


def registered(w: World) -> Ticket:
    return new_ticket(None, when=T0)


def dispatched(w: World) -> Ticket:
    ticket = registered(w)
    dispatching.dispatch_ticket(
        ticket, lead_unit=w.township, co_units=[w.housing], matter=township_matter(), at=step(1)
    )
    return ticket


def returned(w: World) -> Ticket:
    ticket = dispatched(w)
    returns.return_ticket(ticket, unit=w.township, reason="不属于本单位职责", at=step(2))
    return ticket


def in_progress(w: World) -> Ticket:
    ticket = dispatched(w)
    handling.sign(ticket, unit=w.township, at=step(2))
    return ticket


def extension_asked(w: World) -> Ticket:
    ticket = in_progress(w)
    handling.request_extension(ticket, unit=w.township, days=3, reason="需协调多个部门", at=step(3))
    return ticket


def replied(w: World) -> Ticket:
    ticket = in_progress(w)
    handling.reply(ticket, unit=w.township, result="已清理占道摊点。", at=step(3))
    return ticket


def checked(w: World) -> Ticket:
    ticket = replied(w)
    record_revisit(ticket, contacted=True, solved=True, satisfaction="satisfied", at=step(4))
    SpotCheck.objects.create(ticket=ticket, unit=w.township, batch="B1", drawn_at=step(5))
    return ticket


def consulting(w: World) -> Ticket:
    ticket = registered(w)
    dispatching.open_consultation(ticket, topic="谁牵头处理？", at=step(1))
    return ticket


def consulted(w: World) -> Ticket:
    ticket = consulting(w)
    dispatching.decide_consultation(
        ticket.consultations.get(),
        lead_unit=w.township,
        lead_task="牵头清理",
        co_tasks=[(w.housing, "核查物业责任")],
        conclusion="街道牵头，住建配合。",
        at=step(2),
    )
    return ticket


def nothing(w: World) -> None:
    return None


def _project(w: World, **text: Any):
    fields = {"title": "占道经营整治", "place": "东关大街", "measures": "每日巡查", "milestones": ()}
    fields.update(text)
    return create_project(lead_unit=w.township, measures_from=step(1), **fields)


def _case(**text: str) -> TypicalCase:
    fields = {"title": "占道经营得到整治", "summary": "市民反映占道经营。", "outcome": "街道清理了摊点。"}
    fields.update(text)
    return publish_case(TypicalCase(**fields), published=True)


def _article(answer: str) -> Article:
    """Through the centre's editor, the door articles come in by (the admin's form checks the same)."""
    form = ArticleForm(data={"title": "公积金提取", "answer": answer, "is_active": "on"})
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    return form.save()


def with_article(w: World) -> Ticket:
    _article("按政策办理。")
    return registered(w)


def fresh(w: World) -> Ticket:
    return Ticket.objects.get(pk=w.ticket.pk)


# --- the table ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    name: str
    state: Callable[[World], Ticket | None]
    call: Callable[[World, str], Any]
    field: str  # the key of the ValidationError
    cap: int
    stored: Callable[[World, Any], str]  # where the accepted text is kept
    empty: str  # "refused" or "accepted"
    again: str  # "refused", "recorded" (a second row or event) or "same" (the first answer)


def _register(**text: str):
    fields = {"channel": "phone_12345", "content": "路灯不亮", "requester_phone": "13900001111", "received_at": T0}
    fields.update(text)
    return register_ticket(**fields)


ROWS = [
    Row("request content", nothing, lambda w, s: _register(content=s), "content", limits.CONTENT,
        lambda w, r: r[0].content, "refused", "recorded"),
    Row("request title", nothing, lambda w, s: _register(title=s), "title", limits.TITLE,
        lambda w, r: r[0].title, "accepted", "recorded"),
    Row("request address", nothing, lambda w, s: _register(address=s), "address", limits.ADDRESS,
        lambda w, r: r[0].address, "accepted", "recorded"),
    Row("requester name", nothing, lambda w, s: _register(requester_name=s), "requester_name",
        limits.REQUESTER_NAME, lambda w, r: r[0].requester_name, "accepted", "recorded"),
    Row("channel's external id", nothing, lambda w, s: _register(external_id=s), "external_id",
        limits.EXTERNAL_ID, lambda w, r: r[0].external_id, "accepted", "same"),
    Row("direct answer", registered, lambda w, s: answer_directly(w.ticket, answer=s, at=NOW), "answer",
        limits.RESULT, lambda w, r: fresh(w).result, "refused", "refused"),
    Row("answer from an article: the note", with_article,
        lambda w, s: answer_with_article(w.ticket, article=Article.objects.get(answer="按政策办理。"), note=s, at=NOW),
        "note",
        limits.NOTE, lambda w, r: fresh(w).result.split("\n", 1)[1], "accepted", "refused"),
    Row("knowledge article answer", nothing, lambda w, s: _article(s), "answer", limits.ARTICLE_ANSWER,
        lambda w, r: Article.objects.get(pk=r.pk).answer, "refused", "recorded"),
    Row("invalidation reason", registered, lambda w, s: invalidate_ticket(w.ticket, reason=s, at=NOW), "reason",
        limits.NOTE, lambda w, r: fresh(w).events.last().note, "refused", "refused"),
    Row("dispatch note", registered,
        lambda w, s: dispatching.dispatch_ticket(w.ticket, lead_unit=w.township, note=s, at=NOW), "note",
        limits.NOTE, lambda w, r: fresh(w).assignments.get().task, "accepted", "refused"),
    Row("refusing a return", returned, lambda w, s: returns.refuse_return(w.ticket, note=s, at=NOW), "note",
        limits.NOTE, lambda w, r: fresh(w).events.last().note, "refused", "refused"),
    Row("consultation topic", registered, lambda w, s: dispatching.open_consultation(w.ticket, topic=s, at=NOW),
        "topic", limits.NOTE, lambda w, r: r.topic, "refused", "refused"),
    Row("consultation conclusion", consulting,
        lambda w, s: dispatching.decide_consultation(
            w.ticket.consultations.get(), lead_unit=w.township, lead_task="牵头", conclusion=s, at=NOW),
        "conclusion", limits.RESULT, lambda w, r: w.ticket.consultations.get().conclusion, "refused", "refused"),
    Row("consultation task", consulting,
        lambda w, s: dispatching.decide_consultation(
            w.ticket.consultations.get(), lead_unit=w.township, lead_task="牵头", co_tasks=[(w.housing, s)],
            conclusion="定了", at=NOW),
        "tasks", limits.NOTE, lambda w, r: ConsultationTask.objects.get(unit=w.housing).task, "refused", "refused"),
    Row("reply to a consultation task", consulted,
        lambda w, s: dispatching.reply_consultation_task(
            ConsultationTask.objects.get(unit=w.housing), unit=w.housing, text=s, at=NOW),
        "reply", limits.RESULT, lambda w, r: ConsultationTask.objects.get(unit=w.housing).reply, "refused",
        "refused"),
    Row("return reason", dispatched, lambda w, s: returns.return_ticket(w.ticket, unit=w.township, reason=s, at=NOW),
        "reason", limits.NOTE, lambda w, r: fresh(w).events.last().note, "refused", "refused"),
    Row("contact note", in_progress,
        lambda w, s: handling.record_contact(w.ticket, unit=w.township, note=s, at=NOW), "note", limits.NOTE,
        lambda w, r: fresh(w).events.last().note, "refused", "recorded"),  # M4: a contact says what happened
    Row("extension reason", in_progress,
        lambda w, s: handling.request_extension(w.ticket, unit=w.township, days=2, reason=s, at=NOW), "reason",
        limits.NOTE, lambda w, r: r.reason, "refused", "refused"),
    Row("extension decision note", extension_asked,
        lambda w, s: handling.decide_extension(w.ticket.extensions.get(), approve=True, note=s, at=NOW), "note",
        limits.NOTE, lambda w, r: fresh(w).events.last().note, "accepted", "refused"),
    Row("unit's result", in_progress,
        lambda w, s: handling.reply(w.ticket, unit=w.township, result=s, at=NOW), "result", limits.RESULT,
        lambda w, r: fresh(w).result, "refused", "refused"),
    Row("co-unit's reply", dispatched, lambda w, s: handling.co_reply(w.ticket, unit=w.housing, text=s, at=NOW),
        "text", limits.RESULT, lambda w, r: fresh(w).assignments.get(unit=w.housing).reply, "refused", "refused"),
    Row("revisit comment", replied,
        lambda w, s: record_revisit(w.ticket, contacted=True, solved=True, satisfaction="satisfied", note=s, at=NOW),
        "note", limits.NOTE, lambda w, r: r.note, "accepted", "refused"),
    Row("praise", registered, lambda w, s: record_praise(w.township, ticket=w.ticket, note=s, at=NOW), "note",
        limits.NOTE, lambda w, r: r[0].note, "accepted", "same"),
    Row("spot-check finding", checked,
        lambda w, s: record_finding(SpotCheck.objects.get(ticket=w.ticket), finding="false", note=s, at=NOW), "note",
        limits.NOTE, lambda w, r: r.note, "refused", "refused"),
    Row("project title", nothing, lambda w, s: _project(w, title=s), "title", limits.PROJECT_TITLE,
        lambda w, r: r.title, "refused", "recorded"),
    Row("project place", nothing, lambda w, s: _project(w, place=s), "place", limits.PROJECT_PLACE,
        lambda w, r: r.place, "refused", "recorded"),
    Row("project measures", nothing, lambda w, s: _project(w, measures=s), "measures", limits.RESULT,
        lambda w, r: r.measures, "refused", "recorded"),
    Row("project milestone", nothing, lambda w, s: _project(w, milestones=[(s, dt.date(2026, 12, 1))]),
        "milestones", limits.MILESTONE, lambda w, r: r.milestones.get().title, "accepted", "recorded"),
    Row("typical case title", nothing, lambda w, s: _case(title=s), "title", limits.TITLE, lambda w, r: r.title,
        "accepted", "recorded"),
    Row("typical case summary", nothing, lambda w, s: _case(summary=s), "summary", limits.CASE_TEXT,
        lambda w, r: r.summary, "accepted", "recorded"),
    Row("typical case outcome", nothing, lambda w, s: _case(outcome=s), "outcome", limits.CASE_TEXT,
        lambda w, r: r.outcome, "accepted", "recorded"),
]  # fmt: skip


def footprint() -> tuple:
    """Everything a writer could have changed."""
    return (
        list(Ticket.objects.order_by("pk").values_list("pk", "version", "status", "result")),
        list(Extension.objects.order_by("pk").values_list("pk", "state")),
        list(ConsultationTask.objects.order_by("pk").values_list("pk", "task", "reply")),
        list(Consultation.objects.order_by("pk").values_list("pk", "conclusion")),
        list(SpotCheck.objects.order_by("pk").values_list("pk", "finding", "note")),
        list(Assignment.objects.order_by("pk").values_list("pk", "state", "reply")),
        *(
            model.objects.count()
            for model in (TicketEvent, Revisit, Praise, RectificationProject, Milestone, TypicalCase, Article)
        ),
        Accountability.objects.count(),
    )


@pytest.fixture
def world(ref) -> World:
    township = Unit.objects.filter(kind=Unit.Kind.TOWNSHIP, name__contains="东关大街街道").first()
    housing = Unit.objects.filter(kind=Unit.Kind.CITY_DEPT, functions__code="housing").order_by("code").first()
    return World(township=township, housing=housing)


def _refused(w: World, row: Row, text: str) -> None:
    before = footprint()
    with pytest.raises(ValidationError) as refused:
        row.call(w, text)
    assert row.field in refused.value.message_dict, refused.value.message_dict
    assert footprint() == before, "a refused call wrote something"


@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
def test_over_long_text_is_refused_with_a_clear_error_and_changes_nothing(world, row):
    world.ticket = row.state(world)
    for size in (row.cap + 1, HUGE):
        _refused(world, row, hostile(size))
    with translation.override("zh-hans"), pytest.raises(ValidationError) as huge:
        row.call(world, "字" * HUGE)
    message = huge.value.message_dict[row.field][0]
    # Intake names the field ("诉求内容超过5000个字符。"); the others say it beside the field.
    assert message == f"请控制在{row.cap}个字符以内（现有{HUGE}个字符）。" or message.endswith(f"超过{row.cap}个字符。")


@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
def test_text_of_the_cap_is_kept_whole_and_the_same_call_again_is_answered_as_the_table_says(world, row):
    world.ticket = row.state(world)
    text = hostile(row.cap)
    result = row.call(world, text)
    assert row.stored(world, result) == text
    before = footprint()
    if row.again == "refused":
        with pytest.raises((TransitionError, ValidationError)):
            row.call(world, text)
        assert footprint() == before
    elif row.again == "same":
        again = row.call(world, text)
        assert footprint() == before and again[0].pk == result[0].pk and again[1] is False
    else:
        row.call(world, text)
        assert footprint() != before


@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
def test_empty_text_is_refused_where_the_field_is_required(world, row):
    world.ticket = row.state(world)
    for blank in ("", "   \n"):
        if row.empty == "refused":
            _refused(world, row, blank)
    if row.empty == "accepted":
        row.call(world, "")


def test_an_article_and_the_operators_note_fit_a_result_together(world):
    assert limits.ARTICLE_ANSWER + 1 + limits.NOTE <= limits.RESULT
    ticket = registered(world)
    article = _article("答" * limits.ARTICLE_ANSWER)
    answer_with_article(ticket, article=article, note="注" * limits.NOTE, at=NOW)
    assert len(Ticket.objects.get(pk=ticket.pk).result) == limits.ARTICLE_ANSWER + 1 + limits.NOTE


def test_a_case_drafted_from_the_longest_ticket_fits_its_cap_after_masking(world):
    # Every 7-digit landline becomes 8 stars: the worst growth the anonymiser has.
    landlines = ("2345678，" * limits.CONTENT)[: limits.CONTENT]
    ticket = new_ticket(None, when=T0, content=landlines)
    case = draft_case(Ticket.objects.get(pk=ticket.pk))
    # The draft keeps whole clauses of the start (m13), masked: never past its cap.
    assert case.summary.endswith("……") and len(case.summary) <= limits.CASE_TEXT
    assert publish_case(case).published


def test_the_admin_holds_texts_without_a_service_to_the_same_caps(world):
    from hotline.insight.models import RectificationProject as Project

    for model, field, cap in [(Article, "answer", limits.ARTICLE_ANSWER), (TypicalCase, "summary", limits.CASE_TEXT)]:
        with pytest.raises(ValidationError) as refused:
            model(**{field: "字" * (cap + 1)}).clean()
        assert field in refused.value.message_dict
        model(**{field: "字" * cap}).clean()
    with pytest.raises(ValidationError):
        Project(measures="字" * (limits.RESULT + 1)).clean()
    Project(measures="字" * limits.RESULT).clean()


def test_the_public_forms_keep_within_the_services_caps():
    assert limits.PORTAL_CONTENT <= limits.CONTENT and limits.PORTAL_ADDRESS <= limits.ADDRESS
    assert limits.PUBLIC_COMMENT <= limits.NOTE
    assert limits.RESULT * 8 / 7 <= limits.CASE_TEXT and limits.CONTENT * 8 / 7 <= limits.CASE_TEXT


# --- the pages: the same refusal reaches the person, in Chinese, and their text stays in the form ---


def test_pages_show_the_refusal_and_keep_the_text(people):
    from django.test import Client

    street, dispatcher, supervisor = Client(), Client(), Client()
    street.force_login(people.street)
    dispatcher.force_login(people.dispatcher)
    supervisor.force_login(people.supervisor)
    world = World(township=people.township, housing=people.housing)
    ticket = extension_asked(world)
    too_long = "字" * (limits.RESULT + 1)
    page = street.post(f"/tickets/{ticket.code}/reply/", {"reply-result": too_long}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 400
    html = page.content.decode()
    assert f"请控制在{limits.RESULT}个字符以内（现有{limits.RESULT + 1}个字符）。" in html and too_long in html
    assert Ticket.objects.get(pk=ticket.pk).status == Status.IN_PROGRESS
    # The extension queue posts a bare note: the refusal comes back as a message, the request still waits.
    extension = ticket.extensions.get()
    answer = dispatcher.post(
        f"/extensions/{extension.pk}/decide/",
        {"approve": "1", "note": "注" * (limits.NOTE + 1)},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
        follow=True,
    )
    assert f"请控制在{limits.NOTE}个字符以内" in answer.content.decode()
    assert Extension.objects.get(pk=extension.pk).state == Extension.State.PENDING
    # The spot-check page posts its note without a form: a NUL byte is dropped, not sent to the database.
    handling.reply(ticket, unit=people.township, result="已清理。", at=step(11))
    record_revisit(ticket, contacted=True, solved=True, satisfaction="satisfied", at=step(12))
    check = SpotCheck.objects.create(ticket=ticket, unit=people.township, batch="B2", drawn_at=step(13))
    supervisor.post(f"/spot-checks/{check.pk}/", {"finding": "false", "note": "现场\x00仍有摊点"})
    assert SpotCheck.objects.get(pk=check.pk).note == "现场仍有摊点"
