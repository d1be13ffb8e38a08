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
    assert 'w:eastAsia="宋体"' in doc.styles["Normal"].element.xml


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
