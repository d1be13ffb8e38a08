"""Demo test set-up."""

from __future__ import annotations

import pytest

_models: dict[tuple, object] = {}


@pytest.fixture
def catalogue_trained_once(monkeypatch):
    """The demo trains the dispatch classifier on the catalogue's examples: seconds of CPU whose
    result does not depend on the date. The first test to train it trains for real; a run of the
    date-sensitive tests on several --clock days reuses that model instead of training it again."""
    from hotline.dispatch import classifier

    real = classifier.train

    def train(texts, labels, *, parents=None, **kwargs):
        settings = tuple(sorted((name, value) for name, value in kwargs.items() if name != "progress"))
        key = (tuple(texts), tuple(labels), tuple(sorted((parents or {}).items())), settings)
        if key not in _models:
            _models[key] = real(texts, labels, parents=parents, **kwargs)
        return _models[key]

    monkeypatch.setattr(classifier, "train", train)
