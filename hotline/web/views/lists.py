"""Server-side paging and sorting for every list page."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

PER_PAGE = 50


def paged(request, queryset: QuerySet, *, sorts: dict[str, tuple[str, ...]], default: str) -> tuple[Page, str]:
    """One page of ``queryset`` in the order asked for by ``?sort=key`` or ``?sort=-key``.

    Only keys in ``sorts`` are accepted (anything else falls back to ``default``); each maps to the
    fields it orders by, and the primary key breaks ties so pages never overlap.
    """
    sort = request.GET.get("sort") or default
    if sort.lstrip("-") not in sorts:
        sort = default
    fields = sorts[sort.lstrip("-")]
    if sort.startswith("-"):
        fields = tuple(f[1:] if f.startswith("-") else f"-{f}" for f in fields)
    paginator = Paginator(queryset.order_by(*fields, "pk"), PER_PAGE)
    return paginator.get_page(request.GET.get("page")), sort
