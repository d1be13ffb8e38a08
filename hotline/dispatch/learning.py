"""The learning loop: a first model from the catalogue's examples, auto-dispatch when the model is
sure, every dispatcher correction kept, and retraining from closed tickets and corrections."""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from django.utils import timezone

from hotline.catalog.models import Matter
from hotline.orgs.models import Unit
from hotline.tickets.models import Status, Ticket

from . import classifier, store, unitrouter
from .locate import learn_from_history
from .models import ClassifierModel, DispatchCorrection, DispatchSuggestion
from .suggest import Suggestions, suggest

if TYPE_CHECKING:
    from hotline.orgs.models import Unit
    from hotline.orgs.permissions import Actor

log = logging.getLogger(__name__)

# Phrases citizens wrap a request in; the catalogue model sees them so that they carry no weight.
_WRAPPERS = ["", "市民来电反映：", "来电人称：", "网民留言：", "我想反映一下，", "你好，"]
_TAILS = ["", "希望尽快处理。", "请相关部门核实处理。", "请尽快派人来看看。"]


def hierarchy() -> dict[str, str]:
    """Matter code -> parent matter code, for the classifier's fallback to higher levels."""
    return {
        code: parent for code, parent in Matter.objects.filter(parent__isnull=False).values_list("code", "parent__code")
    }


def catalogue_rows(*, seed: int = 1) -> tuple[list[str], list[str]]:
    """Training rows from the catalogue: each leaf's examples (twice, in different wrappings), its
    name with its keywords, so every leaf has at least two rows."""
    rng = random.Random(seed)
    texts, labels = [], []
    for matter in Matter.objects.filter(is_leaf=True, is_active=True).order_by("code"):
        keywords = " ".join(matter.keyword_list())
        samples = [*matter.example_list(), f"{matter.name}，{keywords}", f"{keywords}{matter.name}问题"]
        for text in samples:
            for _copy in range(2):
                texts.append(f"{rng.choice(_WRAPPERS)}{text}{rng.choice(_TAILS)}")
                labels.append(matter.code)
    return texts, labels


def ticket_rows(*, since: dt.datetime | None = None) -> tuple[list[str], list[str]]:
    """Closed tickets (their final matter is the label) and corrected open ones (the dispatcher's
    choice is the label)."""
    texts, labels, seen = [], [], set()
    closed = Ticket.objects.filter(status=Status.CLOSED, matter__is_leaf=True)
    if since is not None:
        closed = closed.filter(closed_at__gte=since)
    for pk, content, code in closed.values_list("pk", "content", "matter__code").iterator(chunk_size=2000):
        texts.append(content)
        labels.append(code)
        seen.add(pk)
    corrections = DispatchCorrection.objects.filter(chosen_matter__is_leaf=True).order_by("-created_at")
    for pk, text, code in corrections.values_list("ticket_id", "text", "chosen_matter__code"):
        if pk not in seen:
            texts.append(text)
            labels.append(code)
            seen.add(pk)
    return texts, labels


def train_from_catalogue(*, progress: Callable[[str], None] = lambda _m: None) -> ClassifierModel:
    texts, labels = catalogue_rows()
    model = classifier.train(texts, labels, parents=hierarchy(), progress=progress)
    return store.register(model, source=ClassifierModel.Source.CATALOGUE)


def retrain(
    *,
    min_rows: int = 200,
    max_rows: int = 60_000,
    with_catalogue: bool = True,
    progress: Callable[[str], None] = lambda _m: None,
) -> ClassifierModel | None:
    """A new version from the catalogue, closed tickets and corrections; also learns roads from
    dispatch history. Activated only when it is no worse than the active version on the rows the
    active version did not see. Idempotent and safe to schedule: the worker calls it as a job."""
    learn_from_history()
    texts, labels = ticket_rows()
    if len(texts) < min_rows:
        log.info("retrain skipped: %d ticket rows, %d needed", len(texts), min_rows)
        return None
    rng = random.Random(len(texts))
    pairs = list(zip(texts, labels))
    rng.shuffle(pairs)
    pairs = pairs[:max_rows]
    holdout = pairs[: len(pairs) // 10]
    base_texts, base_labels = catalogue_rows() if with_catalogue else ([], [])
    train_pairs = pairs[len(holdout) :]
    model = classifier.train(
        base_texts + [t for t, _l in train_pairs],
        base_labels + [label for _t, label in train_pairs],
        parents=hierarchy(),
        progress=progress,
    )
    known = set(model.labels)
    check = [(t, label) for t, label in holdout if label in known]
    new_score = classifier.evaluate(model, *zip(*check)).accuracy if check else 1.0
    _version, current = store.active()
    old_score = (
        classifier.evaluate(current, *zip(*check)).accuracy
        if current is not None and check and set(current.labels) >= {label for _t, label in check}
        else 0.0
    )
    return store.register(
        model,
        source=ClassifierModel.Source.TICKETS,
        activate=new_score >= old_score,
        metrics={"holdout_accuracy": round(new_score, 4), "previous_accuracy": round(old_score, 4)},
    )


# --- the unit router: where requests really went -------------------------------------------------


def unit_examples(*, max_rows: int = 60_000) -> tuple[list[unitrouter.Example], list[unitrouter.Example]]:
    """Answered tickets and the unit that answered them (the lead whose task ended in a reply), and the
    negatives: tasks a unit returned or lost to a re-dispatch, with the unit that had them. A
    dispatcher's choice is in both: the unit they chose kept the ticket, the one they moved it
    from is a negative."""
    from hotline.tickets.models import Assignment

    lead = Assignment.Role.LEAD
    kept = (
        Assignment.objects.filter(role=lead, state=Assignment.State.REPLIED)
        .order_by("-replied_at")
        .values_list(
            "ticket__content",
            "ticket__address",
            "ticket__region_id",
            "ticket__region__level",
            "ticket__region__parent_id",
            "unit__code",
            "ticket__received_at",
        )[:max_rows]
    )
    positives = [
        unitrouter.Example(content, unitrouter.place_tokens(code, level, parent, address or ""), unit, received.date())
        for content, address, code, level, parent, unit, received in kept.iterator(chunk_size=2000)
    ]
    sent_back = (
        Assignment.objects.filter(role=lead, state__in=[Assignment.State.RETURNED, Assignment.State.WITHDRAWN])
        .order_by("-dispatched_at")
        .values_list(
            "ticket__content",
            "ticket__address",
            "ticket__region_id",
            "ticket__region__level",
            "ticket__region__parent_id",
            "unit__code",
        )[: max_rows // 10]
    )
    negatives = [
        unitrouter.Example(content, unitrouter.place_tokens(code, level, parent, address or ""), unit)
        for content, address, code, level, parent, unit in sent_back.iterator(chunk_size=2000)
    ]
    return positives, negatives


def retrain_units(*, min_rows: int = unitrouter.MIN_ROWS) -> dict:
    """Train the unit router on closed tickets (with returns as negative evidence) and put it in
    place for every process; skipped while the history is thinner than ``min_rows``."""
    positives, negatives = unit_examples()
    if len(positives) < min_rows or len({e.unit for e in positives}) < 2:
        log.info("unit router skipped: %d closed tickets, %d needed", len(positives), min_rows)
        return {"unit_router": None, "rows": len(positives)}
    counts = Counter(e.unit for e in positives)
    rows = [e for e in positives if counts[e.unit] >= 2]
    router = unitrouter.fit(rows, negatives=negatives, min_rows=min_rows)
    store.save_unit_router(router)
    return {"unit_router": router.n_train, "threshold": round(router.threshold, 4), **router.metrics}


# --- suggestions, auto-dispatch and corrections ---------------------------------------------------


def suggest_for_ticket(
    ticket: Ticket, *, suggestions: Suggestions | None = None, held: str | None = None
) -> Suggestions:
    """The suggestions for a ticket, remembered so a later dispatch can be compared with them.
    ``suggestions`` made in bulk (``suggest_many``) are recorded as they are. ``held`` says why
    the machine did not dispatch it (a ``DispatchSuggestion.Held``); by default, what the
    suggestions themselves say."""
    result = suggestions or suggest(ticket.content, ticket.address)
    _remember(ticket, result, auto=False, held=held)
    return result


def held_reason(result: Suggestions) -> str:
    """Why the machine would not dispatch alone, as a ``DispatchSuggestion.Held``; "" when it would."""
    Held = DispatchSuggestion.Held
    if result.model_version is None:
        return Held.NO_MODEL
    best = result.best
    if best is None or best.matter is None:
        return Held.NO_MATTER
    needs_place = best.matter.owner_level == "township"
    if needs_place and (result.place.region is None or best.unit is None):
        return Held.NO_PLACE
    if best.unit is None:
        return Held.NO_UNIT
    if best.confidence < result.threshold:
        # The matter alone was sure enough: the place's doubt made the difference.
        return Held.NO_PLACE if needs_place and best.matter_confidence >= result.threshold else Held.BELOW_THRESHOLD
    return Held.NONE


def sure_enough(result: Suggestions) -> bool:
    """Whether the machine may dispatch alone: clears the threshold, with a matter and a unit."""
    best = result.best
    return not result.unsure and best is not None and best.unit is not None and best.matter is not None


def _remember(ticket: Ticket, result: Suggestions, *, auto: bool, held: str | None = None) -> None:
    best = result.best
    fields = {
        "model_id": result.model_version,
        "matter": best.matter if best else None,
        "region": best.region if best else None,
        "unit": best.unit if best else None,
        "confidence": best.confidence if best else 0.0,
        "auto": auto,
        "held": "" if auto else (held or held_reason(result) or DispatchSuggestion.Held.BELOW_THRESHOLD),
        "threshold": result.threshold if result.model_version is not None else None,
    }
    # Built through the one-to-one field, so ``ticket.suggestion`` is cached for the dispatch
    # that follows and ``record_correction`` needs no query.
    row = DispatchSuggestion(ticket=ticket, **fields)
    # One statement either way: INSERT … ON CONFLICT (ticket) DO UPDATE.
    DispatchSuggestion.objects.bulk_create(
        [row],
        update_conflicts=True,
        unique_fields=["ticket"],
        update_fields=["model", "matter", "region", "unit", "confidence", "auto", "held", "threshold", "created_at"],
    )


def auto_dispatch(
    ticket: Ticket, *, suggestions: Suggestions | None = None, actor: Actor | None = None, at: dt.datetime | None = None
) -> Suggestions:
    """自动派单: dispatch the ticket to the suggested unit when the suggestion clears the centre's
    threshold; otherwise leave it for a dispatcher. Either way the suggestions are recorded.
    ``suggestions`` made in bulk are used as they are."""
    from hotline.tickets import transitions

    from .services import dispatch_ticket

    result = suggestions or suggest(ticket.content, ticket.address)
    sure = sure_enough(result)
    with transitions.service_block():
        _remember(ticket, result, auto=sure)
        if sure:
            best = result.best
            assert best is not None and best.unit is not None  # sure_enough saw both
            dispatch_ticket(ticket, lead_unit=best.unit, matter=best.matter, actor=actor, at=at)
    return result


def dispatch_by_dispatcher(
    ticket: Ticket,
    *,
    lead_unit: Unit,
    co_units: Sequence[Unit] = (),
    matter: Matter | None = None,
    note: str = "",
    actor: Actor | None = None,
    at: dt.datetime | None = None,
) -> Suggestions | None:
    """人工派单: a dispatcher sends the ticket where they chose. The machine's suggestion for it (the
    one the ticket page showed) is remembered in the same transaction, so a different choice is
    kept as a correction: training data. The page only reads; this is the write it used to do on
    every view. Returns the suggestion remembered (None while no classifier is active)."""
    from hotline.tickets import transitions

    from .services import dispatch_ticket

    transitions.check(ticket, "dispatch")  # a refused move costs no suggestion and leaves no row
    result = suggest(ticket.content, ticket.address) if store.active()[0] is not None else None
    with transitions.service_block():
        if result is not None and result.model_version is not None:
            _remember(ticket, result, auto=False)
        dispatch_ticket(ticket, lead_unit=lead_unit, co_units=co_units, matter=matter, note=note, actor=actor, at=at)
    return result


def record_correction(
    ticket: Ticket, *, matter: Matter | None, unit: Unit, actor: Actor | None = None, at: dt.datetime | None = None
) -> DispatchCorrection | None:
    """Keep a dispatch that differs from the machine's suggestion (called by ``dispatch_ticket``)."""
    try:
        suggestion = ticket.suggestion
    except DispatchSuggestion.DoesNotExist:
        return None
    if suggestion.model_id is None:
        return None  # no model proposed anything: nothing to correct
    if suggestion.matter_id == (matter.pk if matter else None) and suggestion.unit_id == unit.pk:
        return None
    already = DispatchCorrection.objects.filter(ticket=ticket, chosen_matter=matter, chosen_unit=unit).exists()
    if already:
        return None
    return DispatchCorrection.objects.create(
        ticket=ticket,
        text=ticket.content,
        suggested_matter_id=suggestion.matter_id,
        suggested_unit_id=suggestion.unit_id,
        chosen_matter=matter,
        chosen_unit=unit,
        model_id=suggestion.model_id,
        actor=actor,
        created_at=at or timezone.now(),
    )
