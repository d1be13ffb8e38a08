"""``hotline history import FILE``: a centre's past requests brought in as closed tickets.

A history file is a CSV or Excel table (read by ``hotline.tabular``, the one reader) with, per row,
the request's text (``text``, or ``title`` and ``query``, or ``content``), its date (``date``,
``query_date`` or ``received_at``), the unit that handled it (``unit``, ``reply_agency`` or
``handling_unit``) and optionally an ``address``, the ``reply``, its ``reply_date`` and the
source's own row id (``id`` or ``mail_id``). Chinese headers (诉求内容, 日期, 办理单位…) work too.

What it promises:

- **Idempotent.** Each row has a stable key, the ticket's ``external_id`` on the history channel
  (unique per channel in the database): the source's id joined to a hash of the text and date, or
  the hash alone when the file has no id column. A second import of the same file, or of a later
  export that repeats its rows, creates nothing for the rows already in. Two identical rows of one
  file are one request (counted as duplicates); one id on two different rows (Shangluo's mailbox
  has such a pair) are two requests, both imported and their lines listed.
- **All or nothing.** Every row is checked first; any problem (no text, no or bad date, a date in
  the future, a field too long for its column…) refuses the whole file with each problem named by
  its line, and writes no ticket. A file too large, with too many rows, not a table or with no
  history columns is refused the same way.
- **Units through aliases.** Names are matched to the unit table by ``orgs.unitnames.match``:
  exactly, through a confirmed ``UnitAlias``, after normalising (市住建局 → 市住房和城乡建设局), or
  by fuzzy similarity. Every name that is not a unit's own name is written to ``UnitAlias``: a
  normalised one confirmed, a fuzzy one as a *proposal* that counts only once an administrator
  confirms it in the admin, an unmatched one without a unit. These alias rows are written even when
  the import refuses: they are what the administrator needs to settle the names.
- **Unmatched names.** By default the import refuses while any row's unit is unmatched or only a
  fuzzy proposal, and lists the names (with their rows) — a row is never imported under a unit
  nobody confirmed, nor silently without one. ``allow_unmatched`` imports those rows without a
  unit (no lead task: they count for repeats and hot issues, not for the unit router), still
  listing the names. Rows already imported stay as they were on a later import: confirm the names
  first to have them learnt from.

The tickets are closed by ``tickets.transitions.import_history`` (the only writer of status) on
the history channel ``tickets.models.HISTORY_CHANNEL``, which the current period's figures exclude.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline import limits
from hotline.intake.models import Channel
from hotline.intake.services import normalize_phone
from hotline.orgs.models import Region, Unit, UnitAlias
from hotline.orgs.unitnames import Match, match
from hotline.tabular import LINE, read_table
from hotline.text import clean_text
from hotline.tickets import transitions
from hotline.tickets.models import HISTORY_CHANNEL, Ticket

MAX_BYTES = 64 * 1024 * 1024  # a decade of a large city's requests in CSV is far below
MAX_ROWS = 500_000
ID_LENGTH = 60
UNIT_NAME = 100  # UnitAlias.name

# Header names as other systems and our own exports write them -> the columns read here.
ALIASES = {
    "诉求内容": "text",
    "内容": "text",
    "标题": "title",
    "日期": "date",
    "受理时间": "date",
    "来信日期": "date",
    "地址": "address",
    "办理单位": "unit",
    "承办单位": "unit",
    "答复单位": "unit",
    "答复内容": "reply",
    "办理结果": "reply",
    "答复日期": "reply_date",
    "电话": "phone",
    "来电号码": "phone",
    "编号": "id",
    "工单编号": "id",
}
_TEXT = (("text",), ("title", "query"), ("query",), ("content",))
_DATE = ("date", "query_date", "received_at")
_UNIT = ("unit", "reply_agency", "handling_unit")
_ID = ("id", "mail_id")
_DATE_FORM = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")


@dataclass
class Outcome:
    rows: int = 0
    created: int = 0
    already: int = 0  # imported before (same key)
    duplicates: list[int] = field(default_factory=list)  # lines repeating an earlier row of the file
    # (line, id, earlier line): the source gave one id to two different requests; both are imported
    # (the key holds the text's hash too) and the lines are listed for the administrator.
    shared_ids: list[tuple[int, str, int]] = field(default_factory=list)
    matched: Counter[str] = field(default_factory=Counter)  # how -> rows
    proposals: list[tuple[str, str, float, int]] = field(default_factory=list)  # name, unit, score, rows
    unmatched: list[tuple[str, int, list[int]]] = field(default_factory=list)  # name, rows, first lines
    without_unit: int = 0  # rows imported without a unit


class HistoryRefused(ValidationError):
    """The import refused the file; ``outcome`` says what it found (names listed, nothing written)."""

    def __init__(self, messages: list[str], outcome: Outcome) -> None:
        super().__init__(messages)
        self.outcome = outcome


@dataclass(frozen=True)
class _Row:
    line: int
    key: str
    text: str
    title: str
    address: str
    unit_name: str
    phone: str
    reply: str
    received: dt.datetime
    replied: dt.datetime


def _when(value: str) -> dt.datetime | None:
    found = _DATE_FORM.match(value.strip())
    if not found:
        return None
    y, m, d, hh, mm, ss = found.groups()
    try:
        naive = dt.datetime(int(y), int(m), int(d), int(hh or 0), int(mm or 0), int(ss or 0))
    except ValueError:
        return None
    return timezone.make_aware(naive)


def _columns(header: set[str]) -> tuple[tuple[str, ...], str, str, str | None]:
    text = next((cols for cols in _TEXT if set(cols) <= header), None)
    date = next((c for c in _DATE if c in header), None)
    unit = next((c for c in _UNIT if c in header), None)
    if text is None or date is None or unit is None:
        raise ValidationError(
            _("A history file needs a text (text, or title and query), a date and a unit column; found: %(cols)s")
            % {"cols": ", ".join(sorted(h for h in header if h != LINE))}
        )
    return text, date, unit, next((c for c in _ID if c in header), None)


def read_rows(path: Path, *, now: dt.datetime, max_bytes: int = MAX_BYTES, max_rows: int = MAX_ROWS) -> list[_Row]:
    """The file's rows, checked; every problem named by its line, all of them in one refusal."""
    if not path.is_file():
        raise ValidationError(_("No such file: %(path)s") % {"path": path})
    size = path.stat().st_size
    if size == 0:
        raise ValidationError(_("The history file is empty."))
    if size > max_bytes:
        raise ValidationError(
            _("The history file is %(size)d MB, over the %(max)d MB an import takes: split it by year.")
            % {"size": size // 2**20, "max": max_bytes // 2**20}
        )
    table = read_table(path, required=[], aliases=ALIASES, lines=True)
    if not table:
        raise ValidationError(_("The history file has no rows."))
    if len(table) > max_rows:
        raise ValidationError(
            _("The history file has %(n)d rows, over the %(max)d an import takes: split it by year.")
            % {"n": len(table), "max": max_rows}
        )
    text_cols, date_col, unit_col, id_col = _columns(set(table[0]))
    problems: list[tuple[int, str]] = []
    rows: list[_Row] = []
    for raw in table:
        line = int(raw[LINE])
        said: list[str] = []
        parts = [clean_text(raw[c]) for c in text_cols]
        text = parts[-1] or parts[0]
        title = parts[0] if len(parts) > 1 else ""
        if not text:
            said.append(_("no text"))
        elif len(text) > limits.CONTENT:
            said.append(_("text over %(n)d characters") % {"n": limits.CONTENT})
        if len(title) > limits.TITLE:
            said.append(_("title over %(n)d characters") % {"n": limits.TITLE})
        received = _when(raw[date_col])
        if not raw[date_col]:
            said.append(_("no date"))
        elif received is None:
            said.append(_("not a date: %(value)s") % {"value": raw[date_col][:40]})
        elif received > now:
            said.append(_("date in the future: %(value)s") % {"value": raw[date_col][:40]})
        reply_date = raw.get("reply_date", "")
        replied = _when(reply_date) if reply_date else received
        if reply_date and replied is None:
            said.append(_("not a date: %(value)s") % {"value": reply_date[:40]})
        address = clean_text(raw.get("address", ""))
        if len(address) > limits.ADDRESS:
            said.append(_("address over %(n)d characters") % {"n": limits.ADDRESS})
        reply = clean_text(raw.get("reply", ""))
        if len(reply) > limits.RESULT:
            said.append(_("reply over %(n)d characters") % {"n": limits.RESULT})
        phone = clean_text(raw.get("phone", ""))
        if phone:
            try:
                phone = normalize_phone(phone)
            except ValueError:
                said.append(_("not a phone number: %(value)s") % {"value": phone[:40]})
        unit_name = clean_text(raw[unit_col])
        if len(unit_name) > UNIT_NAME:
            said.append(_("unit name over %(n)d characters") % {"n": UNIT_NAME})
        source_id = clean_text(raw[id_col]) if id_col else ""
        if len(source_id) > ID_LENGTH:
            said.append(_("id over %(n)d characters") % {"n": ID_LENGTH})
        if said:
            problems.append((line, _("line %(line)d: %(what)s") % {"line": line, "what": "; ".join(said)}))
            continue
        assert received is not None
        digest = hashlib.sha256(f"{received.date().isoformat()}\n{text}".encode()).hexdigest()
        key = f"id:{source_id}:{digest[:24]}" if source_id else f"sha:{digest[:40]}"
        rows.append(
            _Row(
                line=line,
                key=key,
                text=text,
                title=(title or text)[: limits.TITLE],
                address=address,
                unit_name=unit_name,
                phone=phone,
                reply=reply,
                received=received,
                replied=max(replied or received, received),
            )
        )
    if problems:
        raise ValidationError([message for _line, message in sorted(problems, key=lambda p: p[0])])
    return rows


def import_file(
    path: str | Path,
    *,
    division: str = "",
    allow_unmatched: bool = False,
    now: dt.datetime | None = None,
    max_bytes: int = MAX_BYTES,
    max_rows: int = MAX_ROWS,
    progress: Callable[[str], None] = lambda _m: None,
) -> Outcome:
    """Import the history in ``path``; raises ``ValidationError`` (``HistoryRefused`` once the rows
    were read) and writes no ticket when it refuses."""
    from .history import city_places

    path = Path(path)
    now = now or timezone.now()
    rows = read_rows(path, now=now, max_bytes=max_bytes, max_rows=max_rows)
    outcome = Outcome(rows=len(rows))
    unique: dict[str, _Row] = {}
    by_id: dict[str, _Row] = {}
    for row in rows:
        if row.key in unique:
            outcome.duplicates.append(row.line)
            continue
        unique[row.key] = row
        if row.key.startswith("id:"):
            source_id = row.key[3:].rsplit(":", 1)[0]
            earlier = by_id.setdefault(source_id, row)
            if earlier is not row:
                outcome.shared_ids.append((row.line, source_id, earlier.line))

    city, counties = "", list[str]()
    places = None
    if division:
        places = city_places(division)
        city, counties = places.city, list(places.counties)
    regions = (
        set(
            Region.objects.filter(Q(pk=division) | Q(parent_id=division) | Q(parent__parent_id=division)).values_list(
                "pk", flat=True
            )
        )
        if division
        else set()
    )

    def region_of(row: _Row) -> str | None:
        """The township, else the county, the address (else the text) names: repeats and hot
        issues look for a request's neighbours by place."""
        if places is None:
            return None
        for text in (row.address, row.text):
            tokens = places.tokens(text)
            for kind in ("township:", "county:"):
                found = [t.split(":", 1)[1] for t in tokens if t.startswith(kind)]
                if found and found[0] in regions:
                    return found[0]
        return None

    active = Unit.objects.filter(is_active=True)
    if division:  # the city's own units: another city's 市公安局 is not this one's
        active = active.filter(
            Q(region_id=division) | Q(region__parent_id=division) | Q(region__parent__parent_id=division)
        )
    units = dict(active.values_list("code", "name"))
    aliases = dict(UnitAlias.objects.filter(confirmed=True, unit__isnull=False).values_list("name", "unit__code"))
    names = Counter(r.unit_name for r in unique.values())
    found = {m.name: m for m in match(names, units, aliases=aliases, city=city, counties=counties)}
    lines: dict[str, list[int]] = {}
    for r in unique.values():
        lines.setdefault(r.unit_name, []).append(r.line)
    unit_of: dict[str, str] = {}
    for name, m in found.items():
        if m.how in ("exact", "alias", "normalised") and m.unit:
            unit_of[name] = m.unit
            outcome.matched[m.how] += names[name]
        elif m.how == "fuzzy" and m.unit:
            outcome.proposals.append((name, units[m.unit], m.score, names[name]))
        else:
            outcome.unmatched.append((name, names[name], lines[name][:5]))
    _keep_aliases(found, names, source=path.name)

    pending = sum(n for _n, _u, _s, n in outcome.proposals) + sum(n for _n, n, _l in outcome.unmatched)
    if pending and not allow_unmatched:
        listed = [
            _("unit %(name)s (%(n)d rows): proposed %(unit)s (similarity %(score).0f), to confirm in the admin")
            % {"name": name, "n": n, "unit": unit, "score": score}
            for name, unit, score, n in outcome.proposals
        ] + [
            _("unit %(name)s (%(n)d rows, lines %(lines)s): no unit found")
            % {"name": name or _("(empty)"), "n": n, "lines": ", ".join(map(str, at))}
            for name, n, at in outcome.unmatched
        ]
        raise HistoryRefused(
            [
                _(
                    "%(n)d rows name a unit that is not matched yet; confirm or set them under unit aliases "
                    "in the admin, or import those rows without a unit (--allow-unmatched)."
                )
                % {"n": pending},
                *listed,
            ],
            outcome,
        )

    taken = set(
        Ticket.objects.filter(channel_id=HISTORY_CHANNEL, external_id__in=list(unique)).values_list(
            "external_id", flat=True
        )
    )
    outcome.already = len(taken)
    fresh = [r for k, r in unique.items() if k not in taken]
    unit_rows = {u.code: u for u in Unit.objects.filter(code__in=set(unit_of.values()))}
    requests = []
    for r in fresh:
        unit = unit_rows.get(unit_of.get(r.unit_name, ""))
        if unit is None:
            outcome.without_unit += 1
        ticket = Ticket(
            code="H" + hashlib.sha1(r.key.encode()).hexdigest()[:15].upper(),
            channel_id=HISTORY_CHANNEL,
            external_id=r.key,
            title=r.title,
            content=r.text,
            address=r.address,
            region_id=region_of(r),
            requester_phone=r.phone,
            received_at=r.received,
            replied_at=r.replied,
            closed_at=r.replied,
            result=r.reply,
        )
        requests.append(transitions.PastRequest(ticket, unit, r.reply, note=r.unit_name))
    with transaction.atomic():
        history_channel()
        for start in range(0, len(requests), 5000):
            outcome.created += transitions.import_history(requests[start : start + 5000])
            progress(f"{outcome.created}/{len(requests)}")
    return outcome


def history_channel() -> Channel:
    channel, _created = Channel.objects.get_or_create(
        code=HISTORY_CHANNEL,
        defaults={"name": _("imported history"), "kind": Channel.Kind.HISTORY, "is_active": False, "sort": 999},
    )
    return channel


def _keep_aliases(found: dict[str, Match], names: Counter[str], *, source: str) -> None:
    """Every name that is not a unit's own, in ``UnitAlias``: normalised ones confirmed, fuzzy ones
    proposed, unmatched ones without a unit. A confirmed alias is left as the administrator set it."""
    kept = {a.name: a for a in UnitAlias.objects.filter(name__in=list(found))}
    codes = {m.unit for m in found.values() if m.unit}
    unit_ids = dict(Unit.objects.filter(code__in=codes).values_list("code", "pk"))
    with transaction.atomic():
        for name, m in found.items():
            if m.how == "exact" or not name:
                continue
            alias = kept.get(name) or UnitAlias(name=name)
            alias.rows, alias.source = names[name], source[:200]
            if not alias.confirmed:
                alias.unit_id = unit_ids.get(m.unit) if m.unit else None
                alias.how = {"normalised": UnitAlias.How.NORMALISED, "fuzzy": UnitAlias.How.FUZZY}.get(
                    m.how, UnitAlias.How.NONE
                )
                alias.score = m.score
                alias.confirmed = m.how == "normalised"
            alias.save()
