"""Server-side paging and sorting for every list page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

if TYPE_CHECKING:
    from django.http import HttpRequest

PER_PAGE = 50


def ordered(
    request: HttpRequest, queryset: QuerySet[Any], *, sorts: Mapping[str, tuple[str, ...]], default: str
) -> tuple[QuerySet[Any], str]:
    """``queryset`` in the order asked for by ``?sort=key`` or ``?sort=-key``.

    Only keys in ``sorts`` are accepted (anything else falls back to ``default``); each maps to the
    fields it orders by, and the primary key breaks ties so pages never overlap.
    """
    sort = request.GET.get("sort") or default
    if sort.lstrip("-") not in sorts:
        sort = default
    fields = sorts[sort.lstrip("-")]
    if sort.startswith("-"):
        fields = tuple(f[1:] if f.startswith("-") else f"-{f}" for f in fields)
    return queryset.order_by(*fields, "pk"), sort


def paged(
    request: HttpRequest, queryset: QuerySet[Any], *, sorts: Mapping[str, tuple[str, ...]], default: str
) -> tuple[Page[Any], str]:
    """One page of ``queryset`` in the order asked for (see ``ordered``)."""
    rows, sort = ordered(request, queryset, sorts=sorts, default=default)
    return Paginator(rows, PER_PAGE).get_page(request.GET.get("page")), sort
