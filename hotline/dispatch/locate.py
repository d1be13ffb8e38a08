"""From address text to a township: region names and their everyday forms (``orgs.places``), the
gazetteer of roads, estates and landmarks the centre keeps, what dispatch history taught, and
one-character typos. Says when it is unsure instead of guessing.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from hotline.caching import ProcessCache
from hotline.orgs import places
from hotline.orgs.models import Region
from hotline.tabular import Source, field_caps, over_caps, package_table, read_table

from .classifier import clean
from .models import GazetteerEntry

SURE = 0.9  # a township found at or above this confidence is not "unsure"


@dataclass(frozen=True)
class PlaceGuess:
    region: Region | None
    confidence: float
    reason: str
    outside: str = ""  # the other city or province named
    # The district the place lies in when that much is sure, even if the township is not (a road
    # name two townships of one district share).
    district: Region | None = None

    @property
    def stored(self) -> Region | None:
        """The place a ticket keeps (M2): the township when it is sure, else the district when that
        is sure, else the city when only the city is named, else nothing."""
        if self.outside or self.region is None:
            return None
        if self.region.level == Region.Level.TOWNSHIP:
            return self.region if self.confidence >= SURE else self.district
        return self.region

    @property
    def unsure(self) -> bool:
        if self.outside:
            return False
        return self.region is None or self.region.level != Region.Level.TOWNSHIP or self.confidence < SURE


@dataclass(frozen=True)
class _Gazetteer:
    # name -> [(township code, weight)]; weight: centre entries count more than learnt ones
    names: dict[str, list[tuple[str, float]]]
    by_first: dict[str, list[str]]  # first two characters -> names, longest first
    regions: dict[str, Region]
    fuzzy: dict[str, list[str]]  # name with one character deleted -> names (typo lookup)
    fuzzy_targets: dict[str, str]  # a typo-matchable name -> its region code or "" for a gazetteer name


def _load() -> _Gazetteer:
    # Parents loaded with the regions: routing walks up the chain for every suggestion.
    regions = {
        r.code: r
        for r in Region.objects.filter(level__in=["city", "district", "township"]).select_related(
            "parent__parent__parent"
        )
    }
    names: dict[str, list[tuple[str, float]]] = {}
    for entry in GazetteerEntry.objects.all():
        weight = 1.0 if entry.source == GazetteerEntry.Source.CENTRE else min(0.9, 0.5 + entry.hits / 50)
        for name in entry.names():
            names.setdefault(name, []).append((entry.region_id, weight))
    by_first: dict[str, list[str]] = {}
    for name in sorted(names, key=len, reverse=True):
        if len(name) >= 2:
            by_first.setdefault(name[:2], []).append(name)
    targets: dict[str, str] = {}
    for region in regions.values():
        for name in [region.name, *region.alias_list()]:
            if len(name) >= 3:
                targets[name] = region.code
    for name in names:
        if len(name) >= 4:
            targets.setdefault(name, "")
    fuzzy: dict[str, list[str]] = {}
    for name in targets:
        for i in range(len(name)):
            fuzzy.setdefault(name[:i] + name[i + 1 :], []).append(name)
    return _Gazetteer(names, by_first, regions, fuzzy, targets)


_index = ProcessCache(_load)


def clear_cache() -> None:
    _index.clear_now_and_on_commit()


def _gazetteer_hits(text: str, gaz: _Gazetteer) -> list[str]:
    """Names found in the text, longest first, not overlapping."""
    taken = [False] * len(text)
    found = []
    candidates = {n for i in range(len(text) - 1) for n in gaz.by_first.get(text[i : i + 2], ())}
    for name in sorted(candidates, key=len, reverse=True):
        start = text.find(name)
        while start >= 0:
            if not any(taken[start : start + len(name)]):
                taken[start : start + len(name)] = [True] * len(name)
                found.append(name)
                break
            start = text.find(name, start + 1)
    return found


def _typo(text: str, gaz: _Gazetteer) -> tuple[str, str] | None:
    """A name the text writes with one character wrong, missing or extra: (as written, name).
    Only an unambiguous reading counts."""
    for length in range(min(len(text), 12), 2, -1):
        found: set[str] = set()
        for i in range(len(text) - length + 1):
            window = text[i : i + length]
            deletions = {window[:k] + window[k + 1 :] for k in range(length)}
            found.update(gaz.fuzzy.get(window, ()))  # a character missing
            for variant in deletions:
                found.update(n for n in gaz.fuzzy.get(variant, ()) if len(n) == length)  # one wrong
                if variant in gaz.fuzzy_targets:
                    found.add(variant)  # one extra
            if found:
                found.discard(window)
                if len(found) == 1:
                    return window, found.pop()
                if found:
                    return None
    return None


def locate(address: str, *, text: str = "") -> PlaceGuess:
    """The township (or the district, or nothing) that an address — or, without one, the request
    text — is about, with a confidence and the reason in words."""
    source = (clean(address) or clean(text))[:200]  # an address is short; a huge one is junk past here
    if not source:
        return PlaceGuess(None, 0.0, _("No address given."))
    gaz = _index.get()
    named = places.resolve(source)
    if named.outside:
        return PlaceGuess(
            None,
            0.95,
            _("The address is in %(place)s, outside the city.") % {"place": named.outside},
            outside=named.outside,
        )
    region = gaz.regions.get(named.region.code, named.region) if named.region is not None else None
    if region is not None and region.level == Region.Level.TOWNSHIP:
        return PlaceGuess(
            region, 0.97, _("The address names %(region)s.") % {"region": region.name}, district=region.parent
        )
    district = region if region is not None and region.level == Region.Level.DISTRICT else None
    hits = _gazetteer_hits(source, gaz)
    votes: Counter[str] = Counter()
    for name in hits:
        for code, weight in gaz.names[name]:
            votes[code] += weight * len(name)  # type: ignore[assignment]  # a Counter adds floats; typeshed says int
    if district is not None:
        agreeing = Counter({c: v for c, v in votes.items() if gaz.regions[c].parent_id == district.code})
        if agreeing:
            votes = agreeing
        elif votes:
            return PlaceGuess(
                district,
                0.6,
                _("%(name)s is not in %(district)s: only the district is sure.")
                % {"name": hits[0], "district": district.name},
                district=district,
            )
    if votes:
        (best, score), *rest = votes.most_common()
        share = score / sum(votes.values())
        township = gaz.regions[best]
        weight = max(w for name in hits for code, w in gaz.names[name] if code == best)
        confidence = round(min(0.95, share * weight * (0.95 if district or len(hits) > 1 else 0.92)), 3)
        name = next(n for n in hits if any(c == best for c, _w in gaz.names[n]))
        parents = {gaz.regions[c].parent_id for c in votes}
        return PlaceGuess(
            township,
            confidence,
            _("%(name)s lies in %(township)s.") % {"name": name, "township": township.name}
            if share > 0.99
            else _("%(name)s lies in %(township)s, but the name is also used elsewhere.")
            % {"name": name, "township": township.name},
            district=township.parent if len(parents) == 1 else None,
        )
    if district is not None:
        return PlaceGuess(
            district,
            0.6,
            _("Only the district is known: %(district)s.") % {"district": district.name},
            district=district,
        )
    if region is not None:  # the city itself
        return PlaceGuess(region, 0.3, _("Only the city is named."))
    typo = _typo(source, gaz)
    if typo is not None:
        written, name = typo
        code = gaz.fuzzy_targets[name]
        if code:
            target: Region | None = gaz.regions[code]
        else:
            owners = {c for c, _w in gaz.names[name]}
            target = gaz.regions[next(iter(owners))] if len(owners) == 1 else None
        if target is not None:
            return PlaceGuess(
                target,
                # one unambiguous reading of a name of three or more characters: as sure as a road
                SURE if target.level == Region.Level.TOWNSHIP else 0.6,
                _("Read %(written)s as %(name)s.") % {"written": written, "name": name},
                district=target.parent
                if target.level == Region.Level.TOWNSHIP
                else (target if target.level == Region.Level.DISTRICT else None),
            )
    return PlaceGuess(None, 0.0, _("No known place in the address."))


def place_of(address: str, text: str = "") -> Region | None:
    """The place to store on a ticket at registration (``PlaceGuess.stored``): every door's intake
    uses it through ``hotline.intake.services.use_place_finder``."""
    return locate(address, text=text).stored


# --- the gazetteer: import and learning ---------------------------------------------------------

KINDS = {choice.value for choice in GazetteerEntry.Kind}
HEADERS = {"乡镇街道": "township", "地名": "name", "类别": "kind", "别名": "aliases", "区县": "district"}


def import_gazetteer(source: Source) -> dict[str, int]:
    """Roads, estates and landmarks from a CSV or Excel file with columns ``township`` (code or
    name), ``name``, optional ``kind``, ``aliases`` (separated by |) and ``district`` (to tell
    apart two townships of one name). All rows are checked before any is written."""
    rows = read_table(source, required=["township", "name"], aliases=HEADERS)
    if not rows:
        raise ValidationError(_("The file has no rows."))
    townships = list(Region.objects.filter(level=Region.Level.TOWNSHIP).select_related("parent"))
    by_code = {r.code: r for r in townships}
    by_name: dict[str, list[Region]] = {}
    for r in townships:
        for name in [r.name, *r.alias_list()]:
            by_name.setdefault(name, []).append(r)
    errors, plan = [], []
    caps = field_caps(GazetteerEntry, "name", "aliases")
    for n, row in enumerate(rows, start=2):
        key, name = row.get("township", ""), row.get("name", "")
        # Over-long values are refused with their line, never stored past the column (L6).
        if long := over_caps([row], caps, first_line=n):
            errors += long
            continue
        kind = row.get("kind") or GazetteerEntry.Kind.ROAD
        if not name:
            errors.append(_("row %(n)d: no name") % {"n": n})
            continue
        if kind not in KINDS:
            errors.append(_("row %(n)d: unknown kind %(kind)s") % {"n": n, "kind": kind})
            continue
        found = [by_code[key]] if key in by_code else by_name.get(key, [])
        if len(found) > 1 and row.get("district"):
            found = [
                r for r in found if r.parent is not None and row["district"] in (r.parent.name, *r.parent.alias_list())
            ]
        if len(found) != 1:
            errors.append(
                (
                    _("row %(n)d: township %(t)s is unknown")
                    if not found
                    else _("row %(n)d: township %(t)s is ambiguous")
                )
                % {"n": n, "t": key}
            )
            continue
        plan.append((name, found[0], kind, row.get("aliases", "")))
    if errors:
        raise ValidationError(errors[:20])
    created = updated = 0
    with transaction.atomic():
        for name, region, kind, aliases in plan:
            _entry, new = GazetteerEntry.objects.update_or_create(
                name=name,
                region=region,
                defaults={"kind": kind, "aliases": aliases, "source": GazetteerEntry.Source.CENTRE},
            )
            created += new
            updated += not new
    clear_cache()
    return {"created": created, "updated": updated}


def seed_gazetteer() -> dict[str, int]:
    """The gazetteer shipped with the project (hotline/orgs/data/places.csv)."""
    import io

    rows = package_table("orgs", "places.csv", required=["township_code", "name", "kind"])
    buf = io.StringIO()
    buf.write("township,name,kind,aliases\n")
    for row in rows:
        buf.write(f"{row['township_code']},{row['name']},{row['kind']},{row.get('aliases', '')}\n")
    buf.seek(0)
    return import_gazetteer(buf)


_PLACE_NAME = re.compile(
    r"[\u4e00-\u9fff0-9]{1,10}?(?:大道|大街|路|街|巷|小区|花园|家园|公寓|广场|市场|新村|村)(?![\u4e00-\u9fff]{0,1}(?:街道))"
)


def learn_from_history(
    *, min_tickets: int = 3, agreement: float = 0.8, progress: Callable[[int], None] = lambda _n: None
) -> dict[str, int]:
    """Roads and estates that dispatch history places in one township (地名学习): addresses of
    tickets a township office handled, names seen at least ``min_tickets`` times and in one
    township at least ``agreement`` of the time. Centre entries are never overwritten."""
    from hotline.orgs.models import Unit
    from hotline.tickets.models import Assignment

    gaz = _index.get()
    region_names = sorted({n for r in gaz.regions.values() for n in [r.name, *r.alias_list()]}, key=len, reverse=True)
    seen: dict[str, Counter[str]] = {}
    rows = (
        Assignment.objects.filter(role=Assignment.Role.LEAD, unit__kind=Unit.Kind.TOWNSHIP, ticket__dispatch_count=1)
        .exclude(ticket__address="")
        .values_list("ticket__address", "unit__region_id")
        .iterator(chunk_size=2000)
    )
    for n, (address, township) in enumerate(rows, start=1):
        text = clean(address)
        for name in region_names:
            text = text.replace(name, "|")
        for piece in text.split("|"):
            for match in _PLACE_NAME.findall(piece):
                name = match.lstrip("0123456789")
                if len(name) >= 3 and name not in gaz.names:
                    seen.setdefault(name, Counter())[township] += 1
        if n % 1000 == 0:
            progress(1000)
    created = 0
    with transaction.atomic():
        for name, counts in seen.items():
            township, top = counts.most_common(1)[0]
            total = sum(counts.values())
            if total >= min_tickets and top / total >= agreement and len(name) <= 64:
                _entry, new = GazetteerEntry.objects.update_or_create(
                    name=name,
                    region_id=township,
                    defaults={"source": GazetteerEntry.Source.HISTORY, "hits": top, "kind": GazetteerEntry.Kind.ROAD},
                )
                created += new
    clear_cache()
    return {"learnt": created, "names_seen": len(seen)}
