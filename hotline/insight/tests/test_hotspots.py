"""Hot issues on small inputs: the file reader, the CLI, the database path, bad input."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from hotline.insight.hotspots import Message, find_hot_issues, heat_score, parse_time, read_messages_file
from hotline.insight.models import Hotspot
from hotline.insight.places import extract_places
from hotline.insight.services import parse_period, refresh_hotspots
from hotline.tickets.tests.helpers import at, new_ticket

HEADER = "留言编号,留言用户,留言主题,留言时间,留言详情,反对数,点赞数\n"
ROWS = [
    ("1", "u1", "A2区丽发新城附近建搅拌站噪音扰民", "2019/11/13 10:00:00", "搅拌站日夜施工，噪音粉尘严重", "0", "5"),
    ("2", "u2", "丽发新城小区旁边建搅拌站", "2019-11-14 11:00", "小区旁搅拌站噪音大，灰尘多", "0", "1"),
    ("3", "u3", "投诉丽发新城搅拌站噪音扰民", "2019/11/20 09:00:00", "搅拌站半夜还在施工，噪音扰民", "1", "0"),
    ("4", "u4", "A市丽发新城搅拌站污染环境", "2019/12/01 09:00:00", "搅拌站粉尘噪音污染", "0", "0"),
    ("5", "u5", "咨询公积金贷款额度", "2019/11/15 09:00:00", "公积金贷款最高额度是多少", "0", "0"),
    ("6", "u6", "A3区青青家园小区水压太小", "2019/11/16 09:00:00", "高层水压太小用不了热水器", "0", "0"),
]


def write(tmp_path, rows=ROWS, header=HEADER, encoding="utf-8"):
    path = tmp_path / "messages.csv"
    buf = io.StringIO()
    buf.write(header)
    csv.writer(buf).writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def test_the_file_gives_one_hot_issue_with_its_members(tmp_path):
    issues = find_hot_issues(read_messages_file(write(tmp_path)))
    assert len(issues) == 1
    top = issues[0]
    assert sorted(top.member_ids) == ["1", "2", "3", "4"]
    assert top.rank == 1 and "丽发新城" in top.title and "搅拌" in top.title
    assert top.support == 6  # votes for minus against, never below zero per message
    assert top.first_at == dt.datetime(2019, 11, 13, 10) and top.last_at == dt.datetime(2019, 12, 1, 9)


def test_gb18030_files_read_the_same(tmp_path):
    assert len(read_messages_file(write(tmp_path, encoding="gb18030"))) == len(ROWS)


@pytest.mark.parametrize(
    "header,rows",
    [
        ("留言编号,留言主题,留言时间\n", []),  # a required column missing
        (HEADER, ROWS + [ROWS[0]]),  # a duplicated id
        (HEADER, [("", "u", "t", "2019/1/1", "x", "0", "0")]),  # no id
    ],
)
def test_bad_files_are_one_clear_error(tmp_path, header, rows):
    with pytest.raises(ValidationError):
        read_messages_file(write(tmp_path, rows=rows, header=header))


def test_empty_tiny_and_hostile_inputs():
    assert find_hot_issues([]) == []
    assert find_hot_issues([Message(id="1", title="噪音")]) == []
    junk = [Message(id=str(i), title="！？" * 50, body="<script>" * 100) for i in range(5)]
    assert all(len(h.member_ids) >= 3 for h in find_hot_issues(junk))


def test_heat_grows_with_size_requesters_support_and_growth():
    base = heat_score(size=10, requesters=10, support=0, growth=0)
    assert base == 10
    assert heat_score(size=10, requesters=10, support=7, growth=0) == 19
    assert heat_score(size=10, requesters=10, support=0, growth=0.5) == 15
    assert heat_score(size=10, requesters=2, support=0, growth=0) < base
    assert heat_score(size=10, requesters=10, support=-5, growth=-1) == base


def test_places_and_times():
    assert extract_places("投诉A2区丽发新城附近建搅拌站") == ["丽发新城"]
    assert extract_places("A市伊景园滨河苑捆绑销售车位") == ["伊景园滨河苑"]
    assert extract_places("咨询公积金贷款") == []
    assert parse_time("2019/2/28 11:25:05") == dt.datetime(2019, 2, 28, 11, 25, 5)
    assert parse_time("2019年8月1日") == dt.datetime(2019, 8, 1)
    assert parse_time("yesterday") is None and parse_time("2019/2/30") is None


def test_command_writes_the_documented_columns(tmp_path):
    out = tmp_path / "clusters.csv"
    call_command(
        "insight", "hotspots", "--data", str(write(tmp_path)), "--top", "10", "--out", str(out), stderr=io.StringIO()
    )
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [(r["rank"], r["size"], sorted(r["member_ids"].split(" "))) for r in rows] == [
        ("1", "4", ["1", "2", "3", "4"])
    ]
    assert {"rank", "title", "size", "heat", "member_ids"} <= set(rows[0])


def test_command_refuses_bad_arguments(tmp_path, db):
    with pytest.raises(CommandError):
        call_command("insight", "hotspots", "--data", str(tmp_path / "missing.csv"), stderr=io.StringIO())
    with pytest.raises(CommandError):
        call_command("insight", "hotspots", "--period", "last month", stderr=io.StringIO())
    with pytest.raises(CommandError):
        call_command("insight", "hotspots", "--data", str(write(tmp_path)), "--top", "0", stderr=io.StringIO())


def test_periods():
    now = at(2026, 11, 20)
    assert parse_period("30", now=now) == (now - dt.timedelta(days=30), now)
    start, end = parse_period("2026-10-01..2026-11-01", now=now)
    assert (end - start).days == 31
    for bad in ("0", "401", "2026-11-01..2026-10-01", "2026-13-01..2026-14-01", "", "30; drop"):
        with pytest.raises(ValueError):
            parse_period(bad, now=now)


def test_database_hot_issues_are_kept_per_period(people):
    texts = ["东关花园小区门口摊贩占道，车辆乱停", "东关花园小区门口摆摊占道堵车", "东关花园小区大门口小摊占道乱停车"]
    for i, text in enumerate(texts * 2):
        new_ticket(
            people.operator,
            when=at(2026, 11, 10 + i, 9),
            requester_phone=f"1390000000{i}",
            content=text,
            address="城东区东关大街街道东关花园小区",
            matter="010201" if i % 2 else "030401",
        )
    new_ticket(people.operator, when=at(2026, 11, 12, 9), requester_phone="13700000000", content="咨询社保卡补办")
    now = at(2026, 11, 20)
    spots = refresh_hotspots(days=30, now=now)
    assert len(spots) == 1 and spots[0].size == 6 and spots[0].requesters == 6
    # M7: the place and the matters the requests are filed under, as a leader would name them.
    assert spots[0].title.startswith("东关花园") and spots[0].title.endswith("：流动摊贩占道、违法停车")
    assert refresh_hotspots(days=30, now=now) and Hotspot.objects.count() == 1  # a rerun replaces


def test_command_over_a_database_period(people, tmp_path):
    from django.utils import timezone

    now = timezone.now()
    for i in range(4):
        new_ticket(
            people.operator,
            when=now - dt.timedelta(days=i + 1),
            requester_phone=f"1390000000{i}",
            content="东关花园小区门口摊贩占道，车辆乱停",
            address="城东区东关大街街道东关花园小区",
        )
    out = tmp_path / "db.csv"
    call_command("insight", "hotspots", "--period", "30", "--out", str(out), "--save", stderr=io.StringIO())
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["size"] for r in rows] == ["4"] and "东关花园" in rows[0]["title"]
    assert Hotspot.objects.get().size == 4


BAD_TITLE_WORDS = ("别人", "发现", "有人", "一半", "两个", "反应", "后卡", "厨太脏", "我家")


def test_titles_say_place_and_problem_in_words_a_leader_writes():
    """M7: no pronouns, filler or fragments; the matter's name when the requests have one."""
    when = dt.datetime(2026, 11, 10, 9)
    salad = [
        "我家楼下有人发现别人在饭店后厨，厨太脏，头发和虫子都有",
        "发现有人说饭店后厨太脏，饭菜里有头发，别人也看到虫子",
        "别人发现这家饭店厨太脏，有人吃出头发和虫子",
    ]
    loose = [Message(id=str(i), title=t, body=t, at=when, requester=f"p{i}") for i, t in enumerate(salad)]
    title = find_hot_issues(loose)[0].title
    assert not any(w in title for w in BAD_TITLE_WORDS), title
    assert "头发" in title or "虫子" in title, title
    filed = [
        Message(
            id=str(i),
            title=t,
            body=t,
            at=when,
            requester=f"p{i}",
            matter="餐饮卫生" if i < 2 else "食品安全",
            area="东关大街街道",
        )
        for i, t in enumerate(salad)
    ]
    assert find_hot_issues(filed)[0].title == "东关大街街道：餐饮卫生、食品安全"
