"""The backup drill: back up, wipe, restore, compare counts and checksums, on the engine under test."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from hotline.ops.backup import BackupError, backup, file_checksums, read_manifest, restore, row_counts
from hotline.tickets.models import Ticket, TicketEvent
from hotline.tickets.tests.helpers import new_ticket

pytestmark = pytest.mark.django_db(transaction=True)


def _digest() -> str:
    """The tickets and their events, every field, in a checksum: a restore must bring back the same rows."""
    rows = [
        list(Ticket.objects.order_by("pk").values_list()),
        list(TicketEvent.objects.order_by("pk").values_list()),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


@pytest.fixture
def site(tmp_path, people):
    media = tmp_path / "media"
    with override_settings(MEDIA_ROOT=media, VAR_DIR=tmp_path):
        for i in range(5):
            new_ticket(people.operator, content=f"第{i}件：小区门口占道经营，希望管一管，电话13912345678。")
        (media / "attachments" / "ab").mkdir(parents=True)
        (media / "attachments" / "ab" / "photo.jpg").write_bytes(bytes(range(256)) * 100)
        (media / "reports").mkdir()
        (media / "reports" / "月报 2026-11.docx").write_bytes(b"PK\x03\x04 not really a docx")
        (tmp_path / "models").mkdir()
        (tmp_path / "models" / "classifier-1.joblib").write_bytes(b"model bytes")
        yield tmp_path


def test_drill_backup_wipe_restore(site: Path, capsys):
    counts, digest, files = row_counts(), _digest(), file_checksums()
    assert counts["tickets_ticket"] == 5 and len(files) == 3

    call_command("backup", "--output", str(site / "backups"))
    archive = next((site / "backups").glob(f"hotline-{connection.vendor}-*.tar"))
    assert archive.name in capsys.readouterr().out
    assert read_manifest(archive)["tables"] == counts

    # Wipe: every row and every file gone.
    call_command("flush", interactive=False, verbosity=0)
    for root in (site / "media", site / "models"):
        for path in root.rglob("*"):
            if path.is_file():
                path.unlink()
    assert Ticket.objects.count() == 0 and file_checksums() == {}

    call_command("restore", str(archive))
    assert "counts and checksums match" in capsys.readouterr().out
    assert row_counts() == counts
    assert _digest() == digest
    assert file_checksums() == files

    # A second restore over a database with tickets is refused unless forced, and changes nothing.
    with pytest.raises(CommandError, match="holds tickets"):
        call_command("restore", str(archive))
    call_command("restore", str(archive), "--force")
    assert row_counts() == counts and _digest() == digest


def _tar(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_bad_archives_are_refused_and_change_nothing(site: Path):
    result = backup(site / "backups")
    before = (row_counts(), _digest(), file_checksums())
    good = result.path.read_bytes()
    manifest = read_manifest(result.path)
    database = manifest["database"]

    cases = {
        "empty": b"",
        "truncated": good[: len(good) // 2],
        "not a tar": "工单".encode() * 1000,
    }
    for name, data in cases.items():
        path = site / f"{name}.tar"
        path.write_bytes(data)
        with pytest.raises(BackupError):
            restore(path, force=True)
    other = {**manifest, "engine": "sqlite" if connection.vendor == "postgresql" else "postgresql"}
    hostile = {
        "other engine": {"manifest.json": json.dumps(other).encode(), database: b"x"},
        "no database": {"manifest.json": json.dumps(manifest).encode()},
        "future format": {"manifest.json": json.dumps({**manifest, "format": 99}).encode(), database: b"x"},
        "escapes": {
            "manifest.json": json.dumps({**manifest, "files": {"../../etc/evil": "0"}}).encode(),
            database: b"x",
            "files/../../etc/evil": b"x",
        },
    }
    for name, members in hostile.items():
        with pytest.raises(BackupError):
            restore(_tar(site / f"{name}.tar", members), force=True)
    # A file whose contents no longer match its checksum: refused before anything is replaced.
    damaged = {**manifest, "files": {n: "0" * 64 for n in manifest["files"]}}
    with tarfile.open(result.path) as tar, tarfile.open(site / "damaged.tar", "w") as out:
        for member in tar.getmembers():
            if member.name == "manifest.json":
                data = json.dumps(damaged).encode()
                member.size = len(data)
                out.addfile(member, io.BytesIO(data))
            else:
                out.addfile(member, tar.extractfile(member))
    with pytest.raises(BackupError, match="checksum"):
        restore(site / "damaged.tar", force=True)
    assert (row_counts(), _digest(), file_checksums()) == before
    assert not (Path("/etc/evil")).exists()
    assert settings.MEDIA_ROOT == site / "media"
