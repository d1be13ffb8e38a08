"""领导 the leader's dashboard: volumes, the three rates, overdue tickets, by district and unit,
with trend charts drawn on the server. Every figure is ``reports.figures.dashboard_figures``.

A leader questions it: a period, a district (or township), a lead unit and a matter narrow every
figure, and every figure that counts tickets links to the list of those tickets (the search page,
or the supervision pool for what is overdue now) with the same filters, so the list's count is the
figure (tested figure by figure).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from hotline import charts
from hotline.evaluation.selectors import definitions
from hotline.orgs.models import Region, Unit
from hotline.orgs.permissions import Perm, permission_required
from hotline.reports.figures import NO_PLACE, Dashboard, DashboardFilters, DashboardPeriod, dashboard_figures
from hotline.tickets.models import HANDLING

from ..pickers import PickField

if TYPE_CHECKING:
    from hotline.orgs.permissions import AuthedRequest

BEST_AND_WORST = 5


class DashboardForm(forms.Form):
    period = forms.ChoiceField(
        label=_("Period"), choices=DashboardPeriod.choices, initial=DashboardPeriod.MONTH, required=False
    )
    region = PickField("region", label=_("District or township"), required=False)
    unit = PickField("unit", label=_("Lead unit"), required=False)
    matter = PickField("matter", label=_("Matter"), required=False)


class Links:
    """The ticket lists behind the figures, with the dashboard's filters applied."""

    def __init__(self, figures: Dashboard) -> None:
        f = figures.filters
        self.base: dict[str, str] = {}
        if f.region is not None:
            self.base["district" if f.region.level == Region.Level.DISTRICT else "township"] = f.region.code
        if f.unit is not None:
            self.base["lead_unit"] = f.unit.code
        if f.matter is not None:
            self.base["matter"] = f.matter.code
        today = timezone.localtime(figures.as_of).date()
        self.received = self.days(figures.period.first, min(figures.period.last, today))

    @staticmethod
    def days(first: dt.date, last: dt.date) -> dict[str, str]:
        return {"received_from": first.isoformat(), "received_to": last.isoformat()}

    def search(self, *pairs: tuple[str, str], **params: str) -> str:
        query = list({**self.base, **params}.items()) + list(pairs)
        return f"{reverse('search')}?{urlencode(query)}"

    def pool(self, **params: str) -> str:
        return f"{reverse('pool')}?{urlencode({**self.base, 'deadline': 'overdue', **params})}"

    def area(self, key: str) -> dict[str, str]:
        """The filter of a district row: a district, or one of the two rows that are no district."""
        if key == NO_PLACE:
            return {"place": "none"}
        if key == "":
            return {"place": "city"}
        return {"district": key}


@permission_required(Perm.READ_DASHBOARD)
def dashboard(request: AuthedRequest) -> HttpResponse:
    form = DashboardForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        # A filter that does not validate shows its error and no figures, never the unfiltered ones.
        return render(request, "web/dashboard.html", {"form": form}, status=400)
    data: dict[str, Any] = form.cleaned_data if form.is_bound else {}
    filters = DashboardFilters(
        period=data.get("period") or DashboardPeriod.MONTH,
        region=data.get("region"),
        unit=data.get("unit"),
        matter=data.get("matter"),
    )
    figures = dashboard_figures(request.user, filters=filters)
    links = Links(figures)
    ranked = figures.ranked
    today = timezone.localtime(figures.as_of).date()
    unit_codes = dict(Unit.objects.filter(pk__in=[int(r.key) for r in figures.by_unit]).values_list("pk", "code"))
    districts = [
        (d, links.search(**links.received, **links.area(d.key)), links.pool(**links.area(d.key)))
        for d in figures.by_district
    ]
    units = [
        (
            u,
            links.search(**links.received, lead_unit=unit_codes[int(u.key)]),
            links.pool(lead_unit=unit_codes[int(u.key)]),
        )
        for u in figures.by_unit
    ]
    channels = [(c, links.search(**links.received, channel=c.key)) for c in figures.by_channel]
    trend = [(day, n, links.search(**links.days(day, day))) for day, n in figures.trend]
    context = {
        "form": form,
        "figures": figures,
        "period": figures.period,
        "today_count": figures.today_count,
        "period_count": figures.period_count,
        "open_count": figures.open_count,
        "overdue": figures.overdue,
        "links": {
            "today": links.search(**links.days(today, today)),
            "period": links.search(**links.received),
            "open": links.search(*[("status", s) for s in HANDLING]),
            "overdue": links.pool(),
        },
        "rates": figures.rates,
        "rates_30": figures.rates_30,
        "trend_chart": charts.line([(f"{day:%m-%d}", n) for day, n, _href in trend], links=[h for *_x, h in trend]),
        "district_chart": charts.bars([charts.Bar(d.name, d.n, href=href) for d, href, _late in districts]),
        "channel_chart": charts.bars([charts.Bar(c.name, c.n, href=href) for c, href in channels]),
        # The lists behind the charts, for the tests that check every figure against its list.
        "channels": channels,
        "trend": trend,
        "districts": figures.by_district,
        "units": figures.by_unit,
        # Each row with the lists behind its two figures.
        "district_rows": districts,
        "unit_rows": units,
        "headline": figures.headline,
        "best": ranked[:BEST_AND_WORST],
        "worst": ranked[-BEST_AND_WORST:][::-1] if len(ranked) > BEST_AND_WORST else [],
        "unranked": len(figures.scores) - len(ranked),
        "definitions": definitions(),
    }
    return render(request, "web/dashboard.html", context)
