"""The safety-hazard daily paragraph, in the form the city publishes."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from hotline.intake.services import register_ticket
from hotline.reports.config import parse
from hotline.reports.safety import safety_figures, safety_paragraph

from .samples import SAFETY_TOML

CONFIG = parse(SAFETY_TOML)
DAY = dt.date(2026, 9, 23)


def at(hour: int, day: dt.date = DAY) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def report(channel: str, matter: str, hour: int = 10, day: dt.date = DAY, content: str = "小区消防通道被车堵死了"):
    ticket, _ = register_ticket(
        channel=channel,
        content=content,
        anonymous=True,
        matter=matter,
        received_at=at(hour, day),
        external_id=None if channel == "phone_12345" else f"t-{channel}-{matter}-{hour}-{day}",
    )
    return ticket


@pytest.fixture
def zh():
    with translation.override("zh-hans"):
        yield


def test_the_paragraph_reads_as_the_city_publishes_it(ref, zh):
    for hour in (8, 9, 10):
        report("phone_12345", "110101", hour)  # 消防通道堵塞
    report("wechat", "020201", 11, content="电梯困人了")  # 电梯困人
    report("police_110", "110301", 12, content="楼道里有人给电动车充电")  # 电动车楼道充电
    report("phone_12345", "010101", 13, content="垃圾没人清")  # not a hazard
    report("phone_12345", "110101", 0, day=DAY + dt.timedelta(days=1))  # the next day
    assert safety_paragraph(DAY, CONFIG) == (
        "9月23日，西宁市共收到安全隐患举报5件，其中12345政务服务便民热线接收举报4件、西宁市消防救援支队接收举报1件，"
        "主要反映消防通道和疏散、电梯、电动车消防等问题，已及时联系相应县区政府核实处理。"
    )


def test_a_day_without_reports_says_so(ref, zh):
    report("phone_12345", "010101")
    assert safety_paragraph(DAY, CONFIG) == "9月23日，西宁市未收到安全隐患举报。"


def test_a_source_with_nothing_is_left_out_and_invalid_calls_do_not_count(ref, zh):
    from hotline.intake.services import invalidate_ticket

    report("phone_12345", "110101", 8)
    invalidate_ticket(report("phone_12345", "110101", 9), reason="误拨")
    figures = safety_figures(DAY, CONFIG)
    assert (figures.total, figures.by_source) == (1, [("12345政务服务便民热线", 1)])
    assert "消防救援支队" not in safety_paragraph(DAY, CONFIG)


@pytest.mark.clock
def test_the_shipped_configuration_counts_the_simulated_hazards(history, zh):
    paragraph = safety_paragraph(timezone.localdate())
    assert paragraph.startswith(f"{timezone.localdate().month}月{timezone.localdate().day}日，西宁市")
