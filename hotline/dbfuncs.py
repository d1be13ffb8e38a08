"""Database expressions Django lacks in a fast form on every backend we run on."""

from __future__ import annotations

from django.db.models import DateField, Func
from django.db.models.functions import TruncDate
from django.utils import timezone


class LocalDate(Func):
    """The local calendar date of a datetime column.

    PostgreSQL truncates natively. On SQLite Django's ``TruncDate`` calls back into Python for
    every row; here SQLite's own ``date(col, '+N minutes')`` shifts by the current zone's offset,
    which is exact for zones without daylight saving, such as China's.
    """

    output_field = DateField()

    def __init__(self, expression, **extra):
        super().__init__(expression, **extra)

    def as_sql(self, compiler, connection, **extra_context):
        return TruncDate(*self.get_source_expressions()).as_sql(compiler, connection, **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        offset = timezone.localtime().utcoffset()
        minutes = int(offset.total_seconds() // 60) if offset else 0
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return f"date({sql}, %s)", [*params, f"{minutes:+d} minutes"]
