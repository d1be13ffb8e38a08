"""The dispatch catalogue: what we ship, and Excel in and out."""

import csv

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from openpyxl import Workbook, load_workbook

from hotline.catalog import services
from hotline.catalog.models import Matter


def test_the_shipped_catalogue_is_deep_and_wide(ref):
    leaves = Matter.objects.filter(is_leaf=True, is_active=True)
    assert leaves.count() >= 300
    assert Matter.objects.filter(level=1).count() >= 16
    assert leaves.filter(level__gte=3).count() == leaves.count()
    assert set(leaves.values_list("tier", flat=True)) == {0, 1, 3, 7, 11}
    assert set(leaves.values_list("owner_level", flat=True)) == {"city_dept", "district_dept", "township", "enterprise"}
    assert not leaves.filter(function__isnull=True).exists()
    assert not leaves.filter(keywords="").exists()
    assert Matter.objects.filter(level=4).exists()
    assert all(len(m.example_list()) >= 2 for m in leaves)


def test_excel_export_reads_back_unchanged(ref, tmp_path):
    path = tmp_path / "catalogue.xlsx"
    count = services.export_xlsx(path)
    assert count == Matter.objects.filter(is_active=True).count()
    sheet = load_workbook(path).active
    assert sheet["A1"].value == "编码" and sheet.max_row == count + 1
    before = services.export_rows()
    result = services.import_file(path)
    assert result == {"created": 0, "updated": count, "deactivated": 0}
    assert services.export_rows() == before


def test_an_edited_workbook_adds_renames_and_retires_matters(ref, tmp_path):
    path = tmp_path / "catalogue.xlsx"
    services.export_xlsx(path)
    book = load_workbook(path)
    sheet = book.active
    leaf = next(row for row in sheet.iter_rows(min_row=2) if row[3].value not in (None, ""))
    parent_code = leaf[2].value
    retired = leaf[0].value
    leaf[1].value = leaf[1].value + "（新）"
    sheet.append(
        [
            parent_code + "99",
            "共享单车乱停放",
            parent_code,
            3,
            "township",
            "city_management",
            "共享单车 乱停",
            "小区门口共享单车堆成山，人都过不去|地铁口单车乱停挡住盲道",
        ]
    )
    renamed = leaf[0].value
    book.save(path)
    services.import_file(path)
    assert Matter.objects.get(code=renamed).name.endswith("（新）")
    new = Matter.objects.get(code=parent_code + "99")
    assert new.is_leaf and new.tier == 3 and new.level == new.parent.level + 1
    assert new.example_list() == ["小区门口共享单车堆成山，人都过不去", "地铁口单车乱停挡住盲道"]
    # dropping a row retires the matter (tickets may still point at it) instead of deleting it
    rows = [r for r in services.export_rows() if r[0] != retired]
    book = Workbook()
    book.active.append(services.COLUMNS)
    for r in rows:
        book.active.append(r)
    book.save(path)
    assert services.import_file(path)["deactivated"] == 1
    assert not Matter.objects.get(code=retired).is_active


def _write_csv(path, rows, header=services.COLUMNS, encoding="utf-8"):
    with open(path, "w", newline="", encoding=encoding) as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


@pytest.mark.parametrize(
    "rows,message",
    [
        ([["01", "城市管理", "", "", "", "", "", ""]], "time tier"),
        ([["01", "", "", "3", "township", "grassroots", "", ""]], "required"),
        ([["01", "市容", "", "5", "township", "grassroots", "", ""]], "time tier"),
        ([["01", "市容", "", "3", "galaxy", "grassroots", "", ""]], "owner level"),
        ([["01", "市容", "", "3", "township", "astrology", "", ""]], "function"),
        (
            [
                ["01", "市容", "", "3", "township", "grassroots", "", ""],
                ["01", "又一个", "", "3", "township", "grassroots", "", ""],
            ],
            "repeats",
        ),
        ([["0101", "孤儿", "09", "3", "township", "grassroots", "", ""]], "not listed above"),
        ([], "no rows"),
    ],
)
def test_a_bad_file_is_refused_whole_with_the_line_named(ref, tmp_path, rows, message):
    path = tmp_path / "bad.csv"
    _write_csv(path, rows)
    before = services.export_rows()
    with pytest.raises(ValidationError) as err:
        services.import_file(path)
    assert message in " ".join(err.value.messages) or message in str(err.value)
    assert services.export_rows() == before


def test_missing_columns_garbage_and_gb18030(ref, tmp_path):
    path = tmp_path / "cols.csv"
    _write_csv(path, [["01", "x"]], header=["code", "name"])
    with pytest.raises(ValidationError, match="Missing columns|缺少列"):
        services.import_file(path)
    garbage = tmp_path / "garbage.xlsx"
    garbage.write_bytes(b"\x00\x01 not a workbook")
    with pytest.raises(ValidationError):
        services.import_file(garbage)
    gbk = tmp_path / "gbk.csv"
    _write_csv(
        gbk,
        [
            ["01", "城市管理", "", "", "", "", "", ""],
            ["0101", "市容", "01", "3", "township", "grassroots", "垃圾", "门口垃圾没人清|垃圾桶满了"],
        ],
        encoding="gb18030",
    )
    result = services.import_file(gbk)
    assert result["created"] + result["updated"] == 2
    assert Matter.objects.get(code="0101").name == "市容" and Matter.objects.get(code="0101").is_active


def test_the_command_line_reports_errors_without_a_traceback(ref, tmp_path):
    from django.core.management.base import CommandError

    path = tmp_path / "out.xlsx"
    call_command("catalogue", "export", str(path))
    assert path.exists()
    with pytest.raises(CommandError, match="No such file|没有"):
        call_command("catalogue", "import", str(tmp_path / "missing.xlsx"))
