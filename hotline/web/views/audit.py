"""安全审计: the audit trail for the auditor, filtered, paged and exported to Excel. Reading or
exporting it is itself an event of the trail."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hotline.audit.models import AuditEvent
from hotline.audit.services import Kind, record, retention_days
from hotline.orgs.permissions import Perm, permission_required
from hotline.tabular import append_row

from .lists import paged

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from hotline.orgs.permissions import AuthedRequest

EXPORT_LIMIT = 100_000


class AuditFilter(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Event"), choices=[("", "---------"), *AuditEvent.Kind.choices], required=False
    )
    username = forms.CharField(label=gettext_lazy("User name"), max_length=150, required=False)
    target = forms.CharField(label=gettext_lazy("About"), max_length=200, required=False)
    ip = forms.CharField(label=gettext_lazy("Address"), max_length=45, required=False)
    since = forms.DateField(label=gettext_lazy("From"), required=False)
    until = forms.DateField(label=gettext_lazy("To"), required=False)

    def events(self) -> QuerySet[AuditEvent]:
        data = self.cleaned_data
        rows = AuditEvent.objects.all()
        if data.get("kind"):
            rows = rows.filter(kind=data["kind"])
        if data.get("username"):
            rows = rows.filter(username__iexact=data["username"].strip())
        if data.get("target"):
            rows = rows.filter(target__icontains=data["target"].strip())
        if data.get("ip"):
            rows = rows.filter(ip=data["ip"].strip())
        if data.get("since"):
            rows = rows.filter(at__date__gte=data["since"])
        if data.get("until"):
            rows = rows.filter(at__date__lte=data["until"])
        return rows


@permission_required(Perm.AUDIT)
def audit_log(request: AuthedRequest) -> HttpResponse:
    form = AuditFilter(request.GET or None)
    rows = (
        form.events() if form.is_valid() else AuditEvent.objects.none() if form.is_bound else AuditEvent.objects.all()
    )
    query = request.GET.urlencode()
    if request.GET.get("export") == "xlsx":
        record(Kind.EXPORT, request=request, target="audit", detail=query)
        return _export(rows)
    page, sort = paged(request, rows.select_related("actor"), sorts={"at": ("at",)}, default="-at")
    return render(
        request,
        "web/audit.html",
        {"form": form, "page": page, "sort": sort, "retention_days": retention_days(), "query": query},
    )


def _export(rows: QuerySet[AuditEvent]) -> HttpResponse:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Audit trail"))
    append_row(sheet, [_("Time"), _("Event"), _("User name"), _("Address"), _("About"), _("Detail")])
    for event in rows.order_by("-at", "-pk")[:EXPORT_LIMIT].iterator(chunk_size=2000):
        append_row(
            sheet,
            [
                timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S"),
                event.get_kind_display(),
                event.username,
                event.ip,
                event.target,
                event.detail,
            ],
        )
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    stamp = dt.datetime.now(tz=dt.UTC).strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.xlsx"'
    book.save(response)
    return response
