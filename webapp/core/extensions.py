"""Flask extensions, created unbound and initialised in create_app."""

import sqlite3
import time

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event, exc
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# Storage from RATELIMIT_STORAGE_URI: Redis when REDIS_URL is set (shared by all workers).
limiter = Limiter(key_func=get_remote_address, default_limits=[])


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """SQLite: enforce foreign keys, let readers work during a write, wait for locks."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()


RETURNED_AT = "veerkracht_returned_at"  # a pooled connection's info: when it last went back to the pool


def ping_after_idle(engine: Engine, idle_seconds: float) -> None:
    """Check a pooled connection before a request uses it, when it sat unused for `idle_seconds`.

    A database restart (or a dropped connection) would otherwise fail the request that draws the
    dead connection. SQLAlchemy's pool_pre_ping checks before every use: one more round trip on
    every request of a busy worker, whose connection was working a moment ago. A connection whose
    check fails is thrown away and a new one made in its place. The price: a
    connection that dies within `idle_seconds` of its last use fails the one request that draws it
    (the error page; the connection is then replaced), as every connection did without a check.
    """
    dialect = engine.dialect

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection, record) -> None:
        record.info[RETURNED_AT] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _check(dbapi_connection, record, _proxy) -> None:
        returned = record.info.get(RETURNED_AT)  # cleared with a new connection: that one is fresh
        if returned is None or time.monotonic() - returned < idle_seconds:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as error:  # any failure: this connection is not fit to use
            raise exc.DisconnectionError("the pooled connection failed its check") from error
