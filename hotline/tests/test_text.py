"""Text helpers every door shares: ID numbers found and masked by one function (M13), text that
carries no information (M13), summaries in whole sentences (m13)."""

from __future__ import annotations

import pytest

from hotline.text import carries_information, id_numbers, mask_id_numbers, summarise

# A real-shaped number (GB 11643 check character right) and one with the check character wrong.
GOOD_ID = "630102199001011235"
BAD_CHECK = "630102199001011234"


def test_id_numbers_are_found_by_their_check_character_and_masked_by_shape():
    assert id_numbers(f"我的身份证号{GOOD_ID}，要求补办") == [GOOD_ID]
    assert id_numbers(f"订单{BAD_CHECK}") == []  # not an ID: never refused over it
    assert id_numbers("630102199013011235") == []  # no 13th month
    for text in (f"身份证{GOOD_ID}", f"身份证{BAD_CHECK}", f"号码{GOOD_ID}号"):
        masked = mask_id_numbers(text)
        assert GOOD_ID not in masked and BAD_CHECK not in masked
    assert mask_id_numbers("电话13912345678，门牌12号") == "电话13912345678，门牌12号"  # phones are not IDs


@pytest.mark.parametrize(
    "text",
    [
        "停水了",
        "路灯不亮",
        "噪音扰民",
        "小区停电",
        "公积金怎么取",
        "胜利路",
        "斜沟村",
        "城西区",
        "暖气不热",
        "Water pipe burst in my building",
    ],
)
def test_short_genuine_requests_and_places_carry_information(text):
    assert carries_information(text)


@pytest.mark.parametrize(
    "text",
    ["", "   ", "aaa", "abc", "asdf", "test", "啊啊啊", "哈哈", "1111", "？？？", "无", "不知道", "测试", "abc def"],
)
def test_junk_carries_no_information(text):
    assert not carries_information(text)


def test_summaries_are_whole_sentences_without_the_callers_wrapping():
    text = "来电人称：城中区总寨镇某小区整个小区停电了。已经停了三个小时，冰箱里的东西都坏了。希望尽快恢复供电。"
    short = summarise(text, 40)
    assert short == "城中区总寨镇某小区整个小区停电了。已经停了三个小时，冰箱里的东西都坏了。"
    assert summarise(text, 500) == text.removeprefix("来电人称：")
    long_sentence = "小区门口" + "，摊贩占道" * 30 + "。"
    cut = summarise(long_sentence, 30)
    assert cut.endswith("……") and len(cut) <= 30 and "，摊贩占道……" in cut
