"""Searching the knowledge base and closing a consultation with an article."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F, Q, QuerySet

from hotline import limits
from hotline.catalog.models import Matter
from hotline.intake.services import answer_directly
from hotline.text import clean_text
from hotline.tickets.models import Ticket

from .models import Article

if TYPE_CHECKING:
    from hotline.orgs.permissions import Actor

_SPLIT = re.compile(r"[\s,，。；;、？?！!]+")


def search(query: str, *, limit: int = 10) -> list[Article]:
    """Published articles matching the query's words, best first: a word in the title or keywords
    counts three times a word in the answer; ties go to the article cited most."""
    words = [w for w in _SPLIT.split(query or "") if w][:8]
    articles: QuerySet[Article] = Article.objects.filter(is_active=True)
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
    text = article.answer if not note else f"{article.answer}\n{note}"
    with transaction.atomic():
        answer_directly(
            ticket, answer=text, matter=article.matter or matter, actor=actor, at=at, data={"article": article.pk}
        )
        Article.objects.filter(pk=article.pk).update(cited=F("cited") + 1)


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
