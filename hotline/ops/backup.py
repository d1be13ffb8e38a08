"""`hotline backup` and `hotline restore`: the database and the files beside it, in one archive.

An archive is a tar file holding ``manifest.json`` (engine, time, row counts per table, a
checksum per file), the database (PostgreSQL: ``pg_dump`` custom format; SQLite: a copy made
with SQLite's online backup API, consistent while the site runs) and the files under
``MEDIA_ROOT`` (attachments, archived reports) and ``VAR_DIR/models`` (classifier versions).
The database is copied first and the files after it, so every row that names a file finds it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"


class BackupError(Exception):
    """A backup or restore that cannot be done; nothing was changed."""


def _file_roots() -> dict[str, Path]:
    """The directories that travel with the database, by their name inside the archive."""
    return {"media": Path(settings.MEDIA_ROOT), "models": Path(settings.VAR_DIR) / "models"}


def _engine() -> str:
    vendor = connections[DEFAULT_DB_ALIAS].vendor
    if vendor not in ("postgresql", "sqlite"):
        raise BackupError(f"backups are made for PostgreSQL and SQLite, not {vendor}")
    return vendor


def row_counts() -> dict[str, int]:
    """Rows per table of every installed model (the drill compares them after a restore)."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        counts = {}
        for table in _tables():
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    return counts


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_checksums() -> dict[str, str]:
    out = {}
    for name, root in _file_roots().items():
        if root.is_dir():
            for path in sorted(p for p in root.rglob("*") if p.is_file()):
                out[f"{name}/{path.relative_to(root).as_posix()}"] = _sha256(path)
    return out


def _pg_env_and_args() -> tuple[dict[str, str], list[str]]:
    s = connections[DEFAULT_DB_ALIAS].settings_dict
    env = {**os.environ}
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = str(s["PASSWORD"])
    args = ["--dbname", str(s["NAME"])]
    if s.get("HOST"):
        args += ["--host", str(s["HOST"])]
    if s.get("PORT"):
        args += ["--port", str(s["PORT"])]
    if s.get("USER"):
        args += ["--username", str(s["USER"])]
    return env, args


def _run(command: list[str], env: dict[str, str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (Debian: postgresql-client of the server's version)")
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[-2000:]}")


def _tables() -> list[str]:
    return sorted(
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if not model._meta.proxy and model._meta.managed
    )


def _dump_database(engine: str, target: Path) -> dict[str, int]:
    """Copy the database to ``target`` and return the row counts of that very copy."""
    if engine == "postgresql":
        # The counts and the dump read one snapshot: rows written meanwhile are in neither.
        with transaction.atomic(), connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = {}
            for table in _tables():
                cursor.execute(f'SELECT count(*) FROM "{table}"')
                counts[table] = cursor.fetchone()[0]
            env, args = _pg_env_and_args()
            _run(
                ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}"]
                + ["--file", str(target), *args],
                env,
            )
        return counts
    source = sqlite3.connect(connections[DEFAULT_DB_ALIAS].settings_dict["NAME"])
    copy = sqlite3.connect(target)
    try:
        with copy:
            source.backup(copy)  # consistent even while web processes write
        return {table: copy.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in _tables()}
    finally:
        copy.close()
        source.close()


@dataclass(frozen=True)
class BackupResult:
    path: Path
    tables: int
    rows: int
    files: int
    bytes: int


def backup(directory: Path, *, now: dt.datetime | None = None) -> BackupResult:
    """Write ``hotline-<engine>-<time>.tar`` into ``directory`` and return what it holds.

    The archive appears under its name only when complete (written beside it, then renamed)."""
    engine = _engine()
    directory.mkdir(parents=True, exist_ok=True)
    stamp = timezone.localtime(now or timezone.now()).strftime("%Y%m%dT%H%M%S")
    final = directory / f"hotline-{engine}-{stamp}.tar"
    if final.exists():
        raise BackupError(f"{final} exists already")
    with tempfile.TemporaryDirectory(dir=directory, prefix=".backup-") as work:
        database = Path(work) / ("database.dump" if engine == "postgresql" else "database.sqlite3")
        counts = _dump_database(engine, database)
        checksums = file_checksums()
        manifest = {
            "format": FORMAT,
            "engine": engine,
            "created_at": (now or timezone.now()).isoformat(),
            "database": database.name,
            "tables": counts,
            "files": checksums,
        }
        partial = Path(work) / "archive.tar"
        with tarfile.open(partial, "w") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            tar.add(database, arcname=database.name)
            roots = _file_roots()
            for name in checksums:
                top, _, rest = name.partition("/")
                tar.add(roots[top] / rest, arcname=f"files/{name}")
        os.replace(partial, final)
    return BackupResult(final, len(counts), sum(counts.values()), len(checksums), final.stat().st_size)


def read_manifest(archive: Path) -> dict[str, Any]:
    try:
        with tarfile.open(archive, "r") as tar:
            member = tar.getmember(MANIFEST)
            handle = tar.extractfile(member)
            if handle is None:
                raise BackupError(f"{archive}: the manifest is not a file")
            manifest = json.loads(handle.read().decode())
            names = set(tar.getnames())
    except (OSError, tarfile.TarError, KeyError, ValueError) as exc:
        raise BackupError(f"{archive} is not a hotline backup: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(
            f"{archive}: unknown backup format {manifest.get('format') if isinstance(manifest, dict) else manifest!r}"
        )
    if manifest.get("database") not in names:
        raise BackupError(f"{archive}: the database file {manifest.get('database')!r} is missing")
    roots = _file_roots()
    for name in manifest.get("files", {}):
        top, _, rest = name.partition("/")
        if top not in roots or not rest or ".." in Path(rest).parts or rest.startswith("/"):
            raise BackupError(f"{archive}: the file name {name!r} points outside the site's files")
    missing = [n for n in manifest.get("files", {}) if f"files/{n}" not in names]
    if missing:
        raise BackupError(f"{archive}: {len(missing)} files named in the manifest are missing, first {missing[0]}")
    return manifest


def database_is_empty() -> bool:
    from hotline.tickets.models import Ticket

    try:
        return not Ticket.objects.exists()
    except Exception:  # no tables at all: a wiped or new database
        return True


@dataclass(frozen=True)
class RestoreResult:
    tables: int
    rows: int
    files: int
    mismatches: list[str]


def restore(archive: Path, *, force: bool = False, say: Callable[[str], None] = lambda m: None) -> RestoreResult:
    """Replace the database and the files with the archive's, then compare counts and checksums.

    Refuses (changing nothing) a file that is not a complete backup, a backup of the other
    engine, and a database that holds tickets unless ``force``."""
    manifest = read_manifest(archive)
    engine = _engine()
    if manifest["engine"] != engine:
        raise BackupError(f"this backup is of a {manifest['engine']} database; this site runs on {engine}")
    if not force and not database_is_empty():
        raise BackupError("the database holds tickets: restoring would replace them (use --force if that is meant)")
    with tempfile.TemporaryDirectory(prefix="hotline-restore-") as work:
        try:
            with tarfile.open(archive, "r") as tar:
                # The "data" filter refuses absolute paths, "..", links out of the tree and devices.
                tar.extractall(work, filter="data")
        except (OSError, tarfile.TarError) as exc:
            raise BackupError(f"{archive} cannot be unpacked safely: {exc}") from exc
        for name, expected in manifest["files"].items():
            if _sha256(Path(work) / "files" / name) != expected:
                raise BackupError(f"{archive}: {name} does not match its checksum; the archive is damaged")
        database = Path(work) / manifest["database"]
        say("restoring the database…")
        connections.close_all()
        if engine == "postgresql":
            env, args = _pg_env_and_args()
            _run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--no-privileges",
                    "--single-transaction",
                    *args,
                    str(database),
                ],
                env,
            )
        else:
            source = sqlite3.connect(database)
            target = sqlite3.connect(connections[DEFAULT_DB_ALIAS].settings_dict["NAME"])
            try:
                source.backup(target)
            finally:
                target.close()
                source.close()
        say("restoring the files…")
        for name, root in _file_roots().items():
            extracted = Path(work) / "files" / name
            if root.exists():
                shutil.rmtree(root)
            if extracted.exists():
                shutil.copytree(extracted, root)
            else:
                root.mkdir(parents=True, exist_ok=True)
    connections.close_all()
    counts = row_counts()
    checksums = file_checksums()
    mismatches = [
        f"{table}: {manifest['tables'][table]} rows in the backup, {counts.get(table)} now"
        for table in manifest["tables"]
        if counts.get(table) != manifest["tables"][table]
    ]
    if checksums != manifest["files"]:
        mismatches.append(
            f"files: {len(manifest['files'])} in the backup, {len(checksums)} restored, or their contents differ"
        )
    return RestoreResult(len(counts), sum(counts.values()), len(checksums), mismatches)
