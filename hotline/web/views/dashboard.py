"""领导 the leader's dashboard: volumes, the three rates, overdue tickets, by district and unit,
with trend charts drawn on the server."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.evaluation.models import Revisit
from hotline.dbfuncs import LocalDate
from hotline.evaluation.selectors import definitions, month_headline, three_rates, three_rates_by, unit_scores
from hotline.intake.models import Channel
from hotline.orgs.models import Region, Staff, Unit
from hotline.tickets.models import Status
from hotline.tickets.selectors import tickets_visible_to

from .. import charts
from ..roles import roles_required

R = Staff.Role
HANDLING = [Status.DISPATCHED, Status.IN_PROGRESS, Status.REOPENED]
TOP_UNITS = 15


@roles_required(R.LEADER, R.SUPERVISOR, R.DISTRICT)
def dashboard(request):
    tickets = tickets_visible_to(request.user)
    now = timezone.localtime()
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    month = today.replace(day=1)
    since = today - dt.timedelta(days=29)
    this_month = tickets.filter(received_at__gte=month)
    revisits = Revisit.objects.filter(ticket__in=tickets)

    daily = dict(
        tickets.filter(received_at__gte=since)
        .annotate(day=LocalDate("received_at"))
        .values_list("day")
        .annotate(n=Count("id"))
        .order_by()
    )
    days = [(since + dt.timedelta(days=i)).date() for i in range(30)]
    trend = [(d.strftime("%m-%d"), daily.get(d, daily.get(d.isoformat(), 0))) for d in days]

    names = dict(Region.objects.filter(level=Region.Level.DISTRICT).values_list("code", "name"))
    by_district = (
        this_month.exclude(region=None)
        .annotate(district=Substr("region_id", 1, 6))
        .values("district")
        .annotate(n=Count("id"), overdue=Count("id", filter=Q(status__in=HANDLING, resolve_due__lt=now)))
        .order_by("-n")
    )
    # A ticket placed only at the city level (its address named no district) is counted apart.
    districts = [{"name": names.get(row["district"]) or _("Whole city, no district"), **row} for row in by_district]

    units = list(
        this_month.exclude(lead_unit=None)
        .values("lead_unit")
        .annotate(n=Count("id"), overdue=Count("id", filter=Q(status__in=HANDLING, resolve_due__lt=now)))
        .order_by("-n")[:TOP_UNITS]
    )
    month_revisits = revisits.filter(recorded_at__gte=month)
    unit_names = Unit.objects.in_bulk([row["lead_unit"] for row in units])
    unit_rates = three_rates_by(month_revisits.filter(lead_unit__in=list(unit_names)), "lead_unit")
    for row in units:
        row["name"] = unit_names[row["lead_unit"]].name
        row["rates"] = unit_rates.get(row["lead_unit"]) or three_rates(Revisit.objects.none())

    # 评: the month's scores per unit, their zones and Xining's kind of headline, by the one definition.
    period = f"{month:%Y-%m}"
    scores = unit_scores(period)
    ranked = [r for r in scores if r["rank"] is not None]
    headline = month_headline(period)

    channel_names = dict(Channel.objects.values_list("code", "name"))
    channels = [
        {"name": channel_names.get(row["channel"], row["channel"]), "n": row["n"]}
        for row in this_month.values("channel").annotate(n=Count("id")).order_by("-n")[:10]
    ]
    context = {
        "today_count": tickets.filter(received_at__gte=today).count(),
        "month_count": this_month.count(),
        "open_count": tickets.filter(status__in=HANDLING).count(),
        "overdue": tickets.filter(status__in=HANDLING, resolve_due__lt=now).count(),
        "rates": three_rates(month_revisits),
        "rates_30": three_rates(revisits.filter(recorded_at__gte=since)),
        "trend_chart": charts.line(trend),
        "district_chart": charts.bars([charts.Bar(d["name"], d["n"]) for d in districts]),
        "channel_chart": charts.bars([charts.Bar(c["name"], c["n"]) for c in channels]),
        "districts": districts,
        "units": units,
        "month": month,
        "headline": headline,
        "best": ranked[:5],
        "worst": ranked[-5:][::-1] if len(ranked) > 5 else [],
        "unranked": len(scores) - len(ranked),
        "definitions": definitions(),
    }
    return render(request, "web/dashboard.html", context)
