"""领导 the leader's dashboard: volumes, the three rates, overdue tickets, by district and unit,
with trend charts drawn on the server. Every figure is ``reports.figures.dashboard_figures``."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hotline import charts
from hotline.evaluation.selectors import definitions
from hotline.orgs.permissions import Perm, permission_required
from hotline.reports.figures import dashboard_figures

BEST_AND_WORST = 5


@permission_required(Perm.READ_DASHBOARD)
def dashboard(request: HttpRequest) -> HttpResponse:
    figures = dashboard_figures(request.user)
    ranked = figures.ranked
    context = {
        "today_count": figures.today_count,
        "month_count": figures.month_count,
        "open_count": figures.open_count,
        "overdue": figures.overdue,
        "rates": figures.rates,
        "rates_30": figures.rates_30,
        "trend_chart": charts.line([(f"{day:%m-%d}", n) for day, n in figures.trend]),
        "district_chart": charts.bars([charts.Bar(d.name, d.n) for d in figures.by_district]),
        "channel_chart": charts.bars([charts.Bar(c.name, c.n) for c in figures.by_channel]),
        "districts": figures.by_district,
        "units": figures.by_unit,
        "headline": figures.headline,
        "best": ranked[:BEST_AND_WORST],
        "worst": ranked[-BEST_AND_WORST:][::-1] if len(ranked) > BEST_AND_WORST else [],
        "unranked": len(figures.scores) - len(ranked),
        "definitions": definitions(),
    }
    return render(request, "web/dashboard.html", context)
