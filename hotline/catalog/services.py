"""The dispatch catalogue as data: import from and export to Excel (or CSV), all or nothing."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from hotline.orgs.models import Function
from hotline.tabular import append_row, field_caps, over_caps, package_table, read_table

from .models import Matter, OwnerLevel, TimeTier

COLUMNS = ["code", "name", "parent_code", "tier", "owner_level", "function", "keywords", "examples"]
HEADERS_ZH = ["编码", "名称", "上级编码", "办理时限（工作日）", "责任层级", "职能", "关键词", "示例诉求"]


def read_rows(path: str | Path) -> list[dict[str, str]]:
    return read_table(path, required=COLUMNS, aliases=dict(zip(HEADERS_ZH, COLUMNS)))


def default_rows() -> list[dict[str, str]]:
    return package_table("catalog", "catalogue.csv", required=COLUMNS)


def _tier(value: str) -> int | None:
    if value == "":
        return None
    try:
        number = int(float(value))
    except ValueError:
        return -1
    return number if number in TimeTier.values else -1


def import_rows(rows: list[dict[str, str]]) -> dict[str, int]:
    """Create or update every matter in ``rows``; matters missing from them are deactivated.

    Any error anywhere rejects the whole file with every problem listed by line; nothing is written.
    """
    functions = set(Function.objects.values_list("code", flat=True))
    errors: list[str] = []
    seen: dict[str, int] = {}
    children: set[str] = {r.get("parent_code", "") for r in rows if r.get("parent_code")}
    for n, row in enumerate(rows, start=2):
        code, name, parent_code = row.get("code", ""), row.get("name", ""), row.get("parent_code", "")
        where = _("line %(n)d") % {"n": n}
        if not code or not name:
            errors.append(f"{where}: " + _("code and name are required"))
            continue
        if code in seen:
            errors.append(f"{where}: " + _("code %(code)s repeats line %(m)d") % {"code": code, "m": seen[code]})
        seen[code] = n
        if parent_code and parent_code not in seen:
            errors.append(f"{where}: " + _("parent %(code)s is not listed above this row") % {"code": parent_code})
        if code not in children:  # a leaf: it must say how fast, who and what
            if _tier(row.get("tier", "")) in (None, -1):
                errors.append(f"{where}: " + _("a leaf needs a time tier of 0, 1, 3, 7 or 11"))
            if row.get("owner_level") not in OwnerLevel.values:
                errors.append(f"{where}: " + _("unknown owner level %(v)s") % {"v": row.get("owner_level")})
            if row.get("function") not in functions:
                errors.append(f"{where}: " + _("unknown function %(v)s") % {"v": row.get("function")})
    if not rows:
        errors.append(_("The file has no rows."))
    errors += over_caps(rows, field_caps(Matter, "code", "name"))
    if errors:
        raise ValidationError(errors)

    existing = {m.code: m for m in Matter.objects.all()}
    created = updated = 0
    with transaction.atomic():
        saved: dict[str, Matter] = {}
        for row in rows:
            code = row["code"]
            parent = saved.get(row.get("parent_code", ""))
            leaf = code not in children
            matter = existing.get(code) or Matter(code=code)
            created += matter.pk is None
            updated += matter.pk is not None
            matter.name = row["name"]
            matter.parent = parent
            matter.level = parent.level + 1 if parent else 1
            matter.path = f"{parent.path} / {row['name']}" if parent else row["name"]
            matter.is_leaf = leaf
            matter.tier = _tier(row.get("tier", "")) if leaf else None
            matter.owner_level = row.get("owner_level", "") if leaf else ""
            matter.function_id = row.get("function") if leaf else None
            matter.keywords = " ".join(row.get("keywords", "").split()) if leaf else ""
            matter.examples = "\n".join(e.strip() for e in row.get("examples", "").split("|") if e.strip())
            matter.is_active = True
            matter.save()
            saved[code] = matter
        gone = Matter.objects.exclude(code__in=list(saved)).filter(is_active=True)
        deactivated = gone.update(is_active=False)
    return {"created": created, "updated": updated, "deactivated": deactivated}


def import_file(path: str | Path) -> dict[str, int]:
    return import_rows(read_rows(path))


def load_default() -> dict[str, int]:
    return import_rows(default_rows())


def export_rows() -> list[list[str]]:
    out = []
    for m in Matter.objects.filter(is_active=True).select_related("parent").order_by("code"):
        out.append(
            [
                m.code,
                m.name,
                m.parent.code if m.parent else "",
                "" if m.tier is None else str(m.tier),
                m.owner_level,
                m.function_id or "",
                m.keywords,
                "|".join(m.example_list()),
            ]
        )
    return out


def export_xlsx(path: str | Path) -> int:
    """The active catalogue as a workbook that ``import_file`` reads back unchanged."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook's one sheet
    sheet.title = "派单目录"
    sheet.append(HEADERS_ZH)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    rows = export_rows()
    for row in rows:
        append_row(sheet, row)
    for column, width in zip("ABCDEFGH", (10, 18, 10, 10, 14, 20, 30, 60)):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    book.save(path)
    return len(rows)
