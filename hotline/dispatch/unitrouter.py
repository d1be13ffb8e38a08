"""Where requests really go: a model of the handling unit learnt from history.

Three kinds of evidence, multiplied as probabilities (a log-linear blend):

- the text: character 1–3-gram TF-IDF (``classifier.CharGrams``) and the place tokens in one
  logistic regression over the units;
- the place: how often each unit handled requests naming this county, township, road or estate
  (smoothed towards the unit's overall share, so an unseen place says nothing);
- similar requests: the units of the most similar past requests, weighted by similarity.

Returns and re-dispatches are negative evidence: a unit that sent back a request like this one at
this place loses the share of the vote the similarity gives it. Nothing here reads the database
(``learning`` feeds it tickets, ``history`` feeds it a file); ``decide`` joins it with the
catalogue's rule and says which of them decided.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from . import classifier

# A unit needs this many past requests before history may overrule the catalogue.
MIN_SUPPORT = 5
# ... and the history this many rows in all.
MIN_ROWS = 50
NEIGHBOURS = 10
# Weights of the three parts in the log-linear blend (text model, place counts, similar requests).
WEIGHTS = (1.0, 1.0, 0.5)
FLOOR = 1e-3


@dataclass(frozen=True)
class Example:
    """One past request: its text, its place tokens (``county:…``, ``township:…``, ``place:…``),
    the unit that handled it, and when it came in."""

    text: str
    places: tuple[str, ...]
    unit: str
    date: dt.date | None = None


@dataclass(frozen=True)
class UnitGuess:
    unit: str
    confidence: float
    support: int  # past requests this unit handled
    similar: int  # of the most similar past requests, how many this unit handled
    place: str = ""  # the most specific place token those similar requests share with this one
    place_count: int = 0  # past requests at that place handled by this unit
    returned: int = 0  # similar requests this unit sent back


@dataclass
class UnitRouter:
    grams: classifier.CharGrams
    places: list[str]  # the place tokens the model knows, in column order
    model: SoftSVC
    units: list[str]
    support: dict[str, int]
    by_place: dict[str, dict[str, int]]  # place token -> unit -> count
    history: object  # csr matrix of the training texts' features (for similar requests)
    history_units: np.ndarray
    history_places: list[tuple[str, ...]]
    negatives: list[tuple[object, str, tuple[str, ...]]] = field(default_factory=list)
    threshold: float = 1.0  # confidence at which grouped folds saw 97% precision
    metrics: dict = field(default_factory=dict)
    n_train: int = 0
    min_rows: int = MIN_ROWS  # below this much history the catalogue's rule decides

    # --- prediction -----------------------------------------------------------------------

    def _features(self, texts: Sequence[str], places: Sequence[Sequence[str]]):  # type: ignore[no-untyped-def]
        from scipy.sparse import csr_matrix, hstack

        X = self.grams.transform([classifier.clean(t) for t in texts])
        index = {p: j for j, p in enumerate(self.places)}
        rows, cols = [], []
        for i, tokens in enumerate(places):
            for token in set(tokens):
                if token in index:
                    rows.append(i)
                    cols.append(index[token])
        P = csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(texts), len(self.places)))
        return hstack([X, P]).tocsr(), X

    def probabilities(self, texts: Sequence[str], places: Sequence[Sequence[str]]) -> np.ndarray:
        return self._blend(texts, places)[0]

    def _blend(self, texts: Sequence[str], places: Sequence[Sequence[str]]):  # type: ignore[no-untyped-def]
        F, X = self._features(texts, places)
        col = {u: j for j, u in enumerate(self.units)}
        p_text = self.model.predict_proba(F)
        total = sum(self.support.values()) or 1
        prior = np.array([self.support.get(u, 0) / total for u in self.units])
        p_place = np.ones_like(p_text)
        for i, tokens in enumerate(places):
            for token in set(tokens):
                counts = self.by_place.get(token)
                if counts:
                    n = sum(counts.values())
                    p_place[i] *= (np.array([counts.get(u, 0) for u in self.units]) + 2 * prior) / (n + 2)
        p_place /= p_place.sum(1, keepdims=True)
        sims = np.asarray((X @ self.history.T).todense()) if self.history.shape[0] else np.zeros((len(texts), 0))  # type: ignore[attr-defined]
        p_near = np.full_like(p_text, 0.01)
        near: list[list[int]] = []
        for i in range(len(texts)):
            order = np.argsort(-sims[i])[:NEIGHBOURS] if sims.shape[1] else np.zeros(0, dtype=int)
            top = [int(j) for j in order if sims[i, j] > 0]
            near.append(top)
            for j in top:
                p_near[i, col[self.history_units[j]]] += sims[i, j]
        returned = np.zeros_like(p_text)
        for vec, unit, _tokens in self.negatives:
            if unit in col:
                returned[:, col[unit]] += np.asarray((X @ vec.T).todense()).ravel()  # type: ignore[attr-defined]
        p_near /= p_near.sum(1, keepdims=True)
        a, b, c = WEIGHTS
        # Each part's floor keeps one part from overruling the others alone.
        log = a * np.log(np.maximum(p_text, FLOOR)) + b * np.log(np.maximum(p_place, FLOOR)) + c * np.log(p_near)
        log += np.log(np.clip(1 - returned, FLOOR, 1))  # a unit that sent back requests like this one
        log -= log.max(1, keepdims=True)
        proba = np.exp(log)
        return proba / proba.sum(1, keepdims=True), sims, near, returned

    def predict(
        self, texts: Sequence[str], places: Sequence[Sequence[str]], *, top: int = 3
    ) -> list[tuple[UnitGuess, ...]]:
        proba, sims, near, returned = self._blend(texts, places)
        out = []
        for i in range(len(texts)):
            guesses = []
            for k in np.argsort(-proba[i])[:top]:
                unit = self.units[k]
                mine = [j for j in near[i] if self.history_units[j] == unit]
                place, count = self._shared_place(places[i], unit)
                guesses.append(
                    UnitGuess(
                        unit=unit,
                        confidence=round(float(proba[i, k]), 4),
                        support=self.support.get(unit, 0),
                        similar=len(mine),
                        place=place,
                        place_count=count,
                        returned=int(returned[i, k] > 0.3),
                    )
                )
            out.append(tuple(guesses))
        return out

    def _shared_place(self, tokens: Sequence[str], unit: str) -> tuple[str, int]:
        """The most specific of the request's place tokens and how many past requests there this
        unit handled (place tokens come most specific last)."""
        for token in reversed(tokens):
            count = self.by_place.get(token, {}).get(unit, 0)
            if count:
                return token, count
        return "", 0

    def save(self, path) -> int:  # type: ignore[no-untyped-def]
        import joblib

        path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump(self, path, compress=3)
        return int(path.stat().st_size)


_ESTATE = re.compile(
    r"[\u4e00-\u9fff0-9]{2,10}?(?:大道|大街|路|街|巷|小区|花园|家园|公寓|广场|市场|新村|村|社区)(?![\u4e00-\u9fff]{0,1}(?:街道))"
)


# A district, county, town or street in front of a name: "城西区阳光小区" is 阳光小区.
_ADMIN_PREFIX = re.compile(r"^[\u4e00-\u9fff]{1,6}?(?:区|县|市|镇|乡|街道)(?=[\u4e00-\u9fff0-9]{2,})")


def estate_names(text: str) -> list[str]:
    """Roads, estates and villages a text names (the gazetteer's kind of names), in order."""
    names = (_ADMIN_PREFIX.sub("", n) for n in _ESTATE.findall(text[:400]))
    return [n for n in dict.fromkeys(names) if len(n) >= 3]


def place_tokens(
    region_code: str | None, region_level: str | None, parent_code: str | None, address: str
) -> tuple[str, ...]:
    """The place of a request as the router reads it: county, township, then the roads and
    estates its address names (most specific last)."""
    tokens: list[str] = []
    if region_code and region_level == "township":
        tokens += [f"county:{parent_code}", f"township:{region_code}"]
    elif region_code and region_level == "district":
        tokens.append(f"county:{region_code}")
    tokens += [f"place:{n}" for n in estate_names(address)]
    return tuple(tokens)


# --- training --------------------------------------------------------------------------------


class SoftSVC:
    """A linear SVM whose scores become probabilities by a temperature fitted on out-of-fold scores
    (as the catalogue classifier does): logistic regression gave the same ranking at forty times
    the training time."""

    def __init__(self, C: float = 0.5) -> None:
        self.C = C
        self.temperature = 1.0
        self.svm: object = None
        self.classes_: np.ndarray = np.array([])

    def _svm(self):  # type: ignore[no-untyped-def]
        from sklearn.svm import LinearSVC

        return LinearSVC(C=self.C, random_state=0)

    def fit(self, X, y: np.ndarray) -> SoftSVC:  # type: ignore[no-untyped-def]
        from sklearn.model_selection import KFold

        self.svm = self._svm().fit(X, y)
        self.classes_ = np.array(self.svm.classes_)  # type: ignore[attr-defined]
        held = np.full((len(y), len(self.classes_)), np.nan)
        for train, test in KFold(n_splits=2, shuffle=True, random_state=0).split(y):
            if len(set(y[train])) < 2:
                continue
            part = self._svm().fit(X[train], y[train])
            scores = self._scores(part, X[test])
            cols = np.searchsorted(self.classes_, part.classes_)
            block = np.full((len(test), len(self.classes_)), np.nan)
            block[:, cols] = scores
            held[test] = block
        done = ~np.isnan(held).all(1)
        if done.any():
            held = held[done]
            held = np.where(np.isnan(held), np.nanmin(held) - 1, held)
            self.temperature = classifier._fit_temperature(held, np.searchsorted(self.classes_, y[done]))
        return self

    @staticmethod
    def _scores(svm, X) -> np.ndarray:  # type: ignore[no-untyped-def]
        scores = svm.decision_function(X)
        return np.column_stack([-scores, scores]) if scores.ndim == 1 else scores

    def predict_proba(self, X) -> np.ndarray:  # type: ignore[no-untyped-def]
        return classifier._softmax(self._scores(self.svm, X) / self.temperature)


def _fit_parts(examples: Sequence[Example]) -> UnitRouter:

    texts = [classifier.clean(e.text) for e in examples]
    grams = classifier.CharGrams(n=3, min_df=2, max_features=200_000)
    X = grams.fit_transform(texts)
    places = sorted({t for e in examples for t in e.places})
    router = UnitRouter(
        grams=grams,
        places=places,
        model=SoftSVC(),
        units=[],
        support=dict(Counter(e.unit for e in examples)),
        by_place={},
        history=X,
        history_units=np.array([e.unit for e in examples]),
        history_places=[e.places for e in examples],
        n_train=len(examples),
    )
    F, _X = router._features(texts, [e.places for e in examples])
    model = SoftSVC().fit(F, np.array([e.unit for e in examples]))
    router.model = model
    router.units = [str(u) for u in model.classes_]
    by_place: dict[str, Counter[str]] = defaultdict(Counter)
    for e in examples:
        for token in set(e.places):
            by_place[token][e.unit] += 1
    router.by_place = {k: dict(v) for k, v in by_place.items()}
    return router


def fit(
    examples: Sequence[Example],
    *,
    negatives: Sequence[Example] = (),
    folds: int = 3,
    target_precision: float = 0.97,
    min_rows: int = MIN_ROWS,
) -> UnitRouter:
    """Train on past requests; ``negatives`` are requests a unit sent back (the unit is the one
    that returned it). The auto-dispatch threshold comes from out-of-fold confidences on folds
    grouped by ``text.near_copy_key``, so copies of one message never sit on both sides."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    rows = [e for e in examples if classifier.readable(classifier.clean(e.text)) and e.unit.strip()]
    counts = Counter(e.unit for e in rows)
    if len(counts) < 2:
        raise ValidationError(_("Only one unit in the history: nothing to choose between."))
    conf, right = grouped_out_of_fold(rows, folds=folds)
    threshold, coverage = classifier.threshold_for(conf, right, target_precision)
    router = _fit_parts(rows)
    texts = [classifier.clean(n.text) for n in negatives]
    if texts:
        N = router.grams.transform(texts)
        router.negatives = [(N[i], n.unit, n.places) for i, n in enumerate(negatives)]
    router.threshold = threshold
    router.min_rows = min_rows
    router.metrics = {
        "cv_accuracy": round(float(right.mean()), 4) if len(right) else 0.0,
        "cv_coverage": round(coverage, 4),
    }
    return router


def grouped_out_of_fold(rows: Sequence[Example], *, folds: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Each row's best confidence and whether it was right, from a model that never saw the row
    nor any copy of it (GroupKFold on the near-copy key)."""
    from sklearn.model_selection import GroupKFold

    from hotline.text import near_copy_key

    groups = [near_copy_key(e.text) or f"#{i}" for i, e in enumerate(rows)]
    n_groups = len(set(groups))
    conf = np.zeros(len(rows))
    right = np.zeros(len(rows), dtype=bool)
    if n_groups < 2:
        return conf, right
    for train, test in GroupKFold(n_splits=min(folds, n_groups)).split(rows, groups=groups):
        part = [rows[i] for i in train]
        if len({e.unit for e in part}) < 2:
            continue
        model = _fit_parts(part)
        proba = model.probabilities([rows[i].text for i in test], [rows[i].places for i in test])
        best = proba.argmax(1)
        conf[test] = proba.max(1)
        right[test] = np.array([model.units[k] for k in best]) == np.array([rows[i].unit for i in test])
    return conf, right


# --- joining the catalogue's rule --------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    unit: str | None
    decided_by: str  # "history", "catalogue", "both" (they agree) or "" (neither has an answer)
    learned: tuple[UnitGuess, ...]
    catalogue: str | None


def decide(
    learned: tuple[UnitGuess, ...],
    catalogue: str | None,
    *,
    n_train: int,
    min_rows: int = MIN_ROWS,
    min_support: int = MIN_SUPPORT,
) -> Decision:
    """History decides when it is not thin (enough rows, the unit seen often enough) and the
    catalogue has no answer or history is surer of another unit than of the catalogue's; otherwise
    the catalogue's rule decides."""
    best = learned[0] if learned else None
    if best is None or n_train < min_rows or best.support < min_support:
        return Decision(catalogue, "catalogue" if catalogue else "", learned, catalogue)
    if catalogue is None or best.unit == catalogue:
        return Decision(best.unit, "both" if best.unit == catalogue else "history", learned, catalogue)
    theirs = next((g.confidence for g in learned if g.unit == catalogue), 0.0)
    if best.confidence >= 2 * theirs and best.confidence >= 0.2:
        return Decision(best.unit, "history", learned, catalogue)
    return Decision(catalogue, "catalogue", learned, catalogue)
