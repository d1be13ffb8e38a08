"""Hot issues on the real TipDM 2020 C message file: the problems a careful reader names first."""

from __future__ import annotations

import re

import pytest
from conftest import SHARED

from hotline.insight.hotspots import find_hot_issues, read_messages_file

VOTES = SHARED / "tipdm2020c" / "messages_with_votes.csv"
pytestmark = pytest.mark.skipif(not VOTES.exists(), reason="../shared/datasets/tipdm2020c is not on this machine")


@pytest.fixture(scope="module")
def found():
    messages = read_messages_file(VOTES)
    return {m.id: m for m in messages}, find_hot_issues(messages, top=40)


# Read by hand: (what a message of the problem mentions, pattern over its title + text,
# minimum members in one cluster, minimum share of the cluster that is on topic, best rank).
PROBLEMS = [
    ("丽发新城 mixing plant noise and dust", r"搅拌", 45, 0.9, 3),
    ("伊景园滨河苑 parking spaces sold with the flats", r"滨河|伊景园|广铁|捆绑", 40, 0.95, 3),
    ("58车贷 fraud case", r"58车|车贷", 13, 1.0, 3),
    ("五矿万境 building quality", r"五矿万境", 4, 1.0, 5),
    ("魅力之城 shops' fumes and noise", r"魅力之城", 17, 0.9, 10),
    ("绿地海外滩 next to the high-speed rail", r"海外滩", 4, 1.0, 10),
]


@pytest.mark.parametrize("name,pattern,min_size,min_purity,max_rank", PROBLEMS, ids=[p[0] for p in PROBLEMS])
def test_each_top_problem_is_one_clean_cluster(found, name, pattern, min_size, min_purity, max_rank):
    by_id, issues = found
    on_topic = re.compile(pattern)

    def hits(issue):
        return sum(1 for i in issue.member_ids if on_topic.search(by_id[i].title + by_id[i].body))

    best = max(issues, key=hits)
    assert hits(best) >= min_size, (name, best.title, hits(best))
    assert hits(best) / best.size >= min_purity, (name, best.title, best.size)
    assert best.rank <= max_rank, (name, best.rank)


def test_titles_name_place_and_problem(found):
    _, issues = found
    # M7: no title of the forty is keyword salad: no pronoun, filler word or segmenter fragment.
    from hotline.insight.hotspots import TITLE_STOP_WORDS

    salad = [h.title for h in issues if any(w in h.keywords for w in TITLE_STOP_WORDS)]
    assert salad == []
    titles = [h.title for h in issues[:3]]
    assert any("丽发新城" in t and "搅拌" in t for t in titles), titles
    assert any("滨河苑" in t and "车位" in t for t in titles), titles
