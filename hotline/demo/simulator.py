"""A month of a Xining-style hotline, driven through the real services.

Requests are written from the catalogue's examples with addresses across Xining's townships,
arrive around the clock with the daily rhythm of a call centre, and go through intake, dispatch,
signing, contact, sometimes a return or an extension, a reply (now and then late), and a revisit
(now and then dissatisfied, which sends the ticket back). Nothing is written around the services:
every row the simulator leaves is one the platform itself would have written.

Two stories run under the noise, for the insight pages (改 + 未诉先办) to find: vendors and
parked cars at the gate of one estate (东关花园小区), several complaints a day until a
rectification takes effect ``GATE_FIXED_DAYS`` before the end, then hardly any; and a burst of
"the whole building is cold" calls from one estate (古城台小区) in the last ``SURGE_DAYS`` days.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.utils import timezone

from hotline.catalog.models import Matter, OwnerLevel
from hotline.dispatch import learning, returns, router, store
from hotline.dispatch.suggest import suggest_many
from hotline.dispatch.services import answer_from_knowledge, dispatch_ticket, sure_matter
from hotline.evaluation.models import Revisit, Satisfaction
from hotline.evaluation.services import close_after_window, record_revisit
from hotline.handling import services as handling
from hotline.intake.models import Channel
from hotline.knowledge.models import Article
from hotline.intake.services import answer_directly, invalidate_ticket, merge_ticket, register_ticket
from hotline.orgs.models import Region, Unit
from hotline.tabular import package_table
from hotline.tickets.models import VOID, Kind, Status, Ticket, Urgency
from hotline.tickets import transitions
from hotline.tickets.transitions import TransitionError
from hotline.workcal.services import get_calendar

# Share of calls per hour of the day (0–23), shaped like a city hotline's day: quiet at night,
# a morning peak at 9–11, a second one at 14–17.
HOURLY = [
    0.6,
    0.4,
    0.3,
    0.3,
    0.3,
    0.5,
    1.0,
    2.2,
    4.6,
    7.6,
    8.2,
    7.4,
    5.2,
    4.6,
    6.6,
    7.2,
    7.0,
    6.4,
    4.8,
    3.8,
    3.4,
    2.8,
    1.9,
    1.1,
]
CHANNEL_WEIGHTS = {
    "phone_12345": 64,
    "app_shiliuzi": 9,
    "web_portal": 6,
    "wechat": 5,
    "gov_board": 3,
    "mayor_mailbox": 2,
    "police_110": 2,
    "media": 0.4,
    "hotline_12315": 2,
    "hotline_12333": 1.2,
    "hotline_12369": 0.8,
    "hotline_12319": 0.8,
    "hotline_12328": 0.6,
    "hotline_12320": 0.5,
    "hotline_12393": 0.4,
    "hotline_12316": 0.3,
    "hotline_12358": 0.2,
    "hotline_12331": 0.2,
    "hotline_12350": 0.2,
}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何林罗高郑梁谢宋唐韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢韩"
GIVEN = ["先生", "女士", "师傅", "大爷", "阿姨"]
OPENINGS = ["", "", "", "市民来电反映：", "来电人称：", "市民反映：", "网民留言："]
CLOSINGS = ["", "", "希望尽快处理。", "请相关部门核实处理。", "已经反映过一次，希望这次能解决。", "请尽快派人来看看。"]
# A unit's reply is of the kind its matter calls for (m13): a repair for a broken supply, an
# enforcement for a nuisance, a mediation for a dispute, an explanation for a policy question.
# Keyed by the catalogue's category or subcategory (the first two or four digits of a code).
REPAIR = [
    "已组织维修人员现场处置，{d}恢复正常，已回访诉求人。",
    "已于{d}安排抢修人员到场排查，故障已排除，并电话告知诉求人。",
]
ENFORCE = [
    "经现场核查，情况属实，已责令相关责任方限期整改，整改已完成，已向诉求人反馈。",
    "已于{d}安排执法人员到现场核实，已依法处置，并电话告知诉求人，后续将加强巡查。",
]
MEDIATE = [
    "接单后第一时间联系诉求人，会同社区到现场查看，已协调解决，后续将加强巡查。",
    "已约谈相关方，于{d}协调双方达成一致，诉求人表示认可。",
]
EXPLAIN = [
    "已联系诉求人说明相关政策及办理流程，诉求人表示理解。",
    "已安排专人与诉求人对接，于{d}协助其办理了相关手续。",
]
REPLIES_BY_CATEGORY = {
    "01": ENFORCE,  # 城市管理
    "0106": REPAIR,  # 园林绿化
    "02": MEDIATE,  # 住房和物业
    "0202": REPAIR,  # 电梯
    "0205": EXPLAIN,  # 公租房和保障房
    "0206": EXPLAIN,  # 房地产交易
    "03": ENFORCE,  # 道路交通
    "0301": REPAIR,  # 市政道路
    "0302": REPAIR,  # 路灯和井盖
    "0303": REPAIR,  # 交通信号和设施
    "0305": EXPLAIN,  # 公共交通
    "0307": EXPLAIN,  # 交通违法和交管业务
    "04": ENFORCE,  # 生态环境
    "05": ENFORCE,  # 市场监管
    "06": MEDIATE,  # 劳动和社会保障
    "0603": EXPLAIN,  # 社会保险
    "0604": EXPLAIN,  # 养老保险待遇
    "0605": EXPLAIN,  # 就业创业
    "0606": EXPLAIN,  # 失业保险
    "0607": EXPLAIN,  # 人事人才
    "07": EXPLAIN,  # 医疗保障和卫生健康
    "08": EXPLAIN,  # 教育
    "0804": MEDIATE,  # 校园安全和管理
    "09": ENFORCE,  # 公安非紧急
    "0901": EXPLAIN,  # 户籍管理
    "0902": EXPLAIN,  # 证件办理
    "10": REPAIR,  # 水电气暖
    "11": ENFORCE,  # 消防安全
    "12": EXPLAIN,  # 民政
    "13": MEDIATE,  # 农业农村
    "1303": EXPLAIN,  # 惠农补贴
    "14": ENFORCE,  # 自然资源和规划
    "1403": EXPLAIN,  # 不动产登记
    "15": EXPLAIN,  # 文化旅游体育
    "16": ENFORCE,  # 应急管理和安全生产
    "17": EXPLAIN,  # 政务服务
    "18": EXPLAIN,  # 税务和住房公积金
    "19": MEDIATE,  # 基层治理和社会事务
    "20": EXPLAIN,  # 商务和通信邮政
}


def replies_for(matter: Matter | None) -> list[str]:
    """The replies a unit writes for requests of ``matter``'s kind: its subcategory's (four
    digits of its code) when that differs from its category's, else its category's."""
    if matter is None:
        return MEDIATE
    return REPLIES_BY_CATEGORY.get(matter.code[:4]) or REPLIES_BY_CATEGORY.get(matter.code[:2], MEDIATE)


RETURN_REASONS = [
    "该事项不属于我单位职责范围，建议派至属地街道办事处。",
    "经核实，诉求地址不在我辖区，请重新派单。",
    "该问题属于供水企业管理范围，请改派。",
]


@dataclass
class Place:
    township: Region
    name: str


@dataclass
class Story:
    """Requests planted among the random ones: ``per_day`` a day from ``start_days`` before the
    end, ``per_day_after`` a day from ``change_days`` before the end."""

    place: Place
    matters: list[Matter]
    texts: list[str]
    start_days: float
    per_day: float
    change_days: float = 0.0
    per_day_after: float = 0.0
    phones: list[str] = field(default_factory=list)


GATE_PLACE, GATE_MATTERS, GATE_FIXED_DAYS = "东关花园小区", ("010201", "030401"), 10
GATE_TEXTS = [
    "{p}门口流动摊贩占道经营，车辆乱停，早晚高峰出不去。",
    "{p}大门口摊贩占道摆摊，私家车乱停把门堵了。",
    "{p}门口每天早上都有摊贩占道卖菜，车辆乱停乱放，老人孩子过路很危险。",
    "{p}门口摊贩占道，乱停车，救护车都进不来。",
    "{p}正门口被摊贩和乱停的车占满了，业主进出困难。",
    "{p}门口的小摊贩占道经营，车辆乱停，已经反映过多次。",
]
SURGE_PLACE, SURGE_MATTER, SURGE_DAYS = "古城台小区", "10050101", 2.5
SURGE_TEXTS = [
    "{p}整栋楼暖气都不热，屋里只有十三四度。",
    "{p}暖气不热，整个单元都是温的，老人冻感冒了。",
    "{p}这几天暖气一直不热，室温不到十五度。",
    "{p}整栋楼暖气不热，打供热公司电话没人接。",
]


@dataclass
class Stats:
    tickets: int = 0
    events: int = 0
    by_status: Counter = field(default_factory=Counter)
    returns: int = 0
    extensions: int = 0
    reopened: int = 0


class Simulator:
    def __init__(
        self,
        *,
        seed: int = 12345,
        per_day: int = 1200,
        end: dt.datetime | None = None,
        progress: Callable[[int], object] | None = None,
    ) -> None:
        self.rng = random.Random(seed)
        self.per_day = per_day
        self.end = end or timezone.now()
        self.progress = progress or (lambda _n: None)
        self.stats = Stats()
        self.calendar = get_calendar()
        User = get_user_model()
        self.actor = User.objects.filter(username="sim-centre").first() or User.objects.create(
            username="sim-centre",
            first_name="模拟坐席",
            is_active=False,
        )
        self.matters = list(Matter.objects.filter(is_leaf=True, is_active=True).select_related("function"))
        self.channels = {c.code: c for c in Channel.objects.filter(is_active=True)}
        self.channel_codes = [c for c in CHANNEL_WEIGHTS if c in self.channels]
        self.channel_weights = [CHANNEL_WEIGHTS[c] for c in self.channel_codes]
        self.places = self._places()
        self.places_by_township: dict[str, list[Place]] = {}
        for place in self.places:
            self.places_by_township.setdefault(place.township.code, []).append(place)
        self.townships = sorted({p.township.code: p.township for p in self.places}.values(), key=lambda r: r.code)
        # A township's share of calls follows its population, roughly: city streets get more.
        self.township_weights = [3.0 if t.name.endswith("街道") else 1.0 for t in self.townships]
        self.units = list(Unit.objects.exclude(kind=Unit.Kind.CENTRE).filter(is_active=True))
        # Each unit has its own temper: how often it is late, bounces tickets or leaves citizens unhappy.
        self.temper = {u.pk: self.rng.betavariate(2, 12) for u in self.units}
        self.recent: list[Ticket] = []
        self.stories = self._stories()
        self.co_units: dict[int, list[Unit]] = {}
        self.articles: dict[str, Article] = {}
        for article in Article.objects.filter(is_active=True).exclude(matter=None).select_related("matter"):
            assert article.matter is not None
            self.articles.setdefault(article.matter.code, article)
        # With a trained classifier, tickets it is sure of are dispatched by it (自动派单).
        self.use_model = store.active()[1] is not None

    def _places(self) -> list[Place]:
        regions = {r.code: r for r in Region.objects.filter(level=Region.Level.TOWNSHIP).select_related("parent")}
        out = []
        for row in package_table("orgs", "places.csv", required=["township_code", "name", "kind"]):
            township = regions.get(row["township_code"])
            if township is not None:
                out.append(Place(township, row["name"]))
        return out

    def _stories(self) -> list[Story]:
        by_name = {p.name: p for p in self.places}
        matters = {m.code: m for m in self.matters}
        stories = []
        phones = [f"139{self.rng.randrange(10**8):08d}" for _ in range(4)]  # neighbours who call again
        if GATE_PLACE in by_name and all(c in matters for c in GATE_MATTERS):
            stories.append(
                Story(
                    by_name[GATE_PLACE],
                    [matters[c] for c in GATE_MATTERS],
                    GATE_TEXTS,
                    45,
                    4.0,
                    GATE_FIXED_DAYS,
                    0.3,
                    phones,
                )
            )
        if SURGE_PLACE in by_name and SURGE_MATTER in matters:
            stories.append(Story(by_name[SURGE_PLACE], [matters[SURGE_MATTER]], SURGE_TEXTS, SURGE_DAYS, 6.0))
        return stories

    def _planted(self, received: dt.datetime) -> dict | None:
        days_left = (self.end - received) / dt.timedelta(days=1)
        for story in self.stories:
            if days_left > story.start_days:
                continue
            rate = story.per_day if days_left > story.change_days else story.per_day_after
            if self.rng.random() < min(0.2, rate / self.per_day):
                place = story.place
                district = place.township.parent
                assert district is not None  # a township lies in a district
                phone = (
                    self.rng.choice(story.phones)
                    if story.phones and self.rng.random() < 0.25
                    else f"1{self.rng.choice('3578')}{self.rng.randrange(10**9):09d}"
                )
                return {
                    "matter": self.rng.choice(story.matters),
                    "township": place.township,
                    "address": f"{district.name}{place.township.name}{place.name}",
                    "content": f"{self.rng.choice(OPENINGS)}{self.rng.choice(story.texts).format(p=place.name)}",
                    "kind": Kind.COMPLAINT,
                    "urgency": Urgency.NORMAL,
                    "anonymous": False,
                    "requester_name": self.rng.choice(SURNAMES) + self.rng.choice(GIVEN),
                    "requester_phone": phone,
                    "confidential": False,
                }
        return None

    # --- the request ----------------------------------------------------------------------

    def _arrival(self, day: dt.date) -> dt.datetime:
        hour = self.rng.choices(range(24), weights=HOURLY)[0]
        naive = dt.datetime.combine(day, dt.time(hour, self.rng.randrange(60), self.rng.randrange(60)))
        return timezone.make_aware(naive)

    def _address(self) -> tuple[str, Region]:
        township = self.rng.choices(self.townships, weights=self.township_weights)[0]
        place = self.rng.choice(self.places_by_township[township.code])
        district = township.parent
        assert district is not None  # a township lies in a district
        form = self.rng.random()
        number = f"{self.rng.randint(1, 200)}号" if self.rng.random() < 0.5 else ""
        if form < 0.45:
            text = f"{district.name}{township.name}{place.name}{number}"
        elif form < 0.75:
            text = f"{district.name}{place.name}{number}"
        else:
            text = f"{place.name}{number}"  # a road or an estate only: the dispatcher knows the place
        return text, township

    def _request(self) -> dict:
        matter = self.rng.choice(self.matters)
        example = self.rng.choice(matter.example_list() or [matter.name])
        address, township = self._address()
        content = f"{self.rng.choice(OPENINGS)}{address}，{example}{self.rng.choice(CLOSINGS)}"
        anonymous = self.rng.random() < 0.06
        urgency = (
            Urgency.EMERGENCY if matter.tier == 0 else (Urgency.URGENT if self.rng.random() < 0.05 else Urgency.NORMAL)
        )
        kind = self.rng.choices(
            [Kind.COMPLAINT, Kind.HELP, Kind.CONSULTATION, Kind.REPORT, Kind.SUGGESTION, Kind.PRAISE],
            weights=[38, 36, 12, 6, 4, 1.2],
        )[0]
        return {
            "matter": matter,
            "township": township,
            "address": address,
            "content": content[:4900],
            "kind": kind,
            "urgency": urgency,
            "anonymous": anonymous,
            "requester_name": "" if anonymous else self.rng.choice(SURNAMES) + self.rng.choice(GIVEN),
            "requester_phone": ""
            if anonymous and self.rng.random() < 0.5
            else f"1{self.rng.choice('3578')}{self.rng.randrange(10**9):09d}",
            "confidential": kind == Kind.REPORT and self.rng.random() < 0.5,
        }

    # --- time -------------------------------------------------------------------------------

    def _office_time(self, after: dt.datetime, minutes: float) -> dt.datetime:
        """``after`` plus ``minutes`` of office time: nights and non-working days do not count."""
        t = timezone.localtime(after)
        remaining = dt.timedelta(minutes=minutes)
        while True:
            if not self.calendar.is_workday(t.date()) or t.hour >= 18:
                t = (t + dt.timedelta(days=1)).replace(hour=8, minute=30, second=0)
                continue
            if t.hour < 8 or (t.hour == 8 and t.minute < 30):
                t = t.replace(hour=8, minute=30, second=0)
            close = t.replace(hour=18, minute=0, second=0)
            if t + remaining <= close:
                return t + remaining
            remaining -= close - t
            t = close

    # --- the loop ---------------------------------------------------------------------------

    def run(self, days: int) -> Stats:
        start_day = timezone.localtime(self.end).date() - dt.timedelta(days=days - 1)
        for offset in range(days):
            day = start_day + dt.timedelta(days=offset)
            arrivals = sorted(self._arrival(day) for _ in range(self.per_day))
            for chunk in range(0, len(arrivals), 200):
                # The simulator is the only writer: one transaction per 200 requests, no savepoints.
                due = [received for received in arrivals[chunk : chunk + 200] if received <= self.end]
                # A planted story (one estate's gate, a heating surge) takes its turn, else a random request.
                requests = [self._planted(received) or self._request() for received in due]
                if self.use_model:  # one pass of the classifier over the batch: much faster than one each
                    made = suggest_many([(r["content"], r["address"]) for r in requests])
                    for req, suggestions in zip(requests, made):
                        req["suggestions"] = suggestions
                with transitions.exclusive_batch():
                    for received, req in zip(due, requests):
                        self._one(received, req)
                self.progress(len(arrivals[chunk : chunk + 200]))
        return self.stats

    def _one(self, received: dt.datetime, req: dict) -> None:
        channel = self.rng.choices(self.channel_codes, weights=self.channel_weights)[0]
        ticket, _created = register_ticket(
            channel=channel,
            content=req["content"],
            kind=req["kind"],
            requester_name=req["requester_name"],
            requester_phone=req["requester_phone"],
            anonymous=req["anonymous"] or not req["requester_phone"],
            confidential=req["confidential"],
            address=req["address"],
            urgency=req["urgency"],
            external_id=f"SIM-{received:%Y%m%d%H%M%S}-{self.rng.randrange(10**6)}"
            if channel != "phone_12345"
            else None,
            actor=self.actor,
            received_at=received,
            # Located once with the batch's suggestions; without a model, intake locates it itself.
            place=req["suggestions"].place.stored if "suggestions" in req else None,
            title_matter=sure_matter(req.get("suggestions")),
        )
        self.stats.tickets += 1
        self.recent = (self.recent + [ticket])[-50:]
        try:
            self._handle(ticket, req, received)
        except TransitionError:
            pass  # a move the table refused is part of life; the ticket stays where it is
        self.stats.by_status[ticket.status] += 1
        self.stats.events += ticket.version

    def _due(self, t: dt.datetime) -> bool:
        return t <= self.end

    def _handle(self, ticket: Ticket, req: dict, received: dt.datetime) -> None:
        rng = self.rng
        t = received + dt.timedelta(minutes=rng.uniform(2, 12))
        if not self._due(t):
            return
        matter: Matter = req["matter"]
        if req["kind"] in (Kind.CONSULTATION, Kind.PRAISE) and rng.random() < 0.75:
            # 直接答复 through the services an operator uses: a consultation the knowledge base
            # covers is answered with its article (cited, and the ticket keeps a matter, M12);
            # another is answered about its own matter, and praise recorded under its matter.
            article = self._article_for(matter) if req["kind"] == Kind.CONSULTATION else None
            if article is not None:
                made = req.get("suggestions")
                answer_from_knowledge(ticket, article=article, actor=self.actor, at=t, suggestions=made)
            elif req["kind"] == Kind.CONSULTATION:  # the operator knows the policy without an article
                answer = f"已向诉求人解答{matter.name}的相关政策和办理渠道。"
                answer_directly(ticket, answer=answer, matter=matter, actor=self.actor, at=t)
            else:
                answer_directly(ticket, answer="已记录市民表扬并转达相关单位。", matter=matter, actor=self.actor, at=t)
            return
        roll = rng.random()
        if roll < 0.008:
            invalidate_ticket(ticket, reason="来电人表示误拨，无具体诉求。", actor=self.actor, at=t)
            return
        if roll < 0.02 and len(self.recent) > 5:
            target = self.recent[-rng.randint(2, 5)]
            if target.status not in (*VOID, Status.REGISTERED):
                merge_ticket(ticket, into=target, actor=self.actor, at=t)
                return
        route = router.route(matter, req["township"])  # where a careful dispatcher sends it
        if route.unit is None:
            return  # stays with the dispatchers: realistic, and visible in their queue
        suggestion = req.get("suggestions")
        auto = suggestion is not None and learning.sure_enough(suggestion)
        if auto:
            # 自动派单: the trained model is sure; it may still be wrong, and then the unit returns it.
            assert suggestion is not None
            first_unit, first_matter = suggestion.best.unit, suggestion.best.matter
        else:
            wrong = rng.random() < 0.05 + self.temper.get(route.unit.pk, 0) * 0.2
            first_unit, first_matter = (self._wrong_unit(route.unit) if wrong else route.unit), matter
            t = t + dt.timedelta(minutes=rng.uniform(1, 8 if ticket.urgency == Urgency.EMERGENCY else 45))
        if not self._due(t):
            return
        co = (
            [u for u in self._co_units(matter, route.unit) if u.pk not in (first_unit.pk, route.unit.pk)]
            if rng.random() < 0.04
            else []
        )
        if auto:
            learning.auto_dispatch(ticket, suggestions=suggestion, actor=self.actor, at=t)
        else:
            if suggestion is not None:  # shown to the dispatcher, who decides
                learning.suggest_for_ticket(ticket, suggestions=suggestion)
            dispatch_ticket(ticket, lead_unit=first_unit, co_units=co, matter=first_matter, actor=self.actor, at=t)
        if co and first_unit.pk == route.unit.pk and not auto:
            self.co_units[ticket.pk] = co
        if first_unit.pk != route.unit.pk:
            t = self._office_time(t, rng.uniform(20, 300))
            if not self._due(t):
                return
            returns.return_ticket(ticket, unit=first_unit, reason=rng.choice(RETURN_REASONS), at=t)
            self.stats.returns += 1
            t = t + dt.timedelta(minutes=rng.uniform(5, 60))
            if not self._due(t):
                return
            dispatch_ticket(
                ticket, lead_unit=route.unit, matter=matter, actor=self.actor, at=t, note="经核实，重新派单。"
            )
        self._work(ticket, route.unit, t)

    def _work(self, ticket: Ticket, unit: Unit, t: dt.datetime) -> None:
        rng = self.rng
        temper = self.temper.get(unit.pk, 0.1)
        urgent = ticket.tier == 0
        t = (
            t + dt.timedelta(minutes=rng.uniform(3, 40))
            if urgent
            else self._office_time(t, rng.uniform(5, 240) * (1 + 6 * temper if rng.random() < temper else 1))
        )
        if not self._due(t):
            return
        handling.sign(ticket, unit=unit, at=t)
        if rng.random() > 0.002:
            t = t + dt.timedelta(minutes=rng.uniform(5, 90)) if urgent else self._office_time(t, rng.uniform(10, 400))
            if not self._due(t):
                return
            handling.record_contact(ticket, unit=unit, note="已电话联系诉求人，了解具体情况。", at=t)
        for co in self.co_units.pop(ticket.pk, []):
            handling.co_reply(ticket, unit=co, text="已按职责配合处理。", at=t)
        ask = None
        if not urgent and rng.random() < 0.03 + temper * 0.1 and ticket.resolve_due:
            ask = t + (ticket.resolve_due - t) * rng.uniform(0.3, 0.9)
            if not self._due(ask):
                return
            if ask >= handling.extension_cutoff(ticket.resolve_due):
                ask = None  # too late in the deadline's day: the unit just works on
        if ask is not None:
            extension = handling.request_extension(
                ticket, unit=unit, days=rng.choice([3, 5, 7]), reason="涉及多部门协调，需要更多时间。", at=ask
            )
            self.stats.extensions += 1
            decided = self._office_time(ask, rng.uniform(30, 300))
            if not self._due(decided):
                return
            handling.decide_extension(extension, approve=rng.random() < 0.85, actor=self.actor, at=decided)
            t = max(t, decided)
        self._reply_and_revisit(ticket, unit, t, temper)

    def _reply_and_revisit(self, ticket: Ticket, unit: Unit, t: dt.datetime, temper: float) -> None:
        rng = self.rng
        window = (
            (ticket.resolve_due - ticket.clock_started_at)
            if ticket.resolve_due and ticket.clock_started_at
            else dt.timedelta(days=3)
        )
        late = rng.random() < 0.02 + temper * 0.15
        share = rng.uniform(1.02, 1.6) if late else rng.betavariate(2, 3)
        assert ticket.clock_started_at is not None  # the ticket was dispatched
        replied = max(t + dt.timedelta(minutes=20), ticket.clock_started_at + window * share)
        if not self._due(replied):
            return
        handling.reply(
            ticket,
            unit=unit,
            result=rng.choice(replies_for(ticket.matter)).format(d=f"{timezone.localtime(replied):%m月%d日}"),
            at=replied,
        )
        revisit_at = self._office_time(replied, rng.uniform(60, 900))
        if not self._due(revisit_at):
            return
        self._revisit(ticket, unit, revisit_at, temper)

    def _revisit(self, ticket: Ticket, unit: Unit, at: dt.datetime, temper: float) -> None:
        rng = self.rng
        if rng.random() < 0.08:
            record_revisit(
                ticket,
                outcome=rng.choice([Revisit.Outcome.UNREACHABLE, Revisit.Outcome.REFUSED]),
                actor=self.actor,
                at=at,
            )
            if ticket.revisit_due and self._due(ticket.revisit_due):
                close_after_window(ticket, at=ticket.revisit_due)
            return
        contacted = rng.random() > 0.002
        solved = rng.random() > 0.035 + temper * 0.12
        roll = rng.random()
        unhappy = 0.006 + temper * 0.04 + (0.25 if not solved else 0)
        if roll < unhappy:
            satisfaction = Satisfaction.DISSATISFIED
        elif roll < unhappy + 0.03:
            satisfaction = Satisfaction.BASIC
        else:
            satisfaction = Satisfaction.SATISFIED
        actionable = satisfaction == Satisfaction.DISSATISFIED and rng.random() < 0.6 and ticket.redo_count == 0
        record_revisit(
            ticket,
            contacted=contacted,
            solved=solved,
            satisfaction=satisfaction,
            actionable=actionable,
            note="市民对办理结果不满意，要求重新处理。" if actionable else "",
            actor=self.actor,
            at=at,
        )
        if ticket.status == Status.REOPENED:
            self.stats.reopened += 1
            self._work(ticket, unit, at)

    def _article_for(self, matter: Matter) -> Article | None:
        """The knowledge article an operator would answer ``matter`` with: one written for it or for
        a matter above it in the catalogue (codes nest), the closest first."""
        for length in range(len(matter.code), 1, -2):
            found = self.articles.get(matter.code[:length])
            if found is not None:
                return found
        return None

    def _wrong_unit(self, right: Unit) -> Unit:
        same_kind = [u for u in self.units if u.kind == right.kind and u.pk != right.pk]
        return self.rng.choice(same_kind or self.units)

    def _co_units(self, matter: Matter, lead: Unit) -> list[Unit]:
        if matter.owner_level == OwnerLevel.TOWNSHIP:
            pool = [u for u in self.units if u.kind == Unit.Kind.DISTRICT_DEPT and u.region_id == lead.region.parent_id]
        else:
            pool = [u for u in self.units if u.kind == Unit.Kind.TOWNSHIP]
        return self.rng.sample(pool, k=min(1, len(pool)))


def simulate(
    *,
    days: int,
    per_day: int,
    seed: int = 12345,
    end: dt.datetime | None = None,
    progress: Callable[[int], object] | None = None,
) -> tuple[Stats, float]:
    started = time.perf_counter()
    sim = Simulator(seed=seed, per_day=per_day, end=end, progress=progress)
    stats = sim.run(days)
    return stats, time.perf_counter() - started
