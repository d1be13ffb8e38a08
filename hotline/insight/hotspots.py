"""Hot issues (热点问题): requests about the same problem in the same place, grouped and ranked.

The method, as a careful analyst would do it by hand:

1. **Place.** Each message's place (estate, road, village) is read from its title, or from the start
   of its text when the title names none (``places.extract_places``). Two messages share a place
   when one name contains the other ("伊景园滨河苑" / "滨河苑"); townships are too wide to count.
2. **Matter.** The text (title twice, then the first 200 characters of the body) with the place
   names blanked is cut into words (jieba) and weighted by TF-IDF; the cosine of two messages
   measures how alike their matter is, not their place.
3. **Similarity** = matter cosine + ``PLACE_BONUS`` when the places match − ``PLACE_CONFLICT``
   when both name a place and the places differ. So two messages at one estate join on a weaker
   textual likeness (0.05) than two messages where at most one names a place (0.20), and two
   messages at different estates never join: the same complaint at two estates is two problems.
4. **Clusters.** Average-linkage agglomerative clustering cut at mean similarity ``JOIN`` (scipy),
   within blocks: the whole file for an external file; the township (``Ticket.region``) for the
   database, so that 100,000 tickets stay tractable. A block larger than ``MAX_BLOCK`` is cut into
   consecutive time slices.
5. **Heat** (documented in docs/insight.md), for a cluster of ``n`` messages from ``u`` distinct
   requesters with support ``s`` (votes for minus votes against, at least 0, plus repeat calls
   folded into them) and growth ``g``::

       heat = (n + u) / 2 × (1 + g) + 3 × log2(1 + s)

   ``g`` = max(0, members in the last 30 days of the period − members in the 30 days before) / n:
   a problem that is still rising ranks above one of the same size that has died down. Clusters
   smaller than ``min_size`` are not hot issues.

The thresholds were chosen on the TipDM 2020 C file (``messages_with_votes.csv``) against five
problems read by hand; ``hotline/insight/tests/test_hotspots_real.py`` checks them.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import numpy as np

from hotline.insight.places import extract_places, known_names, mask_places, place_keys

PLACE_BONUS = 0.15
PLACE_CONFLICT = 1.0  # different places never join
JOIN = 0.20  # mean similarity at which two groups still merge (average linkage)
MAX_BLOCK = 5000
BODY_CHARS = 200
GROWTH_WINDOW = dt.timedelta(days=30)
CHAR_WEIGHT = 0.3  # share of character bigrams in the text vector (words take the rest)

# Words that say how people complain, not what about.
STOP_WORDS = set(
    """投诉 反映 关于 问题 请求 请问 建议 希望 要求 举报 咨询 恳请
    强烈 坚决 反对 严重 相关 部门 政府 领导 市民 居民 业主 我们
    能否 是否 何时 什么 为什么 怎么 如何 一直 已经 还是 没有 不能
    不是 可以 进行 存在 情况 问题 事情 一个 这个 那个 现在 目前
    附近 旁边 周边 门口 小区 社区 街道 请 管 一下 尽快 解决 处理 落实 谁来 到底 为何 合理 合法 给予 予以 导致 影响 造成
    来电 来电人 人称 网民 留言 称 您好 你好 谢谢 麻烦 这次 一次 派人 看看
    市 区 县 镇 村 路 的 了 在 和 与 及 对 是 有 被""".split()
)


@dataclass(frozen=True)
class Message:
    """One request as the clustering sees it. ``block`` keeps unrelated parts apart (township)."""

    id: str
    title: str
    body: str = ""
    at: dt.datetime | None = None
    requester: str = ""
    support: int = 0
    block: str = ""
    address: str = ""  # where the caller said it is; places are read here first
    matter: str = ""  # the catalogue matter's name, when the request has one (database tickets)
    area: str = ""  # the township or district the request is placed in (database tickets)


@dataclass
class HotIssue:
    rank: int
    title: str
    place: str
    keywords: list[str]
    member_ids: list[str]
    size: int
    requesters: int
    support: int
    growth: float
    heat: float
    first_at: dt.datetime | None
    last_at: dt.datetime | None
    places: list[tuple[str, int]] = field(default_factory=list)


def heat_score(*, size: int, requesters: int, support: int, growth: float) -> float:
    """The documented heat formula (module docstring, docs/insight.md)."""
    return (size + requesters) / 2 * (1 + max(0.0, growth)) + 3 * math.log2(1 + max(0, support))


_CLAUSES = re.compile(r"[\s，。！？、；：,.!?;:（）()“”\"']+")


def _tokenizer() -> Callable[[str], list[str]]:
    import jieba

    jieba.setLogLevel(60)

    seen: dict[str, list[str]] = {}

    def clause(text: str) -> list[str]:
        if text not in seen:
            seen[text] = [w for w in jieba.lcut(text) if len(w) > 1 and w not in STOP_WORDS and not w.isdigit()]
        return seen[text]

    def tokens(text: str) -> list[str]:
        # Segmentation is most of the cost, and hotline texts repeat clause by clause (the same
        # opening, the same complaint, the same closing from many callers): each distinct clause
        # is cut once. A word never spans punctuation, so nothing is lost.
        return [w for part in _CLAUSES.split(text) if part for w in clause(part)]

    return tokens


def _message_places(messages: Sequence[Message]) -> list[list[str]]:
    out = []
    for m in messages:
        names = extract_places(re.sub(r"\d+号.*$", "", m.address)) if m.address else []
        names = names or extract_places(m.title)
        if not names:
            names = extract_places(re.sub(r"\s+", "", m.body)[:150])[:1]
        out.append(names)
    return out


def _blocks(messages: Sequence[Message]) -> list[list[int]]:
    by_key: dict[str, list[int]] = {}
    for i, m in enumerate(messages):
        by_key.setdefault(m.block, []).append(i)
    blocks = []
    for idx in by_key.values():
        if len(idx) <= MAX_BLOCK:
            blocks.append(idx)
            continue
        idx = sorted(idx, key=lambda i: messages[i].at or dt.datetime.min)
        blocks.extend(idx[a : a + MAX_BLOCK] for a in range(0, len(idx), MAX_BLOCK))
    return blocks


def cluster_messages(
    messages: Sequence[Message], *, progress: bool = False
) -> tuple[list[list[int]], list[list[str]], object, list[list[str]]]:
    """Groups of message indices (every message in exactly one group), with the places found and
    the fitted vectoriser and tokens, which the titles reuse."""
    import scipy.sparse as sp
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform
    from sklearn.feature_extraction.text import TfidfVectorizer

    if not messages:
        return [], [], None, []
    places = _message_places(messages)
    known = known_names(n for names in places for n in names)
    keys = [place_keys(names, known) for names in places]
    tokenize = _tokenizer()
    tokens = [
        tokenize(mask_places(m.title + " " + m.title + " " + re.sub(r"\s+", "", m.body)[:BODY_CHARS], names))
        for m, names in zip(messages, places)
    ]
    # On a large corpus a word in more than a fifth of the messages says nothing about the matter;
    # on a handful of messages that rule would drop the very word they share.
    large = len(messages) >= 200
    vectoriser = TfidfVectorizer(
        analyzer=lambda toks: toks, sublinear_tf=True, min_df=2 if large else 1, max_df=0.2 if large else 1.0
    )
    try:
        X = vectoriser.fit_transform(tokens)
    except ValueError:  # every text empty once the stop words are gone
        return [[i] for i in range(len(messages))], places, None, tokens
    if CHAR_WEIGHT:
        # Character bigrams of the joined words catch what segmentation splits differently
        # (摆摊 / 小摊, 停车 / 乱停).
        chars = TfidfVectorizer(
            analyzer="char",
            ngram_range=(2, 2),
            sublinear_tf=True,
            min_df=2 if large else 1,
            max_df=0.2 if large else 1.0,
        )
        try:
            C = chars.fit_transform(["|".join(t) for t in tokens])
            X = sp.hstack([X * math.sqrt(1 - CHAR_WEIGHT), C * math.sqrt(CHAR_WEIGHT)]).tocsr()
        except ValueError:
            pass
    key_index = {k: j for j, k in enumerate(sorted({k for ks in keys for k in ks}))}
    rows = [i for i, ks in enumerate(keys) for _ in ks]
    cols = [key_index[k] for ks in keys for k in ks]
    P = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(messages), max(1, len(key_index))))
    has_place = np.array([bool(ks) for ks in keys])

    groups: list[list[int]] = []
    blocks = _blocks(messages)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(messages), desc="clustering", unit="msg")
    for block in blocks:
        if len(block) == 1:
            groups.append(block)
        else:
            Xb, Pb, hb = X[block], P[block], has_place[block]
            sim = (Xb @ Xb.T).toarray()
            same = (Pb @ Pb.T).toarray() > 0
            sim += PLACE_BONUS * same - PLACE_CONFLICT * (np.outer(hb, hb) & ~same)
            np.fill_diagonal(sim, 1.0)
            dist = np.clip(1.0 - sim, 0.0, None)
            labels = fcluster(
                linkage(squareform(dist, checks=False), method="average"), t=1.0 - JOIN, criterion="distance"
            )
            by_label: dict[int, list[int]] = {}
            for i, label in zip(block, labels):
                by_label.setdefault(int(label), []).append(i)
            groups.extend(by_label.values())
        if bar is not None:
            bar.update(len(block))
    if bar is not None:
        bar.close()
    return groups, places, vectoriser, tokens


# Words a leader would not put in a title: pronouns, filler verbs of telling and noticing, and
# vague quantities ("别人、发现、有人", "一半、两个"). Parts of speech catch most of them (below);
# these are the ones jieba tags as nouns or verbs.
TITLE_STOP_WORDS = set(
    """别人 有人 人家 大家 自己 我家 他们 她们 你们 发现 反应 知道 觉得 感觉 听说 看到 告诉 说明 表示 出现
    导致 需要 应该 不要 不让 时候 时间 地方 东西 事儿 样子 办法 原因 结果 每天 天天 经常 总是 一半 两个
    家里 这边 那边 里面 外面 上面 下面 本人 业主们 居民们 老百姓 师傅 工作人员 来电 全部 部分
    事实 产生 问问 大量 一台 方向 利用""".split()
)
# jieba's tags of words that can name a problem: nouns, verbal nouns, adjectival nouns, idioms
# and set phrases. Verbs are kept only when the catalogue uses them (``vocabulary``).
_PROBLEM_TAGS = ("n", "vn", "an", "nz", "l", "i", "j", "ng")


def _pos_tags() -> Callable[[str], str]:
    import jieba
    import jieba.posseg

    jieba.setLogLevel(60)
    cache: dict[str, str] = {}

    def tag(word: str) -> str:
        if word not in cache:
            pairs = jieba.posseg.lcut(word)
            known = bool(jieba.dt.FREQ.get(word))  # a word of the dictionary, not a piece the HMM guessed
            cache[word] = pairs[0].flag if len(pairs) == 1 and known else "x"  # "厨太脏", "后卡": fragments
        return cache[word]

    return tag


_tag = _pos_tags()


def _problem_words(
    ranked: list[str], counts: Counter[str], floor: int, place: str, vocabulary: frozenset[str]
) -> list[str]:
    """Up to three words that name the problem: in the catalogue's vocabulary or nouns, never a
    pronoun, filler or a fragment the segmenter left; the most used first."""
    out: list[str] = []
    for w in ranked[:30]:
        if counts[w] < floor or len(out) == 3:
            break
        if w in TITLE_STOP_WORDS or w in STOP_WORDS or w in place or any(w in k or k in w for k in out):
            continue
        if w in vocabulary or _tag(w).startswith(_PROBLEM_TAGS):
            out.append(w)
    return out


def _title(
    members: list[int],
    places: list[list[str]],
    tokens: list[list[str]],
    messages: Sequence[Message] = (),
    vocabulary: frozenset[str] = frozenset(),
) -> tuple[str, str, list[str]]:
    """ "Place：problem", as a leader would write it (M7). The place: the commonest place form
    among the members, else the township they lie in. The problem: the matters most of them are
    filed under, else the words most of them use that name a problem (``_problem_words``)."""
    known = known_names(n for i in members for n in places[i])
    forms: Counter[str] = Counter()
    for i in members:
        for k in place_keys(places[i], known):
            forms[k] += 1
    # Ties are broken by the text itself, so a title never depends on set order (hash seeds).
    ranked_forms = sorted(forms.items(), key=lambda fc: (-fc[1], fc[0]))
    place = ""
    if ranked_forms and ranked_forms[0][1] >= max(2, 0.4 * len(members)):
        top = ranked_forms[0][1]
        # Of the forms nearly as common as the commonest, the most specific (longest).
        place = max((f for f, c in ranked_forms if c >= 0.6 * top), key=lambda f: (len(f), forms[f], f))
    if not place and messages:
        areas = Counter(messages[i].area for i in members if messages[i].area)
        if areas and areas.most_common(1)[0][1] >= 0.6 * len(members):
            place = areas.most_common(1)[0][0]
    words: Counter[str] = Counter()
    for i in members:
        words.update(set(tokens[i]))
    ranked = [w for w, _ in sorted(words.items(), key=lambda wc: (-wc[1], wc[0]))]
    floor = max(2, len(members) // 4)
    # "搅拌站" and "搅拌" say one thing; the place is said already.
    keywords = _problem_words(ranked, words, floor, place, vocabulary)
    if not keywords:
        keywords = [w for w in ranked[:3] if w not in TITLE_STOP_WORDS]
    problem = "、".join(keywords)
    if messages:
        matters = Counter(messages[i].matter for i in members if messages[i].matter)
        named = [m for m, n in sorted(matters.items(), key=lambda mn: (-mn[1], mn[0])) if n >= 0.25 * len(members)]
        if named:
            problem = "、".join(named[:2])
    return (f"{place}：{problem}" if place else problem) or "—", place, keywords


def find_hot_issues(
    messages: Sequence[Message],
    *,
    top: int | None = None,
    min_size: int = 3,
    period_end: dt.datetime | None = None,
    progress: bool = False,
    vocabulary: Iterable[str] = (),
) -> list[HotIssue]:
    """Hot issues ranked by heat, highest first. ``period_end`` (default: the newest message)
    anchors the growth windows; ``vocabulary`` (the catalogue's names and keywords) are the words
    a title prefers for the problem."""
    words = frozenset(vocabulary)
    groups, places, _, tokens = cluster_messages(messages, progress=progress)
    times = [m.at for m in messages if m.at]
    end = period_end or (max(times) if times else None)
    issues: list[HotIssue] = []
    for members in groups:
        if len(members) < min_size:
            continue
        ms = [messages[i] for i in members]
        requesters = len({m.requester for m in ms if m.requester} | {m.id for m in ms if not m.requester})
        support = sum(m.support for m in ms)
        growth = 0.0
        if end is not None:
            recent = sum(1 for m in ms if m.at and end - GROWTH_WINDOW < m.at <= end)
            before = sum(1 for m in ms if m.at and end - 2 * GROWTH_WINDOW < m.at <= end - GROWTH_WINDOW)
            growth = max(0, recent - before) / len(ms)
        title, place, keywords = _title(members, places, tokens, messages, words)
        at = sorted(m.at for m in ms if m.at)
        place_counts = Counter(n for i in members for n in places[i][:1])
        issues.append(
            HotIssue(
                rank=0,
                title=title,
                place=place,
                keywords=keywords,
                member_ids=[m.id for m in sorted(ms, key=lambda m: (m.at or dt.datetime.min, m.id))],
                size=len(ms),
                requesters=requesters,
                support=support,
                growth=round(growth, 3),
                heat=round(heat_score(size=len(ms), requesters=requesters, support=support, growth=growth), 2),
                first_at=at[0] if at else None,
                last_at=at[-1] if at else None,
                places=place_counts.most_common(),
            )
        )
    issues.sort(key=lambda h: (-h.heat, -h.size, h.member_ids[0]))
    if top is not None:
        issues = issues[:top]
    for rank, issue in enumerate(issues, 1):
        issue.rank = rank
    return issues


# --- external files -------------------------------------------------------------------------

FILE_COLUMNS = ("留言编号", "留言主题", "留言时间", "留言详情")
_TIME = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:\s*(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?)?")


def parse_time(value: str) -> dt.datetime | None:
    """ "2019/2/28 11:25:05", "2019-08-01 10:00", "2019年8月1日" → a naive datetime; else None."""
    m = _TIME.search(value or "")
    if not m:
        return None
    y, mo, d, h, mi, s = (int(x) if x else 0 for x in m.groups())
    try:
        return dt.datetime(y, mo, d, h, mi, s)
    except ValueError:
        return None


def _int(value: str) -> int:
    try:
        return max(0, int(float(value)))
    except (TypeError, ValueError):
        return 0


def read_messages_file(path: str | Path) -> list[Message]:
    """The message-board export: 留言编号, 留言主题, 留言时间, 留言详情 and optionally 留言用户,
    点赞数, 反对数 (CSV in UTF-8 or GB18030, or Excel). Missing columns or duplicate ids are one
    clear ``ValidationError``."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from hotline.tabular import read_table
    from hotline.text import clean_text

    rows = read_table(path, required=FILE_COLUMNS)
    seen: set[str] = set()
    messages = []
    for n, row in enumerate(rows, start=2):
        mid = row["留言编号"]
        if not mid:
            raise ValidationError(_("Row %(row)s has no message id.") % {"row": n})
        if mid in seen:
            raise ValidationError(_("Message id %(id)s appears twice.") % {"id": mid})
        seen.add(mid)
        support = _int(row.get("点赞数", "")) - _int(row.get("反对数", ""))
        messages.append(
            Message(
                id=mid,
                title=clean_text(row["留言主题"]),
                body=clean_text(row["留言详情"]),
                at=parse_time(row["留言时间"]),
                requester=row.get("留言用户", ""),
                support=max(0, support),
            )
        )
    return messages


def write_issues_csv(issues: Iterable[HotIssue], out: TextIO) -> None:
    """rank, title, size, heat, member_ids (space separated), then the supporting figures."""
    import csv

    writer = csv.writer(out)
    writer.writerow(
        ["rank", "title", "size", "heat", "member_ids", "requesters", "support", "growth", "first_at", "last_at"]
    )
    for h in issues:
        writer.writerow(
            [
                h.rank,
                h.title,
                h.size,
                f"{h.heat:.2f}",
                " ".join(h.member_ids),
                h.requesters,
                h.support,
                f"{h.growth:.3f}",
                h.first_at.isoformat(sep=" ") if h.first_at else "",
                h.last_at.isoformat(sep=" ") if h.last_at else "",
            ]
        )
