"""Links that keep a list's filters while changing its page or sort order."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.context import Context

register = template.Library()


@register.simple_tag(takes_context=True)
def with_query(context: Context, **changes: Any) -> str:
    """The current query string with ``changes`` applied; a new sort goes back to page one."""
    params = context["request"].GET.copy()
    if "sort" in changes:
        params.pop("page", None)
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + params.urlencode()


@register.inclusion_tag("web/_sort_header.html", takes_context=True)
def sort_header(context: Context, key: str, label: str) -> dict[str, Any]:
    current = context.get("sort") or ""
    return {
        "request": context["request"],
        "label": label,
        "key": key,
        "active": current.lstrip("-") == key,
        "descending": current.startswith("-"),
        "next": key if current == f"-{key}" else f"-{key}" if current == key else key,
    }


@register.filter
def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"
