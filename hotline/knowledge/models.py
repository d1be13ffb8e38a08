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
    # The unit answerable for the article's content, and the last day it holds: after it the
    # article is hidden from operators and listed for its owner to renew (valid_until empty: no end).
    owner = models.ForeignKey(
        "orgs.Unit", verbose_name=_("owner unit"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
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


class ArticleVersion(models.Model):
    """One published state of an article: its history, oldest first."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=limits.TITLE)
    answer = models.TextField(_("answer"))
    keywords = models.CharField(_("keywords"), max_length=limits.ARTICLE_KEYWORDS, blank=True)
    source = models.CharField(_("source"), max_length=limits.ARTICLE_SOURCE, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    saved_at = models.DateTimeField(_("saved at"))

    class Meta:
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")
        ordering = ["article", "version"]
        constraints = [models.UniqueConstraint(fields=["article", "version"], name="article_version_once")]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.version}"


class Proposal(models.Model):
    """A unit proposes a new article, or a change to one it owns; the centre publishes or rejects it."""

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        PUBLISHED = "published", _("published")
        REJECTED = "rejected", _("rejected")

    unit = models.ForeignKey("orgs.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    article = models.ForeignKey(
        Article, verbose_name=_("article"), null=True, blank=True, on_delete=models.CASCADE, related_name="proposals"
    )
    title = models.CharField(_("title"), max_length=limits.TITLE)
    answer = models.TextField(_("answer"))
    keywords = models.CharField(_("keywords"), max_length=limits.ARTICLE_KEYWORDS, blank=True)
    matter = models.ForeignKey(
        "catalog.Matter", verbose_name=_("matter"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(_("source"), max_length=limits.ARTICLE_SOURCE, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    review_note = models.TextField(_("reviewer's note"), blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed at"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("article proposal")
        verbose_name_plural = _("article proposals")
        ordering = ["-proposed_at"]

    def __str__(self) -> str:
        return self.title
