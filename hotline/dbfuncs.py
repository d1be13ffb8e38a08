"""Database expressions Django lacks in a fast form on every backend we run on."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import DateField, Func
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler

    Sql = tuple[str, list[str | int] | tuple[str | int, ...]]


def _sqlite_offset() -> str:
    offset = timezone.localtime().utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    return f"{minutes:+d} minutes"


class LocalDate(Func):
    """The local calendar date of a datetime column.

    PostgreSQL converts to the centre's zone and casts. On SQLite Django's ``TruncDate`` calls back into Python for
    every row; here SQLite's own ``date(col, '+N minutes')`` shifts by the current zone's offset,
    which is exact for zones without daylight saving, such as China's.
    """

    output_field = DateField()

    # The compiler calls as_sql(compiler, connection) only; these delegate and take no template of their own.
    def as_sql(  # type: ignore[override]
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> Sql:  # any other backend
        return TruncDate(*self.get_source_expressions()).as_sql(compiler, connection, **extra_context)

    def as_sqlite(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any) -> Sql:
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return f"date({sql}, %s)", [*params, _sqlite_offset()]

    def as_postgresql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any) -> Sql:
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return f"({sql} AT TIME ZONE %s)::date", [*params, timezone.get_current_timezone_name()]


class LocalMonth(Func):
    """The first day of the local month of a datetime column; fast on SQLite as ``LocalDate`` is."""

    output_field = DateField()

    def as_sql(  # type: ignore[override]  # as LocalDate.as_sql
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> Sql:
        month = TruncMonth(self.get_source_expressions()[0], output_field=DateField())
        return month.as_sql(compiler, connection, **extra_context)

    def as_sqlite(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any) -> Sql:
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return f"date({sql}, %s, 'start of month')", [*params, _sqlite_offset()]

    def as_postgresql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any) -> Sql:
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return f"(DATE_TRUNC('month', {sql} AT TIME ZONE %s))::date", [*params, timezone.get_current_timezone_name()]
