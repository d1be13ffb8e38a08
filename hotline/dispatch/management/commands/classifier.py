"""``hotline classifier train|eval|explain|retrain``: the text → matter classifier."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from hotline.catalog.models import Matter
from hotline.dispatch import classifier, learning, store
from hotline.dispatch.models import ClassifierModel
from hotline.tabular import read_table


def _rows(path: str, text_col: str, label_col: str) -> tuple[list[str], list[str]]:
    if not Path(path).exists():
        raise CommandError(f"No such file: {path}")
    rows = read_table(path, required=[text_col, label_col])
    return [r.get(text_col, "") for r in rows], [r.get(label_col, "") for r in rows]


def _model(path: str | None) -> classifier.TextClassifier:
    if path:
        return classifier.load(path)
    _version, model = store.active()
    if model is None:
        raise CommandError("No active model: train one first, or pass --model FILE.")
    return model


class Command(BaseCommand):
    help = "Train, evaluate and explain the request classifier."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        train = sub.add_parser("train", help="train from a labelled CSV or Excel file")
        train.add_argument("--data", required=True)
        train.add_argument("--text-col", default="text")
        train.add_argument("--label-col", default="label")
        train.add_argument("--out", help="write the model to this file instead of storing a new active version")
        ev = sub.add_parser("eval", help="evaluate on a labelled file; the last line is the summary")
        ev.add_argument("--data", required=True)
        ev.add_argument("--text-col", default="text")
        ev.add_argument("--label-col", default="label")
        ev.add_argument("--model", help="a model file (default: the active version)")
        ex = sub.add_parser("explain", help="the top suggestions for one text and the words behind them")
        ex.add_argument("text")
        ex.add_argument("--model")
        sub.add_parser("retrain", help="a new version from closed tickets and corrections")
        sub.add_parser("catalogue", help="a first version from the catalogue's examples")

    def handle(self, *args: Any, action: str, **opts: Any) -> None:
        try:
            getattr(self, f"_{action}")(**opts)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc

    def _say(self, message: str) -> None:
        tqdm.write(message, file=self.stdout)

    def _train(self, *, data: str, text_col: str, label_col: str, out: str | None, **_o: Any) -> None:
        texts, labels = _rows(data, text_col, label_col)
        # A model stored as the active version must be labelled with matters a ticket can be filed
        # under: one trained on anything else would replace the real model and suggest nothing (L6
        # of 2026-11-30). A model written to a file (--out) is an experiment and may use any labels.
        classifier.check_training_data(texts, labels)
        matters = set(Matter.objects.filter(is_active=True, is_leaf=True).values_list("code", flat=True))
        unknown = sorted({label for label in labels if label not in matters})
        if unknown and not out:
            shown = ", ".join(repr(label[:40]) for label in unknown[:10])
            raise CommandError(
                f"{len(unknown)} labels are not active matters of the catalogue: {shown}; nothing was trained"
            )
        started = time.perf_counter()
        with tqdm(total=4, desc="training", file=self.stderr, leave=False) as bar:

            def progress(message: str) -> None:
                bar.set_postfix_str(message)
                bar.update(1)

            model = classifier.train(texts, labels, progress=progress)
        seconds = time.perf_counter() - started
        if out:
            size = model.save(Path(out))
            where = out
        else:
            row = store.register(model, source=ClassifierModel.Source.CSV, metrics={"train_seconds": round(seconds, 1)})
            size, where = row.size_bytes, f"version {row.pk} (active), {store.path_of(row)}"
        self._say(
            f"trained on {model.n_train} rows, {len(model.labels)} labels in {seconds:.1f} s; "
            f"{size / 1e6:.1f} MB; auto-dispatch threshold {model.threshold:.3f}; saved as {where}"
        )

    def _eval(self, *, data: str, text_col: str, label_col: str, model: str | None, **_o: Any) -> None:
        texts, labels = _rows(data, text_col, label_col)
        clf = _model(model)
        result = classifier.evaluate(clf, texts, labels)
        for label, f1 in sorted(result.per_class.items()):
            self._say(f"  {label:<16} F1 {f1:.4f}")
        cov, prec = result.at_model_threshold
        self._say(f"at the model's threshold {clf.threshold:.3f}: coverage {cov:.2f} precision {prec:.4f}")
        self.stdout.write(result.line())

    def _explain(self, *, text: str, model: str | None, **_o: Any) -> None:
        clf = _model(model)
        prediction = clf.predict([text])[0]
        if not prediction.guesses:
            self.stdout.write(f"unsure: {prediction.reason}")
            return
        paths = dict(Matter.objects.filter(code__in=[g.label for g in prediction.guesses]).values_list("code", "path"))
        for guess in prediction.guesses:
            name = f"{guess.label} {paths[guess.label]}" if guess.label in paths else guess.label
            self.stdout.write(f"{name}\t{guess.confidence:.3f}\t{' '.join(guess.words)}")
        if prediction.fallback:
            self.stdout.write(f"fallback: {prediction.fallback.label} {prediction.fallback.confidence:.3f}")
        self.stdout.write(f"unsure: {prediction.reason}" if prediction.unsure else "sure")

    def _retrain(self, **_o: Any) -> None:
        row = learning.retrain(progress=self._say)
        self._say("not enough closed tickets yet" if row is None else f"version {row.pk}: {row.metrics}")

    def _catalogue(self, **_o: Any) -> None:
        row = learning.train_from_catalogue(progress=self._say)
        self._say(f"version {row.pk}: {row.n_train} rows, {row.n_labels} matters")
