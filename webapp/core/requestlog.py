"""One JSON line per request, and a request id a coach can quote from an error page.

A line holds only: time, request id, method, endpoint name, status, duration and the requester's
role. Never a URL (it holds public ids), a name, a username, an IP address, form data or answers.
"""

import json
import logging
import secrets
import sys
import time
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request
from flask.logging import default_handler
from flask_login import current_user

from webapp.core import metrics
from webapp.core.models._base import READ_ALOUD_ALPHABET

REQUEST_ID_HEADER = "X-Request-ID"
logger = logging.getLogger("veerkracht.requests")


class JsonFormatter(logging.Formatter):
    """A log record as one JSON object; inside a request it carries the request id."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
                 "level": record.levelname.lower(), "logger": record.name}
        fields = getattr(record, "fields", None)
        if fields:
            entry.update(fields)
        else:
            entry["message"] = record.getMessage()
        if "request_id" not in entry and has_request_context() and "request_id" in g:
            entry["request_id"] = g.request_id
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def new_request_id() -> str:
    """Eight characters without look-alikes, as 'abcd-efgh': easy to read out on the phone and to find."""
    letters = "".join(secrets.choice(READ_ALOUD_ALPHABET) for _ in range(8))
    return f"{letters[:4]}-{letters[4:]}"


def request_id() -> str | None:
    """This request's id (for error pages and log lines)."""
    return g.get("request_id") if has_request_context() else None


# No user is loaded for these (a health check must not need the database for it).
NO_USER = frozenset({"static", "main.healthz", "ops.metrics"})


def _role() -> str:
    if request.endpoint in NO_USER:
        return "-"
    if not current_user.is_authenticated:
        return "anonymous"
    return current_user.role  # a column: no query; never the name or username


def _drop_dev_server_access_lines(record: logging.LogRecord) -> bool:
    """The development server's access lines hold IP addresses and URLs with public ids."""
    return " - - [" not in str(record.msg)


def init_app(app: Flask) -> None:
    """Register first, so the line is written last, with the final status."""
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
        default_handler.setFormatter(JsonFormatter())
        logging.getLogger("werkzeug").addFilter(_drop_dev_server_access_lines)

    @app.before_request
    def _start():
        g.request_id = new_request_id()
        g.request_started = time.perf_counter()

    @app.before_request
    def _who():
        g.request_role = _role()

    @app.after_request
    def _log(response):
        started = g.get("request_started")
        if started is None:
            return response
        response.headers[REQUEST_ID_HEADER] = g.request_id
        duration = time.perf_counter() - started
        metrics.record_request(request.endpoint, request.method, response.status_code, duration)
        logger.info("request", extra={"fields": {
            "request_id": g.request_id, "method": request.method, "endpoint": request.endpoint,
            "status": response.status_code, "duration_ms": round(duration * 1000, 1),
            "role": g.get("request_role", "-"),
        }})
        return response
