"""Pickers that scale: the 598 matters and 265 units as search-as-you-type fields, not long lists.

A picker is one text input. ``site.js`` turns it into a combobox that asks ``/pick/<kind>/?q=``
as the person types and fills in the chosen entry as ``name · code``; without script it is a
plain field, and the server reads what was typed: a code, an exact name (or path), or an entry
followed by `` · code``. Anything else is refused with the candidates it could mean, never
guessed at. The same lookup answers the endpoint and the form, so both agree on what a word
finds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from hotline.catalog.models import Matter
from hotline.orgs.models import Region, Unit

SEPARATOR = " · "
LIMIT = 20


@dataclass(frozen=True)
class Kind:
    """One kind of picker: which rows, how each reads, how a word finds it."""

    name: str
    queryset: Any  # a callable returning the rows to pick from
    label_field: str  # "path" for matters (the tree reads better than a leaf's name), else "name"
    search_fields: tuple[str, ...]

    def rows(self) -> QuerySet[Any]:
        return self.queryset()

    def label(self, obj: Any) -> str:
        return str(getattr(obj, self.label_field) or obj.name)

    def text(self, obj: Any) -> str:
        """What the field holds once an entry is chosen."""
        return f"{self.label(obj)}{SEPARATOR}{obj.code}"

    def search(self, words: str, *, limit: int = LIMIT) -> list[Any]:
        """Entries whose code starts with ``words`` or whose name or path holds every word; an
        exact name first, then names that start with the words, then the rest by code."""
        words = words.strip()[:50]
        if not words:
            return []
        condition = Q(code__startswith=words)
        every = Q()
        for word in words.split():
            any_field = Q()
            for name in self.search_fields:
                any_field |= Q(**{f"{name}__icontains": word})
            every &= any_field
        found = list(self.rows().filter(condition | every)[: limit * 5])
        first = words.split()[0]

        def rank(obj: Any) -> tuple[int, str]:
            name = obj.name
            return (0 if name == words else 1 if name.startswith(first) else 2, obj.code)

        return sorted(found, key=rank)[:limit]


def _matters() -> QuerySet[Matter]:
    return Matter.objects.filter(is_active=True).order_by("code")


def _leaf_matters() -> QuerySet[Matter]:
    return Matter.objects.filter(is_active=True, is_leaf=True).order_by("code")


def _units() -> QuerySet[Unit]:
    return Unit.objects.filter(is_active=True).exclude(kind=Unit.Kind.CENTRE).order_by("code")


def _regions() -> QuerySet[Region]:
    return Region.objects.filter(level__in=[Region.Level.DISTRICT, Region.Level.TOWNSHIP]).order_by("code")


KINDS: dict[str, Kind] = {
    "matter": Kind("matter", _matters, "path", ("name", "path", "keywords")),
    "leaf": Kind("leaf", _leaf_matters, "path", ("name", "path", "keywords")),
    "unit": Kind("unit", _units, "name", ("name", "short_name")),
    "region": Kind("region", _regions, "name", ("name",)),
}


def find(kind: Kind, text: str, rows: QuerySet[Any] | None = None) -> Model | None:
    """The one entry ``text`` names, None for an empty field; ValidationError when it names none
    or several (with up to five it could mean)."""
    text = (text or "").strip()
    if not text:
        return None
    rows = kind.rows() if rows is None else rows
    code = text.rsplit(SEPARATOR.strip(), 1)[-1].strip() if SEPARATOR.strip() in text else text
    hit = rows.filter(code=code).first()
    if hit is not None:
        return hit
    exact = list(rows.filter(Q(name=text) | Q(**{kind.label_field: text}))[:6])
    if len(exact) == 1:
        return exact[0]
    candidates = exact or kind.search(text, limit=6)
    if len(candidates) == 1 and kind.label(candidates[0]) == text:
        return candidates[0]
    if candidates:
        shown = "；".join(kind.text(c) for c in candidates[:5])
        raise ValidationError(
            _("“%(text)s” could mean several entries; choose one: %(shown)s"),
            code="ambiguous",
            params={"text": text[:40], "shown": shown},
        )
    raise ValidationError(_("Nothing matches “%(text)s”."), code="not_found", params={"text": text[:40]})


class PickerInput(forms.TextInput):
    """A text input the page's script turns into a combobox over ``/pick/<kind>/``."""

    def __init__(self, kind: str, attrs: dict[str, Any] | None = None) -> None:
        self.kind = KINDS[kind]
        super().__init__(
            attrs={
                "data-picker": reverse_lazy("pick", args=[kind]),
                "autocomplete": "off",
                "role": "combobox",
                "aria-autocomplete": "list",
                "aria-expanded": "false",
                "placeholder": _("Type a name or code"),
                **(attrs or {}),
            }
        )

    def format_value(self, value: Any) -> str | None:
        if value in (None, ""):
            return None
        if isinstance(value, Model):
            return self.kind.text(value)
        text = str(value)
        if SEPARATOR in text:
            return text
        # A code from a link or an initial value reads as its entry.
        hit = self.kind.rows().filter(code=text).first()
        return self.kind.text(hit) if hit is not None else text


class PickField(forms.ModelChoiceField):
    """A choice of one row, typed or picked; validated on the server with or without script."""

    def __init__(self, kind: str, *, queryset: QuerySet[Any] | None = None, **kwargs: Any) -> None:
        self.kind = KINDS[kind]
        kwargs.setdefault("widget", PickerInput(kind))
        super().__init__(queryset=queryset if queryset is not None else self.kind.rows(), **kwargs)

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        if isinstance(value, Model):
            return value
        return find(self.kind, str(value), self.queryset)

    def prepare_value(self, value: Any) -> Any:
        return value

    def has_changed(self, initial: Any, data: Any) -> bool:
        return str(initial or "") != str(data or "")


MANY = "；"  # entries of a several-entry picker are separated by a full-width semicolon (or ; or a new line)


class MultiPickField(forms.Field):
    """Several rows of one kind typed or picked into one field, separated by ``MANY``: the
    dispatch form's co-units. Each entry is read as ``PickField`` reads one; duplicates count once."""

    def __init__(self, kind: str, **kwargs: Any) -> None:
        self.kind = KINDS[kind]
        kwargs.setdefault("widget", PickerInput(kind, {"data-picker-many": MANY}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> list[Any]:
        if not value:
            return []
        if isinstance(value, list | tuple):
            return list(value)
        parts = [p.strip() for p in str(value).replace(";", MANY).replace("\n", MANY).split(MANY)]
        found: list[Any] = []
        errors: list[ValidationError] = []
        for part in parts:
            if not part:
                continue
            try:
                row = find(self.kind, part)
            except ValidationError as error:
                errors.append(error)
                continue
            if row is not None and row not in found:
                found.append(row)
        if errors:
            raise ValidationError(errors)
        return found

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return MANY.join(self.kind.text(v) if isinstance(v, Model) else str(v) for v in value)
        return value
