"""Transactions: one commit per request, and savepoints for the part of a use-case that may have to undo.

Services flush and never commit. The request commits once when its view returned a response;
when the view raised (abort, a bug), the error handler rolls everything back. A service that
may lose a race (two taps on "Klaar") undoes only its own part through `savepoint()`, so what
the request wrote before it (follow-up answers, audit events) is kept.
"""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask

from webapp.core import audit
from webapp.core.extensions import db


@contextmanager
def savepoint() -> Iterator[None]:
    """Run the block in a SAVEPOINT: an exception undoes the block only, then propagates.

    pysqlite opens a transaction lazily, before the first INSERT/UPDATE/DELETE; a SAVEPOINT sent
    first would open one itself, and its RELEASE would then commit the request halfway. So on
    SQLite a BEGIN is sent first when no transaction is open yet. (SQLAlchemy's recipe of
    BEGIN at the start of every transaction would do the same, but makes every read-then-write
    request on SQLite fail with "database is locked" when another worker committed in between.)
    """
    connection = db.session.connection()
    dbapi_connection = connection.connection.dbapi_connection
    if isinstance(dbapi_connection, sqlite3.Connection) and not dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN")
    mark = audit.pending_mark()
    try:
        with db.session.begin_nested():
            yield
    except BaseException:
        audit.drop_since(mark)  # the audit events of the undone part go with it
        raise


def init_app(app: Flask) -> None:
    @app.after_request
    def _commit(response):
        # The view returned normally (a 400 with form errors too): keep what it wrote, such as the
        # audit of what it showed. Views check input before they write anything; a raised error
        # has already been rolled back by its error handler, so this commits nothing then.
        db.session.commit()
        return response
