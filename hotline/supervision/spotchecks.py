"""抽查/暗访 spot checks: draw closed tickets by risk plus a random share; record what was found.

A false closure (假办结) reopens the ticket for the same unit and writes an accountability record
against it; coerced satisfaction (被满意) writes one too. Every finding leaves an event on the ticket.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline import limits
from hotline.evaluation.models import Revisit
from hotline.evaluation.services import reopen
from hotline.text import clean_text
from hotline.tickets import transitions
from hotline.tickets.models import Status, Ticket

from .models import Accountability, SpotCheck

if TYPE_CHECKING:
    from hotline.orgs.permissions import Actor

# Risk weights: a reason to look is a reason, not a verdict; these only order the draw.
SHORT_REPLY = 20  # characters
RISK = {"short_reply": 2.0, "boilerplate": 1.5, "last_minute": 1.5, "repeat": 1.0, "unit_history": 1.0}
BOILERPLATE_MIN = 5  # the same reply text on this many closed tickets


def _risks(
    rows: Sequence[Mapping[str, Any]], repeats: Counter[tuple[int, str]], history: Counter[int]
) -> dict[int, tuple[float, list[str]]]:
    texts = Counter(r["result"].strip() for r in rows if r["result"])
    out = {}
    for r in rows:
        reasons = []
        text = (r["result"] or "").strip()
        if len(text) < SHORT_REPLY:
            reasons.append("short_reply")
        if text and texts[text] >= BOILERPLATE_MIN:
            reasons.append("boilerplate")
        due, start, replied = r["resolve_due"], r["clock_started_at"], r["replied_at"]
        if due and start and replied and replied <= due and (due - replied) < (due - start) * 0.1:
            reasons.append("last_minute")
        if repeats[(r["matter_id"], r["address"])] >= 2:
            reasons.append("repeat")
        score = sum(RISK[x] for x in reasons)
        if history[r["lead_unit_id"]]:
            reasons.append("unit_history")
            score += RISK["unit_history"] * min(history[r["lead_unit_id"]], 3)
        out[r["id"]] = (score, reasons)
    return out


def draw(
    *,
    since: dt.datetime,
    until: dt.datetime,
    size: int,
    batch: str,
    random_share: float | None = None,
    seed: int | None = None,
    at: dt.datetime | None = None,
) -> list[SpotCheck]:
    """Draw ``size`` tickets closed in [since, until): the riskiest first, plus a random share of the
    rest. Drawing the same batch again returns the first draw."""
    batch = (batch or "").strip()
    if not batch or len(batch) > 40:
        raise ValidationError({"batch": _("A spot-check batch needs a name of at most 40 characters.")})
    if size < 1 or size > 10000:
        raise ValidationError({"size": _("A draw takes between 1 and 10000 tickets.")})
    if since >= until:
        raise ValidationError({"since": _("The period is empty.")})
    share = settings.SUPERVISION["SPOT_RANDOM_SHARE"] if random_share is None else random_share
    if not 0 <= share <= 1:
        raise ValidationError({"random_share": _("The random share is between 0 and 1.")})
    existing = list(SpotCheck.objects.filter(batch=batch))
    if existing:
        return existing
    now = at or timezone.now()
    rows = list(
        Ticket.objects.filter(
            status=Status.CLOSED, closed_at__gte=since, closed_at__lt=until, lead_unit__isnull=False
        ).values(
            "id", "result", "resolve_due", "clock_started_at", "replied_at", "matter_id", "address", "lead_unit_id"
        )
    )
    if not rows:
        return []
    repeats = Counter(
        {
            (g["matter_id"], g["address"]): g["n"]
            for g in Ticket.objects.filter(received_at__gte=since - dt.timedelta(days=30), received_at__lt=until)
            .exclude(address="")
            .values("matter_id", "address")
            .annotate(n=Count("id"))
            .filter(n__gte=2)
            .order_by()
        }
    )
    history = Counter(
        dict(
            Accountability.objects.filter(created_at__lt=now)
            .values("unit_id")
            .annotate(n=Count("id"))
            .order_by()
            .values_list("unit_id", "n")
        )
    )
    risks = _risks(rows, repeats, history)
    by_id = {r["id"]: r for r in rows}
    rng = random.Random(seed if seed is not None else batch)
    n_random = min(len(rows), round(size * share))
    risky = sorted((i for i, (score, _r) in risks.items() if score > 0), key=lambda i: (-risks[i][0], i))
    chosen = risky[: size - n_random]
    rest = sorted(set(by_id) - set(chosen))
    picks = [(i, True) for i in chosen] + [(i, False) for i in rng.sample(rest, min(len(rest), size - len(chosen)))]
    checks = [
        SpotCheck(
            ticket_id=i,
            unit_id=by_id[i]["lead_unit_id"],
            batch=batch,
            risk=risks[i][0],
            reasons=risks[i][1],
            by_risk=by_risk,
            drawn_at=now,
        )
        for i, by_risk in picks
    ]
    try:
        with transaction.atomic():
            SpotCheck.objects.bulk_create(checks)
    except IntegrityError:
        pass  # drawn by someone else at the same moment: theirs stands
    return list(SpotCheck.objects.filter(batch=batch))


def record_finding(
    check: SpotCheck, *, finding: str, note: str = "", actor: Actor | None = None, at: dt.datetime | None = None
) -> SpotCheck:
    """Record what the checker found. A false closure reopens the ticket (重办) and, like coerced
    satisfaction, writes an accountability record against the unit. A finding is recorded once."""
    if not finding:  # nothing is preselected on the page (M3): the checker must say what was found
        raise ValidationError({"finding": _("Choose what the spot check found.")})
    if finding not in (SpotCheck.Finding.TRUE, SpotCheck.Finding.FALSE, SpotCheck.Finding.COERCED):
        raise ValidationError({"finding": _("Unknown spot-check finding.")})
    note = clean_text(note)  # the page posts it without a form: control characters (NUL) go here
    if finding != SpotCheck.Finding.TRUE and not note:
        raise ValidationError({"note": _("Say what was found on site.")})
    limits.check_lengths(note=(note, limits.NOTE))
    now = at or timezone.now()
    ticket = Ticket.objects.select_related("lead_unit").get(pk=check.ticket_id)
    data = {"spot_check": check.pk, "finding": finding}
    with transitions.service_block():
        claimed = SpotCheck.objects.filter(pk=check.pk, finding="").update(
            finding=finding, note=note, checker=actor, checked_at=now
        )
        if not claimed:
            raise transitions.TransitionError(_("This spot check already has a finding."), code="decided")
        if finding == SpotCheck.Finding.FALSE and ticket.status in (Status.REPLIED, Status.CLOSED):
            reopen(
                ticket, reason=_("Spot check: false closure. %(note)s") % {"note": note}, actor=actor, at=now, data=data
            )
        else:
            transitions.apply(ticket, "spot_check", actor=actor, unit=ticket.lead_unit, note=note, data=data, at=now)
        if finding != SpotCheck.Finding.TRUE:
            # What the citizen "said" at the revisit is not what they experienced: it leaves the rates.
            Revisit.objects.filter(ticket=ticket, outcome=Revisit.Outcome.VALID, recorded_at__lte=now).update(
                outcome=Revisit.Outcome.VOIDED
            )
            Accountability.objects.create(
                unit_id=check.unit_id,
                ticket=ticket,
                kind=Accountability.Kind.FALSE_CLOSURE
                if finding == SpotCheck.Finding.FALSE
                else Accountability.Kind.COERCED,
                spot_check=check,
                note=note,
                created_at=now,
            )
    check.refresh_from_db()
    return check
