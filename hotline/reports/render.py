"""Lay a report's figures out as tables and charts, then write them as Word, Excel or plain text.

``layout(figures)`` turns the figures into titled tables once; the three writers and the report
page only place those tables, so a file and the screen can never disagree.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from hotline.evaluation.selectors import definitions
from hotline.tabular import append_row

from . import charts
from .figures import ReportFigures, Row, change
from .periods import Kind


def change_heading() -> str:
    # 环比: "Change" alone is Django's own msgid for the admin's 修改 links, so it needs a context.
    return pgettext("report column: change against the previous period", "Change")


FORMATS = ("docx", "xlsx", "txt")
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "txt": "text/plain; charset=utf-8",
}
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
    volume = [_("Name"), _("Requests"), _("Previous period"), change_heading()]
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
            [_("Figure"), _("This period"), _("Previous period"), change_heading()],
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
                [_("Transferred out (110/119/120/122, other centres)"), f.transfers.get("out", 0), "", ""],
                [_("Transferred in from 110/119/120/122"), f.transfers.get("in", 0), "", ""],
                [_("Late transfers"), f.transfers.get("late", 0), "", ""],
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
            [_("Matter"), _("Requests"), _("Previous period"), change_heading(), _("Examples")],
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


# GB/T 9704-2012 (党政机关公文格式): A4, margins 37 / 35 / 28 / 26 mm (top, bottom, left, right),
# the title in 方正小标宋 二号 centred, the body in 仿宋 三号 at 22 lines of 28 characters, first-level
# headings in 黑体, page numbers "— 1 —" in 宋体 四号 outside (odd pages right, even pages left).
PAGE_MM = (210, 297)
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
TITLE_FONT = "方正小标宋简体"  # on every government office PC; LibreOffice and WPS substitute a Song face
HEADING_FONT = "黑体"
BODY_FONT = "仿宋"
NUMBER_FONT = "宋体"
TITLE_PT, BODY_PT, TABLE_PT, PAGE_NUMBER_PT = 22, 16, 10.5, 14
SMALL_TABLE_PT = 9.0  # 小五, for a table whose names and figures do not fit on one line at 五号
LINE_PT = 28.9  # 22 lines in the 225 mm of text height
CELL_MARGIN_TWIPS = 57  # 0.1 cm left and right of a cell's text (Word's default is 0.19 cm)
CELL_PADDING_PT = 2 * CELL_MARGIN_TWIPS / 20 + 3  # both margins and a little air


def text_width_pt(text: str, size: float) -> float:
    """How wide ``text`` sets at ``size`` points: Chinese and full-width marks are one em, the rest half."""
    return sum(size if ord(c) > 0x2E7F else size * 0.6 for c in text)


def _needs(headers: list[str], rows: list[list[str]], size: float) -> list[float]:
    return [
        max([text_width_pt(row[i], size) for row in rows if i < len(row)] + [text_width_pt(headers[i][:2], size)])
        + CELL_PADDING_PT
        for i in range(len(headers))
    ]


def table_font_pt(headers: list[str], rows: list[list[str]], total: float) -> float:
    """五号 when every cell but the longest free text fits on one line, else 小五."""
    needs = _needs(headers, rows, TABLE_PT)
    return TABLE_PT if sum(needs) - max(needs) + min(max(needs), total / 2) <= total else SMALL_TABLE_PT


def column_widths_pt(headers: list[str], rows: list[list[str]], total: float, size: float = TABLE_PT) -> list[float]:
    """Widths that fit ``total``: every cell's text on one line where the page allows, headers
    allowed to wrap (to no fewer than two characters a line), and what does not fit taken from the
    longest free-text columns, never from names or figures that fit."""
    n = len(headers)
    needs = _needs(headers, rows, size)
    if sum(needs) <= total:
        # Room to spare: headers get it first, so fewer of them wrap, then every column alike.
        widths = [max(need, min(text_width_pt(h, size) + CELL_PADDING_PT, need * 2)) for need, h in zip(needs, headers)]
        if sum(widths) > total:
            widths = needs
        spare = (total - sum(widths)) / n
        return [w + spare for w in widths]
    # Too wide: the widest columns give way until the table fits (long examples wrap, names do not).
    widths = needs[:]
    while sum(widths) > total + 0.01:
        widest = max(widths)
        others = [w for w in widths if w < widest]
        second = max(others) if others else 0.0
        at_top = [i for i, w in enumerate(widths) if w == widest]
        cut = min(widest - second, (sum(widths) - total) / len(at_top))
        if cut <= 0:
            break
        for i in at_top:
            widths[i] -= cut
    return widths


def _east_asian(run_or_style: Any, name: str) -> None:
    from docx.oxml.ns import qn

    # Word and WPS take Chinese glyphs from the East Asian font slot, not from font.name.
    run_or_style.font.name = name
    run_or_style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _page_number_footer(footer: Any, *, align: Any) -> None:
    """A footer with "— N —" from a PAGE field, so Word and WPS number the pages themselves."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    paragraph = footer.paragraphs[0]
    paragraph.alignment = align

    def run(text: str = "") -> Any:
        r = paragraph.add_run(text)
        _east_asian(r, NUMBER_FONT)
        r.font.size = Pt(PAGE_NUMBER_PT)
        return r

    run("— ")
    for kind, instruction in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        r = run()
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            r._r.append(char)
        elif instruction == " PAGE ":
            code = OxmlElement("w:instrText")
            code.set(qn("xml:space"), "preserve")
            code.text = instruction
            r._r.append(code)
        else:
            r.text = instruction
    run(" —")


def to_docx(report: Layout) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt, RGBColor

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.footer_distance = Mm(28)  # the number sits about 7 mm below the last line of text
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number_footer(section.footer, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number_footer(section.even_page_footer, align=WD_ALIGN_PARAGRAPH.LEFT)
    text_width = (PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]) / 25.4 * 72

    normal = doc.styles["Normal"]
    _east_asian(normal, BODY_FONT)
    normal.font.size = Pt(BODY_PT)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal.paragraph_format.line_spacing = Pt(LINE_PT)
    normal.paragraph_format.space_after = Pt(0)
    for name, font, size, bold in (("Title", TITLE_FONT, TITLE_PT, False), ("Heading 1", HEADING_FONT, BODY_PT, False)):
        style = doc.styles[name]
        _east_asian(style, font)
        style.font.size = Pt(size)
        style.font.bold = bold
        style.font.italic = False
        style.font.color.rgb = RGBColor(0, 0, 0)  # not Word's default blue
        style.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        style.paragraph_format.line_spacing = Pt(LINE_PT if name != "Title" else 36)
        style.paragraph_format.space_before = Pt(0)
        style.paragraph_format.space_after = Pt(0)
        # The default Title has a blue rule under it: GB/T 9704 titles have none.
        borders = style.element.pPr.find(qn("w:pBdr")) if style.element.pPr is not None else None
        if borders is not None:
            style.element.pPr.remove(borders)
    doc.styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def body(text: str, *, indent: bool = True, align: Any = None) -> None:
        paragraph = doc.add_paragraph(xml_safe(text))
        if indent:
            paragraph.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
        if align is not None:
            paragraph.alignment = align

    def picture(chart: charts.Chart) -> None:
        width = min(chart.width_inches, text_width / 72)
        paragraph = doc.add_paragraph()
        # An exact line height would crop the picture to one line.
        paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run().add_picture(io.BytesIO(chart.png), width=Mm(width * 25.4))

    doc.add_paragraph(xml_safe(report.title), style="Title")
    body(report.subtitle, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    doc.add_paragraph()  # 空一行 between the title block and the text
    for line in report.summary:
        body(line)
    if report.trend:
        picture(report.trend)
    if report.charts_note:
        body(report.charts_note)
    for number, table in enumerate(report.tables, start=1):
        doc.add_paragraph(xml_safe(f"{_chinese_number(number)}、{table.title}"), style="Heading 1")
        cells = [[xml_safe(str(value)) for value in row] for row in table.rows]
        headers = [xml_safe(h) for h in table.headers]
        table_pt = table_font_pt(headers, cells, text_width)
        widths = column_widths_pt(headers, cells, text_width, table_pt)
        grid = doc.add_table(rows=1 + len(cells), cols=len(headers), style="Table Grid")
        grid.alignment = WD_TABLE_ALIGNMENT.CENTER
        grid.autofit = False
        layout_fixed = OxmlElement("w:tblLayout")
        layout_fixed.set(qn("w:type"), "fixed")
        grid._tbl.tblPr.append(layout_fixed)
        margins = OxmlElement("w:tblCellMar")
        for side in ("left", "right"):
            margin = OxmlElement(f"w:{side}")
            margin.set(qn("w:w"), str(CELL_MARGIN_TWIPS))
            margin.set(qn("w:type"), "dxa")
            margins.append(margin)
        grid._tbl.tblPr.append(margins)
        for column, width in zip(grid.columns, widths):
            column.width = Pt(width)
        for r, values in enumerate([headers, *cells]):
            row = grid.rows[r]
            if r == 0:
                # The header row repeats at the top of every page the table runs onto.
                header = OxmlElement("w:tblHeader")
                row._tr.get_or_add_trPr().append(header)
            for c, (cell, value) in enumerate(zip(row.cells, values)):
                cell.width = Pt(widths[c])
                paragraph = cell.paragraphs[0]
                paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
                paragraph.paragraph_format.first_line_indent = Pt(0)
                paragraph.paragraph_format.space_before = paragraph.paragraph_format.space_after = Pt(2)
                if c > 0 and r > 0 and not _is_text(table.rows[r - 1][c]):
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                run = paragraph.add_run(value)
                _east_asian(run, HEADING_FONT if r == 0 else BODY_FONT)
                run.font.size = Pt(table_pt)
        if table.note:
            note = doc.add_paragraph(xml_safe(table.note))
            note.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
            for run in note.runs:
                run.font.size = Pt(TABLE_PT + 1.5)
        if table.chart:
            picture(table.chart)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _is_text(value: Cell) -> bool:
    return isinstance(value, str) and not value.replace(".", "").replace("-", "").isdigit()


def _chinese_number(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


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
        append_row(front, [line])
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
            # A citizen's "=HYPERLINK(…)" is text, never a formula Excel would run.
            append_row(sheet, [c.value if isinstance(c, Percent) else c for c in row])
            for cell, value in zip(sheet[sheet.max_row], row):
                if isinstance(value, Percent):
                    cell.number_format = value.excel_format
        if table.note:
            sheet.append([])
            append_row(sheet, [table.note])
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
