"""Place names in free text: the estate, road or village a request is about.

Citizens name the place in the title more often than anywhere else ("投诉A2区丽发新城附近建搅拌站
噪音扰民"). We look for a place suffix (小区, 花园, 苑, 路, 村…) and walk back over the name in
front of it, stopping at punctuation, function words and administrative prefixes. The masked
prefixes of the TipDM data (A市, A2区, A7县) and real ones (城中区, 西宁市) are dropped, so
"A2区丽发新城" and "丽发新城" are the same place.

Two mentions are the same place when one name contains the other ("伊景园滨河苑" and "滨河苑"),
unless the shorter one is generic ("安置小区", "幼儿园"). ``place_keys`` returns, for each name,
the set of keys that realise that rule, so a sparse matrix of keys finds matching documents
without comparing every pair of names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Longest suffixes first so that "国际城" wins over "城".
SUFFIXES = sorted(
    """小区 花园 新城 家园 公寓 山庄 庭院 国际城 广场 大厦 中心 商城
    华庭 雅苑 名苑 公馆 一品 天地 首府 城 苑 湾 府 园 村
    社区 街道 镇 乡 大道 路 街 巷 小学 中学 幼儿园 学校 医院 公园 市场""".split(),
    key=len,
    reverse=True,
)
# Characters that never belong to a place name: they end the walk back from a suffix.
_STOP_CHARS = set(
    "的在于对和与及或、，,。.！!？?；;：:（）()“”\"'《》【】[]"
    " \t\r\n—-~～/\\给向把被让从到请要就都也还又是了着过有没无不"
)
# Words in front of a name that are not part of it.
_LEAD_WORDS = re.compile(
    r"^(?:.*?(?:投诉|反映|关于|举报|咨询|建议|希望|要求|请求|请问|问问|坚决反对|反对|强烈|恳请|严惩|关注|解决|"
    r"位于|地处|座落|坐落|居住|住在|我是|我们|本人|业主|市民|居民|附近|旁边|对面|门口|周边|一带))"
)
# Administrative prefixes (masked in the TipDM data, real in ours) carry no place identity here.
_ADMIN = re.compile(r"(?:[A-Z]\d*[市区县州镇]|[\u4e00-\u9fa5]{2,4}?(?:省|市|自治州|自治县|区|县))")
_MASK = re.compile(r"[A-Z]\d*[市区县]")
# Short names that name a kind of place, not one place.
GENERIC = set(
    """小区 花园 新城 家园 公寓 广场 大厦 中心 城 苑 湾 府 园
    里 村 社区 街道 镇 乡 大道 路 街 小学 中学 幼儿园 学校 医院
    公园 市场 安置小区 投诉小区 老小区 该小区 本小区 我小区 我们小区
    此小区 这个小区 小区内 城区 县城 市区 全市 全县 全区
    农村 乡村 新村 商业街 步行街 马路 道路 公路 高速公路 城市 幼儿园 配套幼儿园 公办幼儿园 民办幼儿园 学校 小学 中学
    高铁 地铁站 车站 菜市场 农贸市场 停车场 本村 我村 该村 此路 该路 一路 二路 大街 主路 辅路 小路 人行道 十字路
    市政府 区政府 县政府 政府 庭院 华庭 雅苑 名苑 公馆 天地 首府 一品 商城 国际城 居民区 住宅区 开发区 工业园 产业园
    物流园 科技园 示范区 新区 老城区 城乡 全城 满城 小区门口 小区大门 小区旁 小区外""".split()
)
_SUFFIX_RE = re.compile("|".join(re.escape(s) for s in SUFFIXES))
MAX_NAME = 10
_NOT_ADMIN = {"小区", "社区", "园区", "景区", "校区", "片区", "厂区", "营区", "矿区", "新区"}


def _clean(name: str) -> str:
    name = _LEAD_WORDS.sub("", name)
    # Drop administrative prefixes repeatedly: "A市A5区劳动东路" → "劳动东路".
    while True:
        m = _ADMIN.match(name)
        if not m or len(name) - m.end() < 2:
            break
        name = name[m.end() :]
    return name.strip("·.")


def extract_places(text: str) -> list[str]:
    """Place names in ``text`` in order of appearance, without duplicates or generic names."""
    text = _MASK.sub(" ", text or "")
    found: list[str] = []
    for m in _SUFFIX_RE.finditer(text):
        end = m.end()
        start = m.start()
        i = start
        while i > 0 and start - i < MAX_NAME and text[i - 1] not in _STOP_CHARS:
            # An administrative name ends here ("城东区", "湟中县"), unless it is 小区/社区/园区.
            if text[i - 1] in "区县市省" and text[i - 2 : i] not in _NOT_ADMIN:
                break
            i -= 1
        name = _clean(text[i:end])
        if len(name) < 3 or name in GENERIC or name[: -len(m.group())] in ("", "该", "本", "我", "此", "这"):
            continue
        if not re.search(r"[\u4e00-\u9fa5]", name[: -len(m.group())] or "x"):
            # "58路", "3号路": a number and a suffix is not a place we can match on.
            if not re.search(r"[A-Za-z]{2,}", name):
                continue
        if name not in found:
            found.append(name)
    # A name inside a longer one found at the same spot ("滨河苑" inside "伊景园滨河苑") adds nothing.
    return [n for n in found if not any(n != o and n in o for o in found)]


def _forms(name: str) -> list[str]:
    """A name and its shorter forms: without a trailing 小区/社区 ("魅力之城小区" → "魅力之城") and
    without the township in front ("暮云街道丽发新城社区" → "丽发新城社区")."""
    forms = [name]
    tail = re.split(r"街道|镇|乡", name)[-1]
    if tail != name and len(tail) >= 3:
        # The township in front is context, not the place: "东关大街街道东关花园小区" must not
        # match a request on 东关大街 (the road) through it.
        forms = [tail]
    for f in list(forms):
        base = re.sub(r"(?:小区|社区)$", "", f)
        if base != f and len(base) >= 3:
            forms.append(base)
    # A township (镇, 乡, 街道) is too wide to say two requests are about one place.
    return [f for f in forms if f not in GENERIC and not re.search(r"(?:街道|镇|乡)$", f)]


def place_keys(names: Iterable[str], known: set[str]) -> set[str]:
    """The keys under which ``names`` match other documents: each name itself and every known,
    non-generic name of three characters or more that it contains."""
    keys: set[str] = set()
    for name in names:
        for form in _forms(name):
            keys.add(form)
            n = len(form)
            for a in range(n):
                for b in range(a + 3, n + 1):
                    sub = form[a:b]
                    if sub != form and sub in known and sub not in GENERIC:
                        keys.add(sub)
    return keys


def known_names(names: Iterable[str]) -> set[str]:
    """Every form of every name, the vocabulary ``place_keys`` matches against."""
    return {f for name in names for f in _forms(name)}


def mask_places(text: str, names: Iterable[str]) -> str:
    """``text`` with the place names and masked prefixes blanked, so that similarity of the rest
    measures the matter, not the place."""
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, " ")
    return _MASK.sub(" ", text)
