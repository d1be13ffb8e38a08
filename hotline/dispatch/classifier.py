"""From request text to a catalogue matter: a calibrated linear model over character n-grams.
Knows when it is unsure: empty, non-Chinese or junk text gets no guess at all, and a
weak leaf falls back to its parent matter when the parent is sure enough.

Plain sklearn and joblib; nothing here touches the database (see ``hotline.dispatch.models`` for
the store).
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import joblib
import numpy as np
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix
    from sklearn.svm import LinearSVC

MAX_CHARS = 1500  # a request longer than this is read from its beginning only
MIN_CJK = 2  # fewer Chinese characters than this: nothing to classify
FORMAT = 2  # bumped when the saved layout changes; an old file is refused with a clear error

_TAG = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]{0,200}>", re.IGNORECASE | re.DOTALL)
_SPACE = re.compile(r"\s+")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_WORDLIKE = re.compile(r"[\u4e00-\u9fff\w]+")


def clean(text: str) -> str:
    """Text as the model reads it: tags and scripts out, entities decoded, no spaces, capped."""
    if not text:
        return ""
    text = text[: MAX_CHARS * 4]
    text = html.unescape(_TAG.sub(" ", text))
    return _SPACE.sub("", text)[:MAX_CHARS]


def readable(text: str) -> bool:
    return len(_CJK.findall(text[:MAX_CHARS])) >= MIN_CJK


def _features(n_classes: int) -> CharGrams:
    """Character 1–3-grams, TF-IDF weighted. On the TipDM data jieba words added to these did not
    raise macro-F1 and jieba reads ~1,300 texts/s, so there are none (docs/benchmarks-notes.md)."""
    # The model keeps one weight per feature and class; cap the vocabulary so the file stays small.
    cap = max(20_000, min(300_000, 3_000_000 // max(n_classes, 1)))
    return CharGrams(n=3, min_df=2, max_features=cap)


class CharGrams:
    """Character 1–3-gram TF-IDF (sublinear tf, smoothed idf, l2 rows), as scikit-learn's
    ``TfidfVectorizer(analyzer="char")`` computes it, but counted with numpy over a whole batch at
    once: every n-gram is one 63-bit integer (three 21-bit code points), the vocabulary a sorted
    array, a lookup a binary search. scikit-learn builds each n-gram as a Python string, which
    bounds it to ~700 texts/s on one core; this reads thousands."""

    SEP = 0  # code point between texts: no n-gram spans two of them

    def __init__(self, n: int = 3, min_df: int = 2, max_features: int | None = None) -> None:
        self.n = n
        self.min_df = min_df
        self.max_features = max_features
        self.vocab = np.zeros(0, dtype=np.int64)
        self.idf = np.zeros(0, dtype=np.float32)

    def _keys(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Every n-gram of every text as (text index, key)."""
        joined = "\x00".join(t.lower().replace("\x00", "") for t in texts) + "\x00"
        codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)
        doc = np.cumsum(codes == self.SEP) - (codes == self.SEP)  # index of the text each code is in
        keys, docs = [], []
        key = np.zeros(len(codes), dtype=np.int64)
        alive = codes != self.SEP
        for k in range(self.n):
            span = len(codes) - k
            if span <= 0:
                break
            key = key[:span] | (codes[k:] << (21 * k))
            alive = alive[:span] & (codes[k:] != self.SEP)
            keys.append(key[alive])
            docs.append(doc[:span][alive])
        return np.concatenate(docs), np.concatenate(keys)

    def fit_transform(self, texts: Sequence[str]) -> csr_matrix:
        doc, key = self._keys(texts)
        order = np.lexsort((doc, key))
        k, d = key[order], doc[order]
        first = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])  # where each term starts
        terms = k[first]
        tf = np.diff(np.r_[first, len(k)])  # in the whole corpus
        new_doc = np.r_[True, (k[1:] != k[:-1]) | (d[1:] != d[:-1])]
        df = np.add.reduceat(new_doc.astype(np.int64), first) if len(k) else tf
        keep = df >= self.min_df
        terms, df, tf = terms[keep], df[keep], tf[keep]
        if self.max_features and len(terms) > self.max_features:
            top = np.sort(np.argsort(-tf, kind="stable")[: self.max_features])
            terms, df = terms[top], df[top]
        self.vocab = terms
        self.idf = (np.log((1 + len(texts)) / (1 + df)) + 1).astype(np.float32)
        return self._matrix(len(texts), doc, key)

    def transform(self, texts: Sequence[str]) -> csr_matrix:
        doc, key = self._keys(texts)
        return self._matrix(len(texts), doc, key)

    def _matrix(self, n: int, doc: np.ndarray, key: np.ndarray) -> csr_matrix:
        from scipy.sparse import csr_matrix

        col = np.searchsorted(self.vocab, key).clip(0, max(len(self.vocab) - 1, 0))
        known = self.vocab[col] == key if len(self.vocab) else np.zeros(len(key), dtype=bool)
        cell, tf = np.unique(doc[known] * len(self.vocab) + col[known], return_counts=True)
        rows, cols = np.divmod(cell, max(len(self.vocab), 1))
        data = ((1 + np.log(tf)) * self.idf[cols]).astype(np.float32)
        norm = np.sqrt(np.bincount(rows, weights=data * data, minlength=n)).astype(np.float32)
        data /= norm[rows]
        indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n))])
        return csr_matrix((data, cols, indptr), shape=(n, len(self.vocab)), dtype=np.float32)

    def get_feature_names_out(self) -> np.ndarray:
        mask = (1 << 21) - 1
        return np.array(
            ["".join(chr(c) for c in ((int(k) >> (21 * i)) & mask for i in range(self.n)) if c) for k in self.vocab],
            dtype=object,
        )


class Vectorizer(Protocol):
    """What prediction needs of a model's text features: ``CharGrams``, or the scikit-learn
    ``TfidfVectorizer`` of models saved before it."""

    def transform(self, texts: Sequence[str]) -> csr_matrix: ...

    def get_feature_names_out(self) -> Any: ...


@dataclass(frozen=True)
class Guess:
    label: str
    confidence: float
    words: tuple[str, ...] = ()  # the terms that pushed the model towards this label


@dataclass(frozen=True)
class Prediction:
    guesses: tuple[Guess, ...]  # best first; empty when the text cannot be read
    unsure: bool
    reason: str = ""  # why unsure, for people
    fallback: Guess | None = None  # a parent label sure enough when the leaf is not

    @property
    def best(self) -> Guess | None:
        return self.guesses[0] if self.guesses else None


@dataclass
class TextClassifier:
    pipeline: Vectorizer  # CharGrams (models saved before it: a TfidfVectorizer, read the same way)
    model: _Calibrated
    labels: list[str]
    parents: dict[str, str] = field(default_factory=dict)  # label -> parent label (hierarchy)
    threshold: float = 0.9  # the confidence at which cross-validation saw 97% precision
    metrics: dict = field(default_factory=dict)
    trained_at: str = ""
    n_train: int = 0
    format: int = FORMAT

    # --- prediction -------------------------------------------------------------------------

    def _matrix(self, texts: Sequence[str]) -> csr_matrix:
        return self.pipeline.transform(texts)

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        return self.model.predict_proba(self._matrix([clean(t) for t in texts]))

    def predict(self, texts: Sequence[str], *, top: int = 3, explain: bool = True) -> list[Prediction]:
        cleaned = [clean(t or "") for t in texts]
        ok = [i for i, t in enumerate(cleaned) if readable(t)]
        out: list[Prediction] = [
            Prediction((), True, _("No Chinese text to classify: a dispatcher must read it.")) for _t in texts
        ]
        if not ok:
            return out
        X = self._matrix([cleaned[i] for i in ok])
        proba = self.model.predict_proba(X)
        classes = list(self.model.classes_)
        for row, i in enumerate(ok):
            order = np.argsort(-proba[row])[:top]
            guesses = tuple(
                Guess(
                    str(classes[k]),
                    float(proba[row, k]),
                    self._drivers(X[row], classes[k]) if explain else (),
                )
                for k in order
            )
            out[i] = self._judge(guesses, proba[row], classes)
        return out

    def _judge(self, guesses: tuple[Guess, ...], proba: np.ndarray, classes: list[str]) -> Prediction:
        best = guesses[0]
        if best.confidence >= self.threshold:
            return Prediction(guesses, False)
        # Fall back to the nearest ancestor whose leaves together are sure enough.
        parent = self.parents.get(best.label)
        while parent:
            share = sum(p for c, p in zip(classes, proba) if self._under(c, parent))
            if share >= self.threshold:
                return Prediction(
                    guesses,
                    True,
                    _("Sure of the group, not of the matter: choose the matter."),
                    fallback=Guess(parent, float(share)),
                )
            parent = self.parents.get(parent)
        return Prediction(guesses, True, _("Confidence below the auto-dispatch threshold."))

    def _under(self, label: str, ancestor: str) -> bool:
        node = self.parents.get(label)
        while node:
            if node == ancestor:
                return True
            node = self.parents.get(node)
        return False

    def _drivers(self, x: csr_matrix, label: str, n: int = 5) -> tuple[str, ...]:
        """The features of this text with the largest weight towards ``label``."""
        k = list(self.model.classes_).index(label)
        coef = self.model.weights[:, k]
        x = x.tocsr()
        contrib = x.data * coef[x.indices]
        names = self._feature_names()
        picked: list[str] = []
        for j in np.argsort(-contrib):
            if contrib[j] <= 0 or len(picked) >= n:
                break
            term = names[x.indices[j]].replace(" ", "")
            if len(term) > 1 and _WORDLIKE.fullmatch(term) and not any(term in p or p in term for p in picked):
                picked.append(term)
        return tuple(picked)

    def _feature_names(self) -> list[str]:
        names = getattr(self, "_names", None)
        if names is None:
            names = [str(n) for n in self.pipeline.get_feature_names_out()]
            self._names = names
        return names

    # --- storage ----------------------------------------------------------------------------

    def save(self, path: Path) -> int:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.__dict__.pop("_names", None)
        joblib.dump(self, path, compress=3)
        return path.stat().st_size


def load(path: Path | str) -> TextClassifier:
    path = Path(path)
    if not path.exists():
        raise ValidationError(_("No model file at %(path)s.") % {"path": path})
    try:
        model = joblib.load(path)
    except Exception as exc:  # a truncated or foreign file: joblib/pickle raise many kinds
        raise ValidationError(_("Not a classifier model: %(err)s") % {"err": exc}) from exc
    if not isinstance(model, TextClassifier) or getattr(model, "format", 0) != FORMAT:
        raise ValidationError(_("The file at %(path)s is not a model this version can read.") % {"path": path})
    return model


# --- training --------------------------------------------------------------------------------


def check_training_data(texts: Sequence[str], labels: Sequence[str]) -> None:
    """One clear error for data that cannot train a model."""
    if len(texts) != len(labels):
        raise ValidationError(_("Texts and labels differ in number."))
    empty = sum(1 for label in labels if not label.strip())
    if empty:
        raise ValidationError(_("%(n)d rows have an empty label.") % {"n": empty})
    counts = Counter(labels)
    if len(counts) < 2:
        raise ValidationError(_("Only one class in the data: a classifier needs at least two."))
    lonely = sorted(label for label, n in counts.items() if n < 2)
    if lonely:
        raise ValidationError(
            _("These classes have a single example (two needed): %(labels)s") % {"labels": ", ".join(lonely[:10])}
        )
    if not any(readable(clean(t)) for t in texts):
        raise ValidationError(_("No row has Chinese text to learn from."))


def train(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    parents: dict[str, str] | None = None,
    target_precision: float = 0.97,
    progress: Callable[[str], None] = lambda _m: None,
) -> TextClassifier:
    """Fit and calibrate a model. Rows without readable text are dropped; bad data is one error."""
    from sklearn.svm import LinearSVC

    check_training_data(texts, labels)
    rows = [(clean(t), label.strip()) for t, label in zip(texts, labels)]
    rows = [(t, label) for t, label in rows if readable(t)]
    check_training_data([t for t, _l in rows], [label for _t, label in rows])
    counts = Counter(label for _t, label in rows)
    folds = max(2, min(3, min(counts.values())))
    y = np.array([label for _t, label in rows])
    pipeline = _features(len(counts))
    progress(_("building features from %(n)d texts") % {"n": len(rows)})
    X = pipeline.fit_transform([t for t, _l in rows])
    # Out-of-fold scores teach the calibration and the threshold; the final model sees all rows.
    progress(_("scoring held-out folds (%(k)d)") % {"k": folds})
    held, grouping = _held_out_scores(X, y, [t for t, _l in rows], folds)
    progress(_("fitting the model"))
    svm = LinearSVC(C=1.0, class_weight="balanced", random_state=0).fit(X, y)
    classes = np.array(svm.classes_)
    if held.ndim == 1:
        held = np.column_stack([-held, held])
    temperature = _fit_temperature(held, np.searchsorted(classes, y))
    proba = _softmax(held / temperature)
    guess = classes[proba.argmax(1)]
    threshold, coverage = threshold_for(proba.max(1), guess == y, target_precision)
    return TextClassifier(
        pipeline=pipeline,
        model=_Calibrated(svm, temperature),
        labels=[str(c) for c in classes],
        parents=dict(parents or {}),
        threshold=threshold,
        metrics={
            "cv_coverage": round(coverage, 4),
            "cv_accuracy": round(float((guess == y).mean()), 4),
            "cv_folds": grouping,
        },
        trained_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        n_train=len(rows),
    )


def _held_out_scores(X: csr_matrix, y: np.ndarray, texts: Sequence[str], folds: int) -> tuple[np.ndarray, str]:
    """Out-of-fold scores on folds that keep copies and near-copies of a message together
    (``text.near_copy_key``, StratifiedGroupKFold): a threshold chosen where a copy of each
    message sat in training promised 97% precision and kept 95% on new messages. When grouping
    leaves a class out of a training fold (a leaf whose examples are all one message), the folds
    are stratified as before, and the model says so in its metrics."""
    from sklearn.model_selection import StratifiedGroupKFold, cross_val_predict
    from sklearn.svm import LinearSVC

    from hotline.text import near_copy_key

    def svm() -> LinearSVC:
        return LinearSVC(C=1.0, class_weight="balanced", random_state=0)

    groups = [near_copy_key(t) or f"#{i}" for i, t in enumerate(texts)]
    if len(set(groups)) >= folds:
        try:
            cv = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=0)
            return cross_val_predict(svm(), X, y, cv=cv, groups=groups, method="decision_function"), "grouped"
        except ValueError:
            pass  # a class missing from a training fold
    return cross_val_predict(svm(), X, y, cv=folds, method="decision_function"), "stratified"


class _Calibrated:
    """A linear SVM whose scores become probabilities by temperature scaling (one parameter,
    fitted on out-of-fold scores): the ranking is the SVM's, the confidence is honest.

    The weights are kept feature-major and float32: a sparse row times a contiguous matrix is the
    fast product, and the file is half the size."""

    def __init__(self, svm: LinearSVC, temperature: float) -> None:
        coef = svm.coef_ if svm.coef_.shape[0] > 1 else np.vstack([-svm.coef_[0], svm.coef_[0]])
        intercept = svm.intercept_ if svm.coef_.shape[0] > 1 else np.array([-svm.intercept_[0], svm.intercept_[0]])
        self.weights = np.ascontiguousarray(coef.T, dtype=np.float32)
        self.intercept = intercept.astype(np.float32)
        self.temperature = temperature
        self.classes_ = svm.classes_

    def predict_proba(self, X: csr_matrix) -> np.ndarray:
        scores = np.asarray(X.astype(np.float32, copy=False) @ self.weights) + self.intercept  # no upcast of W
        return _softmax(scores / self.temperature)


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _fit_temperature(scores: np.ndarray, truth: np.ndarray) -> float:
    from scipy.optimize import minimize_scalar

    def loss(log_t: float) -> float:
        p = _softmax(scores / np.exp(log_t))
        return -float(np.log(p[np.arange(len(truth)), truth] + 1e-12).mean())

    return float(np.exp(minimize_scalar(loss, bounds=(-6, 3), method="bounded").x))


def threshold_for(confidence: np.ndarray, right: np.ndarray, target: float) -> tuple[float, float]:
    """The lowest confidence such that the answers at or above it are right ``target`` of the time,
    and the share of answers it covers. (1.0, 0.0) when no threshold reaches the target."""
    order = np.argsort(-confidence, kind="stable")
    hits = np.cumsum(right[order]) / np.arange(1, len(order) + 1)
    ok = np.where(hits >= target)[0]
    if not len(ok):
        return 1.0, 0.0
    last = int(ok.max())
    return float(confidence[order][last]), (last + 1) / len(order)


# --- evaluation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evaluation:
    n: int
    macro_f1: float
    accuracy: float
    coverage: float  # share of requests answerable at the target precision (best threshold on this data)
    at_model_threshold: tuple[float, float]  # (coverage, precision) at the model's own threshold
    per_class: dict[str, float]

    def line(self) -> str:
        return (
            f"macro-F1 {self.macro_f1:.4f} accuracy {self.accuracy:.4f} "
            f"coverage@97%precision {self.coverage:.2f} n={self.n}"
        )


def evaluate(model: TextClassifier, texts: Sequence[str], labels: Sequence[str]) -> Evaluation:
    from sklearn.metrics import accuracy_score, f1_score

    if not texts:
        raise ValidationError(_("No rows to evaluate."))
    proba = model.probabilities(texts)
    classes = np.array(model.model.classes_)
    guess = classes[proba.argmax(1)]
    confidence = proba.max(1)
    y = np.array([label.strip() for label in labels])
    right = guess == y
    _t, coverage = threshold_for(confidence, right, 0.97)
    auto = confidence >= model.threshold
    present = sorted(set(y))
    per_class = f1_score(y, guess, labels=present, average=None, zero_division=0)
    return Evaluation(
        n=len(y),
        macro_f1=float(f1_score(y, guess, labels=present, average="macro", zero_division=0)),
        accuracy=float(accuracy_score(y, guess)),
        coverage=coverage,
        at_model_threshold=(float(auto.mean()), float(right[auto].mean()) if auto.any() else 0.0),
        per_class={c: float(f) for c, f in zip(present, per_class)},
    )
