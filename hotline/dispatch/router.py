"""From (matter, place) to the unit that owns it: the catalogue's owner level, the units' functions
and regions. No unit or district name appears here; routing is data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hotline.catalog.models import Matter, OwnerLevel
from hotline.caching import ProcessCache
from hotline.orgs.models import Region, Unit, UnitFunction


@dataclass(frozen=True)
class Route:
    unit: Unit | None
    reason: str


@dataclass
class _UnitIndex:
    # (kind, function code, region code) -> units
    by_key: dict[tuple[str, str, str], list[Unit]] = field(default_factory=dict)
    township_office: dict[str, Unit] = field(default_factory=dict)


def _load_index() -> _UnitIndex:
    idx = _UnitIndex()
    links = UnitFunction.objects.filter(unit__is_active=True).select_related("unit").order_by("-lead", "unit__code")
    for link in links:
        unit = link.unit
        # Leading units come first in each list, so they are the ones routed to.
        idx.by_key.setdefault((unit.kind, link.function_id, unit.region_id), []).append(unit)
    for unit in Unit.objects.filter(is_active=True, kind=Unit.Kind.TOWNSHIP):
        idx.township_office[unit.region_id] = unit
    return idx


_index = ProcessCache(_load_index)


def clear_cache() -> None:
    _index.clear_now_and_on_commit()


def _first(idx: _UnitIndex, kind: str, function: str, region: str | None) -> Unit | None:
    units = idx.by_key.get((kind, function, region or ""), [])
    return units[0] if units else None


def route(matter: Matter | None, region: Region | None) -> Route:
    """The lead unit for a matter at a place, or no unit with the reason why."""
    if matter is None or not matter.is_leaf or matter.function_id is None:
        return Route(None, "no leaf matter")
    idx = _index.get()
    chain = region.ancestors() if region is not None else []
    township = next((r for r in chain if r.level == Region.Level.TOWNSHIP), None)
    district = next((r for r in chain if r.level == Region.Level.DISTRICT), None)
    city = next((r for r in chain if r.level == Region.Level.CITY), None)
    function = matter.function_id
    level = matter.owner_level
    if level == OwnerLevel.TOWNSHIP:
        # Township matters go straight to the street office (直派乡镇街道) once the place is known.
        if township is not None and township.code in idx.township_office:
            return Route(idx.township_office[township.code], "township matter, township known")
        if district is not None:
            unit = _first(idx, Unit.Kind.DISTRICT_DEPT, function, district.code)
            if unit:
                return Route(unit, "township matter, only the district known")
        return Route(None, "township matter, place unknown")
    if level == OwnerLevel.DISTRICT_DEPT:
        if district is not None:
            unit = _first(idx, Unit.Kind.DISTRICT_DEPT, function, district.code)
            if unit:
                return Route(unit, "district department of the place")
        unit = _first(idx, Unit.Kind.CITY_DEPT, function, city.code if city else _city_code(idx))
        return Route(unit, "district matter, no district known: city department") if unit else Route(None, "no unit")
    if level == OwnerLevel.ENTERPRISE:
        for place in (district, city):
            if place is not None:
                unit = _first(idx, Unit.Kind.ENTERPRISE, function, place.code)
                if unit:
                    return Route(unit, "enterprise serving the place")
        unit = _first(idx, Unit.Kind.ENTERPRISE, function, _city_code(idx))
        return Route(unit, "city-wide enterprise") if unit else Route(None, "no enterprise")
    # City departments: never pushed down to a street office.
    unit = _first(idx, Unit.Kind.CITY_DEPT, function, city.code if city else _city_code(idx))
    return Route(unit, "city department") if unit else Route(None, "no city department carries the function")


def _city_code(idx: _UnitIndex) -> str:
    for kind, _function, region in idx.by_key:
        if kind == Unit.Kind.CENTRE:
            return region
    return ""
