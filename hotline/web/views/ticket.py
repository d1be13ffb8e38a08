"""The ticket page: everything about one request, and the actions the viewer may take on it."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from hotline.dispatch import returns, router, store
from hotline.dispatch.learning import dispatch_by_dispatcher
from hotline.dispatch.models import DispatchSuggestion
from hotline.dispatch.services import answer_from_knowledge
from hotline.dispatch.suggest import Suggestions, suggest
from hotline.evaluation import classes
from hotline.evaluation import services as evaluation_services
from hotline.evaluation.services import record_requester_revisit, record_revisit
from hotline.handling import reviews
from hotline.handling import services as handling
from hotline.handling.models import ReplyDraft
from hotline.intake.services import invalidate_ticket, merge_ticket
from hotline.knowledge.models import Article
from hotline.linkage.services import transfer_out
from hotline.knowledge.services import search as search_articles
from hotline.orgs.models import Staff
from hotline.orgs.permissions import Perm, has_perm, role_of, unit_of
from hotline.supervision import appeals
from hotline.supervision import orders as supervision_orders
from hotline.supervision import selectors as supervision
from hotline.tickets import deadlines
from hotline.tickets.models import UNFINISHED, Assignment, Attachment, PersonalDataAccess, Status, Ticket
from hotline.audit import services as audit
from hotline.tickets.selectors import can_see_requester, mask_phone, tickets_visible_to
from hotline.text import mask_personal
from hotline.tickets.transitions import MOVES, TransitionError

from .. import forms

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse
    from django_stubs_ext import StrOrPromise

    from hotline.orgs.models import Unit
    from hotline.orgs.permissions import AuthedRequest, User


@dataclass(frozen=True)
class Action:
    """One thing a person can do to a ticket from its page."""

    label: StrOrPromise
    move: str
    perm: Perm
    form: type[django_forms.Form]
    run: Callable[[Ticket, dict[str, Any], AuthedRequest], object]  # (ticket, cleaned data, request)
    done: StrOrPromise
    # Only the lead unit signs, replies and returns; only a co-unit writes a co-reply; only a
    # ticket with a reply waiting for review offers the review.
    needs: str = ""
    # Fills the form's choices that depend on the person (the unit's handlers).
    prepare: Callable[[django_forms.Form, AuthedRequest], None] | None = None


def _unit(request: AuthedRequest) -> Unit:
    """The unit the person acts for; someone without one (an administrator) cannot act as a unit."""
    unit = unit_of(request.user)
    if unit is None:
        raise PermissionDenied
    return unit


def _dispatch(t: Ticket, d: dict[str, Any], request: AuthedRequest) -> None:
    dispatch_by_dispatcher(
        t,
        lead_unit=d["lead_unit"],
        co_units=list(d["co_units"]),
        matter=d["matter"],
        note=d["note"],
        actor=request.user,
    )


def _answer(t: Ticket, d: dict[str, Any], request: AuthedRequest) -> None:
    article = Article.objects.filter(pk=d["article"], is_active=True).first()
    if article is None:
        raise ValidationError({"article": _("Choose a published knowledge article.")})
    answer_from_knowledge(t, article=article, note=d["note"], actor=request.user)


def _merge(t: Ticket, d: dict[str, Any], request: AuthedRequest) -> None:
    original = tickets_visible_to(request.user).filter(code=d["into"].strip()).first()
    if original is None or original.pk == t.pk:
        raise ValidationError({"into": _("No other ticket has that code.")})
    merge_ticket(t, into=original, actor=request.user)


def _file_appeal(t: Ticket, d: dict[str, Any], request: AuthedRequest) -> None:
    unit = _unit(request)
    revisit = t.revisits.filter(lead_unit=unit, outcome="valid").order_by("-recorded_at").first()
    check = t.spot_checks.filter(unit=unit).exclude(finding__in=("", "true")).order_by("-checked_at").first()
    appeals.file_appeal(
        t, unit=unit, kind=d["kind"], reason=d["reason"], revisit=revisit, spot_check=check, actor=request.user
    )


def _decide_appeal(t: Ticket, d: dict[str, Any], request: AuthedRequest) -> None:
    pending = t.appeals.filter(state="pending").order_by("filed_at").first()
    if pending is None:
        raise ValidationError({"__all__": _("No appeal on this ticket waits for a decision.")})
    appeals.decide_appeal(pending, accept=d["accept"], note=d["note"], actor=request.user)


def _answer_from_final(t: Ticket, d: dict[str, Any], request: AuthedRequest) -> None:
    final = tickets_visible_to(request.user).filter(code=d["final"].strip()).first()
    if final is None:
        raise ValidationError({"final": _("No ticket has that code.")})
    classes.answer_from_final(t, final=final, actor=request.user)


def _requester_revisit(t: Ticket, d: dict[str, Any], request: AuthedRequest) -> None:
    merged = t.merged_tickets.filter(code=d["requester"].strip()).first()
    if merged is None:
        raise ValidationError({"requester": _("No ticket with that code was merged into this one.")})
    record_requester_revisit(
        merged,
        outcome=d["outcome"],
        contacted=d["contacted"],
        solved=d["solved"],
        satisfaction=d["satisfaction"],
        note=d["note"],
        actor=request.user,
    )


def _reply(t: Ticket, d: dict[str, Any], request: AuthedRequest) -> str | None:
    """A handler's reply waits for the unit manager when the unit reviews its replies."""
    unit = _unit(request)
    reply_class = d["reply_class"] or "resolved"
    if reviews.needs_review(unit, request.user):
        reviews.submit(
            t,
            unit=unit,
            result=d["result"],
            attachments=d["attachments"],
            reply_class=reply_class,
            evidence=d["evidence"],
            actor=request.user,
        )
        return str(_("Your reply waits for the unit manager's review."))
    handling.reply(
        t,
        unit=unit,
        result=d["result"],
        attachments=d["attachments"],
        reply_class=reply_class,
        evidence=d["evidence"],
        actor=request.user,
    )
    return None


def _draft(t: Ticket) -> ReplyDraft:
    draft = reviews.pending(t)
    if draft is None:
        raise TransitionError(_("No reply is waiting for review."), code="no_draft")
    return draft


def _unit_people(form: django_forms.Form, request: AuthedRequest) -> None:
    unit = unit_of(request.user)
    people = Staff.objects.filter(unit=unit, role__in=(Staff.Role.HANDLER, Staff.Role.UNIT_MANAGER))
    field = form.fields["handler"]
    assert isinstance(field, django_forms.ModelChoiceField)
    field.queryset = get_user_model().objects.filter(staff__in=people).order_by("username")


def _revisit(t: Ticket, d: dict[str, Any], request: AuthedRequest) -> None:
    record_revisit(
        t,
        outcome=d["outcome"],
        contacted=d["contacted"],
        solved=d["solved"],
        satisfaction=d["satisfaction"],
        actionable=d["actionable"],
        note=d["note"],
        actor=request.user,
    )


ACTIONS: dict[str, Action] = {
    "dispatch": Action(
        gettext_lazy("Dispatch"),
        "dispatch",
        Perm.DISPATCH,
        forms.DispatchForm,
        _dispatch,
        gettext_lazy("Dispatched."),
    ),
    "refuse-return": Action(
        gettext_lazy("Refuse the return"),
        "refuse_return",
        Perm.DISPATCH,
        forms.NoteForm,
        lambda t, d, r: returns.refuse_return(t, note=d["note"], actor=r.user),
        gettext_lazy("The return was refused; the unit has the ticket again."),
    ),
    "answer": Action(
        gettext_lazy("Answer directly"),
        "answer",
        Perm.ANSWER,
        forms.AnswerForm,
        _answer,
        gettext_lazy("Answered from the knowledge base and closed."),
    ),
    "transfer": Action(
        gettext_lazy("Transfer to 110/119/120/122 or another centre"),
        "transfer_out",
        Perm.REGISTER,
        forms.TransferForm,
        lambda t, d, r: transfer_out(t, agency=d["agency"], matter=d["matter"], reason=d["reason"], actor=r.user),
        gettext_lazy("Transferred; the receipt is due from the other side."),
    ),
    "merge": Action(
        gettext_lazy("Merge into another ticket"),
        "merge",
        Perm.REGISTER,
        forms.MergeForm,
        _merge,
        gettext_lazy("Merged."),
    ),
    "invalidate": Action(
        gettext_lazy("Mark invalid"),
        "invalidate",
        Perm.REGISTER,
        forms.ReasonForm,
        lambda t, d, r: invalidate_ticket(t, reason=d["reason"], actor=r.user),
        gettext_lazy("Marked invalid."),
    ),
    "sign": Action(
        gettext_lazy("Sign for it"),
        "sign",
        Perm.HANDLE,
        forms.EmptyForm,
        lambda t, d, r: handling.sign(t, unit=_unit(r), actor=r.user),
        gettext_lazy("Signed."),
        needs="lead",
    ),
    "contact": Action(
        gettext_lazy("Log contact with the citizen"),
        "contact",
        Perm.HANDLE,
        forms.ContactForm,
        lambda t, d, r: handling.record_contact(t, unit=_unit(r), note=d["note"], actor=r.user),
        gettext_lazy("Contact logged."),
        needs="lead",
    ),
    "extension": Action(
        gettext_lazy("Request an extension"),
        "request_extension",
        Perm.HANDLE,
        forms.ExtensionForm,
        lambda t, d, r: handling.request_extension(t, unit=_unit(r), days=d["days"], reason=d["reason"], actor=r.user),
        gettext_lazy("Extension requested; the centre decides."),
        needs="lead",
    ),
    "decide-class": Action(
        gettext_lazy("Decide the reply's class"),
        "decide_class",
        Perm.DECIDE_CLASS,
        forms.DecideClassForm,
        lambda t, d, r: classes.decide_class(
            t,
            confirm=d["confirm"],
            new_class=d["new_class"],
            final_answer=d["final_answer"],
            note=d["note"],
            actor=r.user,
        ),
        gettext_lazy("Class decided."),
        needs="classed",
    ),
    "answer-final": Action(
        gettext_lazy("Answer from a final answer"),
        "answer",
        Perm.REGISTER,
        forms.FinalAnswerForm,
        _answer_from_final,
        gettext_lazy("Answered from the final answer; not dispatched again."),
    ),
    "appeal": Action(
        gettext_lazy("Appeal (申诉)"),
        "appeal",
        Perm.HANDLE,
        forms.AppealForm,
        _file_appeal,
        gettext_lazy("Appeal filed; the centre reviews it."),
        needs="lead",
    ),
    "decide-appeal": Action(
        gettext_lazy("Decide the appeal"),
        "decide_appeal",
        Perm.DECIDE_APPEALS,
        forms.DecideAppealForm,
        _decide_appeal,
        gettext_lazy("Appeal decided."),
        needs="appeal",
    ),
    "review-reply": Action(
        gettext_lazy("Review the reply"),
        "review_reply",
        Perm.REVIEW_REPLIES,
        forms.ReviewReplyForm,
        lambda t, d, r: evaluation_services.review_reply(t, approve=d["approve"], note=d["note"], actor=r.user),
        gettext_lazy("Reply reviewed."),
        needs="review",
    ),
    "supervise": Action(
        gettext_lazy("Issue a supervision order"),
        "supervise",
        Perm.ORDER_SUPERVISION,
        forms.SuperviseForm,
        lambda t, d, r: supervision_orders.order_by_hand(t, level=d["level"], note=d["note"], actor=r.user),
        gettext_lazy("Supervision order issued."),
        needs="unit",
    ),
    "long-cycle": Action(
        gettext_lazy("Class as a long-running matter"),
        "long_cycle",
        Perm.DECIDE_EXTENSIONS,
        forms.LongCycleForm,
        lambda t, d, r: handling.grant_long_cycle(t, days=d["days"], note=d["note"], actor=r.user),
        gettext_lazy("Classed as a long-running matter; progress updates are due."),
    ),
    "progress": Action(
        gettext_lazy("Report progress"),
        "progress",
        Perm.HANDLE,
        forms.ProgressForm,
        lambda t, d, r: handling.record_progress(t, unit=_unit(r), note=d["note"], actor=r.user),
        gettext_lazy("Progress recorded."),
        needs="long",
    ),
    "reply": Action(
        gettext_lazy("Reply with the result"),
        "reply",
        Perm.HANDLE,
        forms.ReplyForm,
        _reply,
        gettext_lazy("Replied; the centre will revisit the citizen."),
        needs="lead",
    ),
    "assign": Action(
        gettext_lazy("Give to a handler"),
        "assign",
        Perm.MANAGE_UNIT,
        forms.AssignForm,
        lambda t, d, r: reviews.assign(t, unit=_unit(r), handler=d["handler"], actor=r.user),
        gettext_lazy("Given to the handler."),
        needs="lead",
        prepare=_unit_people,
    ),
    "approve-reply": Action(
        gettext_lazy("Approve the reply and send it"),
        "reply",
        Perm.MANAGE_UNIT,
        forms.EmptyForm,
        lambda t, d, r: reviews.approve(_draft(t), unit=_unit(r), actor=r.user),
        gettext_lazy("Approved; the reply went to the centre."),
        needs="draft",
    ),
    "send-back-reply": Action(
        gettext_lazy("Send the reply back"),
        "send_back_reply",
        Perm.MANAGE_UNIT,
        forms.ReasonForm,
        lambda t, d, r: reviews.send_back(_draft(t), unit=_unit(r), actor=r.user, reason=d["reason"]),
        gettext_lazy("Sent back to the handler with your reason."),
        needs="draft",
    ),
    "return": Action(
        gettext_lazy("Return to the centre"),
        "return",
        Perm.HANDLE,
        forms.ReasonForm,
        lambda t, d, r: returns.return_ticket(t, unit=_unit(r), reason=d["reason"], actor=r.user),
        gettext_lazy("Returned to the centre."),
        needs="lead",
    ),
    "co-reply": Action(
        gettext_lazy("Reply on your part"),
        "co_reply",
        Perm.HANDLE,
        forms.CoReplyForm,
        lambda t, d, r: handling.co_reply(t, unit=_unit(r), text=d["text"], actor=r.user),
        gettext_lazy("Your part is recorded."),
        needs="co",
    ),
    "revisit": Action(
        gettext_lazy("Record the revisit"),
        "revisit",
        Perm.REVISIT,
        forms.RevisitForm,
        _revisit,
        gettext_lazy("Revisit recorded."),
    ),
    "requester-revisit": Action(
        gettext_lazy("Revisit a merged ticket's requester"),
        "requester_revisit",
        Perm.REVISIT,
        forms.RequesterRevisitForm,
        _requester_revisit,
        gettext_lazy("Revisit recorded."),
        needs="merged",
    ),
}


def available_actions(user: User, ticket: Ticket) -> list[str]:
    """The actions the person may take on the ticket as it stands; services still have the last word."""
    unit = unit_of(user)
    out = []
    waiting: bool | None = None
    for name, action in ACTIONS.items():
        if ticket.status not in MOVES[action.move].sources or not has_perm(user, action.perm):
            continue
        if action.needs == "lead" and (unit is None or ticket.lead_unit_id != unit.pk):
            continue
        if action.needs == "review" and not ticket.review_pending:
            continue
        if action.needs == "appeal" and not ticket.appeals.filter(state="pending").exists():
            continue
        if action.needs == "classed" and ticket.reply_class in ("", "resolved"):
            continue
        if action.needs == "unit" and ticket.lead_unit_id is None:
            continue
        if action.needs == "merged" and not ticket.merged_tickets.exists():
            continue
        if action.needs == "long" and (
            ticket.long_cycle_until is None or unit is None or ticket.lead_unit_id != unit.pk
        ):
            continue
        if action.needs == "draft":
            if unit is None or ticket.lead_unit_id != unit.pk:
                continue
            waiting = reviews.pending(ticket) is not None if waiting is None else waiting
            if not waiting:
                continue
        if action.needs == "co" and not (
            unit is not None
            and ticket.assignments.filter(unit=unit, role=Assignment.Role.CO, state=Assignment.State.ACTIVE).exists()
        ):
            continue
        out.append(name)
    return out


def _visible(request: AuthedRequest, code: str) -> Ticket:
    ticket = (
        tickets_visible_to(request.user)
        .select_related("channel", "lead_unit", "matter", "region", "merged_into")
        .filter(code=code)
        .first()
    )
    if ticket is None:
        raise Http404
    return ticket


def _initial_forms(ticket: Ticket, names: list[str], made: Suggestions | None) -> dict[str, django_forms.Form]:
    out = {}
    for name in names:
        initial = {}
        if name == "dispatch":
            initial = _dispatch_initial(ticket, made)
        out[name] = ACTIONS[name].form(initial=initial, prefix=name)
    return out


def _prepared(name: str, form: django_forms.Form, request: AuthedRequest) -> django_forms.Form:
    prepare = ACTIONS[name].prepare
    if prepare is not None:
        prepare(form, request)
    return form


def _dispatch_initial(ticket: Ticket, made: Suggestions | None) -> dict:
    """What the dispatcher confirms: the operator's matter routed to its unit, else the
    classifier's best (matter, unit)."""
    initial = {"note": ""}
    best = made.best if made is not None else None
    matter = ticket.matter or (best.matter if best else None)
    if matter is not None:
        initial["matter"] = matter.code
    unit = router.route(matter, ticket.region).unit if ticket.matter_id else (best.unit if best else None)
    if unit is None and matter is not None:
        unit = router.route(matter, ticket.region).unit
    if unit is not None:
        initial["lead_unit"] = unit.code
    return initial


def _page(
    request: AuthedRequest,
    ticket: Ticket,
    forms_by_action: dict[str, django_forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    names = available_actions(request.user, ticket)
    # The classifier's top three for the dispatcher. Only shown: the dispatch remembers them, so a
    # different choice is a correction (a GET writes nothing).
    made = suggest(ticket.content, ticket.address) if "dispatch" in names and store.active()[0] is not None else None
    action_forms = _initial_forms(ticket, names, made)
    action_forms.update(forms_by_action or {})
    action_forms = {name: _prepared(name, form, request) for name, form in action_forms.items()}
    shows, name, phone = requester_shown(request, ticket, purpose="ticket_page")
    deadlines.refresh_states(ticket, timezone.now())  # shown as of now; stored states follow on events
    route = router.route(ticket.matter, ticket.region) if "dispatch" in names else None
    last_return = (
        ticket.events.filter(action="return").select_related("unit").order_by("-seq").first()
        if ticket.status == Status.RETURNED
        else None
    )
    context = {
        "ticket": ticket,
        "phone": phone,
        "name": name,
        # ID numbers, phones and a name a caller gave in the text are shown only to those who may
        # see who the caller is (M13; M2 of the security test: confidential tips included).
        "content": ticket.content if shows else mask_personal(ticket.content),
        "result": ticket.result if shows else mask_personal(ticket.result),
        "title": ticket.title if shows else mask_personal(ticket.title),
        "events": ticket.events.select_related("actor", "unit").order_by("seq"),
        "calls": ticket.calls.order_by("rang_at"),
        "transfers": ticket.transfers.select_related("agency").order_by("sent_at"),
        "assignments": ticket.assignments.select_related("unit", "handler").order_by("id"),
        # A unit's part still "active" on a finished ticket is a part it never answered (m8).
        "finished": ticket.status not in UNFINISHED,
        "draft": reviews.pending(ticket) if ticket.lead_unit_id and unit_of(request.user) == ticket.lead_unit else None,
        "attachments": ticket.attachments.select_related("unit"),
        "extensions": ticket.extensions.select_related("unit").order_by("-requested_at"),
        "revisits": ticket.revisits.select_related("requester").order_by("-recorded_at"),
        "actions": [(n, ACTIONS[n], action_forms[n]) for n in names],
        "route": route,
        "suggestions": made,
        # Why the machine left it for a dispatcher, as decided at the time (m18).
        "held": DispatchSuggestion.objects.filter(ticket=ticket, auto=False).exclude(held="").first(),
        "escalations": supervision.escalations(ticket),
        "last_return": last_return,
        "can_write_case": ticket.status == Status.CLOSED and has_perm(request.user, Perm.PUBLISH_CASES),
        "next": _safe_next(request),
        "role": role_of(request.user),
    }
    if "answer" in names:
        context["articles"] = search_articles(ticket.title or ticket.content[:30], limit=5)
    return render(request, "web/ticket.html", context, status=status)


def requester_shown(request: AuthedRequest, ticket: Ticket, *, purpose: str) -> tuple[bool, str, str]:
    """Whether the viewer sees who asked, and the name and phone as shown to them. An unmasked
    view is logged (``PersonalDataAccess``) with its purpose."""
    shows = can_see_requester(request.user, ticket)
    if shows and (ticket.requester_phone or ticket.requester_name):
        PersonalDataAccess.objects.create(ticket=ticket, viewer=request.user, purpose=purpose)
        audit.record(audit.Kind.PERSONAL_DATA, request=request, target=ticket.code, detail=purpose)
    if ticket.confidential and not shows:
        return shows, _("confidential"), "****"
    if shows:
        return shows, ticket.requester_name, ticket.requester_phone
    return shows, ("**" if ticket.requester_name else ""), mask_phone(ticket.requester_phone)


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return ""


@login_required
def ticket_detail(request: AuthedRequest, code: str) -> HttpResponse:
    return _page(request, _visible(request, code))


@login_required
@require_POST
def ticket_action(request: AuthedRequest, code: str, action: str) -> HttpResponse:
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    ticket = _visible(request, code)
    if not has_perm(request.user, spec.perm):
        raise PermissionDenied
    form = _prepared(action, spec.form(request.POST, request.FILES, prefix=action), request)
    if form.is_valid():
        try:
            said = spec.run(ticket, form.cleaned_data, request)
        except TransitionError as error:
            messages.error(request, str(error))
            ticket.refresh_from_db()
            return _page(request, ticket, status=409)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, said if isinstance(said, str) else str(spec.done))
            return redirect(_safe_next(request) or ticket_url(ticket))
    ticket.refresh_from_db()
    return _page(request, ticket, {action: form}, status=400)


def ticket_url(ticket: Ticket) -> str:
    return reverse("ticket-detail", args=[ticket.code])


@login_required
def attachment(request: AuthedRequest, code: str, pk: int) -> FileResponse:
    ticket = _visible(request, code)
    item = get_object_or_404(Attachment, ticket=ticket, pk=pk)
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{_quote(item.name)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _quote(name: str) -> str:
    return quote(name, safe="")
