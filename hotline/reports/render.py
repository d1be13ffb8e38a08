"""Lay a report's figures out as tables and charts, then write them as Word, Excel or plain text.

``layout(figures)`` turns the figures into titled tables once; the three writers and the report
page only place those tables, so a file and the screen can never disagree.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from hotline.evaluation.selectors import definitions

from . import charts
from .figures import ReportFigures, Row, change
from .periods import Kind

FORMATS = ("docx", "xlsx", "txt")
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "txt": "text/plain; charset=utf-8",
}
BODY_FONT = "宋体"  # SimSun: present in every Chinese Office and WPS installation
# Control characters XML 1.0 forbids: a citizen's text carrying one would make Word and Excel
# refuse the whole file (python-docx and openpyxl raise on them).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    return NOT_XML.sub("", text)


@dataclass(frozen=True)
class Percent:
    """A percentage (or, signed, a change) that prints as such and stays a number in Excel."""

    value: float | None
    signed: bool = False
    # A difference of two rates, in percentage points: no "%" sign.
    points: bool = False

    def __str__(self) -> str:
        if self.value is None:
            return "—"
        if self.points:
            return f"{self.value:+.1f}"
        return f"{self.value:+.1f}%" if self.signed else f"{self.value:.1f}%"

    @property
    def excel_format(self) -> str:
        if self.points:
            return "+0.0;-0.0;0.0"
        return '+0.0"%";-0.0"%";0.0"%"' if self.signed else '0.0"%"'


Cell = str | int | Percent


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[Cell]]
    note: str = ""
    chart: charts.Chart | None = None


@dataclass
class Layout:
    title: str
    subtitle: str
    summary: list[str]
    tables: list[Table] = field(default_factory=list)
    trend: charts.Chart | None = None
    # Written out by layout() in the active language, so the writers need no translations.
    summary_title: str = ""
    charts_note: str = ""


def period_label(figures: ReportFigures) -> str:
    p = figures.period
    if p.kind == Kind.MONTHLY:
        return _("%(year)d-%(month)02d") % {"year": p.first.year, "month": p.first.month}
    if p.kind == Kind.WEEKLY:
        year, week, _day = p.first.isocalendar()
        return _("week %(week)d of %(year)d (%(first)s to %(last)s)") % {
            "week": week,
            "year": year,
            "first": p.first.isoformat(),
            "last": p.last.isoformat(),
        }
    return p.first.isoformat()


def _sentences(texts: Iterable[str]) -> str:
    """Sentences run on: Chinese puts no space between them."""
    return ("" if (get_language() or "").startswith("zh") else " ").join(texts)


def _rate_row(label: str, rates: dict, before: dict) -> list[Cell]:
    out: list[Cell] = [label, rates["n"]]
    for key in ("response", "resolution", "satisfaction"):
        now, prev = rates.get(key), before.get(key)
        out += [Percent(now), Percent(None if now is None or prev is None else now - prev, points=True)]
    return out


def _unit_rate_cells(row: Row) -> list[Cell]:
    """A unit row's valid revisits and three rates; the figures give every unit row its rates."""
    assert row.rates is not None
    return [row.rates["n"], *(Percent(row.rates[key]) for key in ("response", "resolution", "satisfaction"))]


def _volume_rows(rows: list[Row], *, overdue: bool = False) -> list[list[Cell]]:
    out: list[list[Cell]] = []
    for row in rows:
        cells: list[Cell] = [row.name, row.n, row.previous, Percent(row.change, signed=True)]
        if overdue:
            cells.append(row.overdue)
        out.append(cells)
    return out


def layout(f: ReportFigures, *, with_charts: bool = True) -> Layout:
    """The report as titled tables (and charts), in the active language."""
    kind_label = str(Kind(f.kind).label)
    volume = [_("Name"), _("Requests"), _("Previous period"), _("Change")]
    rate_headers = [
        "",
        _("Valid revisits"),
        _("Response rate"),
        _("Change (points)"),
        _("Resolution rate"),
        _("Change (points)"),
        _("Satisfaction rate"),
        _("Change (points)"),
    ]
    as_of = timezone.localtime(f.as_of)
    summary = [
        _("%(n)d requests received, %(change)s on the previous period (%(before)d).")
        % {"n": f.total, "change": Percent(f.total_change, signed=True), "before": f.previous_total},
        _("%(answered)d answered directly, %(dispatched)d dispatched to units.")
        % {"answered": f.answered_directly, "dispatched": f.dispatched},
        _("Response %(response)s, resolution %(resolution)s, satisfaction %(satisfaction)s over %(n)d valid revisits.")
        % {
            "response": Percent(f.rates["response"]),
            "resolution": Percent(f.rates["resolution"]),
            "satisfaction": Percent(f.rates["satisfaction"]),
            "n": f.rates["n"],
        },
        _("%(overdue)d tickets overdue and still being handled; %(missed)d deadlines missed in the period.")
        % {"overdue": f.overdue_open, "missed": f.deadlines_missed},
    ]
    if f.running:
        summary.append(_("The period is still running: figures as of %(time)s.") % {"time": f"{as_of:%Y-%m-%d %H:%M}"})
    out = Layout(
        title=_("12345 hotline %(kind)s, %(period)s") % {"kind": kind_label, "period": period_label(f)},
        subtitle=_("Generated %(time)s") % {"time": f"{timezone.localtime(f.generated_at):%Y-%m-%d %H:%M}"},
        summary=summary,
    )
    draw = with_charts and charts.cjk_font() is not None
    out.summary_title = _("Summary")
    if with_charts and not draw:
        out.charts_note = _("Charts left out: no font with Chinese characters on the server.")

    def bar_chart(title: str, rows: list[Row], limit: int = 12) -> charts.Chart | None:
        return charts.bars(title, [(r.name, r.n) for r in rows[:limit]]) if draw else None

    out.tables.append(
        Table(
            _("Key figures"),
            [_("Figure"), _("This period"), _("Previous period"), _("Change")],
            [
                [_("Requests received"), f.total, f.previous_total, Percent(f.total_change, signed=True)],
                [_("Deadlines missed"), f.deadlines_missed, f.previous_deadlines_missed, ""],
                [_("Returns"), f.returns, f.previous_returns, ""],
                [_("Re-dispatches after a return"), f.redispatches, "", ""],
                [_("Tickets reopened after a revisit"), f.reopened, "", ""],
                [_("First dispatches"), f.first_dispatched, "", ""],
                [_("Dispatched within the dispatch deadline"), f.dispatched_on_time, "", ""],
                [_("Dispatch timeliness rate"), Percent(f.dispatch_on_time_rate), "", ""],
                [
                    _("Companies' requests (涉企诉求)"),
                    f.company_requests,
                    f.previous_company_requests,
                    Percent(change(f.company_requests, f.previous_company_requests), signed=True),
                ],
                [_("Tickets escalated"), f.escalated, "", ""],
                [_("Overdue, still being handled"), f.overdue_open, "", ""],
            ],
            note=_(
                "Overdue: being handled past the resolution deadline at %(time)s, whenever received. "
                "Deadlines missed: resolution deadlines that fell in the period without a reply in time."
            )
            % {"time": f"{as_of:%Y-%m-%d %H:%M}"},
        )
    )
    out.tables.append(
        Table(
            _("The three rates"),
            rate_headers,
            [_rate_row(_("All units"), f.rates, f.previous_rates)],
            # The definitions the figures are computed by, with the centre's settings filled in: a
            # restatement here once told readers that "basically satisfied" counted in full.
            note=_sentences(
                definitions(f.policy)[key] for key in ("response", "resolution", "satisfaction", "sample", "policy")
            ),
        )
    )
    breakdowns = [
        (_("By channel"), f.by_channel, False, _("Requests by channel")),
        (_("By matter category"), f.by_category, False, _("Requests by matter category")),
        (_("By district or county"), f.by_district, True, _("Requests by district or county")),
        (_("Townships and streets with the most requests"), f.by_township, True, None),
    ]
    # What each column of a breakdown counts (m11): rows and the headline must not seem to disagree.
    counted = _(
        "Requests: received in the period. Overdue now: being handled past the resolution deadline at "
        "%(time)s, whenever received (they add up to the summary's overdue figure)."
    ) % {"time": f"{as_of:%Y-%m-%d %H:%M}"}
    for title, rows, overdue, chart_title in breakdowns:
        headers = [*volume, _("Overdue now")] if overdue else volume
        chart = bar_chart(chart_title, rows) if chart_title else None
        out.tables.append(
            Table(title, headers, _volume_rows(rows, overdue=overdue), chart=chart, note=counted if overdue else "")
        )
    out.tables.append(
        Table(
            _("Units with the most requests"),
            [
                _("Unit"),
                _("Requests"),
                _("Previous period"),
                _("Overdue now"),
                *rate_headers[1:3],
                rate_headers[4],
                rate_headers[6],
            ],
            [[r.name, r.n, r.previous, r.overdue, *_unit_rate_cells(r)] for r in f.by_unit],
            note=counted,
        )
    )
    out.tables.append(
        Table(
            _("Appeals by unit"),
            [_("Unit"), _("Appeals filed"), _("Accepted"), _("Rejected"), _("Pending")],
            [list(row) for row in f.appeals],
            note=_("Appeals filed in the period against a revisit result, a dispatch or a spot-check finding."),
        )
    )
    if f.operator_quality:
        out.tables.append(
            Table(
                _("Operator quality"),
                [_("Operator"), _("Calls drawn"), _("Rated"), _("Average score")],
                [
                    [r["operator"], r["drawn"], r["reviewed"], "—" if r["average"] is None else round(r["average"], 1)]
                    for r in f.operator_quality
                ],
                note=_("A monthly sample of each operator's calls, rated against the centre's rubric."),
            )
        )
    out.tables.append(
        Table(
            _("Top issues of the period"),
            [_("Matter"), _("Requests"), _("Previous period"), _("Change"), _("Examples")],
            [
                [i.path or i.name, i.n, i.previous, Percent(i.change, signed=True), "；".join(i.examples)]
                for i in f.top_issues
            ],
        )
    )
    if draw:
        out.trend = charts.line(_("Requests per day"), [(f"{d:%m-%d}", n) for d, n in f.trend])
    return out


def to_txt(report: Layout) -> bytes:
    lines = [report.title, report.subtitle, "", *report.summary]
    for table in report.tables:
        lines += ["", f"【{table.title}】", "\t".join(table.headers)]
        lines += ["\t".join(str(c) for c in row) for row in table.rows]
        if table.note:
            lines.append(table.note)
    return ("\n".join(lines) + "\n").encode("utf-8")


def to_docx(report: Layout) -> bytes:
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Inches, Pt

    doc = Document()
    for style_name in ("Normal", "Title", "Heading 1", "Heading 2", "Table Grid"):
        style = doc.styles[style_name]
        style.font.name = BODY_FONT
        # Word and WPS pick Chinese glyphs from the East Asian font slot, not from font.name.
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    doc.styles["Normal"].font.size = Pt(10.5)
    doc.add_heading(xml_safe(report.title), level=0)
    doc.add_paragraph(xml_safe(report.subtitle))
    for line in report.summary:
        doc.add_paragraph(xml_safe(line))
    if report.trend:
        doc.add_picture(io.BytesIO(report.trend.png), width=Inches(report.trend.width_inches))
    if report.charts_note:
        doc.add_paragraph(report.charts_note)
    for table in report.tables:
        doc.add_heading(xml_safe(table.title), level=1)
        grid = doc.add_table(rows=1, cols=len(table.headers), style="Table Grid")
        for cell, header in zip(grid.rows[0].cells, table.headers):
            cell.text = xml_safe(header)
        for row in table.rows:
            for cell, value in zip(grid.add_row().cells, row):
                cell.text = xml_safe(str(value))
        if table.note:
            doc.add_paragraph(xml_safe(table.note))
        if table.chart:
            doc.add_picture(io.BytesIO(table.chart.png), width=Inches(table.chart.width_inches))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _sheet_title(title: str, used: set[str]) -> str:
    # Excel: at most 31 characters, none of []:*?/\ , unique within the workbook.
    clean = "".join(c for c in title if c not in "[]:*?/\\")[:28] or "sheet"
    name, n = clean, 2
    while name in used:
        name, n = f"{clean[:26]}{n}", n + 1
    used.add(name)
    return name


def to_xlsx(report: Layout) -> bytes:
    from openpyxl import Workbook
    from openpyxl.drawing.image import Image
    from openpyxl.styles import Font

    book = Workbook()
    used: set[str] = set()
    front = book.active
    assert front is not None  # a new workbook's one sheet
    front.title = _sheet_title(report.summary_title or "Summary", used)
    front.append([xml_safe(report.title)])
    front["A1"].font = Font(bold=True, size=14)
    front.append([report.subtitle])
    for line in report.summary:
        front.append([xml_safe(line)])
    front.column_dimensions["A"].width = 100
    if report.trend:
        front.add_image(Image(io.BytesIO(report.trend.png)), f"A{front.max_row + 2}")
    for table in report.tables:
        sheet = book.create_sheet(_sheet_title(table.title, used))
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True)
        sheet.append(table.headers)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([c.value if isinstance(c, Percent) else xml_safe(c) if isinstance(c, str) else c for c in row])
            for cell, value in zip(sheet[sheet.max_row], row):
                if cell.data_type == "f":
                    # A citizen's "=HYPERLINK(…)" is text, never a formula Excel would run.
                    cell.data_type = "s"
                if isinstance(value, Percent):
                    cell.number_format = value.excel_format
        if table.note:
            sheet.append([])
            sheet.append([table.note])
        sheet.column_dimensions["A"].width = 36
        if table.chart:
            sheet.add_image(Image(io.BytesIO(table.chart.png)), f"{chr(ord('A') + len(table.headers) + 1)}2")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


WRITERS = {"docx": to_docx, "xlsx": to_xlsx, "txt": to_txt}


def render(report: Layout, fmt: str) -> bytes:
    if fmt not in WRITERS:
        raise ValueError(f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return WRITERS[fmt](report)
