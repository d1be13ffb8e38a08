"""话务质检 operator quality: each month a sample of every operator's calls, pre-checked
automatically against the rubric, scored by a reviewer with feedback, and a table per operator.

A call (ticket) is rated once (``QaReview.ticket`` is unique); a matter repeated in several calls
of the same caller is sampled once per month (one per matter).
"""

from __future__ import annotations

import datetime as dt
import random
import re
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline import limits
from hotline.evaluation.selectors import Period, parse_period
from hotline.text import clean_text, mask_id_numbers
from hotline.tickets.models import VOID, Ticket

from .models import QaCriterion, QaReview

if TYPE_CHECKING:
    from hotline.orgs.permissions import Actor

_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def precheck(ticket: Ticket, check: str) -> bool | None:
    """An automatic pre-check of one call; None when the criterion has none."""
    if check == QaCriterion.Check.FIVE_ELEMENTS:
        who = bool(ticket.requester_name or ticket.anonymous)
        where = bool(ticket.address or ticket.region_id)
        what = len((ticket.content or "").strip()) >= 15
        return who and where and what and ticket.received_at is not None
    if check == QaCriterion.Check.MATTER_AND_KIND:
        return ticket.matter_id is not None and bool(ticket.kind)
    if check == QaCriterion.Check.NO_PERSONAL_DATA_IN_TITLE:
        return mask_id_numbers(ticket.title) == ticket.title and not _PHONE.search(ticket.title)
    return None


DEFAULT_RUBRIC = (
    ("诉求五要素齐全（谁、何时、何地、何事、何诉求）", 30, QaCriterion.Check.FIVE_ELEMENTS),
    ("事项与诉求类型选择正确", 30, QaCriterion.Check.MATTER_AND_KIND),
    ("标题不含电话、身份证号等个人信息", 20, QaCriterion.Check.NO_PERSONAL_DATA_IN_TITLE),
    ("服务用语规范、态度良好", 20, QaCriterion.Check.NONE),
)


def ensure_rubric() -> None:
    """A centre that has not written its rubric starts from this one (edited in the admin)."""
    if not QaCriterion.objects.exists():
        QaCriterion.objects.bulk_create(
            QaCriterion(text=text, points=points, auto_check=check, sort=n)
            for n, (text, points, check) in enumerate(DEFAULT_RUBRIC)
        )


def draw_month(
    period: Period | str, *, per_operator: int = 5, seed: int | None = None, now: dt.datetime | None = None
) -> int:
    """Draw up to ``per_operator`` calls of each operator registered in the month, pre-checked.
    Calls drawn already stay; running it again draws only what is missing. Returns how many were drawn."""
    if isinstance(period, str):
        period = parse_period(period)
    if per_operator < 1:
        raise ValidationError({"per_operator": _("Draw at least one call per operator.")})
    now = now or timezone.now()
    ensure_rubric()
    rubric = list(QaCriterion.objects.filter(active=True).exclude(auto_check=""))
    calls = (
        Ticket.objects.filter(received_at__gte=period.start, received_at__lt=period.end, registered_by__isnull=False)
        .exclude(status__in=VOID)
        .values_list("pk", "registered_by_id", "matter_id", "requester_phone")
        .order_by("pk")
    )
    drawn = set(QaReview.objects.filter(month=period.label).values_list("ticket_id", flat=True))
    have: dict[int, int] = {}
    for operator in QaReview.objects.filter(month=period.label).values_list("operator_id", flat=True):
        have[operator] = have.get(operator, 0) + 1
    by_operator: dict[int, list[tuple[int, Any, str]]] = {}
    for pk, operator, matter, phone in calls:
        if pk not in drawn:
            by_operator.setdefault(operator, []).append((pk, matter, phone))
    rng = random.Random(seed if seed is not None else period.label)
    made = 0
    for operator, candidates in sorted(by_operator.items()):
        rng.shuffle(candidates)
        seen: set[tuple[Any, str]] = set()
        wanted = per_operator - have.get(operator, 0)
        for pk, matter, phone in candidates:
            if wanted <= 0:
                break
            if matter is not None and phone and (matter, phone) in seen:
                continue  # one per matter: the same caller's repeated matter is rated once
            seen.add((matter, phone))
            ticket = Ticket.objects.get(pk=pk)
            checks = {str(c.pk): precheck(ticket, c.auto_check) for c in rubric}
            try:
                with transaction.atomic():
                    QaReview.objects.create(
                        ticket=ticket, operator_id=operator, month=period.label, drawn_at=now, prechecks=checks
                    )
            except IntegrityError:
                continue  # drawn meanwhile
            made += 1
            wanted -= 1
    return made


def review(
    qa: QaReview, *, marks: dict[str, bool], feedback: str, actor: Actor | None = None, at: dt.datetime | None = None
) -> QaReview:
    """The reviewer marks every active criterion, gives a score and feedback to the operator. A
    call is rated once: a second review is refused."""
    rubric = list(QaCriterion.objects.filter(active=True))
    if not rubric:
        raise ValidationError({"__all__": _("The rubric is empty: the centre enters its criteria first.")})
    missing = [c.text for c in rubric if str(c.pk) not in marks]
    if missing:
        raise ValidationError({"marks": _("Mark every criterion: %(missing)s") % {"missing": "；".join(missing)}})
    feedback = clean_text(feedback)
    limits.check_lengths(feedback=(feedback, limits.NOTE))
    total = sum(c.points for c in rubric) or 1
    score = 100 * sum(c.points for c in rubric if marks[str(c.pk)]) / total
    now = at or timezone.now()
    claimed = QaReview.objects.filter(pk=qa.pk, reviewed_at__isnull=True).update(
        marks={str(c.pk): bool(marks[str(c.pk)]) for c in rubric},
        score=score,
        feedback=feedback,
        reviewer=actor,
        reviewed_at=now,
    )
    if not claimed:
        raise ValidationError({"__all__": _("This call has been rated already: a call is rated once.")})
    qa.refresh_from_db()
    return qa


def operator_table(period: Period | str) -> list[dict[str, Any]]:
    """The month's table: per operator, calls drawn, reviewed, average score, lowest score."""
    if isinstance(period, str):
        period = parse_period(period)
    rows = (
        QaReview.objects.filter(month=period.label)
        .values("operator_id", "operator__username", "operator__first_name")
        .annotate(
            drawn=Count("id"),
            reviewed=Count("id", filter=Q(reviewed_at__isnull=False)),
            average=Avg("score"),
        )
        .order_by("operator__username")
    )
    return [
        {
            "operator": r["operator__first_name"] or r["operator__username"],
            "drawn": r["drawn"],
            "reviewed": r["reviewed"],
            "average": r["average"],
        }
        for r in rows
    ]


def reviews_of(month: str, operator: Any | None = None) -> QuerySet[QaReview]:
    qs = QaReview.objects.filter(month=month).select_related("ticket", "operator", "reviewer")
    return qs.filter(operator=operator) if operator is not None else qs
