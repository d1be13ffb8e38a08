"""报 Report pages: the archive with downloads, a report on screen, regeneration of any past period."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hotline import charts as web_charts
from hotline.orgs.permissions import Perm, permission_required

from .figures import period_figures
from .forms import PeriodForm
from .models import Report
from .periods import Kind, period_for
from .render import CONTENT_TYPES, layout
from .safety import safety_paragraph
from .services import generate_report

if TYPE_CHECKING:
    from django.http import HttpResponse

    from hotline.orgs.permissions import AuthedRequest


@permission_required(Perm.READ_REPORTS)
def report_list(request: AuthedRequest) -> HttpResponse:
    """The archive, newest period first, one line per kind and period with a link per format."""
    kind = request.GET.get("kind", "")
    reports = Report.objects.all()
    if kind in Kind.values:
        reports = reports.filter(kind=kind)
    lines: dict[tuple[str, object], dict] = {}
    page = Paginator(reports.order_by("-period_start", "kind", "format"), 60).get_page(request.GET.get("page"))
    for report in page:
        line = lines.setdefault(
            (report.kind, report.period_start),
            {"kind": report.get_kind_display(), "code": report.kind, "period": report.period, "files": []},
        )
        line["files"].append(report)
    form = PeriodForm(initial={"kind": Kind.DAILY, "date": timezone.localdate()})
    context = {"lines": list(lines.values()), "page": page, "form": form, "kinds": Kind.choices, "kind": kind}
    return render(request, "reports/list.html", context)


@permission_required(Perm.READ_REPORTS)
def report_view(request: AuthedRequest) -> HttpResponse:
    """One report on screen, computed afresh for the period containing ``date``."""
    form = PeriodForm(request.GET or None)
    if not form.is_valid():
        return render(request, "reports/view.html", {"form": form})
    kind, day = form.cleaned_data["kind"], form.cleaned_data["date"]
    period = period_for(kind, day)
    archived = Report.objects.filter(kind=kind, period_start=period.first)
    context = {"form": form, "kind": kind, "day": day, "period": period, "archived": archived}
    if kind == Kind.SAFETY_DAILY:
        context["paragraph"] = safety_paragraph(day)
        return render(request, "reports/view.html", context)
    figures = period_figures(kind, day)
    context["figures"] = figures
    context["report"] = layout(figures, with_charts=False)
    context["trend_chart"] = web_charts.line([(f"{d:%m-%d}", n) for d, n in figures.trend])
    context["district_chart"] = web_charts.bars([web_charts.Bar(r.name, r.n) for r in figures.by_district])
    context["channel_chart"] = web_charts.bars([web_charts.Bar(r.name, r.n) for r in figures.by_channel[:12]])
    return render(request, "reports/view.html", context)


@require_POST
@permission_required(Perm.READ_REPORTS)
def regenerate(request: AuthedRequest) -> HttpResponse:
    """Generate (again) and archive every format of a period; the old files are replaced."""
    form = PeriodForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a report and a day that has begun."))
        return redirect("reports")
    kind, day = form.cleaned_data["kind"], form.cleaned_data["date"]
    formats = ["txt"] if kind == Kind.SAFETY_DAILY else list(CONTENT_TYPES)
    made = generate_report(kind, day, formats)
    messages.success(request, _("%(n)d report files generated.") % {"n": len(made)})
    return redirect(reverse("report-view") + "?" + urlencode({"kind": kind, "date": day.isoformat()}))


@permission_required(Perm.READ_REPORTS)
def download(request: AuthedRequest, pk: int) -> FileResponse:
    report = get_object_or_404(Report, pk=pk)
    try:
        handle = report.file.open("rb")
    except FileNotFoundError:
        raise Http404("the archived file is missing; regenerate the report")
    return FileResponse(handle, as_attachment=True, filename=report.filename, content_type=CONTENT_TYPES[report.format])
