"""The centre's side of typical cases: draft one from a closed ticket, edit it, publish it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hotline.orgs.permissions import Perm, permission_required
from hotline.tickets.models import Status
from hotline.tickets.selectors import tickets_visible_to

from . import services
from .models import TypicalCase

if TYPE_CHECKING:
    from django.http import HttpResponse

    from hotline.orgs.permissions import AuthedRequest


class CaseForm(forms.ModelForm):
    class Meta:
        model = TypicalCase
        fields = ["title", "summary", "outcome", "matter", "district", "published"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 5}), "outcome": forms.Textarea(attrs={"rows": 5})}


@permission_required(Perm.PUBLISH_CASES)
def case_list(request: AuthedRequest) -> HttpResponse:
    return render(request, "publicity/manage_cases.html", {"cases": TypicalCase.objects.select_related("ticket")[:200]})


@permission_required(Perm.PUBLISH_CASES)
@require_POST
def case_from_ticket(request: AuthedRequest, code: str) -> HttpResponse:
    ticket = get_object_or_404(tickets_visible_to(request.user), code=code, status=Status.CLOSED)
    case = services.draft_case(ticket, actor=request.user)
    messages.success(request, _("Draft case written, anonymised; check it before publishing."))
    return redirect("case-edit", pk=case.pk)


@permission_required(Perm.PUBLISH_CASES)
def case_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(TypicalCase, pk=pk)
    form = CaseForm(request.POST or None, instance=case)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        try:
            services.publish_case(saved, published=form.cleaned_data["published"])
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, _("Case saved."))
            return redirect("case-list")
    return render(
        request, "publicity/manage_case.html", {"form": form, "case": case}, status=400 if form.errors else 200
    )
