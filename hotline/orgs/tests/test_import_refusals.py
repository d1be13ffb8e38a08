"""Importers refuse bad files whole, with the line named, never with a traceback or a value
stored past its column (L6 of 2026-11-30). Each case failed before: an IntegrityError or csv.Error
traceback, or (on SQLite) a 200-digit code stored."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from hotline.catalog.models import Matter
from hotline.catalog.services import import_rows, read_rows
from hotline.dispatch.locate import import_gazetteer
from hotline.dispatch.models import GazetteerEntry
from hotline.orgs.models import Region
from hotline.orgs.services import import_communities


def _csv(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _township() -> Region:
    return Region.objects.filter(level=Region.Level.TOWNSHIP).order_by("code").first()


@pytest.mark.parametrize(
    "rows, message",
    [
        (["630102001001,甲社区", "630102001001,乙社区"], "repeats line 2"),
        (["{township},冒名社区"], "already names a district or township"),
        (["6" * 200 + ",长编码社区"], "at most 12"),
        (["630102001002," + "名" * 65], "at most 64"),
    ],
)
def test_a_bad_communities_file_is_refused_whole(ref, tmp_path, rows, message):
    township = _township()
    lines = [r.format(township=township.code) + f",community,{township.code}" for r in rows]
    path = _csv(tmp_path, "c.csv", "code,name,level,parent_code\n" + "\n".join(lines) + "\n")
    before = Region.objects.count()
    with pytest.raises(ValidationError, match=message):
        import_communities(path)
    assert Region.objects.count() == before


def test_a_cell_over_the_csv_limit_is_a_clear_error(ref, tmp_path):
    path = _csv(tmp_path, "big.csv", 'code,name,level,parent_code\n1,"' + "x" * 140_000 + '",community,1\n')
    with pytest.raises(ValidationError, match="Line 2"):
        import_communities(path)


def test_over_long_catalogue_and_gazetteer_values_are_refused(ref, tmp_path):
    rows = read_rows(
        _csv(
            tmp_path,
            "cat.csv",
            "code,name,parent_code,tier,owner_level,function,keywords,examples\n"
            + "X" * 40
            + ",名称,,7,township,city_management,,\n",
        )
    )
    with pytest.raises(ValidationError, match="at most 16"):
        import_rows(rows)
    assert not Matter.objects.filter(code="X" * 40).exists()
    township = _township()
    path = _csv(tmp_path, "g.csv", f"township,name\n{township.code},{'路' * 65}\n")
    with pytest.raises(ValidationError, match="at most 64"):
        import_gazetteer(path)
    assert not GazetteerEntry.objects.filter(name="路" * 65).exists()
