"""The demo's supervision step, after the simulated month: what the worker and the supervisors
would have left by now — deadline states, orders and their messages, praise, a spot-check batch
with findings. Everything goes through the real services."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from hotline.evaluation.links import send_rating_links
from hotline.evaluation.models import Revisit, Satisfaction
from hotline.evaluation.services import record_praise
from hotline.orgs.models import Unit
from hotline.outbox import delivery
from hotline.supervision import orders, scan, spotchecks
from hotline.supervision.models import SpotCheck
from hotline.tickets.models import Kind, Ticket
from hotline.tickets.transitions import TransitionError

FINDINGS = [
    "现场复核，问题已解决，与答复一致。",
    "现场查看，整改到位，诉求人认可。",
]
FALSE_NOTES = ["暗访发现现场仍有多处隐患未整改，与答复不符。", "现场复核问题依旧存在，答复称已办结不属实。"]
COERCED_NOTES = ["诉求人称承办人员要求其回访时答复满意。"]


def supervise_demo(*, now: dt.datetime | None = None, seed: int = 12345, say: Callable[[str], None] = print) -> dict:
    now = now or timezone.now()
    rng = random.Random(seed)
    actor = get_user_model().objects.filter(username="sim-centre").first()
    states = scan.scan_deadlines(now=now)

    # Praise: each praise call for the unit that handled it (or the street office of the place),
    # and now and then a satisfied citizen who asks the operator to pass on thanks.
    praised = 0
    townships = {u.region_id: u for u in Unit.objects.filter(kind=Unit.Kind.TOWNSHIP)}
    for ticket in Ticket.objects.filter(kind=Kind.PRAISE).select_related("lead_unit").order_by("pk"):
        unit = ticket.lead_unit or townships.get(ticket.region_id or "")
        if unit is not None:
            praised += record_praise(unit, ticket=ticket, note=ticket.content[:200], at=ticket.received_at)[1]
    satisfied = Revisit.objects.filter(
        outcome=Revisit.Outcome.VALID, satisfaction=Satisfaction.SATISFIED, lead_unit__isnull=False
    ).order_by("pk")
    for revisit in satisfied.select_related("lead_unit").iterator():
        if rng.random() < 0.012:
            assert revisit.lead_unit is not None  # the query asked for one
            praised += record_praise(
                revisit.lead_unit, ticket=revisit.ticket, note="回访时市民表扬承办人员", at=revisit.recorded_at
            )[1]

    # One spot-check batch over the last month's closures, about two thirds of it checked.
    batch = f"{timezone.localtime(now):%Y-%m-%d}-demo"
    checks = spotchecks.draw(since=now - dt.timedelta(days=30), until=now, size=40, batch=batch, seed=seed, at=now)
    findings = {"true": 0, "false": 0, "coerced": 0}
    for check in sorted(checks, key=lambda c: (-c.risk, c.pk))[: max(1, len(checks) * 2 // 3)]:
        roll = rng.random()
        risky = check.risk >= 2
        if roll < (0.25 if risky else 0.05):
            finding, note = SpotCheck.Finding.FALSE, rng.choice(FALSE_NOTES)
        elif roll < (0.35 if risky else 0.08):
            finding, note = SpotCheck.Finding.COERCED, rng.choice(COERCED_NOTES)
        else:
            finding, note = SpotCheck.Finding.TRUE, rng.choice(FINDINGS)
        try:
            spotchecks.record_finding(check, finding=finding, note=note, actor=actor, at=now)
        except (TransitionError, ValidationError):  # a ticket that moved on since the draw stays unchecked
            continue
        findings[finding] += 1
    # Then the worker's turn: reminders and orders for every deadline as it stands now.
    ladder = orders.escalate(now=now)
    repeats = orders.repeat_complaints(now=now)
    links = send_rating_links(now=now)
    sent = delivery.deliver_due(now=now, limit=100000)
    summary = {
        "states": states,
        "orders": {**ladder, **repeats},
        "messages": sent["sent"],
        "rating_links": links["queued"],
        "praise": praised,
        "spot_checks": len(checks),
        "findings": findings,
    }
    say(
        f"supervision: {states['changed']} deadline states updated; orders {summary['orders']}; "
        f"{summary['messages']} messages ({links['queued']} rating links); {praised} praise; "
        f"spot checks {len(checks)} {findings}"
    )
    return summary
