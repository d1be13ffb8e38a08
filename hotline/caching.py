"""Small per-process caches of reference tables (calendar, region names, routing index).

Each process keeps its own copy. A change made in this process clears it at once (and again on
commit, so a reader between save and commit cannot keep the old table); other processes pick the
change up when their copy reaches its age limit.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from django.db import transaction

T = TypeVar("T")


class ProcessCache(Generic[T]):
    def __init__(self, loader: Callable[[], T], *, max_age: float = 30.0) -> None:
        self._loader = loader
        self._max_age = max_age
        self._lock = threading.Lock()
        self._value: T | None = None
        self._loaded_at = 0.0

    def get(self) -> T:
        with self._lock:
            if self._value is None or time.monotonic() - self._loaded_at > self._max_age:
                self._value = self._loader()
                self._loaded_at = time.monotonic()
            return self._value

    def clear(self) -> None:
        with self._lock:
            self._value = None

    def clear_now_and_on_commit(self) -> None:
        self.clear()
        transaction.on_commit(self.clear)
