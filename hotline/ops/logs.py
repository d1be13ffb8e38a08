"""The request id every log line carries, and the filter that puts it there."""

from __future__ import annotations

import logging
from contextvars import ContextVar

# The id of the request this thread is serving ("-" outside a request: the worker, commands).
REQUEST_ID: ContextVar[str] = ContextVar("hotline_request_id", default="-")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True
