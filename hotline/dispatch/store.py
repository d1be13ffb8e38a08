"""Classifier versions: a row per version, a file under HOTLINE_VAR_DIR/models, one active.

A process keeps the active model in memory and asks the database which version is active at most
every few seconds (one indexed query); when another process activates a new version, the next
suggestion after that check uses it. No restart.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from . import classifier
from .models import ClassifierModel

log = logging.getLogger(__name__)

CHECK_EVERY = 5.0  # seconds between version checks


def model_dir() -> Path:
    return Path(settings.VAR_DIR) / "models"


def register(
    model: classifier.TextClassifier, *, source: str, activate: bool = True, metrics: dict | None = None
) -> ClassifierModel:
    """Store a trained model as a new version (and make it the active one)."""
    with transaction.atomic():
        row = ClassifierModel.objects.create(
            source=source,
            path="",
            n_train=model.n_train,
            n_labels=len(model.labels),
            threshold=model.threshold,
            metrics={**model.metrics, **(metrics or {})},
        )
        path = model_dir() / f"classifier-v{row.pk}.joblib"
        size = model.save(path)
        ClassifierModel.objects.filter(pk=row.pk).update(path=path.name, size_bytes=size)
        row.refresh_from_db()
        if activate:
            activate_version(row)
    return row


def activate_version(row: ClassifierModel) -> None:
    with transaction.atomic():
        ClassifierModel.objects.filter(is_active=True).exclude(pk=row.pk).update(is_active=False)
        ClassifierModel.objects.filter(pk=row.pk).update(is_active=True)
    _active.forget()


def path_of(row: ClassifierModel) -> Path:
    return model_dir() / row.path


class _Active:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version: int | None = None
        self._model: classifier.TextClassifier | None = None
        self._checked = 0.0

    def get(self) -> tuple[int | None, classifier.TextClassifier | None]:
        with self._lock:
            if time.monotonic() - self._checked >= CHECK_EVERY:
                row = ClassifierModel.objects.filter(is_active=True).only("pk", "path").first()
                self._checked = time.monotonic()
                if row is None:
                    self._version, self._model = None, None
                elif row.pk != self._version:
                    try:
                        self._model = classifier.load(path_of(row))
                        self._version = row.pk
                    except ValidationError:
                        # A missing or unreadable file must not break the console: keep what we
                        # have (or nothing, and every request goes to a dispatcher) and say so.
                        log.exception("classifier version %s cannot be loaded", row.pk)
            return self._version, self._model

    def forget(self) -> None:
        with self._lock:
            self._checked = 0.0


_active = _Active()


def active() -> tuple[int | None, classifier.TextClassifier | None]:
    """(version, model) of the active classifier; (None, None) before any model is trained."""
    return _active.get()


def forget(*, on_commit: bool = True) -> None:
    """Check the database on the next call (tests, and after a swap in this process); with
    ``on_commit`` also once the current transaction commits."""
    _active.forget()
    if on_commit:
        transaction.on_commit(_active.forget)


# --- the unit router (where requests really go) -------------------------------------------------

UNIT_ROUTER_FILE = "unit-router.joblib"


def save_unit_router(router: object) -> Path:
    """Write the unit router where every process finds it; the rename makes the swap atomic."""
    path = model_dir() / UNIT_ROUTER_FILE
    partial = path.with_suffix(".partial")
    router.save(partial)  # type: ignore[attr-defined]
    partial.replace(path)
    _unit_router.forget()
    return path


class _UnitRouterFile:
    """The unit router in memory, reloaded when its file changes (checked every few seconds)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stamp: float | None = None
        self._router: object | None = None
        self._checked = 0.0

    def get(self) -> object | None:
        import joblib

        with self._lock:
            if time.monotonic() - self._checked >= CHECK_EVERY:
                self._checked = time.monotonic()
                path = model_dir() / UNIT_ROUTER_FILE
                stamp = path.stat().st_mtime if path.exists() else None
                if stamp is None:
                    self._router, self._stamp = None, None
                elif stamp != self._stamp:
                    try:
                        self._router, self._stamp = joblib.load(path), stamp
                    except Exception:  # a torn or foreign file: route by the catalogue alone
                        log.exception("unit router at %s cannot be loaded", path)
                        self._router, self._stamp = None, stamp
            return self._router

    def forget(self) -> None:
        with self._lock:
            self._checked = 0.0


_unit_router = _UnitRouterFile()


def unit_router() -> object | None:
    """The learnt unit router (a ``unitrouter.UnitRouter``), or None before one is trained."""
    return _unit_router.get()


def forget_unit_router() -> None:
    _unit_router.forget()
