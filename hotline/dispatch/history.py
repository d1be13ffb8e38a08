"""Evaluation on real history (``hotline dispatch eval-history``): train on requests before a
date, score those after it, three ways in one run — the learnt router, the catalogue's rule alone
and the text classifier alone — with the same figures for each.

A history file is a CSV or Excel table with the request's text (``text``, or ``title`` and
``query``), its date (``date`` or ``query_date``), optionally an ``address``, and the unit that
handled it (``unit`` or ``reply_agency``). Unit names are brought to one form with
``orgs.unitnames.normalise``; the places come from the city's division data (counties and
townships named in the text) and the road or estate names the text holds.

The catalogue's rule, without a catalogue for a city we only have history of, is the rule the
catalogue applies, read from the unit table itself: a unit whose name's function words the request
uses (公安, 教育, 医疗保障…), the county's office for a request naming one county, otherwise the
city's clearing office (the unit that handled most requests). It learns nothing from texts.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from hotline.orgs.unitnames import normalise, short_name
from hotline.tabular import Source, divisions_json, read_table

from . import classifier, unitrouter
from .unitrouter import Example


@dataclass(frozen=True)
class Places:
    """The city's counties and townships, to find the place tokens of a text."""

    city: str
    counties: dict[str, str]  # name -> code
    townships: dict[str, str]  # short name (no 镇/乡/街道) -> code

    def tokens(self, text: str) -> tuple[str, ...]:
        """County, then township, then road/estate tokens (most specific last)."""
        found: list[str] = []
        for name, code in self.counties.items():
            if name in text or short_name(name) in text:
                found.append(f"county:{code}")
        for name, code in self.townships.items():
            if name in text:
                found.append(f"township:{code}")
        found += [f"place:{name}" for name in unitrouter.estate_names(text)]
        return tuple(found)


def city_places(division: str) -> Places:
    rows = divisions_json()["divisions"]
    city = next((r for r in rows if r[1] == division and r[0] == 2), None)
    if city is None:
        raise ValidationError(_("Unknown city code %(code)s") % {"code": division})
    counties = {r[3]: r[1] for r in rows if r[0] == 3 and r[2] == division}
    townships = {}
    for r in rows:
        if r[0] == 4 and r[2] in counties.values():
            short = re.sub(r"(街道办事处|街道|镇|乡)$", "", r[3])
            if len(short) >= 2:
                townships[short] = r[1]
    return Places(city[3], counties, townships)


_TEXT = (("text",), ("title", "query"), ("content",))
_DATE = ("date", "query_date", "received_at")
_UNIT = ("unit", "reply_agency", "handling_unit")


@dataclass(frozen=True)
class Row:
    text: str
    date: dt.date | None
    unit: str  # normalised
    raw_unit: str
    places: tuple[str, ...]


def read_history(source: Source, places: Places) -> list[Row]:
    """The file's rows; one clear error when its columns are not a history's."""
    table = read_table(source, required=[])
    if not table:
        raise ValidationError(_("The history file has no rows."))
    header = set(table[0])
    text_cols = next((cols for cols in _TEXT if set(cols) <= header), None)
    date_col = next((c for c in _DATE if c in header), None)
    unit_col = next((c for c in _UNIT if c in header), None)
    if text_cols is None or date_col is None or unit_col is None:
        raise ValidationError(
            _("A history file needs a text (text, or title and query), a date and a unit column; found: %(cols)s")
            % {"cols": ", ".join(sorted(header))}
        )
    counties = list(places.counties)
    out = []
    for row in table:
        text = "。".join(row[c] for c in text_cols if row[c])
        address = row.get("address", "")
        raw = row[unit_col]
        try:
            date = dt.date.fromisoformat(row[date_col][:10]) if row[date_col] else None
        except ValueError:
            date = None
        out.append(
            Row(
                text=text,
                date=date,
                unit=normalise(raw, city=places.city, counties=counties),
                raw_unit=raw,
                places=places.tokens(f"{address} {text}"),
            )
        )
    return out


# --- the catalogue's rule, read from the unit names --------------------------------------------

_GENERIC = re.compile(
    r"(人民政府|办公室|管理|事业|工作|委员会|分公司|有限公司|集团|中心|支队|大队|局|处|办|所|站|厅|县|区|市)"
)


def _function_words(unit: str, places: Places) -> list[str]:
    core = unit
    for name in [places.city, *places.counties]:
        core = core.replace(name, "")
    core = core.lstrip("市")
    words = [w for w in _GENERIC.split(core) if w and not _GENERIC.fullmatch(w)]
    out = []
    for word in words:
        for part in re.split(r"[和与及()（）]", word):
            if len(part) >= 2:
                out.append(part)
    return out


@dataclass
class CatalogueRule:
    hub: str
    county_office: dict[str, str]  # county code -> unit
    functions: list[tuple[str, str, str | None]]  # (word, unit, county code of the unit or None)

    def predict(self, text: str, tokens: Sequence[str]) -> tuple[str, float]:
        counties = [t.split(":", 1)[1] for t in tokens if t.startswith("county:")]
        county = counties[0] if len(counties) == 1 else None
        hits = [(w, u, c) for w, u, c in self.functions if w in text and (c is None or c == county)]
        if hits:
            # the county's own body before the city's; the longest word first
            hits.sort(key=lambda h: (h[2] is None, -len(h[0])))
            return hits[0][1], 0.9
        if county and county in self.county_office:
            return self.county_office[county], 0.6
        return self.hub, 0.3


def catalogue_rule(units: Sequence[str], places: Places) -> CatalogueRule:
    counts = Counter(units)
    hub = counts.most_common(1)[0][0]
    county_office = {}
    functions = []
    for unit in counts:
        county = next((code for name, code in places.counties.items() if unit.startswith(name)), None)
        if county and unit == f"{next(n for n, c in places.counties.items() if c == county)}人民政府办公室":
            county_office[county] = unit
            continue
        for word in _function_words(unit, places):
            functions.append((word, unit, county))
    return CatalogueRule(hub, county_office, functions)


# --- the three rows -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Scores:
    name: str
    n: int
    top1: float
    top3: float
    macro_f1: float
    coverage: float  # at 97% precision, best threshold on the test rows
    threshold: float | None = None  # chosen on training folds (learnt router)
    held_out: tuple[float, float] | None = None  # (coverage, precision) at that threshold on the test rows

    def line(self) -> str:
        extra = ""
        if self.threshold is not None and self.held_out is not None:
            extra = (
                f"  threshold {self.threshold:.3f} (grouped folds): held-out coverage {self.held_out[0]:.3f}"
                f" precision {self.held_out[1]:.3f}"
            )
        return (
            f"{self.name:<16} n={self.n:<5} top-1 {self.top1:.3f}  top-3 {self.top3:.3f}  "
            f"macro-F1 {self.macro_f1:.3f}  coverage@97% {self.coverage:.3f}{extra}"
        )


def _score(
    name: str, truth: Sequence[str], ranked: Sequence[Sequence[str]], confidence: np.ndarray, **extra: object
) -> Scores:
    from sklearn.metrics import f1_score

    y = np.array(truth)
    top1 = np.array([r[0] if r else "" for r in ranked])
    right = top1 == y
    _t, coverage = classifier.threshold_for(confidence, right, 0.97)
    return Scores(
        name=name,
        n=len(y),
        top1=float(right.mean()),
        top3=float(np.mean([t in r[:3] for t, r in zip(truth, ranked)])),
        macro_f1=float(f1_score(y, top1, labels=sorted(set(y)), average="macro", zero_division=0)),
        coverage=coverage,
        **extra,  # type: ignore[arg-type]
    )


@dataclass(frozen=True)
class Report:
    split: dt.date
    n_train: int
    n_test: int
    n_units: int
    largest: tuple[str, float]  # the unit that handled most training requests, its share of the test
    rows: tuple[Scores, ...]
    ungrouped_threshold: tuple[float, float, float] | None = None  # (threshold, held-out coverage, precision)


def evaluate(
    rows: Sequence[Row], split: dt.date, *, places: Places, max_train: int | None = None, seed: int = 0
) -> Report:
    train = [r for r in rows if r.date is not None and r.date < split and r.unit]
    test = [r for r in rows if r.date is not None and r.date >= split and r.unit]
    if max_train is not None and len(train) > max_train:
        rng = np.random.default_rng(seed)
        train = [train[i] for i in sorted(rng.choice(len(train), max_train, replace=False))]
    if len(train) < 20 or not test:
        raise ValidationError(
            _("Too little history on one side of %(date)s: %(train)d rows before, %(test)d after.")
            % {"date": split.isoformat(), "train": len(train), "test": len(test)}
        )
    # A unit seen once cannot be learnt (nor held out in a fold): it stays in the test as a miss.
    seen = Counter(r.unit for r in train)
    train = [r for r in train if seen[r.unit] >= 2]
    truth = [r.unit for r in test]
    largest = Counter(r.unit for r in train).most_common(1)[0][0]

    # The learnt router, joined with the catalogue's rule.
    rule = catalogue_rule([r.unit for r in train], places)
    examples = [Example(r.text, r.places, r.unit, r.date) for r in train]
    router = unitrouter.fit(examples)
    guesses = router.predict([r.text for r in test], [r.places for r in test])
    ranked, conf = [], []
    for r, g in zip(test, guesses):
        ruled, _c = rule.predict(r.text, r.places)
        decision = unitrouter.decide(g, ruled, n_train=router.n_train)
        order = (
            [decision.unit] + [x.unit for x in g if x.unit != decision.unit] if decision.unit else [x.unit for x in g]
        )
        ranked.append([u for u in order if u])
        conf.append(next((x.confidence for x in g if x.unit == decision.unit), 0.0))
    confidence = np.array(conf)
    right = np.array([r[0] == t if r else False for r, t in zip(ranked, truth)])
    auto = confidence >= router.threshold
    learnt = _score(
        "learnt router",
        truth,
        ranked,
        confidence,
        threshold=router.threshold,
        held_out=(float(auto.mean()), float(right[auto].mean()) if auto.any() else 0.0),
    )
    # The threshold as chosen before: folds that may split copies of a message.
    ungrouped = _ungrouped_threshold(examples, confidence, right)

    # The catalogue's rule alone.
    by_rule = [rule.predict(r.text, r.places) for r in test]
    rule_scores = _score("catalogue rule", truth, [[u] for u, _c in by_rule], np.array([c for _u, c in by_rule]))

    # The text classifier alone (the catalogue classifier's model, trained on units).
    text_model = classifier.train([r.text for r in train], [r.unit for r in train])
    proba = text_model.probabilities([r.text for r in test])
    classes = np.array(text_model.model.classes_)
    top3 = np.argsort(-proba, axis=1)[:, :3]
    text_scores = _score("text only", truth, [[str(c) for c in classes[o]] for o in top3], proba.max(1))
    return Report(
        split=split,
        n_train=len(train),
        n_test=len(test),
        n_units=len(set(r.unit for r in train)),
        largest=(largest, float(np.mean([t == largest for t in truth]))),
        rows=(learnt, rule_scores, text_scores),
        ungrouped_threshold=ungrouped,
    )


def _ungrouped_threshold(
    examples: Sequence[Example], confidence: np.ndarray, right: np.ndarray
) -> tuple[float, float, float] | None:
    """The threshold chosen on plain (shuffled, ungrouped) folds, and what it gives on the test."""
    from sklearn.model_selection import KFold

    conf = np.zeros(len(examples))
    ok = np.zeros(len(examples), dtype=bool)
    for tr, te in KFold(n_splits=3, shuffle=True, random_state=0).split(examples):
        part = [examples[i] for i in tr]
        if len({e.unit for e in part}) < 2:
            return None
        model = unitrouter._fit_parts(part)
        proba = model.probabilities([examples[i].text for i in te], [examples[i].places for i in te])
        conf[te] = proba.max(1)
        ok[te] = np.array([model.units[k] for k in proba.argmax(1)]) == np.array([examples[i].unit for i in te])
    threshold, _cov = classifier.threshold_for(conf, ok, 0.97)
    auto = confidence >= threshold
    return threshold, float(auto.mean()), float(right[auto].mean()) if auto.any() else 0.0


def guess_division(source: Source) -> str:
    """The city whose own or whose counties' names the file's unit column uses most."""
    table = read_table(source, required=[])
    unit_col = next((c for c in _UNIT if table and c in table[0]), None)
    if unit_col is None:
        raise ValidationError(_("No unit column (unit or reply_agency) to tell the city by: give --division."))
    names = Counter(row[unit_col] for row in table)
    rows = divisions_json()["divisions"]
    counties: dict[str, list[str]] = {}
    for r in rows:
        if r[0] == 3:
            counties.setdefault(r[2], []).append(r[3])
    best, score = "", 0
    for r in rows:
        if r[0] != 2:
            continue
        words = [r[3], *counties.get(r[1], [])]
        hits = sum(n for name, n in names.items() if any(name.startswith(w) for w in words))
        if hits > score:
            best, score = r[1], hits
    if not best:
        raise ValidationError(_("The unit names name no city: give --division."))
    return best
