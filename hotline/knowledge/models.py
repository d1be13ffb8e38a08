"""The knowledge base (知识库): answers the centre keeps so operators can close a consultation
directly (直接答复) without dispatching it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hotline import limits


class Article(models.Model):
    title = models.CharField(_("title"), max_length=limits.TITLE)
    # The answer an operator reads out or sends; it becomes the ticket's result when cited.
    answer = models.TextField(_("answer"))
    keywords = models.CharField(
        _("keywords"), max_length=limits.ARTICLE_KEYWORDS, blank=True, help_text=_("separated by spaces")
    )
    matter = models.ForeignKey(
        "catalog.Matter", verbose_name=_("matter"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(
        _("source"), max_length=limits.ARTICLE_SOURCE, blank=True, help_text=_("policy document or department")
    )
    is_active = models.BooleanField(_("published"), default=True)
    cited = models.PositiveIntegerField(_("times cited"), default=0, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("knowledge article")
        verbose_name_plural = _("knowledge articles")
        ordering = ["-cited", "title"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        # A TextField's cap is not a column constraint; checked here, every form (the centre's
        # editor and the admin) refuses a longer answer.
        limits.check_lengths(answer=(self.answer, limits.ARTICLE_ANSWER))
