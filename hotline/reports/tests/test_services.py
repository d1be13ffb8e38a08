"""The archive, the worker's job and the ``hotline report`` command."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from hotline.reports.models import Report
from hotline.reports.periods import Kind
from hotline.reports.services import due_periods, generate_due_reports, generate_report


@pytest.mark.clock
def test_a_report_is_archived_once_and_regenerating_replaces_its_file(ref, archive_dir):
    day = timezone.localdate() - dt.timedelta(days=1)
    (first,) = generate_report(Kind.DAILY, day, ["txt"])
    assert first.file.name == f"reports/daily/{day:%Y}/daily-{day:%Y%m%d}.txt"
    assert first.file.read().decode("utf-8").startswith("12345热线日报")
    later = timezone.now() + dt.timedelta(hours=1)
    (again,) = generate_report(Kind.DAILY, day, ["txt"], now=later)
    assert again.pk == first.pk and again.file.name == first.file.name and again.generated_at == later
    assert Report.objects.count() == 1
    assert [p.name for p in (archive_dir / "reports" / "daily" / f"{day:%Y}").iterdir()] == [f"daily-{day:%Y%m%d}.txt"]


@pytest.mark.clock
def test_bad_requests_archive_nothing(ref, archive_dir):
    with pytest.raises(ValueError):
        generate_report(Kind.DAILY, timezone.localdate(), ["txt", "pdf"])
    with pytest.raises(ValueError, match="has not begun"):
        generate_report(Kind.MONTHLY, timezone.localdate() + dt.timedelta(days=40), ["txt"])
    with pytest.raises(ValueError, match="only txt"):
        generate_report(Kind.SAFETY_DAILY, timezone.localdate(), ["docx"])
    assert not Report.objects.exists()


def test_the_job_archives_each_finished_period_once(ref, archive_dir, settings):
    settings.HOTLINE = {**settings.HOTLINE, "REPORT_FORMATS": ["xlsx", "txt"]}
    now = timezone.make_aware(dt.datetime(2026, 12, 1, 0, 5))  # a Tuesday, the first of a month
    periods = due_periods(now)
    assert all(p.end <= now for p in periods)
    made = generate_due_reports(now)
    kinds = {(r.kind, r.format) for r in made}
    assert (Kind.MONTHLY, "xlsx") in kinds and (Kind.WEEKLY, "txt") in kinds and (Kind.SAFETY_DAILY, "txt") in kinds
    assert {r.period_start for r in made if r.kind == Kind.DAILY} == {
        dt.date(2026, 11, 30) - dt.timedelta(days=n) for n in range(7)
    }
    assert Report.objects.filter(kind=Kind.MONTHLY).get(format="txt").period_start == dt.date(2026, 11, 1)
    # Running it twice makes nothing new; a new format in the settings fills only that gap.
    assert generate_due_reports(now) == []
    settings.HOTLINE = {**settings.HOTLINE, "REPORT_FORMATS": ["xlsx", "txt", "docx"]}
    assert {r.format for r in generate_due_reports(now)} == {"docx"}


@pytest.mark.clock
def test_the_command_writes_each_format_and_prints_the_safety_paragraph(history, tmp_path, archive_dir):
    day = timezone.localdate().isoformat()
    for fmt in ("docx", "xlsx"):
        out = tmp_path / f"r.{fmt}"
        call_command("report", "weekly", "--date", day, "--format", fmt, "--out", str(out), stdout=io.StringIO())
        assert out.read_bytes().startswith(b"PK")  # a zip, as Office files are
    text = io.StringIO()
    call_command("report", "daily", "--date", day, stdout=text)
    assert text.getvalue().startswith("12345热线日报")
    paragraph = io.StringIO()
    call_command("report", "safety-daily", "--date", day, "--archive", stdout=paragraph)
    assert "西宁市" in paragraph.getvalue() and "安全隐患举报" in paragraph.getvalue()
    assert Report.objects.get().kind == Kind.SAFETY_DAILY
    assert not (tmp_path / "r.txt").exists()


@pytest.mark.clock
@pytest.mark.parametrize(
    "args, message",
    [
        (["daily", "--date", "2026-13-01"], "YYYY-MM-DD"),
        (["daily", "--date", "'; DROP TABLE tickets_ticket; --"], "YYYY-MM-DD"),
        (["daily", "--format", "docx"], "needs --out"),
        (["daily", "--format", "xlsx", "--out", "/no/such/dir/r.xlsx"], "no such directory"),
        (["monthly", "--date", "2999-01-01"], "has not begun"),
    ],
)
def test_the_command_refuses_bad_input_with_a_clear_error(ref, archive_dir, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("report", *args, stdout=io.StringIO())
    assert not Report.objects.exists()


@pytest.mark.clock
def test_the_command_runs_the_job(ref, archive_dir, settings):
    settings.HOTLINE = {**settings.HOTLINE, "REPORT_FORMATS": ["txt"]}
    out = io.StringIO()
    call_command("report", "due", stdout=out)
    assert out.getvalue().strip().endswith("reports archived")
    assert Report.objects.count() == 7 + 7 + 2
