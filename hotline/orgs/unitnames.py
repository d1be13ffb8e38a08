"""Unit names as people write them, matched to the unit table (exact, normalised, fuzzy).

History files and packs name units by hand: "商洛市公安局" and "市公安局", "市住建局" and
"商洛市住房和城乡建设局", "镇安县政府办" and "镇安县人民政府办公室". ``normalise`` brings a name to
one written form (the city's own name becomes 市, a county's short name its full name, common
abbreviations their full words, a county government's many names one); ``match`` finds the unit.
The abbreviations are the national ones, not any city's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Everyday abbreviations of government bodies -> their full words (longest first when applied).
ABBREVIATIONS = {
    "住建局": "住房和城乡建设局",
    "住房与城乡建设局": "住房和城乡建设局",
    "人社局": "人力资源和社会保障局",
    "人力和社会保障局": "人力资源和社会保障局",
    "交通局": "交通运输局",
    "城管局": "城市管理局",
    "公安局交警支队": "公安局交通警察支队",
    "交警支队": "公安局交通警察支队",
    "环保局": "环境保护局",
    "医保局": "医疗保障局",
    "发改委": "发展和改革委员会",
    "卫健委": "卫生健康委员会",
    "房管局": "房产管理局",
    "市场监管局": "市场监督管理局",
    "教体局": "教育体育局",
    "自然资源局": "自然资源局",
    "国土局": "国土资源局",
    "社保局": "社会保障事业管理局",
}
_COUNTY_OFFICE = re.compile(
    r"^(?P<county>.{2,12}?(?:自治县|县|区|市))(?:人民政府办公室|政府办公室|政府办|人民政府局|人民政府|政府)$"
)
_SPACE = re.compile(r"[\s\u3000]+")
_CLEARING = re.compile(r"^市(?:政府|政务)?(?:政务)?信息(?:化)?(?:办|办公室|中心)$")


def short_name(name: str) -> str:
    """商州区 -> 商州, 镇安县 -> 镇安, 商洛市 -> 商洛 (kept whole when that leaves one character)."""
    for suffix in ("自治县", "县", "区", "市"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def normalise(name: str, *, city: str = "", counties: Sequence[str] = ()) -> str:
    """One written form for a unit's name. ``city`` is the city's official name (商洛市), which
    becomes 市; ``counties`` its counties' official names, whose short forms become full ones.
    Several units in one cell ("市城管局 市交警支队") count as the first."""
    value = _SPACE.split((name or "").strip())[0] if (name or "").strip() else ""
    value = value.replace("（", "(").replace("）", ")")
    if city:
        short = short_name(city)
        if value.startswith(city):
            value = "市" + value[len(city) :]
        elif value.startswith(short) and not any(value.startswith(c) for c in counties):
            value = "市" + value[len(short) :]
    if value.startswith("市市"):
        value = value[1:]
    for county in counties:
        short = short_name(county)
        if value.startswith(short) and not value.startswith(county):
            value = county + value[len(short) :]
    for word in sorted(ABBREVIATIONS, key=len, reverse=True):
        if word in value and ABBREVIATIONS[word] not in value:
            value = value.replace(word, ABBREVIATIONS[word])
            break
    office = _COUNTY_OFFICE.match(value)
    if office and office.group("county") != "市":
        value = f"{office.group('county')}人民政府办公室"
    elif value in counties:  # a county alone stands for its government's office
        value = f"{value}人民政府办公室"
    if value and not value.startswith("市") and any(value.startswith(w) for w in ("信息", "政务信息")):
        value = "市" + value
    if _CLEARING.match(value):
        value = "市信息办"
    if value and city and value[0] not in "市" and not any(value.startswith(c) for c in counties):
        # "人社局": a body named without its place is the city's
        if value.endswith(("局", "委员会", "办公室", "中心", "支队")) and len(value) <= 12:
            value = "市" + value
    return value


@dataclass(frozen=True)
class Match:
    name: str  # as written
    unit: str | None  # the unit's key (its code) when matched
    how: str  # "exact", "alias", "normalised", "fuzzy" (needs a person's confirmation) or "none"
    score: float = 100.0


def match(
    names: Iterable[str],
    units: dict[str, str],
    *,
    aliases: dict[str, str] | None = None,
    city: str = "",
    counties: Sequence[str] = (),
    fuzzy_at: float = 85.0,
) -> list[Match]:
    """Each distinct name matched to ``units`` (code -> official name): exactly, through a kept
    alias (alias -> code), after ``normalise`` on both sides, or by fuzzy similarity (rapidfuzz)
    at ``fuzzy_at`` or above — a fuzzy match is only a proposal for a person to confirm. Names
    that match nothing come back with ``how="none"``: listed, never dropped."""
    from rapidfuzz import fuzz, process

    aliases = aliases or {}
    by_name = {name: code for code, name in units.items()}
    by_norm = {normalise(name, city=city, counties=counties): code for code, name in units.items()}
    choices = list(by_norm)
    out = []
    for name in dict.fromkeys(n.strip() for n in names):
        if name in by_name:
            out.append(Match(name, by_name[name], "exact"))
        elif name in aliases:
            out.append(Match(name, aliases[name], "alias"))
        elif (norm := normalise(name, city=city, counties=counties)) in by_norm:
            out.append(Match(name, by_norm[norm], "normalised"))
        else:
            best = process.extractOne(norm, choices, scorer=fuzz.ratio) if choices and norm else None
            if best is not None and best[1] >= fuzzy_at:
                out.append(Match(name, by_norm[best[0]], "fuzzy", round(float(best[1]), 1)))
            else:
                out.append(Match(name, None, "none", round(float(best[1]), 1) if best else 0.0))
    return out
