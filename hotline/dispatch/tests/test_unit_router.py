"""The router that learns where requests really go, its evaluation on real history, and the
near-copy grouping behind its auto-dispatch threshold."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from hotline.dispatch import classifier, history, learning, store, unitrouter
from hotline.dispatch.suggest import suggest
from hotline.dispatch.unitrouter import Example
from hotline.orgs.unitnames import match, normalise
from hotline.text import near_copy_key

SHANGLUO = (
    Path(__file__).resolve().parents[3] / ".." / "shared" / "datasets" / "shangluo" / "mayor_mailbox_before_2021.csv"
)
COUNTIES = ["商州区", "洛南县", "丹凤县", "商南县", "山阳县", "镇安县", "柞水县"]


def test_near_copies_share_a_key_whatever_the_wrapping():
    key = near_copy_key("市民来电反映：海湖新区阳光小区暖气不热，希望尽快处理。")
    assert key == near_copy_key("来电人张女士称：海湖新区阳光小区暖气不热！请相关部门核实处理。")
    assert key == near_copy_key("尊敬的市长：您好！海湖新区阳光小区暖气不热")
    assert key != near_copy_key("海湖新区阳光小区路灯不亮")
    assert near_copy_key("") == "" and near_copy_key(None) == ""  # type: ignore[arg-type]
    assert len(near_copy_key("很" * 100_000)) == 40


@pytest.mark.parametrize(
    ("written", "form"),
    [
        ("商洛市住房和城乡建设局", "市住房和城乡建设局"),
        ("市住建局", "市住房和城乡建设局"),
        ("镇安县政府办", "镇安县人民政府办公室"),
        ("丹凤人民政府办公室", "丹凤县人民政府办公室"),
        ("商南县人民政府", "商南县人民政府办公室"),
        ("信息办", "市信息办"),
        ("市政府政务信息化办公室", "市信息办"),
        ("市城管局 市交警支队", "市城市管理局"),
        ("商洛市公安局交警支队", "市公安局交通警察支队"),
        ("人社局", "市人力资源和社会保障局"),
        ("", ""),
    ],
)
def test_unit_names_come_to_one_form(written, form):
    assert normalise(written, city="商洛市", counties=COUNTIES) == form


def test_unit_names_match_exactly_normalised_fuzzily_or_are_listed():
    units = {"u1": "商洛市住房和城乡建设局", "u2": "镇安县人民政府办公室", "u3": "商洛市医疗保障局"}
    found = {
        m.name: m
        for m in match(
            ["商洛市住房和城乡建设局", "市住建局", "镇安县政府办", "商洛市医疗保障局局", "彭珊", "彭珊"],
            units,
            city="商洛市",
            counties=COUNTIES,
        )
    }
    assert [(n, m.unit, m.how) for n, m in found.items()] == [
        ("商洛市住房和城乡建设局", "u1", "exact"),
        ("市住建局", "u1", "normalised"),
        ("镇安县政府办", "u2", "normalised"),
        ("商洛市医疗保障局局", "u3", "fuzzy"),  # a proposal for a person, not a decision
        ("彭珊", None, "none"),  # a person's name: listed once, never dropped
    ]
    assert match(["彭珊"], units, aliases={"彭珊": "u3"})[0].how == "alias"


def _examples() -> list[Example]:
    heat = ["暖气不热", "供暖温度不达标", "家里暖气片冰凉", "暖气管道漏水", "供热不正常室温低"]
    light = ["路灯不亮", "小区门口路灯坏了", "路灯夜间不亮", "道路照明损坏", "路灯杆倒了"]
    rows = []
    for i in range(12):
        rows.append(Example(f"{heat[i % 5]}，阳光小区{i}号楼", ("county:630105", "place:阳光小区"), "heat-haihu"))
        rows.append(Example(f"{heat[i % 5]}，幸福家园{i}号楼", ("county:630104", "place:幸福家园"), "heat-city"))
        rows.append(Example(f"{light[i % 5]}，{i}号路口", ("county:630105",), "street-office"))
    return rows


def test_place_and_history_pick_the_unit_that_really_serves_it_and_say_why():
    router = unitrouter.fit(_examples(), min_rows=10)
    haihu, city = router.predict(
        ["暖气不热，阳光小区3号楼", "暖气不热，幸福家园3号楼"],
        [("county:630105", "place:阳光小区"), ("county:630104", "place:幸福家园")],
    )
    assert haihu[0].unit == "heat-haihu" and city[0].unit == "heat-city"
    assert len(haihu) == 3 and haihu[0].confidence > haihu[1].confidence >= haihu[2].confidence
    assert (haihu[0].place, haihu[0].place_count) == ("place:阳光小区", 12) and haihu[0].similar > 0
    # The catalogue's rule said the city's company: history, sure and well seen, decides.
    decision = unitrouter.decide(haihu, "heat-city", n_train=router.n_train, min_rows=10)
    assert (decision.unit, decision.decided_by) == ("heat-haihu", "history")
    assert unitrouter.decide(haihu, "heat-haihu", n_train=router.n_train, min_rows=10).decided_by == "both"
    # Thin history: the catalogue decides.
    thin = unitrouter.decide(haihu, "heat-city", n_train=router.n_train)
    assert (thin.unit, thin.decided_by) == ("heat-city", "catalogue")
    assert unitrouter.decide((), None, n_train=0).decided_by == ""


def test_a_return_is_negative_evidence():
    plain = unitrouter.fit(_examples(), min_rows=10)
    returned = [Example("暖气不热，阳光小区3号楼", ("county:630105", "place:阳光小区"), "heat-haihu")] * 3
    taught = unitrouter.fit(_examples(), negatives=returned, min_rows=10)
    args = (["暖气不热，阳光小区3号楼"], [("county:630105", "place:阳光小区")])
    before = {g.unit: g.confidence for g in plain.predict(*args)[0]}
    after = {g.unit: g.confidence for g in taught.predict(*args)[0]}
    assert after["heat-haihu"] < before["heat-haihu"]
    assert taught.predict(*args)[0][0].returned or after["heat-haihu"] < 0.5


def test_one_unit_or_no_readable_text_cannot_train():
    with pytest.raises(ValidationError):
        unitrouter.fit([Example("暖气不热", (), "a")] * 5)
    with pytest.raises(ValidationError):
        unitrouter.fit([Example("😀", (), "a"), Example("<b></b>", (), "b")] * 5)


def test_grouped_folds_keep_copies_together():
    # Every message twice, in two wrappings; each pair is one unit's. A fold that split a pair would
    # answer the copy from its twin: grouped folds see only unseen messages.
    rng = np.random.default_rng(0)
    rows = []
    for i in range(40):
        words = "".join(rng.choice(list("甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉"), 12))
        unit = f"u{i % 4}"  # the unit has nothing to do with the words: nothing to learn
        rows += [Example(f"市民来电反映：{words}", (), unit), Example(f"您好，{words}", (), unit)]
    conf, right = unitrouter.grouped_out_of_fold(rows)
    assert right.mean() < 0.5  # no leak: about chance (a quarter), not the copies' near-certainty


def test_the_live_router_learns_from_answered_tickets_and_shows_beside_the_catalogue(ref, people, settings, tmp_path):
    from hotline.dispatch.services import dispatch_ticket
    from hotline.handling.services import reply, sign
    from hotline.intake.services import register_ticket
    from hotline.orgs.models import Unit

    settings.VAR_DIR = tmp_path
    haihu, other = Unit.objects.filter(kind=Unit.Kind.ENTERPRISE).order_by("code")[:2]
    for i in range(8):
        for text, unit in (("暖气不热", haihu), ("路灯不亮", other)):
            ticket, _new = register_ticket(
                channel="phone_12345",
                content=f"{text}，请处理{i}",
                address=f"城西区阳光小区{i}号楼",
                requester_phone="13900000000",
            )
            dispatch_ticket(ticket, lead_unit=unit)
            sign(ticket, unit=unit)
            reply(ticket, unit=unit, result="已修复")
    assert learning.retrain_units(min_rows=100)["unit_router"] is None  # too little: nothing changes
    assert store.unit_router() is None
    result = learning.retrain_units(min_rows=10)
    assert result["unit_router"] == 16
    store.forget_unit_router()
    router = store.unit_router()
    guesses = router.predict(["暖气不热"], [unitrouter.place_tokens(None, None, None, "城西区阳光小区5号楼")])[0]
    assert guesses[0].unit == haihu.code and guesses[0].place == "place:阳光小区"
    # Beside the catalogue's suggestion: the learnt unit and why, in words.
    texts, labels = learning.catalogue_rows()
    keep = [(t, label) for t, label in zip(texts, labels) if label[:4] in ("0401", "0202")]
    store.register(classifier.train([t for t, _l in keep], [lb for _t, lb in keep]), source="catalogue")
    store.forget()
    shown = suggest("暖气不热", "城西区阳光小区5号楼")
    assert shown.learned[0].unit == haihu and shown.decided_by in ("history", "both", "catalogue")
    reason = f"8 earlier requests at 阳光小区 were handled by {haihu.name}"
    assert shown.learned[0].reason == reason
    # The console's panel and the dispatcher's ticket page show it beside the catalogue's unit.
    from django.test import Client

    client = Client()
    client.force_login(people.operator)
    panel = client.get("/console/suggest/", {"content": "暖气不热", "address": "城西区阳光小区5号楼"}).content.decode()
    waiting, _new = register_ticket(
        channel="phone_12345", content="暖气不热", address="城西区阳光小区9号楼", requester_phone="13900000001"
    )
    client.force_login(people.dispatcher)
    page = client.get(f"/tickets/{waiting.code}/").content.decode()
    for html in (panel, page):  # the pages speak the user's language: look for the facts, not the words
        block = html.split('id="learned-units"', 1)[1].split("</div>", 1)[0]
        assert haihu.name in block.split("</li>")[0] and "阳光小区" in block and " 8 " in block


# --- evaluation on real history -----------------------------------------------------------------


def test_eval_history_refuses_bad_files(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("text,date,unit\n", "utf-8")
    with pytest.raises(CommandError, match="no rows"):
        call_command(
            "dispatch", "eval-history", "--data", str(empty), "--split-date", "2020-01-01", "--division", "611000"
        )
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("a,b\n1,2\n", "utf-8")
    with pytest.raises(CommandError, match="needs a text"):
        call_command(
            "dispatch", "eval-history", "--data", str(wrong), "--split-date", "2020-01-01", "--division", "611000"
        )
    with pytest.raises(CommandError, match="Unknown city"):
        call_command(
            "dispatch", "eval-history", "--data", str(wrong), "--split-date", "2020-01-01", "--division", "999999"
        )
    few = tmp_path / "few.csv"
    few.write_text("text,date,unit\n路灯不亮,2020-01-02,市城管局\n暖气不热,2019-01-02,市住建局\n", "utf-8")
    with pytest.raises(CommandError, match="Too little history"):
        call_command(
            "dispatch", "eval-history", "--data", str(few), "--split-date", "2020-01-01", "--division", "611000"
        )


@pytest.mark.skipif(not SHANGLUO.exists(), reason=f"the Shangluo history is not here ({SHANGLUO}): ../shared is absent")
def test_eval_history_prints_three_rows_on_the_shangluo_file():
    out = io.StringIO()
    # Subsampled training keeps this quick; the full figures are in docs/benchmarks.md.
    call_command(
        "dispatch",
        "eval-history",
        "--data",
        str(SHANGLUO),
        "--split-date",
        "2020-07-01",
        "--max-train",
        "250",
        stdout=out,
    )
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("商洛市 (611000): trained on")
    rows = {line.split("  ")[0].strip().split(" n=")[0].strip(): line for line in lines[2:5]}
    assert set(rows) == {"learnt router", "catalogue rule", "text only"}
    places = history.city_places("611000")
    data = history.read_history(SHANGLUO, places)
    assert len(data) == 753 and sum(1 for r in data if r.date is None) == 9
    assert any(t.startswith("county:") for r in data for t in r.places)


def test_the_catalogue_classifier_chooses_its_threshold_on_grouped_folds():
    from hotline.dispatch import classifier as text_classifier

    rng = np.random.default_rng(1)
    texts, labels = [], []
    for i in range(60):
        words = "".join(rng.choice(list("甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉"), 12))
        for wrap in ("市民来电反映：", "您好，"):  # copies of one message, one label
            texts.append(f"{wrap}{words}")
            labels.append(f"m{i % 3}")
    model = text_classifier.train(texts, labels)
    assert model.metrics["cv_folds"] == "grouped"
    assert model.metrics["cv_accuracy"] < 0.6  # copies never answered each other: about chance


def test_hostile_huge_and_empty_requests_get_an_answer_without_harm():
    router = unitrouter.fit(_examples(), min_rows=10)
    texts = ["", "😀", "<script>alert(1)</script>暖气不热", "暖" * 200_000, "路灯不亮\x00\x1f"]
    out = router.predict(texts, [(), (), ("county:x", "place:<b>"), (), ()])
    assert len(out) == 5 and all(len(g) == 3 for g in out)
    assert all(0.0 <= g.confidence <= 1.0 for guesses in out for g in guesses)
    assert out[2][0].unit in {"heat-haihu", "heat-city"}  # the tags are read as nothing
    assert unitrouter.estate_names("<script>某某小区</script>" * 10_000) == ["某某小区"]
