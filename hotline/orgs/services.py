"""Reference data: the region tree from the 民政部 data a package ships, communities from a file,
the functions and the units. Every loader is idempotent: run it again and nothing is duplicated.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from hotline.tabular import Source, divisions_json, field_caps, over_caps, package_table, read_table

from . import places
from .models import Function, Region, Unit, UnitFunction

# The city this deployment serves, as a 6-digit 民政部 code.
DEFAULT_CITY = "630100"

# Everyday and former names that citizens use, keyed by official name.
ALIASES = {
    "湟中区": ["湟中县", "湟中"],
    "大通回族土族自治县": ["大通县", "大通"],
    "湟源县": ["湟源"],
    "日月藏族乡": ["日月乡"],
    "二十里铺镇": ["廿里铺镇", "廿里铺", "二十里铺"],
    "东关大街街道": ["东关街道"],
    "群加藏族乡": ["群加乡"],
    "向化藏族乡": ["向化乡"],
    "朔北藏族乡": ["朔北乡"],
    "汉东回族乡": ["汉东乡"],
    "大才回族乡": ["大才乡"],
}

LEVELS = {1: Region.Level.PROVINCE, 2: Region.Level.CITY, 3: Region.Level.DISTRICT, 4: Region.Level.TOWNSHIP}


def load_regions(city_code: str = DEFAULT_CITY) -> int:
    """The province, the city, its districts/counties and townships from 民政部 data (2025-12-31)."""
    raw = divisions_json()
    rows = raw["divisions"]
    by_code = {row[1]: row for row in rows}
    city = by_code.get(city_code)
    if city is None:
        raise ValidationError(_("Unknown city code %(code)s") % {"code": city_code})
    province = by_code[city[2]]
    wanted = [province, city]
    districts = [r for r in rows if r[0] == 3 and r[2] == city_code]
    wanted += districts
    district_codes = {d[1] for d in districts}
    wanted += [r for r in rows if r[0] == 4 and r[2] in district_codes]
    source = f"民政部 {raw['metadata']['data_as_of']}"
    with transaction.atomic():
        for level, code, parent, name in wanted:
            Region.objects.update_or_create(
                code=code,
                defaults={
                    "name": name,
                    "level": LEVELS[level],
                    "parent_id": parent if parent in by_code and level > 1 else None,
                    "aliases": "\n".join(ALIASES.get(name, [])),
                    "source": source,
                },
            )
    places.clear_cache()
    return len(wanted)


def import_communities(source: Source) -> int:
    """Communities and villages (村/居委会) from a ``code,name,level,parent_code`` CSV or Excel file.

    Rows whose township is not in the region table are skipped (they belong to other places, or
    to a township that the newer 民政部 data no longer has); the count of rows written is returned.
    """
    rows = read_table(source, required=["code", "name", "level", "parent_code"])
    townships = set(Region.objects.filter(level=Region.Level.TOWNSHIP).values_list("code", flat=True))
    existing = set(Region.objects.filter(level=Region.Level.COMMUNITY).values_list("code", flat=True))
    # A file that repeats a code, reuses another level's code or overruns a column is refused as a
    # whole with the lines named, never a traceback halfway (L6 of 2026-11-30).
    caps = field_caps(Region, "code", "name")
    wanted = [
        (n, row)
        for n, row in enumerate(rows, start=2)
        if row["level"] in ("village", "community") and row["parent_code"] in townships
    ]
    errors: list[str] = []
    seen: dict[str, int] = {}
    others = set(Region.objects.exclude(level=Region.Level.COMMUNITY).values_list("code", flat=True))
    for n, row in wanted:
        errors += over_caps([row], caps, first_line=n)
        code = row.get("code", "")
        if code in seen:
            errors.append(_("line %(n)d: code %(code)s repeats line %(m)d") % {"n": n, "code": code, "m": seen[code]})
        elif code in others:
            errors.append(_("line %(n)d: code %(code)s already names a district or township") % {"n": n, "code": code})
        seen.setdefault(code, n)
    if errors:
        raise ValidationError(errors[:20])
    new: list[Region] = []
    updated: list[Region] = []
    for row in rows:
        if row["level"] not in ("village", "community") or row["parent_code"] not in townships:
            continue
        if not row["code"].isdigit() or not row["name"]:
            raise ValidationError(_("Bad community row: %(row)s") % {"row": row})
        region = Region(
            code=row["code"],
            name=row["name"],
            level=Region.Level.COMMUNITY,
            parent_id=row["parent_code"],
            source="统计用区划代码",
        )
        (updated if row["code"] in existing else new).append(region)
    with transaction.atomic():
        Region.objects.bulk_create(new, batch_size=500)
        Region.objects.bulk_update(updated, ["name", "parent", "source"], batch_size=500)
    return len(new) + len(updated)


def load_functions() -> int:
    rows = package_table("orgs", "functions.csv", required=["code", "name"])
    for row in rows:
        Function.objects.update_or_create(code=row["code"], defaults={"name": row["name"]})
    return len(rows)


def township_office_name(region: Region) -> str:
    if region.name.endswith("街道"):
        return f"{region.district.name if region.district else ''}{region.name}办事处"
    return f"{region.district.name if region.district else ''}{region.name}人民政府"


_MOBILE = re.compile(r"1[3-9]\d{9}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def without_contact(units: QuerySet[Unit]) -> QuerySet[Unit]:
    """Units a reminder can reach only through the platform inbox: no duty mobile, no e-mail."""
    return units.filter(mobile="", email="")


def load_units(source: Source | None = None) -> int:
    """Units from ``code,name,short_name,kind,region_code,parent_code,functions,phone`` rows (a function
    written ``code*`` is carried without leading on it),
    plus one office for every township/street in the region table (they carry 基层治理 work)."""
    rows = (
        read_table(source, required=UNIT_COLUMNS)
        if source is not None
        else package_table("orgs", "units.csv", required=UNIT_COLUMNS)
    )
    functions = {f.code: f for f in Function.objects.all()}
    regions = set(Region.objects.values_list("code", flat=True))
    kinds = set(Unit.Kind.values)
    errors = []
    for n, row in enumerate(rows, start=2):
        if row["kind"] not in kinds:
            errors.append(_("line %(n)d: unknown kind %(kind)s") % {"n": n, "kind": row["kind"]})
        if row["region_code"] not in regions:
            errors.append(_("line %(n)d: unknown region %(code)s") % {"n": n, "code": row["region_code"]})
        if row.get("mobile") and not _MOBILE.fullmatch(row["mobile"]):
            errors.append(_("line %(n)d: not a mobile number: %(m)s") % {"n": n, "m": row["mobile"]})
        if row.get("email") and not _EMAIL.fullmatch(row["email"]):
            errors.append(_("line %(n)d: not an e-mail address: %(m)s") % {"n": n, "m": row["email"]})
        unknown = [f for f in row["functions"].replace("*", "").split() if f not in functions]
        if unknown:
            errors.append(_("line %(n)d: unknown functions %(f)s") % {"n": n, "f": " ".join(unknown)})
    if errors:
        raise ValidationError(errors)
    township_functions = [functions[c] for c in ("grassroots",) if c in functions]
    with transaction.atomic():
        saved: dict[str, Unit] = {}
        for row in rows:
            unit, _created = Unit.objects.update_or_create(
                code=row["code"],
                defaults={
                    "name": row["name"],
                    "short_name": row.get("short_name", ""),
                    "kind": row["kind"],
                    "region_id": row["region_code"],
                    "phone": row.get("phone", ""),
                    "mobile": row.get("mobile", ""),
                    "email": row.get("email", ""),
                },
            )
            # "heating*": the unit carries the function but does not lead on it.
            carried = {f.rstrip("*"): not f.endswith("*") for f in row["functions"].split()}
            unit.functions.set([functions[f] for f in carried])
            for code, lead in carried.items():
                UnitFunction.objects.filter(unit=unit, function_id=code).update(lead=lead)
            saved[unit.code] = unit
        for row in rows:
            if row.get("parent_code"):
                Unit.objects.filter(code=row["code"]).update(
                    parent=saved.get(row["parent_code"]) or Unit.objects.filter(code=row["parent_code"]).first(),
                )
        for township in Region.objects.filter(level=Region.Level.TOWNSHIP).select_related("parent"):
            unit, _created = Unit.objects.update_or_create(
                code=f"T{township.code}",
                defaults={
                    "name": township_office_name(township),
                    "short_name": township.name,
                    "kind": Unit.Kind.TOWNSHIP,
                    "region": township,
                },
            )
            unit.functions.set(township_functions)
    return len(rows)


UNIT_COLUMNS = ["code", "name", "short_name", "kind", "region_code", "parent_code", "functions", "phone"]
