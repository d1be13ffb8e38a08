"""Finding the place a request is about from address text: the region tree and its aliases.

This is the small, exact part: official names, everyday aliases, and names of other cities and
provinces (an address there is outside the centre's area). Gazetteers of roads and estates and
what dispatch history teaches come on top of it in ``hotline.dispatch``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from hotline.caching import ProcessCache
from hotline.tabular import divisions_json

from .models import Region


@dataclass(frozen=True)
class PlaceMatch:
    region: Region | None
    outside: str = ""  # the other city or province named, when the address is not ours


@dataclass(frozen=True)
class _Index:
    names: tuple[tuple[str, str], ...]  # (name, region code), longest first
    regions: dict[str, Region]


def _load_index() -> _Index:
    regions = {
        r.code: r for r in Region.objects.filter(level__in=["city", "district", "township"]).select_related("parent")
    }
    names = [(name, region.code) for region in regions.values() for name in [region.name, *region.alias_list()]]
    names.sort(key=lambda pair: -len(pair[0]))
    return _Index(names=tuple(names), regions=regions)


_index = ProcessCache(_load_index)


def clear_cache() -> None:
    _index.clear_now_and_on_commit()


@functools.lru_cache(maxsize=1)
def _other_places() -> tuple[str, ...]:
    """Full names of China's provinces and prefectures other than our own province's capital."""
    raw = divisions_json()
    own = {r.name for r in Region.objects.filter(level__in=["city", "province"])}
    names = {row[3] for row in raw["divisions"] if row[0] in (1, 2) and row[3] not in own}
    names.discard("青海省")
    return tuple(sorted(names, key=len, reverse=True))


_ROAD_SUFFIX = re.compile(r"^(?:路|街|大街|大道|巷|小区|广场|市场)")


def resolve(text: str) -> PlaceMatch:
    """The most specific of our regions named in ``text``, or the other place it names."""
    if not text:
        return PlaceMatch(None)
    idx = _index.get()
    found: list[Region] = []
    for name, code in idx.names:
        pos = text.find(name)
        if pos >= 0 and not _ROAD_SUFFIX.match(text[pos + len(name) :]):
            found.append(idx.regions[code])
    if not found:
        for other in _other_places():
            pos = text.find(other)
            if pos >= 0 and not _ROAD_SUFFIX.match(text[pos + len(other) :]):
                return PlaceMatch(None, outside=other)
        return PlaceMatch(None)
    order = {"township": 0, "district": 1, "city": 2}
    found.sort(key=lambda r: order.get(r.level, 3))
    best = found[0]
    if best.level == "township":
        # 城关镇 exists in two counties: trust a township only when no named district contradicts it.
        districts = {r.code for r in found if r.level == "district"}
        same_name = [r for r in found if r.level == "township" and r.name == best.name]
        if districts:
            agreeing = [r for r in same_name if r.parent_id in districts]
            if agreeing:
                return PlaceMatch(agreeing[0])
            return PlaceMatch(next(r for r in found if r.level == "district"))
        if len({r.code for r in same_name}) > 1:
            return PlaceMatch(None)
    return PlaceMatch(best)


_NUMBER_TAIL = re.compile(r"\d+(?:号楼|号院|号|栋|单元|室|楼)?.*$")


def place_key(address: str) -> str:
    """The place an address is about, without the region names in front and the house number
    behind: "城东区东关大街街道东关大街12号" and "东关大街3号" are both "东关大街". Used to find
    repeat complaints about one place whichever way the caller put it."""
    text = re.sub(r"\s+", "", address or "")
    names = _index.get().names
    changed = True
    while changed and text:
        changed = False
        for name, _code in names:
            if len(name) >= 2 and text.startswith(name) and len(text) > len(name):
                text = text[len(name) :]
                changed = True
                break
    return _NUMBER_TAIL.sub("", text) or text
