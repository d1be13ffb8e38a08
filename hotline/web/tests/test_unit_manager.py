"""负责人 the unit manager's day (issue 13, item 4): give a ticket to a handler, review a handler's
reply before it goes out, see the team's load and deadlines. Through the pages, on the real database."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from hotline.dispatch.services import dispatch_ticket
from hotline.handling import reviews
from hotline.handling.models import ReplyDraft
from hotline.handling.services import sign
from hotline.orgs.models import Staff, Unit
from hotline.tickets.models import Assignment, Status, Ticket, TicketEvent
from hotline.tickets.tests.helpers import new_ticket, township_matter
from hotline.tickets.transitions import TransitionError


@pytest.fixture
def unit(people, django_user_model):
    """The street office with a manager, a second handler, and replies reviewed by the manager."""
    Unit.objects.filter(pk=people.township.pk).update(reply_review=True)
    people.township.refresh_from_db()
    manager = django_user_model.objects.create_user("head", password="pw-for-tests-only", first_name="赵刚")
    Staff.objects.create(user=manager, role=Staff.Role.UNIT_MANAGER, unit=people.township)
    second = django_user_model.objects.create_user("second", password="pw-for-tests-only", first_name="周洁")
    Staff.objects.create(user=second, role=Staff.Role.HANDLER, unit=people.township)
    people.manager, people.second = manager, second
    return people


def as_(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def signed(people, **kwargs):
    ticket = new_ticket(people.operator, **kwargs)
    dispatch_ticket(ticket, lead_unit=people.township, matter=township_matter())
    sign(ticket, unit=people.township, actor=people.street)
    return ticket


def test_the_manager_gives_a_ticket_to_a_handler_who_finds_it_under_given_to_me(unit):
    ticket = signed(unit)
    head = as_(unit.manager)
    page = head.get(f"/tickets/{ticket.code}/")
    assert "assign" in [name for name, _a, _f in page.context["actions"]]
    # Only the unit's own people are offered.
    form = {name: form for name, _a, form in page.context["actions"]}["assign"]
    offered = set(form.fields["handler"].queryset)
    assert offered == {unit.street, unit.second, unit.manager}
    response = head.post(f"/tickets/{ticket.code}/assign/", {"assign-handler": unit.second.pk})
    assert response.status_code == 302
    task = Assignment.objects.get(ticket=ticket, role=Assignment.Role.LEAD, state=Assignment.State.ACTIVE)
    assert task.handler == unit.second
    event = TicketEvent.objects.filter(ticket=ticket).order_by("-seq").first()
    assert (event.action, event.actor, event.data["handler"]) == ("assign", unit.manager, unit.second.pk)
    mine = as_(unit.second).get("/inbox/?view=mine")
    assert [t.code for t in mine.context["page"]] == [ticket.code]
    assert list(as_(unit.street).get("/inbox/?view=mine").context["page"]) == []


def test_a_handler_of_another_unit_or_a_handler_cannot_be_given_or_give(unit, django_user_model):
    ticket = signed(unit)
    head = as_(unit.manager)
    # Someone of another unit: refused by the form (not a choice), nothing written.
    before = TicketEvent.objects.filter(ticket=ticket).count()
    response = head.post(f"/tickets/{ticket.code}/assign/", {"assign-handler": unit.outsider.pk})
    assert response.status_code == 400
    response = head.post(f"/tickets/{ticket.code}/assign/", {"assign-handler": "x" * 5000})
    assert response.status_code == 400
    assert TicketEvent.objects.filter(ticket=ticket).count() == before
    # The service itself refuses a stranger too.
    with pytest.raises(ValidationError) as refused:
        reviews.assign(ticket, unit=unit.township, handler=unit.outsider, actor=unit.manager)
    assert list(refused.value.message_dict) == ["handler"]
    # A handler may not assign.
    assert (
        as_(unit.street).post(f"/tickets/{ticket.code}/assign/", {"assign-handler": unit.second.pk}).status_code == 403
    )


def test_a_handlers_reply_waits_for_the_manager_who_sends_it_back_then_approves(unit):
    ticket = signed(unit)
    street = as_(unit.street)
    response = street.post(f"/tickets/{ticket.code}/reply/", {"reply-result": "已清理楼道杂物。"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS and not ticket.result  # nothing went out yet
    draft = ReplyDraft.objects.get(ticket=ticket)
    assert (draft.state, draft.author, draft.text) == (ReplyDraft.State.PENDING, unit.street, "已清理楼道杂物。")
    # A second reply while one waits is refused and writes nothing.
    response = street.post(f"/tickets/{ticket.code}/reply/", {"reply-result": "再写一遍"})
    assert response.status_code == 409 and ReplyDraft.objects.filter(ticket=ticket).count() == 1

    head = as_(unit.manager)
    assert head.get("/team/").context["drafts"][0] == draft
    page = head.get(f"/tickets/{ticket.code}/")
    names = [n for n, _a, _f in page.context["actions"]]
    assert {"approve-reply", "send-back-reply"} <= set(names) and page.context["draft"] == draft
    # A handler sees no review actions; an empty reason is refused.
    assert "approve-reply" not in [n for n, _a, _f in street.get(f"/tickets/{ticket.code}/").context["actions"]]
    assert street.post(f"/tickets/{ticket.code}/approve-reply/").status_code == 403
    assert head.post(f"/tickets/{ticket.code}/send-back-reply/", {"send-back-reply-reason": "  "}).status_code == 400
    response = head.post(
        f"/tickets/{ticket.code}/send-back-reply/", {"send-back-reply-reason": "请附照片并写明联系时间"}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.state, draft.reviewer, draft.review_note) == (
        ReplyDraft.State.SENT_BACK,
        unit.manager,
        "请附照片并写明联系时间",
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS
    assert TicketEvent.objects.filter(ticket=ticket, action="send_back_reply").count() == 1

    street.post(f"/tickets/{ticket.code}/reply/", {"reply-result": "已清理楼道杂物，并于10时电话告知王先生。"})
    second = ReplyDraft.objects.get(ticket=ticket, state=ReplyDraft.State.PENDING)
    response = head.post(f"/tickets/{ticket.code}/approve-reply/")
    assert response.status_code == 302
    ticket.refresh_from_db()
    second.refresh_from_db()
    assert ticket.status == Status.REPLIED and ticket.result == "已清理楼道杂物，并于10时电话告知王先生。"
    assert second.state == ReplyDraft.State.APPROVED and second.reviewer == unit.manager
    actions = list(TicketEvent.objects.filter(ticket=ticket).order_by("seq").values_list("action", flat=True))
    assert actions[-4:] == ["draft_reply", "send_back_reply", "draft_reply", "reply"]
    # Deciding twice: the second finds it decided and changes nothing.
    with pytest.raises(TransitionError):
        reviews.approve(second, unit=unit.township, actor=unit.manager)


def test_a_manager_replies_directly_and_a_unit_without_review_replies_at_once(unit):
    ticket = signed(unit)
    as_(unit.manager).post(f"/tickets/{ticket.code}/reply/", {"reply-result": "负责人直接答复。"})
    ticket.refresh_from_db()
    assert ticket.status == Status.REPLIED and not ReplyDraft.objects.filter(ticket=ticket).exists()
    Unit.objects.filter(pk=unit.township.pk).update(reply_review=False)
    other = signed(unit)
    as_(unit.street).post(f"/tickets/{other.code}/reply/", {"reply-result": "已处理。"})
    other.refresh_from_db()
    assert other.status == Status.REPLIED


def test_the_team_page_shows_each_handlers_load_and_deadlines(unit, django_assert_max_num_queries):
    late = signed(unit, content="楼道堆放杂物，一直没人管。")
    near = signed(unit, content="路灯不亮已经三天了。")
    free = signed(unit, content="小区门口井盖松动。")
    reviews.assign(late, unit=unit.township, handler=unit.second, actor=unit.manager)
    reviews.assign(near, unit=unit.township, handler=unit.second, actor=unit.manager)
    reviews.assign(free, unit=unit.township, handler=unit.street, actor=unit.manager)
    now = timezone.now()
    Ticket.objects.filter(pk=late.pk).update(resolve_due=now - dt.timedelta(hours=1))
    Ticket.objects.filter(pk=near.pk).update(resolve_due=now + dt.timedelta(minutes=30), resolve_state="warning")
    head = as_(unit.manager)
    with django_assert_max_num_queries(12):
        page = head.get("/team/")
    assert page.status_code == 200
    rows = {(m.handler.username if m.handler else None): m for m in page.context["members"]}
    assert (rows["second"].open, rows["second"].red, rows["second"].yellow) == (2, 1, 1)
    assert (rows["street"].open, rows["street"].red) == (1, 0)
    assert rows[None].open == 0
    assert rows["second"].due_this_week >= 1
    # Only the manager opens the team page.
    assert as_(unit.street).get("/team/").status_code == 403
    assert as_(unit.supervisor).get("/team/").status_code == 403


def test_a_held_reply_keeps_its_class_and_evidence_through_the_managers_review(unit):
    """Both review steps together: the handler classes the reply (issue 15), the manager approves
    it (issue 13), and the ticket goes out with the class for the centre's decision."""
    ticket = signed(unit)
    street = as_(unit.street)
    # A class without evidence is refused at once, before anything is held.
    response = street.post(
        f"/tickets/{ticket.code}/reply/", {"reply-result": "已解释政策。", "reply-reply_class": "explained"}
    )
    assert response.status_code == 400 and not ReplyDraft.objects.filter(ticket=ticket).exists()
    response = street.post(
        f"/tickets/{ticket.code}/reply/",
        {
            "reply-result": "已解释政策。",
            "reply-reply_class": "explained",
            "reply-evidence": "《物业管理条例》第三十条",
        },
    )
    assert response.status_code == 302
    draft = ReplyDraft.objects.get(ticket=ticket)
    assert (draft.reply_class, draft.evidence) == ("explained", "《物业管理条例》第三十条")
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS and ticket.reply_class == ""
    head = as_(unit.manager)
    assert "《物业管理条例》第三十条" in head.get(f"/tickets/{ticket.code}/").content.decode()
    assert head.post(f"/tickets/{ticket.code}/approve-reply/").status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.REPLIED
    assert (ticket.reply_class, ticket.reply_evidence) == ("explained", "《物业管理条例》第三十条")
