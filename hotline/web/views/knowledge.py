"""知识库: operators search and cite it; the centre's supervisors keep it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from hotline.knowledge.models import Article
from hotline.knowledge import services as kb
from hotline.knowledge.models import Proposal
from hotline.knowledge.services import record_version, search
from hotline.orgs.permissions import Perm, has_perm, permission_required, unit_of

if TYPE_CHECKING:
    from django.http import HttpResponse
    from django_htmx.middleware import HtmxDetails

    from hotline.orgs.permissions import AuthedRequest, User

    class _HtmxRequest(AuthedRequest):
        htmx: HtmxDetails  # django-htmx's middleware sets it on every request


class ArticleForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = ["title", "answer", "keywords", "matter", "source", "owner", "valid_until", "is_active"]
        widgets = {"answer": forms.Textarea(attrs={"rows": 8})}


@permission_required(Perm.READ_KNOWLEDGE)
def knowledge(request: _HtmxRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    articles = search(query, limit=30)
    template = "web/_articles.html" if request.htmx else "web/knowledge.html"
    return render(
        request,
        template,
        {"articles": articles, "q": query, "pick": request.GET.get("pick") == "1", "can_edit": _editor(request.user)},
    )


def _editor(user: User) -> bool:
    return has_perm(user, Perm.EDIT_KNOWLEDGE)


@permission_required(Perm.EDIT_KNOWLEDGE)
def article_edit(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    article = get_object_or_404(Article, pk=pk) if pk else None
    form = ArticleForm(request.POST or None, instance=article)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.updated_by = request.user
        saved.save()
        record_version(saved, actor=request.user, note=_("Edited by the centre."))
        messages.success(request, _("Article saved."))
        return redirect("knowledge")
    return render(request, "web/article_form.html", {"form": form, "article": article})


class ProposalForm(forms.ModelForm):
    class Meta:
        model = Proposal
        fields = ["article", "title", "answer", "keywords", "matter", "source", "valid_until"]
        widgets = {"answer": forms.Textarea(attrs={"rows": 8}), "valid_until": forms.DateInput(attrs={"type": "date"})}


@permission_required(Perm.HANDLE)
def propose(request: AuthedRequest) -> HttpResponse:
    """A unit proposes an article, or a change to one it owns; it sees its expired articles."""
    unit = unit_of(request.user)
    if unit is None:
        return redirect("home")
    form = ProposalForm(request.POST or None)
    form.fields["article"].queryset = Article.objects.filter(owner=unit)  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            kb.propose(unit, actor=request.user, **data)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, _("Proposal sent; the centre reviews it."))
            return redirect("article-propose")
    context = {
        "form": form,
        "expired": kb.expired_for(unit),
        "mine": Proposal.objects.filter(unit=unit)[:20],
    }
    return render(request, "web/article_propose.html", context)


@permission_required(Perm.EDIT_KNOWLEDGE)
def proposals(request: AuthedRequest) -> HttpResponse:
    """The centre publishes or rejects the units' proposals."""
    if request.method == "POST":
        proposal = get_object_or_404(Proposal, pk=request.POST.get("proposal"))
        try:
            kb.review_proposal(
                proposal,
                publish=request.POST.get("publish") == "1",
                note=request.POST.get("note", ""),
                actor=request.user,
            )
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        else:
            messages.success(request, _("Proposal decided."))
        return redirect("article-proposals")
    pending = Proposal.objects.filter(state=Proposal.State.PENDING).select_related("unit", "article")
    return render(request, "web/article_proposals.html", {"pending": pending})
