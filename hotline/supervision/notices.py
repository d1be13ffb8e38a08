"""Word notices (通报): spot-check findings and supervision orders as .docx documents.

The text is the product's language (zh-Hans through gettext), so a notice reads as the centre
would write it; python-docx writes a plain document the centre's staff can edit before issuing.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from .models import SpotCheck, SupervisionOrder

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument


def _document(title: str, when: dt.datetime) -> DocxDocument:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.size = Pt(11)
    heading = doc.add_heading(title, level=1)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    date = doc.add_paragraph(timezone.localtime(when).strftime("%Y-%m-%d"))
    date.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return doc


def _table(doc: DocxDocument, header: list[str], rows: list[list[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header):
        cell.text = text
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row):
            cell.text = text


def _bytes(doc: DocxDocument) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def spot_check_notice(checks: Iterable[SpotCheck], *, batch: str, at: dt.datetime | None = None) -> bytes:
    """The notice of one batch's findings: the counts, the units named and each finding."""
    checks = list(checks)
    now = at or timezone.now()
    doc = _document(_("Notice of spot-check findings (%(batch)s)") % {"batch": batch}, now)
    found = [c for c in checks if c.finding]
    false = [c for c in found if c.finding == SpotCheck.Finding.FALSE]
    coerced = [c for c in found if c.finding == SpotCheck.Finding.COERCED]
    doc.add_paragraph(
        _(
            "%(drawn)d closed tickets were drawn for checking; %(checked)d have been checked: %(false)d false "
            "closures and %(coerced)d cases of coerced satisfaction were found."
        )
        % {"drawn": len(checks), "checked": len(found), "false": len(false), "coerced": len(coerced)}
    )
    named = sorted({str(c.unit) for c in false + coerced})
    if named:
        doc.add_paragraph(_("Units named: %(units)s.") % {"units": "、".join(named)})
        doc.add_paragraph(
            _("The tickets found falsely closed have been reopened; the units are to report their rectification.")
        )
    _table(
        doc,
        [_("ticket"), _("unit"), _("finding"), _("what was found")],
        [[c.ticket.code, str(c.unit), c.get_finding_display(), c.note] for c in found],
    )
    return _bytes(doc)


def order_title(order: SupervisionOrder) -> str:
    return _("Supervision order: %(level)s") % {"level": order.get_level_display()}


def order_rows(order: SupervisionOrder) -> list[tuple[str, str]]:
    """What a supervision order says, item by item: the one text of the Word notice and the printed one."""
    ticket = order.ticket
    return [
        (_("unit"), str(order.unit)),
        (_("ticket"), ticket.code),
        (_("title"), ticket.title),
        (_("address"), ticket.address),
        (_("deadline"), timezone.localtime(order.due).strftime("%Y-%m-%d %H:%M")),
        (_("reason"), order.reason),
    ]


def order_request() -> str:
    return _("Please handle this ticket at once and reply through the platform.")


def order_notice(order: SupervisionOrder, *, at: dt.datetime | None = None) -> bytes:
    """One supervision order (督办单) as a document for the unit."""
    doc = _document(order_title(order), at or order.issued_at)
    _table(doc, [_("item"), _("detail")], [list(row) for row in order_rows(order)])
    doc.add_paragraph(order_request())
    return _bytes(doc)
