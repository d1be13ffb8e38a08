"""Searching the knowledge base and closing a consultation with an article."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline import limits
from hotline.catalog.models import Matter
from hotline.intake.services import answer_directly
from hotline.text import clean_text, mask_id_numbers
from hotline.tickets.models import Ticket

from .models import Article, ArticleVersion, Proposal

if TYPE_CHECKING:
    from hotline.orgs.models import Unit
    from hotline.orgs.permissions import Actor

_SPLIT = re.compile(r"[\s,，。；;、？?！!]+")


def live(today: dt.date | None = None) -> QuerySet[Article]:
    """Published articles still valid today: what operators and the public see."""
    today = today or timezone.localdate()
    return Article.objects.filter(is_active=True).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))


def expired_for(unit: Unit, today: dt.date | None = None) -> QuerySet[Article]:
    """The published articles a unit owns whose validity has ended: hidden from operators, listed
    for the owner to renew (by a proposal)."""
    today = today or timezone.localdate()
    return Article.objects.filter(owner=unit, is_active=True, valid_until__lt=today).order_by("valid_until")


def search(query: str, *, limit: int = 10) -> list[Article]:
    """Published, valid articles matching the query's words, best first: a word in the title or
    keywords counts three times a word in the answer; ties go to the article cited most."""
    words = [w for w in _SPLIT.split(query or "") if w][:8]
    articles: QuerySet[Article] = live()
    if not words:
        return list(articles[:limit])
    cond = Q()
    for w in words:
        cond |= Q(title__icontains=w) | Q(keywords__icontains=w) | Q(answer__icontains=w)
    candidates = list(articles.filter(cond)[:200])

    def score(a: Article) -> tuple[int, int]:
        head = f"{a.title} {a.keywords}"
        return (sum(3 * (w in head) + (w in a.answer) for w in words), a.cited)

    candidates.sort(key=score, reverse=True)
    return candidates[:limit]


def answer_with_article(
    ticket: Ticket,
    *,
    article: Article,
    note: str = "",
    matter: Matter | None = None,
    actor: Actor | None = None,
    at: dt.datetime | None = None,
) -> None:
    """直接答复: close a consultation with a published article; the article is cited on the ticket
    (its ``cited`` count goes up: every door that answers from the knowledge base comes here).

    The ticket's matter (M12): the operator's choice when they made one, else the article's
    matter, else ``matter`` (the classifier's, when it was sure: ``dispatch.services``)."""
    note = clean_text(note)
    limits.check_lengths(note=(note, limits.NOTE))
    if not live().filter(pk=article.pk).exists():
        raise ValidationError({"article": _("This article is not published or no longer valid.")})
    text = article.answer if not note else f"{article.answer}\n{note}"
    with transaction.atomic():
        answer_directly(
            ticket, answer=text, matter=article.matter or matter, actor=actor, at=at, data={"article": article.pk}
        )
        Article.objects.filter(pk=article.pk).update(cited=F("cited") + 1)


def record_version(
    article: Article, *, actor: Actor | None = None, note: str = "", at: dt.datetime | None = None
) -> ArticleVersion:
    """Keep the article's current content as its next version (the history the page shows)."""
    with transaction.atomic():
        last = ArticleVersion.objects.filter(article=article).order_by("-version").first()
        number = (last.version + 1) if last is not None else 1
        version = ArticleVersion.objects.create(
            article=article,
            version=number,
            title=article.title,
            answer=article.answer,
            keywords=article.keywords,
            source=article.source,
            valid_until=article.valid_until,
            note=note,
            saved_by=actor,
            saved_at=at or timezone.now(),
        )
        Article.objects.filter(pk=article.pk).update(version=number)
        article.version = number
    return version


def propose(
    unit: Unit,
    *,
    title: str,
    answer: str,
    keywords: str = "",
    matter: Matter | None = None,
    source: str = "",
    valid_until: dt.date | None = None,
    article: Article | None = None,
    actor: Actor | None = None,
    at: dt.datetime | None = None,
) -> Proposal:
    """A unit proposes a new article, or a change to one it owns; the centre reviews it. Refused,
    nothing written: no title or answer, too long, a validity already over, a change to another
    unit's article."""
    title, answer = clean_text(title), clean_text(answer)
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("The article needs a title.")
    if not answer:
        errors["answer"] = _("The article needs an answer.")
    if valid_until is not None and valid_until < timezone.localdate():
        errors["valid_until"] = _("The validity would be over already.")
    if article is not None and article.owner_id not in (None, unit.pk):
        errors["article"] = _("Only the owner unit proposes changes to this article.")
    if errors:
        raise ValidationError(errors)
    limits.check_lengths(
        title=(title, limits.TITLE),
        answer=(answer, limits.ARTICLE_ANSWER),
        keywords=(clean_text(keywords), limits.ARTICLE_KEYWORDS),
        source=(clean_text(source), limits.ARTICLE_SOURCE),
    )
    return Proposal.objects.create(
        unit=unit,
        article=article,
        title=title,
        answer=answer,
        keywords=clean_text(keywords),
        matter=matter,
        source=clean_text(source),
        valid_until=valid_until,
        proposed_by=actor,
        proposed_at=at or timezone.now(),
    )


def review_proposal(
    proposal: Proposal, *, publish: bool, note: str = "", actor: Actor | None = None, at: dt.datetime | None = None
) -> Article | None:
    """The centre publishes a proposal (a new article owned by the unit, or the unit's article
    changed, as its next version) or rejects it with a reason. Decided once."""
    note = clean_text(note)
    if not publish and not note:
        raise ValidationError({"note": _("Say why the proposal is rejected.")})
    now = at or timezone.now()
    with transaction.atomic():
        state = Proposal.State.PUBLISHED if publish else Proposal.State.REJECTED
        if not Proposal.objects.filter(pk=proposal.pk, state=Proposal.State.PENDING).update(
            state=state, review_note=note, reviewed_by=actor, reviewed_at=now
        ):
            raise ValidationError({"__all__": _("This proposal has already been decided.")})
        proposal.refresh_from_db()
        if not publish:
            return None
        article = proposal.article or Article(owner=proposal.unit)
        article.title, article.answer, article.keywords = proposal.title, proposal.answer, proposal.keywords
        article.source, article.valid_until, article.is_active = proposal.source, proposal.valid_until, True
        if proposal.matter_id is not None:
            article.matter_id = proposal.matter_id
        article.updated_by = actor
        article.save()
        record_version(article, actor=actor, note=note or _("Proposed by %(unit)s.") % {"unit": proposal.unit}, at=now)
    return article


def faq(query: str, *, limit: int = 20) -> list[dict[str, str]]:
    """常见问题 for the public portal: published, valid articles matching the words, with nothing
    personal (identity and phone numbers masked)."""
    out = []
    for article in search(query, limit=limit):
        out.append({"title": _public(article.title), "answer": _public(article.answer), "source": article.source})
    return out


_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def _public(text: str) -> str:
    return _PHONE.sub("***********", mask_id_numbers(text))


def seed_articles() -> int:
    """The starter articles shipped with the platform, written only into an empty knowledge base so
    the centre's own edits and deletions are never undone."""
    from hotline.tabular import package_table

    if Article.objects.exists():
        return 0
    rows = package_table("knowledge", "articles.csv", required=["title", "answer", "keywords", "matter_code", "source"])
    matters = Matter.objects.in_bulk([r["matter_code"] for r in rows if r["matter_code"]], field_name="code")
    Article.objects.bulk_create(
        Article(
            title=r["title"],
            answer=r["answer"],
            keywords=r["keywords"],
            matter=matters.get(r["matter_code"]),
            source=r["source"],
        )
        for r in rows
    )
    return len(rows)
