"""``hotline history import``: past requests into closed tickets — idempotent, all or nothing, unit
names through aliases with a person's confirmation, excluded from the period's figures and kept for
repeats, hot issues and the unit router."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from hotline.dispatch.history_import import HistoryRefused, import_file
from hotline.orgs.models import Region, Unit, UnitAlias
from hotline.tickets.models import HISTORY_CHANNEL, Assignment, Status, Ticket, TicketEvent

SHANGLUO = (
    Path(__file__).resolve().parents[3].parent / "shared" / "datasets" / "shangluo" / "mayor_mailbox_before_2021.csv"
)
HEADER = ["mail_id", "title", "query", "query_date", "address", "reply_agency", "reply", "reply_date"]


@pytest.fixture
def shangluo(db):
    """商洛市 with a few of its units (made here: the test needs the city, not its whole pack)."""
    city = Region.objects.create(code="611000", name="商洛市", level=Region.Level.CITY)
    shangzhou = Region.objects.create(code="611002", name="商州区", level=Region.Level.DISTRICT, parent=city)
    danfeng = Region.objects.create(code="611022", name="丹凤县", level=Region.Level.DISTRICT, parent=city)
    units = {
        "SL-INFO": ("市信息办", city),
        "SL-HOUSING": ("商洛市住房和城乡建设局", city),
        "SL-TRAFFIC": ("商洛市公安局交通警察支队", city),
        "SL-EDU": ("商洛市教育局", city),
        "SL-SZ": ("商州区人民政府办公室", shangzhou),
        "SL-DF": ("丹凤县人民政府办公室", danfeng),
    }
    for code, (name, region) in units.items():
        Unit.objects.create(code=code, name=name, kind=Unit.Kind.CITY_DEPT, region=region)
    return units


def write(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


GOOD = [
    [
        "1",
        "小区供暖不热",
        "商州区北新街小区暖气不热，室温只有12度",
        "2019-12-02",
        "商州区北新街",
        "商州区政府办",
        "已协调供热公司",
        "2019-12-05",
    ],
    ["2", "楼下违章搭建", "住建部门请查处楼下违章搭建", "2019-12-03", "", "市住建局", "已查处", "2019-12-10"],
    [
        "3",
        "路口红绿灯坏了",
        "城区十字路口红绿灯坏了多日",
        "2019-12-04",
        "",
        "商洛市公安局交通警察支队",
        "已修复",
        "2019-12-04",
    ],
    # a second copy of row 3, as exports repeat rows
    [
        "3",
        "路口红绿灯坏了",
        "城区十字路口红绿灯坏了多日",
        "2019-12-04",
        "",
        "商洛市公安局交通警察支队",
        "已修复",
        "2019-12-04",
    ],
    ["4", "学校乱收费", "某小学收取补课费", "2019-12-06 09:30", "", "市信息办", "已转教育局核查", ""],
]


@pytest.mark.clock
def test_a_history_is_imported_closed_and_a_second_import_creates_nothing(shangluo, tmp_path):
    path = write(tmp_path / "history.csv", GOOD)
    out = io.StringIO()
    call_command("history", "import", str(path), "--division", "611000", stdout=out)
    text = out.getvalue()
    assert "5 rows: 4 imported, 0 imported before, 1 duplicates in the file" in text
    assert "duplicate lines: 5" in text
    assert "exact 2" in text and "normalised 2" in text
    imported = Ticket.objects.filter(channel_id=HISTORY_CHANNEL).order_by("received_at")
    assert [t.status for t in imported] == [Status.CLOSED] * 4
    first = imported[0]
    assert first.lead_unit.code == "SL-SZ" and first.address == "商州区北新街" and first.result == "已协调供热公司"
    assert first.received_at == timezone.make_aware(dt.datetime(2019, 12, 2))
    assert first.closed_at == timezone.make_aware(dt.datetime(2019, 12, 5))
    assert imported[3].received_at == timezone.make_aware(dt.datetime(2019, 12, 6, 9, 30))
    task = Assignment.objects.get(ticket=first)
    assert (task.role, task.state, task.unit.code, task.reply) == ("lead", "replied", "SL-SZ", "已协调供热公司")
    event = TicketEvent.objects.get(ticket=first)
    assert (event.action, event.from_status, event.to_status) == ("import_history", "", Status.CLOSED)
    # the normalised names are kept as confirmed aliases, listed in the admin
    assert set(UnitAlias.objects.filter(confirmed=True).values_list("name", "unit__code")) == {
        ("商州区政府办", "SL-SZ"),
        ("市住建局", "SL-HOUSING"),
    }
    again = io.StringIO()
    call_command("history", "import", str(path), "--division", "611000", stdout=again)
    assert "5 rows: 0 imported, 4 imported before" in again.getvalue()
    assert imported.count() == 4 and Assignment.objects.filter(ticket__in=imported).count() == 4
    # a later export that repeats those rows and adds one: only the new row comes in
    later = write(tmp_path / "later.csv", [*GOOD, ["5", "噪音", "夜间施工噪音", "2019-12-07", "", "市信息办", "", ""]])
    assert import_file(later, division="611000").created == 1
    # one id on two different requests (the source's own numbering slipped): both kept, listed
    shared = write(
        tmp_path / "shared.csv",
        [*GOOD, ["1", "另一件", "同一个编号却是另一件事", "2019-12-09", "", "市信息办", "", ""]],
    )
    told = io.StringIO()
    call_command("history", "import", str(shared), "--division", "611000", stdout=told)
    assert "1 imported, 4 imported before" in told.getvalue()
    assert "line 7: id 1 is also on line 2 with another text or date (both imported)" in told.getvalue()


@pytest.mark.clock
def test_every_problem_is_named_by_its_line_and_nothing_is_written(shangluo, tmp_path):
    rows = [
        ["1", "好的", "一件好的诉求", "2019-12-02", "", "市信息办", "", ""],
        ["2", "", "", "2019-12-02", "", "市信息办", "", ""],  # neither title nor letter
        # a quoted cell over two lines: the next row starts a line later in the file
        ["3", "日期不对", "第一行\n第二行", "2019-13-45", "", "市信息办", "", ""],
        ["4", "未来", "来自未来的诉求", "2031-01-01", "", "市信息办", "", ""],
        ["5", "太长", "长" * 5001, "2019-12-02", "", "市信息办", "", ""],
        ["6", "无日期", "没有日期的诉求", "", "", "市信息办", "", ""],
        ["8", "回复日期", "答复日期不是日期", "2019-12-02", "", "市信息办", "", "soon"],
    ]
    path = write(tmp_path / "bad.csv", rows)
    with pytest.raises(CommandError) as refused:
        call_command("history", "import", str(path), "--division", "611000")
    message = str(refused.value)
    assert message.startswith("Nothing imported.")
    assert "line 3: no text" in message
    assert "line 4: not a date: 2019-13-45" in message
    assert "line 6: date in the future: 2031-01-01" in message
    assert "line 7: text over 5000 characters" in message
    assert "line 8: no date" in message
    assert "line 9: not a date: soon" in message
    assert "line 2:" not in message
    lines = [int(part.split(":")[0][5:]) for part in message.splitlines()[1:]]
    assert lines == sorted(lines)  # in the file's order
    assert not Ticket.objects.filter(channel_id=HISTORY_CHANNEL).exists()
    assert not UnitAlias.objects.exists()


@pytest.mark.clock
def test_empty_huge_malformed_and_hostile_files_are_refused_with_a_clear_error(shangluo, tmp_path):
    def refused(path: Path, **kwargs: int) -> str:
        with pytest.raises(ValidationError) as exc:
            import_file(path, division="611000", **kwargs)  # type: ignore[arg-type]
        return " ".join(exc.value.messages)

    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert "empty" in refused(empty)
    assert "no rows" in refused(write(tmp_path / "header.csv", []))
    assert "needs a text" in refused(write(tmp_path / "cols.csv", [["a", "b"]], header=["name", "phone"]))
    big = write(tmp_path / "big.csv", GOOD * 40)
    assert "over the 0 MB" in refused(big, max_bytes=1000)
    assert "over the 10 an import takes" in refused(big, max_rows=10)
    one_cell = write(tmp_path / "cell.csv", [["1", "t", "长" * 200_000, "2019-12-02", "", "市信息办", "", ""]])
    assert "Line 2: not a readable CSV line" in refused(one_cell)  # over the csv module's field limit
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"PK\x03\x04 not really a workbook")
    assert "Not an Excel workbook" in refused(fake)
    binary = tmp_path / "binary.csv"
    binary.write_bytes(bytes(range(128, 256)) * 50)
    assert refused(binary)  # neither UTF-8 nor GB18030, or no history columns: refused either way
    assert "No such file" in refused(tmp_path / "missing.csv")
    assert not Ticket.objects.filter(channel_id=HISTORY_CHANNEL).exists()

    # Hostile text is kept as text: control characters out, markup and formulas as written.
    hostile = write(
        tmp_path / "hostile.csv",
        [
            [
                "h1",
                "<script>alert(1)</script>",
                '=HYPERLINK("http://x")\x00\x07\'; DROP TABLE ticket;--',
                "2019-12-02",
                "",
                "市信息办",
                "",
                "",
            ],
        ],
    )
    assert import_file(hostile, division="611000").created == 1
    ticket = Ticket.objects.get(channel_id=HISTORY_CHANNEL)
    assert ticket.title == "<script>alert(1)</script>"
    assert ticket.content == '=HYPERLINK("http://x")\'; DROP TABLE ticket;--'


@pytest.mark.clock
def test_unmatched_names_are_listed_fuzzy_ones_wait_for_the_admin_and_then_count(shangluo, tmp_path, admin_client):
    rows = [
        ["1", "一", "暖气不热", "2019-12-02", "", "商洛市教育厅局", "", ""],  # a typo: proposed, not taken
        ["2", "二", "水管爆裂", "2019-12-03", "", "某某自来水公司", "", ""],  # nothing like it
        ["3", "三", "路灯不亮", "2019-12-04", "", "市信息办", "", ""],
        ["4", "四", "没写单位", "2019-12-05", "", "", "", ""],
    ]
    path = write(tmp_path / "names.csv", rows)
    out = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("history", "import", str(path), "--division", "611000", stdout=out)
    listed = out.getvalue()
    assert "商洛市教育厅局 -> 商洛市教育局" in listed
    assert "某某自来水公司 (1 rows, lines 3)" in listed and "(empty) (1 rows, lines 5)" in listed
    assert "3 rows name a unit that is not matched yet" in str(refused.value)
    assert not Ticket.objects.filter(channel_id=HISTORY_CHANNEL).exists()
    proposal = UnitAlias.objects.get(name="商洛市教育厅局")
    assert (proposal.unit.code, proposal.how, proposal.confirmed) == ("SL-EDU", "fuzzy", False)
    nothing = UnitAlias.objects.get(name="某某自来水公司")
    assert nothing.unit is None and not nothing.confirmed

    # The admin lists them and confirms the proposal with its action.
    page = admin_client.get("/admin/orgs/unitalias/?confirmed__exact=0")
    assert page.status_code == 200 and "某某自来水公司" in page.content.decode()
    done = admin_client.post(
        "/admin/orgs/unitalias/",
        {"action": "confirm", "_selected_action": [proposal.pk, nothing.pk]},
        follow=True,
    )
    assert done.status_code == 200
    proposal.refresh_from_db()
    nothing.refresh_from_db()
    assert proposal.confirmed and not nothing.confirmed  # a name without a unit cannot be confirmed

    # An administrator names the unit of the name that matched nothing: choosing it confirms it.
    housing = Unit.objects.get(code="SL-HOUSING")
    saved = admin_client.post(f"/admin/orgs/unitalias/{nothing.pk}/change/", {"name": nothing.name, "unit": housing.pk})
    assert saved.status_code == 302
    nothing.refresh_from_db()
    assert (nothing.unit, nothing.how, nothing.confirmed) == (housing, "manual", True)

    with pytest.raises(HistoryRefused):  # the row without any unit name still holds it back
        import_file(path, division="611000")
    outcome = import_file(path, division="611000", allow_unmatched=True)
    assert (outcome.created, outcome.without_unit, outcome.matched["alias"]) == (4, 1, 2)
    assert Ticket.objects.get(content="暖气不热").lead_unit.code == "SL-EDU"
    assert Ticket.objects.get(content="水管爆裂").lead_unit == housing
    orphan = Ticket.objects.get(content="没写单位")
    assert orphan.lead_unit is None and orphan.status == Status.CLOSED
    assert not Assignment.objects.filter(ticket=orphan).exists()
    # a later import leaves the administrator's choices as they are
    assert UnitAlias.objects.get(name="某某自来水公司").unit == housing


@pytest.mark.clock
def test_imported_history_is_left_out_of_the_figures_and_kept_for_repeats_hot_issues_and_learning(shangluo, tmp_path):
    from hotline.dispatch.learning import unit_examples
    from hotline.insight.repeats import likely_repeats
    from hotline.insight.services import ticket_messages
    from hotline.publicity.selectors import COUNTED
    from hotline.reports.figures import period_figures

    import_file(write(tmp_path / "h.csv", GOOD), division="611000")
    imported = Ticket.objects.filter(channel_id=HISTORY_CHANNEL)
    assert imported.count() == 4
    december = period_figures("monthly", dt.date(2019, 12, 1))
    assert december.total == 0 and december.previous_total == 0 and december.by_unit == []
    assert not COUNTED.filter(channel_id=HISTORY_CHANNEL).exists()

    start = timezone.make_aware(dt.datetime(2019, 12, 1))
    end = timezone.make_aware(dt.datetime(2020, 1, 1))
    assert {m.body for m in ticket_messages(start, end)} >= {"城区十字路口红绿灯坏了多日"}
    assert Ticket.objects.get(address="商州区北新街").region_id == "611002"  # placed by its address
    repeats = likely_repeats(
        "", "商州区北新街", "611002", None, "商州区北新街小区暖气不热，室温只有12度", now=start + dt.timedelta(days=5)
    )
    assert repeats and repeats[0].ticket.content == "商州区北新街小区暖气不热，室温只有12度"
    positives, _negatives = unit_examples()
    learnt = {(e.text, e.unit) for e in positives}
    assert ("城区十字路口红绿灯坏了多日", "SL-TRAFFIC") in learnt and (
        "住建部门请查处楼下违章搭建",
        "SL-HOUSING",
    ) in learnt


@pytest.mark.clock
def test_an_excel_history_with_chinese_headers(shangluo, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["编号", "诉求内容", "日期", "地址", "办理单位", "办理结果"])
    sheet.append(["x1", "丹凤县城区停水三天", dt.datetime(2020, 3, 1, 8, 0), "丹凤县", "丹凤县政府", "已恢复供水"])
    sheet.append([None, None, None, None, None, None])
    sheet.append(["x2", "商州区路面塌陷", "2020/03/02", "", "商州区人民政府办公室", ""])
    path = tmp_path / "history.xlsx"
    book.save(path)
    outcome = import_file(path, division="611000")
    assert outcome.created == 2
    assert Ticket.objects.get(external_id__startswith="id:x1:").lead_unit.code == "SL-DF"

    # A workbook's problems are named by the row number Excel shows; a phone is kept as intake keeps it.
    book = Workbook()
    sheet = book.active
    sheet.append(["编号", "诉求内容", "日期", "电话", "办理单位"])
    sheet.append(["y1", "商州区噪音扰民", "2020-04-01", "139 0000 0000", "商州区人民政府办公室"])
    sheet.append(["y2", "商州区路灯不亮", "April", "12345", "商州区人民政府办公室"])
    book.save(path)
    with pytest.raises(ValidationError) as refused:
        import_file(path, division="611000")
    assert refused.value.messages == ["line 3: not a date: April; not a phone number: 12345"]
    sheet.delete_rows(3)
    book.save(path)
    assert import_file(path, division="611000").created == 1
    assert Ticket.objects.get(external_id__startswith="id:y1:").requester_phone == "13900000000"


@pytest.mark.clock
def test_shangluo_mayors_mailbox_history(shangluo, tmp_path):
    """A subsample of the real file (every 8th dated row): its hand-written agency names through the
    aliases, the rest listed and imported without a unit; a second run creates nothing."""
    if not SHANGLUO.exists():
        pytest.skip(f"the Shangluo dataset is not here ({SHANGLUO}): it lives in ../shared, outside the project")
    with SHANGLUO.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        rows = [r for r in reader if r["query_date"]][::8]
    # the whole file is refused while rows have no date: named by line, nothing written
    with pytest.raises(ValidationError) as refused:
        import_file(SHANGLUO, division="611000", allow_unmatched=True)
    assert any("no date" in m for m in refused.value.messages)
    assert not Ticket.objects.filter(channel_id=HISTORY_CHANNEL).exists()

    header = ["mail_id", "title", "query", "query_date", "reply", "reply_date", "reply_agency"]
    path = write(tmp_path / "sample.csv", [[r[h] for h in header] for r in rows], header=header)
    with pytest.raises(HistoryRefused) as pending:
        import_file(path, division="611000")
    assert pending.value.outcome.unmatched  # listed, not dropped
    outcome = import_file(path, division="611000", allow_unmatched=True)
    assert outcome.created == len(rows) - len(outcome.duplicates)
    assert outcome.matched["exact"] + outcome.matched["normalised"] >= len(rows) // 3  # 市信息办, county offices…
    assert outcome.without_unit == sum(n for _name, n, _l in outcome.unmatched) + sum(
        n for _n, _u, _s, n in outcome.proposals
    )
    assert import_file(path, division="611000", allow_unmatched=True).created == 0


@pytest.mark.clock
def test_an_imported_ticket_reads_as_history_on_its_page_and_is_no_dispatch(shangluo, people, tmp_path):
    from django.test import Client

    from hotline.dispatch.selectors import first_time_right

    import_file(write(tmp_path / "h.csv", GOOD), division="611000")
    ticket = Ticket.objects.get(address="商州区北新街")
    client = Client()
    client.force_login(people.supervisor)
    page = client.get(f"/tickets/{ticket.code}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "历史导入" in html and "已协调供热公司" in html and "商州区人民政府办公室" in html
    start = timezone.make_aware(dt.datetime(2019, 12, 1))
    assert first_time_right(start, start + dt.timedelta(days=31)).dispatched == 0
