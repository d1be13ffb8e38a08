"""Everything a fresh database needs before the first call: regions, units, catalogue, channels,
holidays. Idempotent; each step reports what it wrote."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from hotline.catalog import services as catalog
from hotline.catalog.models import Matter
from hotline.dispatch import router
from hotline.dispatch.locate import seed_gazetteer
from hotline.intake.reference import load_channels
from hotline.linkage.reference import load_linkage
from hotline.knowledge.services import seed_articles
from hotline.orgs import places
from hotline.orgs import services as orgs
from hotline.orgs.models import Unit
from hotline.workcal.services import seed_from_chinese_calendar


def load_reference(say: Callable[[str], None] = lambda _m: None) -> None:
    with transaction.atomic():
        say(f"regions: {orgs.load_regions()}")
        say(f"functions: {orgs.load_functions()}")
        say(f"units: {orgs.load_units()} (+ township and street offices)")
        result = catalog.load_default()
        say(f"catalogue: {result['created']} new, {result['updated']} updated matters")
        say(f"channels: {load_channels()}")
        say(f"linkage agencies and matters: {load_linkage()}")
        say(f"holidays and working weekends: {seed_from_chinese_calendar()} new")
        say(f"knowledge base: {seed_articles()} starter articles")
        say("gazetteer: {created} new, {updated} updated roads, estates and landmarks".format(**seed_gazetteer()))
    places.clear_cache()
    router.clear_cache()


def reference_loaded() -> bool:
    return Unit.objects.exists() and Matter.objects.exists()
