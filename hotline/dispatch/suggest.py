"""一派到位: what the machine proposes for a request — the matter, the place and the unit — with
how sure it is and why. The one function the operator console and the dispatcher queue call.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from hotline.caching import ProcessCache
from hotline.catalog.models import Matter
from hotline.orgs.models import Region, Unit

from . import router, store, unitrouter
from .classifier import Prediction
from .locate import PlaceGuess, locate


@dataclass(frozen=True)
class Candidate:
    matter: Matter | None  # the catalogue leaf (None when the model's label is not in the catalogue)
    label: str  # the model's label (a matter code for catalogue-trained models)
    region: Region | None
    unit: Unit | None
    confidence: float  # matter confidence × place confidence (place counts only for township matters)
    matter_confidence: float
    words: tuple[str, ...]  # the request's words that drove the matter
    reasons: tuple[str, ...]  # for people, in the active language


@dataclass(frozen=True)
class LearnedUnit:
    unit: Unit
    confidence: float
    reason: str  # in the active language: "该地同类诉求 12 件由海湖供热公司办结"


@dataclass(frozen=True)
class Suggestions:
    candidates: tuple[Candidate, ...]  # at most three, best first
    place: PlaceGuess
    unsure: bool  # True: a dispatcher must decide; False: confident enough to dispatch alone
    reason: str  # why unsure (empty when sure)
    threshold: float  # the auto-dispatch threshold applied
    model_version: int | None = None
    fallback: Matter | None = None  # a higher-level matter the model is sure of when the leaf is unsure
    extra: dict = field(default_factory=dict)
    # Where history says requests like this went (the unit router), best first, and which of
    # history and the catalogue's rule decided the best candidate's unit.
    learned: tuple[LearnedUnit, ...] = ()
    decided_by: str = ""  # "history", "catalogue", "both" or "" (no unit router yet)

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    @property
    def decided_label(self) -> str:
        """Which of history and the catalogue's rule chose the best candidate's unit, in words."""
        return {
            "history": _("History decided the unit"),
            "catalogue": _("The catalogue's rule decided the unit"),
            "both": _("History and the catalogue's rule agree"),
        }.get(self.decided_by, "")

    @property
    def shown(self) -> tuple[Candidate, ...]:
        """The candidates worth showing a person: at or above ``SHOW_FLOOR``."""
        return tuple(c for c in self.candidates if c.confidence >= SHOW_FLOOR)


def _matters() -> dict[str, Matter]:
    by_key: dict[str, Matter] = {}
    for matter in Matter.objects.filter(is_active=True).select_related("function"):
        for key in (matter.name, matter.path, matter.code):  # codes win over paths over names
            if key:
                by_key[key] = matter
    return by_key


_matter_index = ProcessCache(_matters)


def threshold(model_threshold: float) -> float:
    """The centre's auto-dispatch threshold (HOTLINE_AUTO_DISPATCH_CONFIDENCE), or, when unset,
    the one at which the model reached 97% precision on held-out folds."""
    configured = settings.HOTLINE.get("AUTO_DISPATCH_CONFIDENCE")
    return float(configured) if configured is not None else max(0.5, model_threshold)


def suggest(
    text: str, address: str = "", coords: tuple[float, float] | None = None, *, explain: bool = True
) -> Suggestions:
    """Top three (matter, region, unit) for a request, with confidence, reasons and an unsure flag.

    ``coords`` (latitude, longitude) is accepted from channels that send it; the gazetteer has no
    coordinates yet, so it does not change the answer today. ``explain=False`` skips finding the
    words behind each matter (bulk use).
    """
    return suggest_many([(text, address)], explain=explain)[0]


def suggest_many(requests: Sequence[tuple[str, str]], *, explain: bool = False) -> list[Suggestions]:
    """``suggest`` for many (text, address) pairs at once: one pass of the model over all texts,
    several times faster per request than one call each (bulk loads, the demo simulator)."""
    version, model = store.active()
    places = [locate(address, text=text) for text, address in requests]
    if model is None:
        return [Suggestions((), place, True, _("No classifier has been trained yet."), 1.0) for place in places]
    predictions = model.predict([text for text, _a in requests], explain=explain)
    limit = threshold(model.threshold)
    results = [
        _suggestions(p, place, version, limit, text=text if explain else "")
        for p, place, (text, _a) in zip(predictions, places, requests)
    ]
    return _with_history(results, requests)


def _units() -> dict[str, Unit]:
    return {u.code: u for u in Unit.objects.filter(is_active=True).select_related("region")}


_unit_index = ProcessCache(_units)


def clear_cache() -> None:
    """Forget the matters and units read for suggestions (after the catalogue or the units change)."""
    _matter_index.clear_now_and_on_commit()
    _unit_index.clear_now_and_on_commit()


def _place_name(token: str) -> str:
    kind, _sep, value = token.partition(":")
    if kind == "place":
        return value
    region = Region.objects.filter(code=value).only("name").first()
    return region.name if region else value


def _history_reason(guess: unitrouter.UnitGuess, unit: Unit, nearest: int) -> str:
    if guess.place and guess.place_count:
        text = _("%(n)d earlier requests at %(place)s were handled by %(unit)s") % {
            "n": guess.place_count,
            "place": _place_name(guess.place),
            "unit": unit.name,
        }
    elif guess.similar:
        text = _("%(n)d of the %(k)d most similar earlier requests were handled by %(unit)s") % {
            "n": guess.similar,
            "k": nearest,
            "unit": unit.name,
        }
    else:
        text = _("%(unit)s handled %(n)d earlier requests") % {"unit": unit.name, "n": guess.support}
    if guess.returned:
        text += _("; it sent back similar requests")
    return text


def _with_history(results: list[Suggestions], requests: Sequence[tuple[str, str]]) -> list[Suggestions]:
    """Join the unit router's view to the catalogue's: the learnt units with their reasons, and,
    when history decides, the best candidate goes to history's unit (auto-dispatched only when
    history is as sure as its own grouped-fold threshold)."""
    learnt = store.unit_router()
    if not isinstance(learnt, unitrouter.UnitRouter):
        return results
    units = _unit_index.get()
    tokens = []
    for result, (_text, address) in zip(results, requests):
        region = result.place.stored
        tokens.append(
            unitrouter.place_tokens(
                region.code if region else None,
                region.level if region else None,
                region.parent_id if region else None,
                address,
            )
        )
    guesses = learnt.predict([text for text, _a in requests], tokens)
    out = []
    for result, found in zip(results, guesses):
        found = tuple(g for g in found if g.unit in units)
        best = result.best
        catalogue = best.unit.code if best is not None and best.unit is not None else None
        decision = unitrouter.decide(found, catalogue, n_train=learnt.n_train, min_rows=learnt.min_rows)
        learned = tuple(
            LearnedUnit(units[g.unit], g.confidence, _history_reason(g, units[g.unit], unitrouter.NEIGHBOURS))
            for g in found
        )
        candidates, unsure, reason = result.candidates, result.unsure, result.reason
        if decision.decided_by == "history" and best is not None and decision.unit in units:
            first = learned[0]
            candidates = (
                dataclasses.replace(best, unit=first.unit, reasons=(*best.reasons, first.reason)),
                *candidates[1:],
            )
            if first.confidence < learnt.threshold:
                unsure = True
                reason = reason or _("History and the catalogue disagree: a dispatcher decides.")
        out.append(
            dataclasses.replace(
                result,
                candidates=candidates,
                unsure=unsure,
                reason=reason if unsure else "",
                learned=learned,
                decided_by=decision.decided_by,
            )
        )
    return out


# Words of a request that say how people ask, not what about: never shown as evidence.
_NOT_EVIDENCE = frozenset(
    "来电 来电人 反映 市民 网民 留言 希望 尽快 处理 相关 部门 请求 要求 问题 情况 一下 你好 您好".split()
)


def evidence(text: str, fragments: Sequence[str], matter: Matter | None) -> tuple[str, ...]:
    """Whole words of the request behind a matter (m5): the catalogue's own words for the matter
    that the request uses, then the request's words (jieba) that hold one of the model's character
    n-grams. The n-grams alone ("行很", "电反") cut across words and mean nothing to a person."""
    if not text:
        return tuple(fragments)
    import jieba

    jieba.setLogLevel(60)
    found: list[str] = []
    if matter is not None:
        found += [w for w in (matter.name, *matter.keyword_list()) if len(w) >= 2 and w in text]
    pieces = [f for f in fragments if f.strip()]
    for word in jieba.lcut(text):
        if len(word) < 2 or word in _NOT_EVIDENCE or not any(f in word or word in f for f in pieces):
            continue
        if not any(word in k or k in word for k in found):
            found.append(word)
    return tuple(found[:5])


# Candidates below this confidence are not worth a person's attention (m5): the panels leave them out.
SHOW_FLOOR = 0.05


def _suggestions(
    prediction: Prediction, place: PlaceGuess, version: int | None, limit: float, *, text: str = ""
) -> Suggestions:
    matters = _matter_index.get()
    candidates = []
    for guess in prediction.guesses:
        matter = matters.get(guess.label)
        route = router.route(matter, place.region) if matter is not None else router.Route(None, "no leaf matter")
        needs_place = matter is not None and matter.owner_level == "township"
        confidence = guess.confidence * (place.confidence if needs_place else 1.0)
        words = evidence(text, guess.words, matter) if guess.words else ()
        # One confidence is shown (m5): the candidate's own, which the badge shows too; the reason
        # says what it is made of instead of a second number.
        reasons = [
            _("Matter %(matter)s, from the words: %(words)s")
            % {"matter": matter.path if matter else guess.label, "words": "、".join(words) or "—"},
            place.reason,
            _route_reason(route),
        ]
        candidates.append(
            Candidate(
                matter=matter,
                label=guess.label,
                region=place.region,
                unit=route.unit,
                confidence=round(confidence, 4),
                matter_confidence=round(guess.confidence, 4),
                words=words,
                reasons=tuple(r for r in reasons if r),
            )
        )
    candidates.sort(key=lambda c: -c.confidence)
    best = candidates[0] if candidates else None
    reason = prediction.reason
    if best is not None and not prediction.unsure:
        if best.unit is None:
            reason = _("No unit found for the matter at this place.")
        elif best.confidence < limit:
            reason = _("The place is not sure enough for this matter.")
    fallback = matters.get(prediction.fallback.label) if prediction.fallback else None
    unsure = best is None or best.unit is None or best.confidence < limit
    return Suggestions(
        tuple(candidates[:3]),
        place,
        unsure,
        reason if unsure else "",
        limit,
        version,
        fallback,
    )


_ROUTE_REASONS = {
    "township matter, township known": lambda: _("A township matter: the street office of the place."),
    "township matter, only the district known": lambda: _("A township matter, only the district known."),
    "township matter, place unknown": lambda: _("A township matter, but the place is unknown."),
    "district department of the place": lambda: _("A district matter: the district department of the place."),
    "district matter, no district known: city department": lambda: _(
        "A district matter, no district known: the city department."
    ),
    "enterprise serving the place": lambda: _("The enterprise serving the place."),
    "city-wide enterprise": lambda: _("The city-wide enterprise."),
    "city department": lambda: _("A city matter: the city department, never a street office."),
    "no leaf matter": lambda: _("The label is not a matter of the catalogue."),
}


def _route_reason(route: router.Route) -> str:
    make = _ROUTE_REASONS.get(route.reason)
    return make() if make else _("No unit carries this matter here.")
