"""The Word, Excel and text files: what they hold, that hostile text cannot break them, and that
LibreOffice opens them."""

import datetime as dt
import io
import os
import shutil
import subprocess

import pytest
from django.utils import timezone, translation

from hotline.reports import charts
from hotline.reports.figures import period_figures
from hotline.reports.periods import Kind
from hotline.reports.render import Percent, layout, render
from hotline.reports.services import build

needs_font = pytest.mark.skipif(
    charts.cjk_font() is None,
    reason="no CJK font (fonts-wqy-microhei, fonts-noto-cjk): no charts; scripts/install-browser installs one",
)


def office_required() -> bool:
    return "True" in (os.environ.get("HOTLINE_OFFICE_REQUIRED"), os.environ.get("HOTLINE_BROWSER_REQUIRED"))


@pytest.fixture
def soffice():
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        if office_required():
            pytest.fail("LibreOffice is required here (HOTLINE_OFFICE_REQUIRED/HOTLINE_BROWSER_REQUIRED) but missing")
        pytest.skip("LibreOffice is not installed; scripts/install-office installs it as root")
    return found


def yesterday():
    # A whole simulated day, whatever the hour the tests run at.
    return timezone.localdate() - dt.timedelta(days=1)


def zh_layout(kind=Kind.DAILY, day=None, **kwargs):
    with translation.override("zh-hans"):
        return layout(period_figures(kind, day or timezone.localdate()), **kwargs)


@pytest.mark.clock
def test_the_text_report_carries_every_table_in_chinese(history):
    text = render(zh_layout(with_charts=False), "txt").decode("utf-8")
    assert text.startswith("12345热线日报（")
    for title in ("【主要指标】", "【三率】", "【按渠道】", "【按事项分类】", "【按县区】", "【本期热点问题】"):
        assert title in text
    assert "本期尚未结束" in text  # today is still running


@pytest.mark.clock
def test_unknown_formats_are_refused(ref):
    with pytest.raises(ValueError, match="unknown report format"):
        render(zh_layout(), "pdf")
    with pytest.raises(ValueError, match="unknown report format"):
        build(Kind.DAILY, timezone.localdate(), ["docx", "exe"])


@pytest.mark.clock
@needs_font
def test_word_holds_tables_and_charts_as_images(history):
    from docx import Document

    doc = Document(io.BytesIO(render(zh_layout(Kind.WEEKLY, yesterday()), "docx")))
    assert doc.paragraphs[0].text.startswith("12345热线周报")
    assert len(doc.tables) == 9  # eight, and the appeals by unit (issue 15)
    assert doc.tables[0].rows[0].cells[0].text == "指标"
    assert len(doc.inline_shapes) == 4  # the trend, channels, categories, districts
    # Chinese glyphs come from the East Asian font slot, which Word and WPS read.
    assert 'w:eastAsia="仿宋"' in doc.styles["Normal"].element.xml


@pytest.mark.clock
def test_word_is_an_a4_document_in_the_gbt_9704_layout_with_tables_that_fit(history):
    """M9: A4 with the official margins, 方正小标宋 title, 仿宋 三号 body, "— N —" page numbers on
    odd and even pages, and tables inside the text width with no unit name broken over lines."""
    from docx import Document
    from docx.shared import Mm, Pt

    from hotline.reports.render import CELL_MARGIN_TWIPS, text_width_pt

    report = zh_layout(Kind.MONTHLY, yesterday(), with_charts=False)
    long_name = "西宁市文体旅游广电局城北分局综合执法大队"  # 20 characters, as long as unit names get
    report.tables[-2].rows.append([long_name, 1, 0, 0, 0, Percent(None), Percent(None), Percent(None)])
    doc = Document(io.BytesIO(render(report, "docx")))
    section = doc.sections[0]

    def mm(length):
        return round(length / Mm(1))

    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    assert [mm(m) for m in (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)] == [
        37,
        35,
        28,
        26,
    ]
    title = doc.paragraphs[0]
    assert title.text.startswith("12345热线月报") and title.style.paragraph_format.alignment == 1  # centred
    assert 'w:eastAsia="方正小标宋简体"' in title.style.element.xml
    assert title.style.font.size == Pt(22) and str(title.style.font.color.rgb) == "000000"
    assert "w:pBdr" not in title.style.element.xml  # no rule under the title
    normal = doc.styles["Normal"]
    assert normal.font.size == Pt(16) and 'w:eastAsia="仿宋"' in normal.element.xml
    assert 'w:eastAsia="黑体"' in doc.styles["Heading 1"].element.xml
    assert doc.settings.odd_and_even_pages_header_footer
    for footer in (section.footer, section.even_page_footer):
        xml = footer._element.xml
        assert "PAGE" in xml and 'w:fldCharType="begin"' in xml and "— " in footer.paragraphs[0].text
    text_width = (210 - 28 - 26) / 25.4 * 72
    for table in doc.tables:
        widths = [table.cell(0, c).width.pt for c in range(len(table.columns))]
        assert sum(widths) <= text_width + 1, table.cell(0, 0).text
    units = doc.tables[-2]
    assert long_name in [row.cells[0].text for row in units.rows[1:]]
    size = units.cell(1, 0).paragraphs[0].runs[0].font.size.pt
    assert size >= 9  # 小五 at the smallest
    margins = 2 * CELL_MARGIN_TWIPS / 20
    assert f'w:w="{CELL_MARGIN_TWIPS}"' in units._tbl.tblPr.xml
    for c in range(len(units.columns)):  # every name and figure sets on one line in its column
        width = units.cell(0, c).width.pt
        for row in units.rows[1:]:
            assert text_width_pt(row.cells[c].text, size) + margins <= width, row.cells[c].text


def test_column_widths_fit_the_page_and_give_way_from_the_longest_text():
    from hotline.reports.render import column_widths_pt

    total = 440.0
    widths = column_widths_pt(["单位", "诉求量"], [["西宁市住房和城乡建设局", "12"]], total)
    assert abs(sum(widths) - total) < 0.01 and widths[0] > widths[1]
    long_text = "；".join(["小区供暖温度不达标"] * 20)
    widths = column_widths_pt(["事项", "数量", "举例"], [["供热", "3", long_text]], total)
    assert abs(sum(widths) - total) < 0.01
    assert widths[0] >= 2 * 10.5 and widths[1] >= 10.5  # the examples column gave way, not the others
    assert column_widths_pt(["甲"], [], total) == [total]


@pytest.mark.clock
@needs_font
def test_excel_keeps_numbers_as_numbers_and_embeds_charts(history):
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(render(zh_layout(Kind.MONTHLY, yesterday()), "xlsx")))
    assert book.sheetnames[:3] == ["概况", "主要指标", "三率"]
    rates = book["三率"]
    assert isinstance(rates["B3"].value, int) and isinstance(rates["C3"].value, int | float)
    assert rates["C3"].number_format == '0.0"%"'
    assert rates["D3"].number_format == "+0.0;-0.0;0.0"  # a change of a rate, in percentage points
    assert len(book["概况"]._images) == 1 and len(book["按渠道"]._images) == 1


@pytest.mark.clock
def test_hostile_citizen_text_cannot_break_or_script_the_files(history):
    from docx import Document
    from openpyxl import load_workbook

    from hotline.tickets.models import Ticket

    report = zh_layout()
    hostile = '=HYPERLINK("http://evil.example","点我")\x00\x07<w:p>&amp;' + "长" * 5000
    report.tables[-1].rows.append([hostile, 1, 0, Percent(None, signed=True), hostile])
    assert Ticket.objects.exists()
    doc = Document(io.BytesIO(render(report, "docx")))
    cell = doc.tables[-1].rows[-1].cells[0].text
    assert cell.startswith("=HYPERLINK") and "\x00" not in cell and "<w:p>&amp;" in cell
    sheet = load_workbook(io.BytesIO(render(report, "xlsx")))["本期热点问题"]
    last = sheet.cell(row=sheet.max_row, column=1)
    assert last.data_type == "s" and last.value.startswith("=HYPERLINK")


def test_word_and_excel_open_in_libreoffice_and_convert_to_pdf(ref, soffice, tmp_path):
    files = build(Kind.DAILY, dt.date(2026, 11, 10), ["docx", "xlsx"])  # a finished day: any day will do
    names = {"docx": "word.docx", "xlsx": "excel.xlsx"}
    for fmt, data in files.items():
        (tmp_path / names[fmt]).write_bytes(data)
    profile = tmp_path / "profile"  # its own profile: no clash with another LibreOffice running
    result = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path / "pdf"),
            str(tmp_path / "word.docx"),
            str(tmp_path / "excel.xlsx"),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    assert "Error" not in result.stderr
    for name in ("word.pdf", "excel.pdf"):
        pdf = tmp_path / "pdf" / name
        assert pdf.read_bytes().startswith(b"%PDF"), f"{name}: {result.stdout} {result.stderr}"
