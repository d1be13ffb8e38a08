"""The one schedule: every app registers its own jobs, a tick runs them in a fixed order."""

import datetime as dt

import pytest

from hotline.worker import schedule


def test_every_app_registered_its_jobs_in_tick_order():
    assert [job.name for job in schedule.jobs()] == [
        "deadline_scan",  # states first,
        "escalate",  # then the orders they trigger,
        "repeat_complaints",
        "rating_links",
        "close_revisits",
        "webhooks",  # partners hear of changes,
        "deliver",  # then the messages those orders queued,
        "surges",  # then the slower analyses
        "hotspots",
        "public_figures",
        "api_rate_windows",
        "reports",
        "retrain",
        "audit_retention",
    ]
    assert all(job.every >= dt.timedelta(minutes=1) and job.help for job in schedule.jobs())


def test_a_second_job_under_a_taken_name_is_refused():
    with pytest.raises(ValueError, match="two jobs"):
        schedule.job("deliver", every=dt.timedelta(minutes=1), help="another sender")(lambda now: {})


def test_an_unknown_job_is_named_with_the_known_ones():
    with pytest.raises(KeyError, match="deliver"):
        schedule.get("teleport")
