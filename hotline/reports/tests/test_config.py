import pytest
from django.core.exceptions import ImproperlyConfigured

from hotline.reports.config import DEFAULT_FILE, parse, safety_config

from .samples import SAFETY_TOML

GOOD = SAFETY_TOML


def test_the_shipped_configuration_reads_and_names_real_matters(ref):
    from hotline.catalog.models import Matter
    from hotline.intake.models import Channel

    config = safety_config()
    assert config.city and config.sources
    for code in config.matters:
        assert Matter.objects.filter(code=code).exists(), code
    named = {c for s in config.sources for c in s.channels if c != "*"}
    assert named <= set(Channel.objects.values_list("code", flat=True))
    assert DEFAULT_FILE.is_file()


def test_channels_map_to_their_source_and_the_rest_to_the_catch_all():
    config = parse(GOOD)
    assert config.source_of("police_110") == "西宁市消防救援支队"
    assert config.source_of("phone_12345") == "12345政务服务便民热线"
    without_catch_all = parse(GOOD.replace('channels = ["*"]', 'channels = ["phone_12345"]'))
    assert without_catch_all.source_of("wechat") is None


@pytest.mark.parametrize(
    "text, message",
    [
        ("city = ", "not valid TOML"),
        (GOOD.replace('matters = ["11", "020201"]', "matters = []"), "catalogue codes"),
        (GOOD.replace('"020201"', '"02; DROP TABLE"'), "catalogue codes"),
        (GOOD.replace('matters = ["11", "020201"]', 'matters = "11"'), "'matters' must be a list"),
        (GOOD.replace('channels = ["police_110"]', 'channels = ["*"]'), "only one source"),
        (GOOD.replace('name = "西宁市消防救援支队"', 'name = "  "'), "needs a name"),
        (GOOD.replace('channels = ["police_110"]', "channels = []"), "must list its channels"),
        (GOOD.replace("topic_level = 2", "topic_level = 9"), "topic_level"),
        (GOOD.replace("topic_level = 2", "topic_level = true"), "'topic_level' must be a int"),
        (GOOD.split("[[sources]]")[0], "'sources' must be a list"),
    ],
)
def test_a_malformed_configuration_is_refused_with_the_reason(text, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        parse(text)
