"""Text as citizens and staff type it: control characters out, surrounding blanks off."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: str | None) -> str:
    """NUL and other control characters removed (PostgreSQL refuses NUL), ends stripped."""
    return _CONTROL.sub("", value or "").strip()


# --- identity-card numbers (身份证号) ---------------------------------------------------------------

# 17 digits and a check character, not inside a longer run of digits or letters. Masking takes
# every such run (masking too much is safe); ``id_numbers`` keeps only those whose check
# character and birth date are right, so a citizen is never refused over an order number.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"  # GB 11643: the check character for each remainder of the sum mod 11
ID_MASK = "******"


def _valid_id(number: str) -> bool:
    import datetime as dt

    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS))
    if _ID_CHECK[total % 11] != number[17].upper():
        return False
    try:
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return True


def id_numbers(text: str) -> list[str]:
    """The resident identity-card numbers (GB 11643, check character verified) in ``text``."""
    return [m.group(0) for m in _ID_NUMBER.finditer(text or "") if _valid_id(m.group(0))]


# The same 18 characters written in groups, as people copy them from a card: 630102 19900101 1234,
# 6301 0219 9001 0112 34, 630102-1990-0101-1234 (M6 of 2026-11-30). Fixed group lengths: a pattern
# allowing a blank between any two digits would also take "1 2 3 4 …" and backtrack over it.
_GROUPED_ID = re.compile(
    r"(?<![0-9A-Za-z])(?:\d{6}[ -]\d{8}[ -]\d{3}[\dXx]|\d{6}[ -]\d{4}[ -]\d{4}[ -]\d{3}[\dXx]"
    r"|\d{4}[ -]\d{4}[ -]\d{4}[ -]\d{4}[ -]\d[\dXx])(?![0-9A-Za-z])"
)


def mask_id_numbers(text: str) -> str:
    """``text`` with every identity-card-shaped number, whole or in groups, replaced by ``ID_MASK``:
    the one masking function, for staff who do not need them and for anything published."""
    return _GROUPED_ID.sub(ID_MASK, _ID_NUMBER.sub(ID_MASK, text or ""))


# --- phone numbers and names a person gives for themselves ----------------------------------------

# A mobile number: 13912345678, +86 139 1234 5678, 139-1234-5678, 138.1111.2222, 138/1111/2222.
MOBILE = re.compile(r"(?<!\d)(?:\+?86[-\s]?)?1[3-9]\d(?:(?:[-\s]?\d){8}|[./]\d{4}[./]\d{4})(?!\d)")
# The same in Chinese numerals, as a caller's words are typed: 一三八一一一一二二二二.
_CN_DIGIT = "〇零一二三四五六七八九幺"
MOBILE_CN = re.compile(f"(?<![{_CN_DIGIT}])一[三四五六七八九][{_CN_DIGIT}]{{9}}(?![{_CN_DIGIT}])")
# A landline with its area code (0971-6123456): without one, seven digits may be anything.
LANDLINE_WITH_AREA = re.compile(r"(?<!\d)0\d{2,3}[-\s]?[2-9]\d{6,7}(?!\d)")
# A name the writer gives for themselves: 我叫张建国, 我是王小明。, 本人李梅, 姓名：王小明, 联系人赵刚,
# 我姓王，叫王小明. "我是" only before punctuation or the end: "我是城东区的居民" names no one.
_NAME = r"[\u4e00-\u9fff]{2,4}"
SELF_NAME = re.compile(
    r"(我叫|我名叫|本人(?:是|叫)?|姓名[:：]?\s*|联系人[:：]?\s*|署名[:：]?\s*)"
    + _NAME
    + r"|(我是)[\u4e00-\u9fff]{2,4}(?=[，,。.;；！!？?\s]|$)"
    + r"|(我姓)[\u4e00-\u9fff](?:[，,]?\s*(?:叫|名叫)"
    + _NAME
    + r")?"
)


def _self_name(match: re.Match[str]) -> str:
    return (match.group(1) or match.group(2) or match.group(3)) + "**"


def mask_self_names(text: str) -> str:
    return SELF_NAME.sub(_self_name, text or "")


def mask_phones(text: str) -> str:
    out = MOBILE.sub("***********", text or "")
    out = MOBILE_CN.sub("***********", out)
    return LANDLINE_WITH_AREA.sub("********", out)


def mask_personal(text: str) -> str:
    """``text`` as staff who see the requester masked may read it (M2 of 2026-11-30): identity-card
    numbers, phone numbers and the name a caller gives for themselves replaced; the rest as written."""
    return mask_self_names(mask_phones(mask_id_numbers(text)))


# --- text that carries no information --------------------------------------------------------------

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# What people type when they have nothing to say in a field.
_NON_ANSWERS = frozenset(
    "无 没有 不知道 不清楚 不详 未知 暂无 同上 见内容 见上 测试 test 你好 您好 哈哈 啊 嗯 null none".split()
)


def carries_information(text: str, *, min_chinese: int = 2) -> bool:
    """Whether ``text`` could tell a person something: "aaa", "abc", "啊啊啊", "1111", "无" and
    "???" cannot; "停水了", "路灯不亮", "胜利路", "Water pipe burst in my building" can.

    The rule: at least ``min_chinese`` Chinese characters of which two differ, not all of it a
    non-answer ("不知道", "测试"); or, without Chinese, at least three Latin words of two or more
    letters, several letters different (a sentence in another language)."""
    value = re.sub(r"\s+", "", text or "")
    if not value or value.lower() in _NON_ANSWERS:
        return False
    chinese = _CJK.findall(value)
    if chinese:
        return len(chinese) >= min_chinese and len(set(chinese)) >= 2
    words = _LATIN_WORD.findall(text or "")
    letters = {c.lower() for w in words for c in w}
    return len(words) >= 3 and len(letters) >= 5


# --- readable summaries ------------------------------------------------------------------------------

_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]*")
_CLAUSE_END = re.compile(r"[^，；,;]+[，；,;]?")
# How callers and channels wrap a request ("来电人张女士称：", "市民来电反映：", "您好，").
_WRAPPING = re.compile(
    r"^(?:(?:市民|来电人|来电|网民|群众|居民)[^，。：:]{0,6}?(?:来电)?(?:称|反映|留言|咨询|投诉|求助)|您好|你好)[，,：:\s]*"
)


def strip_wrapping(text: str) -> str:
    """``text`` without the caller's or channel's wrapping in front."""
    return _WRAPPING.sub("", text)


# Openings and closings that say nothing about the request: the near-copy key leaves them out.
_OPENINGS = re.compile(r"^(?:尊敬的[^，,：:。]{0,8}[，,：:]|领导[你您]好|[你您]好|市长[你您]?好)[，,！!：:\s]*")
_TAILS = re.compile(
    r"(?:希望|请|恳请|望)(?:相关部门|有关部门|领导)?(?:尽快|早日)?(?:核实|处理|解决|派人)[^。]{0,12}[。！!]*$"
)
_NOT_WORD = re.compile(r"[^\u3400-\u4dbf\u4e00-\u9fffA-Za-z0-9]+")
NEAR_COPY_CHARS = 40


def near_copy_key(text: str) -> str:
    """A key that copies and near-copies of one request share: the text without the caller's or
    channel's wrapping ("市民来电反映：", "尊敬的市长："), closing pleas, spaces and punctuation,
    its first ``NEAR_COPY_CHARS`` characters. Used to keep copies on one side of a fold."""
    value = clean_text(text or "")
    for _round in range(3):
        before = value
        value = _OPENINGS.sub("", strip_wrapping(value.strip()))
        if value == before:
            break
    value = _TAILS.sub("", value)
    return _NOT_WORD.sub("", value).lower()[:NEAR_COPY_CHARS]


def summarise(text: str, limit: int) -> str:
    """The start of ``text`` in whole sentences, at most ``limit`` characters, without the caller's
    wrapping ("来电人称："): what a typical case or a list shows instead of a cut mid-word. A first
    sentence longer than the limit is cut at a clause, and says so with "……"."""
    value = strip_wrapping(clean_text(text))
    if len(value) <= limit:
        return value
    out = ""
    for sentence in (s.strip() for s in _SENTENCE.findall(value)):
        if len(out) + len(sentence) > limit:
            break
        out += sentence
    if out:
        return out
    for clause in _CLAUSE_END.findall(value):
        if len(out) + len(clause) > limit - 2:
            break
        out += clause
    return (out.rstrip("，；,;") or value[: limit - 2]) + "……"
