"""知识库: operators search and cite it; the centre's supervisors keep it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from hotline.knowledge.models import Article
from hotline.knowledge.services import search
from hotline.orgs.permissions import Perm, has_perm, permission_required

if TYPE_CHECKING:
    from django.http import HttpResponse
    from django_htmx.middleware import HtmxDetails

    from hotline.orgs.permissions import AuthedRequest, User

    class _HtmxRequest(AuthedRequest):
        htmx: HtmxDetails  # django-htmx's middleware sets it on every request


class ArticleForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = ["title", "answer", "keywords", "matter", "source", "is_active"]
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
        messages.success(request, _("Article saved."))
        return redirect("knowledge")
    return render(request, "web/article_form.html", {"form": form, "article": article})
